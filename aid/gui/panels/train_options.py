"""Train-tab controls for class weights, the validation split and the device.

Each widget reports plain values of :class:`~aid.train.config.TrainConfig`
(``class_weights``; ``validation_split`` and ``split_by``; ``device``) and
shows a config's values again, so sessions round-trip.
"""

from __future__ import annotations

from collections.abc import Sequence

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from aid.gui.help_texts import TRAIN_TIPS
from aid.train.devices import DEVICE_CHOICES

CLASS_WEIGHT_MODES = ("none", "balanced", "custom")
SPLIT_MODES = ("event", "file", "group")
#: Largest custom weight (the config accepts up to 99999).
MAX_WEIGHT = 1000.0


def _weight_spin(value: float, name: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(0.0, MAX_WEIGHT)
    spin.setDecimals(2)
    spin.setSingleStep(0.1)
    spin.setValue(value)
    spin.setToolTip(
        f"How much each image of class '{name}' counts in the loss: 2 counts "
        "twice, 0.5 half as much as an image of weight 1."
    )
    return spin


class ClassWeightsEditor(QWidget):
    """``none`` / ``balanced`` / ``custom``, with one weight per class for custom."""

    changed = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = QComboBox()
        self.mode.addItems(CLASS_WEIGHT_MODES)
        self.mode.setToolTip(TRAIN_TIPS["class_weights"])
        self.mode.currentTextChanged.connect(self._on_mode_changed)
        self._names: list[str] = []
        self._spins: list[QDoubleSpinBox] = []
        self._weights_box = QWidget()
        self._weights_form = QFormLayout(self._weights_box)
        self._weights_form.setContentsMargins(12, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mode)
        layout.addWidget(self._weights_box)
        self.set_class_names([])
        self._on_mode_changed(self.mode.currentText())

    def set_class_names(self, names: Sequence[str]) -> None:
        """One weight per class of the data (weights of kept names are kept)."""
        old = dict(zip(self._names, (s.value() for s in self._spins), strict=False))
        self._names = [str(n) for n in names]
        while self._weights_form.rowCount():
            self._weights_form.removeRow(0)
        self._spins = [_weight_spin(old.get(n, 1.0), n) for n in self._names]
        for name, spin in zip(self._names, self._spins, strict=True):
            spin.valueChanged.connect(self.changed)
            self._weights_form.addRow(name, spin)
        if not self._names:
            note = QLabel("Load data to set a weight per class.")
            note.setStyleSheet("color: gray")
            self._weights_form.addRow(note)

    def class_names(self) -> list[str]:
        return list(self._names)

    def _on_mode_changed(self, mode: str) -> None:
        self._weights_box.setVisible(mode == "custom")
        self.changed.emit()

    def value(self) -> str | tuple[float, ...]:
        """``"none"``, ``"balanced"`` or the custom weights (class order)."""
        mode = self.mode.currentText()
        if mode != "custom":
            return mode
        return tuple(spin.value() for spin in self._spins) or "none"

    def set_value(self, value: str | Sequence[float]) -> None:
        """Show a config's ``class_weights`` (a list selects ``custom``)."""
        if isinstance(value, str):
            self.mode.setCurrentText(value)
            return
        weights = [float(v) for v in value]
        if len(weights) > len(self._names):  # a session read before its data
            missing = range(len(self._names), len(weights))
            self.set_class_names(self._names + [f"class {i}" for i in missing])
        for spin, weight in zip(self._spins, weights, strict=False):
            spin.setValue(weight)
        self.mode.setCurrentText("custom")


class ValidationSplitRow(QWidget):
    """Share of the training data moved to validation, and how it is split."""

    changed = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fraction = QDoubleSpinBox()
        self.fraction.setRange(0.0, 90.0)
        self.fraction.setSingleStep(5.0)
        self.fraction.setDecimals(0)
        self.fraction.setSuffix(" %")
        self.fraction.setSpecialValueText("off")
        self.fraction.setToolTip(TRAIN_TIPS["validation_split"])
        self.split_by = QComboBox()
        self.split_by.addItems(SPLIT_MODES)
        self.split_by.setToolTip(TRAIN_TIPS["split_by"])
        self.fraction.valueChanged.connect(self._on_fraction_changed)
        self.split_by.currentTextChanged.connect(self.changed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.fraction)
        by_label = QLabel("by")
        by_label.setToolTip(TRAIN_TIPS["split_by"])
        layout.addWidget(by_label)
        layout.addWidget(self.split_by, 1)
        self._on_fraction_changed(0.0)

    def _on_fraction_changed(self, percent: float) -> None:
        self.split_by.setEnabled(percent > 0)
        self.changed.emit()

    def values(self) -> dict[str, float | str]:
        return {
            "validation_split": self.fraction.value() / 100.0,
            "split_by": self.split_by.currentText(),
        }

    def set_values(self, fraction: float, split_by: str) -> None:
        self.fraction.setValue(round(fraction * 100.0))
        self.split_by.setCurrentText(split_by)


class DeviceCombo(QComboBox):
    """``auto``, ``cpu``, ``gpu``, ``all`` and ``gpu:N`` once GPUs are counted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItems(DEVICE_CHOICES)
        self.setToolTip(TRAIN_TIPS["device"])

    def set_gpu_count(self, count: int) -> None:
        """Offer ``gpu:0`` ... ``gpu:N-1`` when there is more than one GPU."""
        current = self.currentText()
        self.clear()
        extra = [f"gpu:{i}" for i in range(count)] if count > 1 else []
        self.addItems([*DEVICE_CHOICES, *extra])
        self.set_device(current)

    def set_device(self, device: str) -> None:
        """Select ``device`` (added to the list when it is a ``gpu:N``)."""
        if self.findText(device) < 0:
            self.addItem(device)
        self.setCurrentText(device)
