from collections.abc import Callable

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture
def make_images() -> Callable[..., np.ndarray]:
    """Factory of random ``(n, h, w, c)`` images covering the dtype's full range."""

    def make(n, height, width, channels, dtype=np.uint8, seed=0):
        top = np.iinfo(dtype).max
        gen = np.random.default_rng(seed)
        shape = (n, height, width, channels)
        return gen.integers(0, top, size=shape, dtype=dtype, endpoint=True)

    return make
