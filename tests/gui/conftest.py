"""GUI test fixtures: an offscreen main window and tiny real training data."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aid.augment import AugmentConfig
from aid.data.folders import table_from_paths
from aid.data.preprocess import Preprocessing
from aid.data.table import DatasetTable

#: Events per file and epoch in GUI training tests (tiny on purpose).
TINY_EVENTS = 24


@pytest.fixture
def main_window(qtbot, tmp_path):
    """The real main window with runs saved under ``tmp_path/runs``."""
    from aid.gui.main_window import MainWindow
    from aid.gui.settings import AppSettings

    window = MainWindow(AppSettings())
    qtbot.addWidget(window)
    window.train_panel.runs_folder.setText(str(tmp_path / "runs"))
    window.show()
    yield window
    window.close()  # stops and waits for any run still going


@pytest.fixture
def tiny_table(tutorial: Path) -> DatasetTable:
    """Tutorial automobile/cat files: train and validation, 24 events each."""
    data = tutorial / "data"
    files = [
        data / "train" / "automobile.rtdc",
        data / "train" / "cat.rtdc",
        data / "validation" / "automobile.rtdc",
        data / "validation" / "cat.rtdc",
    ]
    table = table_from_paths(
        files, roles=["train", "train", "valid", "valid"], events_per_epoch=TINY_EVENTS
    )
    return replace(table)


@pytest.fixture
def tiny_config():
    """A tiny network, 16 px gray input, no augmentation, 2 epochs."""
    from aid.train.config import TrainConfig

    return TrainConfig(
        zoo_name="TinyCNN",
        preprocessing=Preprocessing(input_size=16),
        epochs=2,
        batch_size=16,
        augmentation=AugmentConfig.none(),
        checkpoint_monitors=("val_accuracy",),
        name="tiny",
    )


@pytest.fixture
def image_class_folder(tmp_path: Path) -> Path:
    """``tmp/cells/{round,square}/*.png``: 5 + 3 small gray images."""
    root = tmp_path / "cells"
    rng = np.random.default_rng(0)
    for name, count in (("round", 5), ("square", 3)):
        (root / name).mkdir(parents=True)
        for i in range(count):
            pixels = rng.integers(0, 255, size=(20, 20), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root
