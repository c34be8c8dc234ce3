"""The worker that runs :func:`aid.train.run.run_training` in a ``QThread``.

It never touches a widget: it gets a frozen config snapshot and the data
table, reports the core's immutable events through a queued signal and
receives stop/pause requests only through :class:`TrainingControl`.
"""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import QObject, pyqtSignal, pyqtSlot

from aid.data.table import DatasetTable
from aid.gui.controllers.tasks import import_training_stack, readable_error
from aid.train.control import TrainingControl


class TrainWorker(QObject):
    """Calls the core training function; every event leaves as a signal."""

    train_event = pyqtSignal(
        object
    )  # a TrainEvent; queued across threads (not `event`: QObject.event)
    failed = pyqtSignal(str)
    finished = pyqtSignal()

    def __init__(
        self, config, table: DatasetTable, run_dir: Path, control: TrainingControl
    ) -> None:
        super().__init__()
        self._config, self._table = config, table
        self._run_dir, self._control = Path(run_dir), control

    @pyqtSlot()
    def run(self) -> None:
        try:
            # Imported here, on the worker thread: Keras loads off the GUI thread.
            import_training_stack()
            from aid.train.run import run_training

            run_training(
                self._config,
                self._table,
                run_dir=self._run_dir,
                control=self._control,
                report=self.train_event.emit,
            )
        except (
            Exception
        ) as exc:  # report every failure; the thread must not die silently
            self.failed.emit(readable_error(exc))
        finally:
            self.finished.emit()
