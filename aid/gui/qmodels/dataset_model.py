"""Qt table models over the core :class:`~aid.data.table.DatasetTable`.

The models hold the current immutable table; every edit builds a new table
through the core (``replace_entry``, ``with_class_names``), so validation lives
in one place. Invalid edits are refused and reported via ``edit_failed``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PyQt5.QtCore import QAbstractTableModel, QModelIndex, Qt, pyqtSignal

from aid.data.table import DatasetEntry, DatasetTable
from aid.errors import AidError
from aid.gui.qmodels.records_model import RecordsModel

#: Default events per epoch when a file is switched on (AIDeveloper's default).
DEFAULT_EVENTS_PER_EPOCH = 100


@dataclass(frozen=True)
class Column:
    """One column: title, how to read it, how to parse an edit, tooltip."""

    title: str
    field: str
    tooltip: str
    editable: bool = True
    parse: Callable[[Any], Any] = str


def _role(value: Any) -> str:
    text = str(value).strip().lower()
    return {"t": "train", "v": "valid", "validation": "valid"}.get(text, text)


COLUMNS: tuple[Column, ...] = (
    Column(
        "File", "name", "The measurement file (.rtdc). Hover for the full path.", False
    ),
    Column(
        "Class",
        "class_index",
        "Class number of every image in this file (0, 1, 2, ...). "
        "One file holds one class.",
        parse=int,
    ),
    Column(
        "Class name",
        "class_name",
        "A readable name for the class number, e.g. 'healthy'. "
        "Shared by all files of that class.",
    ),
    Column(
        "Role",
        "role",
        "train: the model learns from this file. valid: used only to "
        "check the model on unseen images. test: kept aside for the final assessment. "
        "Click the header to switch all files between train and valid.",
        parse=_role,
    ),
    Column("Events", "events_total", "Number of images in the file.", False),
    Column(
        "Events/epoch",
        "events_per_epoch",
        "How many images are drawn at random from "
        "this file in each training round (epoch). This sets the class balance; 0 "
        "leaves "
        "the file out. Click the header to switch all files on/off.",
        parse=int,
    ),
    Column(
        "Shuffle",
        "shuffle",
        "On: a fresh random sample each epoch. Off: every image of "
        "the file in every epoch.",
        parse=bool,
    ),
    Column(
        "Zoom",
        "zoom",
        "Scale factor applied to the images of this file before cropping, "
        "e.g. to match a different magnification.",
        parse=float,
    ),
    Column(
        "Group",
        "group",
        "Optional group label (donor, experiment day) for keeping "
        "related files together.",
    ),
)
COLUMN_INDEX = {c.field: i for i, c in enumerate(COLUMNS)}


class DatasetTableModel(QAbstractTableModel):
    """Editable view of a :class:`DatasetTable`, one row per entry."""

    table_changed = pyqtSignal(object)  # the new DatasetTable
    edit_failed = pyqtSignal(str)

    def __init__(self, table: DatasetTable | None = None, parent=None) -> None:
        super().__init__(parent)
        self._table = table or DatasetTable()

    # -- access ------------------------------------------------------------
    @property
    def table(self) -> DatasetTable:
        return self._table

    def set_table(self, table: DatasetTable) -> None:
        """Replace the whole table (after import, session load, ...)."""
        self.beginResetModel()
        self._table = table
        self.endResetModel()
        self.table_changed.emit(table)

    def entry(self, row: int) -> DatasetEntry:
        return self._table.entries[row]

    # -- Qt model API --------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._table.entries)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):
        if orientation != Qt.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ToolTipRole:
            return COLUMNS[section].tooltip
        return None

    def _value(self, entry: DatasetEntry, column: Column) -> Any:
        if column.field == "class_name":
            return self._table.class_name(entry.class_index)
        return getattr(entry, column.field)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        entry = self._table.entries[index.row()]
        column = COLUMNS[index.column()]
        value = self._value(entry, column)
        if column.field == "shuffle":
            if role == Qt.CheckStateRole:
                return Qt.Checked if value else Qt.Unchecked
            return None
        if role in (Qt.DisplayRole, Qt.EditRole):
            return (
                f"{value:g}"
                if column.field == "zoom" and role == Qt.DisplayRole
                else value
            )
        if role == Qt.ToolTipRole:
            return entry.path if column.field == "name" else column.tooltip
        if role == Qt.TextAlignmentRole and isinstance(value, (int, float)):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.NoItemFlags
        base = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        column = COLUMNS[index.column()]
        if column.field == "shuffle":
            return base | Qt.ItemIsUserCheckable
        return base | Qt.ItemIsEditable if column.editable else base

    def setData(self, index: QModelIndex, value: Any, role: int = Qt.EditRole) -> bool:
        if not index.isValid() or role not in (Qt.EditRole, Qt.CheckStateRole):
            return False
        column = COLUMNS[index.column()]
        if not column.editable:
            return False
        if column.field == "shuffle":
            if role != Qt.CheckStateRole:
                return False
            value = value in (Qt.Checked, 2, True)
        try:
            table = self._edited(index.row(), column, column.parse(value))
        except (AidError, ValueError, TypeError) as exc:
            self.edit_failed.emit(f"{column.title}: {exc}")
            return False
        self._commit(table)
        return True

    def _edited(self, row: int, column: Column, value: Any) -> DatasetTable:
        if column.field == "class_name":
            index = self._table.entries[row].class_index
            names = list(self._table.all_class_names())
            names += [str(i) for i in range(len(names), index + 1)]
            names[index] = value.strip() or str(index)
            return self._table.with_class_names(names)
        return self._table.replace_entry(row, **{column.field: value})

    def _commit(self, table: DatasetTable) -> None:
        self._table = table
        self.dataChanged.emit(
            self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
        )
        self.table_changed.emit(table)

    # -- bulk edits ------------------------------------------------------------
    def toggle_column(self, section: int) -> None:
        """Header click: switch a whole column (role, events/epoch, shuffle)."""
        field = COLUMNS[section].field
        entries = self._table.entries
        if not entries or field not in ("role", "events_per_epoch", "shuffle"):
            return
        table = self._table
        for row, entry in enumerate(entries):
            if field == "role":
                new = "valid" if all(e.role == "train" for e in entries) else "train"
            elif field == "shuffle":
                new = not all(e.shuffle for e in entries)
            else:
                on = all(e.events_per_epoch > 0 for e in entries)
                new = 0 if on else min(DEFAULT_EVENTS_PER_EPOCH, entry.events_total)
            table = table.replace_entry(row, **{field: new})
        self._commit(table)

    def remove_rows(self, rows: list[int]) -> None:
        """Drop the given rows from the table."""
        if rows:
            self.set_table(self._table.remove(rows))


class ClassOverviewModel(RecordsModel):
    """Totals per class and role (``DatasetTable.overview()``)."""

    def __init__(self, parent=None) -> None:
        super().__init__(
            (
                ("Class", "class_index"),
                ("Name", "class_name"),
                ("Role", "role"),
                ("Files", "files"),
                ("Events", "events_total"),
                ("Events/epoch", "events_per_epoch"),
            ),
            parent,
        )

    def set_table(self, table: DatasetTable) -> None:
        self.set_rows(table.overview())
