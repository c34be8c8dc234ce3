"""The closed set of events a training run reports.

Progress leaves the training core only as these immutable records; the CLI
prints them, the GUI plots them and tests collect them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeAlias

FinishStatus = Literal["completed", "stopped", "failed"]


@dataclass(frozen=True, slots=True)
class TrainingStarted:
    """A run is about to train its first (or, on resume, next) epoch."""

    total_epochs: int
    steps_per_epoch: int
    config: Mapping[str, Any]
    first_epoch: int = 0


@dataclass(frozen=True, slots=True)
class BatchEnded:
    """One optimisation step finished (``step`` counts within the epoch)."""

    epoch: int
    step: int
    logs: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class EpochEnded:
    """An AID epoch finished, validation included."""

    epoch: int
    logs: Mapping[str, float]
    learning_rate: float
    seconds: float


@dataclass(frozen=True, slots=True)
class ParamsApplied:
    """Live parameters read at the start of ``epoch``.

    ``changes`` maps each applied key to its new value; ``rejected`` maps each
    refused key to the reason.
    """

    epoch: int
    changes: Mapping[str, Any]
    rejected: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CheckpointSaved:
    """A model file was written after ``epoch`` because ``monitor`` set a record."""

    epoch: int
    path: Path
    monitor: str
    value: float


@dataclass(frozen=True, slots=True)
class TrainingFinished:
    """The run ended; ``status`` says how."""

    status: FinishStatus
    epochs_run: int
    message: str = ""


TrainEvent: TypeAlias = (
    TrainingStarted
    | BatchEnded
    | EpochEnded
    | ParamsApplied
    | CheckpointSaved
    | TrainingFinished
)
Reporter: TypeAlias = Callable[[TrainEvent], None]


def ignore_event(event: TrainEvent) -> None:
    """Drop ``event`` (the default reporter)."""
