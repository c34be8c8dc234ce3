"""Models, real images and exported artefacts shared by the export tests.

Exports are slow, so each (model, format) pair is exported once per session
(:func:`exported`) and every runtime test reads the same files.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pytest

from aid.data.images import decode_image
from aid.data.preprocess import (
    Preprocessing,
    convert_color,
    crop_batch,
    normalize,
    training_stats,
)
from aid.data.rtdc import open_rtdc
from aid.export.api import FORMATS, SUFFIXES, ExportResult, export_model
from aid.modelfile.io import LoadedModel, load_model, save_model
from aid.modelfile.meta import ModelMeta

LEGACY_MODEL = "models/M01_AutoCat_128.model"
CIFAR_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
CIFAR_PER_CLASS = 8  # 80 images: 64 to train, 16 more seen only by the tests


@dataclass(frozen=True)
class Case:
    """A model, the raw images it is tested on, and the app's predictions."""

    loaded: LoadedModel
    raw: np.ndarray  # uint8 (N, H, W[, 3]) as read from the files
    centers: np.ndarray  # (N, 2) crop centres in pixels
    crops: np.ndarray  # uint8 (N, S, S, C): what an exported model takes
    app_scores: np.ndarray  # model.predict(normalize(crops)) as the app does


def app_case(loaded: LoadedModel, raw: np.ndarray, centers: np.ndarray) -> Case:
    """The app's own pipeline: colour, crop, normalise, predict."""
    prep = loaded.meta.preprocessing
    crops = crop_batch(
        convert_color(raw, prep.color_mode), centers, prep.input_size, prep.padding
    )
    scores = loaded.model.predict(normalize(crops, prep), verbose=0)
    return Case(loaded, raw, centers, crops, scores)


def image_centres(images: np.ndarray) -> np.ndarray:
    height, width = images.shape[1:3]
    return np.tile([width / 2.0, height / 2.0], (len(images), 1))


@pytest.fixture(scope="session")
def legacy_path(tutorial: Path) -> Path:
    return tutorial / LEGACY_MODEL


@pytest.fixture(scope="session")
def legacy_case(tutorial: Path, legacy_path: Path) -> Case:
    """AIDeveloper's tutorial model on 32 + 32 events of the tutorial test files."""
    raws, centres = [], []
    for name in ("automobile", "cat"):
        with open_rtdc(tutorial / "data" / "test" / f"{name}.rtdc") as rtdc:
            raws.append(rtdc.images(slice(0, 32)))
            centres.append(rtdc.centers_px(slice(0, 32)))
    return app_case(
        load_model(legacy_path), np.concatenate(raws), np.concatenate(centres)
    )


@pytest.fixture(scope="session")
def cifar(shared_data: Path) -> tuple[np.ndarray, np.ndarray, list[tuple[str, bytes]]]:
    """80 CIFAR-10 train images (RGB uint8), labels and their JPEG bytes."""
    images, labels, files = [], [], []
    with zipfile.ZipFile(shared_data / "cifar10-train-jpg.zip") as archive:
        names = sorted(n for n in archive.namelist() if n.endswith(".jpg"))
        for label, cls in enumerate(CIFAR_CLASSES):
            for name in [n for n in names if n.startswith(f"train/{cls}/")][
                :CIFAR_PER_CLASS
            ]:
                data = archive.read(name)
                images.append(decode_image(data, name=name))
                labels.append(label)
                files.append((f"{cls}_{Path(name).name}", data))
    return np.stack(images), np.asarray(labels), files


def small_cnn(input_shape: tuple[int, int, int], num_classes: int) -> keras.Model:
    """Conv, batch norm, dropout, softmax (some differ in training and inference)."""
    inputs = keras.Input(shape=input_shape)
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(0.3)(x)
    x = keras.layers.Dense(num_classes)(x)
    return keras.Model(inputs, keras.layers.Activation("softmax")(x), name="small_cnn")


def train_cifar_model(cifar, prep: Preprocessing, tmp: Path) -> Case:
    """Train ``small_cnn`` one epoch on 64 CIFAR images; test on all 80."""
    images, labels, _ = cifar
    keras.utils.set_random_seed(0)
    centres = image_centres(images)
    crops = crop_batch(
        convert_color(images, prep.color_mode), centres, prep.input_size, prep.padding
    )
    train = np.arange(len(images)) % 5 != 0
    if prep.normalization == "zscore_train":
        prep = prep.with_stats(*training_stats(crops[train]))
    model = small_cnn(prep.input_shape, len(CIFAR_CLASSES))
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(
        normalize(crops[train], prep), labels[train], epochs=1, batch_size=16, verbose=0
    )
    meta = ModelMeta(CIFAR_CLASSES, prep, zoo_name="small_cnn", epoch=1)
    path = save_model(model, meta, tmp / f"cifar_{prep.normalization}.keras")
    return app_case(load_model(path), images, centres)


@pytest.fixture(scope="session")
def cases(legacy_case, cifar, tmp_path_factory) -> dict[str, Case]:
    """Every tested model by name (trained lazily, once)."""
    tmp = tmp_path_factory.mktemp("trained")
    ztrain = Preprocessing(
        input_size=24, color_mode="rgb", normalization="zscore_train"
    )
    # larger than the 32 px images: the crop pads (mirrored) on every side
    zimage = Preprocessing(
        input_size=36,
        color_mode="gray",
        normalization="zscore_image",
        padding="reflect",
    )
    return {
        "legacy_div255": legacy_case,
        "cifar_zscore_train": train_cifar_model(cifar, ztrain, tmp),
        "cifar_zscore_image": train_cifar_model(cifar, zimage, tmp),
    }


@pytest.fixture(scope="session")
def exported(cases, tmp_path_factory):
    """``exported(case, fmt) -> ExportResult``, each export done once."""
    root = tmp_path_factory.mktemp("exports")
    done: dict[tuple[str, str], ExportResult] = {}

    def get(case: str, fmt: str) -> ExportResult:
        assert fmt in FORMATS
        if (case, fmt) not in done:
            out = root / case / f"model{SUFFIXES[fmt]}"
            done[case, fmt] = export_model(cases[case].loaded, fmt, out)
        return done[case, fmt]

    return get
