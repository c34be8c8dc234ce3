"""An epoch's augmented sample, computed batch by batch while the model trains.

Augmenting a whole sample before ``fit`` leaves the accelerator idle meanwhile.
Here each stage (affine warp, then intensity operations) is a :class:`LazyStage`:
its rows are computed in fixed chunks the first time a batch asks for them, on
the data loader's worker threads, so augmentation of later batches overlaps the
training of earlier ones. Each chunk draws from its own generator derived from
the stage's seed and the chunk's index, so the result does not depend on which
thread computes it or in which order: a seed still gives the same images.

The stages of a training run are built by :mod:`aid.train.epoch_augment`.
Given worker processes (:class:`~aid.augment.workers.AugmentProcesses`), a stage
keeps its rows in shared memory and the loader threads hand each chunk to a
process (they only wait for it), so augmentation is not held up by the
interpreter lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

import numpy as np

from aid.augment.shared import SharedHandle, SharedPool
from aid.augment.workers import AugmentProcesses, ChunkJob

#: Chunks a waiting loader thread may look ahead for one to compute meanwhile.
READ_AHEAD = 4

#: ``fn(images, rng, out) -> images``: one chunk's augmentation. It may write its
#: result into ``out`` (the stage's rows for the chunk) and return it, saving a copy.
ChunkFn = Callable[[np.ndarray, np.random.Generator, np.ndarray], np.ndarray]


class RowSource(Protocol):
    """Anything a stage can read rows from (an array or another stage)."""

    def __len__(self) -> int: ...

    def take(self, rows: np.ndarray | slice) -> np.ndarray:
        """Return the given rows (never to be written to)."""
        ...

    @property
    def shared(self) -> SharedHandle | None:
        """Where worker processes find the rows (None: not in shared memory)."""
        ...

    def ensure(self, rows: np.ndarray | slice) -> None:
        """Make sure the given rows are there to be read (computing them)."""
        ...


class ArraySource:
    """An in-memory array as a :class:`RowSource`.

    With a ``pool``, it keeps a copy in shared memory (from the pool), for worker
    processes; :meth:`release` gives that back.
    """

    def __init__(self, images: np.ndarray, *, pool: SharedPool | None = None) -> None:
        self._pool = pool
        self._shared = None
        self.images = images
        if pool is not None:
            self._shared = pool.get(images.shape, images.dtype)
            self._shared.array[...] = images
            self.images = self._shared.array

    def __len__(self) -> int:
        return len(self.images)

    @property
    def dtype(self) -> np.dtype:
        """Pixel type of the rows."""
        return self.images.dtype

    def take(self, rows: np.ndarray | slice) -> np.ndarray:
        """Return the given rows (a view for a slice)."""
        return self.images[rows]

    @property
    def shared(self) -> SharedHandle | None:
        """The shared copy's handle, or None."""
        return None if self._shared is None else self._shared.handle

    def ensure(self, rows: np.ndarray | slice) -> None:
        """Nothing to compute: the rows are there."""

    def release(self) -> None:
        """Give the shared copy back to its pool (reused once nothing uses it)."""
        if self._shared is not None and self._pool is not None:
            self._pool.put(self._shared)
            self._shared = None


class LazyStage:
    """Rows of ``fn`` applied to ``source``, computed chunk by chunk on first use.

    Parameters
    ----------
    source
        Where the input rows come from.
    fn
        ``fn(images, rng, out)``: the augmentation of one chunk (see ``ChunkFn``).
    shape
        Shape of one output image ``(H, W, C)``.
    dtype
        Output dtype.
    seed
        Seed of the stage; chunk ``c`` uses ``SeedSequence(seed, spawn_key=(c,))``.
    chunk
        Rows per chunk (whole batches: :func:`aid.train.epoch_augment.stage_chunk`).
    order
        Stage row ``i`` reads source row ``order[i]``; default the same row.
    processes
        Worker processes for the chunks; ``fn`` must then be picklable (e.g. a
        :class:`~aid.augment.pipeline.ChunkSpec`). The rows are then a shared
        array from the processes' pool (:meth:`release` gives it back). Chunks
        whose source is not in shared memory are still computed in the asking
        thread.

    Notes
    -----
    :meth:`take` may be called from several threads at once: a chunk is
    computed exactly once (others asking for it wait) and chunks run in parallel.
    """

    def __init__(
        self,
        source: RowSource,
        fn: ChunkFn,
        *,
        shape: tuple[int, ...],
        dtype: np.dtype,
        seed: int | list[int],
        chunk: int,
        order: np.ndarray | None = None,
        processes: AugmentProcesses | None = None,
    ) -> None:
        if order is not None and len(order) != len(source):
            raise ValueError("order must have one entry per source row")
        self._source: RowSource | None = source
        self._fn = fn
        self._seed = seed
        self._chunk = max(1, int(chunk))
        self._order = order
        self._length = len(source)
        self._processes = processes
        self._pool = None if processes is None else processes.pool
        self._shared = None
        if self._pool is not None:
            self._shared = self._pool.get((self._length, *shape), dtype)
            self._out = self._shared.array
        else:
            self._out = np.empty((self._length, *shape), dtype=dtype)
        chunks = -(-self._length // self._chunk)
        self._done = np.zeros(chunks, dtype=bool)
        self._locks = [threading.Lock() for _ in range(chunks)]
        self._remaining = chunks
        self._count_lock = threading.Lock()

    def __len__(self) -> int:
        return self._length

    @property
    def row_shape(self) -> tuple[int, ...]:
        """Shape of one output image."""
        return self._out.shape[1:]

    @property
    def dtype(self) -> np.dtype:
        """Dtype of the output images."""
        return self._out.dtype

    @property
    def shared(self) -> SharedHandle | None:
        """Where worker processes find the rows (None: not in shared memory)."""
        return None if self._shared is None else self._shared.handle

    def release(self) -> None:
        """Give the shared rows back to their pool, once no chunk is being computed.

        The stage stays readable: the pool hands the rows out again only when
        nothing refers to them any more, this stage and views of them included.
        """
        for lock in self._locks:  # no chunk is being computed after this
            with lock:
                pass
        if isinstance(self._source, ArraySource):
            self._source.release()  # made for this stage alone
        if self._shared is not None and self._pool is not None:
            self._pool.put(self._shared)
            self._shared = None

    def ensure(self, rows: np.ndarray | slice) -> None:
        """Compute the chunks holding ``rows`` (without copying them out)."""
        for index in self._chunks_of(rows):
            self._ensure(index)

    @property
    def chunks_done(self) -> np.ndarray:
        """Which chunks have been computed (a copy)."""
        return self._done.copy()

    @property
    def complete(self) -> bool:
        """Whether every chunk has been computed."""
        return bool(self._done.all())

    def take(self, rows: np.ndarray | slice) -> np.ndarray:
        """Output rows (a view for a slice), computing their chunks first."""
        self.ensure(rows)
        return self._out[rows]

    def _chunks_of(self, rows: np.ndarray | slice) -> list[int] | range:
        """Return the indices of the chunks holding ``rows``."""
        if isinstance(rows, slice):
            start, stop, _ = rows.indices(self._length)
            return range(start // self._chunk, -(-stop // self._chunk))
        return np.unique(np.asarray(rows) // self._chunk).tolist()

    def compute_all(self) -> np.ndarray:
        """Every output row (computing what is missing); the stage's own array."""
        for index in range(len(self._done)):
            self._ensure(index)
        return self._out

    def _ensure(self, index: int) -> None:
        """Make sure chunk ``index`` is computed.

        A thread finding the chunk in another thread's hands computes a later
        free chunk meanwhile (so several loader threads asking for the batches of
        one chunk keep every core busy), then waits.
        """
        if self._done[index]:
            return
        lock = self._locks[index]
        if not lock.acquire(blocking=False):
            self._compute_one_ahead(index)
            lock.acquire()
        try:
            if not self._done[index]:
                self._compute(index)
        finally:
            lock.release()

    def _compute_one_ahead(self, index: int) -> None:
        """Compute the first free chunk after ``index`` (within READ_AHEAD), if any."""
        for later in range(index + 1, min(index + 1 + READ_AHEAD, len(self._done))):
            if self._done[later] or not self._locks[later].acquire(blocking=False):
                continue
            try:
                if not self._done[later]:
                    self._compute(later)
            finally:
                self._locks[later].release()
            return

    def _compute(self, index: int) -> None:
        """Compute chunk ``index`` (its lock held)."""
        part = slice(index * self._chunk, (index + 1) * self._chunk)
        source = self._source
        assert source is not None  # released only once every chunk is done
        rows = part if self._order is None else self._order[part]
        seed = np.random.SeedSequence(self._seed, spawn_key=(index,))
        if self._shared is not None and source.shared is not None:
            source.ensure(rows)  # in shared memory, where the worker reads them
            job = ChunkJob(
                self._fn, source.shared, rows, self._shared.handle, part, seed
            )
            self._processes.run(job)  # type: ignore[union-attr]
        else:
            target = self._out[part]
            rng = np.random.Generator(np.random.PCG64(seed))
            result = self._fn(source.take(rows), rng, target)
            if result is not target:
                target[...] = result
        self._done[index] = True
        with self._count_lock:
            self._remaining -= 1
            if self._remaining == 0:
                if isinstance(self._source, ArraySource):
                    self._source.release()  # made for this stage alone
                self._source = None  # the input is no longer needed
