"""``aid assess`` and ``aid predict``: metrics on labelled data, classes of new data."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from aid.errors import AssessmentError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``assess`` and ``predict`` sub-commands."""
    assess = sub.add_parser("assess", help="metrics of a saved model on labelled data")
    assess.add_argument(
        "model", help=".keras model, or AIDeveloper .model (meta file beside it)"
    )
    assess.add_argument(
        "--data",
        required=True,
        help="folder of .rtdc files / class folders, or a session file *.json",
    )
    assess.add_argument(
        "--role",
        choices=("train", "valid", "test"),
        help="files of this role (default: test, else valid, else all)",
    )
    assess.add_argument("--json", action="store_true", help="print one JSON object")
    assess.add_argument(
        "--report", metavar="DIR", help="write assessment.png/.pdf into DIR"
    )
    assess.add_argument(
        "--timing", action="store_true", help="also time single-image inference"
    )
    _common(assess)
    assess.set_defaults(handler=run_assess)

    predict = sub.add_parser("predict", help="classify every event of unlabelled files")
    predict.add_argument("model", help=".keras model, or AIDeveloper .model")
    predict.add_argument(
        "inputs", nargs="+", metavar="INPUT", help=".rtdc files or folders"
    )
    predict.add_argument(
        "--out", required=True, help="output table: FILE.csv or FILE.xlsx"
    )
    predict.add_argument(
        "--rtdc-copy",
        metavar="DIR",
        help="also write .rtdc copies with userdef0 = class, userdef1.. = scores",
    )
    predict.add_argument(
        "--addon", default="aid", help="name part of the copies (default: aid)"
    )
    _common(predict)
    predict.set_defaults(handler=run_predict)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--meta", help="metadata file (.json or AIDeveloper _meta.xlsx)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=1024, help="events per model call"
    )
    parser.add_argument(
        "--sorting-class",
        type=int,
        default=0,
        help="class of interest for the threshold and sorting metrics",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        help="predict the sorting class when its score > this (default: argmax)",
    )


class _Progress:
    """Percent progress on stderr (silent with ``--json``)."""

    def __init__(self, label: str, enabled: bool) -> None:
        self._label, self._enabled, self._last = label, enabled, -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else -1
        if self._enabled and percent != self._last:
            self._last = percent
            shown = f"{percent:3d}% " if total else ""
            end = "\n" if total and done >= total else ""
            print(
                f"\r{self._label} {shown}{done}/{total or '?'}",
                end=end,
                file=sys.stderr,
            )


def _load(args: argparse.Namespace) -> Any:
    from aid.modelfile.io import load_model

    return load_model(args.model, meta_path=args.meta)


def run_assess(args: argparse.Namespace) -> int:
    """Run ``aid assess``."""
    from aid.evaluate.assess import assess, load_table

    loaded = _load(args)
    table = load_table(args.data, args.role)
    result = assess(
        loaded,
        table,
        batch_size=args.batch_size,
        sorting_class=args.sorting_class,
        threshold=args.threshold,
        progress=_Progress("assessing", not args.json),
    )
    output = {**result.assessment.to_dict(), "provenance": result.provenance}
    if args.timing:
        output["timing"] = _timing(loaded, result.predictions.file_paths)
    if args.report:
        from aid.evaluate.report import write_report

        files = write_report(
            result.assessment,
            args.report,
            provenance=_short_provenance(result.provenance),
            data_files=[d["path"] for d in result.provenance["data"]],
            timing=output.get("timing"),
        )
        output["report"] = {"png": str(files.png), "pdf": str(files.pdf)}
    if args.json:
        print(json.dumps(output))
        return 0
    _print_summary(output)
    return 0


def _short_provenance(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "data"}


def _timing(loaded: Any, paths: list[str]) -> dict[str, Any]:
    """Single-image inference time on up to 100 events of the first file."""
    from aid.data.preprocess import normalize
    from aid.data.stream import iter_batches
    from aid.evaluate.timing import inference_time

    prep = loaded.meta.preprocessing
    sample = next(iter_batches(paths[:1], prep, 100, with_labels=False))
    return inference_time(loaded.model, normalize(sample.images, prep)).to_dict()


def _print_summary(output: dict[str, Any]) -> None:
    print(
        f"events: {output['events']}  accuracy: {output['accuracy']:.4f}  "
        f"AUC: {output['auc'] if output['auc'] is None else round(output['auc'], 4)}"
    )
    print(f"{'class':<20}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
    for name, row in output["per_class"].items():
        print(
            f"{name:<20}{row['precision']:>10.4f}{row['recall']:>10.4f}"
            f"{row['f1']:>10.4f}{row['support']:>10d}"
        )
    print("confusion matrix (rows: true, columns: predicted):")
    for name, row in zip(
        output["class_names"], output["confusion_matrix"], strict=True
    ):
        print(f"  {name:<18}" + "".join(f"{v:>8d}" for v in row))
    if "timing" in output:
        print(f"inference time per image: {output['timing']['mean_ms']:.3f} ms (mean)")
    if "report" in output:
        print(f"report: {output['report']['png']}, {output['report']['pdf']}")


def expand_inputs(inputs: list[str]) -> list[Path]:
    """``.rtdc`` files from files and folders (folders of images are imported first)."""
    paths: list[Path] = []
    for item in map(Path, inputs):
        if item.is_dir():
            from aid.data.folders import table_from_folder

            paths += [Path(e.path) for e in table_from_folder(item).entries]
        elif item.is_file():
            paths.append(item)
        else:
            raise AssessmentError(f"{item}: no such file or folder")
    return paths


def run_predict(args: argparse.Namespace) -> int:
    """Run ``aid predict``."""
    from aid.evaluate.predict import classify_files

    paths = expand_inputs(args.inputs)
    loaded = _load(args)
    result = classify_files(
        loaded,
        paths,
        args.out,
        rtdc_copy_dir=args.rtdc_copy,
        addon=args.addon,
        batch_size=args.batch_size,
        sorting_class=args.sorting_class,
        threshold=args.threshold,
        progress=_Progress("predicting", True),
    )
    print(f"{result.events} events -> {result.out}")
    for copy in result.rtdc_copies:
        print(f"  copy with userdef features: {copy}")
    return 0
