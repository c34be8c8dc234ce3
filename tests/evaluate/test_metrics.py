"""Assessment metrics against values worked out by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest

from aid.errors import AssessmentError
from aid.evaluate.metrics import Assessment

# Ten events, two classes (0 automobile, 1 cat), from two files (rows 0 and 1).
# p(cat) per event; labels: the first five are automobiles, the last five cats.
P_CAT = np.array([0.1, 0.2, 0.3, 0.6, 0.05, 0.9, 0.8, 0.4, 0.7, 0.95])
LABELS = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
SOURCES = np.array([[0, i] for i in range(5)] + [[1, 10 + i] for i in range(5)])


def binary() -> Assessment:
    scores = np.stack([1 - P_CAT, P_CAT], axis=1)
    return Assessment(scores, LABELS, ("automobile", "cat"), SOURCES)


def test_binary_confusion_and_report_by_hand() -> None:
    a = binary()
    # argmax: automobiles 0,0,0,1,0 -> error at event 3; cats 1,1,0,1,1 -> at event 7
    np.testing.assert_array_equal(a.confusion_matrix(), [[4, 1], [1, 4]])
    np.testing.assert_allclose(a.confusion_matrix("true"), [[0.8, 0.2], [0.2, 0.8]])
    assert a.accuracy == pytest.approx(0.8)
    per_class = a.per_class()
    assert per_class["cat"] == pytest.approx(
        {"precision": 0.8, "recall": 0.8, "f1": 0.8, "support": 5}
    )
    assert a.averages()["macro"]["f1"] == pytest.approx(0.8)
    # ROC AUC = fraction of (cat, automobile) pairs ranked correctly:
    # cats 0.9, 0.8, 0.7, 0.95 beat all 5 automobiles (20 pairs); 0.4 beats
    # 0.1, 0.2, 0.3, 0.05 (4 pairs) -> 24 / 25.
    assert a.auc == pytest.approx(24 / 25)
    assert a.roc_curves()["automobile"].auc == pytest.approx(24 / 25)


def test_cell_events_map_back_to_file_and_event() -> None:
    a = binary()
    np.testing.assert_array_equal(a.cell_events(0, 1), [[0, 3]])
    np.testing.assert_array_equal(a.cell_events(1, 0), [[1, 12]])
    np.testing.assert_array_equal(
        a.cell_events(1, 1), [[1, 10], [1, 11], [1, 13], [1, 14]]
    )
    # every event is in exactly one cell
    cells = [a.cell_events(t, p) for t in range(2) for p in range(2)]
    assert sum(len(c) for c in cells) == len(LABELS)


def test_threshold_changes_prediction_and_cells() -> None:
    a = binary().with_threshold(sorting_class=1, threshold=0.75)
    # cat only when p(cat) > 0.75: events 5, 6, 9
    np.testing.assert_array_equal(a.predicted, [0, 0, 0, 0, 0, 1, 1, 0, 0, 1])
    np.testing.assert_array_equal(a.confusion_matrix(), [[5, 0], [2, 3]])
    s = a.sorting()
    assert s.initial_concentration == pytest.approx(50.0)
    assert s.final_concentration == pytest.approx(100.0)
    assert s.enrichment == pytest.approx(2.0)
    assert s.yield_ == pytest.approx(60.0)


def test_three_classes_one_vs_rest() -> None:
    scores = np.array(
        [
            [0.7, 0.2, 0.1],  # true 0 -> 0
            [0.5, 0.4, 0.1],  # true 0 -> 0
            [0.2, 0.7, 0.1],  # true 1 -> 1
            [0.6, 0.3, 0.1],  # true 1 -> 0
            [0.1, 0.2, 0.7],  # true 2 -> 2
            [0.2, 0.5, 0.3],  # true 2 -> 1
        ]
    )
    a = Assessment(scores, [0, 0, 1, 1, 2, 2], ("a", "b", "c"))
    np.testing.assert_array_equal(
        a.confusion_matrix(), [[2, 0, 0], [1, 1, 0], [0, 1, 1]]
    )
    pc = a.per_class()
    # class a: predicted 3 times, 2 right -> precision 2/3, recall 1, F1 0.8
    assert pc["a"] == pytest.approx(
        {"precision": 2 / 3, "recall": 1.0, "f1": 0.8, "support": 2}
    )
    assert pc["c"] == pytest.approx(
        {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2}
    )
    assert a.accuracy == pytest.approx(4 / 6)
    # class a vs rest: positives 0.7, 0.5; negatives 0.2, 0.6, 0.1, 0.2 -> 7 of 8 pairs
    assert a.roc_curves()["a"].auc == pytest.approx(7 / 8)
    # macro AUC: b 0.7,0.3 vs 0.2,0.4,0.2,0.5 -> 6/8; c 0.7,0.3 vs 0.1 (x4) -> 1
    assert a.auc == pytest.approx((7 / 8 + 6 / 8 + 1.0) / 3)
    edges, hist = a.probability_histograms(class_index=2, bins=2)
    np.testing.assert_allclose(edges, [0, 0.5, 1])
    np.testing.assert_array_equal(hist["c"], [1, 1])
    np.testing.assert_array_equal(hist["a"], [2, 0])


def test_pr_curve_auc_perfect_ranking() -> None:
    scores = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.1, 0.9]])
    a = Assessment(scores, [0, 0, 1, 1], ("x", "y"))
    assert a.pr_curves()["y"].auc == pytest.approx(1.0)
    assert a.auc == pytest.approx(1.0)


def test_to_dict_is_json_and_complete() -> None:
    raw = json.loads(json.dumps(binary().to_dict()))
    assert raw["accuracy"] == pytest.approx(0.8)
    assert raw["confusion_matrix"] == [[4, 1], [1, 4]]
    assert set(raw["per_class"]) == {"automobile", "cat"}
    assert len(raw["threshold_curve"]["thresholds"]) == 25
    assert raw["per_file_counts"] == {"0": [4, 1], "1": [1, 4]}


def test_missing_class_gives_no_curve_and_zero_row() -> None:
    a = Assessment(np.array([[0.9, 0.1], [0.6, 0.4]]), [0, 0], ("x", "y"))
    assert a.roc_curves() == {}
    assert np.isnan(a.auc)
    np.testing.assert_array_equal(a.confusion_matrix("true"), [[1, 0], [0, 0]])
    assert json.loads(json.dumps(a.to_dict()))["auc"] is None


@pytest.mark.parametrize(
    ("scores", "labels", "names", "message"),
    [
        (np.ones((2, 2)), [0, -1], ("a", "b"), "unlabelled"),
        (np.ones((2, 2)), [0, 2], ("a", "b"), "0..1"),
        (np.ones((2, 3)), [0, 1], ("a", "b"), "class names"),
        (np.ones((2, 2)), [0], ("a", "b"), "labels"),
    ],
)
def test_bad_input_is_a_typed_error(scores, labels, names, message) -> None:
    with pytest.raises(AssessmentError, match=message):
        Assessment(scores, labels, names)
