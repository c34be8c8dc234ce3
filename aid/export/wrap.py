"""Put the app's normalisation inside a model, so deployment only crops.

The wrapped model takes the *cropped* image as float32 pixel values 0-255
(uint8 values), shape ``(None, S, S, C)``, and normalises it exactly as
:func:`aid.data.preprocess.normalize` does before calling the trained model.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from aid.data.preprocess import MIN_STD, Preprocessing, normalize
from aid.errors import ExportError
from aid.modelfile.layers import PerImageStandardization

#: Name of the input tensor of every exported model.
INPUT_NAME = "image"
#: Name of the output tensor (class probabilities) of every exported model.
OUTPUT_NAME = "scores"
#: Largest difference between wrapped and app predictions accepted at export.
PARITY_TOLERANCE = 1e-5


def normalization_layer(prep: Preprocessing) -> keras.layers.Layer | None:
    """Keras layer doing ``prep.normalization``; ``None`` for ``"none"``."""
    method = prep.normalization
    if method == "none":
        return None
    if method == "div255":
        return keras.layers.Rescaling(1.0 / 255.0, name="normalize_div255")
    if method == "zscore_image":
        return PerImageStandardization(name="normalize_zscore_image")
    if prep.mean is None or prep.std is None:
        raise ExportError(
            "the model uses training-set z-score normalisation but its metadata has "
            "no training mean/std; it cannot be exported"
        )
    std = max(float(prep.std), MIN_STD)
    # (x - mean) / std written as x * (1/std) - mean/std: one fused multiply-add
    return keras.layers.Rescaling(
        1.0 / std, offset=-float(prep.mean) / std, name="normalize_zscore_train"
    )


def check_input_shape(model: keras.Model, prep: Preprocessing) -> None:
    """Raise :class:`ExportError` unless ``model`` takes ``prep.input_shape`` images."""
    shape = model.input_shape
    if isinstance(shape, list):
        raise ExportError(
            f"only single-input models can be exported (found {len(shape)})"
        )
    expected = prep.input_shape
    actual = tuple(shape[1:])
    compatible = len(actual) == 3 and all(
        a in (None, e) for a, e in zip(actual, expected, strict=True)
    )
    if not compatible:
        raise ExportError(
            f"the model expects inputs {actual} but its metadata says {expected} "
            f"({prep.input_size} px, {prep.color_mode}); "
            "the metadata does not fit the model"
        )


def with_normalization(model: keras.Model, prep: Preprocessing) -> keras.Model:
    """Return a model taking cropped 0-255 pixels and normalising them inside.

    Parameters
    ----------
    model
        Trained classifier that expects normalised inputs.
    prep
        The preprocessing it was trained with (incl. training mean/std).

    Returns
    -------
    keras.Model
        Input ``"image"`` of shape ``(None, S, S, C)``, float32 pixels 0-255;
        output the unchanged class probabilities of ``model``.
    """
    check_input_shape(model, prep)
    inputs = keras.Input(shape=prep.input_shape, dtype="float32", name=INPUT_NAME)
    layer = normalization_layer(prep)
    x = inputs if layer is None else layer(inputs)
    outputs = keras.layers.Identity(name=OUTPUT_NAME)(model(x, training=False))
    return keras.Model(inputs, outputs, name=f"{model.name}_with_normalization")


def serving_function(wrapped: keras.Model) -> tf.types.experimental.GenericFunction:
    """``tf.function`` mapping ``{"image": x}`` to ``{"scores": wrapped(x)}``.

    Shared by the ONNX, SavedModel and TFLite writers so that every format has
    the same tensor names and a batch dimension of any size.
    """
    spec = tf.TensorSpec((None, *wrapped.input_shape[1:]), tf.float32, name=INPUT_NAME)

    @tf.function(input_signature=[spec])
    def serve(image: tf.Tensor) -> dict[str, tf.Tensor]:
        return {OUTPUT_NAME: wrapped(image, training=False)}

    return serve


def check_parity(
    model: keras.Model,
    wrapped: keras.Model,
    prep: Preprocessing,
    images: np.ndarray | None = None,
) -> float:
    """Compare ``wrapped(images)`` with ``model(normalize(images))``.

    Parameters
    ----------
    model, wrapped
        The trained model and :func:`with_normalization` of it.
    prep
        Its preprocessing.
    images
        Cropped uint8 images ``(N, S, S, C)``; by default 4 random ones.

    Returns
    -------
    float
        Largest absolute difference.

    Raises
    ------
    ExportError
        When it exceeds :data:`PARITY_TOLERANCE`.
    """
    if images is None:
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, size=(4, *prep.input_shape), dtype=np.uint8)
    app = ops.convert_to_numpy(model(normalize(images, prep), training=False))
    ours = ops.convert_to_numpy(wrapped(images.astype(np.float32), training=False))
    diff = float(np.max(np.abs(app - ours)))
    if not diff <= PARITY_TOLERANCE:
        raise ExportError(
            f"the model with built-in normalisation differs from the app by {diff:.2e} "
            f"(allowed {PARITY_TOLERANCE:.0e}); export aborted"
        )
    return diff
