"""The resumable state of a run: ``RUN/state/``.

After every completed epoch the model (with optimizer state) is written to
``state/epoch_<E>.keras`` and then ``state/state.json`` (epoch, step counter,
records, config in force, params file as seen, ...) is replaced atomically to
point at it; only then are older state models removed. A kill at any moment
leaves ``state.json`` pointing at a complete model of the last completed epoch.
Randomness is derived from ``(seed, epoch)``, so nothing else needs saving.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras

from aid.errors import TrainingError
from aid.modelfile.meta import ModelMeta
from aid.train.callbacks import StepCounter
from aid.train.checkpoints import Records
from aid.train.config import TrainConfig
from aid.train.run_folder import atomic_write_json

STATE_DIR = "state"
STATE_FILE = "state.json"
STATE_SCHEMA_VERSION = 1


@dataclass
class RunState:
    """Mutable progress of a run, saved after every epoch."""

    next_epoch: int = 0
    counter: StepCounter = field(default_factory=StepCounter)
    records: Records = field(default_factory=Records)
    parameter_rows: list[dict[str, Any]] = field(default_factory=list)
    history_columns: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "next_epoch": self.next_epoch,
            "iteration": self.counter.iteration,
            "records": self.records.to_dict(),
            "parameter_rows": self.parameter_rows,
            "history_columns": self.history_columns,
            "elapsed": self.elapsed,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RunState:
        """Inverse of :meth:`to_dict`."""
        return cls(
            int(raw["next_epoch"]),
            StepCounter(int(raw["iteration"])),
            Records.from_dict(raw["records"]),
            list(raw["parameter_rows"]),
            list(raw["history_columns"]),
            float(raw["elapsed"]),
        )


@dataclass(frozen=True)
class SavedState:
    """What :func:`load_state` found."""

    state: RunState
    config: TrainConfig
    seen: dict[str, Any]
    model_path: Path


def save_state(
    run_dir: Path,
    model: keras.Model,
    meta: ModelMeta,
    config: TrainConfig,
    seen: dict[str, Any],
    state: RunState,
) -> Path:
    """Write the model and state of the last completed epoch; returns state.json."""
    from aid.modelfile.io import save_model, sidecar_path

    folder = run_dir / STATE_DIR
    folder.mkdir(exist_ok=True)
    model_path = save_model(model, meta, folder / f"epoch_{state.next_epoch - 1}.keras")
    raw = {
        "schema_version": STATE_SCHEMA_VERSION,
        **state.to_dict(),
        "config": config.to_dict(),
        "seen": seen,
        "model_file": model_path.name,
    }
    target = atomic_write_json(folder / STATE_FILE, raw)
    for old in folder.glob("epoch_*.keras"):
        if old != model_path:
            old.unlink(missing_ok=True)
            sidecar_path(old).unlink(missing_ok=True)
    return target


def load_state(run_dir: Path) -> SavedState | None:
    """State of the last completed epoch; ``None`` when no epoch completed yet.

    Raises
    ------
    TrainingError
        When the state file is unreadable or its model file is missing.
    """
    path = run_dir / STATE_DIR / STATE_FILE
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        state = RunState.from_dict(raw)
        config = TrainConfig.from_dict(raw["config"])
        seen = dict(raw["seen"])
        model_path = path.parent / raw["model_file"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TrainingError(
            f"{path}: cannot read the saved training state ({exc})"
        ) from exc
    if not model_path.exists():
        raise TrainingError(
            f"{model_path}: the saved model of the last epoch is missing"
        )
    return SavedState(state, config, seen, model_path)
