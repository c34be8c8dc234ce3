"""Training from the GUI: curves, live changes, stop on close, attach, errors."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest
from PyQt5.QtCore import QThread

from aid.gui.controllers.run_folder import read_history, read_params_log
from aid.gui.controllers.train_tab import unique_run_dir
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


# -- several runs at once ------------------------------------------------------------
def start_two(window, table, config_a, config_b):
    """Start two runs from the window, one right after the other."""
    window.data.model.set_table(table)
    runs = []
    for config in (config_a, config_b):
        controller = window.training.start_run(config)
        assert controller is not None, window.last_error
        runs.append((controller, window.train_panel.runs.currentWidget()))
    return runs


def history_epochs(run_dir) -> list[int]:
    with (run_dir / "history.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(None not in row.values() for row in rows)  # no half-written line
    return [int(row["epoch"]) for row in rows]


def rate_changes(log_rows) -> list[str]:
    """Statuses of the learning-rate rows of a params log."""
    return [row["status"] for row in log_rows if row["key"] == "learning_rate"]


def test_two_runs_at_once_keep_their_own_curves_files_and_changes(
    main_window, qtbot, tiny_table, tiny_config
):
    # Same name, started within the same second: the user pressed Start twice.
    (job_a, view_a), (job_b, view_b) = start_two(
        main_window, tiny_table, replace(tiny_config, epochs=3), tiny_config
    )
    assert main_window.train_panel.runs.count() == 2
    assert view_a is not view_b and job_a.run_dir != job_b.run_dir
    assert len(main_window.training.running_jobs) == 2

    def change_a_after_its_first_epoch(event) -> None:
        if event.epoch == 0:
            view_a.set_form_value("learning_rate", 1e-4)
            view_a.apply_button.click()

    job_a.epoch_ended.connect(change_a_after_its_first_epoch)
    with qtbot.waitSignals(
        [job_a.run_finished, job_b.run_finished], timeout=RUN_TIMEOUT_MS
    ):
        pass
    assert (job_a.status, job_b.status) == ("completed", "completed"), (
        main_window.last_error
    )
    assert view_a.curves.epoch_count() == 3 and view_b.curves.epoch_count() == 2
    assert history_epochs(job_a.run_dir) == [0, 1, 2]
    assert history_epochs(job_b.run_dir) == [0, 1]
    assert [e.epoch for e in read_history(job_a.run_dir)] == [0, 1, 2]

    rates_a = view_a.curves.series("learning_rate")
    assert rates_a[0] == pytest.approx(1e-3) and rates_a[-1] == pytest.approx(1e-4)
    assert view_b.curves.series("learning_rate") == pytest.approx([1e-3, 1e-3])
    assert rate_changes(read_params_log(job_a.run_dir)) == ["applied"]
    assert rate_changes(read_params_log(job_b.run_dir)) == []
    assert rate_changes(view_a.log_model.rows()) == ["applied"]
    assert rate_changes(view_b.log_model.rows()) == []
    assert "applied learning_rate" in view_a.text_log.toPlainText()
    assert "applied learning_rate" not in view_b.text_log.toPlainText()
    from aid.train.params import read_params

    assert read_params(job_a.run_dir)["learning_rate"] == pytest.approx(1e-4)
    assert read_params(job_b.run_dir)["learning_rate"] == pytest.approx(1e-3)


def test_closing_the_window_stops_two_runs_cleanly(
    main_window, qtbot, tiny_table, tiny_config
):
    long_run = replace(tiny_config, epochs=500)
    (job_a, _), (job_b, _) = start_two(
        main_window, tiny_table, long_run, replace(long_run, name="other")
    )
    qtbot.waitUntil(
        lambda: job_a.epochs_done >= 1 and job_b.epochs_done >= 1,
        timeout=RUN_TIMEOUT_MS,
    )
    main_window.close()
    for job in (job_a, job_b):
        assert not job.is_running
        assert job.status == "stopped"
        epochs = history_epochs(job.run_dir)
        assert 1 <= len(epochs) < 500 and epochs == list(range(len(epochs)))
    assert main_window.training.running_jobs == []


def test_run_folders_are_reserved_when_a_run_starts(tmp_path):
    # Runs started within one second must never share a folder, even before
    # their workers have written anything.
    first, second = (unique_run_dir(tmp_path / "runs", "tiny") for _ in range(2))
    assert first != second and first.is_dir() and second.is_dir()


def test_an_unusable_runs_folder_gives_a_readable_error(
    main_window, tmp_path, tiny_table, tiny_config
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the runs folder should be")
    main_window.train_panel.runs_folder.setText(str(blocker / "runs"))
    main_window.data.model.set_table(tiny_table)
    assert main_window.training.start_run(tiny_config) is None
    assert "run folder" in main_window.last_error
    assert "Traceback" not in main_window.last_error
    assert main_window.train_panel.runs.count() == 0
    assert blocker.read_text().startswith("a file")  # nothing lost


def test_curves_read_well_before_and_after_the_first_epoch(qtbot):
    from aid.gui.plots.curves import TrainingCurves

    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.resize(600, 700)
    curves.show()
    rate_plot = curves.plots["lr"]
    # Empty: learning-rate-like ticks (log10 range 1e-4..1e-2), not 1..10.
    low, high = rate_plot.viewRange()[1]
    assert -4.1 < low < high < -1.9
    # The stacked plots' epoch axes line up.
    lefts = {plot.getAxis("left").width() for plot in curves.plots.values()}
    assert len(lefts) == 1
    curves.add_epoch(0, {"accuracy": 0.5, "loss": 1.0}, learning_rate=0.3)
    qtbot.waitUntil(lambda: rate_plot.viewRange()[1][1] > -0.6)  # re-ranged to 0.3


def test_a_rejected_augmentation_change_is_logged_as_the_form_names_it(qtbot, tmp_path):
    from aid.augment import AugmentConfig
    from aid.errors import ConfigError
    from aid.gui.panels.run_view import RunView
    from aid.train.events import ParamsApplied

    view = RunView(tmp_path)
    qtbot.addWidget(view)
    with pytest.raises(ConfigError) as refused:  # what the trainer refuses with
        AugmentConfig().merged({"motion_blur_angle": [-400, 10]})
    view.show_params_applied(ParamsApplied(3, {}, {"augmentation": str(refused.value)}))
    assert (
        "epoch 3: rejected augmentation: Augmentation setting "
        "'Motion blur: Angle (degrees)' must be between -360 and 360"
    ) in view.text_log.toPlainText()
