"""Grad-CAM heat maps: where in an image a convolutional net looks for a class.

Selvaraju et al. (2017): the gradient of the class score with respect to the
feature maps of the last convolutional layer, averaged over space, weights those
maps; the positive part of their weighted sum, resized to the input, is the map.
The class score is taken *before* the softmax when the model ends in a separate
softmax activation (every zoo model does), which keeps gradients informative.

Gradients need the backend's own API; TensorFlow is supported (the backend AID
ships with). Other backends get a clear :class:`~aid.errors.AssessmentError`.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from aid.data.preprocess import as_nhwc
from aid.errors import AssessmentError


def last_conv_layer_name(model: Any) -> str:
    """Name of the last layer with a 4-D (spatial) output, preferring convolutions.

    Raises
    ------
    AssessmentError
        If the model has no spatial layer (an MLP), so Grad-CAM is undefined.
    """
    spatial = [layer for layer in model.layers if _is_spatial(layer)]
    convs = [layer for layer in spatial if "conv" in type(layer).__name__.lower()]
    chosen = convs or spatial
    if not chosen:
        raise AssessmentError(
            f"model {model.name!r} has no convolutional layer; Grad-CAM works only for "
            "convolutional networks, not for MLPs"
        )
    return str(chosen[-1].name)


def _is_spatial(layer: Any) -> bool:
    try:
        shape = layer.output.shape
    except (AttributeError, ValueError):
        return False  # unbuilt or multi-output layers
    return len(shape) == 4 and not layer.__class__.__name__ == "InputLayer"


def grad_cam(
    model: Any,
    images_normalised: np.ndarray,
    class_index: int,
    layer_name: str | None = None,
) -> np.ndarray:
    """Grad-CAM heat maps of ``class_index`` for a batch of model inputs.

    Parameters
    ----------
    model
        A Keras 3 functional or sequential model with a convolutional layer.
    images_normalised
        Model inputs ``(n, H, W, C)`` float32, already normalised.
    class_index
        Output class the maps explain.
    layer_name
        Convolutional layer to use; the last one when ``None``.

    Returns
    -------
    numpy.ndarray
        Heat maps ``(n, H, W)`` float32 in [0, 1] (all 0 where the class has no
        positive evidence).
    """
    x = as_nhwc(np.asarray(images_normalised, dtype=np.float32))
    num_classes = int(model.outputs[0].shape[-1])
    if not 0 <= class_index < num_classes:
        raise AssessmentError(
            f"class {class_index} does not exist ({num_classes} classes)"
        )
    name = layer_name or last_conv_layer_name(model)
    try:
        layer = model.get_layer(name)
    except ValueError as exc:
        raise AssessmentError(f"model has no layer named {name!r}") from exc
    if not _is_spatial(layer):
        raise AssessmentError(f"layer {name!r} has no spatial (H, W, C) output")
    features, grads = _feature_gradients(_grad_model(model, name), x, class_index)
    weights = grads.mean(axis=(1, 2), keepdims=True)
    cams = np.maximum((weights * features).sum(axis=-1), 0.0)
    return np.stack([_resize_unit(cam, x.shape[1:3]) for cam in cams]).astype(
        np.float32
    )


def _grad_model(model: Any, layer_name: str) -> Any:
    """Model from the input to (feature maps of ``layer_name``, class scores).

    Class scores are the logits (the input of a final softmax ``Activation``)
    when there is one, else the model output. A ``Sequential`` model is rewired
    layer by layer: its layers may carry several graph nodes (legacy files are
    rebuilt), and ``layer.output`` can then belong to another graph.
    """
    import keras

    last = model.layers[-1]
    ends_in_softmax = type(last).__name__ == "Activation" and (
        getattr(getattr(last, "activation", None), "__name__", "") == "softmax"
    )
    if isinstance(model, keras.Sequential):
        inputs = keras.Input(shape=tuple(model.inputs[0].shape[1:]))
        x, features = inputs, None
        for layer in model.layers[:-1] if ends_in_softmax else model.layers:
            x = layer(x)
            if layer.name == layer_name:
                features = x
        return keras.Model(inputs, [features, x])
    scores = last.input if ends_in_softmax else model.outputs[0]
    return keras.Model(model.inputs, [model.get_layer(layer_name).output, scores])


def _feature_gradients(
    grad_model: Any, x: np.ndarray, class_index: int
) -> tuple[np.ndarray, np.ndarray]:
    """Feature maps and d(class score)/d(feature maps) with the backend's autodiff."""
    import keras

    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise AssessmentError(
            f"Grad-CAM needs the TensorFlow backend; KERAS_BACKEND is {backend!r}"
        )
    import tensorflow as tf

    with tf.GradientTape() as tape:
        features, scores = grad_model(tf.convert_to_tensor(x), training=False)
        target = scores[:, class_index]
    grads = tape.gradient(target, features)
    return np.asarray(features), np.asarray(grads)


def _resize_unit(cam: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize a map to ``size`` (H, W) and scale it to [0, 1]."""
    height, width = size
    resized = cv2.resize(
        cam.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR
    )
    resized = np.maximum(resized, 0.0)
    peak = float(resized.max())
    return resized / peak if peak > 0 else np.zeros_like(resized)
