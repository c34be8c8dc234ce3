"""Fast Gaussian pixel noise by inverse-CDF lookup.

Drawing normal floats with NumPy costs about 10 ns per value, more than all other
augmentation steps together. Instead each pixel draws a 16-bit uniform integer
``k`` and takes the normal quantile at ``(k + 0.5) / 65536`` from a table: an
exact sample of the normal distribution quantised to 1/65536 in probability (the
tails end at about 4.3 standard deviations). Every pixel of every image gets its
own independent value.
"""

from __future__ import annotations

from functools import lru_cache
from statistics import NormalDist

import numpy as np

_LEVELS = 1 << 16


@lru_cache(maxsize=1)
def _standard_quantiles() -> np.ndarray:
    """Return normal quantiles at the centres of 65536 equal-probability bins."""
    inv_cdf = NormalDist().inv_cdf
    probabilities = (np.arange(_LEVELS) + 0.5) / _LEVELS
    table = np.array([inv_cdf(p) for p in probabilities], dtype=np.float64)
    table.setflags(write=False)
    return table


@lru_cache(maxsize=16)
def _quantiles(mean: float, std: float) -> np.ndarray:
    """Quantile table of N(mean, std) as float32 (cached per setting)."""
    table = (mean + std * _standard_quantiles()).astype(np.float32)
    table.setflags(write=False)
    return table


def gaussian_noise(
    rng: np.random.Generator, shape: tuple[int, ...], mean: float, std: float
) -> np.ndarray:
    """Independent N(mean, std) float32 values of ``shape`` drawn from ``rng``."""
    count = int(np.prod(shape))
    # Raw 64-bit outputs of the generator, four 16-bit codes each (the fastest
    # way NumPy offers to draw uniform bits).
    raw = rng.bit_generator.random_raw(-(-count // 4))
    codes = raw.view(np.uint16)[:count]
    return np.take(_quantiles(float(mean), float(std)), codes).reshape(shape)
