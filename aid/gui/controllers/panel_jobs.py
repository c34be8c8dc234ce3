"""One background job at a time for a panel with a progress row.

The Assess and Classify/Export controllers share this: a panel offering
``set_busy(busy, text, cancellable)`` and ``set_progress(done, total)`` runs
at most one core call at a time, which the user can cancel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PyQt5.QtCore import QObject, pyqtSignal

from aid.gui.controllers.tasks import TaskFunc, TaskRunner, TaskWorker


def start_job(
    tasks: TaskRunner,
    func: TaskFunc,
    *,
    on_done: Callable[[], None],
    on_success: Callable[[Any], None],
    on_error: Callable[[str], None],
    on_progress: Callable[[int, int], None] | None = None,
) -> TaskWorker:
    """Start ``func``; ``on_done`` runs first on success and on failure alike.

    Ending a job on ``succeeded``/``failed`` rather than on ``finished`` avoids a
    race: a task that fails at once may finish before a later ``connect``.
    """

    def succeeded(result: Any) -> None:
        on_done()
        on_success(result)

    def failed(message: str) -> None:
        on_done()
        on_error(message)

    return tasks.start(
        func, on_success=succeeded, on_error=failed, on_progress=on_progress
    )


class PanelJobs(QObject):
    """Runs one job at a time for ``panel``; errors leave through :attr:`error`."""

    error = pyqtSignal(str)

    def __init__(
        self, panel, parent: QObject | None = None, tasks: TaskRunner | None = None
    ) -> None:
        super().__init__(parent)
        self.panel = panel
        self.tasks = tasks or TaskRunner(self)  # the window's: cancelled on close
        self._job: TaskWorker | None = None

    @property
    def busy(self) -> bool:
        """Whether a job is running."""
        return self._job is not None

    def cancel(self) -> None:
        """Ask the running job to stop at its next check."""
        if self._job is not None:
            self._job.cancel()

    def run_job(
        self,
        func: TaskFunc,
        text: str,
        on_success: Callable[[Any], None],
        *,
        cancellable: bool = True,
        busy_message: str = "Another step is still running; wait or cancel it.",
    ) -> None:
        """Start ``func`` unless a job runs (then say ``busy_message``)."""
        if self._job is not None:
            self.error.emit(busy_message)
            return
        self.panel.set_busy(True, text, cancellable)
        self._job = start_job(
            self.tasks,
            func,
            on_done=self._on_job_finished,
            on_success=on_success,
            on_error=self.error.emit,
            on_progress=self.panel.set_progress,
        )

    def _on_job_finished(self) -> None:
        self._job = None
        self.panel.set_busy(False)
