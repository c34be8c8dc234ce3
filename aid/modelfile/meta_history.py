"""The training history recorded in an AIDeveloper meta file, in AID's terms.

AIDeveloper's ``History`` sheet has one row per epoch (the index column) with
Keras' metrics under the names of its version (``acc``/``val_acc`` in old files,
``accuracy``/``val_accuracy`` in 0.4.8), ``Saved`` (1 when that epoch's model
was written) and ``Time`` (seconds the epoch took); 0.4.8 adds ``LearningRate``.
``aideveloper-files.md`` §3 describes the sheet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from aid.modelfile.meta_xlsx import ROW_KEY, AidMeta

#: AIDeveloper's History columns (normalised) and AID's names for them.
METRIC_NAMES: dict[str, str] = {
    "acc": "accuracy",
    "val_acc": "val_accuracy",
    "learningrate": "learning_rate",
    "time": "seconds",
}
#: History columns that are not measures.
NOT_METRICS = frozenset({ROW_KEY, "saved"})


@dataclass(frozen=True)
class MetaHistory:
    """Measures per epoch and the epochs whose model AIDeveloper saved."""

    epochs: np.ndarray
    metrics: dict[str, np.ndarray] = field(default_factory=dict)
    saved: frozenset[int] = frozenset()


def meta_history(meta: AidMeta) -> MetaHistory:
    """Read ``meta``'s History sheet; rows without an integer epoch are skipped."""
    rows = [row for row in meta.history if _epoch(row) is not None]
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in NOT_METRICS and key not in columns]
    metrics = {
        METRIC_NAMES.get(key, key): np.array([_float(row.get(key)) for row in rows])
        for key in columns
    }
    return MetaHistory(
        epochs=np.array([_epoch(row) for row in rows], dtype=np.int64),
        metrics=metrics,
        saved=frozenset(_epoch(row) for row in rows if row.get("saved") == 1),
    )


def _epoch(row: dict) -> int | None:
    value = row.get(ROW_KEY)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if float(value).is_integer() else None


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)
