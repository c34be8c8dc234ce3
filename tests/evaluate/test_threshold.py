"""AIDeveloper's sorting threshold: prediction, concentration, enrichment, yield."""

from __future__ import annotations

import numpy as np
import pytest

from aid.errors import AssessmentError
from aid.evaluate.threshold import (
    DEFAULT_THRESHOLDS,
    sorting_metrics,
    threshold_curve,
    thresholded_prediction,
)

SCORES = np.array(
    [
        [0.5, 0.3, 0.2],
        [0.2, 0.5, 0.3],
        [0.1, 0.3, 0.6],
        [0.4, 0.35, 0.25],
    ]
)


def test_threshold_on_sorting_class_then_argmax() -> None:
    np.testing.assert_array_equal(thresholded_prediction(SCORES), [0, 1, 2, 0])
    # class 1 wins whenever p1 > 0.25, otherwise the best of the others
    np.testing.assert_array_equal(thresholded_prediction(SCORES, 1, 0.25), [1, 1, 1, 1])
    # p1 > 0.45 only for event 1; the others take their best other class
    np.testing.assert_array_equal(thresholded_prediction(SCORES, 1, 0.45), [0, 1, 2, 0])
    np.testing.assert_array_equal(thresholded_prediction(SCORES, 0, 0.45), [0, 1, 2, 1])


def test_sorting_metrics_by_hand() -> None:
    labels = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])  # 3 of 10 are the target: 30 %
    predicted = np.array([1, 1, 0, 1, 0, 0, 0, 0, 0, 0])  # 3 sorted, 2 of them right
    m = sorting_metrics(labels, predicted, 1)
    assert m.initial_concentration == pytest.approx(30.0)
    assert m.final_concentration == pytest.approx(200 / 3)
    assert m.enrichment == pytest.approx((200 / 3) / 30.0)
    assert m.yield_ == pytest.approx(200 / 3)


def test_nothing_sorted_gives_nan_not_an_error() -> None:
    m = sorting_metrics(np.array([1, 0]), np.array([0, 0]), 1)
    assert np.isnan(m.final_concentration) and np.isnan(m.enrichment)
    assert m.yield_ == 0.0
    assert m.to_dict()["enrichment"] is None


def test_curve_has_25_thresholds_and_monotone_yield() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200)
    p = np.clip(labels * 0.5 + rng.uniform(0, 0.5, 200), 0, 1)
    curve = threshold_curve(np.stack([1 - p, p], 1), labels, 1)
    assert (
        len(curve.thresholds) == 25
        and curve.thresholds[0] == 0
        and curve.thresholds[-1] == 1
    )
    np.testing.assert_allclose(curve.thresholds, DEFAULT_THRESHOLDS)
    assert np.all(np.diff(curve.yield_) <= 0)  # a higher threshold never sorts more
    assert curve.initial_concentration == pytest.approx(100 * labels.mean())
    # at threshold 0.5 the classes separate perfectly by construction (p > 0.5 iff cat)
    middle = int(np.argmin(np.abs(curve.thresholds - 0.5)))
    assert curve.final_concentration[middle] == pytest.approx(100.0)
    assert curve.yield_[middle] == pytest.approx(100.0)


def test_bad_threshold_or_class() -> None:
    with pytest.raises(AssessmentError, match="threshold"):
        thresholded_prediction(SCORES, 0, 1.5)
    with pytest.raises(AssessmentError, match="does not exist"):
        thresholded_prediction(SCORES, 3, 0.5)
    with pytest.raises(AssessmentError, match="events, classes"):
        thresholded_prediction(np.ones(3))
