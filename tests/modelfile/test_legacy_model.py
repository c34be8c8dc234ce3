"""AIDeveloper's tutorial model, loaded by Keras 3, scores as AIDeveloper recorded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

from aid.errors import ModelLoadError
from aid.modelfile.io import load_model
from aid.modelfile.legacy import (
    load_arch,
    load_legacy_model,
    split_checkpoint_name,
    upgrade_config,
)


@pytest.fixture(scope="module")
def tutorial_loaded(legacy_model_path: Path):
    return load_model(legacy_model_path)


def _accuracy(loaded, files: dict[int, Path], model_inputs) -> tuple[int, int]:
    correct = total = 0
    for label, path in files.items():
        scores = loaded.model.predict(model_inputs(path, loaded.meta), verbose=0)
        correct += int((scores.argmax(axis=1) == label).sum())
        total += len(scores)
    return correct, total


def test_tutorial_model_loads_with_its_meta(tutorial_loaded):
    assert tutorial_loaded.legacy
    model, meta = tutorial_loaded.model, tutorial_loaded.meta
    assert model.input_shape == (None, 32, 32, 1)
    assert model.output_shape == (None, 2)
    assert model.count_params() == 61_026
    assert len(model.layers) == 16  # the prepended InputLayer is not a layer
    assert meta.class_names == ("automobile", "cat")
    assert meta.epoch == 128 and meta.zoo_name == "LeNet5_do"
    assert meta.preprocessing.color_mode == "gray"
    assert meta.preprocessing.normalization == "div255"
    assert meta.source["saved"] and meta.source["history"]["val_acc"] == 0.9325


@pytest.mark.parametrize(
    ("split", "expected"), [("test", (1816, 2000)), ("validation", (373, 400))]
)
def test_tutorial_accuracy_matches_aideveloper(
    tutorial, tutorial_loaded, model_inputs, split, expected
):
    folder = tutorial / "data" / split
    files = {0: folder / "automobile.rtdc", 1: folder / "cat.rtdc"}
    correct, total = _accuracy(tutorial_loaded, files, model_inputs)
    assert (correct, total) == expected
    assert correct / total >= 0.90


def test_exported_validation_set_scores_recorded_val_acc(
    tutorial_models, tutorial_loaded, model_inputs
):
    labels_text = (tutorial_models / "M01_AutoCat_Valid_Labels.txt").read_text()
    labels = np.array(labels_text.split(), dtype=int)
    x = model_inputs(
        tutorial_models / "M01_AutoCat_Valid_Data.rtdc", tutorial_loaded.meta
    )
    predicted = tutorial_loaded.model.predict(x, verbose=0).argmax(axis=1)
    assert (predicted == labels).mean() == pytest.approx(0.9325)


def test_predictions_equal_tf_keras(
    tutorial, legacy_model_path, tutorial_loaded, model_inputs
):
    tf_keras = pytest.importorskip("tf_keras")
    reference = tf_keras.models.load_model(legacy_model_path, compile=False)
    x = model_inputs(tutorial / "data" / "test" / "cat.rtdc", tutorial_loaded.meta)[
        :500
    ]
    ours = tutorial_loaded.model.predict(x, verbose=0)
    theirs = reference.predict(x, verbose=0)
    assert np.abs(ours - theirs).max() <= 1e-6


def test_legacy_file_is_not_modified(legacy_model_path):
    before = legacy_model_path.read_bytes()
    load_legacy_model(legacy_model_path)
    assert legacy_model_path.read_bytes() == before


def test_arch_builds_lenet5_do(tutorial_models):
    model = load_arch(tutorial_models / "M01_AutoCat.arch")
    assert model.count_params() == 61_026
    assert model.input_shape == (None, 32, 32, 1)
    assert model.output_shape == (None, 2)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds[:3] == ["Conv2D", "Activation", "MaxPooling2D"]
    assert kinds.count("Dropout") == 3 and kinds.count("Dense") == 3
    assert kinds[-2:] == ["Dense", "Activation"]


def test_upgrade_config_rewrites_old_sequential_without_mutating(tutorial_models):
    old = json.loads((tutorial_models / "M01_AutoCat.arch").read_text())
    snapshot = json.dumps(old, sort_keys=True)
    new = upgrade_config(old)
    assert json.dumps(old, sort_keys=True) == snapshot
    layers = new["config"]["layers"]
    assert layers[0]["class_name"] == "InputLayer"
    assert layers[0]["config"]["batch_shape"] == [None, 32, 32, 1]
    assert "batch_input_shape" not in layers[1]["config"]
    assert len(layers) == len(old["config"]) + 1


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("M01_AutoCat_128", ("M01_AutoCat", 128)),
        ("M01_AutoCat_0", ("M01_AutoCat", 0)),
        ("M01_AutoCat", ("M01_AutoCat", -1)),
        ("model", ("model", -1)),
    ],
)
def test_split_checkpoint_name(stem, expected):
    assert split_checkpoint_name(stem) == expected


def test_weights_only_h5_is_a_clear_error(tmp_path, legacy_model_path):
    weights_only = tmp_path / "weights.h5"
    shutil.copyfile(legacy_model_path, weights_only)
    with h5py.File(weights_only, "r+") as h5:
        del h5.attrs["model_config"]
    with pytest.raises(ModelLoadError, match="no model architecture"):
        load_legacy_model(weights_only)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "not found"), (b"{not json", "not a JSON"), (b"[1, 2]", "not a Keras")],
)
def test_bad_arch_files(tmp_path, content, message):
    path = tmp_path / "bad.arch"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelLoadError, match=message):
        load_arch(path)
