"""A confusion matrix as a Qt table: counts or row percentages, shaded cells."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PyQt5.QtCore import QAbstractTableModel, QModelIndex, Qt
from PyQt5.QtGui import QColor, QFont

#: Cell colours at 100 % of the row: correct (diagonal) and wrong predictions.
CORRECT_RGB = (31, 119, 180)
WRONG_RGB = (214, 39, 40)


def shade(fraction: float, rgb: tuple[int, int, int]) -> QColor:
    """Blend white towards ``rgb`` by ``fraction`` in [0, 1]."""
    f = float(np.clip(fraction, 0.0, 1.0))
    return QColor(*(round(255 + (c - 255) * f) for c in rgb))


class ConfusionModel(QAbstractTableModel):
    """Rows are true classes, columns predicted classes (AIDeveloper's layout)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._counts = np.zeros((0, 0), np.int64)
        self._names: tuple[str, ...] = ()
        self._percent = False
        self._marked: tuple[int, int] | None = None

    def set_counts(self, counts: np.ndarray, class_names: Sequence[str]) -> None:
        """Show a ``(K, K)`` count matrix with ``K`` class names."""
        counts = np.asarray(counts, dtype=np.int64)
        if counts.shape != (len(class_names), len(class_names)):
            raise ValueError(f"{counts.shape} matrix for {len(class_names)} classes")
        if counts.shape == self._counts.shape and tuple(class_names) == self._names:
            self._counts = counts  # same layout: repaint only (keeps the selection)
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(counts) - 1, len(counts) - 1)
            )
            return
        self.beginResetModel()
        self._counts, self._names = counts, tuple(class_names)
        self.endResetModel()

    def set_percent(self, percent: bool) -> None:
        """Show row percentages (``True``) or counts."""
        self._percent = bool(percent)
        if self._counts.size:
            last = len(self._counts) - 1
            self.dataChanged.emit(self.index(0, 0), self.index(last, last))

    def set_marked(self, cell: tuple[int, int] | None) -> None:
        """Draw the cell whose images are shown in bold (``None``: no cell)."""
        self._marked = cell
        if self._counts.size:
            last = len(self._counts) - 1
            self.dataChanged.emit(self.index(0, 0), self.index(last, last))

    def count(self, true: int, pred: int) -> int:
        """Events of class ``true`` predicted as ``pred``."""
        return int(self._counts[true, pred])

    def row_fraction(self, true: int, pred: int) -> float:
        total = int(self._counts[true].sum())
        return self._counts[true, pred] / total if total else 0.0

    # -- Qt interface ----------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._names)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._names)

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):  # noqa: N802
        if not 0 <= section < len(self._names):
            return None
        name = self._names[section]
        if role == Qt.DisplayRole:
            return name
        if role == Qt.ToolTipRole:
            kind = "predicted" if orientation == Qt.Horizontal else "true"
            return f"{kind} class: {name}"
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        true, pred = index.row(), index.column()
        count, fraction = self.count(true, pred), self.row_fraction(true, pred)
        if role == Qt.DisplayRole:
            return f"{100 * fraction:.1f} %" if self._percent else str(count)
        if role == Qt.BackgroundRole:
            return shade(fraction, CORRECT_RGB if true == pred else WRONG_RGB)
        if role == Qt.ForegroundRole:
            return QColor("white") if fraction > 0.55 else QColor("black")
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignCenter)
        if role == Qt.FontRole and self._marked == (true, pred):
            font = QFont()
            font.setBold(True)
            font.setUnderline(True)
            return font
        if role == Qt.ToolTipRole:
            return (
                f"{count} events of true class '{self._names[true]}' were predicted "
                f"as '{self._names[pred]}' ({100 * fraction:.1f} % of that class). "
                "Click to see their images."
            )
        return None
