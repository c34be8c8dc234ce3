"""Save screenshots of every tab in a realistic state to ``docs/screenshots/``.

Run ``QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py``. It loads the
demo data, trains a short run (changing the learning rate mid-run), runs the
learning-rate finder and grabs each tab with ``QWidget.grab()``.
"""

from __future__ import annotations

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


def main() -> int:
    """Build the scenes and write the PNG files."""
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

    def shot(name: str) -> None:
        wait_for(app, lambda: True)
        window.grab().save(str(OUT / f"{name}.png"))
        print(f"wrote {OUT / name}.png")

    shot("data_empty")
    window.data.load_demo()
    wait_for(app, lambda: not window.data.busy)
    window.data_panel.table_view.selectRow(1)
    shot("data")

    panel = window.train_panel
    wait_for(app, lambda: panel.model_section.zoo_combo.count() > 0)
    panel.model_section.zoo_combo.setCurrentText("LeNet5_do")
    panel.runs_folder.setText(tempfile.mkdtemp(prefix="aid-screens-"))
    panel.run_name.setText("digits_lenet")
    optimizer = panel.optimizer_section
    optimizer.epochs.setValue(12)
    optimizer.schedule.setCurrentText("exponential")
    window.tabs.setCurrentWidget(panel)
    panel.pages.setCurrentIndex(2)
    wait_for(app, lambda: panel.augment_section._tiles[7][1].pixmap() is not None)
    shot("train_augmentation")

    window.training.find_learning_rate(panel.build_config())
    wait_for(app, lambda: optimizer.finder_button.isEnabled())
    optimizer.schedule.setCurrentText("constant")
    optimizer.learning_rate.set_value(1e-3)
    optimizer.update_schedule_preview()
    panel.pages.setCurrentIndex(1)
    scroll = panel.pages.currentWidget().verticalScrollBar()
    scroll.setValue(scroll.maximum())  # show the schedule and finder plots
    shot("train_optimisation")

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
        timeout=600,
    )
    panel.pages.setCurrentIndex(0)
    shot("train")
    for index, (title, _factory) in enumerate(window.tabs_titles()):
        if title not in ("Data", "Train"):
            window.tabs.setCurrentIndex(index)
            shot("tab_" + title.lower().replace(" / ", "_").replace(" ", "_"))
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
