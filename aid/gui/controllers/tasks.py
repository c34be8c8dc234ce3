"""Run slow core calls off the GUI thread (architecture §4.8).

A :class:`TaskRunner` starts each function in its own ``QThread`` through a
:class:`TaskWorker`; results, progress and errors come back as queued signals
and are handled on the GUI thread. Errors arrive as readable text (never a
traceback in a dialog); unexpected ones are also printed to stderr for bug reports.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PyQt5.QtCore import QObject, Qt, QThread, pyqtSignal, pyqtSlot

from aid.errors import AidError

#: Serialises the first import of TensorFlow/Keras: importing them from two threads
#: at once can deadlock in Python's import machinery.
_HEAVY_IMPORT_LOCK = threading.Lock()


def import_training_stack() -> None:
    """Import Keras, TensorFlow and the training core (worker threads; idempotent)."""
    with _HEAVY_IMPORT_LOCK:
        import keras  # noqa: F401

        import aid.train.run  # noqa: F401
        import aid.zoo_registry  # noqa: F401


#: A task gets ``progress(done, total)`` and ``cancelled() -> bool``.
TaskFunc = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


def readable_error(exc: BaseException) -> str:
    """One message a user can act on; tracebacks go to stderr only."""
    if isinstance(exc, AidError):
        return str(exc)
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    if isinstance(exc, MemoryError):
        return (
            "Not enough memory for this step. Try fewer events or a smaller input size."
        )
    if isinstance(exc, OSError):
        return f"A file could not be read or written: {exc}"
    return f"Unexpected error ({type(exc).__name__}): {exc}"


class TaskWorker(QObject):
    """Runs one :data:`TaskFunc` in a worker thread."""

    progress = pyqtSignal(int, int)
    succeeded = pyqtSignal(object)
    failed = pyqtSignal(str)
    finished = pyqtSignal()

    def __init__(self, func: TaskFunc) -> None:
        super().__init__()
        self._func = func
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the task to stop at its next check (thread-safe)."""
        self._cancel.set()

    @pyqtSlot()
    def run(self) -> None:
        try:
            result = self._func(self.progress.emit, self._cancel.is_set)
        except (
            Exception
        ) as exc:  # every failure is reported; the thread must not die silently
            self.failed.emit(readable_error(exc))
        else:
            self.succeeded.emit(result)
        finally:
            self.finished.emit()


class TaskRunner(QObject):
    """Starts tasks in threads and keeps them alive until they finish."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[TaskWorker, QThread] = {}
        self._closed = False

    def start(
        self,
        func: TaskFunc,
        *,
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        on_finished: Callable[[], None] | None = None,
    ) -> TaskWorker:
        """Run ``func`` in a new thread; callbacks run on the GUI thread.

        After :meth:`close` nothing runs: the worker is returned unstarted (a
        timer that fires while the window closes must not start a thread that
        the window's deletion would then destroy while it runs).
        """
        worker = TaskWorker(func)
        if self._closed:
            return worker
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        if on_success is not None:
            worker.succeeded.connect(on_success)
        if on_error is not None:
            worker.failed.connect(on_error)
        if on_progress is not None:
            worker.progress.connect(on_progress)
        if on_finished is not None:  # before start(): a fast task cannot miss it
            worker.finished.connect(on_finished)
        # Direct: quit() is thread-safe, and a queued call would wait for the GUI loop
        worker.finished.connect(thread.quit, Qt.DirectConnection)
        thread.finished.connect(lambda: self._forget(worker))
        self._running[worker] = thread
        thread.start()
        return worker

    def _forget(self, worker: TaskWorker) -> None:
        thread = self._running.pop(worker, None)
        if thread is not None:
            thread.deleteLater()
        worker.deleteLater()

    @property
    def busy(self) -> bool:
        """Whether any task is still running."""
        return bool(self._running)

    def cancel_all(self, wait_ms: int = 30_000) -> None:
        """Cancel every task and wait for the threads to end."""
        for worker, thread in list(self._running.items()):
            worker.cancel()
            thread.wait(wait_ms)

    def close(self, wait_ms: int = 30_000) -> None:
        """Cancel every task, wait for it, and start none from now on (window close)."""
        self._closed = True
        self.cancel_all(wait_ms)
