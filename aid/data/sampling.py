"""Per-epoch training samples and the fixed validation set (AIDeveloper epochs).

An epoch is one pass over a freshly drawn sample: every training file gives
``events_per_epoch`` random events (without replacement while the file has
enough events, with replacement beyond that; every event when ``shuffle`` is
off), so per-file counts set the class balance. Training images are cut
oversized (:func:`~aid.data.preprocess.oversize`) to leave room for rotation;
validation images are cut at the input size and drawn once.

Everything returned here is uint8 and neither augmented nor normalised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from aid.data.preprocess import (
    MIN_STD,
    Preprocessing,
    convert_color,
    crop_batch,
    oversize,
    to_uint8,
)
from aid.data.rtdc import RtdcFile, open_rtdc
from aid.data.table import DatasetEntry, DatasetTable, EventSubset
from aid.errors import DatasetError


@dataclass(frozen=True)
class Sample:
    """Images with their labels and origin.

    Attributes
    ----------
    images
        ``(n, S, S, C)`` uint8.
    labels
        ``(n,)`` int64 class indices (-1 where unknown).
    sources
        ``(n, 2)`` int64: row of the entry (in the table or the list given),
        event index in the file.
    """

    images: np.ndarray
    labels: np.ndarray
    sources: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


def entry_indices(entry: DatasetEntry) -> np.ndarray:
    """Sorted event indices ``entry`` may use (its subset, else every event)."""
    if entry.subset:
        return EventSubset.parse(entry.subset).indices()
    if entry.events_total > 0:
        return np.arange(entry.events_total)
    with open_rtdc(entry.path) as rtdc:
        return np.arange(rtdc.n_events)


def read_crops(
    rtdc: RtdcFile,
    indices: np.ndarray | slice,
    prep: Preprocessing,
    crop_size: int,
    zoom: float = 1.0,
) -> np.ndarray:
    """Events of an open file, colour converted and cropped: uint8 ``(n,S,S,C)``.

    The order is AIDeveloper's: channels, centre (``pos`` / pixel size), zoom, crop.
    """
    images = convert_color(to_uint8(rtdc.images(indices)), prep.color_mode)
    return crop_batch(
        images,
        rtdc.centers_px(indices),
        crop_size,
        prep.padding,
        zoom,
        prep.zoom_interpolation,
    )


def load_entry_events(
    entry: DatasetEntry, indices: np.ndarray, prep: Preprocessing, crop_size: int
) -> np.ndarray:
    """Read, colour-convert, zoom and crop the given events of one entry."""
    with open_rtdc(entry.path) as rtdc:
        return read_crops(
            rtdc, np.asarray(indices, dtype=np.int64), prep, crop_size, entry.zoom
        )


def _choose(
    pool: np.ndarray, count: int, shuffle: bool, rng: np.random.Generator
) -> np.ndarray:
    if not shuffle:
        return pool
    return rng.choice(pool, size=count, replace=count > len(pool))


def _assemble(
    table: DatasetTable,
    picks: list[tuple[int, np.ndarray]],
    prep: Preprocessing,
    crop_size: int,
) -> Sample:
    images, labels, sources = [], [], []
    for row, indices in picks:
        entry = table.entries[row]
        images.append(load_entry_events(entry, indices, prep, crop_size))
        labels.append(np.full(len(indices), entry.class_index, dtype=np.int64))
        sources.append(
            np.stack([np.full(len(indices), row), indices], axis=1).astype(np.int64)
        )
    if not images:
        empty = np.empty((0, crop_size, crop_size, prep.channels), dtype=np.uint8)
        return Sample(empty, np.empty(0, np.int64), np.empty((0, 2), np.int64))
    return Sample(
        np.concatenate(images), np.concatenate(labels), np.concatenate(sources)
    )


def draw_training_sample(
    table: DatasetTable,
    prep: Preprocessing,
    rng: np.random.Generator,
    *,
    crop_size: int | None = None,
    events_per_epoch: Mapping[int, int] | None = None,
) -> Sample:
    """Draw one epoch's training sample.

    Parameters
    ----------
    table
        Dataset table; its ``"train"`` entries with events per epoch > 0 are used.
    prep
        Colour mode, padding and zoom interpolation.
    rng
        Random generator (the caller's seed makes runs reproducible).
    crop_size
        Side of the cut; default ``oversize(prep.input_size)``.
    events_per_epoch
        Overrides ``{row: count}`` (live changes without editing the table).

    Raises
    ------
    DatasetError
        If no training file contributes events.
    """
    overrides = events_per_epoch or {}
    picks = []
    for row, entry in enumerate(table.entries):
        count = overrides.get(row, entry.events_per_epoch)
        if entry.role == "train" and count > 0:
            picks.append(
                (row, _choose(entry_indices(entry), count, entry.shuffle, rng))
            )
    if not picks:
        raise DatasetError(
            "no training events: mark files as train with events per epoch > 0"
        )
    return _assemble(table, picks, prep, crop_size or oversize(prep.input_size))


def validation_sample(
    table: DatasetTable, prep: Preprocessing, *, seed: int = 0
) -> Sample:
    """Return the fixed validation set, cut at the input size.

    Each ``"valid"`` entry gives ``min(events_per_epoch, available)`` events
    drawn without replacement with ``seed`` (every event if ``shuffle`` is off),
    in file order. The same table and seed always give the same sample.
    """
    rng = np.random.default_rng(seed)
    picks = []
    for row, entry in enumerate(table.entries):
        if entry.role == "valid" and entry.events_per_epoch > 0:
            pool = entry_indices(entry)
            count = min(entry.events_per_epoch, len(pool))
            picks.append((row, np.sort(_choose(pool, count, entry.shuffle, rng))))
    if not picks:
        raise DatasetError(
            "no validation events: mark files as validation or use a split"
        )
    return _assemble(table, picks, prep, prep.input_size)


def training_stats(table: DatasetTable, prep: Preprocessing) -> tuple[float, float]:
    """Pooled pixel mean and std of all unaugmented training crops (input size).

    Streams every usable event of the training entries, so memory stays small.
    """
    from aid.data.stream import iter_batches  # stream builds on this module

    train = [e for e in table.entries if e.role == "train" and e.events_per_epoch > 0]
    if not train:
        raise DatasetError("no training files to compute the mean and std from")
    total = total_sq = 0.0
    count = 0
    for batch in iter_batches(train, prep, with_labels=False):
        pixels = batch.images.astype(np.float64)
        total += float(pixels.sum())
        total_sq += float(np.square(pixels).sum())
        count += pixels.size
    mean = total / count
    std = float(np.sqrt(max(total_sq / count - mean * mean, 0.0)))
    return mean, max(std, MIN_STD)
