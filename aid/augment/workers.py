"""Augmentation chunks computed in worker processes, over shared memory.

Threads augmenting at once lose most of a second core to the interpreter lock
(:mod:`aid.augment.shared`); processes do not. :class:`AugmentProcesses` is a pool
of spawned worker processes (each runs OpenCV single-threaded); a
:class:`ChunkJob` names the shared source rows, the shared target rows, what to
do (a picklable :class:`~aid.augment.pipeline.ChunkSpec`) and the chunk's seed,
so a chunk gives the same images in a worker process as in a thread. Workers
import only NumPy, OpenCV and :mod:`aid.augment` (never TensorFlow).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np

from aid.augment.shared import SharedHandle, SharedPool, attached

#: How far worker processes lower their scheduling priority (Unix niceness).
#: Training's own threads then take a core whenever they are ready to run, and
#: augmentation fills the time they leave: TensorFlow splits each operation
#: among all cores and waits for the slowest part, so an equal-priority worker
#: on one of its cores delays every step. LeNet5 on 32x32 RGB, 2 cores, two
#: workers (``bench/augment_overlap.py``, 2-6 runs each): augmentation's share
#: of the epoch 18.7-20.7 % at equal priority, 11.9-16.6 % at niceness 10,
#: 12.9-13.6 % at 19, 15.2-15.7 % as an idle-only (SCHED_IDLE) process. Lower
#: priority cannot make the cores free: one niceness-10 process augmenting
#: without pause slowed an epoch with nothing else to do by 28-40 %, one busy a
#: fifth of the time by 6-9 % (clock speed and caches are shared). Windows keeps
#: normal priority.
WORKER_NICENESS = 10
#: ``spec(images, rng, out) -> images``, picklable (e.g. a ``ChunkSpec``).
Spec = Callable[[np.ndarray, np.random.Generator, np.ndarray], np.ndarray]


class ChunkJob(NamedTuple):
    """One chunk for a worker process: ``target[part] = spec(source[rows], rng)``."""

    spec: Spec
    source: SharedHandle
    rows: slice | np.ndarray
    target: SharedHandle
    part: slice
    seed: np.random.SeedSequence


def run_job(job: ChunkJob) -> None:
    """Compute ``job`` (in a worker process) straight into the shared target."""
    images = attached(job.source)[job.rows]
    out = attached(job.target)[job.part]
    rng = np.random.Generator(np.random.PCG64(job.seed))
    result = job.spec(images, rng, out)
    if result is not out:
        out[...] = result


def _start_worker() -> None:
    """Set up a worker: one OpenCV thread, low priority, Ctrl+C left to the parent.

    The priority is :data:`WORKER_NICENESS` below the parent's. A worker also
    ends when its parent does, even when the parent was killed: otherwise it
    would wait for jobs forever (holding its memory, and the shared arrays the
    resource tracker would remove once every process is gone).
    """
    import cv2

    cv2.setNumThreads(1)
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: multiprocessing.process.BaseProcess) -> None:
    """Wait for ``parent`` to end, then end this process at once."""
    parent.join()
    os._exit(0)


_MAIN_LOCK = threading.Lock()


@contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start processes meanwhile without making them import the ``__main__`` module.

    A spawned process normally runs the parent's main script again (as
    ``__mp_main__``) before its first job. Workers need nothing from it, and a
    script that imports TensorFlow at the top would cost each worker seconds
    and hundreds of MB, and one that trains without an ``if __name__ ==
    "__main__"`` guard would start a training in every worker. While the main
    module names neither its file nor its spec, ``multiprocessing`` records no
    main script for the processes it starts (the module itself stays in place,
    so objects defined in it still pickle).
    """
    with _MAIN_LOCK:
        main = sys.modules.get("__main__")
        if main is None:
            yield
            return
        spec = getattr(main, "__spec__", None)
        path = main.__dict__.pop("__file__", None)
        main.__spec__ = None
        try:
            yield
        finally:
            main.__spec__ = spec
            if path is not None:
                main.__file__ = path


class AugmentProcesses:
    """A pool of ``processes`` worker processes computing :class:`ChunkJob`s.

    The processes start as jobs come (0.2-0.5 s: each imports NumPy and
    OpenCV); :meth:`close` stops them. Use one pool per training run. Shared
    arrays for the jobs come from :attr:`pool`, so they are reused (their pages
    already mapped in every process) rather than new each time.
    """

    def __init__(self, processes: int) -> None:
        self.processes = max(1, int(processes))
        self.pool = SharedPool()
        self._pool = ProcessPoolExecutor(
            self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
        )

    def submit(self, job: ChunkJob) -> Future[None]:
        """Start ``job`` on a free worker (starting a worker process if needed)."""
        with _main_module_hidden():
            return self._pool.submit(run_job, job)

    def run(self, job: ChunkJob) -> None:
        """Compute ``job`` and wait for it (a worker's error is raised here)."""
        self.submit(job).result()

    def map_rows(
        self,
        spec: Spec,
        images: np.ndarray,
        out_shape: tuple[int, ...],
        size: int,
        seeds: Sequence[np.random.SeedSequence],
    ) -> np.ndarray:
        """Apply ``spec`` to each ``size`` rows of ``images`` (chunk i: ``seeds[i]``).

        The images are copied to shared memory and the result copied back.
        """
        source = self.pool.get(images.shape, images.dtype)
        target = self.pool.get(out_shape, images.dtype)
        source.array[...] = images
        try:
            parts = [slice(s, s + size) for s in range(0, len(images), size)]
            jobs = [
                ChunkJob(spec, source.handle, part, target.handle, part, seed)
                for part, seed in zip(parts, seeds, strict=True)
            ]
            futures = [self.submit(job) for job in jobs]
            for future in futures:
                future.result()
            return target.array.copy()
        finally:
            self.pool.put(source)
            self.pool.put(target)

    def close(self) -> None:
        """Stop the worker processes (jobs not started are dropped); free the pool."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.pool.close()

    def __enter__(self) -> AugmentProcesses:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
