"""The History tab: metrics of any run folder against epoch; pick a checkpoint.

The panel only shows and emits intents (``folder_requested``: a run folder or
an AIDeveloper meta file,
``assess_requested``, ``export_requested``); :class:`HistoryController` reads
the folder. Click near a point of the plot to select the checkpoint of that
epoch (or the nearest saved one).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import QPointF, Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from aid.gui.controllers.history import RunHistory, rolling_median
from aid.gui.plots.curves import PALETTE, styled_plot

DEFAULT_METRICS = ("accuracy", "val_accuracy")
#: A click selects the nearest point within this many pixels.
CLICK_RADIUS_PX = 15.0
METRIC_TIPS = {
    "loss": "The quantity the optimiser makes smaller, on the training sample.",
    "accuracy": "Share of correctly classified training images.",
    "val_loss": "Loss on the validation files the model never learns from.",
    "val_accuracy": "Share of correctly classified validation images: the best guide "
    "to how the model does on new data.",
    "learning_rate": "Step size of the optimiser in that epoch.",
    "seconds": "Time the epoch took.",
}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def base_name(metric: str) -> str:
    """``val_accuracy`` and ``accuracy`` share a colour."""
    return metric[4:] if metric.startswith("val_") else metric


class HistoryPanel(QWidget):
    """Plot of a run's metrics with checkpoint selection."""

    folder_requested = pyqtSignal(str)
    assess_requested = pyqtSignal(str)
    export_requested = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history: RunHistory | None = None
        self.selected_epoch: int | None = None
        self._items: dict[str, pg.PlotDataItem] = {}
        self._median_items: dict[str, pg.PlotDataItem] = {}
        self._colours: dict[str, str] = {}
        self.plot = styled_plot(  # middle right: accuracy ends high, loss low
            "Training history", "value", legend_corner=(1, 0.5)
        )
        self.plot.setToolTip(
            "Each point is one epoch. Click a point to select the model "
            "saved at that epoch (or the nearest saved one)."
        )
        self.marker = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen("#444444", width=1, style=Qt.DashLine)
        )
        self.marker.setVisible(False)
        self.plot.addItem(self.marker, ignoreBounds=True)
        self.plot.scene().sigMouseClicked.connect(self._on_plot_clicked)
        self._build_controls()
        self._build_layout()
        self._update_selection_widgets()

    # -- construction --------------------------------------------------------
    def _build_controls(self) -> None:
        self.open_button = QPushButton("Open run folder…")
        self.open_button.setToolTip(
            "Choose a folder written by a training run (it holds "
            "history.csv and the saved models), or an AIDeveloper model folder."
        )
        self.open_button.clicked.connect(self._on_open_clicked)
        self.aideveloper_button = QPushButton("AIDeveloper file…")
        self.aideveloper_button.setToolTip(
            "Open the NAME_meta.xlsx of a model trained with AIDeveloper: its "
            "History sheet is plotted and its saved NAME_<epoch>.model files "
            "can be picked."
        )
        self.aideveloper_button.clicked.connect(self._on_aideveloper_clicked)
        self.runs_combo = QComboBox()
        self.runs_combo.setToolTip(
            "Runs started in this session; pick one to follow it while it trains."
        )
        self.runs_combo.addItem("Runs of this session…")
        self.runs_combo.activated.connect(self._on_runs_combo_activated)
        self.folder_label = QLabel("No run folder open.")
        self.folder_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.metric_list = QListWidget()
        self.metric_list.setToolTip("Tick the measures to plot.")
        self.metric_list.itemChanged.connect(self._redraw)
        self.median_check = QCheckBox("Rolling median:")
        self.median_check.setChecked(True)
        self.median_check.setToolTip(
            "Draw a smoothed line: the median of the last N "
            "epochs. It shows the trend through noisy values."
        )
        self.median_spin = QSpinBox()
        self.median_spin.setRange(1, 50)
        self.median_spin.setValue(10)
        self.median_spin.setSuffix(" epochs")
        self.median_spin.setToolTip("Number of epochs the rolling median looks back.")
        self.checkpoints_only = QCheckBox("Saved models only")
        self.checkpoints_only.setToolTip(
            "Show only the epochs whose model was saved "
            "(a new best value, or 'Save model now')."
        )
        for box in (self.median_check, self.checkpoints_only):
            box.toggled.connect(self._redraw)
        self.median_spin.valueChanged.connect(self._redraw)
        self.selection_label = QLabel()
        self.selection_label.setWordWrap(True)
        self.selection_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.assess_button = QPushButton("Assess this model")
        self.assess_button.setToolTip(
            "Open the selected model in the Assess tab to see "
            "its confusion matrix and metrics."
        )
        self.assess_button.clicked.connect(
            lambda: self._emit_selected(self.assess_requested)
        )
        self.export_button = QPushButton("Export this model")
        self.export_button.setToolTip(
            "Open the selected model in the Classify / Export "
            "tab to classify new data or export it."
        )
        self.export_button.clicked.connect(
            lambda: self._emit_selected(self.export_requested)
        )

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.aideveloper_button)
        top.addWidget(self.runs_combo)
        top.addWidget(self.folder_label, 1)
        side = QVBoxLayout()
        metrics_box = QGroupBox("Measures")
        QVBoxLayout(metrics_box).addWidget(self.metric_list)
        side.addWidget(metrics_box, 1)
        median_row = QHBoxLayout()
        median_row.addWidget(self.median_check)
        median_row.addWidget(self.median_spin)
        side.addLayout(median_row)
        side.addWidget(self.checkpoints_only)
        selection_box = QGroupBox("Selected model")
        selection = QVBoxLayout(selection_box)
        selection.addWidget(self.selection_label)
        selection.addWidget(self.assess_button)
        selection.addWidget(self.export_button)
        side.addWidget(selection_box)
        side_widget = QWidget()
        side_widget.setLayout(side)
        side_widget.setFixedWidth(320)
        body = QHBoxLayout()
        body.addWidget(self.plot, 1)
        body.addWidget(side_widget)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)

    # -- intents -------------------------------------------------------------
    def _on_open_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a run folder")
        if folder:
            self.folder_requested.emit(folder)

    def _on_aideveloper_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open an AIDeveloper meta file", "", "AIDeveloper meta (*_meta.xlsx)"
        )
        if path:
            self.folder_requested.emit(path)

    def _on_runs_combo_activated(self, index: int) -> None:
        if index > 0:
            self.folder_requested.emit(self.runs_combo.itemData(index))

    def add_session_run(self, run_dir: str | Path) -> None:
        """List a run started in this session in the runs menu."""
        self.runs_combo.addItem(Path(run_dir).name, str(run_dir))

    def _emit_selected(self, signal) -> None:
        path = self.selected_checkpoint
        if path is not None:
            signal.emit(str(path))

    # -- showing a history ---------------------------------------------------
    def set_history(self, history: RunHistory) -> None:
        """Show ``history`` (a refresh of the same run keeps ticks and selection)."""
        same_run = self.history is not None and self.history.opened == history.opened
        self.history = history
        self.folder_label.setText(
            f"{history.opened}  ({len(history.epochs)} epochs, "
            f"{_count(len(history.checkpoints), 'saved model')})"
        )
        self.folder_label.setToolTip(str(history.opened))
        self._set_metric_names(list(history.metrics), keep_ticks=same_run)
        if not same_run:
            self.selected_epoch = None
        self._redraw()
        self._update_selection_widgets()

    def _set_metric_names(self, names: list[str], keep_ticks: bool) -> None:
        ticked = set(self.checked_metrics()) if keep_ticks else set(DEFAULT_METRICS)
        self.metric_list.blockSignals(True)
        self.metric_list.clear()
        bases = list(dict.fromkeys(base_name(n) for n in names))
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if name in ticked else Qt.Unchecked)
            item.setToolTip(
                METRIC_TIPS.get(name, f"The value of '{name}' in each epoch.")
            )
            self._colours[name] = PALETTE[bases.index(base_name(name)) % len(PALETTE)]
            item.setForeground(pg.mkColor(self._colours[name]))
            self.metric_list.addItem(item)
        self.metric_list.blockSignals(False)

    def checked_metrics(self) -> list[str]:
        """Names of the ticked measures."""
        items = (self.metric_list.item(i) for i in range(self.metric_list.count()))
        return [item.text() for item in items if item.checkState() == Qt.Checked]

    def set_metric_checked(self, name: str, checked: bool) -> None:
        for item in self.metric_list.findItems(name, Qt.MatchExactly):
            item.setCheckState(Qt.Checked if checked else Qt.Unchecked)

    def shown_points(self, metric: str) -> tuple[np.ndarray, np.ndarray]:
        """Epochs and values plotted for ``metric`` (after the checkpoint filter)."""
        if self.history is None or metric not in self.history.metrics:
            return np.empty(0, np.int64), np.empty(0)
        epochs, values = self.history.epochs, self.history.metrics[metric]
        if self.checkpoints_only.isChecked():
            keep = np.isin(epochs, list(self.history.checkpoints))
            epochs, values = epochs[keep], values[keep]
        return epochs, values

    def _item(self, store: dict, metric: str, median: bool) -> pg.PlotDataItem:
        if metric not in store:  # created once per measure, then updated with setData
            colour = self._colours.get(metric, PALETTE[0])
            dashed = metric.startswith("val_")
            if median:
                store[metric] = self.plot.plot([], [], pen=pg.mkPen(colour, width=3))
            else:
                style = Qt.DashLine if dashed else Qt.SolidLine
                store[metric] = self.plot.plot(
                    [],
                    [],
                    name=metric,
                    symbol="o",
                    symbolSize=6,
                    symbolBrush=colour,
                    symbolPen=None,
                    pen=pg.mkPen(colour, width=1, style=style),
                )
        return store[metric]

    def _redraw(self, *_args) -> None:
        checked = set(self.checked_metrics())
        metrics = list(self.history.metrics) if self.history else []
        for name in set(self._items) | set(metrics):
            epochs, values = self.shown_points(name)
            show = name in checked and len(epochs) > 0
            item = self._item(self._items, name, median=False)
            item.setData(epochs, values, connect="finite")
            item.setVisible(show)
            legend = self.plot.getPlotItem().legend
            legend.removeItem(item)  # the legend lists only what is shown
            if show:
                legend.addItem(item, name)
            median = self._item(self._median_items, name, median=True)
            if show and self.median_check.isChecked():
                median.setData(epochs, rolling_median(values, self.median_spin.value()))
            median.setVisible(show and self.median_check.isChecked())

    # -- selecting a checkpoint ----------------------------------------------
    def _on_plot_clicked(self, event) -> None:
        if event.button() != Qt.LeftButton or self.history is None:
            return
        epoch = self.epoch_near(event.scenePos())
        if epoch is not None:
            self.select_epoch(epoch)

    def scene_position(self, epoch: float, value: float) -> QPointF:
        """Where the data point ``(epoch, value)`` is in scene coordinates."""
        return self.plot.getPlotItem().vb.mapViewToScene(
            QPointF(float(epoch), float(value))
        )

    def epoch_near(self, scene_pos: QPointF) -> int | None:
        """Epoch of the shown point closest to ``scene_pos``, if within the radius."""
        best: tuple[float, int] | None = None
        for name in self.checked_metrics():
            for epoch, value in zip(*self.shown_points(name), strict=True):
                if not np.isfinite(value):
                    continue
                point = self.scene_position(epoch, value)
                distance = float(
                    np.hypot(point.x() - scene_pos.x(), point.y() - scene_pos.y())
                )
                if distance <= CLICK_RADIUS_PX and (best is None or distance < best[0]):
                    best = (distance, int(epoch))
        return None if best is None else best[1]

    def select_epoch(self, epoch: int) -> None:
        """Select the model saved at ``epoch`` (or the nearest saved one)."""
        self.selected_epoch = int(epoch)
        self._update_selection_widgets()

    @property
    def selected_checkpoint(self) -> Path | None:
        """Model file of the selection (``None``: nothing selected or saved)."""
        if self.history is None or self.selected_epoch is None:
            return None
        saved = self.history.nearest_checkpoint(self.selected_epoch)
        return None if saved is None else self.history.checkpoints[saved]

    def _update_selection_widgets(self) -> None:
        path = self.selected_checkpoint
        self.assess_button.setEnabled(path is not None)
        self.export_button.setEnabled(path is not None)
        if self.selected_epoch is None or self.history is None:
            self.marker.setVisible(False)
            self.selection_label.setText(
                "Click a point of the plot to select the model saved at that epoch."
            )
            return
        saved = self.history.nearest_checkpoint(self.selected_epoch)
        if saved is None:
            self.selection_label.setText(
                f"Epoch {self.selected_epoch}: no model of this run has been saved yet."
            )
            self.marker.setVisible(False)
            return
        values = [
            f"{name} {self.history.metrics[name][self.history.epochs == saved][0]:.4g}"
            for name in self.checked_metrics()
            if np.any(self.history.epochs == saved)
        ]
        note = ""
        if saved != self.selected_epoch:
            note = f"(epoch {self.selected_epoch} has no saved model; nearest shown)"
        self.selection_label.setText(
            f"<b>{path.name}</b><br>epoch {saved} {note}<br>" + "<br>".join(values)
        )
        self.marker.setValue(saved)
        self.marker.setVisible(True)


if __name__ == "__main__":
    import sys

    from PyQt5.QtWidgets import QApplication

    from aid.gui.controllers.history import HistoryController

    app = QApplication(sys.argv)
    panel = HistoryPanel()
    controller = HistoryController(panel)
    controller.error.connect(lambda message: print("error:", message))
    if len(sys.argv) > 1:
        controller.open_folder(sys.argv[1])
    panel.resize(1100, 650)
    panel.show()
    sys.exit(app.exec_())
