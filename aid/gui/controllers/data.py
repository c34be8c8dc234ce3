"""Owns the dataset table and runs imports in worker threads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PyQt5.QtCore import QObject, pyqtSignal

from aid.data.table import DatasetTable, Session
from aid.gui.controllers.data_import import load_paths, merge_tables
from aid.gui.controllers.tasks import TaskRunner, TaskWorker
from aid.gui.qmodels.dataset_model import DatasetTableModel


class DataController(QObject):
    """The current :class:`DatasetTable` and the actions that change it."""

    import_finished = pyqtSignal(object)  # the new DatasetTable
    error = pyqtSignal(str)
    busy_changed = pyqtSignal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = DatasetTableModel(parent=self)
        self.model.edit_failed.connect(self.error)
        self.tasks = TaskRunner(self)
        self._import: TaskWorker | None = None
        self._panel = None

    def attach(self, panel) -> None:
        """Connect a :class:`DataPanel`'s intents."""
        self._panel = panel
        panel.paths_requested.connect(self.import_paths)
        panel.demo_requested.connect(self.load_demo)
        panel.cancel_requested.connect(self.cancel_import)

    @property
    def table(self) -> DatasetTable:
        return self.model.table

    @property
    def busy(self) -> bool:
        return self._import is not None

    def import_paths(self, paths: Sequence[str | Path]) -> None:
        """Add rows for files, folders and zips (converted in a thread)."""
        if self.busy:
            self.error.emit("An import is still running; wait for it or cancel it.")
            return
        current = self.model.table
        paths = [str(p) for p in paths]
        self._start(
            lambda progress, cancelled: load_paths(paths, current, progress, cancelled),
            "importing…",
        )

    def load_demo(self) -> None:
        """Add the demo dataset (built and cached on first use)."""
        if self.busy:
            return
        current = self.model.table

        def task(progress, cancelled) -> DatasetTable:
            from aid.data.demo import demo_dataset

            return merge_tables(current, demo_dataset())

        self._start(task, "preparing the demo…")

    def _start(self, func, text: str) -> None:
        if self._panel is not None:
            self._panel.set_busy(True, text)
        self.busy_changed.emit(True)
        self._import = self.tasks.start(
            func,
            on_success=self._on_import_succeeded,
            on_error=self._on_import_failed,
            on_progress=self._panel.set_progress if self._panel is not None else None,
            on_finished=self._on_import_finished,
        )

    def cancel_import(self) -> None:
        if self._import is not None:
            self._import.cancel()

    def _on_import_succeeded(self, table: DatasetTable) -> None:
        self.model.set_table(table)
        self.import_finished.emit(table)

    def _on_import_failed(self, message: str) -> None:
        self.error.emit(message)

    def _on_import_finished(self) -> None:
        self._import = None
        if self._panel is not None:
            self._panel.set_busy(False)
        self.busy_changed.emit(False)

    # -- sessions ------------------------------------------------------------------
    def save_session(self, path: str | Path, settings: dict) -> Path:
        return Session(self.model.table, settings).save(path)

    def load_session(self, path: str | Path) -> Session:
        session = Session.load(path)
        self.model.set_table(session.table)
        return session
