"""Training from the GUI: curves, live changes, stop on close, attach, errors."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest
from PyQt5.QtCore import QThread

from aid.gui.controllers.run_folder import read_history, read_params_log
from aid.gui.controllers.training import TrainingController

pytestmark = [pytest.mark.gui, pytest.mark.slow]
RUN_TIMEOUT_MS = 180_000


def start(window, table, config) -> tuple[TrainingController, object]:
    window.data.model.set_table(table)
    controller = window.training.start_run(config)
    assert controller is not None, window.last_error
    return controller, window.train_panel.runs.currentWidget()


def test_tiny_run_puts_points_on_the_curves(
    main_window, qtbot, tiny_table, tiny_config
):
    controller, view = start(main_window, tiny_table, tiny_config)
    with qtbot.waitSignal(controller.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        pass
    assert finished.args == ["completed"], main_window.last_error
    assert view.curves.epoch_count() == 2
    assert all(0.0 <= v <= 1.0 for v in view.curves.series("val_accuracy"))
    assert view.curves.series("learning_rate") == pytest.approx([1e-3, 1e-3])
    assert [e.epoch for e in read_history(controller.run_dir)] == [0, 1]
    assert "epoch 1" in view.text_log.toPlainText()


def test_learning_rate_change_mid_run_is_logged(
    main_window, qtbot, tiny_table, tiny_config
):
    controller, view = start(main_window, tiny_table, replace(tiny_config, epochs=3))

    def change_after_first_epoch(event) -> None:
        if event.epoch == 0:
            assert (
                QThread.currentThread() is view.thread()
            )  # slots run on the GUI thread
            view.set_form_value("learning_rate", 1e-4)
            view.apply_button.click()

    controller.epoch_ended.connect(change_after_first_epoch)
    with qtbot.waitSignal(controller.run_finished, timeout=RUN_TIMEOUT_MS):
        pass
    rows = read_params_log(controller.run_dir)
    lr_rows = [r for r in rows if r["key"] == "learning_rate"]
    assert lr_rows and lr_rows[0]["status"] == "applied"
    assert float(lr_rows[0]["new"]) == pytest.approx(1e-4)
    shown = view.log_model.rows()
    assert any(r["key"] == "learning_rate" and r["status"] == "applied" for r in shown)
    assert "applied learning_rate" in view.text_log.toPlainText()
    rates = view.curves.series("learning_rate")
    assert rates[0] == pytest.approx(1e-3) and rates[-1] == pytest.approx(1e-4)


def test_closing_the_window_during_a_run_stops_it_cleanly(
    main_window, qtbot, tiny_table, tiny_config
):
    controller, _ = start(main_window, tiny_table, replace(tiny_config, epochs=500))
    qtbot.waitSignal(controller.epoch_ended, timeout=RUN_TIMEOUT_MS).wait()
    main_window.close()
    assert not controller.is_running
    assert controller.status == "stopped"
    with (controller.run_dir / "history.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert 1 <= len(rows) < 500
    assert all(None not in row.values() for row in rows)  # no half-written line
    assert [int(r["epoch"]) for r in rows] == list(range(len(rows)))


def test_attach_follows_a_run_folder_and_writes_changes(
    main_window, qtbot, tiny_table, tiny_config
):
    controller, _ = start(main_window, tiny_table, tiny_config)
    with qtbot.waitSignal(controller.run_finished, timeout=RUN_TIMEOUT_MS):
        pass
    main_window.attach_run(controller.run_dir)
    view = main_window.train_panel.runs.currentWidget()
    assert view.curves.epoch_count() == 2  # read from history.csv at once
    view.set_form_value("epochs", 4)
    view.apply_button.click()
    from aid.train.params import read_params

    assert read_params(controller.run_dir)["epochs"] == 4


def test_training_without_validation_data_shows_a_readable_error(
    main_window, tiny_table, tiny_config
):
    train_only = tiny_table.remove([2, 3])
    main_window.data.model.set_table(train_only)
    assert main_window.training.start_run(tiny_config) is None
    assert "validation" in main_window.last_error
    assert "Traceback" not in main_window.last_error


def test_unknown_model_fails_in_the_worker_and_the_app_keeps_running(
    main_window, qtbot, tiny_table, tiny_config
):
    controller, view = start(
        main_window, tiny_table, replace(tiny_config, zoo_name="NoSuchNet")
    )
    with qtbot.waitSignal(controller.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        pass
    assert finished.args == ["failed"]
    assert "NoSuchNet" in main_window.last_error
    assert "Traceback" not in main_window.last_error
    assert "finished: failed" in view.status_label.text()
