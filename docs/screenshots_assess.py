"""Screenshots of the History, Assess and Classify / Export tabs.

Run ``QT_QPA_PLATFORM=offscreen python docs/screenshots_assess.py``. It trains a
short run on the demo data (History), assesses AIDeveloper's tutorial model on
the tutorial validation files (Assess) and classifies and exports with it.
:func:`shoot_part_b` can also be called from ``make_screenshots.py`` with a run
folder it already trained.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_screenshots import OUT, SIZE, wait_for  # noqa: E402

TUTORIAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "aid-tutorial"


def train_demo_run(folder: Path) -> Path:
    """Train a 15-epoch TinyCNN run on the demo digits; return its folder."""
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


def shoot_part_b(app, window, shot, run_dir: Path) -> None:
    """Put the three tabs in a realistic state and call ``shot(name)`` for each."""
    history = window.history
    history.open_folder(run_dir)
    panel = history.panel
    panel.set_metric_checked("val_loss", True)
    panel.set_metric_checked("loss", True)
    panel.median_spin.setValue(3)
    best = max(panel.history.checkpoints)
    panel.select_epoch(best)
    window.tabs.setCurrentWidget(panel)
    shot("history")

    assess = window.assess
    assess.panel.model_picker.set_path(TUTORIAL / "models" / "M01_AutoCat_128.model")
    assess.panel.set_data_path(TUTORIAL / "data" / "validation")
    assess.start()
    wait_for(app, lambda: assess.outcome is not None and not assess.busy)
    assess.panel.set_threshold(0.5, class_index=1)
    window.tabs.setCurrentWidget(assess.panel)
    assess.panel.request_cell(1, 0)
    wait_for(app, lambda: assess.panel.shown_cell is not None)
    shot("assess")
    assess.panel.gradcam_check.setChecked(True)
    wait_for(
        app,
        lambda: (
            assess.panel.shown_cell is not None
            and assess.panel.shown_cell.heat_maps is not None
        ),
    )
    assess.panel.threshold_slider.setValue(800)
    assess.panel.result_tabs.setCurrentIndex(3)
    shot("assess_threshold")

    tab = window.classify_export
    out = Path(tempfile.mkdtemp(prefix="aid-classify-"))
    tab.panel.model_picker.set_path(TUTORIAL / "models" / "M01_AutoCat_128.model")
    tab.panel.add_inputs(
        [
            str(TUTORIAL / "data" / "test" / "cat.rtdc"),
            str(TUTORIAL / "data" / "test" / "automobile.rtdc"),
        ]
    )
    tab.panel.out_edit.setText(str(out / "predictions.csv"))
    tab.panel.copies_edit.setText(str(out / "copies"))
    tab.panel.copies_check.setChecked(True)
    tab.classify(tab.panel.classify_request())
    wait_for(app, lambda: not tab.busy)
    tab.panel.export_edit.setText(str(out / "M01_AutoCat_128.onnx"))
    tab.panel.export_button.click()
    wait_for(app, lambda: not tab.busy)
    window.tabs.setCurrentWidget(tab.panel)
    shot("classify_export")


def main() -> int:
    """Train, assess, classify, export and write the PNG files."""
    from PyQt5.QtWidgets import QApplication

    from aid.gui.main_window import MainWindow
    from aid.gui.settings import AppSettings
    from aid.gui.theme import apply_theme

    app = QApplication(sys.argv[:1])
    apply_theme(app, "light")
    run_dir = train_demo_run(Path(tempfile.mkdtemp(prefix="aid-screens-")))
    window = MainWindow(AppSettings())
    window.resize(*SIZE)
    window.show()
    OUT.mkdir(exist_ok=True)

    def shot(name: str) -> None:
        wait_for(app, lambda: True)
        window.grab().save(str(OUT / f"{name}.png"))
        print(f"wrote {OUT / name}.png")

    shoot_part_b(app, window, shot, run_dir)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
