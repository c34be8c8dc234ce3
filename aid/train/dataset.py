"""The Keras dataset serving one AID epoch's augmented sample.

A new :class:`EpochDataset` is made for every AID epoch, after the live
parameters were applied and the sample drawn, and used by a single ``fit`` call,
so no prefetching can cross an epoch boundary. The images come from a
:class:`~aid.train.lazy_sample.LazyStage`: a batch's augmentation runs when the
batch is requested, on the loader's worker threads, while the model trains on
earlier batches. Images stay uint8 until then; normalisation happens per batch,
which keeps the memory of a large sample at one byte per pixel. Every batch
re-asserts :func:`~aid.train.allocator.keep_freed_memory`, which stops the
loader's arrays from coming fresh (page-faulted) from the system each time.
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np

from aid.data.preprocess import Preprocessing, normalize
from aid.data.table import DatasetTable
from aid.train.allocator import keep_freed_memory
from aid.train.lazy_sample import RowSource


def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Float32 one-hot matrix of integer ``labels``."""
    out = np.zeros((len(labels), num_classes), dtype=np.float32)
    out[np.arange(len(labels)), np.asarray(labels, dtype=np.int64)] = 1.0
    return out


class EpochDataset(keras.utils.PyDataset):
    """Shuffled batches of one epoch's sample: ``(x, y)`` or ``(x, y, weight)``.

    Parameters
    ----------
    images
        Source of ``(S, S, C)`` images at the model's input size, in random order.
        The first Keras epoch reads them in order (batch ``b`` is chunk ``b`` of a
        lazy stage, so batches are augmented as they are needed); later Keras
        epochs read them in a fresh random order.
    labels
        ``(N,)`` integer class labels; only the first N images are used.
    num_classes
        Number of model outputs.
    prep
        Normalisation applied per batch.
    batch_size
        Images per batch (the last batch may be smaller).
    rng
        Generator for the batch order (re-shuffled between Keras epochs).
    class_weights
        Optional weight per class; yields per-sample weights when given.
    workers
        Loader threads preparing batches ahead of training.
    """

    def __init__(
        self,
        images: RowSource,
        labels: np.ndarray,
        num_classes: int,
        prep: Preprocessing,
        batch_size: int,
        rng: np.random.Generator,
        class_weights: np.ndarray | None = None,
        workers: int = 1,
    ) -> None:
        super().__init__(workers=max(1, workers), use_multiprocessing=False)
        self.images = images
        self.labels = np.asarray(labels, dtype=np.int64)
        self.num_classes = num_classes
        self.prep = prep
        self.batch_size = batch_size
        self.class_weights = class_weights
        self._rng = rng
        self._order: np.ndarray | None = None  # in order during the first epoch
        self._epochs_begun = 0

    def __len__(self) -> int:
        return max(1, math.ceil(len(self.labels) / self.batch_size))

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        keep_freed_memory()  # TensorFlow's loader resets it; see aid.train.allocator
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        rows = part if self._order is None else self._order[part]
        x = normalize(self.images.take(rows), self.prep)
        y = one_hot(self.labels[rows], self.num_classes)
        if self.class_weights is None:
            return x, y
        return x, y, self.class_weights[self.labels[rows]].astype(np.float32)

    def on_epoch_begin(self) -> None:
        """Count the Keras epochs begun."""
        self._epochs_begun += 1

    def on_epoch_end(self) -> None:
        """After a Keras epoch, draw a random order for the next one.

        Keras also calls this before the first epoch, which must read the rows in
        order. (Keras starts the loader threads of an epoch before calling
        ``on_epoch_begin``, so the order is set here, when they are stopped.)
        """
        if self._epochs_begun:
            self._order = self._rng.permutation(len(self.labels))


def balanced_class_weights(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """AIDeveloper's balanced weights ``max_k(n_k) / n_c`` (1 for absent classes)."""
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=num_classes)
    weights = np.ones(num_classes, dtype=np.float64)
    present = counts > 0
    weights[present] = counts.max() / counts[present]
    return weights


def event_counts(
    table: DatasetTable, events_per_epoch: int | None
) -> dict[int, int] | None:
    """Per-row override of events per epoch for every used training file (or None)."""
    if events_per_epoch is None:
        return None
    return {
        row: events_per_epoch
        for row, entry in enumerate(table.entries)
        if entry.role == "train" and entry.events_per_epoch > 0
    }


def steps_per_epoch(
    table: DatasetTable, events_per_epoch: int | None, batch_size: int
) -> int:
    """Batches per AID epoch for a table (with an optional per-file override)."""
    counts = event_counts(table, events_per_epoch) or {}
    total = sum(
        counts.get(row, entry.events_per_epoch)
        for row, entry in enumerate(table.entries)
        if entry.role == "train" and entry.events_per_epoch > 0
    )
    return max(1, math.ceil(total / batch_size))
