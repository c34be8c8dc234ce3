"""A read-only table model over a list of dict rows (logs, overviews)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PyQt5.QtCore import QAbstractTableModel, QModelIndex, Qt


class RecordsModel(QAbstractTableModel):
    """Rows are dictionaries; ``columns`` are ``(header, key)`` pairs."""

    def __init__(self, columns: Sequence[tuple[str, str]], parent=None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: list[dict[str, Any]] = []

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = [dict(r) for r in rows]
        self.endResetModel()

    def rows(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._rows]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self._columns[section][0]
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        value = self._rows[index.row()].get(self._columns[index.column()][1], "")
        if role in (Qt.DisplayRole, Qt.ToolTipRole):
            return f"{value:.6g}" if isinstance(value, float) else str(value)
        if role == Qt.TextAlignmentRole:
            numeric = isinstance(value, (int, float))
            return int((Qt.AlignRight if numeric else Qt.AlignLeft) | Qt.AlignVCenter)
        return None
