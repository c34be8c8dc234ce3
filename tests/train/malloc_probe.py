"""Probe of glibc's malloc for the allocator tests (no Keras import: runs alone)."""

from __future__ import annotations

import ctypes
import platform

import numpy as np

from aid.train import allocator


class MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2`` (all arenas together)."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks "
            "keepcost"
        ).split()
    ]


def _mallinfo2():
    try:
        function = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return None
    function.restype = MallInfo2
    return function


mallinfo2 = _mallinfo2() if platform.system() == "Linux" else None
#: Above TensorFlow's 128 KiB setting, below the tuned thresholds.
ARRAY_BYTES = 4 << 20


def array_life() -> tuple[int, int]:
    """Bytes freshly mapped for an ARRAY_BYTES array; bytes given back after it.

    A mapped array comes from the system as new pages (each filled with zeros by
    the kernel when first touched) and goes back when freed; heap memory kept
    after ``free`` is reused by the next array.
    """
    array = np.ones(ARRAY_BYTES, dtype=np.uint8)
    alive = mallinfo2()
    del array
    freed = mallinfo2()
    mapped = alive.hblkhd - freed.hblkhd
    return mapped, mapped + alive.arena - freed.arena


def tensorflow_like_reset() -> None:
    """What TensorFlow's generator dataset leaves: trim and mmap at 128 KiB.

    It sets the trim threshold, which freezes the mmap threshold (128 KiB in a
    fresh process).
    """
    mallopt = allocator._glibc_mallopt()
    mallopt(allocator.M_TRIM_THRESHOLD, 128 << 10)
    mallopt(allocator.M_MMAP_THRESHOLD, 128 << 10)
