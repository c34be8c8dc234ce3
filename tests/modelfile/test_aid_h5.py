"""Keras 3 models written as AIDeveloper ``.model``/``.arch``, read back by tf_keras."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest

from aid.errors import ExportError
from aid.modelfile.aid_h5 import (
    aid_compatibility_problems,
    downgrade_config,
    save_aid_model,
    write_arch,
)
from aid.modelfile.legacy import load_arch, load_legacy_model

tf_keras = pytest.importorskip("tf_keras")


def sequential_model() -> keras.Model:
    keras.utils.set_random_seed(2)
    return keras.Sequential(
        [
            keras.Input((12, 12, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.BatchNormalization(),
            keras.layers.MaxPooling2D(),
            keras.layers.Dropout(0.2),
            keras.layers.Flatten(),
            keras.layers.Dense(3),
            keras.layers.Activation("softmax"),
        ]
    )


def functional_model() -> keras.Model:
    keras.utils.set_random_seed(3)
    inputs = keras.Input((12, 12, 3))
    left = keras.layers.Conv2D(4, 3, padding="same")(inputs)
    right = keras.layers.Conv2D(4, 1)(inputs)
    merged = keras.layers.Add()([left, right])
    pooled = keras.layers.GlobalAveragePooling2D()(merged)
    logits = keras.layers.Dense(2)(pooled)
    return keras.Model(inputs, keras.layers.Activation("softmax")(logits))


def _set_batchnorm_stats(model: keras.Model) -> None:
    """Non-trivial moving statistics, so a weight mix-up would show."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            rng = np.random.default_rng(4)
            layer.set_weights(
                [w + rng.random(w.shape).astype("float32") for w in layer.get_weights()]
            )


@pytest.mark.parametrize("build", [sequential_model, functional_model])
def test_model_file_round_trip_through_tf_keras(tmp_path, build):
    model = build()
    _set_batchnorm_stats(model)
    path = save_aid_model(model, tmp_path / "Run_5.model")
    assert path.suffix == ".model" and [p.name for p in tmp_path.iterdir()] == [
        "Run_5.model"
    ]
    channels = model.input_shape[-1]
    x = np.random.default_rng(5).random((6, 12, 12, channels), dtype=np.float32)
    expected = model.predict(x, verbose=0)
    reference = tf_keras.models.load_model(path, compile=False)
    np.testing.assert_allclose(reference.predict(x, verbose=0), expected, atol=1e-6)
    ours = load_legacy_model(path)
    np.testing.assert_allclose(ours.predict(x, verbose=0), expected, atol=1e-6)


def test_model_file_has_what_aideveloper_reads(tmp_path):
    path = save_aid_model(sequential_model(), tmp_path / "Run_0.model")
    with h5py.File(path, "r") as h5:
        assert "training_config" not in h5.attrs
        config = json.loads(h5.attrs["model_config"])
    layers = config["config"]["layers"]
    # AIDeveloper: input size from the first layer, classes from the second-to-last
    assert layers[0]["config"]["batch_input_shape"] == [None, 12, 12, 1]
    assert layers[-2]["config"]["units"] == 3
    text = json.dumps(config)
    for keras3_only in (
        "batch_shape",
        "DTypePolicy",
        "build_config",
        "registered_name",
    ):
        assert keras3_only not in text


def test_arch_file_readable_by_tf_keras_and_us(tmp_path):
    model = functional_model()
    path = write_arch(model, tmp_path / "Run.arch")
    assert json.loads(path.read_text())["class_name"] == "Model"
    assert (
        tf_keras.models.model_from_json(path.read_text()).count_params()
        == model.count_params()
    )
    rebuilt = load_arch(path)
    assert rebuilt.count_params() == model.count_params()
    assert rebuilt.output_shape == (None, 2)


def test_tutorial_model_survives_a_write_and_read(tmp_path, legacy_model_path):
    original = load_legacy_model(legacy_model_path)
    path = save_aid_model(original, tmp_path / "M01_AutoCat_128.model")
    reference = tf_keras.models.load_model(path, compile=False)
    x = np.random.default_rng(6).random((20, 32, 32, 1), dtype=np.float32)
    np.testing.assert_allclose(
        reference.predict(x, verbose=0), original.predict(x, verbose=0), atol=1e-6
    )
    assert aid_compatibility_problems(original) == []


def test_compatibility_problems_name_what_is_missing():
    problems = aid_compatibility_problems(
        keras.Sequential(
            [keras.Input((10, 12, 2)), keras.layers.Flatten(), keras.layers.Dense(2)]
        )
    )
    assert len(problems) == 3
    assert (
        "square" in problems[0] and "Dense" in problems[1] and "softmax" in problems[2]
    )


def test_downgrade_config_leaves_input_alone():
    config = {
        "class_name": "InputLayer",
        "config": {"batch_shape": [None, 4], "optional": False},
    }
    assert downgrade_config(config) == {
        "class_name": "InputLayer",
        "config": {"batch_input_shape": [None, 4]},
    }
    assert config["config"]["batch_shape"] == [None, 4]


def test_unwritable_target_is_export_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError):
        save_aid_model(sequential_model(), blocker / "sub" / "M.model")
    assert not any(p.suffix == ".h5" for p in Path(tmp_path).rglob("*"))
