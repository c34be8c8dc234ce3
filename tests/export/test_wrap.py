"""The normalisation inside a wrapped model equals the app's ``normalize``."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from aid.data.preprocess import Preprocessing, normalize
from aid.errors import ExportError
from aid.export.wrap import (
    INPUT_NAME,
    PerImageStandardization,
    check_parity,
    normalization_layer,
    with_normalization,
)

PREPS = {
    "none": Preprocessing(16, "gray", "none"),
    "div255": Preprocessing(16, "gray", "div255"),
    "zscore_image": Preprocessing(16, "rgb", "zscore_image"),
    "zscore_train": Preprocessing(16, "rgb", "zscore_train", mean=117.3, std=61.8),
}


def images_for(prep: Preprocessing, n: int = 6) -> np.ndarray:
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, size=(n, *prep.input_shape), dtype=np.uint8)
    images[0] = 77  # a flat image: per-image std 0 hits the 1e-4 floor
    return images


@pytest.mark.parametrize("name", sorted(PREPS))
def test_layer_equals_app_normalize(name):
    prep = PREPS[name]
    images = images_for(prep)
    layer = normalization_layer(prep)
    x = images.astype(np.float32)
    ours = x if layer is None else keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(ours, normalize(images, prep), rtol=0, atol=1e-5)


@pytest.mark.parametrize("name", sorted(PREPS))
def test_wrapped_model_matches_app(name):
    prep = PREPS[name]
    inputs = keras.Input(prep.input_shape)
    x = keras.layers.Flatten()(inputs)
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.Dense(4)(x))
    model = keras.Model(inputs, outputs)
    wrapped = with_normalization(model, prep)
    assert wrapped.input_shape == (None, *prep.input_shape)
    assert wrapped.inputs[0].name == INPUT_NAME
    assert check_parity(model, wrapped, prep, images_for(prep)) <= 1e-5


def test_parity_check_catches_a_wrong_normalisation():
    prep = PREPS["div255"]
    model = keras.Sequential(
        [
            keras.Input(prep.input_shape),
            keras.layers.Flatten(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    not_normalising = with_normalization(model, Preprocessing(16, "gray", "none"))
    with pytest.raises(ExportError, match="differs from the app"):
        check_parity(model, not_normalising, prep, images_for(prep))


def test_input_shape_must_match_metadata():
    model = keras.Sequential(
        [keras.Input((16, 16, 3)), keras.layers.Flatten(), keras.layers.Dense(2)]
    )
    with pytest.raises(
        ExportError, match=r"expects inputs \(16, 16, 3\).*\(16, 16, 1\)"
    ):
        with_normalization(model, PREPS["div255"])


def test_training_zscore_needs_the_statistics():
    prep = Preprocessing(16, "gray", "zscore_train")
    with pytest.raises(ExportError, match="no training mean/std"):
        normalization_layer(prep)


def test_per_image_layer_round_trips_through_keras_config():
    layer = PerImageStandardization(min_std=0.5, name="z")
    clone = PerImageStandardization.from_config(layer.get_config())
    assert clone.min_std == 0.5 and clone.name == "z"
