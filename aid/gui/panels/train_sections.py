"""The three pages of the Train tab: model, optimisation and augmentation.

Each section owns its widgets and reports ``values()`` as plain keys of
:class:`~aid.train.config.TrainConfig`; the :class:`TrainPanel` combines them.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
from PyQt5.QtCore import pyqtSignal
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from aid.data.preprocess import COLOR_MODES, NORMALIZATIONS, PADDINGS, Preprocessing
from aid.errors import ConfigError
from aid.gui.help_texts import TRAIN_TIPS
from aid.gui.panels.augment_section import TILE, AugmentSection
from aid.gui.panels.train_options import ClassWeightsEditor, ValidationSplitRow
from aid.gui.plots.lr_plots import LrFinderPlot, SchedulePlot
from aid.gui.widgets.value_form import FloatEdit, ValueForm, doc_params
from aid.train.config import (
    CYCLICAL_MODES,
    FREEZE_MODES,
    OPTIMIZER_PARAMS,
    SCHEDULE_PARAMS,
    START_MODES,
)
from aid.train.schedules import CYCLICAL_DEFAULTS, EXPONENTIAL_DEFAULTS, scheduled_lr

SCHEDULE_DEFAULTS = {
    "constant": {},
    "exponential": EXPONENTIAL_DEFAULTS,
    "cyclical": CYCLICAL_DEFAULTS,
}
_SIMPLE_TYPES = (bool, int, float, str)
__all__ = ["TILE", "AugmentSection", "ModelSection", "OptimizerSection"]


def tip(widget: QWidget, key: str) -> QWidget:
    """Give ``widget`` the plain-language tooltip of setting ``key``."""
    widget.setToolTip(TRAIN_TIPS.get(key, ""))
    return widget


def combo(items, current: str, key: str) -> QComboBox:
    box = QComboBox()
    box.addItems(list(items))
    box.setCurrentText(current)
    tip(box, key)
    return box


def spin(low: int, high: int, value: int, key: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    tip(box, key)
    return box


def hyperparameter_defaults(spec: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """``Architecture.hyperparameters()`` as editable ``{name: default}``."""
    values = {}
    for name, (default, annotation) in spec.items():
        if default is inspect.Parameter.empty:
            continue
        if (
            annotation in _SIMPLE_TYPES
            and default is not None
            and not isinstance(default, bool)
        ):
            default = annotation(default)
        if isinstance(default, _SIMPLE_TYPES):
            values[name] = default
    return values


class ModelSection(QWidget):
    """Architecture, its hyper-parameters, input preprocessing and start mode."""

    changed = pyqtSignal()
    reload_zoo_requested = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._architectures: dict[str, Any] = {}
        prep = Preprocessing()
        self.zoo_combo = combo([], "", "zoo_name")
        self.zoo_combo.setPlaceholderText("loading the model zoo…")
        self.zoo_combo.currentTextChanged.connect(self._on_zoo_changed)
        self.description = QLabel("The model zoo is loading in the background…")
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color: #444")
        self.hparams = ValueForm({})
        self.input_size = spin(4, 2048, prep.input_size, "input_size")
        self.input_size.setSuffix(" px")
        self.color_mode = combo(COLOR_MODES, prep.color_mode, "color_mode")
        self.normalization = combo(NORMALIZATIONS, prep.normalization, "normalization")
        self.padding = combo(PADDINGS, prep.padding, "padding")
        self.start_mode = combo(START_MODES, "new", "start_mode")
        self.model_path = tip(QLineEdit(), "start_mode")
        self.model_path.setPlaceholderText("saved model file (restart / continue)")
        browse = QPushButton("Browse…")
        browse.setToolTip("Choose a saved model file.")
        browse.clicked.connect(self._on_browse_clicked)
        reload_button = QPushButton("Reload zoo")
        reload_button.setToolTip(
            "Read the model zoo files again (after editing or adding "
            "your own models), without restarting AID."
        )
        reload_button.clicked.connect(self.reload_zoo_requested)
        for widget in (
            self.input_size,
            self.color_mode,
            self.normalization,
            self.padding,
        ):
            signal = getattr(widget, "valueChanged", None) or widget.currentTextChanged
            signal.connect(self.changed)
        zoo_row = QHBoxLayout()
        zoo_row.addWidget(self.zoo_combo, 1)
        zoo_row.addWidget(reload_button)
        arch_box = QGroupBox("Architecture")
        arch_form = QFormLayout(arch_box)
        arch_form.addRow("Model", zoo_row)
        arch_form.addRow(self.description)
        arch_form.addRow(self.hparams)
        input_box = QGroupBox("Input images")
        input_form = QFormLayout(input_box)
        for label, widget in (
            ("Input size", self.input_size),
            ("Colour", self.color_mode),
            ("Normalisation", self.normalization),
            ("Padding", self.padding),
        ):
            input_form.addRow(tip(QLabel(label), ""), widget)
            input_form.labelForField(widget).setToolTip(widget.toolTip())
        start_box = QGroupBox("Start from")
        start_form = QFormLayout(start_box)
        path_row = QHBoxLayout()
        path_row.addWidget(self.model_path, 1)
        path_row.addWidget(browse)
        start_form.addRow("Mode", self.start_mode)
        start_form.addRow("Model file", path_row)
        layout = QVBoxLayout(self)
        for box in (arch_box, input_box, start_box):
            layout.addWidget(box)
        layout.addStretch(1)

    def set_architectures(self, architectures: dict[str, Any]) -> None:
        """Fill the zoo picker (``{name: Architecture}``), keeping the choice."""
        current = self.zoo_combo.currentText()
        self._architectures = dict(architectures)
        self.zoo_combo.blockSignals(True)
        self.zoo_combo.clear()
        for family in sorted({a.family for a in self._architectures.values()}):
            for name in sorted(
                n for n, a in self._architectures.items() if a.family == family
            ):
                self.zoo_combo.addItem(name)
        self.zoo_combo.blockSignals(False)
        preferred = current or ("LeNet5_do" if "LeNet5_do" in architectures else "")
        self.zoo_combo.setCurrentText(preferred)
        self._on_zoo_changed(self.zoo_combo.currentText())

    def _on_zoo_changed(self, name: str) -> None:
        arch = self._architectures.get(name)
        if arch is None:
            return
        self.description.setText(
            f"<b>{arch.family}</b>: {arch.description}<br>"
            f"Smallest input: {arch.min_size} × {arch.min_size} px"
        )
        self.input_size.setMinimum(max(4, int(arch.min_size)))
        self.hparams.set_spec(
            hyperparameter_defaults(arch.hyperparameters()), doc_params(arch.build)
        )
        self.changed.emit()

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Saved model", "", "Models (*.keras *.model *.h5);;All files (*)"
        )
        if path:
            self.model_path.setText(path)
            if self.start_mode.currentText() == "new":
                self.start_mode.setCurrentText("continue")

    def preprocessing(self) -> Preprocessing:
        return Preprocessing(
            input_size=self.input_size.value(),
            color_mode=self.color_mode.currentText(),
            normalization=self.normalization.currentText(),
            padding=self.padding.currentText(),
        )

    def values(self) -> dict[str, Any]:
        if not self.zoo_combo.currentText():
            raise ConfigError(
                "choose a model architecture (the model zoo may still be loading)"
            )
        return {
            "zoo_name": self.zoo_combo.currentText(),
            "zoo_hparams": self.hparams.values(),
            "preprocessing": self.preprocessing(),
            "start_mode": self.start_mode.currentText(),
            "model_path": self.model_path.text().strip(),
        }


class OptimizerSection(QWidget):
    """Optimiser, learning rate and schedule, LR finder, epochs, freezing."""

    changed = pyqtSignal()
    lr_finder_requested = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.optimizer = combo(OPTIMIZER_PARAMS, "Adam", "optimizer")
        self.learning_rate = tip(FloatEdit(1e-3), "learning_rate")
        self.schedule = combo(SCHEDULE_PARAMS, "constant", "lr_schedule")
        self.schedule_params = ValueForm(
            {}, choices={"mode": CYCLICAL_MODES}, tooltips=TRAIN_TIPS
        )
        self.schedule_plot = SchedulePlot()
        self.finder_button = QPushButton("Find a learning rate")
        self.finder_button.setToolTip(
            "Train briefly while raising the learning rate from tiny to large and "
            "watch "
            "the loss. Takes about a minute; the suggested rate is filled in."
        )
        self.finder_button.clicked.connect(self.lr_finder_requested)
        self.finder_plot = LrFinderPlot()
        self.finder_label = QLabel("")
        self.finder_label.setWordWrap(True)
        self.batch_size = spin(1, 1_000_000, 32, "batch_size")
        self.epochs = spin(1, 900_000_000, 10, "epochs")
        self.class_weights = ClassWeightsEditor()
        self.validation = ValidationSplitRow()
        self.freeze = combo(FREEZE_MODES, "none", "freeze")
        self.freeze_n = spin(0, 100_000, 0, "freeze_n")
        self.dropout_on = tip(QCheckBox("set"), "dropout")
        self.dropout = tip(FloatEdit(0.3), "dropout")
        self.steps_per_epoch = 1
        self.schedule.currentTextChanged.connect(self._on_schedule_changed)
        for signal in (
            self.learning_rate.value_changed,
            self.schedule_params.changed,
            self.epochs.valueChanged,
            self.batch_size.valueChanged,
        ):
            signal.connect(self.update_schedule_preview)
        form = QFormLayout()
        rows = (
            ("Optimiser", self.optimizer),
            ("Learning rate", self.learning_rate),
            ("Schedule", self.schedule),
        )
        for label, widget in rows:
            form.addRow(label, widget)
            form.labelForField(widget).setToolTip(widget.toolTip())
        form.addRow(self.schedule_params)
        lr_box = QGroupBox("Learning rate")
        lr_layout = QVBoxLayout(lr_box)
        lr_layout.addLayout(form)
        lr_layout.addWidget(self.schedule_plot)
        finder_row = QHBoxLayout()
        finder_row.addWidget(self.finder_button)
        finder_row.addWidget(self.finder_label, 1)
        lr_layout.addLayout(finder_row)
        lr_layout.addWidget(self.finder_plot)
        run_box = QGroupBox("Training")
        run_form = QFormLayout(run_box)
        dropout_row = QHBoxLayout()
        dropout_row.addWidget(self.dropout_on)
        dropout_row.addWidget(self.dropout)
        dropout_row.addStretch(1)
        freeze_row = QHBoxLayout()
        freeze_row.addWidget(self.freeze)
        freeze_row.addWidget(QLabel("last N:"))
        freeze_row.addWidget(self.freeze_n)
        for label, item, key in (
            ("Epochs", self.epochs, "epochs"),
            ("Batch size", self.batch_size, "batch_size"),
            ("Class weights", self.class_weights, "class_weights"),
            ("Train layers", freeze_row, "freeze"),
            ("Dropout", dropout_row, "dropout"),
            ("Validation split", self.validation, "validation_split"),
        ):
            run_form.addRow(tip(QLabel(label), key), item)
        layout = QVBoxLayout(self)
        layout.addWidget(run_box)
        layout.addWidget(lr_box)
        layout.addStretch(1)
        self.update_schedule_preview()

    def _on_schedule_changed(self, name: str) -> None:
        self.schedule_params.set_spec(dict(SCHEDULE_DEFAULTS.get(name, {})))
        self.update_schedule_preview()
        self.changed.emit()

    def set_steps_per_epoch(self, steps: int) -> None:
        self.steps_per_epoch = max(1, int(steps))
        self.update_schedule_preview()

    def update_schedule_preview(self, *_args) -> None:
        total = self.epochs.value() * self.steps_per_epoch
        iterations = np.unique(
            np.linspace(0, max(total - 1, 0), min(total, 2000)).astype(int)
        )
        params = self.schedule_params.values()
        rate = self.learning_rate.value()
        if not rate > 0:
            return
        rates = [
            scheduled_lr(
                self.schedule.currentText(), params, rate, int(i), self.steps_per_epoch
            )
            for i in iterations
        ]
        self.schedule_plot.set_rates(iterations, np.asarray(rates))

    def show_lr_finder(self, rates, losses, suggested: float | None) -> None:
        """Plot a finder result and take its suggestion as the learning rate."""
        self.finder_plot.set_result(rates, losses, suggested)
        if suggested:
            self.learning_rate.set_value(suggested)
            self.finder_label.setText(f"suggested: {suggested:.2g} (set above)")
            self.update_schedule_preview()

    def values(self) -> dict[str, Any]:
        return {
            "optimizer": self.optimizer.currentText(),
            "learning_rate": self.learning_rate.value(),
            "lr_schedule": self.schedule.currentText(),
            "lr_schedule_params": self.schedule_params.values(),
            "batch_size": self.batch_size.value(),
            "epochs": self.epochs.value(),
            "class_weights": self.class_weights.value(),
            **self.validation.values(),
            "freeze": self.freeze.currentText(),
            "freeze_n": self.freeze_n.value(),
            "dropout": self.dropout.value() if self.dropout_on.isChecked() else None,
        }
