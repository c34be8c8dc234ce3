"""Every control of the main window explains itself in a tooltip."""

from __future__ import annotations

import pytest
from PyQt5.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QMenuBar,
    QSlider,
    QTabBar,
    QWidget,
)

from aid.train.config import TrainConfig
from aid.train.params import write_params

pytestmark = pytest.mark.gui
CONTROLS = (QAbstractButton, QComboBox, QAbstractSpinBox, QLineEdit, QSlider, QCheckBox)


def qt_internal(widget: QWidget) -> bool:
    """Tell whether Qt built ``widget`` inside a control.

    The text field of a spin box or combo box, the buttons of a tab bar, the
    corner button of a table and the overflow button of the menu bar are
    explained by (or need no word beyond) their control.
    """
    owners = (QAbstractSpinBox, QComboBox, QTabBar, QAbstractItemView, QMenuBar)
    return isinstance(widget.parent(), owners)


def controls_without_tooltip(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or qt_internal(widget):
            continue
        if not widget.toolTip().strip():
            text = getattr(widget, "text", lambda: "")()
            missing.append(f"{type(widget).__name__} {text!r} in {widget.parent()}")
    return missing


def test_every_control_has_a_plain_language_tooltip(main_window, qtbot, tmp_path):
    window = main_window
    window.training.load_zoo()  # zoo hyper-parameter forms
    qtbot.waitUntil(
        lambda: window.train_panel.model_section.zoo_combo.count() > 0,
        timeout=60_000,
    )
    window.data.load_demo()  # one weight editor per class
    qtbot.waitUntil(lambda: bool(window.data.table.entries), timeout=30_000)
    window.train_panel.optimizer_section.class_weights.mode.setCurrentText("custom")
    run_dir = tmp_path / "cli_run"
    run_dir.mkdir()
    write_params(run_dir, **TrainConfig().live_dict())
    window.attach_run(run_dir)  # a run view with its live-parameter forms
    view = window.train_panel.runs.currentWidget()
    qtbot.waitUntil(lambda: view.param_tabs.count() >= 2, timeout=10_000)
    checked = [w for w in window.findChildren(QWidget) if isinstance(w, CONTROLS)]
    assert len(checked) > 100  # the walk really reached every tab
    missing = controls_without_tooltip(window)
    assert missing == [], "\n".join(missing)
