"""Metrics of a classifier on labelled events: confusion, report, ROC/PR, histograms.

:class:`Assessment` keeps every event's scores, true class and source
``(row in the dataset table, event index in the file)``, so each confusion-matrix
cell can be traced back to the images behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from aid.errors import AssessmentError
from aid.evaluate.threshold import (
    SortingMetrics,
    ThresholdCurve,
    json_float,
    sorting_metrics,
    threshold_curve,
    thresholded_prediction,
)


@dataclass(frozen=True)
class Curve:
    """One ROC or precision-recall curve of a class (one-vs-rest)."""

    x: np.ndarray
    y: np.ndarray
    auc: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dictionary."""
        return {"x": self.x.tolist(), "y": self.y.tolist(), "auc": json_float(self.auc)}


@dataclass(frozen=True, eq=False)
class Assessment:
    """Scores of labelled events and everything computed from them.

    Parameters
    ----------
    scores
        Class scores ``(N, K)``.
    labels
        True classes ``(N,)`` in ``0 .. K-1``.
    class_names
        ``K`` class names, in output order.
    sources
        ``(N, 2)`` int64: row in the dataset table and event index in its file.
        Defaults to ``(0, i)``.
    sorting_class, threshold
        AIDeveloper's sorting class and threshold; with ``threshold=None``
        the prediction is the argmax.
    """

    scores: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    sources: np.ndarray | None = None
    sorting_class: int = 0
    threshold: float | None = None
    predicted: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        scores = np.asarray(self.scores, dtype=np.float32)
        labels = np.asarray(self.labels, dtype=np.int64)
        names = tuple(str(n) for n in self.class_names)
        if scores.ndim != 2 or scores.shape[1] != len(names):
            raise AssessmentError(
                f"scores have shape {scores.shape} but there are "
                f"{len(names)} class names"
            )
        if labels.shape != (len(scores),):
            raise AssessmentError(
                f"{len(scores)} score rows but labels of shape {labels.shape}"
            )
        if labels.size and (labels.min() < 0 or labels.max() >= len(names)):
            raise AssessmentError(
                f"labels must be in 0..{len(names) - 1}; "
                "unlabelled events cannot be assessed"
            )
        if self.sources is None:
            sources = np.stack(
                [np.zeros(len(labels), np.int64), np.arange(len(labels))], 1
            )
        else:
            sources = np.asarray(self.sources, dtype=np.int64).reshape(-1, 2)
        if len(sources) != len(labels):
            raise AssessmentError(f"{len(labels)} events but {len(sources)} sources")
        for name, value in (
            ("scores", scores),
            ("labels", labels),
            ("class_names", names),
            ("sources", sources),
        ):
            object.__setattr__(self, name, value)
        predicted = thresholded_prediction(scores, self.sorting_class, self.threshold)
        object.__setattr__(self, "predicted", predicted)

    @property
    def num_classes(self) -> int:
        """Number of classes ``K``."""
        return len(self.class_names)

    def with_threshold(self, sorting_class: int, threshold: float | None) -> Assessment:
        """Copy that predicts with another sorting class and threshold."""
        return Assessment(
            self.scores,
            self.labels,
            self.class_names,
            self.sources,
            sorting_class,
            threshold,
        )

    # -- confusion -------------------------------------------------------
    def confusion_matrix(self, normalize: Literal[False, "true"] = False) -> np.ndarray:
        """``(K, K)`` matrix: row = true class, column = predicted class.

        ``normalize="true"`` divides each row by its number of events (rows
        without events stay 0), as AIDeveloper's row-% matrix.
        """
        k = self.num_classes
        flat = np.bincount(self.labels * k + self.predicted, minlength=k * k)
        counts = flat.reshape(k, k).astype(np.int64)
        if normalize is False:
            return counts
        if normalize != "true":
            raise AssessmentError(
                f"normalize must be False or 'true', got {normalize!r}"
            )
        totals = counts.sum(axis=1, keepdims=True)
        return np.divide(counts, totals, out=np.zeros((k, k)), where=totals > 0)

    def cell_events(self, true: int, pred: int) -> np.ndarray:
        """Return the sources ``(k, 2)`` of class-``true`` events predicted ``pred``."""
        return self.sources[(self.labels == true) & (self.predicted == pred)]

    # -- classification report ------------------------------------------
    @property
    def accuracy(self) -> float:
        """Fraction of events predicted correctly."""
        return (
            float(np.mean(self.labels == self.predicted))
            if self.labels.size
            else float("nan")
        )

    def per_class(self) -> dict[str, dict[str, float]]:
        """Precision, recall, F1 and support per class name (scikit-learn)."""
        from sklearn.metrics import precision_recall_fscore_support

        precision, recall, f1, support = precision_recall_fscore_support(
            self.labels, self.predicted, labels=range(self.num_classes), zero_division=0
        )
        return {
            name: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, name in enumerate(self.class_names)
        }

    def averages(self) -> dict[str, dict[str, float]]:
        """Macro and weighted precision, recall and F1."""
        from sklearn.metrics import precision_recall_fscore_support

        out = {}
        for average in ("macro", "weighted"):
            p, r, f, _ = precision_recall_fscore_support(
                self.labels,
                self.predicted,
                labels=range(self.num_classes),
                average=average,
                zero_division=0,
            )
            out[average] = {"precision": float(p), "recall": float(r), "f1": float(f)}
        return out

    # -- curves ----------------------------------------------------------
    def roc_curves(self) -> dict[str, Curve]:
        """One-vs-rest ROC curve per class (false vs true positive rate).

        Classes without positive or without negative events have no curve.
        """
        from sklearn.metrics import auc, roc_curve

        curves = {}
        for i, name in self._rankable_classes():
            fpr, tpr, _ = roc_curve(self.labels == i, self.scores[:, i])
            curves[name] = Curve(fpr, tpr, float(auc(fpr, tpr)))
        return curves

    def pr_curves(self) -> dict[str, Curve]:
        """One-vs-rest precision-recall curve per class (x recall, y precision)."""
        from sklearn.metrics import auc, precision_recall_curve

        curves = {}
        for i, name in self._rankable_classes():
            precision, recall, _ = precision_recall_curve(
                self.labels == i, self.scores[:, i]
            )
            curves[name] = Curve(recall, precision, float(auc(recall, precision)))
        return curves

    @property
    def auc(self) -> float:
        """ROC AUC: of class 1 for two classes, else the mean one-vs-rest AUC."""
        curves = self.roc_curves()
        if self.num_classes == 2:
            curve = curves.get(self.class_names[1])
            return curve.auc if curve else float("nan")
        return (
            float(np.mean([c.auc for c in curves.values()])) if curves else float("nan")
        )

    def _rankable_classes(self) -> list[tuple[int, str]]:
        present = np.bincount(self.labels, minlength=self.num_classes)
        return [
            (i, name)
            for i, name in enumerate(self.class_names)
            if 0 < present[i] < len(self.labels)
        ]

    def probability_histograms(
        self, class_index: int | None = None, bins: int = 20
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Histogram of ``p(class_index)`` for the events of each true class.

        Returns the ``bins + 1`` edges in [0, 1] and the counts per true class name.
        """
        column = self.sorting_class if class_index is None else class_index
        edges = np.linspace(0.0, 1.0, bins + 1)
        counts = {
            name: np.histogram(self.scores[self.labels == i, column], bins=edges)[0]
            for i, name in enumerate(self.class_names)
        }
        return edges, counts

    # -- sorting ---------------------------------------------------------
    def sorting(self) -> SortingMetrics:
        """Concentration, enrichment and yield of the sorting class."""
        return sorting_metrics(self.labels, self.predicted, self.sorting_class)

    def threshold_curve(
        self, thresholds: Sequence[float] | None = None
    ) -> ThresholdCurve:
        """Sorting metrics of the sorting class at 25 thresholds in [0, 1]."""
        grid = None if thresholds is None else np.asarray(thresholds, dtype=float)
        return threshold_curve(self.scores, self.labels, self.sorting_class, grid)

    def per_file_counts(self) -> dict[int, list[int]]:
        """Predicted-class counts for each table row (file)."""
        return {
            int(row): np.bincount(
                self.predicted[self.sources[:, 0] == row], minlength=self.num_classes
            ).tolist()
            for row in np.unique(self.sources[:, 0])
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything above as one JSON-able dictionary (no per-event arrays)."""
        edges, hist = self.probability_histograms()
        return {
            "class_names": list(self.class_names),
            "events": int(len(self.labels)),
            "accuracy": json_float(self.accuracy),
            "per_class": self.per_class(),
            "averages": self.averages(),
            "confusion_matrix": self.confusion_matrix().tolist(),
            "confusion_matrix_normalized": self.confusion_matrix("true").tolist(),
            "auc": json_float(self.auc),
            "roc_auc": {n: json_float(c.auc) for n, c in self.roc_curves().items()},
            "pr_auc": {n: json_float(c.auc) for n, c in self.pr_curves().items()},
            "sorting_class": self.sorting_class,
            "threshold": self.threshold,
            "sorting": self.sorting().to_dict(),
            "threshold_curve": self.threshold_curve().to_dict(),
            "histogram_edges": edges.tolist(),
            "histograms": {n: c.tolist() for n, c in hist.items()},
            "per_file_counts": {str(k): v for k, v in self.per_file_counts().items()},
        }
