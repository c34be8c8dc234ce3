"""The History tab's data: read a run folder and follow it while a run writes it.

:func:`read_run_history` turns ``RUN/history.csv`` and the checkpoint files
``RUN/NAME_<epoch>.keras`` into a :class:`RunHistory`, and also reads the
History sheet of an AIDeveloper ``NAME_meta.xlsx`` with its saved
``NAME_<epoch>.model`` files (AIDeveloper rewrites the sheet while it trains); the
:class:`HistoryController` shows it in a :class:`HistoryPanel` and re-reads the
folder when it changes (a ``QTimer`` compares file times and sizes, which also
works on network drives where file-system notifications are unreliable).
"""

from __future__ import annotations

import glob
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PyQt5.QtCore import QObject, QTimer, pyqtSignal

from aid.errors import AidError, TrainingError
from aid.modelfile.legacy import split_checkpoint_name
from aid.modelfile.meta_history import meta_history
from aid.modelfile.meta_xlsx import read_aid_meta
from aid.train.run_folder import HISTORY_FILE, read_csv_rows

#: history.csv columns that are not plottable metrics.
NON_METRIC_COLUMNS = ("epoch", "time", "checkpoint")
#: Model files that can be checkpoints of a run.
CHECKPOINT_PATTERNS = ("*.keras", "*.model")
#: Ending of AIDeveloper's meta files (``NAME_meta.xlsx``).
AIDEVELOPER_META = "_meta.xlsx"


@dataclass(frozen=True)
class RunHistory:
    """Metrics per epoch of one run and the checkpoint files saved on the way.

    ``source`` is what was opened: the run folder, or an AIDeveloper meta file
    in ``run_dir``.
    """

    run_dir: Path
    epochs: np.ndarray
    metrics: dict[str, np.ndarray] = field(default_factory=dict)
    checkpoints: dict[int, Path] = field(default_factory=dict)
    source: Path | None = None

    @property
    def opened(self) -> Path:
        """The folder or file this history was read from."""
        return self.source or self.run_dir

    def nearest_checkpoint(self, epoch: float) -> int | None:
        """Epoch of the saved model closest to ``epoch`` (``None`` if none saved)."""
        if not self.checkpoints:
            return None
        return min(self.checkpoints, key=lambda saved: (abs(saved - epoch), saved))


def _number(text: str | None) -> float:
    try:
        return float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def find_checkpoints(run_dir: Path) -> dict[int, Path]:
    """Model files named ``NAME_<epoch>`` in ``run_dir`` by epoch."""
    found: dict[int, Path] = {}
    for pattern in CHECKPOINT_PATTERNS:
        for path in sorted(Path(run_dir).glob(pattern)):
            _, epoch = split_checkpoint_name(path.stem)
            if epoch >= 0:
                found.setdefault(epoch, path)
    return found


def read_run_history(run_dir: str | Path) -> RunHistory:
    """Read ``RUN/history.csv`` (complete rows) and find the checkpoints.

    ``run_dir`` may also be an AIDeveloper ``NAME_meta.xlsx`` file, or a folder
    without ``history.csv`` that holds exactly one.

    Raises
    ------
    TrainingError
        If ``run_dir`` is neither, or the file cannot be read.
    """
    folder = Path(run_dir)
    if folder.is_file() and folder.name.endswith(AIDEVELOPER_META):
        return read_aideveloper_history(folder)
    path = folder / HISTORY_FILE
    if not folder.is_dir():
        raise TrainingError(f"{folder} is not a folder")
    if not path.is_file():
        metas = sorted(folder.glob(f"*{AIDEVELOPER_META}"))
        if len(metas) == 1:
            return read_aideveloper_history(metas[0])
        if metas:
            names = ", ".join(meta.name for meta in metas)
            raise TrainingError(
                f"{folder} holds {len(metas)} AIDeveloper meta files ({names}); "
                "open one of them with 'AIDeveloper file…'"
            )
        raise TrainingError(
            f"{folder} has no {HISTORY_FILE}; choose a run folder "
            "written by AID training, or an AIDeveloper model folder "
            f"(with a *{AIDEVELOPER_META} file)"
        )
    try:
        rows = [row for row in read_csv_rows(path) if row.get("epoch")]
    except (OSError, ValueError) as exc:
        raise TrainingError(f"{path} cannot be read: {exc}") from exc
    columns = [
        c for c in (rows[0] if rows else {}) if c and c not in NON_METRIC_COLUMNS
    ]
    metrics = {c: np.array([_number(r.get(c)) for r in rows]) for c in columns}
    epochs = np.array([int(_number(r["epoch"])) for r in rows], dtype=np.int64)
    return RunHistory(folder, epochs, metrics, find_checkpoints(folder))


def read_aideveloper_history(meta_path: Path) -> RunHistory:
    """History of an AIDeveloper meta file and its saved ``NAME_<epoch>.model`` files.

    Only checkpoints of epochs whose History row says ``Saved`` = 1 are listed:
    other files of that name may be left over from an earlier run.

    Raises
    ------
    TrainingError
        If the file is not a readable AIDeveloper meta file.
    """
    try:
        history = meta_history(read_aid_meta(meta_path))
    except AidError as exc:
        raise TrainingError(str(exc)) from exc
    name = meta_path.name[: -len(AIDEVELOPER_META)]
    checkpoints: dict[int, Path] = {}
    for path in sorted(meta_path.parent.glob(f"{glob.escape(name)}_*.model")):
        stem_name, epoch = split_checkpoint_name(path.stem)
        if stem_name == name and epoch in history.saved:
            checkpoints[epoch] = path
    return RunHistory(
        meta_path.parent, history.epochs, history.metrics, checkpoints, meta_path
    )


def rolling_median(values: np.ndarray, window: int) -> np.ndarray:
    """Median of the last ``window`` values at each position (NaNs ignored)."""
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, math.nan)
    for i in range(len(values)):
        part = values[max(0, i - window + 1) : i + 1]
        if np.isfinite(part).any():
            out[i] = float(np.nanmedian(part))
    return out


def folder_stamp(run_dir: Path) -> tuple:
    """Return a value that changes when the history grows or a model is saved.

    ``run_dir`` may be an AIDeveloper meta file (its folder holds the models).
    """
    run_dir = Path(run_dir)
    history = run_dir if run_dir.is_file() else run_dir / HISTORY_FILE
    folder = run_dir.parent if run_dir.is_file() else run_dir
    stat = history.stat() if history.exists() else None
    models = sorted(
        p.name for pattern in CHECKPOINT_PATTERNS for p in folder.glob(pattern)
    )
    return (stat.st_mtime_ns, stat.st_size) if stat else None, tuple(models)


class HistoryController(QObject):
    """Open run folders for a :class:`HistoryPanel`; refresh it while they grow."""

    error = pyqtSignal(str)
    history_loaded = pyqtSignal(object)  # RunHistory

    def __init__(
        self, panel, parent: QObject | None = None, poll_ms: int = 1500
    ) -> None:
        super().__init__(parent)
        self.panel = panel
        self.history: RunHistory | None = None
        self._stamp: tuple | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.refresh)
        panel.folder_requested.connect(self.open_folder)

    def open_folder(self, run_dir: str | Path) -> bool:
        """Show the run in ``run_dir``; a readable error otherwise (returns success)."""
        try:
            history = read_run_history(run_dir)
        except AidError as exc:
            self.error.emit(str(exc))
            return False
        self._show(history)
        self._timer.start()
        return True

    def refresh(self) -> None:
        """Re-read the open folder if its files changed."""
        if self.history is None:
            return
        opened = self.history.opened
        if folder_stamp(opened) == self._stamp:
            return
        try:
            self._show(read_run_history(opened))
        except AidError:
            pass  # the file is being replaced right now: try again at the next poll

    def _show(self, history: RunHistory) -> None:
        self.history = history
        self._stamp = folder_stamp(history.opened)
        self.panel.set_history(history)
        self.history_loaded.emit(history)

    def stop(self) -> None:
        self._timer.stop()


def route_history_requests(window, request: str, open_model, panel) -> None:
    """Send the History tab's ``request`` signal (a checkpoint path) to another tab.

    ``open_model(path)`` loads the checkpoint there and ``panel`` is brought to front.
    """
    history = getattr(window, "history", None)
    if history is None:
        return

    def handle(path: str) -> None:
        open_model(path)
        window.tabs.setCurrentWidget(panel)

    getattr(history.panel, request).connect(handle)


def make_history_tab(window):
    """Main-window factory: the History tab, fed by runs started in the Train tab."""
    from aid.gui.panels.history_panel import HistoryPanel

    panel = HistoryPanel()
    controller = HistoryController(panel, window)
    controller.error.connect(window.show_error)
    training = getattr(window, "training", None)
    if training is not None and hasattr(training, "run_started"):
        training.run_started.connect(lambda job: panel.add_session_run(job.run_dir))
    window.history = controller
    return panel
