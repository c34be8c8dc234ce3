"""The application icon, drawn with QPainter.

``python -m aid.gui.widgets.icon`` writes ``aid/gui/resources/icon.png``.
"""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import QPointF, QRectF, Qt
from PyQt5.QtGui import QBrush, QColor, QIcon, QImage, QPainter, QPen, QRadialGradient

ICON_PATH = Path(__file__).resolve().parents[1] / "resources" / "icon.png"


def draw_icon(size: int = 256) -> QImage:
    """Draw AID's icon: a cell with nucleus on a blue tile, with a check mark."""
    image = QImage(size, size, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    s = size / 256
    painter.setPen(Qt.NoPen)
    painter.setBrush(QColor("#1d4f91"))
    painter.drawRoundedRect(QRectF(8 * s, 8 * s, 240 * s, 240 * s), 44 * s, 44 * s)
    gradient = QRadialGradient(QPointF(112 * s, 112 * s), 92 * s)
    gradient.setColorAt(0, QColor("#e8f4ff"))
    gradient.setColorAt(1, QColor("#8cc4f0"))
    painter.setBrush(QBrush(gradient))
    painter.setPen(QPen(QColor("#ffffff"), 6 * s))
    painter.drawEllipse(QPointF(120 * s, 124 * s), 82 * s, 74 * s)
    painter.setPen(Qt.NoPen)
    painter.setBrush(QColor("#7b3fa0"))
    painter.drawEllipse(QPointF(104 * s, 116 * s), 30 * s, 26 * s)
    painter.setPen(
        QPen(QColor("#3ddc84"), 16 * s, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin)
    )
    painter.drawPolyline(
        QPointF(150 * s, 190 * s), QPointF(178 * s, 216 * s), QPointF(226 * s, 160 * s)
    )
    painter.end()
    return image


def app_icon() -> QIcon:
    """Return the application icon (drawn when the PNG is missing)."""
    if ICON_PATH.exists():
        return QIcon(str(ICON_PATH))
    from PyQt5.QtGui import QPixmap

    return QIcon(QPixmap.fromImage(draw_icon()))


if __name__ == "__main__":
    from PyQt5.QtGui import QGuiApplication

    app = QGuiApplication([])
    draw_icon().save(str(ICON_PATH))
    print(f"wrote {ICON_PATH}")
