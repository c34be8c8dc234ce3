"""A scrollable grid of small images with captions (the events behind a cell)."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from PyQt5.QtWidgets import QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from aid.gui.widgets.images import ImageTile

#: Weight of the heat map when it is blended over an image.
HEAT_ALPHA = 0.45


def overlay_heat(image: np.ndarray, heat: np.ndarray) -> np.ndarray:
    """Blend a ``[0, 1]`` heat map (jet colours) over a uint8 gray or RGB image."""
    base = np.asarray(image, dtype=np.uint8)
    if base.ndim == 3 and base.shape[-1] == 1:
        base = base[..., 0]
    if base.ndim == 2:
        base = np.repeat(base[..., None], 3, axis=-1)
    scaled = np.clip(np.asarray(heat, dtype=np.float32) * 255.0, 0, 255).astype(
        np.uint8
    )
    coloured = cv2.cvtColor(
        cv2.applyColorMap(scaled, cv2.COLORMAP_JET), cv2.COLOR_BGR2RGB
    )
    blended = (1.0 - HEAT_ALPHA) * base + HEAT_ALPHA * coloured
    return np.clip(blended, 0, 255).astype(np.uint8)


class ImageGrid(QScrollArea):
    """Tiles of images in rows of ``columns``, replaced by :meth:`set_images`."""

    def __init__(
        self, columns: int = 6, tile_size: int = 96, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._columns, self._tile_size = columns, tile_size
        self._tiles: list[ImageTile] = []
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: gray")
        self._content = QWidget()
        self._grid = QGridLayout()
        self._grid.setSpacing(4)
        outer = QVBoxLayout(self._content)
        outer.addWidget(self.note)
        outer.addLayout(self._grid)
        outer.addStretch(1)
        self.setWidget(self._content)
        self.setWidgetResizable(True)

    def set_images(
        self,
        images: np.ndarray | Sequence[np.ndarray],
        captions: Sequence[str],
        heat_maps: np.ndarray | None = None,
        note: str = "",
    ) -> None:
        """Show ``images`` (uint8, ``(n, H, W[, C])``) with one caption each.

        ``heat_maps`` (``(n, H, W)`` in [0, 1]) are blended over the images.
        """
        if len(images) != len(captions):
            raise ValueError(f"{len(images)} images but {len(captions)} captions")
        self.clear()
        for i, (image, caption) in enumerate(zip(images, captions, strict=True)):
            shown = image if heat_maps is None else overlay_heat(image, heat_maps[i])
            tile = ImageTile(caption, self._tile_size)
            tile.set_image(shown)
            self._grid.addWidget(tile, i // self._columns, i % self._columns)
            self._tiles.append(tile)
        self.note.setText(note)

    def clear(self) -> None:
        """Remove every tile."""
        for tile in self._tiles:
            self._grid.removeWidget(tile)
            tile.deleteLater()
        self._tiles.clear()
        self.note.setText("")

    def count(self) -> int:
        """Return the number of images shown."""
        return len(self._tiles)

    def captions(self) -> list[str]:
        """Captions of the shown images, in order."""
        return [tile.caption.text() for tile in self._tiles]
