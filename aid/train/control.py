"""Thread-safe stop / pause / save-now requests from a UI to the training thread."""

from __future__ import annotations

import threading


class TrainingControl:
    """Stop, pause and save-now flags shared by a UI (any thread) and the trainer.

    The trainer calls :meth:`wait_if_paused` between batches and checks
    :attr:`stop_requested`; stopping is cooperative and lets the run close its
    files. A paused run wakes up when stopped.
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._save = threading.Event()

    def request_stop(self) -> None:
        """Ask the run to stop after the current batch."""
        self._stop.set()
        self._resume.set()  # a paused run must wake up to stop

    @property
    def stop_requested(self) -> bool:
        """Whether a stop was requested."""
        return self._stop.is_set()

    def pause(self) -> None:
        """Block the training thread at its next batch boundary."""
        self._resume.clear()

    def resume(self) -> None:
        """Let a paused run continue."""
        self._resume.set()

    @property
    def paused(self) -> bool:
        """Whether a pause is in force."""
        return not self._resume.is_set()

    def wait_if_paused(self, timeout: float | None = None) -> bool:
        """Block while paused (training thread); ``False`` if ``timeout`` ran out."""
        return self._resume.wait(timeout)

    def save_now(self) -> None:
        """Ask for a model file at the end of the current epoch."""
        self._save.set()

    def take_save_request(self) -> bool:
        """Return and clear a pending save-now request (training thread)."""
        requested = self._save.is_set()
        self._save.clear()
        return requested
