"""A one-page assessment report as PNG and PDF (matplotlib, no GUI backend).

The page shows the confusion matrix (counts and row %), ROC and precision-recall
curves, histograms of the sorting-class probability per true class, the sorting
metrics versus threshold, a metrics table, and where model and data came from.
Matplotlib's object API with the Agg canvas is used, never ``pyplot``, so the
report can be written from any thread of the GUI without touching its backend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aid.evaluate.metrics import Assessment

MAX_PROVENANCE_LINES = 14


@dataclass(frozen=True)
class ReportFiles:
    """Paths of a written report."""

    png: Path
    pdf: Path


def write_report(
    assessment: Assessment,
    out_dir: str | Path,
    *,
    provenance: Mapping[str, Any] | None = None,
    data_files: Sequence[str] = (),
    timing: Mapping[str, float] | None = None,
    stem: str = "assessment",
) -> ReportFiles:
    """Write ``<stem>.png`` and ``<stem>.pdf`` into ``out_dir``.

    Parameters
    ----------
    assessment
        The metrics to show.
    out_dir
        Folder for the files (created if needed).
    provenance
        ``key -> value`` lines about model and data (model path, zoo name,
        epoch, preprocessing, ...).
    data_files
        Assessed files, one line each (shortened when there are many).
    timing
        Optional inference time (``mean_ms``, ``median_ms`` ...).
    stem
        File name without suffix.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figure = Figure(figsize=(16, 10), layout="constrained")
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(2, 4)
    _confusion(figure.add_subplot(grid[0, 0]), assessment)
    _curves(
        figure.add_subplot(grid[0, 1]),
        assessment.roc_curves(),
        "ROC",
        "false positive rate",
        "true positive rate",
    )
    _curves(
        figure.add_subplot(grid[0, 2]),
        assessment.pr_curves(),
        "Precision-recall",
        "recall",
        "precision",
    )
    _histograms(figure.add_subplot(grid[0, 3]), assessment)
    _threshold_plot(figure.add_subplot(grid[1, 0]), assessment)
    _text(figure.add_subplot(grid[1, 1]), "Metrics", _metric_lines(assessment, timing))
    _text(
        figure.add_subplot(grid[1, 2:]),
        "Model and data",
        _provenance_lines(provenance or {}, data_files),
    )
    figure.suptitle(
        f"Assessment: {len(assessment.labels)} events, "
        f"accuracy {assessment.accuracy:.4f}"
    )
    files = ReportFiles(png=out / f"{stem}.png", pdf=out / f"{stem}.pdf")
    figure.savefig(files.png, dpi=100)
    figure.savefig(files.pdf)
    return files


def _confusion(ax: Any, assessment: Assessment) -> None:
    counts = assessment.confusion_matrix()
    rows = assessment.confusion_matrix("true")
    ax.imshow(rows, cmap="Blues", vmin=0.0, vmax=1.0)
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            color = "white" if rows[i, j] > 0.5 else "black"
            ax.text(
                j,
                i,
                f"{counts[i, j]}\n{100 * rows[i, j]:.1f}%",
                ha="center",
                va="center",
                color=color,
                fontsize=8,
            )
    ticks = range(assessment.num_classes)
    ax.set_xticks(ticks, assessment.class_names, rotation=45, ha="right")
    ax.set_yticks(ticks, assessment.class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title("Confusion matrix (counts, row %)")


def _curves(
    ax: Any, curves: Mapping[str, Any], title: str, xlabel: str, ylabel: str
) -> None:
    for name, curve in curves.items():
        ax.plot(curve.x, curve.y, label=f"{name} (AUC {curve.auc:.3f})")
    if title == "ROC":
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel=xlabel, ylabel=ylabel, title=title)
    if curves:
        ax.legend(fontsize=8, loc="lower right" if title == "ROC" else "lower left")


def _histograms(ax: Any, assessment: Assessment) -> None:
    edges, counts = assessment.probability_histograms()
    centers = (edges[:-1] + edges[1:]) / 2
    for name, values in counts.items():
        ax.step(centers, values, where="mid", label=f"true {name}")
    if assessment.threshold is not None:
        ax.axvline(
            assessment.threshold, color="black", linestyle="--", label="threshold"
        )
    sorting_name = assessment.class_names[assessment.sorting_class]
    ax.set(
        xlabel=f"p({sorting_name})", ylabel="events", title="Probability per true class"
    )
    ax.set_yscale("symlog")
    ax.legend(fontsize=8)


def _threshold_plot(ax: Any, assessment: Assessment) -> None:
    curve = assessment.threshold_curve()
    ax.plot(curve.thresholds, curve.final_concentration, label="final concentration %")
    ax.plot(curve.thresholds, curve.yield_, label="yield %")
    ax.axhline(
        curve.initial_concentration,
        color="grey",
        linestyle=":",
        label="initial concentration %",
    )
    ax.set(
        xlabel="threshold",
        ylabel="%",
        ylim=(0, 102),
        title=f"Sorting {assessment.class_names[curve.class_index]}",
    )
    twin = ax.twinx()
    twin.plot(
        curve.thresholds,
        curve.enrichment,
        color="black",
        linestyle="--",
        label="enrichment",
    )
    twin.set_ylabel("enrichment (final / initial)")
    ax.legend(fontsize=8, loc="lower left")


def _metric_lines(
    assessment: Assessment, timing: Mapping[str, float] | None
) -> list[str]:
    lines = [f"{'class':<16}{'prec.':>7}{'recall':>7}{'F1':>7}{'n':>8}"]
    for name, row in assessment.per_class().items():
        lines.append(
            f"{name[:15]:<16}{row['precision']:>7.3f}{row['recall']:>7.3f}"
            f"{row['f1']:>7.3f}{row['support']:>8d}"
        )
    for average, row in assessment.averages().items():
        lines.append(
            f"{average:<16}{row['precision']:>7.3f}{row['recall']:>7.3f}"
            f"{row['f1']:>7.3f}"
        )
    sorting = assessment.sorting()
    lines += [
        "",
        f"accuracy            {assessment.accuracy:.4f}",
        f"ROC AUC             {assessment.auc:.4f}",
        f"sorting class       {assessment.class_names[assessment.sorting_class]}"
        f" (threshold {assessment.threshold})",
        f"initial conc.       {sorting.initial_concentration:.2f} %",
        f"final conc.         {sorting.final_concentration:.2f} %",
        f"enrichment          {sorting.enrichment:.3f}",
        f"yield               {sorting.yield_:.2f} %",
    ]
    if timing:
        lines.append(
            f"time per image      {timing.get('mean_ms', float('nan')):.3f} ms "
            f"(median {timing.get('median_ms', float('nan')):.3f})"
        )
    return lines


def _provenance_lines(
    provenance: Mapping[str, Any], data_files: Sequence[str]
) -> list[str]:
    lines = [f"{key}: {_compact(value)}" for key, value in provenance.items()]
    lines.append(f"data files ({len(data_files)}):")
    shown = list(data_files[:MAX_PROVENANCE_LINES])
    lines += [f"  {name}" for name in shown]
    if len(data_files) > len(shown):
        lines.append(f"  ... and {len(data_files) - len(shown)} more")
    return lines


def _compact(value: Any) -> str:
    """Format mappings as ``key=value`` pairs (unset ones left out), others as text."""
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v is not None)
    return str(value)


def _text(ax: Any, title: str, lines: Sequence[str]) -> None:
    ax.axis("off")
    ax.set_title(title, loc="left")
    wrapped = [line if len(line) <= 110 else line[:107] + "..." for line in lines]
    ax.text(
        0.0,
        1.0,
        "\n".join(wrapped),
        family="monospace",
        fontsize=8,
        va="top",
        transform=ax.transAxes,
    )
