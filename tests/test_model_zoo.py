"""Every built-in architecture builds for gray and RGB input and trains one step."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from aid import zoo_registry
from aid.cli import main
from aid.errors import ZooError

BUILTIN = zoo_registry.builtin_architectures()
APPLICATIONS = {n for n, a in BUILTIN.items() if a.family == "Keras application"}


@pytest.fixture(autouse=True)
def _fresh_keras_session():
    yield
    keras.backend.clear_session()  # free the graph of the previous model


def _train_one_step(
    model: keras.Model, size: int, channels: int, classes: int
) -> float:
    rng = np.random.default_rng(0)
    images = rng.random((2, size, size, channels), dtype=np.float32)
    labels = np.arange(2) % classes
    # one eager step: much faster than tracing a graph for a single batch
    model.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy", run_eagerly=True
    )
    return float(np.asarray(model.train_on_batch(images, labels)).ravel()[0])


def test_zoo_has_the_promised_architectures():
    assert len(BUILTIN) >= 30
    expected = {
        "MLP_24_16_24", "MLP_64", "MLP_256_128", "LeNet5", "LeNet5_do", "LeNet5_bn_do",
        "LeNet5_skip", "TinyCNN", "TinyResNet", "VGG_small_4", "VGG_small_8",
        "Nitta_et_al_6layer", "Nitta_et_al_8layer", "ResNet20", "MobileNetV2_small",
        "ResNet9_fast", "EfficientNetB0", "ResNet50", "MobileNetV2", "DenseNet121",
    }  # fmt: skip
    assert expected <= set(BUILTIN)
    assert all(a.description for a in BUILTIN.values())


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_every_architecture_builds_and_trains(name):
    arch = BUILTIN[name]
    size = max(arch.min_size, 32)
    classes = 3
    for channels in (1, 3):
        model = zoo_registry.build_model(name, (size, size, channels), classes)
        assert model.input_shape == (None, size, size, channels)
        assert model.output_shape == (None, classes)
        dense, softmax = model.layers[-2:]
        assert isinstance(dense, keras.layers.Dense) and dense.units == classes
        assert isinstance(softmax, keras.layers.Activation)
        assert softmax.get_config()["activation"] == "softmax"
        # the big applications share their core between gray and RGB: train one
        if channels == 1 or name not in APPLICATIONS:
            before = [w.copy() for w in model.get_weights()]
            loss = _train_one_step(model, size, channels, classes)
            assert np.isfinite(loss)
            changed = [
                not np.array_equal(a, b)
                for a, b in zip(before, model.get_weights(), strict=True)
            ]
            assert any(changed), "one training step changed no weight"


def test_lenet5_do_matches_the_tutorial_model():
    model = zoo_registry.build_model("LeNet5_do", (32, 32, 1), 2)
    assert model.count_params() == 61_026
    kinds = [type(layer).__name__ for layer in model.layers[1:]]
    assert kinds == [
        "Conv2D", "Activation", "MaxPooling2D", "Conv2D", "Activation", "Dropout",
        "MaxPooling2D", "Flatten", "Dense", "Activation", "Dropout", "Dense",
        "Activation", "Dropout", "Dense", "Activation",
    ]  # fmt: skip
    rates = [
        layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)
    ]
    assert rates == [0.2, 0.5, 0.5]
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [120, 84, 2]
    assert model.get_layer("outputTensor").get_config()["activation"] == "softmax"


def test_nitta_6layer_has_the_aideveloper_parameter_count():
    model = zoo_registry.build_model("Nitta_et_al_6layer", (32, 32, 1), 10)
    assert model.count_params() == 477_418
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [32, 32, 64, 64]


def test_hyperparameters_change_the_model():
    small = zoo_registry.build_model("ResNet20", (32, 32, 3), 4, width=8)
    default = zoo_registry.build_model("ResNet20", (32, 32, 3), 4)
    assert small.count_params() < default.count_params() / 3
    assert BUILTIN["ResNet20"].hyperparameters() == {"width": (16, int)}
    assert BUILTIN["EfficientNetB0"].hyperparameters()["weights_path"] == ("", str)


def test_keras_application_loads_local_legacy_weights(tmp_path):
    tf_keras = pytest.importorskip("tf_keras")
    reference = tf_keras.applications.MobileNetV2(
        include_top=False, weights=None, input_shape=(32, 32, 3), alpha=0.35
    )
    weights = tmp_path / "mobilenet_v2_0.35_notop.h5"  # the format Keras ships
    reference.save_weights(str(weights))
    model = zoo_registry.build_model(
        "MobileNetV2", (32, 32, 1), 2, alpha=0.35, weights_path=str(weights)
    )
    for layer in ("Conv1", "block_16_project"):
        expected = reference.get_layer(layer).get_weights()[0]
        np.testing.assert_array_equal(model.get_layer(layer).get_weights()[0], expected)
    assert model.get_layer("gray_to_rgb").output.shape[-1] == 3

    with pytest.raises(ZooError, match="MobileNetV2 cannot be built"):  # wrong width
        zoo_registry.build_model(
            "MobileNetV2", (32, 32, 3), 2, weights_path=str(weights)
        )
    with pytest.raises(ZooError, match="does not exist"):
        zoo_registry.build_model(
            "ResNet50", (32, 32, 3), 2, weights_path=str(tmp_path / "missing.h5")
        )


def test_cli_zoo_list(capsys):
    assert main(["zoo", "list"]) == 0
    lines = capsys.readouterr().out.split()
    assert set(BUILTIN) <= set(lines)
    assert lines.index("MLP_8_8_8") < lines.index("MLP_16_8_16")  # natural order

    assert main(["zoo", "list", "--long"]) == 0
    out = capsys.readouterr().out
    row = next(
        line for line in out.splitlines() if line.startswith("Nitta_et_al_8layer")
    )
    assert "VGG" in row and "36px" in row and "Nitta" in row
