"""AIDeveloper's sorting class and threshold, with concentration, enrichment and yield.

A sorting experiment enriches one *class of interest* ``c``. With a threshold ``t``
an event is sorted into ``c`` when ``p(c) > t``; otherwise it gets the most likely
of the other classes (AIDeveloper sets the score of ``c`` to 1 or 0, then takes
the argmax). The metrics say how well sorting at ``t`` would work:

* initial concentration: % of class-``c`` events in the data,
* final concentration: % of class-``c`` events among those predicted as ``c``,
* enrichment: final / initial concentration,
* yield: % of class-``c`` events that are predicted as ``c``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from aid.errors import AssessmentError

#: AIDeveloper plots the sorting metrics at 25 thresholds in [0, 1].
DEFAULT_THRESHOLDS: np.ndarray = np.linspace(0.0, 1.0, 25)


def thresholded_prediction(
    scores: np.ndarray, class_index: int | None = None, threshold: float | None = None
) -> np.ndarray:
    """Predicted class of each event, optionally with a sorting threshold.

    Parameters
    ----------
    scores
        Class scores ``(N, K)``.
    class_index
        Sorting class ``c``; ignored when ``threshold`` is ``None``.
    threshold
        ``None`` for a plain argmax; otherwise events with ``p(c) > threshold``
        are predicted as ``c`` and all others as the best remaining class.

    Returns
    -------
    numpy.ndarray
        Predicted classes ``(N,)`` int64.
    """
    scores = _check_scores(scores)
    if threshold is None or class_index is None:
        return np.argmax(scores, axis=1).astype(np.int64)
    _check_class(class_index, scores.shape[1])
    if not 0.0 <= float(threshold) <= 1.0:
        raise AssessmentError(f"the threshold must be in [0, 1], got {threshold}")
    adjusted = scores.astype(np.float64, copy=True)
    adjusted[:, class_index] = (scores[:, class_index] > threshold).astype(np.float64)
    return np.argmax(adjusted, axis=1).astype(np.int64)


@dataclass(frozen=True)
class SortingMetrics:
    """Concentration, enrichment and yield of a sorting class, in percent.

    Values without a denominator (no event predicted as the class, class absent)
    are ``nan``.
    """

    class_index: int
    initial_concentration: float
    final_concentration: float
    enrichment: float
    yield_: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dictionary (``nan`` becomes ``None``)."""
        return {
            "class_index": self.class_index,
            "initial_concentration": json_float(self.initial_concentration),
            "final_concentration": json_float(self.final_concentration),
            "enrichment": json_float(self.enrichment),
            "yield": json_float(self.yield_),
        }


def sorting_metrics(
    labels: np.ndarray, predicted: np.ndarray, class_index: int
) -> SortingMetrics:
    """Concentration, enrichment and yield of ``class_index`` for given predictions.

    Parameters
    ----------
    labels
        True classes ``(N,)``.
    predicted
        Predicted classes ``(N,)``.
    class_index
        The sorting class.
    """
    labels = np.asarray(labels)
    predicted = np.asarray(predicted)
    if labels.shape != predicted.shape or labels.ndim != 1:
        raise AssessmentError(
            f"labels {labels.shape} and predictions {predicted.shape} must be equal 1-D"
        )
    is_class = labels == class_index
    sorted_out = predicted == class_index
    hits = int(np.count_nonzero(is_class & sorted_out))
    initial = _percent(int(np.count_nonzero(is_class)), labels.size)
    final = _percent(hits, int(np.count_nonzero(sorted_out)))
    return SortingMetrics(
        class_index=int(class_index),
        initial_concentration=initial,
        final_concentration=final,
        enrichment=final / initial if initial > 0 else float("nan"),
        yield_=_percent(hits, int(np.count_nonzero(is_class))),
    )


@dataclass(frozen=True)
class ThresholdCurve:
    """Sorting metrics at a series of thresholds (arrays of equal length)."""

    class_index: int
    thresholds: np.ndarray
    initial_concentration: float
    final_concentration: np.ndarray
    enrichment: np.ndarray
    yield_: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dictionary (``nan`` becomes ``None``)."""
        return {
            "class_index": self.class_index,
            "thresholds": [float(t) for t in self.thresholds],
            "initial_concentration": json_float(self.initial_concentration),
            "final_concentration": [json_float(v) for v in self.final_concentration],
            "enrichment": [json_float(v) for v in self.enrichment],
            "yield": [json_float(v) for v in self.yield_],
        }


def threshold_curve(
    scores: np.ndarray,
    labels: np.ndarray,
    class_index: int,
    thresholds: np.ndarray | None = None,
) -> ThresholdCurve:
    """Concentration, enrichment and yield versus threshold for a sorting class.

    Parameters
    ----------
    scores
        Class scores ``(N, K)``.
    labels
        True classes ``(N,)``.
    class_index
        The sorting class.
    thresholds
        Thresholds to evaluate; AIDeveloper's 25 values in [0, 1] by default.
    """
    grid = DEFAULT_THRESHOLDS if thresholds is None else np.asarray(thresholds, float)
    rows = [
        sorting_metrics(
            labels, thresholded_prediction(scores, class_index, t), class_index
        )
        for t in grid
    ]
    initial = rows[0].initial_concentration if rows else float("nan")
    return ThresholdCurve(
        class_index=int(class_index),
        thresholds=grid.copy(),
        initial_concentration=initial,
        final_concentration=np.array([r.final_concentration for r in rows]),
        enrichment=np.array([r.enrichment for r in rows]),
        yield_=np.array([r.yield_ for r in rows]),
    )


def _check_scores(scores: np.ndarray) -> np.ndarray:
    scores = np.asarray(scores)
    if scores.ndim != 2 or scores.shape[1] < 1:
        raise AssessmentError(
            f"scores must be (events, classes), got shape {scores.shape}"
        )
    return scores


def _check_class(class_index: int, num_classes: int) -> None:
    if not 0 <= int(class_index) < num_classes:
        raise AssessmentError(
            f"sorting class {class_index} does not exist "
            f"(the model has {num_classes} classes)"
        )


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole > 0 else float("nan")


def json_float(value: float) -> float | None:
    """``value`` as a float, or ``None`` when it is not finite (JSON has no NaN)."""
    return None if not np.isfinite(value) else float(value)
