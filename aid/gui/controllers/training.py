"""One :class:`TrainingController` per training job (architecture §4.6).

It owns the thread, the worker and the :class:`TrainingControl` of one run;
several jobs are several controllers sharing nothing mutable. Live changes go
to the run through ``RUN/params.json`` (:func:`aid.train.params.write_params`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PyQt5.QtCore import QCoreApplication, QObject, Qt, QThread, pyqtSignal, pyqtSlot

from aid.data.table import DatasetTable
from aid.gui.train_worker import TrainWorker
from aid.train.control import TrainingControl
from aid.train.events import EpochEnded, ParamsApplied, TrainingFinished


class TrainingController(QObject):
    """Start, pause, stop and live-edit one training run."""

    train_event = pyqtSignal(object)  # every TrainEvent
    epoch_ended = pyqtSignal(object)  # EpochEnded
    params_applied = pyqtSignal(object)  # ParamsApplied
    run_finished = pyqtSignal(str)  # completed | stopped | failed
    failed = pyqtSignal(str)  # readable message

    def __init__(
        self,
        config: Any,
        table: DatasetTable,
        run_dir: Path,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.config, self.run_dir = config, Path(run_dir)
        self.control = TrainingControl()
        self.status = "ready"
        self.epochs_done = 0
        self._thread = QThread(self)
        self._worker = TrainWorker(config, table, self.run_dir, self.control)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.train_event.connect(self._on_worker_event)
        self._worker.failed.connect(self._on_worker_failed)
        # Direct: quit() is thread-safe; stop_and_wait() blocks the GUI loop
        self._worker.finished.connect(self._thread.quit, Qt.DirectConnection)
        self._thread.finished.connect(self._on_thread_finished)

    # -- commands (GUI thread) ---------------------------------------------------
    def start(self) -> None:
        self.status = "running"
        self._thread.start()

    def pause(self) -> None:
        self.control.pause()
        self.status = "paused"

    def resume(self) -> None:
        self.control.resume()
        self.status = "running"

    def stop(self) -> None:
        self.control.request_stop()
        if self.is_running:
            self.status = "stopping"

    def save_now(self) -> None:
        self.control.save_now()

    def apply_changes(self, changes: dict[str, Any]) -> None:
        """Write live changes; the run applies them at its next epoch boundary."""
        from aid.train.params import write_params

        write_params(self.run_dir, **changes)

    @property
    def is_running(self) -> bool:
        return self._thread.isRunning()

    def stop_and_wait(self, timeout_ms: int = 120_000) -> bool:
        """Request a stop and block until the thread ends (window close)."""
        self.stop()
        finished = self._thread.wait(timeout_ms) if self._thread.isRunning() else True
        # Deliver the worker's last queued events (TrainingFinished, thread finished)
        # now: the GUI loop may not run again before the window closes.
        QCoreApplication.sendPostedEvents(self, 0)
        return finished

    # -- worker signals (GUI thread) -----------------------------------------------
    @pyqtSlot(object)
    def _on_worker_event(self, event: object) -> None:
        self.train_event.emit(event)
        if isinstance(event, EpochEnded):
            self.epochs_done = event.epoch + 1
            self.epoch_ended.emit(event)
        elif isinstance(event, ParamsApplied):
            self.params_applied.emit(event)
        elif isinstance(event, TrainingFinished):
            self.status = event.status
            if event.status == "failed" and event.message:
                self.failed.emit(event.message)

    @pyqtSlot(str)
    def _on_worker_failed(self, message: str) -> None:
        if self.status != "failed":  # not already reported by TrainingFinished
            self.status = "failed"
            self.failed.emit(message)

    @pyqtSlot()
    def _on_thread_finished(self) -> None:
        if self.status in ("running", "paused", "stopping", "ready"):
            self.status = "stopped" if self.control.stop_requested else "completed"
        self.run_finished.emit(self.status)
