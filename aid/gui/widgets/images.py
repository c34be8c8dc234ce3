"""Show numpy images in Qt widgets."""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import Qt
from PyQt5.QtGui import QImage, QPixmap
from PyQt5.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget


def to_pixmap(image: np.ndarray, size: int | None = None) -> QPixmap:
    """Convert an ``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)`` uint8 array to a pixmap.

    ``size`` scales the longer side with nearest-neighbour sampling, so single
    pixels stay visible in small cell images.
    """
    array = np.ascontiguousarray(np.asarray(image))
    if array.dtype != np.uint8:
        array = np.clip(array, 0, 255).astype(np.uint8)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = np.ascontiguousarray(array[..., 0])
    height, width = array.shape[:2]
    if array.ndim == 2:
        qimage = QImage(array.data, width, height, width, QImage.Format_Grayscale8)
    else:
        qimage = QImage(array.data, width, height, 3 * width, QImage.Format_RGB888)
    pixmap = QPixmap.fromImage(qimage.copy())  # copy: the array may be freed
    if size:
        pixmap = pixmap.scaled(size, size, Qt.KeepAspectRatio, Qt.FastTransformation)
    return pixmap


class ImageTile(QWidget):
    """An image with a caption underneath."""

    def __init__(
        self, caption: str = "", size: int = 128, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self._size = size
        self.image_label = QLabel()
        self.image_label.setFixedSize(size, size)
        self.image_label.setAlignment(Qt.AlignCenter)
        self.image_label.setFrameShape(QFrame.StyledPanel)
        self.caption = QLabel(caption)
        self.caption.setAlignment(Qt.AlignCenter)
        self.caption.setWordWrap(True)
        self.caption.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.image_label, alignment=Qt.AlignHCenter)
        layout.addWidget(self.caption)

    def set_image(self, image: np.ndarray | None, caption: str | None = None) -> None:
        if image is None:
            self.image_label.clear()
        else:
            self.image_label.setPixmap(to_pixmap(image, self._size))
        if caption is not None:
            self.caption.setText(caption)
