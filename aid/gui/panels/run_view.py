"""Live view of one training run: curves, live parameters, change log.

The view only shows things and emits intents (``apply_requested``,
``pause_requested``, ...). :func:`bind_controller` and :func:`bind_watcher`
connect it to a running job or to a run folder written by the CLI.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from aid.augment.form_layout import readable
from aid.gui.controllers.run_folder import read_params_log
from aid.gui.help_texts import TRAIN_TIPS
from aid.gui.panels.augment_section import augment_form_options
from aid.gui.plots.curves import TrainingCurves
from aid.gui.qmodels.records_model import RecordsModel
from aid.gui.widgets.elided_label import ElidedLabel
from aid.gui.widgets.value_form import ValueForm

#: Width of the live-parameter and log column: room for label and value.
SIDE_MIN_WIDTH = 390
LOG_COLUMNS = (
    ("Epoch", "epoch"),
    ("Setting", "key"),
    ("Old", "old"),
    ("New", "new"),
    ("Status", "status"),
)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (bool, int, float, str))


def _is_pair(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    )


def _choices() -> dict[str, tuple[str, ...]]:
    from aid.train.config import FREEZE_MODES, OPTIMIZER_PARAMS, SCHEDULE_PARAMS

    return {
        "optimizer": tuple(OPTIMIZER_PARAMS),
        "lr_schedule": tuple(SCHEDULE_PARAMS),
        "freeze": FREEZE_MODES,
        "class_weights": ("none", "balanced"),
    }


class RunView(QWidget):
    """Curves, live-parameter forms and logs of one run folder."""

    apply_requested = pyqtSignal(dict)
    pause_requested = pyqtSignal()
    resume_requested = pyqtSignal()
    stop_requested = pyqtSignal()
    save_requested = pyqtSignal()

    def __init__(self, run_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_dir = Path(run_dir)
        self._params: dict[str, Any] = {}
        self._forms: dict[str, ValueForm] = {}
        self._paused = False
        self.curves = TrainingCurves()
        self.status_label = QLabel("starting…")
        self.status_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setToolTip(
            "Hold training after the current batch; press again to continue."
        )
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip(
            "End the run after the current batch. Everything saved "
            "so far (history, best models) is kept."
        )
        self.save_button = QPushButton("Save model now")
        self.save_button.setToolTip(
            "Save the current model at the end of this epoch, "
            "whether or not it is the best so far."
        )
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.stop_button.clicked.connect(self.stop_requested)
        self.save_button.clicked.connect(self.save_requested)
        self.side_button = QPushButton("Hide side panel")
        self.side_button.setCheckable(True)
        self.side_button.setChecked(True)
        self.side_button.setToolTip(
            "Show or hide the live parameters and logs, to give the curves "
            "the whole width."
        )
        self.side_button.toggled.connect(self._on_side_toggled)
        self.param_tabs = QTabWidget()
        self.apply_button = QPushButton("Apply at next epoch")
        self.apply_button.setToolTip(
            "Write the changed values to the run's params.json. The run reads them "
            "at the "
            "start of its next epoch; the log below says what was applied or rejected."
        )
        self.apply_button.clicked.connect(self._on_apply_clicked)
        self.log_model = RecordsModel(LOG_COLUMNS, self)
        self.log_view = QTableView()
        self.log_view.setModel(self.log_model)
        self.log_view.horizontalHeader().setStretchLastSection(True)
        self.log_view.verticalHeader().hide()
        self.log_view.setToolTip(
            "Every live change: the epoch that first used it, old and "
            "new value, and whether it was applied or why it was "
            "rejected (from params_log.csv)."
        )
        self.text_log = QPlainTextEdit()
        self.text_log.setReadOnly(True)
        self.text_log.setMaximumBlockCount(5000)
        self.text_log.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.text_log.setToolTip("Metrics of every epoch and messages of the run.")
        self._build_layout()
        self._params_timer = QTimer(self)
        self._params_timer.setInterval(500)
        self._params_timer.timeout.connect(self.reload_params)
        self._params_timer.start()
        self.reload_params()

    def _build_layout(self) -> None:
        name = ElidedLabel(self.run_dir.name, greedy=False)
        font = name.font()
        font.setBold(True)
        name.setFont(font)
        name.setToolTip(str(self.run_dir))
        path = ElidedLabel(str(self.run_dir))
        path.setStyleSheet("color: gray")
        header = QHBoxLayout()
        header.addWidget(name)
        header.addWidget(path, 1)
        header.addWidget(self.status_label)
        for button in (
            self.pause_button,
            self.stop_button,
            self.save_button,
            self.side_button,
        ):
            header.addWidget(button)
        live_box = QGroupBox("Live parameters")
        live_layout = QVBoxLayout(live_box)
        live_layout.addWidget(self.param_tabs, 1)
        live_layout.addWidget(self.apply_button)
        log_box = QGroupBox("Applied and rejected changes")
        QVBoxLayout(log_box).addWidget(self.log_view)
        text_box = QGroupBox("Run log")
        QVBoxLayout(text_box).addWidget(self.text_log)
        self.side = QSplitter(Qt.Vertical)
        for box in (live_box, log_box, text_box):
            self.side.addWidget(box)
        self.side.setSizes([340, 150, 170])
        self.side.setMinimumWidth(SIDE_MIN_WIDTH)
        body = QSplitter(Qt.Horizontal)
        body.addWidget(self.curves)
        body.addWidget(self.side)
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 0)
        body.setSizes([600, SIDE_MIN_WIDTH + 20])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(body, 1)

    def _on_side_toggled(self, shown: bool) -> None:
        self.side.setVisible(shown)
        self.side_button.setText("Hide side panel" if shown else "Show side panel")

    # -- live parameters ---------------------------------------------------------
    def reload_params(self) -> None:
        """(Re)build the forms from ``params.json`` once it exists."""
        path = self.run_dir / "params.json"
        try:
            params = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        self._params_timer.stop()
        from aid.train.params import CONTROL_KEYS

        for key in ("schema_version", *CONTROL_KEYS):
            params.pop(key, None)
        self._params = params
        choices = _choices()
        groups: dict[str, dict[str, Any]] = {
            "Training": {k: v for k, v in params.items() if _is_scalar(v)}
        }
        for key, value in params.items():
            if isinstance(value, dict):
                fields = {
                    k: v for k, v in value.items() if _is_scalar(v) or _is_pair(v)
                }
                if fields:
                    groups[key] = fields
        self.param_tabs.clear()
        self._forms.clear()
        for name, values in groups.items():
            options = (
                augment_form_options()
                if name == "augmentation"
                else {"tooltips": TRAIN_TIPS}
            )
            form = ValueForm(values, choices=choices, **options)
            self._forms[name] = form
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
            scroll.setFrameShape(QScrollArea.NoFrame)
            scroll.setWidget(form)
            self.param_tabs.addTab(scroll, name.replace("_", " ").capitalize())

    def pending_changes(self) -> dict[str, Any]:
        """Values edited in the forms that differ from ``params.json``."""
        changes: dict[str, Any] = {}
        for name, form in self._forms.items():
            if name == "Training":
                changes.update(form.changes(self._params))
            else:
                original = self._params.get(name, {})
                edited = form.values()
                if any(
                    original.get(k) != (list(v) if isinstance(v, tuple) else v)
                    for k, v in edited.items()
                ):
                    changes[name] = {**original, **edited}
        return changes

    def set_form_value(self, key: str, value: Any) -> None:
        """Type a value into the live form (``key`` of the Training tab)."""
        self._forms["Training"].set_values({key: value})

    def _on_apply_clicked(self) -> None:
        changes = self.pending_changes()
        if not changes:
            self.append_log("Nothing changed.")
            return
        self.apply_requested.emit(changes)
        self._params.update(changes)
        self.append_log(
            "Requested for the next epoch: "
            + ", ".join(f"{k} = {v}" for k, v in changes.items())
        )

    def _on_pause_clicked(self) -> None:
        self._paused = not self._paused
        self.pause_button.setText("Resume" if self._paused else "Pause")
        (self.pause_requested if self._paused else self.resume_requested).emit()
        self.set_status("paused" if self._paused else "running")

    # -- incoming data -------------------------------------------------------------
    def add_epoch(self, event: Any) -> None:
        """Plot one :class:`EpochEnded` and log its metrics."""
        self.curves.add_epoch(event.epoch, event.logs, event.learning_rate)
        metrics = "  ".join(
            f"{k} {v:.4f}"
            for k, v in sorted(event.logs.items())
            if isinstance(v, float) and math.isfinite(v)
        )
        seconds = f" ({event.seconds:.1f} s)" if math.isfinite(event.seconds) else ""
        self.append_log(
            f"epoch {event.epoch}{seconds}: {metrics}  lr {event.learning_rate:.3g}"
        )
        if not self._paused:
            self.set_status(f"epoch {event.epoch + 1} done")

    def show_params_applied(self, event: Any) -> None:
        """Log a :class:`ParamsApplied` event and refresh the table from the CSV."""
        for key, value in event.changes.items():
            self.append_log(f"epoch {event.epoch}: applied {key} = {value}")
        for key, reason in event.rejected.items():
            self.append_log(f"epoch {event.epoch}: rejected {key}: {readable(reason)}")
        self.set_params_log(read_params_log(self.run_dir))

    def set_params_log(self, rows: list[dict[str, Any]]) -> None:
        self.log_model.set_rows(rows)
        self.log_view.resizeColumnsToContents()

    def append_log(self, text: str) -> None:
        self.text_log.appendPlainText(text)

    def set_status(self, text: str) -> None:
        self.status_label.setText(text)

    def set_finished(self, status: str) -> None:
        """Disable the run controls at the end, keeping the view for inspection."""
        for button in (
            self.pause_button,
            self.stop_button,
            self.save_button,
            self.apply_button,
        ):
            button.setEnabled(False)
        self.set_status(f"finished: {status}")
        self.append_log(f"Run {status}.")
        self.set_params_log(read_params_log(self.run_dir))


def bind_controller(view: RunView, controller: Any) -> None:
    """Connect a :class:`RunView` to a :class:`TrainingController`."""
    view.apply_requested.connect(controller.apply_changes)
    view.pause_requested.connect(controller.pause)
    view.resume_requested.connect(controller.resume)
    view.stop_requested.connect(controller.stop)
    view.save_requested.connect(controller.save_now)
    controller.epoch_ended.connect(view.add_epoch)
    controller.params_applied.connect(view.show_params_applied)
    controller.failed.connect(lambda message: view.append_log(f"Error: {message}"))
    controller.run_finished.connect(view.set_finished)
    controller.train_event.connect(
        lambda event: (
            view.reload_params() if type(event).__name__ == "TrainingStarted" else None
        )
    )


def bind_watcher(view: RunView, watcher: Any) -> None:
    """Connect a :class:`RunView` to a :class:`RunFolderWatcher` (attached CLI run)."""
    view.apply_requested.connect(watcher.apply_changes)
    view.pause_requested.connect(watcher.pause)
    view.resume_requested.connect(watcher.resume)
    view.stop_requested.connect(watcher.stop)
    view.save_requested.connect(watcher.save_now)
    watcher.epoch_ended.connect(view.add_epoch)
    watcher.params_log_changed.connect(view.set_params_log)
    view.set_status("attached: following files")


if __name__ == "__main__":
    import sys

    from PyQt5.QtWidgets import QApplication

    app = QApplication(sys.argv)
    view = RunView(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
    view.resize(1100, 700)
    view.show()
    sys.exit(app.exec_())
