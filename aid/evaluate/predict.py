"""Apply a saved model to events streamed from files, in bounded memory.

Files are read, cropped and converted in a background thread while the model
predicts the previous batch, so HDF5 reading and inference overlap. Only the
scores (``K`` floats per event) are kept; images never accumulate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from aid.data.preprocess import normalize
from aid.data.table import DatasetEntry, DatasetTable
from aid.errors import AssessmentError
from aid.evaluate.background import prefetch

if TYPE_CHECKING:  # keras is loaded only when a model is
    from aid.data.sampling import Sample
    from aid.modelfile.io import LoadedModel

#: ``progress(events_done, events_total)``; ``events_total`` is 0 when unknown.
Progress = Callable[[int, int], None]
#: Returns ``True`` when the user asked to stop.
Cancel = Callable[[], bool]


class PredictionCancelled(AssessmentError):
    """The user stopped a prediction; nothing partial was written."""


@dataclass(frozen=True, eq=False)
class Predictions:
    """Scores of every streamed event.

    Parameters
    ----------
    scores
        ``(N, K)`` float32 class scores.
    labels
        ``(N,)`` int64 true classes, ``-1`` for unlabelled events.
    sources
        ``(N, 2)`` int64: index into ``file_paths`` and event index in that file.
    file_paths
        Path of each input file, in input order.
    """

    scores: np.ndarray
    labels: np.ndarray
    sources: np.ndarray
    file_paths: list[str] = field(default_factory=list)

    @property
    def predicted(self) -> np.ndarray:
        """Argmax class of each event."""
        return np.argmax(self.scores, axis=1).astype(np.int64)


def input_paths(
    table_or_entries: DatasetTable | Iterable[DatasetEntry | str | Path],
) -> list[Any]:
    """Entries (or paths) of a table or sequence, in order."""
    if isinstance(table_or_entries, DatasetTable):
        return list(table_or_entries.entries)
    return list(table_or_entries)


def _path_of(item: DatasetEntry | str | Path) -> str:
    return item.path if isinstance(item, DatasetEntry) else str(item)


def check_model_input(loaded: LoadedModel) -> None:
    """Raise :class:`AssessmentError` if model and stored preprocessing disagree."""
    expected = tuple(loaded.meta.preprocessing.input_shape)
    actual = tuple(int(d) for d in loaded.model.inputs[0].shape[1:])
    if actual != expected:
        raise AssessmentError(
            f"the model expects inputs {actual} but its metadata says {expected} "
            f"({loaded.path}); check the meta file"
        )
    outputs = int(loaded.model.outputs[0].shape[-1])
    if outputs != loaded.meta.num_classes:
        raise AssessmentError(
            f"the model has {outputs} outputs but its metadata names "
            f"{loaded.meta.num_classes} classes"
        )


def iter_scores(
    loaded: LoadedModel,
    items: Sequence[DatasetEntry | str | Path],
    *,
    batch_size: int = 1024,
    with_labels: bool = True,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Iterator[tuple[np.ndarray, Sample]]:
    """Yield ``(scores, sample)`` per streamed batch of ``items``.

    ``scores`` are float32 ``(n, K)``; ``sample`` is the batch they belong to
    (cropped images, labels, ``(row, event)`` sources). The next batch is read
    in a background thread meanwhile.

    Raises
    ------
    PredictionCancelled
        When ``cancel()`` returns ``True`` between batches.
    """
    from aid.data.stream import iter_batches

    if batch_size < 1:
        raise AssessmentError(f"batch size must be >= 1, got {batch_size}")
    check_model_input(loaded)
    prep = loaded.meta.preprocessing
    model = loaded.model
    total = _events_total(items)
    done = 0
    batches = iter_batches(items, prep, batch_size, with_labels=with_labels)
    for sample in prefetch(batches):
        if cancel is not None and cancel():
            raise PredictionCancelled("prediction stopped by the user")
        scores = np.asarray(model.predict_on_batch(normalize(sample.images, prep)))
        done += len(scores)
        if progress is not None:
            progress(done, total)
        yield scores.astype(np.float32, copy=False), sample


def predict_table(
    loaded: LoadedModel,
    table_or_entries: DatasetTable | Iterable[DatasetEntry | str | Path],
    *,
    batch_size: int = 1024,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Predictions:
    """Scores of every event of a dataset table (or of entries or file paths).

    Parameters
    ----------
    loaded
        A :class:`aid.modelfile.io.LoadedModel` (model + metadata).
    table_or_entries
        A :class:`DatasetTable`, or entries or ``.rtdc`` paths (unlabelled).
    batch_size
        Events per model call.
    progress, cancel
        Optional callbacks: events done/total, and a stop request.
    """
    items = input_paths(table_or_entries)
    if not items:
        raise AssessmentError("no files to predict")
    labelled = all(isinstance(i, DatasetEntry) for i in items)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for scores, sample in iter_scores(
        loaded,
        items,
        batch_size=batch_size,
        with_labels=labelled,
        progress=progress,
        cancel=cancel,
    ):
        labels = sample.labels if labelled else np.full(len(scores), -1, np.int64)
        parts.append(
            (scores, np.asarray(labels, np.int64), np.asarray(sample.sources, np.int64))
        )
    k = loaded.meta.num_classes
    return Predictions(
        scores=np.concatenate([p[0] for p in parts])
        if parts
        else np.empty((0, k), np.float32),
        labels=np.concatenate([p[1] for p in parts])
        if parts
        else np.empty(0, np.int64),
        sources=np.concatenate([p[2] for p in parts])
        if parts
        else np.empty((0, 2), np.int64),
        file_paths=[_path_of(i) for i in items],
    )


def _events_total(items: Sequence[DatasetEntry | str | Path]) -> int:
    """Total events of the inputs, for progress (0 when unknown)."""
    from aid.data.rtdc import rtdc_info

    total = 0
    for item in items:
        if isinstance(item, DatasetEntry) and item.events_total > 0:
            total += item.events_total
        elif str(_path_of(item)).lower().endswith(".rtdc"):
            total += rtdc_info(_path_of(item)).events
        else:
            return 0
    return total


@dataclass(frozen=True)
class ClassifyResult:
    """What :func:`classify_files` wrote."""

    out: Path
    events: int
    rtdc_copies: tuple[Path, ...] = ()


def classify_files(
    loaded: LoadedModel,
    paths: Sequence[str | Path],
    out: str | Path,
    *,
    rtdc_copy_dir: str | Path | None = None,
    addon: str = "aid",
    batch_size: int = 1024,
    sorting_class: int = 0,
    threshold: float | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ClassifyResult:
    """Classify every event of unlabelled files; write scores and classes.

    Parameters
    ----------
    loaded
        A :class:`aid.modelfile.io.LoadedModel`.
    paths
        Input files (``.rtdc``) to classify, in order.
    out
        ``.csv`` or ``.xlsx`` output with one row per event (file, event index,
        predicted class and name, one score per class), written incrementally.
    rtdc_copy_dir
        If given, also write ``<stem>_<addon>.rtdc`` copies there with
        ``userdef0`` = predicted class and ``userdef1..`` = class scores.
    addon
        Name part of the copies (``_1``, ``_2`` ... are added if taken).
    sorting_class, threshold
        Optional AIDeveloper sorting threshold (``None``: argmax).
    progress, cancel
        Optional callbacks as in :func:`predict_table`.
    """
    from aid.evaluate.outputs import PredictionWriter, RtdcCopies
    from aid.evaluate.threshold import thresholded_prediction

    items = [Path(p) for p in paths]
    missing = [str(p) for p in items if not p.exists()]
    if not items or missing:
        raise AssessmentError(
            f"input files not found: {', '.join(missing) or '(none given)'}"
        )
    info = {
        "model": str(loaded.path),
        "files": ", ".join(map(str, items)),
        "sorting class": sorting_class,
        "threshold": threshold,
    }
    copies = RtdcCopies(rtdc_copy_dir, items, addon)
    batches = iter_scores(
        loaded,
        items,
        batch_size=batch_size,
        with_labels=False,
        progress=progress,
        cancel=cancel,
    )
    try:
        with PredictionWriter(out, loaded.meta.class_names, info) as writer:
            for scores, sample in batches:
                predicted = thresholded_prediction(scores, sorting_class, threshold)
                rows, events = np.asarray(sample.sources).T
                for row in np.unique(rows):
                    here = rows == row
                    writer.append(
                        str(items[row]), events[here], predicted[here], scores[here]
                    )
                    copies.add(int(row), predicted[here], scores[here])
            copies.finish()
    except BaseException:
        copies.discard()  # all or nothing: no copies from an unfinished run
        raise
    return ClassifyResult(
        out=writer.path, events=writer.rows, rtdc_copies=tuple(copies.written)
    )
