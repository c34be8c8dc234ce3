"""Iterate over datasets of any size in batches, straight from HDF5.

Memory stays bounded by one batch: each batch is one contiguous (or sorted)
read, colour-converted and cropped at the model input size. Used by assessment
and prediction, and by :func:`~aid.data.sampling.training_stats`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from aid.data.preprocess import Preprocessing
from aid.data.rtdc import open_rtdc
from aid.data.sampling import Sample, entry_indices, read_crops
from aid.data.table import DatasetEntry
from aid.errors import DatasetError


def _batches(indices: np.ndarray, batch_size: int) -> Iterator[np.ndarray | slice]:
    """Index chunks; a slice where the chunk is a run of consecutive events."""
    for start in range(0, len(indices), batch_size):
        chunk = indices[start : start + batch_size]
        first, last = int(chunk[0]), int(chunk[-1])
        if last - first + 1 == len(chunk) and np.all(np.diff(chunk) == 1):
            yield slice(first, last + 1)
        else:
            yield chunk


def iter_batches(
    entries_or_paths: Sequence[DatasetEntry | str | Path],
    prep: Preprocessing,
    batch_size: int = 1024,
    *,
    with_labels: bool = True,
    crop_size: int | None = None,
) -> Iterator[Sample]:
    """Yield :class:`~aid.data.sampling.Sample` batches of every usable event.

    Parameters
    ----------
    entries_or_paths
        Dataset entries (their subset and zoom honoured) or ``.rtdc`` paths
        (all events, zoom 1). Batches never span two files.
    prep
        Colour mode, padding and zoom interpolation; the crop size is
        ``prep.input_size`` unless ``crop_size`` is given.
    batch_size
        Events per batch (the last batch of a file may be smaller).
    with_labels
        Labels are the entries' class indices; with ``False`` (or for plain
        paths) they are -1.

    Raises
    ------
    DatasetError
        ``with_labels`` for plain paths, or a batch size < 1.
    RtdcFormatError
        A file without images or events.
    """
    if batch_size < 1:
        raise DatasetError(f"batch size must be >= 1, got {batch_size}")
    size = crop_size or prep.input_size
    for row, item in enumerate(entries_or_paths):
        entry = item if isinstance(item, DatasetEntry) else None
        if entry is None and with_labels:
            raise DatasetError(
                f"{item}: plain paths have no labels; use with_labels=False"
            )
        label = entry.class_index if entry is not None and with_labels else -1
        with open_rtdc(entry.path if entry is not None else item) as rtdc:
            indices = (
                entry_indices(entry) if entry is not None else np.arange(rtdc.n_events)
            )
            zoom = entry.zoom if entry is not None else 1.0
            for chunk in _batches(indices, batch_size):
                events = (
                    np.arange(chunk.start, chunk.stop)
                    if isinstance(chunk, slice)
                    else chunk
                )
                images = read_crops(rtdc, chunk, prep, size, zoom)
                sources = np.stack([np.full(len(events), row), events], axis=1).astype(
                    np.int64
                )
                yield Sample(
                    images, np.full(len(events), label, dtype=np.int64), sources
                )
