"""Image arrays in shared memory, read and written by augmentation processes.

Python threads augmenting at once wait for the interpreter lock around every
short OpenCV call: on two cores two threads did 1.0-1.3x the work of one for
32x32 RGB, where two processes did 1.9-2.0x (``bench/augment.py``). Processes
need the images without copying them through a pipe, so the arrays they read
and write live in named shared memory: :class:`SharedArray` owns one (and
removes it when closed or garbage collected); a worker process attaches it by
its :class:`SharedHandle` with :func:`attached`.
"""

from __future__ import annotations

import os
import shutil
import sys
import weakref
from collections import OrderedDict
from multiprocessing import shared_memory
from typing import NamedTuple

import numpy as np

#: Attachments a worker process keeps open (a pool's arrays come back each epoch).
_KEPT_ATTACHMENTS = 6
_attachments: OrderedDict[str, tuple[shared_memory.SharedMemory, np.ndarray]] = (
    OrderedDict()
)


class SharedHandle(NamedTuple):
    """What another process needs to find a :class:`SharedArray` (picklable)."""

    name: str
    shape: tuple[int, ...]
    dtype: str


class SharedArray:
    """A NumPy array of ``shape`` and ``dtype`` in new named shared memory."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype | str) -> None:
        dtype = np.dtype(dtype)
        size = max(1, int(np.prod(shape)) * dtype.itemsize)
        memory = shared_memory.SharedMemory(create=True, size=size)
        self.array: np.ndarray = np.ndarray(shape, dtype, buffer=memory.buf)
        self.handle = SharedHandle(memory.name, tuple(int(s) for s in shape), dtype.str)
        self._release = weakref.finalize(self, _release, memory)

    @classmethod
    def copy_of(cls, array: np.ndarray) -> SharedArray:
        """Return a shared copy of ``array``."""
        shared = cls(array.shape, array.dtype)
        shared.array[...] = array
        return shared

    def close(self) -> None:
        """Remove the shared memory (views of :attr:`array` keep their pages)."""
        self._release()


class SharedPool:
    """Shared arrays to hand out again, instead of new ones every epoch.

    New shared memory is filled with zero pages on first touch, in each process
    that touches it: for 80x250 images that cost more than the work a second
    process saves. :meth:`get` hands out a kept array of the same shape and
    dtype only when nothing refers to it any more (no view, no copy of the
    reference: its reference count says so), else a new one.
    """

    def __init__(self, keep: int = 6) -> None:
        self._keep = keep
        self._free: list[SharedArray] = []

    def get(self, shape: tuple[int, ...], dtype: np.dtype | str) -> SharedArray:
        """Return a shared array of ``shape`` and ``dtype`` (contents undefined)."""
        dtype = np.dtype(dtype)
        for index, shared in enumerate(self._free):
            array = shared.array
            # References: the SharedArray's, ``array`` here, getrefcount's own.
            if array.shape == tuple(shape) and array.dtype == dtype:
                if sys.getrefcount(array) <= 3:
                    return self._free.pop(index)
            del array
        return SharedArray(shape, dtype)

    def put(self, shared: SharedArray) -> None:
        """Keep ``shared`` for a later :meth:`get` (the oldest beyond ``keep`` go)."""
        self._free.append(shared)
        while len(self._free) > self._keep:
            self._free.pop(0).close()

    def close(self) -> None:
        """Remove every kept array."""
        while self._free:
            self._free.pop().close()


def _release(memory: shared_memory.SharedMemory) -> None:
    """Unlink ``memory``; unmap it unless NumPy views of it are still alive."""
    try:
        memory.unlink()
    except FileNotFoundError:
        pass
    try:
        memory.close()
    except BufferError:
        pass  # a view still uses the mapping; it goes with the last view


def has_room(nbytes: int) -> bool:
    """Whether ``nbytes`` (plus a quarter) fit in shared memory here.

    On Linux shared memory is the ``/dev/shm`` file system, which containers
    often make small (64 MB); writing past its end kills the process. Elsewhere
    the system's memory backs it.
    """
    if not os.path.isdir("/dev/shm"):
        return True
    return shutil.disk_usage("/dev/shm").free >= nbytes * 1.25


def attached(handle: SharedHandle) -> np.ndarray:
    """Return the array of ``handle`` in this (worker) process, attached once.

    The few most recent attachments stay open; older ones are closed.
    """
    kept = _attachments.get(handle.name)
    if kept is not None:
        _attachments.move_to_end(handle.name)
        return kept[1]
    # Attaching registers the name with the resource tracker again, a no-op: a
    # worker process shares its parent's tracker, and the owner unregisters it.
    memory = shared_memory.SharedMemory(name=handle.name)
    array = np.ndarray(handle.shape, np.dtype(handle.dtype), buffer=memory.buf)
    _attachments[handle.name] = (memory, array)
    while len(_attachments) > _KEPT_ATTACHMENTS:
        _, (old, old_array) = _attachments.popitem(last=False)
        del old_array  # the last reference to the mapping's buffer here
        try:
            old.close()
        except BufferError:
            pass  # a job still holds a view; the mapping goes with it
    return array
