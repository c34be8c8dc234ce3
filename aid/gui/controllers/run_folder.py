"""Follow a run folder on disk: for runs started from the CLI (attach) and for logs.

A :class:`RunFolderWatcher` polls ``RUN/history.csv`` and ``RUN/params_log.csv``
with a ``QTimer`` and emits the same :class:`~aid.train.events.EpochEnded`
records a live run reports, so one view serves both cases.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PyQt5.QtCore import QObject, QTimer, pyqtSignal

from aid.train.events import EpochEnded
from aid.train.params import PARAMS_LOG as PARAMS_LOG_FILE
from aid.train.params import write_params
from aid.train.run_folder import HISTORY_FILE, HISTORY_TAIL, read_csv_rows

#: history.csv columns that are not Keras logs
_NON_LOG_COLUMNS = (*HISTORY_TAIL, "epoch", "time")


def _number(text: str | None) -> float:
    try:
        return float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _read_rows(path: Path) -> list[dict[str, str]]:
    try:
        return [row for row in read_csv_rows(path) if row.get("epoch")]
    except (OSError, ValueError):
        return []  # being replaced right now: try again at the next poll


def read_history(run_dir: Path) -> list[EpochEnded]:
    """Epochs recorded in ``RUN/history.csv`` (complete rows only)."""
    events = []
    for row in _read_rows(Path(run_dir) / HISTORY_FILE):
        logs = {
            k: _number(v) for k, v in row.items() if k and k not in _NON_LOG_COLUMNS
        }
        events.append(
            EpochEnded(
                int(_number(row["epoch"])),
                logs,
                _number(row.get("learning_rate", "")),
                _number(row.get("seconds", "")),
            )
        )
    return events


def read_params_log(run_dir: Path) -> list[dict[str, Any]]:
    """Rows of ``RUN/params_log.csv``: epoch, time, key, old, new, status."""
    rows: list[dict[str, Any]] = []
    for row in _read_rows(Path(run_dir) / PARAMS_LOG_FILE):
        rows.append({**row, "epoch": int(_number(row["epoch"]))})
    return rows


class RunFolderWatcher(QObject):
    """Poll a run folder and report new epochs and parameter-log rows."""

    epoch_ended = pyqtSignal(object)  # EpochEnded
    params_log_changed = pyqtSignal(list)

    def __init__(
        self, run_dir: Path, interval_ms: int = 1000, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.run_dir = Path(run_dir)
        self._epochs_seen = 0
        self._log_stamp: tuple[float, int] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)

    def start_polling(self) -> None:
        self.poll()
        self._timer.start()

    def stop_polling(self) -> None:
        self._timer.stop()

    def poll(self) -> None:
        """Read what is new since the last poll."""
        history = read_history(self.run_dir)
        for event in history[self._epochs_seen :]:
            self.epoch_ended.emit(event)
        self._epochs_seen = max(self._epochs_seen, len(history))
        log_path = self.run_dir / PARAMS_LOG_FILE
        if log_path.exists():
            stat = log_path.stat()
            stamp = (stat.st_mtime, stat.st_size)
            if stamp != self._log_stamp:
                self._log_stamp = stamp
                self.params_log_changed.emit(read_params_log(self.run_dir))

    def apply_changes(self, changes: dict[str, Any]) -> None:
        """Write live changes for the run to pick up at its next epoch."""
        write_params(self.run_dir, **changes)

    # A run started elsewhere takes requests through control keys of params.json.
    def pause(self) -> None:
        write_params(self.run_dir, pause=True)

    def resume(self) -> None:
        write_params(self.run_dir, pause=False)

    def stop(self) -> None:
        write_params(self.run_dir, stop=True)

    def save_now(self) -> None:
        write_params(self.run_dir, save_now=True)
