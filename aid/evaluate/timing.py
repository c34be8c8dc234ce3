"""Inference time per image, as AIDeveloper reports it in the assessment tab.

AIDeveloper warms the model up, then runs 10 rounds of ``N / 10`` single-image
predictions (``N`` = 1000 events, at least 10) and reports the mean, median,
minimum and maximum time per image in milliseconds. A sorter sees one cell at a
time, so single-image latency is the number that matters there.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from aid.data.preprocess import as_nhwc
from aid.errors import AssessmentError


@dataclass(frozen=True)
class InferenceTiming:
    """Single-image inference time statistics in milliseconds."""

    mean_ms: float
    median_ms: float
    min_ms: float
    max_ms: float
    images: int
    rounds: int
    batch_size: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dictionary."""
        return asdict(self)


def inference_time(
    model: Any,
    images: np.ndarray,
    *,
    images_total: int = 1000,
    rounds: int = 10,
    batch_size: int = 1,
    warmup: int = 3,
) -> InferenceTiming:
    """Time the prediction of normalised ``images`` one batch at a time.

    Parameters
    ----------
    model
        A Keras model.
    images
        Normalised model inputs ``(n, H, W, C)``; reused cyclically when fewer
        than ``images_total``.
    images_total
        Images predicted in all (at least ``rounds``).
    rounds
        Number of rounds; the statistics are over the per-image times of rounds.
    batch_size
        Images per call (1 = single-image latency).
    warmup
        Untimed calls first (graph tracing, caches).

    Returns
    -------
    InferenceTiming
        Mean, median, min and max per-image time over the rounds.
    """
    images = as_nhwc(np.asarray(images, dtype=np.float32))
    if len(images) == 0:
        raise AssessmentError("inference timing needs at least one image")
    if rounds < 1 or batch_size < 1:
        raise AssessmentError("rounds and batch size must be >= 1")
    calls_per_round = max(1, max(images_total, rounds) // (rounds * batch_size))
    batches = _batches(images, batch_size, calls_per_round)
    for batch in batches[:warmup]:
        model.predict_on_batch(batch)
    per_image_ms = []
    for _ in range(rounds):
        start = time.perf_counter()
        for batch in batches:
            model.predict_on_batch(batch)
        elapsed = time.perf_counter() - start
        per_image_ms.append(1000.0 * elapsed / (calls_per_round * batch_size))
    ms = np.asarray(per_image_ms)
    return InferenceTiming(
        mean_ms=float(ms.mean()),
        median_ms=float(np.median(ms)),
        min_ms=float(ms.min()),
        max_ms=float(ms.max()),
        images=calls_per_round * batch_size * rounds,
        rounds=rounds,
        batch_size=batch_size,
    )


def _batches(images: np.ndarray, batch_size: int, count: int) -> list[np.ndarray]:
    """``count`` batches of ``batch_size`` images, cycling through ``images``."""
    index = np.arange(count * batch_size) % len(images)
    return [images[index[i : i + batch_size]] for i in range(0, len(index), batch_size)]
