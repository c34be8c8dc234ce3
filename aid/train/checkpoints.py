"""Validation records and the checkpoints they trigger (AIDeveloper §7).

After each epoch every monitored metric is compared with its best so far
(losses: lower is better, everything else: higher); a new record, or a save-now
request, writes ``NAME_<epoch>.keras``. Nothing is ever deleted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from aid.train.events import CheckpointSaved

SAVE_NOW = "save_now"
#: Monitors that expand to one record per class.
PER_CLASS_MONITORS = ("val_precision", "val_recall")


def expand_monitors(monitors: Sequence[str], num_classes: int) -> tuple[str, ...]:
    """Replace ``val_precision``/``val_recall`` by their per-class keys."""
    expanded: list[str] = []
    for monitor in monitors:
        if monitor in PER_CLASS_MONITORS:
            expanded += [f"{monitor}_{i}" for i in range(num_classes)]
        else:
            expanded.append(monitor)
    return tuple(expanded)


def per_class_precision_recall(
    labels: np.ndarray, predicted: np.ndarray, num_classes: int
) -> dict[str, float]:
    """``val_precision_<i>`` and ``val_recall_<i>`` per class (0 when undefined)."""
    logs: dict[str, float] = {}
    for i in range(num_classes):
        hits = float(np.sum((predicted == i) & (labels == i)))
        called, actual = float(np.sum(predicted == i)), float(np.sum(labels == i))
        logs[f"val_precision_{i}"] = hits / called if called else 0.0
        logs[f"val_recall_{i}"] = hits / actual if actual else 0.0
    return logs


def lower_is_better(monitor: str) -> bool:
    """Whether a smaller value of ``monitor`` is a better model."""
    return monitor.endswith("loss")


@dataclass
class Records:
    """Best value of each monitored metric and the file that holds it."""

    best: dict[str, float] = field(default_factory=dict)
    best_files: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def update(
        self,
        epoch: int,
        logs: Mapping[str, float],
        monitors: Sequence[str],
        save_now: bool,
        save: Callable[[], Path],
    ) -> list[CheckpointSaved]:
        """Record new bests; call ``save`` once if any record broke or ``save_now``."""
        broken = []
        for monitor in monitors:
            value = logs.get(monitor)
            if value is None or not math.isfinite(value):
                continue
            best = self.best.get(monitor)
            if best is None or (
                value < best if lower_is_better(monitor) else value > best
            ):
                self.best[monitor] = value
                broken.append((monitor, value))
        if save_now:
            broken.append((SAVE_NOW, math.nan))
        if not broken:
            return []
        path = save()
        if str(path) not in self.files:
            self.files.append(str(path))
        for monitor, _ in broken:
            if monitor != SAVE_NOW:
                self.best_files[monitor] = str(path)
        return [
            CheckpointSaved(epoch, path, monitor, value) for monitor, value in broken
        ]

    def best_file(self, monitors: Sequence[str]) -> Path | None:
        """Checkpoint of the first monitor that has one."""
        for monitor in monitors:
            if monitor in self.best_files:
                return Path(self.best_files[monitor])
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for the resumable state."""
        return {"best": self.best, "best_files": self.best_files, "files": self.files}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Records:
        """Inverse of :meth:`to_dict`."""
        return cls(
            dict(raw.get("best", {})),
            dict(raw.get("best_files", {})),
            list(raw.get("files", [])),
        )
