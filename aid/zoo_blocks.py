"""Building blocks shared by the model-zoo architectures.

Import them in the zoo file or in your own model files, e.g.
``from aid.zoo_blocks import classifier, conv_bn_relu``.
"""

from collections.abc import Sequence
from pathlib import Path

import keras
from keras import layers

from aid.errors import ZooError

Shape = tuple[int, int, int]

#: Keras' default (0.99) leaves the moving statistics far behind in the short
#: trainings typical for AID (few hundred steps), so validation accuracy lags.
BN_MOMENTUM = 0.9


def batch_norm() -> layers.BatchNormalization:
    """Batch normalisation with statistics that follow short trainings."""
    return layers.BatchNormalization(momentum=BN_MOMENTUM)


def classifier(
    inputs: keras.KerasTensor,
    features: keras.KerasTensor,
    num_classes: int,
    name: str,
    *,
    dropout: float = 0.0,
) -> keras.Model:
    """Finish a model: flatten, optional dropout, ``Dense(num_classes)``, softmax.

    The softmax is a separate ``Activation`` layer named ``outputTensor``, as
    AIDeveloper expects (the class count is read from the layer before it).
    """
    x = features if len(features.shape) == 2 else layers.Flatten()(features)
    if dropout > 0:
        x = layers.Dropout(dropout)(x)
    x = layers.Dense(num_classes)(x)
    outputs = layers.Activation("softmax", name="outputTensor")(x)
    return keras.Model(inputs, outputs, name=name)


def conv_bn_relu(
    x: keras.KerasTensor, filters: int, kernel: int = 3, strides: int = 1
) -> keras.KerasTensor:
    """Convolution ('same' padding, no bias) + batch normalisation + ReLU."""
    conv = layers.Conv2D(
        filters, kernel, strides=strides, padding="same", use_bias=False
    )
    return layers.ReLU()(batch_norm()(conv(x)))


def mlp(
    input_shape: Shape,
    num_classes: int,
    units: Sequence[int],
    name: str,
    dropout: float,
) -> keras.Model:
    """Build a multilayer perceptron: Dense + ReLU (+ dropout) for each of ``units``."""
    inputs = keras.Input(shape=input_shape, name="inputTensor")
    x = layers.Flatten()(inputs)
    for n in units:
        x = layers.Activation("relu")(layers.Dense(n)(x))
        if dropout > 0:
            x = layers.Dropout(dropout)(x)
    return classifier(inputs, x, num_classes, name)


def residual_block(
    x: keras.KerasTensor, filters: int, strides: int = 1
) -> keras.KerasTensor:
    """Two 3x3 conv + BN layers added to a shortcut (1x1 conv if the shape changes)."""
    shortcut = x
    if strides != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=strides, use_bias=False)(x)
        shortcut = batch_norm()(shortcut)
    y = conv_bn_relu(x, filters, strides=strides)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = batch_norm()(y)
    return layers.ReLU()(layers.Add()([shortcut, y]))


def inverted_residual(
    x: keras.KerasTensor, filters: int, strides: int, expansion: int
) -> keras.KerasTensor:
    """MobileNetV2 block: 1x1 expand, 3x3 depthwise, 1x1 project (+ shortcut)."""
    y = layers.Conv2D(x.shape[-1] * expansion, 1, use_bias=False)(x)
    y = layers.ReLU(6.0)(batch_norm()(y))
    y = layers.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False)(y)
    y = layers.ReLU(6.0)(batch_norm()(y))
    y = batch_norm()(layers.Conv2D(filters, 1, use_bias=False)(y))
    if strides == 1 and x.shape[-1] == filters:
        y = layers.Add()([x, y])
    return y


def keras_application(
    name: str,
    input_shape: Shape,
    num_classes: int,
    weights_path: str,
    dropout: float,
    **options: object,
) -> keras.Model:
    """Build ``keras.applications.<name>`` without its top, plus a new classifier.

    Nothing is downloaded: the network starts from random weights, or from the
    local file ``weights_path`` (e.g. a Keras ``..._notop.h5`` file). Gray input
    is repeated to three channels so that ImageNet weights fit.

    Raises
    ------
    ZooError
        If the weights file is missing or does not fit the network.
    """
    weights = None
    if weights_path:
        weights = str(Path(weights_path).expanduser())
        if not Path(weights).is_file():
            raise ZooError(f"{name}: weights file {weights_path} does not exist")
    inputs = keras.Input(shape=input_shape, name="inputTensor")
    rgb = inputs
    if input_shape[-1] == 1:
        rgb = layers.Concatenate(name="gray_to_rgb")([inputs, inputs, inputs])
    application = getattr(keras.applications, name)
    try:
        base = application(
            include_top=False,
            weights=weights,
            input_tensor=rgb,
            input_shape=(*input_shape[:2], 3),
            pooling="avg",
            **options,
        )
    except ValueError as exc:  # weights that do not fit, unsupported size
        raise ZooError(f"{name} cannot be built: {exc}") from exc
    return classifier(inputs, base.output, num_classes, name, dropout=dropout)
