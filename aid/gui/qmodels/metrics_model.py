"""Tables of assessment metrics: per class and for the sorting class."""

from __future__ import annotations

import math
from typing import Any

from aid.evaluate.metrics import Assessment
from aid.gui.qmodels.records_model import RecordsModel

CLASS_COLUMNS = (
    ("Class", "name"),
    ("Precision", "precision"),
    ("Recall", "recall"),
    ("F1", "f1"),
    ("Events", "support"),
)
SORTING_COLUMNS = (("Measure", "name"), ("Value", "value"))


def _rounded(value: float) -> float | str:
    return "–" if value is None or not math.isfinite(value) else round(float(value), 4)


def class_rows(assessment: Assessment) -> list[dict[str, Any]]:
    """Precision, recall, F1 and support per class, then macro and weighted means."""
    rows = [
        {
            "name": name,
            **{k: _rounded(v) if k != "support" else v for k, v in values.items()},
        }
        for name, values in assessment.per_class().items()
    ]
    events = int(len(assessment.labels))
    for average, values in assessment.averages().items():
        rows.append(
            {
                "name": f"{average} mean",
                **{k: _rounded(v) for k, v in values.items()},
                "support": events,
            }
        )
    rows.append(
        {
            "name": "accuracy (all events)",
            "precision": "",
            "recall": "",
            "f1": _rounded(assessment.accuracy),
            "support": events,
        }
    )
    return rows


def sorting_rows(assessment: Assessment) -> list[dict[str, Any]]:
    """Concentration, enrichment and yield of the sorting class, as AIDeveloper."""
    sorting = assessment.sorting()
    name = assessment.class_names[sorting.class_index]
    threshold = (
        "argmax (most likely class)"
        if assessment.threshold is None
        else f"p({name}) > {assessment.threshold:.3f}"
    )
    return [
        {"name": "Sorting class", "value": name},
        {"name": "Sorted when", "value": threshold},
        {
            "name": "Initial concentration (%)",
            "value": _rounded(sorting.initial_concentration),
        },
        {
            "name": "Final concentration (%)",
            "value": _rounded(sorting.final_concentration),
        },
        {"name": "Enrichment (×)", "value": _rounded(sorting.enrichment)},
        {"name": "Yield (%)", "value": _rounded(sorting.yield_)},
    ]


class MetricsModel(RecordsModel):
    """Per-class precision, recall, F1 and support of an :class:`Assessment`."""

    def __init__(self, parent=None) -> None:
        super().__init__(CLASS_COLUMNS, parent)

    def set_assessment(self, assessment: Assessment) -> None:
        self.set_rows(class_rows(assessment))


class SortingModel(RecordsModel):
    """Concentration, enrichment and yield of the sorting class."""

    def __init__(self, parent=None) -> None:
        super().__init__(SORTING_COLUMNS, parent)

    def set_assessment(self, assessment: Assessment) -> None:
        self.set_rows(sorting_rows(assessment))
