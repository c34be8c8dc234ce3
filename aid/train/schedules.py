"""Learning-rate schedules evaluated per optimisation step (AIDeveloper §3).

Pure functions of the global iteration (batches since the run started, counted
across epochs and resumes), so a schedule continues seamlessly after a live
change, a recompile or a resume.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

#: AIDeveloper's defaults for the schedule parameters.
EXPONENTIAL_DEFAULTS = {"decay_steps": 100, "decay_rate": 0.96}
CYCLICAL_DEFAULTS = {
    "max_lr": 0.006,
    "step_size_epochs": 8,
    "mode": "triangular",
    "gamma": 0.99995,
}


def exponential_lr(
    iteration: int, initial_lr: float, decay_steps: float, decay_rate: float
) -> float:
    """``initial_lr * decay_rate ** (iteration / decay_steps)`` (smooth decay)."""
    return float(initial_lr * decay_rate ** (iteration / decay_steps))


def cyclical_lr(
    iteration: int,
    base_lr: float,
    max_lr: float,
    step_size: float,
    mode: str = "triangular",
    gamma: float = 1.0,
) -> float:
    """Cyclical learning rate of Smith (2017), as in AIDeveloper.

    Parameters
    ----------
    iteration
        Global batch counter.
    base_lr, max_lr
        Bounds of the cycle.
    step_size
        Half a cycle, in iterations.
    mode
        ``"triangular"`` (fixed amplitude), ``"triangular2"`` (amplitude halved
        every cycle) or ``"exp_range"`` (amplitude times ``gamma ** iteration``).
    gamma
        Decay base of ``"exp_range"``.
    """
    cycle = math.floor(1 + iteration / (2 * step_size))
    x = abs(iteration / step_size - 2 * cycle + 1)
    scale = 1.0
    if mode == "triangular2":
        scale = 1 / (2.0 ** (cycle - 1))
    elif mode == "exp_range":
        scale = gamma**iteration
    return float(base_lr + (max_lr - base_lr) * max(0.0, 1 - x) * scale)


def scheduled_lr(
    schedule: str,
    params: Mapping[str, Any],
    learning_rate: float,
    iteration: int,
    steps_per_epoch: int,
) -> float:
    """Return the learning rate at ``iteration`` for a run's schedule.

    ``learning_rate`` is the constant rate, the initial rate of the exponential
    decay and the lower bound of the cyclical schedule.
    """
    if schedule == "exponential":
        merged = {**EXPONENTIAL_DEFAULTS, **params}
        return exponential_lr(
            iteration,
            learning_rate,
            float(merged["decay_steps"]),
            float(merged["decay_rate"]),
        )
    if schedule == "cyclical":
        merged = {**CYCLICAL_DEFAULTS, **params}
        step_size = max(
            1.0, float(merged["step_size_epochs"]) * max(1, steps_per_epoch)
        )
        return cyclical_lr(
            iteration,
            learning_rate,
            float(merged["max_lr"]),
            step_size,
            str(merged["mode"]),
            float(merged["gamma"]),
        )
    return float(learning_rate)
