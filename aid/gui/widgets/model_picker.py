"""Choose a model file and show what its metadata says."""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

MODEL_FILTER = (
    "Models (*.keras *.model *.h5 *.hdf5);;AID models (*.keras);;"
    "AIDeveloper models (*.model);;All files (*)"
)


def describe_meta(meta) -> str:
    """One line about a :class:`~aid.modelfile.meta.ModelMeta` for the user."""
    prep = meta.preprocessing
    parts = [
        f"classes: {', '.join(meta.class_names)}",
        f"input {prep.input_size}×{prep.input_size} px {prep.color_mode}",
        f"normalisation {prep.normalization}",
    ]
    if meta.zoo_name:
        parts.insert(0, meta.zoo_name)
    if meta.epoch is not None and meta.epoch >= 0:
        parts.append(f"epoch {meta.epoch}")
    return " · ".join(parts)


class ModelPicker(QWidget):
    """A 'Choose model…' button, the chosen file and a line about the model."""

    path_changed = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._path = ""
        self.button = QPushButton("Choose model…")
        self.button.setToolTip(
            "Pick a trained model: an AID .keras file (with its .json "
            "description) or an AIDeveloper .model file (with its "
            "_meta.xlsx next to it)."
        )
        self.button.clicked.connect(self._on_button_clicked)
        self.path_label = QLabel("no model chosen")
        self.path_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.path_label.setToolTip("The model file in use.")
        self.info_label = QLabel("")
        self.info_label.setStyleSheet("color: gray")
        self.info_label.setToolTip(
            "What the model expects: its classes, the image size "
            "and colour, and how pixel values are scaled."
        )
        self.info_label.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.path_label, 1)
        layout.addWidget(self.info_label, 2)

    @property
    def path(self) -> str:
        """The chosen model file ("" when none)."""
        return self._path

    def set_path(self, path: str | Path) -> None:
        """Use ``path`` (as if chosen in the dialog)."""
        self._path = str(path)
        self.path_label.setText(Path(path).name if path else "no model chosen")
        self.path_label.setToolTip(str(path))
        self.info_label.setText("reading…" if path else "")
        self.path_changed.emit(self._path)

    def set_info(self, text: str) -> None:
        self.info_label.setText(text)

    def _on_button_clicked(self) -> None:
        start = str(Path(self._path).parent) if self._path else ""
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a model", start, MODEL_FILTER
        )
        if path:
            self.set_path(path)
