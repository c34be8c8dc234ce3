"""A training run's augmented epoch samples, prepared while the model trains.

Every AID epoch gets a fresh intensity stage; a fresh sample and its affine stage
come every ``affine_refresh_epochs`` epochs (AIDeveloper's reuse of the affine
result). Both are lazy stages (:class:`~aid.train.lazy_sample.LazyStage`): nothing is
computed when the epoch starts; the loader threads compute each batch's chunk as
``fit`` asks for it, so augmentation overlaps training. A fresh sample is put in
random order, so the first pass can read it chunk after chunk and still serve
random batches. With worker processes (:func:`loader_processes`) the stages live
in shared memory and the chunks are computed in those processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from aid.augment import ops
from aid.augment.config import AugmentConfig
from aid.augment.pipeline import ChunkSpec, chunk_size
from aid.augment.shared import has_room
from aid.augment.workers import AugmentProcesses
from aid.data.sampling import Sample
from aid.train.lazy_sample import ArraySource, LazyStage


def loader_threads() -> int:
    """Threads that prepare (augment, normalise) batches while the model trains.

    Half the CPU cores, at least 2 and at most 8; ``AID_LOADER_THREADS`` overrides.
    """
    override = os.environ.get("AID_LOADER_THREADS", "").strip()
    if override.isdigit() and int(override) > 0:
        return int(override)
    return max(2, min(8, (os.cpu_count() or 1) // 2))


def loader_processes() -> int:
    """Worker processes that augment for the loader threads (0: the threads do).

    Processes escape the interpreter lock that threads wait for around every
    short OpenCV call, and run at lower priority than training
    (:data:`aid.augment.workers.WORKER_NICENESS`), so they fill the time the
    model's threads leave instead of slowing its steps; each costs about 50 MB
    of resident memory and 0.2-0.5 s to start (it imports NumPy and OpenCV only).
    LeNet5 on 2 cores (``bench/augment_overlap.py``, six runs), augmentation's
    share of the epoch in threads / processes: 32x32 RGB 18.1-21.0 % / 12.6-16.6 %,
    gray 8.4-13.4 % / 8.2-12.8 %; with TensorFlow on one core, as when an
    accelerator trains (two runs): RGB 8.7-11.5 % / 7.1-9.3 %, gray 6.9-9.5 % /
    6.2-7.1 %.
    So from 2 CPU cores on, as many processes as there are loader threads;
    ``AID_LOADER_PROCESSES`` overrides (0 for threads).
    """
    override = os.environ.get("AID_LOADER_PROCESSES", "").strip()
    if override.isdigit():
        return int(override)
    return loader_threads() if (os.cpu_count() or 1) >= 2 else 0


def stage_chunk(n_rows: int, row_values: int, batch_size: int) -> int:
    """Rows per chunk: the augmenter's efficient chunk size, in whole batches.

    Much smaller chunks cost more per image (OpenCV calls per kernel size and
    per chunk), and a chunk of whole batches never makes a batch wait for two.
    """
    rows = chunk_size(n_rows, row_values)
    return batch_size * max(1, round(rows / batch_size))


def affine_stage(
    images: np.ndarray,
    labels: np.ndarray,
    config: AugmentConfig,
    out_size: int | tuple[int, int],
    *,
    seed: int | list[int],
    batch_size: int,
    rng: np.random.Generator,
    processes: AugmentProcesses | None = None,
) -> tuple[LazyStage, np.ndarray]:
    """Put a fresh sample in random order as an affine stage; return it and labels.

    ``config`` is fixed for the stage's life (an affine change applies at the next
    refresh); ``rng`` draws the order. With ``processes`` (and room in shared
    memory for the sample and both stages) the chunks are computed there.

    Raises
    ------
    PreprocessError
        If the images are not a uint8/uint16 batch or are smaller than
        ``out_size`` (here, not later on a loader thread).
    """
    ops.check_images(images)
    ops.crop_offset(images.shape[1], images.shape[2], out_size)
    order = rng.permutation(len(images))
    shape = (*ops.out_hw(out_size), images.shape[-1])
    out_bytes = len(images) * int(np.prod(shape)) * images.itemsize
    if processes is not None and not has_room(images.nbytes + 2 * out_bytes):
        processes = None  # e.g. a container's small /dev/shm: threads do it
    source = ArraySource(images, pool=None if processes is None else processes.pool)
    spec = ChunkSpec("affine", config, out_size)
    stage = _stage(source, spec, shape, seed, batch_size, order, processes)
    return stage, np.asarray(labels)[order]


def intensity_stage(
    warped: LazyStage,
    config: AugmentConfig,
    *,
    seed: int | list[int],
    batch_size: int,
    order: np.ndarray | None = None,
    processes: AugmentProcesses | None = None,
) -> LazyStage:
    """Stage of intensity augmentation of ``warped`` (rows reordered by ``order``).

    ``processes`` compute it when ``warped`` is in shared memory.
    """
    if warped.shared is None:
        processes = None
    spec = ChunkSpec("intensity", config)
    return _stage(warped, spec, warped.row_shape, seed, batch_size, order, processes)


def _stage(
    source: ArraySource | LazyStage,
    spec: ChunkSpec,
    shape: tuple[int, ...],
    seed: int | list[int],
    batch_size: int,
    order: np.ndarray | None,
    processes: AugmentProcesses | None,
) -> LazyStage:
    """Make a lazy stage applying ``spec`` to ``source`` in chunks of whole batches."""
    return LazyStage(
        source,
        spec,
        shape=shape,
        dtype=source.dtype,
        seed=seed,
        chunk=stage_chunk(len(source), int(np.prod(shape)), batch_size),
        order=order,
        processes=processes,
    )


class RunAugmentation:
    """The augmented samples of one run, epoch by epoch (the affine one is kept).

    ``processes``: worker processes to start at the first epoch (0: the loader
    threads augment); :meth:`close` stops them.
    """

    def __init__(self, processes: int = 0) -> None:
        self._affine: tuple[LazyStage, np.ndarray] | None = None
        self._last: LazyStage | None = None  # the previous epoch's stage
        self._process_count = processes
        self._processes: AugmentProcesses | None = None

    @property
    def loader_threads(self) -> int:
        """Threads the loader should take batches with.

        With worker processes, two threads per process: a thread mostly waits
        (for the affine chunk, then the intensity chunk), and with one per
        process the processes sat idle a third of the time (80x250: 17,400
        images/s with two threads, 20,600 with four).
        """
        return 2 * self._process_count if self._process_count else loader_threads()

    def epoch_sample(
        self,
        epoch: int,
        augment: AugmentConfig,
        out_size: int,
        *,
        run_seed: int,
        batch_size: int,
        draw: Callable[[], Sample],
    ) -> tuple[LazyStage, np.ndarray]:
        """Epoch ``epoch``'s stage of augmented images (in random order) and labels.

        ``draw`` draws a fresh training sample; it is called when the affine
        result is due for a refresh (or there is none yet). The previous epoch's
        stage is done with: its shared rows (with processes) are given back.
        """
        if self._process_count and self._processes is None:
            self._processes = AugmentProcesses(self._process_count)
        if self._last is not None:
            self._last.release()
            self._last = None
        seed = int(np.random.SeedSequence([run_seed, epoch]).generate_state(1)[0])
        order_rng = np.random.default_rng([run_seed, epoch, 3])
        order = None  # a fresh sample is already in random order
        if self._affine is None or augment.affine_due(epoch):
            if self._affine is not None:
                self._affine[0].release()
            sample = draw()
            self._affine = affine_stage(
                sample.images,
                sample.labels,
                augment,
                out_size,
                seed=[seed, 0],
                batch_size=batch_size,
                rng=order_rng,
                processes=self._processes,
            )
        else:  # new batches from the reused affine sample
            order = order_rng.permutation(len(self._affine[1]))
        warped, labels = self._affine
        stage = intensity_stage(
            warped,
            augment,
            seed=[seed, 1],
            batch_size=batch_size,
            order=order,
            processes=self._processes,
        )
        self._last = stage
        return stage, labels if order is None else labels[order]

    def close(self) -> None:
        """Drop the kept affine stage (and the sample it holds); stop the processes."""
        for stage in (self._last, self._affine[0] if self._affine else None):
            if stage is not None:
                stage.release()
        self._affine = self._last = None
        if self._processes is not None:
            self._processes.close()
            self._processes = None
