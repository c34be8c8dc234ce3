"""Keras callbacks of a run: batch events, pause/stop, per-batch LR schedules.

Epoch-boundary work (live parameters, sampling, checkpoints) happens in the run
loop of :mod:`aid.train.run`, which calls ``fit`` once per AID epoch; these
callbacks only act between batches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

from aid.train.control import TrainingControl
from aid.train.events import BatchEnded, Reporter
from aid.train.schedules import scheduled_lr


def plain_logs(logs: dict[str, Any] | None) -> dict[str, float]:
    """Keras logs as plain floats."""
    return {key: float(value) for key, value in (logs or {}).items()}


class BatchControl(keras.callbacks.Callback):
    """Report each batch; block while paused; stop cooperatively when asked.

    Parameters
    ----------
    control
        Stop/pause flags shared with the UI.
    report
        Receives a :class:`BatchEnded` per step.
    epoch
        Returns the AID epoch being trained (for the events).
    """

    def __init__(
        self, control: TrainingControl, report: Reporter, epoch: Callable[[], int]
    ) -> None:
        super().__init__()
        self._control, self._report, self._epoch = control, report, epoch

    def on_train_batch_end(
        self, batch: int, logs: dict[str, Any] | None = None
    ) -> None:
        """Report the step, then honour pause and stop requests."""
        self._report(BatchEnded(self._epoch(), batch, plain_logs(logs)))
        self._control.wait_if_paused()
        if self._control.stop_requested:
            self.model.stop_training = True  # Keras checks after every batch


class StepCounter:
    """Global optimisation-step counter, kept across epochs, recompiles and resumes."""

    def __init__(self, iteration: int = 0) -> None:
        self.iteration = iteration


class ScheduleCallback(keras.callbacks.Callback):
    """Set the learning rate before every batch from a per-step schedule.

    Parameters
    ----------
    schedule, params, learning_rate
        The run's schedule name, its parameters and base learning rate.
    steps_per_epoch
        Batches per AID epoch (cyclical step size is given in epochs).
    counter
        The global step counter (advanced after each batch).
    """

    def __init__(
        self,
        schedule: str,
        params: dict[str, Any],
        learning_rate: float,
        steps_per_epoch: int,
        counter: StepCounter,
    ) -> None:
        super().__init__()
        self._args = (schedule, params, learning_rate)
        self._steps, self._counter = steps_per_epoch, counter

    def on_train_batch_begin(
        self, batch: int, logs: dict[str, Any] | None = None
    ) -> None:
        """Assign the scheduled rate for this step."""
        schedule, params, learning_rate = self._args
        if schedule != "constant":
            self.model.optimizer.learning_rate.assign(
                scheduled_lr(
                    schedule,
                    params,
                    learning_rate,
                    self._counter.iteration,
                    self._steps,
                )
            )

    def on_train_batch_end(
        self, batch: int, logs: dict[str, Any] | None = None
    ) -> None:
        """Count the step."""
        self._counter.iteration += 1
