"""Save screenshots of every tab in a realistic state to ``docs/screenshots/``.

Run ``QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py``
(about three minutes on two cores). Every shot is the whole 1440 × 900 window:

``data_empty``
    first start: the offer to load the demo data;
``data``
    the demo digits loaded, one row selected with its preview;
``train_augmentation``
    augmentation settings with the preview grid of augmented examples;
``train_optimisation``
    training options, schedule preview and a learning-rate finder result;
``train``
    a finished 12-epoch run: curves and a learning rate lowered live (asked for
    when epoch 5 ended; applied at the next boundary the run had not passed, 7);
``history``
    that run plotted with a rolling median and its best checkpoint selected;
``assess`` / ``assess_roc``
    AIDeveloper's tutorial model on the tutorial validation files: a clicked
    confusion-matrix cell with its images, and the ROC curves;
``classify_export``
    the tutorial model applied to the test files with a sorting threshold
    (cats at p > 0.9) and exported to ONNX.

``--only NAME[,NAME]`` re-shoots some scenes (``data``, ``train``,
``results``); a full run also deletes PNG files it no longer makes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
OUT = Path(__file__).resolve().parent / "screenshots"
SIZE = (1440, 900)
TUTORIAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "aid-tutorial"
TUTORIAL_MODEL = TUTORIAL / "models" / "M01_AutoCat_128.model"
SCENES = ("data", "train", "results")


def wait_for(app, condition, timeout: float = 300.0) -> None:
    """Run the event loop until ``condition()`` is true."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("screenshot step took too long")
        app.processEvents()
        time.sleep(0.02)
    for _ in range(20):
        app.processEvents()


class Shooter:
    """Grabs the whole window, checks its size and remembers what it wrote."""

    def __init__(self, app, window) -> None:
        self.app, self.window = app, window
        self.written: list[Path] = []

    def __call__(self, name: str) -> None:
        """Save the window as ``OUT/name.png``."""
        wait_for(self.app, lambda: True)
        size = (self.window.width(), self.window.height())
        if size != SIZE:
            raise RuntimeError(f"{name}: the window is {size}, not {SIZE}")
        path = OUT / f"{name}.png"
        self.window.grab().save(str(path))
        self.written.append(path)
        print(f"wrote {path}")


def shoot_data(app, window, shot: Shooter) -> None:
    """Shoot the empty Data tab, then the demo data with a selected row."""
    window.tabs.setCurrentIndex(0)
    shot("data_empty")
    window.data.load_demo()
    wait_for(app, lambda: not window.data.busy and window.data.table.entries)
    window.data_panel.table_view.selectRow(1)
    shot("data")


def shoot_train(app, window, shot: Shooter) -> Path:
    """Shoot augmentation, LR finder and a finished run; return its folder."""
    panel = window.train_panel
    wait_for(app, lambda: panel.model_section.zoo_combo.count() > 0)
    panel.model_section.zoo_combo.setCurrentText("LeNet5_do")
    panel.runs_folder.setText(tempfile.mkdtemp(prefix="aid-screens-"))
    panel.run_name.setText("digits_lenet")
    optimizer = panel.optimizer_section
    optimizer.epochs.setValue(12)
    optimizer.schedule.setCurrentText("exponential")
    window.tabs.setCurrentWidget(panel)
    panel.pages.setCurrentWidget(panel.page("Augmentation"))
    section = panel.augment_section
    wait_for(app, lambda: section._tiles[-1][1].pixmap() is not None)
    shot("train_augmentation")

    window.training.find_learning_rate(panel.build_config())
    wait_for(app, lambda: optimizer.finder_button.isEnabled())
    optimizer.schedule.setCurrentText("constant")  # the finder set the rate
    optimizer.update_schedule_preview()
    panel.pages.setCurrentWidget(panel.page("Optimisation"))
    wait_for(app, lambda: True)  # lay the page out before scrolling it
    scroll = panel.pages.currentWidget().verticalScrollBar()
    scroll.setValue(scroll.maximum())  # show the schedule and finder plots
    shot("train_optimisation")

    optimizer.learning_rate.set_value(1e-3)  # the run below lowers it live
    config = replace(panel.build_config(), checkpoint_monitors=("val_accuracy",))
    controller = window.training.start_run(config)
    view = panel.runs.currentWidget()

    def lower_rate(event) -> None:
        if event.epoch == 5:
            view.set_form_value("learning_rate", 3e-4)
            view.apply_button.click()

    controller.epoch_ended.connect(lower_rate)
    wait_for(
        app,
        lambda: (
            controller.status in ("completed", "stopped", "failed")
            and not controller.is_running
        ),
        timeout=900,
    )
    panel.pages.setCurrentWidget(panel.page("Model"))
    shot("train")
    return controller.run_dir


def train_demo_run(folder: Path) -> Path:
    """Train a 15-epoch TinyCNN run on the demo digits (``--only results``)."""
    from aid.augment import AugmentConfig
    from aid.data.demo import demo_dataset
    from aid.data.preprocess import Preprocessing
    from aid.train.config import TrainConfig
    from aid.train.run import run_training

    config = TrainConfig(
        zoo_name="TinyCNN",
        preprocessing=Preprocessing(input_size=16),
        epochs=15,
        batch_size=32,
        augmentation=AugmentConfig.none(),
        checkpoint_monitors=("val_accuracy", "val_loss"),
        name="digits",
    )
    run_training(config, demo_dataset(), run_dir=folder / "digits")
    return folder / "digits"


def shoot_results(app, window, shot: Shooter, run_dir: Path) -> None:
    """Shoot the history of ``run_dir``, an assessment, classify and export."""
    history = window.history
    history.open_folder(run_dir)
    panel = history.panel
    panel.set_metric_checked("val_loss", True)
    panel.set_metric_checked("loss", True)
    panel.median_spin.setValue(3)
    panel.select_epoch(max(panel.history.checkpoints))
    window.tabs.setCurrentWidget(panel)
    shot("history")

    assess = window.assess
    assess.panel.model_picker.set_path(TUTORIAL_MODEL)
    assess.panel.set_data_path(TUTORIAL / "data" / "validation")
    assess.start()
    wait_for(app, lambda: assess.outcome is not None and not assess.busy)
    window.tabs.setCurrentWidget(assess.panel)
    assess.panel.sorting.set_threshold(0.7, class_index=1)
    assess.panel.request_cell(1, 0)  # cats taken for cars: the interesting cell
    wait_for(app, lambda: assess.panel.shown_cell is not None)
    shot("assess")
    assess.panel.result_tabs.setCurrentWidget(assess.panel.roc_plot.widget)
    shot("assess_roc")

    tab = window.classify_export
    out = Path(tempfile.mkdtemp(prefix="aid-classify-"))
    tab.panel.model_picker.set_path(TUTORIAL_MODEL)
    test = TUTORIAL / "data" / "test"
    tab.panel.add_inputs([str(test / "cat.rtdc"), str(test / "automobile.rtdc")])
    tab.panel.out_edit.setText(str(out / "predictions.csv"))
    tab.panel.copies_edit.setText(str(out / "copies"))
    tab.panel.copies_check.setChecked(True)
    wait_for(app, lambda: tab.panel.sorting.class_combo.count() == 2)
    tab.panel.sorting.set_threshold(0.9, class_index=1)  # sort cats at p > 0.9
    tab.classify(tab.panel.classify_request())
    wait_for(app, lambda: not tab.busy)
    tab.panel.export_edit.setText(str(out / "M01_AutoCat_128.onnx"))
    tab.panel.export_button.click()
    wait_for(app, lambda: not tab.busy)
    window.tabs.setCurrentWidget(tab.panel)
    shot("classify_export")


def main(argv: list[str] | None = None) -> int:
    """Build the scenes and write the PNG files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SCENES), help="scenes to shoot")
    scenes = parser.parse_args(argv).only.split(",")
    from PyQt5.QtWidgets import QApplication

    from aid.gui.main_window import MainWindow
    from aid.gui.settings import AppSettings
    from aid.gui.theme import apply_theme

    app = QApplication(sys.argv[:1])
    apply_theme(app, "light")
    window = MainWindow(AppSettings())
    window.resize(*SIZE)
    window.show()
    window.start_background_work()  # model zoo and device, as at a normal start
    wait_for(app, lambda: not window.device_label.text().endswith("…"))
    OUT.mkdir(exist_ok=True)
    shot = Shooter(app, window)
    run_dir = None
    if "data" in scenes or "train" in scenes:
        shoot_data(app, window, shot)
    if "train" in scenes:
        run_dir = shoot_train(app, window, shot)
    if "results" in scenes:
        run_dir = run_dir or train_demo_run(Path(tempfile.mkdtemp(prefix="aid-")))
        shoot_results(app, window, shot, run_dir)
    window.close()
    if set(SCENES) <= set(scenes):
        for stale in set(OUT.glob("*.png")) - set(shot.written):
            stale.unlink()
            print(f"removed {stale}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
