"""Grad-CAM heat maps and inference timing on small Keras models."""

from __future__ import annotations

import numpy as np
import pytest

from aid.data.preprocess import normalize
from aid.data.rtdc import open_rtdc
from aid.errors import AssessmentError
from aid.evaluate.gradcam import grad_cam, last_conv_layer_name
from aid.evaluate.timing import inference_time


def identity_conv_model(sign: float):
    """8x8 gray -> 1x1 conv (weight 1) -> dense (all weights ``sign``) -> softmax."""
    import keras

    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(1, 1, use_bias=False, name="features")(inputs)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(2, use_bias=False, name="logits")(x)
    model = keras.Model(inputs, keras.layers.Activation("softmax")(x))
    model.get_layer("features").set_weights([np.ones((1, 1, 1, 1), np.float32)])
    kernel = np.zeros((64, 2), np.float32)
    kernel[:, 1] = sign
    model.get_layer("logits").set_weights([kernel])
    return model


def test_heat_map_follows_the_evidence() -> None:
    image = np.zeros((1, 8, 8, 1), np.float32)
    image[0, 1:3, 1:3, 0] = 1.0  # a bright square top left
    positive = grad_cam(identity_conv_model(+1.0), image, class_index=1)
    assert positive.shape == (1, 8, 8) and positive.dtype == np.float32
    assert positive.max() == pytest.approx(1.0) and positive.min() >= 0.0
    assert positive[0, 1:3, 1:3].min() > 0.5  # hot where the square is
    assert positive[0, 5:, 5:].max() == 0.0  # cold far away
    # the logit decreases with brightness: no positive evidence -> all zeros
    assert grad_cam(identity_conv_model(-1.0), image, class_index=1).max() == 0.0


def test_tutorial_model_maps(tutorial, tutorial_model) -> None:
    prep = tutorial_model.meta.preprocessing
    with open_rtdc(tutorial / "data" / "test" / "cat.rtdc") as f:
        from aid.data.sampling import read_crops

        images = normalize(read_crops(f, slice(0, 4), prep, 32), prep)
    name = last_conv_layer_name(tutorial_model.model)
    assert "conv" in type(tutorial_model.model.get_layer(name)).__name__.lower()
    maps = grad_cam(tutorial_model.model, images, class_index=1)
    assert maps.shape == (4, 32, 32)
    assert np.all((maps >= 0) & (maps <= 1))
    assert np.all(maps.reshape(4, -1).max(axis=1) > 0)  # cat evidence in cat images


def test_mlp_and_bad_requests_are_typed_errors() -> None:
    import keras

    mlp = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
            keras.layers.Activation("softmax"),
        ]
    )
    with pytest.raises(AssessmentError, match="MLP"):
        grad_cam(mlp, np.zeros((1, 8, 8, 1)), 0)
    conv = identity_conv_model(1.0)
    with pytest.raises(AssessmentError, match="does not exist"):
        grad_cam(conv, np.zeros((1, 8, 8, 1)), 5)
    with pytest.raises(AssessmentError, match="no layer named"):
        grad_cam(conv, np.zeros((1, 8, 8, 1)), 0, layer_name="nope")
    with pytest.raises(AssessmentError, match="spatial"):
        grad_cam(conv, np.zeros((1, 8, 8, 1)), 0, layer_name="logits")


def test_inference_time_statistics() -> None:
    model = identity_conv_model(1.0)
    timing = inference_time(model, np.zeros((3, 8, 8, 1)), images_total=20, rounds=4)
    assert timing.images == 20 and timing.rounds == 4 and timing.batch_size == 1
    assert 0 < timing.min_ms <= timing.median_ms <= timing.max_ms
    assert timing.min_ms <= timing.mean_ms <= timing.max_ms
    batched = inference_time(
        model, np.zeros((3, 8, 8, 1)), images_total=40, rounds=2, batch_size=10
    )
    assert batched.images == 40
    with pytest.raises(AssessmentError):
        inference_time(model, np.zeros((0, 8, 8, 1)))
