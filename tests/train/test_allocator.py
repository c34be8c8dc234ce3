"""Freed arrays stay in the process during training (glibc malloc tuning)."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from malloc_probe import (  # tests/train (pytest puts it on sys.path)
    ARRAY_BYTES,
    array_life,
    mallinfo2,
    tensorflow_like_reset,
)

from aid.train import allocator
from aid.train.run import run_training

glibc_only = pytest.mark.skipif(
    mallinfo2 is None or allocator._glibc_mallopt() is None,
    reason="malloc tuning and mallinfo2 exist on Linux with glibc >= 2.33 only",
)


@glibc_only
def test_keep_freed_memory_reuses_arrays_instead_of_fresh_pages():
    """In a fresh process, so that no loader thread of another test interferes."""
    script = textwrap.dedent(
        """
        from aid.train import allocator
        from malloc_probe import array_life, tensorflow_like_reset

        tensorflow_like_reset()
        print(*array_life())
        assert allocator.keep_freed_memory()
        print(*array_life())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    reset, kept = (
        tuple(map(int, line.split())) for line in done.stdout.split("\n")[:2]
    )
    assert reset[0] >= ARRAY_BYTES and reset[1] >= ARRAY_BYTES  # fresh, given back
    assert kept == (0, 0)  # from the heap, and kept there


@glibc_only
def test_training_keeps_freed_memory_after_tensorflow_resets_it(
    tiny_table, tiny_cfg, tmp_path
):
    """A real training run (tutorial files) ends with the tuning in force.

    TensorFlow resets malloc when its first generator dataset is made, after Keras
    has read the first batches; the second epoch's batches come after that.
    """
    tensorflow_like_reset()  # as an earlier fit of this process may have left it
    result = run_training(replace(tiny_cfg, epochs=2), tiny_table, run_dir=tmp_path)
    assert result.status == "completed"
    mapped, given_back = array_life()
    assert mapped == 0 and given_back == 0


def test_keep_freed_memory_is_harmless_without_glibc(monkeypatch):
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    allocator._glibc_mallopt.cache_clear()
    try:
        assert allocator.keep_freed_memory() is False
    finally:
        allocator._glibc_mallopt.cache_clear()
