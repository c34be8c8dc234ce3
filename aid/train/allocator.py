"""Keep freed memory in the process while training (glibc ``malloc`` only).

Augmentation and normalisation allocate and free arrays of a few MiB for every
batch. TensorFlow's generator dataset (the loader of ``fit``) sets glibc's trim
threshold to 128 KiB when the process makes its first one, which also stops
glibc from raising its mmap threshold. Every such array then comes fresh from
the kernel and is zero-filled page by page on first touch.
``bench/augment_overlap.py`` made 5.4 million page faults in 50 s, and its RGB
epochs took 1.68-1.78 s instead of 1.15-1.41 s with this tuning (TensorFlow's
own steps gained too: LeNet5 on CIFAR-10 trained at 10,569 instead of 9,827
images/s).

:func:`keep_freed_memory` sets the thresholds back so that arrays up to
:data:`MMAP_BYTES` are reused from the heap and up to :data:`TRIM_BYTES` of free
heap top stays with the process. The loader calls it for every batch (a few
microseconds), so it wins over TensorFlow's setting whenever that is made.
The cost is memory kept instead of returned to the system (at most
:data:`TRIM_BYTES` per thread's heap): 30-90 MB more peak resident memory in that
benchmark (1,340 MB before), 23 MB in the CIFAR-10 run (2,100 MB). Elsewhere
than Linux with glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import platform
from collections.abc import Callable
from functools import lru_cache

#: glibc's ``mallopt`` parameter numbers (``malloc.h``).
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
#: Arrays up to this size come from the heap, not from fresh pages.
MMAP_BYTES = 32 << 20
#: Free memory at the top of a heap kept for reuse instead of given back. 8 MiB
#: kept most of the gain (page faults 5.4 M -> 0.4-0.55 M with 2**18-value float
#: blocks; 32 MiB: 0.25 M, same speed within noise) for 30-90 MB more peak memory
#: instead of 170 MB.
TRIM_BYTES = 8 << 20


def keep_freed_memory() -> bool:
    """Make glibc keep freed arrays for reuse; True where it took effect."""
    mallopt = _glibc_mallopt()
    if mallopt is None:
        return False
    mapped = mallopt(M_MMAP_THRESHOLD, MMAP_BYTES)
    trimmed = mallopt(M_TRIM_THRESHOLD, TRIM_BYTES)
    return bool(mapped and trimmed)


@lru_cache(maxsize=1)
def _glibc_mallopt() -> Callable[[int, int], int] | None:
    """Return glibc's ``mallopt``, or None on other C libraries and systems."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return None
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return mallopt
