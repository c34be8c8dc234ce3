"""Freed arrays stay in the process during training (glibc malloc tuning)."""

from __future__ import annotations

import ctypes
import platform

import numpy as np
import pytest

from aid.data.preprocess import Preprocessing
from aid.train import allocator
from aid.train.dataset import EpochDataset
from aid.train.lazy_sample import ArraySource
from aid.zoo_registry import build_model


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
glibc_only = pytest.mark.skipif(
    mallinfo2 is None or allocator._glibc_mallopt() is None,
    reason="malloc tuning and mallinfo2 exist on Linux with glibc >= 2.33 only",
)
#: Above TensorFlow's 128 KiB setting, below the tuned thresholds.
ARRAY_BYTES = 4 << 20


def array_life() -> tuple[int, int]:
    """Bytes freshly mapped for an ARRAY_BYTES array; free heap bytes gained after it.

    A mapped array comes from the system as new pages (each filled with zeros by
    the kernel when first touched); heap memory kept after ``free`` is reused.
    """
    before = mallinfo2()
    array = np.ones(ARRAY_BYTES, dtype=np.uint8)
    mapped = mallinfo2().hblkhd - before.hblkhd
    del array
    return mapped, mallinfo2().fordblks - before.fordblks


def tensorflow_like_reset() -> None:
    """What TensorFlow's generator dataset does to malloc: trim at 128 KiB."""
    mallopt = allocator._glibc_mallopt()
    mallopt(allocator.M_TRIM_THRESHOLD, 128 << 10)
    mallopt(allocator.M_MMAP_THRESHOLD, 128 << 10)


@glibc_only
def test_keep_freed_memory_reuses_arrays_instead_of_fresh_pages():
    tensorflow_like_reset()
    mapped, kept = array_life()
    assert mapped >= ARRAY_BYTES and kept < ARRAY_BYTES // 2  # fresh, given back
    assert allocator.keep_freed_memory()
    mapped, kept = array_life()
    assert mapped == 0 and kept > ARRAY_BYTES // 2  # from the heap, kept


@glibc_only
def test_training_keeps_freed_memory_after_tensorflow_resets_it():
    """A real fit through the loader ends with the tuning in force.

    TensorFlow resets malloc when its first generator dataset is made, after Keras
    has read the first batches; the second epoch's batches come after that.
    """
    tensorflow_like_reset()  # as an earlier fit of this process may have left it
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(64, 16, 16, 1), dtype=np.uint8)
    data = EpochDataset(
        ArraySource(images),
        np.arange(64) % 2,
        2,
        Preprocessing(input_size=16, color_mode="gray"),
        16,
        rng,
        workers=2,
    )
    model = build_model("TinyCNN", (16, 16, 1), 2)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(data, epochs=2, verbose=0)
    mapped, kept = array_life()
    assert mapped == 0 and kept > ARRAY_BYTES // 2


def test_keep_freed_memory_is_harmless_without_glibc(monkeypatch):
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    allocator._glibc_mallopt.cache_clear()
    try:
        assert allocator.keep_freed_memory() is False
    finally:
        allocator._glibc_mallopt.cache_clear()
