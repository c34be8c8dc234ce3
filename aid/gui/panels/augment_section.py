"""The Augmentation page of the Train tab: settings and a live preview grid."""

from __future__ import annotations

from typing import Any

import numpy as np
from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aid.augment import AugmentConfig
from aid.augment.form_layout import LABELS, SECTIONS, readable, switches
from aid.errors import ConfigError
from aid.gui.widgets.images import to_pixmap
from aid.gui.widgets.value_form import ValueForm, doc_params

#: Side of an augmentation preview tile in pixels (8 pairs fit the settings column).
TILE = 56
#: Pairs per row of the preview (two rows of pairs fit the settings column).
PAIRS_PER_ROW = 4


def augment_form_options() -> dict[str, Any]:
    """:class:`ValueForm` keywords that lay out augmentation settings readably."""
    return {
        "tooltips": doc_params(AugmentConfig),
        "labels": LABELS,
        "sections": SECTIONS,
        "switches": switches(),
    }


class AugmentSection(QWidget):
    """Augmentation settings with a live grid of augmented examples."""

    changed = pyqtSignal()
    preview_requested = pyqtSignal()
    PAIRS = 8

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.seed = 0
        self.form = ValueForm(AugmentConfig().to_dict(), **augment_form_options())
        self.form.changed.connect(self.changed)
        self.form.changed.connect(self.preview_requested)
        self._tiles: list[tuple[QLabel, QLabel]] = []
        grid = QGridLayout()
        for block in range(self.PAIRS // PAIRS_PER_ROW):
            grid.addWidget(QLabel("before"), 2 * block, 0)
            grid.addWidget(QLabel("after"), 2 * block + 1, 0)
        for index in range(self.PAIRS):
            block, column = divmod(index, PAIRS_PER_ROW)
            pair = (QLabel(), QLabel())
            for row, label in enumerate(pair):
                label.setFixedSize(TILE, TILE)
                label.setAlignment(Qt.AlignCenter)
                label.setStyleSheet("border: 1px solid #bbb; background: #111")
                grid.addWidget(label, 2 * block + row, column + 1)
            self._tiles.append(pair)
        grid.setColumnStretch(PAIRS_PER_ROW + 1, 1)  # tiles stay together on the left
        again = QPushButton("New examples")
        again.setToolTip("Draw other images and other random augmentations.")
        again.clicked.connect(self._on_again_clicked)
        self.preview_note = QLabel("Load data on the Data tab to see examples.")
        self.preview_note.setStyleSheet("color: gray")
        self.preview_note.setWordWrap(True)
        preview_box = QGroupBox("Preview")
        preview_box.setToolTip(
            "Random changes applied to every training image each epoch, "
            "so the network learns what matters (the cell), not "
            "accidents (orientation, brightness, focus)."
        )
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addLayout(grid)
        row = QHBoxLayout()
        row.addWidget(self.preview_note, 1)
        row.addWidget(again)
        preview_layout.addLayout(row)
        settings_box = QGroupBox("Settings")
        QVBoxLayout(settings_box).addWidget(self.form)
        layout = QVBoxLayout(self)
        layout.addWidget(preview_box)
        layout.addWidget(settings_box)
        layout.addStretch(1)

    def _on_again_clicked(self) -> None:
        self.seed += 1
        self.preview_requested.emit()

    def config(self) -> AugmentConfig:
        """Return the settings in the form.

        Raises
        ------
        ConfigError
            For a value out of range, naming the setting as the form does.
        """
        try:
            return AugmentConfig.from_dict(self.form.values())
        except ConfigError as exc:
            raise ConfigError(readable(str(exc))) from exc

    def set_pairs(
        self, pairs: list[tuple[np.ndarray, np.ndarray]], note: str = ""
    ) -> None:
        for index, (top, bottom) in enumerate(self._tiles):
            if index < len(pairs):
                top.setPixmap(to_pixmap(pairs[index][0], TILE))
                bottom.setPixmap(to_pixmap(pairs[index][1], TILE))
            else:
                top.clear()
                bottom.clear()
        self.preview_note.setText(note)
