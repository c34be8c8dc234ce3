"""Class of interest and sorting threshold: one control for Assess and Classify.

AIDeveloper's sorting rule (:func:`aid.evaluate.threshold.thresholded_prediction`):
without a threshold each event gets its most likely class; with one, an event is
the class of interest only when that class's probability is above the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSlider, QWidget

#: Slider steps between threshold 0 and 1.
SLIDER_STEPS = 1000


class SortingControl(QWidget):
    """Class-of-interest picker, threshold switch and threshold slider in one row.

    ``changed(class_index, threshold)`` is emitted on every user change once
    classes are set; ``threshold`` is ``None`` when the switch is off.
    """

    changed = pyqtSignal(int, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.class_combo = QComboBox()
        self.class_combo.setToolTip(
            "The class you want to sort out (class of interest): "
            "the threshold and the sorting measures refer to it."
        )
        self.threshold_check = QCheckBox("Use a threshold")
        self.threshold_check.setToolTip(
            "Off: each event gets its most likely class. On: an event counts as the "
            "class of interest only when its probability is above the threshold."
        )
        self.threshold_slider = QSlider(Qt.Horizontal)
        self.threshold_slider.setRange(0, SLIDER_STEPS)
        self.threshold_slider.setValue(SLIDER_STEPS // 2)
        self.threshold_slider.setToolTip(
            "Probability the class of interest needs. Higher: "
            "purer sorted sample, but fewer of its events."
        )
        self.threshold_label = QLabel("0.500")
        self.threshold_label.setMinimumWidth(40)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Class of interest:"))
        layout.addWidget(self.class_combo)
        layout.addWidget(self.threshold_check)
        layout.addWidget(self.threshold_slider, 1)
        layout.addWidget(self.threshold_label)
        self.class_combo.currentIndexChanged.connect(self._on_input_changed)
        self.threshold_check.toggled.connect(self._on_input_changed)
        self.threshold_slider.valueChanged.connect(self._on_input_changed)
        self.threshold_slider.setEnabled(False)

    def setting(self) -> tuple[int, float | None]:
        """Class of interest and threshold (``None``: most likely class)."""
        value = self.threshold_slider.value() / SLIDER_STEPS
        return max(self.class_combo.currentIndex(), 0), (
            value if self.threshold_check.isChecked() else None
        )

    def set_threshold(
        self, threshold: float | None, class_index: int | None = None
    ) -> None:
        """Set the controls as a user would (emits ``changed``)."""
        if class_index is not None:
            self.class_combo.setCurrentIndex(class_index)
        self.threshold_check.setChecked(threshold is not None)
        if threshold is not None:
            self.threshold_slider.setValue(round(threshold * SLIDER_STEPS))

    def set_classes(self, names: Sequence[str]) -> None:
        """Offer ``names``, keeping the chosen index where it still exists."""
        self.class_combo.blockSignals(True)
        previous = self.class_combo.currentIndex()
        self.class_combo.clear()
        self.class_combo.addItems(list(names))
        self.class_combo.setCurrentIndex(previous if 0 <= previous < len(names) else 0)
        self.class_combo.blockSignals(False)

    def setEnabled(self, enabled: bool) -> None:  # noqa: N802 (Qt's name)
        """Enable the controls (the slider only while the threshold is on)."""
        super().setEnabled(enabled)
        self.threshold_slider.setEnabled(enabled and self.threshold_check.isChecked())

    def _on_input_changed(self, *_args) -> None:
        class_index, threshold = self.setting()
        self.threshold_slider.setEnabled(self.threshold_check.isChecked())
        self.threshold_label.setText(
            f"{self.threshold_slider.value() / SLIDER_STEPS:.3f}"
        )
        if self.class_combo.count():
            self.changed.emit(class_index, threshold)
