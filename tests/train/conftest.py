"""Tiny real training set-ups shared by the training tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aid.augment import AugmentConfig
from aid.data.folders import table_from_folder
from aid.data.preprocess import Preprocessing
from aid.data.rtdc import open_rtdc
from aid.data.table import DatasetTable
from aid.train.config import TrainConfig
from aid.train.events import TrainEvent

TINY_MODEL = "LeNet5_do"


@pytest.fixture(scope="session")
def tiny_table(tutorial: Path) -> DatasetTable:
    """Tutorial automobile (0) and cat (1): 24 train + 16 valid events per file."""
    train = table_from_folder(tutorial / "data" / "train", events_per_epoch=24)
    valid = table_from_folder(
        tutorial / "data" / "validation", role="valid", events_per_epoch=16
    )
    return train.add(valid.entries)


@pytest.fixture(scope="session")
def cat_images(tutorial: Path) -> np.ndarray:
    """The first 200 events of the tutorial ``cat.rtdc``: real RGB 32 x 32 images."""
    with open_rtdc(tutorial / "data" / "train" / "cat.rtdc") as rtdc:
        images = rtdc.images(slice(0, 200))
    images = images.reshape(200, 32, 32, -1)
    images.setflags(write=False)
    return images


@pytest.fixture()
def tiny_cfg() -> TrainConfig:
    """Two quick epochs of LeNet5_do on 16 px gray crops, no augmentation."""
    return TrainConfig(
        zoo_name=TINY_MODEL,
        preprocessing=Preprocessing(input_size=16),
        epochs=2,
        batch_size=16,
        augmentation=AugmentConfig.none(),
    )


class EventLog(list):
    """A reporter that keeps every event (a list with a call)."""

    def __call__(self, event: TrainEvent) -> None:
        self.append(event)

    def of(self, kind: type) -> list:
        return [event for event in self if isinstance(event, kind)]


@pytest.fixture()
def events() -> EventLog:
    return EventLog()


@pytest.fixture()
def train_args(tutorial: Path):
    """``aid train`` arguments for LeNet5_do on the tutorial train/validation files."""

    def args(run: Path, *, size: int, epochs: int, events: int, extra=()) -> list:
        data = tutorial / "data"
        return [
            "train", str(data / "train"), "--valid", str(data / "validation"),
            "--model", "LeNet5_do", "--size", str(size), "--epochs", str(epochs),
            "--events-per-epoch", str(events), *extra, "--out", str(run),
        ]  # fmt: skip

    return args
