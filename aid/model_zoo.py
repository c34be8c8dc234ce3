"""The built-in model zoo: every architecture AID can train.

HOW TO ADD A MODEL
------------------
Write ONE function and put ``@architecture(...)`` above it. That is all: the model
then appears in the GUI, in ``aid zoo list`` and can be trained. For example::

    @architecture("MyCNN", family="CNN", min_size=8)
    def my_cnn(input_shape, num_classes, *, filters: int = 32, dropout: float = 0.3):
        \"\"\"Two convolutions, global pooling and dropout.\"\"\"
        inputs = keras.Input(shape=input_shape, name="inputTensor")
        x = conv_bn_relu(inputs, filters)
        x = layers.MaxPooling2D()(conv_bn_relu(x, filters))
        x = layers.GlobalAveragePooling2D()(x)
        return classifier(inputs, x, num_classes, "MyCNN", dropout=dropout)

Rules:

* ``input_shape`` is ``(height, width, channels)`` with 1 (gray) or 3 (RGB)
  channels; ``num_classes`` is 2 or more.
* Everything after the ``*`` is a hyper-parameter. Give each a type (``int``,
  ``float``, ``str``, ``bool``) and a default: the GUI makes a form field from it.
* ``min_size`` is the smallest image height/width the model accepts.
* The model must end in ``Dense(num_classes)`` followed by a separate softmax
  ``Activation``; :func:`classifier` does this for you.
* The first line of the docstring is the description shown to users.

You may also keep your own models in separate ``.py`` files in the user model
folder (``aid zoo list --long`` shows it); start such a file with
``import keras`` and ``from aid.model_zoo import architecture, classifier``.
Check a file with ``aid zoo check FILE``.
"""

from collections.abc import Sequence

import keras
from keras import layers

from aid.zoo_blocks import (
    Shape,
    batch_norm,
    classifier,
    conv_bn_relu,
    inverted_residual,
    keras_application,
    mlp,
    residual_block,
)
from aid.zoo_registry import architecture

__all__ = ["architecture", "classifier", "conv_bn_relu", "residual_block"]


# ----------------------------------------------------------------------------------
# Multilayer perceptrons (fast; good for small, centred images)
# ----------------------------------------------------------------------------------
@architecture("MLP_4_4_4", family="MLP")
def mlp_4_4_4(input_shape: Shape, num_classes: int, *, dropout: float = 0.0):
    """MLP with three hidden layers of 4 neurons."""
    return mlp(input_shape, num_classes, (4, 4, 4), "MLP_4_4_4", dropout)


@architecture("MLP_8_8_8", family="MLP")
def mlp_8_8_8(input_shape: Shape, num_classes: int, *, dropout: float = 0.0):
    """MLP with three hidden layers of 8 neurons."""
    return mlp(input_shape, num_classes, (8, 8, 8), "MLP_8_8_8", dropout)


@architecture("MLP_16_8_16", family="MLP")
def mlp_16_8_16(input_shape: Shape, num_classes: int, *, dropout: float = 0.0):
    """MLP with hidden layers of 16, 8 and 16 neurons."""
    return mlp(input_shape, num_classes, (16, 8, 16), "MLP_16_8_16", dropout)


@architecture("MLP_24_16_24", family="MLP")
def mlp_24_16_24(input_shape: Shape, num_classes: int, *, dropout: float = 0.0):
    """MLP with hidden layers of 24, 16 and 24 neurons."""
    return mlp(input_shape, num_classes, (24, 16, 24), "MLP_24_16_24", dropout)


@architecture("MLP_64", family="MLP")
def mlp_64(input_shape: Shape, num_classes: int, *, dropout: float = 0.0):
    """MLP with one hidden layer of 64 neurons."""
    return mlp(input_shape, num_classes, (64,), "MLP_64", dropout)


@architecture("MLP_64_32_16", family="MLP")
def mlp_64_32_16(input_shape: Shape, num_classes: int, *, dropout: float = 0.0):
    """MLP with hidden layers of 64, 32 and 16 neurons."""
    return mlp(input_shape, num_classes, (64, 32, 16), "MLP_64_32_16", dropout)


@architecture("MLP_256_128", family="MLP")
def mlp_256_128(input_shape: Shape, num_classes: int, *, dropout: float = 0.0):
    """MLP with hidden layers of 256 and 128 neurons."""
    return mlp(input_shape, num_classes, (256, 128), "MLP_256_128", dropout)


@architecture("MLP_256_128_64_do", family="MLP")
def mlp_256_128_64_do(input_shape: Shape, num_classes: int, *, dropout: float = 0.3):
    """MLP with hidden layers of 256, 128 and 64 neurons, each followed by dropout."""
    return mlp(input_shape, num_classes, (256, 128, 64), "MLP_256_128_64_do", dropout)


@architecture("MLP_24_16_24_skipcon", family="MLP")
def mlp_24_16_24_skipcon(input_shape: Shape, num_classes: int):
    """MLP 24-16-24 whose first hidden layer is added to the last (skip connection)."""
    inputs = keras.Input(shape=input_shape, name="inputTensor")
    keep = layers.Activation("relu")(layers.Dense(24)(layers.Flatten()(inputs)))
    x = layers.Activation("relu")(layers.Dense(16)(keep))
    x = layers.Activation("relu")(layers.Dense(24)(x))
    return classifier(
        inputs, layers.Add()([x, keep]), num_classes, "MLP_24_16_24_skipcon"
    )


# ----------------------------------------------------------------------------------
# LeNet-5 and other small CNNs
# ----------------------------------------------------------------------------------
def lenet5(
    input_shape: Shape, num_classes: int, name: str, *, dropout: bool, batchnorm: bool
) -> keras.Model:
    """LeNet-5: two 5x5 convolutions (6, 16 filters) and dense layers 120, 84."""

    def after(x: keras.KerasTensor, rate: float) -> keras.KerasTensor:
        x = layers.Activation("relu")(x)
        x = batch_norm()(x) if batchnorm else x
        return layers.Dropout(rate)(x) if dropout and rate > 0 else x

    inputs = keras.Input(shape=input_shape, name="inputTensor")
    x = layers.MaxPooling2D(2)(after(layers.Conv2D(6, 5)(inputs), 0.0))
    x = layers.MaxPooling2D(2)(after(layers.Conv2D(16, 5)(x), 0.2))
    x = after(layers.Dense(120)(layers.Flatten()(x)), 0.5)
    x = after(layers.Dense(84)(x), 0.5)
    return classifier(inputs, x, num_classes, name)


@architecture("LeNet5", family="CNN", min_size=16)
def lenet5_plain(input_shape: Shape, num_classes: int):
    """LeNet-5 (LeCun et al. 1998) with ReLU and max pooling."""
    return lenet5(input_shape, num_classes, "LeNet5", dropout=False, batchnorm=False)


@architecture("LeNet5_do", family="CNN", min_size=16)
def lenet5_do(input_shape: Shape, num_classes: int):
    """LeNet-5 with dropout (0.2 after conv 2, 0.5 after the dense layers)."""
    return lenet5(input_shape, num_classes, "LeNet5_do", dropout=True, batchnorm=False)


@architecture("LeNet5_bn_do", family="CNN", min_size=16)
def lenet5_bn_do(input_shape: Shape, num_classes: int):
    """LeNet-5 with batch normalisation and dropout."""
    return lenet5(
        input_shape, num_classes, "LeNet5_bn_do", dropout=True, batchnorm=True
    )


@architecture("LeNet5_skip", family="CNN", min_size=4)
def lenet5_skip(input_shape: Shape, num_classes: int, *, dropout: float = 0.5):
    """LeNet-5 with 'same' padding, batch norm and a skip connection around conv 2."""
    inputs = keras.Input(shape=input_shape, name="inputTensor")
    x = layers.MaxPooling2D(2)(conv_bn_relu(inputs, 6, kernel=5))
    shortcut = layers.Conv2D(16, 1)(x)
    x = layers.Add()([conv_bn_relu(x, 16, kernel=5), shortcut])
    x = layers.Flatten()(layers.MaxPooling2D(2)(x))
    for units in (120, 84):
        x = layers.Dropout(dropout)(layers.Activation("relu")(layers.Dense(units)(x)))
    return classifier(inputs, x, num_classes, "LeNet5_skip")


@architecture("TinyCNN", family="CNN", min_size=10)
def tiny_cnn(input_shape: Shape, num_classes: int, *, filters: int = 3):
    """Very small CNN: two 3x3 convolutions with pooling and dense layers 16, 24."""
    inputs = keras.Input(shape=input_shape, name="inputTensor")
    x = layers.MaxPooling2D(2)(layers.Conv2D(filters, 3, activation="relu")(inputs))
    x = layers.MaxPooling2D(2)(layers.Conv2D(filters, 3, activation="relu")(x))
    x = layers.Dense(16, activation="relu")(layers.Flatten()(x))
    return classifier(
        inputs, layers.Dense(24, activation="relu")(x), num_classes, "TinyCNN"
    )


@architecture("CNN_4Conv2Dense_Optim", family="CNN", min_size=16)
def cnn_4conv_2dense(
    input_shape: Shape,
    num_classes: int,
    *,
    filters_1: int = 6,
    filters_2: int = 36,
    dropout: float = 0.4,
):
    """Four convolutions (3, 3, 5, 7 px) + dense 512, 256; BN and dropout throughout."""
    inputs = keras.Input(shape=input_shape, name="inputTensor")
    x = inputs
    for filters, kernel in (
        (filters_1, 3),
        (filters_1, 3),
        (filters_2, 5),
        (filters_2, 7),
    ):
        x = layers.Conv2D(filters, kernel)(x)
        x = layers.Dropout(dropout)(layers.ReLU()(batch_norm()(x)))
    x = layers.Flatten()(layers.MaxPooling2D(2)(x))
    for units in (512, 256):
        x = batch_norm()(layers.Activation("relu")(layers.Dense(units)(x)))
        x = layers.Dropout(dropout)(x)
    return classifier(inputs, x, num_classes, "CNN_4Conv2Dense_Optim")


# ----------------------------------------------------------------------------------
# VGG-style CNNs and the nets of Nitta et al. (2018, "Intelligent Image-Activated
# Cell Sorting"): stacks of 3x3 convolutions with max pooling
# ----------------------------------------------------------------------------------
def vgg(
    input_shape: Shape,
    num_classes: int,
    name: str,
    widths: Sequence[int],
    *,
    convs_per_block: int = 2,
    padding: str = "same",
    batchnorm: bool = True,
    dense: int = 256,
    block_dropout: float = 0.0,
    dropout: float = 0.5,
) -> keras.Model:
    """Build blocks of 3x3 convolutions + max pooling, then one dense layer."""
    inputs = keras.Input(shape=input_shape, name="inputTensor")
    x = inputs
    for width in widths:
        for _ in range(convs_per_block):
            x = layers.Conv2D(width, 3, padding=padding, use_bias=not batchnorm)(x)
            x = batch_norm()(x) if batchnorm else x
            x = layers.Activation("relu")(x)
        x = layers.MaxPooling2D(2)(x)
        x = layers.Dropout(block_dropout)(x) if block_dropout > 0 else x
    x = layers.Activation("relu")(layers.Dense(dense)(layers.Flatten()(x)))
    return classifier(inputs, x, num_classes, name, dropout=dropout)


@architecture("VGG_small_4", family="VGG", min_size=4)
def vgg_small_4(
    input_shape: Shape, num_classes: int, *, width: int = 32, dropout: float = 0.5
):
    """Small VGG: 4 convolutions in 2 blocks (width, 2*width), BN, dense 256."""
    return vgg(
        input_shape, num_classes, "VGG_small_4", (width, 2 * width), dropout=dropout
    )


@architecture("VGG_small_6", family="VGG", min_size=8)
def vgg_small_6(
    input_shape: Shape, num_classes: int, *, width: int = 32, dropout: float = 0.5
):
    """Small VGG: 6 convolutions in 3 blocks (width to 4*width), BN, dense 256."""
    widths = (width, 2 * width, 4 * width)
    return vgg(input_shape, num_classes, "VGG_small_6", widths, dropout=dropout)


@architecture("VGG_small_8", family="VGG", min_size=16)
def vgg_small_8(
    input_shape: Shape, num_classes: int, *, width: int = 32, dropout: float = 0.5
):
    """Small VGG: 8 convolutions in 4 blocks (width to 8*width), BN, dense 256."""
    widths = (width, 2 * width, 4 * width, 8 * width)
    return vgg(input_shape, num_classes, "VGG_small_8", widths, dropout=dropout)


@architecture("Nitta_et_al_6layer", family="VGG", min_size=16)
def nitta_6layer(input_shape: Shape, num_classes: int, *, dropout: float = 0.5):
    """Nitta et al. 2018, Fig. 5A: 4 convolutions (32, 32, 64, 64) + dense 256."""
    return vgg(
        input_shape,
        num_classes,
        "Nitta_et_al_6layer",
        (32, 64),
        padding="valid",
        batchnorm=False,
        dense=256,
        block_dropout=0.25,
        dropout=dropout,
    )


@architecture("Nitta_et_al_8layer", family="VGG", min_size=36)
def nitta_8layer(input_shape: Shape, num_classes: int, *, dropout: float = 0.5):
    """Nitta et al. 2018: 6 convolutions (32, 32, 64, 64, 64, 64) + dense 128."""
    return vgg(
        input_shape,
        num_classes,
        "Nitta_et_al_8layer",
        (32, 64, 64),
        padding="valid",
        batchnorm=False,
        dense=128,
        block_dropout=0.25,
        dropout=dropout,
    )


# ----------------------------------------------------------------------------------
# Residual networks
# ----------------------------------------------------------------------------------
def cifar_resnet(
    input_shape: Shape, num_classes: int, name: str, blocks_per_stage: int, width: int
) -> keras.Model:
    """Build a ResNet for small images (He et al. 2016, sec. 4.2) with 3 stages."""
    inputs = keras.Input(shape=input_shape, name="inputTensor")
    x = conv_bn_relu(inputs, width)
    for stage in range(3):
        for block in range(blocks_per_stage):
            strides = 2 if stage > 0 and block == 0 else 1
            x = residual_block(x, width * 2**stage, strides)
    return classifier(inputs, layers.GlobalAveragePooling2D()(x), num_classes, name)


@architecture("TinyResNet", family="ResNet", min_size=4)
def tiny_resnet(
    input_shape: Shape, num_classes: int, *, width: int = 24, dropout: float = 0.2
):
    """Tiny ResNet: one convolution, two residual blocks, global average pooling."""
    inputs = keras.Input(shape=input_shape, name="inputTensor")
    x = residual_block(residual_block(conv_bn_relu(inputs, width), width), width)
    x = layers.GlobalAveragePooling2D()(x)
    return classifier(inputs, x, num_classes, "TinyResNet", dropout=dropout)


@architecture("ResNet8", family="ResNet", min_size=8)
def resnet8(input_shape: Shape, num_classes: int, *, width: int = 16):
    """CIFAR-style ResNet with 8 layers (3 residual blocks)."""
    return cifar_resnet(input_shape, num_classes, "ResNet8", 1, width)


@architecture("ResNet20", family="ResNet", min_size=8)
def resnet20(input_shape: Shape, num_classes: int, *, width: int = 16):
    """CIFAR-style ResNet with 20 layers (9 residual blocks)."""
    return cifar_resnet(input_shape, num_classes, "ResNet20", 3, width)


@architecture("ResNet32", family="ResNet", min_size=8)
def resnet32(input_shape: Shape, num_classes: int, *, width: int = 16):
    """CIFAR-style ResNet with 32 layers (15 residual blocks)."""
    return cifar_resnet(input_shape, num_classes, "ResNet32", 5, width)


@architecture("ResNet56", family="ResNet", min_size=8)
def resnet56(input_shape: Shape, num_classes: int, *, width: int = 16):
    """CIFAR-style ResNet with 56 layers (27 residual blocks)."""
    return cifar_resnet(input_shape, num_classes, "ResNet56", 9, width)


@architecture("ResNet9_fast", family="ResNet", min_size=8)
def resnet9_fast(input_shape: Shape, num_classes: int, *, width: int = 16):
    """Fast ResNet-9 (Page 2018, 'airbench' style); width 16 suits CPU training.

    Widths per stage are width x (1, 2, 4, 8); width 64 is the original ResNet-9.
    """
    inputs = keras.Input(shape=input_shape, name="inputTensor")
    x = conv_bn_relu(inputs, width)
    for stage, residual in ((1, True), (2, False), (3, True)):
        x = layers.MaxPooling2D(2)(conv_bn_relu(x, width * 2**stage))
        if residual:
            y = conv_bn_relu(conv_bn_relu(x, width * 2**stage), width * 2**stage)
            x = layers.Add()([x, y])
    x = layers.GlobalMaxPooling2D()(x)
    return classifier(inputs, x, num_classes, "ResNet9_fast")


# ----------------------------------------------------------------------------------
# MobileNetV2-style network for small images
# ----------------------------------------------------------------------------------
@architecture("MobileNetV2_small", family="MobileNet", min_size=8)
def mobilenet_v2_small(
    input_shape: Shape,
    num_classes: int,
    *,
    alpha: float = 1.0,
    expansion: int = 6,
    dropout: float = 0.2,
):
    """MobileNetV2-style net for small images; alpha scales the widths."""

    def scaled(filters: int) -> int:
        return max(8, int(filters * alpha + 4) // 8 * 8)

    inputs = keras.Input(shape=input_shape, name="inputTensor")
    x = conv_bn_relu(inputs, scaled(32))
    stages = ((16, 1, 1), (24, 2, 2), (32, 3, 2), (64, 3, 2), (96, 2, 1))
    for filters, repeats, first_stride in stages:
        for i in range(repeats):
            x = inverted_residual(
                x, scaled(filters), first_stride if i == 0 else 1, expansion
            )
    x = layers.GlobalAveragePooling2D()(conv_bn_relu(x, scaled(320), kernel=1))
    return classifier(inputs, x, num_classes, "MobileNetV2_small", dropout=dropout)


@architecture("EfficientNetB0", family="Keras application", min_size=32)
def efficientnet_b0(
    input_shape: Shape,
    num_classes: int,
    *,
    weights_path: str = "",
    dropout: float = 0.2,
):
    """EfficientNet-B0 (Tan & Le 2019), 4M parameters; expects 0-255 pixel values."""
    return keras_application(
        "EfficientNetB0", input_shape, num_classes, weights_path, dropout
    )


@architecture("ResNet50", family="Keras application", min_size=32)
def resnet50(
    input_shape: Shape,
    num_classes: int,
    *,
    weights_path: str = "",
    dropout: float = 0.2,
):
    """ResNet-50 (He et al. 2016), 24M parameters."""
    return keras_application(
        "ResNet50", input_shape, num_classes, weights_path, dropout
    )


@architecture("ResNet50V2", family="Keras application", min_size=32)
def resnet50_v2(
    input_shape: Shape,
    num_classes: int,
    *,
    weights_path: str = "",
    dropout: float = 0.2,
):
    """ResNet-50 v2 with pre-activation blocks (He et al. 2016), 24M parameters."""
    return keras_application(
        "ResNet50V2", input_shape, num_classes, weights_path, dropout
    )


@architecture("MobileNetV2", family="Keras application", min_size=32)
def mobilenet_v2(
    input_shape: Shape,
    num_classes: int,
    *,
    alpha: float = 1.0,
    weights_path: str = "",
    dropout: float = 0.2,
):
    """MobileNetV2 (Sandler et al. 2018), 2.3M parameters at alpha 1."""
    return keras_application(
        "MobileNetV2", input_shape, num_classes, weights_path, dropout, alpha=alpha
    )


@architecture("MobileNetV3Small", family="Keras application", min_size=32)
def mobilenet_v3_small(
    input_shape: Shape,
    num_classes: int,
    *,
    weights_path: str = "",
    dropout: float = 0.2,
):
    """MobileNetV3-Small (Howard et al. 2019), 1M parameters."""
    return keras_application(
        "MobileNetV3Small",
        input_shape,
        num_classes,
        weights_path,
        dropout,
        include_preprocessing=False,
    )


@architecture("DenseNet121", family="Keras application", min_size=32)
def densenet121(
    input_shape: Shape,
    num_classes: int,
    *,
    weights_path: str = "",
    dropout: float = 0.2,
):
    """DenseNet-121 (Huang et al. 2017), 7M parameters."""
    return keras_application(
        "DenseNet121", input_shape, num_classes, weights_path, dropout
    )


@architecture("VGG16", family="Keras application", min_size=32)
def vgg16(
    input_shape: Shape,
    num_classes: int,
    *,
    weights_path: str = "",
    dropout: float = 0.2,
):
    """VGG-16 (Simonyan & Zisserman 2014), 15M parameters without the top."""
    return keras_application("VGG16", input_shape, num_classes, weights_path, dropout)


@architecture("InceptionV3", family="Keras application", min_size=75)
def inception_v3(
    input_shape: Shape,
    num_classes: int,
    *,
    weights_path: str = "",
    dropout: float = 0.2,
):
    """Inception-v3 (Szegedy et al. 2016), 22M parameters; images of 75 px or more."""
    return keras_application(
        "InceptionV3", input_shape, num_classes, weights_path, dropout
    )
