"""A form built from plain values: one editor per key, chosen by the value's type.

Used for zoo hyper-parameters (from ``Architecture.hyperparameters()``), the
augmentation settings (from the ``AugmentConfig`` dataclass), training options
and live run parameters (from ``params.json``), so new keys get widgets for free.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtGui import QDoubleValidator
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

#: Tooltip of a key nobody described (e.g. a hyper-parameter of a user's model).
FALLBACK_TIP = (
    "{} (no description was given for this setting; see the model's or the "
    "documentation's explanation)."
)
#: Narrowest value editor (spin boxes otherwise ask for room for ±1e9).
EDITOR_MIN_WIDTH = 64
#: Widest value editor (numbers need no more; long rows are hard to read).
EDITOR_MAX_WIDTH = 150
#: Indent in pixels of a row label under its on/off check box.
SWITCHED_INDENT = 14


class FloatEdit(QLineEdit):
    """A float field that accepts ``1e-4`` style input (learning rates)."""

    value_changed = pyqtSignal(float)

    def __init__(self, value: float = 0.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        validator = QDoubleValidator(self)
        validator.setNotation(QDoubleValidator.ScientificNotation)
        self.setValidator(validator)
        self.set_value(value)
        self.setMaximumWidth(110)
        self.editingFinished.connect(lambda: self.value_changed.emit(self.value()))

    def value(self) -> float:
        try:
            return float(self.text())
        except ValueError:
            return math.nan

    def set_value(self, value: float) -> None:
        self.setText(f"{float(value):.6g}")


def doc_params(obj: object) -> dict[str, str]:
    """Plain-language descriptions from a numpydoc ``Parameters`` section."""
    doc = inspect.getdoc(obj) or ""
    match = re.search(r"Parameters\n-+\n(.*?)(?:\n\n[A-Z][a-z]+\n-+\n|\Z)", doc, re.S)
    if not match:
        return {}
    result: dict[str, str] = {}
    names: list[str] = []
    for line in match.group(1).splitlines():
        if line and not line.startswith(" "):
            names = [n.strip() for n in line.split(":")[0].split(",")]
            for name in names:
                result[name] = ""
        elif names:
            for name in names:
                result[name] = (result[name] + " " + line.strip()).strip()
    return result


def pretty(key: str) -> str:
    """``learning_rate`` -> ``Learning rate``."""
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


class ValueForm(QWidget):
    """Editors for a mapping of ``key -> default value``.

    Parameters
    ----------
    values
        Initial values; the type of each picks the editor (bool, int, float,
        str, pair of numbers). Other types are shown read-only.
    choices
        Optional ``key -> allowed strings`` (a combo box instead of free text).
    tooltips
        Optional ``key -> explanation`` shown on hover.
    labels
        Optional ``key -> row label`` (else the key, made readable).
    sections
        Optional ``(title, keys)`` pairs: rows in this order under a bold title;
        keys in no section follow at the end.
    switches
        Optional ``key -> bool key``: the key's row is indented under the check
        box of the bool key and enabled only while that box is checked.
    """

    changed = pyqtSignal()

    def __init__(
        self,
        values: Mapping[str, Any],
        *,
        choices: Mapping[str, Sequence[str]] = (),
        tooltips: Mapping[str, str] = (),
        labels: Mapping[str, str] = (),
        sections: Sequence[tuple[str, Sequence[str]]] = (),
        switches: Mapping[str, str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._choices = dict(choices)
        self._tooltips = dict(tooltips)
        self._labels = dict(labels)
        self._sections = [(title, list(keys)) for title, keys in sections]
        self._switches = dict(switches)
        self._rows: dict[str, list[QWidget]] = {}
        self._editors: dict[str, tuple[Any, list[QWidget]]] = {}
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.set_spec(values)

    def set_spec(
        self, values: Mapping[str, Any], tooltips: Mapping[str, str] | None = None
    ) -> None:
        """Rebuild the form for new keys (with new ``tooltips`` when given)."""
        if tooltips is not None:
            self._tooltips = dict(tooltips)
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self._editors.clear()
        self._rows.clear()
        if not values:
            self._layout.addRow(QLabel("(no settings)"))
        for title, keys in self._ordered(values):
            if title:
                heading = QLabel(f"<b>{title}</b>")
                self._layout.addRow(heading)
            for key in keys:
                self._add_row(key, values[key])
        for switch in set(self._switches.values()) & set(self._editors):
            box = self._editors[switch][1][0]
            if isinstance(box, QCheckBox):
                box.toggled.connect(self._sync_switches)
        self._sync_switches()

    def _ordered(self, values: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
        """``(title, keys)`` of the sections present, then the other keys."""
        placed: list[tuple[str, list[str]]] = []
        for title, keys in self._sections:
            present = [key for key in keys if key in values]
            if present:
                placed.append((title, present))
        seen = {key for _, keys in placed for key in keys}
        rest = [key for key in values if key not in seen]
        return [*placed, ("", rest)] if rest else placed

    def _add_row(self, key: str, value: Any) -> None:
        editors = self._make_editors(key, value)
        self._editors[key] = (value, editors)
        text = self._labels.get(key) or pretty(key)
        tip = self._tooltips.get(key) or FALLBACK_TIP.format(text)
        row = editors[0] if len(editors) == 1 else self._pair(editors)
        label = QLabel(text)
        if key in self._switches:
            label.setIndent(SWITCHED_INDENT)
        for widget in (label, *editors):
            widget.setToolTip(tip)
        for editor in editors:  # one width, never clipped in a narrow column
            editor.setMinimumWidth(EDITOR_MIN_WIDTH)
            editor.setMaximumWidth(EDITOR_MAX_WIDTH)
        self._rows[key] = [label, *editors]
        self._layout.addRow(label, row)

    def _sync_switches(self) -> None:
        """Enable each switched row exactly while its check box is checked."""
        for key, switch in self._switches.items():
            if key not in self._rows or switch not in self._editors:
                continue
            box = self._editors[switch][1][0]
            on = not isinstance(box, QCheckBox) or box.isChecked()
            for widget in self._rows[key]:
                widget.setEnabled(on)

    @staticmethod
    def _pair(editors: list[QWidget]) -> QWidget:
        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        for i, editor in enumerate(editors):
            if i:
                layout.addWidget(QLabel("to"))
            layout.addWidget(editor)
        layout.addStretch(1)
        return box

    def _make_editors(self, key: str, value: Any) -> list[QWidget]:
        if key in self._choices:
            combo = QComboBox()
            combo.addItems([str(c) for c in self._choices[key]])
            combo.setCurrentText(str(value))
            combo.currentTextChanged.connect(self.changed)
            return [combo]
        if isinstance(value, bool):
            box = QCheckBox()
            box.setChecked(value)
            box.toggled.connect(self.changed)
            return [box]
        if isinstance(value, int):
            spin = QSpinBox()
            spin.setRange(-1_000_000_000, 1_000_000_000)
            spin.setValue(value)
            spin.valueChanged.connect(self.changed)
            return [spin]
        if isinstance(value, float):
            edit = FloatEdit(value)
            edit.value_changed.connect(self.changed)
            return [edit]
        if (
            isinstance(value, (tuple, list))
            and len(value) == 2
            and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
            )
        ):
            return [self._make_editors(key, v)[0] for v in value]
        edit = QLineEdit("" if value is None else str(value))
        edit.setReadOnly(not isinstance(value, str))
        edit.editingFinished.connect(self.changed)
        return [edit]

    @staticmethod
    def _read(original: Any, editor: QWidget) -> Any:
        if isinstance(editor, QComboBox):
            return editor.currentText()
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, FloatEdit):
            return editor.value()
        return editor.text() if isinstance(original, str) else original

    def values(self) -> dict[str, Any]:
        """Return the current values, typed like the initial values."""
        result: dict[str, Any] = {}
        for key, (original, editors) in self._editors.items():
            read = [self._read(original, e) for e in editors]
            result[key] = type(original)(read) if len(read) > 1 else read[0]
        return result

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Show new values for known keys (unknown keys are ignored)."""
        for key, value in values.items():
            if key not in self._editors:
                continue
            _, editors = self._editors[key]
            items = value if len(editors) > 1 else [value]
            for editor, item in zip(editors, items, strict=False):
                editor.blockSignals(True)
                if isinstance(editor, QComboBox):
                    editor.setCurrentText(str(item))
                elif isinstance(editor, QCheckBox):
                    editor.setChecked(bool(item))
                elif isinstance(editor, QSpinBox):
                    editor.setValue(int(item))
                elif isinstance(editor, FloatEdit):
                    editor.set_value(float(item))
                else:
                    editor.setText(str(item))
                editor.blockSignals(False)
        self._sync_switches()

    def changes(self, since: Mapping[str, Any]) -> dict[str, Any]:
        """Keys whose value differs from ``since``."""
        return {k: v for k, v in self.values().items() if since.get(k) != v}
