"""History tab: plot a real run folder, follow it while it grows, pick a checkpoint."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PyQt5.QtCore import Qt

from aid.gui.controllers.history import HistoryController, rolling_median
from aid.gui.panels.history_panel import HistoryPanel
from aid.train.run_folder import HISTORY_FILE, append_csv_row, read_csv_rows

pytestmark = pytest.mark.gui
COLUMNS = (
    "epoch",
    "loss",
    "accuracy",
    "val_loss",
    "val_accuracy",
    "learning_rate",
    "seconds",
    "checkpoint",
)


@pytest.fixture
def history_tab(qtbot):
    panel = HistoryPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 600)
    panel.show()
    qtbot.waitExposed(panel)
    controller = HistoryController(panel, poll_ms=100)
    yield panel, controller
    controller.stop()


def click_point(qtbot, panel, epoch: int, value: float) -> None:
    scene = panel.scene_position(epoch, value)
    qtbot.mouseClick(
        panel.plot.viewport(), Qt.LeftButton, pos=panel.plot.mapFromScene(scene)
    )


def test_trained_run_is_plotted_and_a_click_selects_its_checkpoint(
    qtbot, history_tab, tiny_table, tiny_config, tmp_path
):
    from aid.train.run import run_training

    run_dir = tmp_path / "run"
    result = run_training(replace(tiny_config, epochs=3), tiny_table, run_dir=run_dir)
    panel, controller = history_tab
    assert controller.open_folder(run_dir)
    rows = read_csv_rows(run_dir / HISTORY_FILE)
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"} <= set(
        panel.history.metrics
    )
    assert panel.checked_metrics() == ["accuracy", "val_accuracy"]
    epochs, values = panel.shown_points("val_accuracy")
    np.testing.assert_array_equal(epochs, [0, 1, 2])
    np.testing.assert_allclose(values, [float(r["val_accuracy"]) for r in rows])
    saved = {
        int(p.stem.rsplit("_", 1)[1]): p for p in map(type(run_dir), result.checkpoints)
    }
    assert panel.history.checkpoints == saved and 0 in saved

    last_saved = max(saved)
    click_point(qtbot, panel, last_saved, values[last_saved])
    assert panel.selected_epoch == last_saved
    assert panel.selected_checkpoint == saved[last_saved]
    with qtbot.waitSignal(panel.assess_requested) as assess:
        qtbot.mouseClick(panel.assess_button, Qt.LeftButton)
    assert assess.args == [str(saved[last_saved])]

    panel.checkpoints_only.setChecked(True)
    np.testing.assert_array_equal(panel.shown_points("loss")[0], sorted(saved))
    panel.set_metric_checked("loss", True)
    median = panel._median_items["loss"].getData()[1]
    np.testing.assert_allclose(
        median, rolling_median(panel.shown_points("loss")[1], 10)
    )


def _row(epoch: int, checkpoint: int) -> dict:
    return {
        "epoch": epoch,
        "loss": 1.0 / (epoch + 1),
        "accuracy": 0.5 + 0.1 * epoch,
        "val_loss": 1.2 / (epoch + 1),
        "val_accuracy": 0.5 + 0.08 * epoch,
        "learning_rate": 1e-3,
        "seconds": 1.5,
        "checkpoint": checkpoint,
    }


def test_a_growing_run_is_followed_and_clicks_pick_the_nearest_model(
    qtbot, history_tab, tmp_path
):
    panel, controller = history_tab
    for epoch in (0, 1):
        append_csv_row(tmp_path / HISTORY_FILE, COLUMNS, _row(epoch, int(epoch == 0)))
    (tmp_path / "cells_0.keras").write_bytes(b"")
    assert controller.open_folder(tmp_path)
    click_point(qtbot, panel, 1, 0.58)  # epoch 1 has no saved model
    assert panel.selected_checkpoint == tmp_path / "cells_0.keras"
    assert "nearest" in panel.selection_label.text()
    append_csv_row(tmp_path / HISTORY_FILE, COLUMNS, _row(2, 1))  # the run goes on
    (tmp_path / "cells_2.keras").write_bytes(b"")
    qtbot.waitUntil(lambda: len(panel.shown_points("accuracy")[0]) == 3, timeout=5000)
    assert panel.selected_epoch == 1  # a refresh keeps the selection
    click_point(qtbot, panel, 2, 0.7)
    assert panel.selected_checkpoint == tmp_path / "cells_2.keras"
    with qtbot.waitSignal(panel.export_requested) as export:
        panel.export_button.click()
    assert export.args == [str(tmp_path / "cells_2.keras")]


def test_a_folder_without_history_is_a_readable_error(qtbot, history_tab, tmp_path):
    panel, controller = history_tab
    with qtbot.waitSignal(controller.error) as error:
        assert not controller.open_folder(tmp_path)
    assert "history.csv" in error.args[0]
    assert panel.history is None and not panel.assess_button.isEnabled()


def test_an_aidevelopers_model_folder_shows_its_history(
    qtbot, history_tab, tutorial, tmp_path
):
    """Tutorial 1's meta file: 160 epochs; only Saved=1 epochs offer their model."""
    panel, controller = history_tab
    models = tutorial / "models"
    assert controller.open_folder(models)
    history = panel.history
    assert history.source == models / "M01_AutoCat_meta.xlsx"
    assert list(history.epochs) == list(range(160))
    assert {"accuracy", "val_accuracy", "loss", "val_loss", "seconds"} == set(
        history.metrics
    )
    assert history.metrics["val_accuracy"][128] == pytest.approx(0.9325)
    assert history.metrics["val_accuracy"].max() == pytest.approx(0.9325)
    assert history.checkpoints == {128: models / "M01_AutoCat_128.model"}
    assert panel.checked_metrics() == ["accuracy", "val_accuracy"]
    click_point(qtbot, panel, 128, 0.9325)
    assert panel.selected_checkpoint == models / "M01_AutoCat_128.model"
    with qtbot.waitSignal(panel.assess_requested) as assess:
        panel.assess_button.click()
    assert assess.args == [str(models / "M01_AutoCat_128.model")]
    # The file itself opens the same; a saved model of an epoch with Saved=0
    # (a leftover of another run under the same name) is not offered.
    meta = tmp_path / "M01_AutoCat_meta.xlsx"
    meta.write_bytes((models / meta.name).read_bytes())
    (tmp_path / "M01_AutoCat_159.model").write_bytes(b"")  # History: Saved = 0
    (tmp_path / "M01_AutoCat_146.model").write_bytes(b"")  # History: Saved = 1
    (tmp_path / "Another_146.model").write_bytes(b"")  # another model's file
    assert controller.open_folder(meta)
    assert panel.history.checkpoints == {146: tmp_path / "M01_AutoCat_146.model"}


def test_a_folder_with_two_aideveloper_models_asks_for_one(
    qtbot, history_tab, tutorial, tmp_path
):
    panel, controller = history_tab
    meta = (tutorial / "models" / "M01_AutoCat_meta.xlsx").read_bytes()
    for name in ("A_meta.xlsx", "B_meta.xlsx"):
        (tmp_path / name).write_bytes(meta)
    with qtbot.waitSignal(controller.error) as error:
        assert not controller.open_folder(tmp_path)
    assert "A_meta.xlsx, B_meta.xlsx" in error.args[0]
    assert "AIDeveloper file" in error.args[0]
    (tmp_path / "C_meta.xlsx").write_bytes(b"not a workbook")
    with qtbot.waitSignal(controller.error) as error:
        assert not controller.open_folder(tmp_path / "C_meta.xlsx")
    assert "C_meta.xlsx" in error.args[0] and "Traceback" not in error.args[0]


def test_rolling_median_looks_back_and_skips_gaps():
    values = np.array([1.0, 5.0, np.nan, 3.0, 100.0])
    np.testing.assert_allclose(rolling_median(values, 1), values)
    np.testing.assert_allclose(rolling_median(values, 3), [1.0, 3.0, 3.0, 4.0, 51.5])


def test_main_window_hands_a_checkpoint_to_assess_and_export(
    qtbot, main_window, tmp_path
):
    model = str(tmp_path / "cells_3.keras")
    main_window.history.panel.assess_requested.emit(model)
    assert main_window.tabs.currentWidget() is main_window.assess.panel
    assert main_window.assess.panel.model_picker.path == model
    main_window.history.panel.export_requested.emit(model)
    assert main_window.tabs.currentWidget() is main_window.classify_export.panel
    assert main_window.classify_export.panel.export_edit.text().endswith(
        "cells_3_onnx.onnx"
    )
    assert [main_window.tabs.tabText(i) for i in range(5)][2:] == [
        "History",
        "Assess",
        "Classify / Export",
    ]
    # both tabs read the (missing) model's metadata in threads: a readable error
    qtbot.waitUntil(lambda: not main_window.tasks.busy, timeout=30_000)
    assert "cells_3.keras" in main_window.last_error
