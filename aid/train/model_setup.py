"""Models for a run: start modes, head replacement, freezing, dropout, optimizers.

Everything here keeps weights: a recompile after a live change, a clone with
new dropout rates and a new classification head all copy the trained weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import keras

from aid.data.preprocess import Preprocessing
from aid.errors import ConfigError, TrainingError
from aid.train.config import TrainConfig


def initial_model(
    config: TrainConfig, num_classes: int
) -> tuple[keras.Model, TrainConfig]:
    """Model for ``config.start_mode``, and the config adapted to it.

    ``new`` builds ``config.zoo_name``; ``restart`` rebuilds a saved model's
    architecture with fresh weights; ``continue`` keeps its weights and
    replaces the ``Dense`` + softmax head when ``num_classes`` differs. For
    saved models the input size and colour mode follow the model.
    """
    if config.start_mode == "new":
        from aid.zoo_registry import build_model

        model = build_model(
            config.zoo_name,
            config.preprocessing.input_shape,
            num_classes,
            **dict(config.zoo_hparams),
        )
    else:
        from aid.modelfile.io import load_model

        loaded = load_model(config.model_path)
        model = loaded.model
        if config.start_mode == "restart":
            model = keras.models.clone_model(
                model
            )  # same layers, fresh initial weights
        elif output_units(model) != num_classes:
            model = replace_head(model, num_classes)
        zoo_name = getattr(loaded.meta, "zoo_name", "") or config.zoo_name
        config = replace(
            config,
            zoo_name=zoo_name,
            preprocessing=follow_model_input(model, config.preprocessing),
        )
    if config.dropout is not None:
        model = with_dropout(model, config.dropout)
    apply_freeze(model, config.freeze, config.freeze_n)
    return model, config


def output_units(model: keras.Model) -> int:
    """Return the number of classes the model predicts."""
    return int(model.outputs[0].shape[-1])


def follow_model_input(model: keras.Model, prep: Preprocessing) -> Preprocessing:
    """``prep`` with the input size and colour mode of ``model``'s input."""
    shape = model.inputs[0].shape
    if len(shape) != 4 or shape[1] != shape[2] or shape[3] not in (1, 3):
        raise TrainingError(
            f"AID trains square 1- or 3-channel image models; "
            f"this model's input is {tuple(shape)}"
        )
    return replace(
        prep, input_size=int(shape[1]), color_mode="gray" if shape[3] == 1 else "rgb"
    )


def replace_head(model: keras.Model, num_classes: int) -> keras.Model:
    """Return ``model`` with its last ``Dense`` (+ softmax) replaced by a new head."""
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if not dense:
        raise TrainingError(
            "the loaded model has no Dense layer whose classes could be replaced"
        )
    features = dense[-1].input
    x = keras.layers.Dense(num_classes, name=f"{dense[-1].name}_{num_classes}cls")(
        features
    )
    outputs = keras.layers.Activation("softmax", name="softmax_new")(x)
    return keras.Model(model.inputs, outputs, name=model.name)


def weighted_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Layers that own weights, in order (the layers freezing counts)."""
    return [layer for layer in model.layers if layer.weights]


def apply_freeze(model: keras.Model, mode: str, n: int) -> None:
    """Set trainability: all (``none``), the last ``n`` weighted layers, or Dense only.

    Raises
    ------
    ConfigError
        When nothing would remain trainable.
    """
    layers = weighted_layers(model)
    if mode == "last_n":
        if n < 1:
            raise ConfigError("freezing all but the last N layers needs N >= 1")
        trainable = set(id(layer) for layer in layers[-n:])
    elif mode == "dense_only":
        trainable = {
            id(layer) for layer in layers if isinstance(layer, keras.layers.Dense)
        }
        if not trainable:
            raise ConfigError("the model has no Dense layer to keep trainable")
    else:
        trainable = {id(layer) for layer in layers}
    for layer in layers:
        layer.trainable = id(layer) in trainable


def dropout_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Every Dropout layer (spatial variants included), in order."""
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]


def with_dropout(model: keras.Model, rates: float | Sequence[float]) -> keras.Model:
    """Clone of ``model`` with new dropout rates and the same weights.

    ``rates`` is one rate for every Dropout layer or one per layer, in order.

    Raises
    ------
    ConfigError
        When the model has no Dropout layer or the number of rates is wrong.
    """
    layers = dropout_layers(model)
    if not layers:
        raise ConfigError("the model has no Dropout layer whose rate could change")
    if isinstance(rates, (int, float)):
        rates = [float(rates)] * len(layers)
    if len(rates) != len(layers):
        raise ConfigError(
            f"the model has {len(layers)} Dropout layers but "
            f"{len(rates)} rates were given"
        )
    new_rates = {
        layer.name: float(rate) for layer, rate in zip(layers, rates, strict=True)
    }

    def clone_layer(layer: keras.layers.Layer) -> keras.layers.Layer:
        config = layer.get_config()
        if layer.name in new_rates:
            config["rate"] = new_rates[layer.name]
        return layer.__class__.from_config(config)

    try:
        clone = keras.models.clone_model(model, clone_function=clone_layer)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"cannot change dropout of this model: {exc}") from exc
    clone.set_weights(model.get_weights())
    for source, target in zip(model.layers, clone.layers, strict=True):
        target.trainable = source.trainable
    return clone


def check_fits_model(config: TrainConfig, model: keras.Model, num_classes: int) -> None:
    """Raise :class:`ConfigError` when ``config`` cannot apply to ``model``."""
    weights = config.class_weights
    if isinstance(weights, tuple) and len(weights) != num_classes:
        raise ConfigError(
            f"{len(weights)} class weights given for {num_classes} classes"
        )
    rates = config.dropout
    if isinstance(rates, tuple) and len(rates) != len(dropout_layers(model)):
        raise ConfigError(
            f"the model has {len(dropout_layers(model))} Dropout layers "
            f"but {len(rates)} rates were given"
        )
    if config.freeze == "last_n" and not 1 <= config.freeze_n:
        raise ConfigError("freezing all but the last N layers needs N >= 1")


def build_optimizer(
    config: TrainConfig, learning_rate: float
) -> keras.optimizers.Optimizer:
    """Build a new optimizer of ``config.optimizer`` with its parameters."""
    cls = getattr(keras.optimizers, config.optimizer)
    return cls(learning_rate=learning_rate, **dict(config.optimizer_params))


def compile_model(
    model: keras.Model, config: TrainConfig, optimizer: keras.optimizers.Optimizer
) -> None:
    """Compile with categorical cross-entropy (label smoothing) and accuracy."""
    loss = keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing)
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])


def copy_optimizer_state(
    old: keras.optimizers.Optimizer, new: keras.optimizers.Optimizer, model: keras.Model
) -> bool:
    """Carry slot variables over when both optimizers track the same variables.

    Returns whether the state was copied (same type and variable shapes);
    otherwise ``new`` starts fresh, as AIDeveloper does after a type change.
    """
    if type(old) is not type(new) or not old.variables:
        return False
    new.build(model.trainable_variables)
    if len(old.variables) != len(new.variables):
        return False
    pairs = list(zip(old.variables, new.variables, strict=True))
    if any(tuple(a.shape) != tuple(b.shape) for a, b in pairs):
        return False
    for source, target in pairs:
        if "learning_rate" not in target.path:
            target.assign(source)
    return True


def current_learning_rate(model: keras.Model) -> float:
    """Return the optimizer's current learning rate."""
    value: Any = model.optimizer.learning_rate
    # convert_to_numpy also reads a distributed (e.g. mirrored) variable
    return float(keras.ops.convert_to_numpy(value))
