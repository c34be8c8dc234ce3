"""Start modes, head replacement, freezing and dropout changes on real models."""

from __future__ import annotations

from dataclasses import replace

import keras
import numpy as np
import pytest

from aid.errors import ConfigError
from aid.modelfile.io import load_model
from aid.train.events import ParamsApplied
from aid.train.model_setup import dropout_layers, initial_model, weighted_layers
from aid.train.params import write_params
from aid.train.run import run_training


@pytest.fixture(scope="module")
def trained(tiny_table, tmp_path_factory):
    """A model trained for one epoch (its epoch-0 checkpoint)."""
    from aid.augment import AugmentConfig
    from aid.data.preprocess import Preprocessing
    from aid.train.config import TrainConfig

    cfg = TrainConfig(
        zoo_name="LeNet5_do",
        preprocessing=Preprocessing(input_size=16),
        epochs=1,
        batch_size=16,
        augmentation=AugmentConfig.none(),
    )
    run_dir = tmp_path_factory.mktemp("source_run")
    result = run_training(cfg, tiny_table, run_dir=run_dir)
    return result.checkpoints[0]


def same_weights(a: keras.layers.Layer, b: keras.layers.Layer) -> bool:
    return all(
        np.array_equal(x, y)
        for x, y in zip(a.get_weights(), b.get_weights(), strict=True)
    )


def test_continue_keeps_weights_and_restart_reinitialises(trained, tiny_cfg) -> None:
    source = load_model(trained).model
    cont, cfg = initial_model(
        replace(
            tiny_cfg, start_mode="continue", model_path=str(trained), zoo_name="TinyCNN"
        ),
        2,
    )
    assert cfg.zoo_name == "LeNet5_do"  # the zoo name follows the loaded model
    assert all(
        same_weights(a, b)
        for a, b in zip(weighted_layers(source), weighted_layers(cont), strict=True)
    )
    fresh, _ = initial_model(
        replace(tiny_cfg, start_mode="restart", model_path=str(trained)), 2
    )
    assert [type(layer) for layer in fresh.layers] == [
        type(layer) for layer in source.layers
    ]
    assert not same_weights(weighted_layers(source)[0], weighted_layers(fresh)[0])


def test_loaded_model_sets_input_size(trained, tiny_cfg) -> None:
    cfg = replace(
        tiny_cfg,
        start_mode="continue",
        model_path=str(trained),
        preprocessing=replace(tiny_cfg.preprocessing, input_size=32, color_mode="rgb"),
    )
    _, adapted = initial_model(cfg, 2)
    assert adapted.preprocessing.input_size == 16
    assert adapted.preprocessing.color_mode == "gray"


def test_freeze_modes_and_start_dropout(trained, tiny_cfg) -> None:
    base = replace(tiny_cfg, start_mode="continue", model_path=str(trained))
    model, _ = initial_model(replace(base, freeze="dense_only"), 2)
    flags = {type(layer).__name__: layer.trainable for layer in weighted_layers(model)}
    assert flags == {"Conv2D": False, "Dense": True}
    model, _ = initial_model(replace(base, freeze="last_n", freeze_n=2), 2)
    assert [layer.trainable for layer in weighted_layers(model)] == [False] * 3 + [
        True
    ] * 2
    model, _ = initial_model(replace(base, dropout=[0.0, 0.1, 0.25]), 2)
    assert [layer.rate for layer in dropout_layers(model)] == [0.0, 0.1, 0.25]
    source = load_model(trained).model
    assert all(
        same_weights(a, b)
        for a, b in zip(weighted_layers(source), weighted_layers(model), strict=True)
    )
    with pytest.raises(ConfigError, match="3 Dropout layers but 2"):
        initial_model(replace(base, dropout=[0.1, 0.2]), 2)
    with pytest.raises(ConfigError, match="no Dropout"):
        initial_model(replace(tiny_cfg, zoo_name="TinyCNN", dropout=0.2), 2)


def test_continue_with_more_classes_replaces_head_and_frozen_layers_stay(
    trained, tiny_table, tiny_cfg, tmp_path
) -> None:
    table = tiny_table
    for row, entry in enumerate(table.entries):  # cat becomes class 2: three classes
        if entry.class_index == 1:
            table = table.replace_entry(row, class_index=2)
    cfg = replace(
        tiny_cfg,
        epochs=1,
        start_mode="continue",
        model_path=str(trained),
        freeze="last_n",
        freeze_n=1,
    )
    result = run_training(cfg, table, run_dir=tmp_path)
    model = load_model(result.checkpoints[-1]).model
    assert model.outputs[0].shape[-1] == 3
    assert isinstance(model.layers[-1], keras.layers.Activation)
    source = load_model(trained).model
    kept = zip(weighted_layers(source)[:-1], weighted_layers(model)[:-1], strict=True)
    assert all(same_weights(a, b) for a, b in kept)


def test_live_dropout_freeze_and_optimizer_change_keep_weights(
    tiny_table, tiny_cfg, tmp_path, events
) -> None:
    def report(event) -> None:
        events(event)
        if type(event).__name__ == "EpochEnded" and event.epoch == 0:
            write_params(
                tmp_path,
                dropout=[0.0, 0.1, 0.2],
                freeze="dense_only",
                optimizer="SGD",
                optimizer_params={"momentum": 0.9},
            )

    run_training(tiny_cfg, tiny_table, run_dir=tmp_path, report=report)
    applied = events.of(ParamsApplied)[0]
    assert applied.rejected == {} and applied.changes["optimizer"] == "SGD"
    after_0 = load_model(tmp_path / "model_0.keras").model
    final = load_model(tmp_path / "state" / "epoch_1.keras", compile=True).model
    assert [layer.rate for layer in dropout_layers(final)] == [0.0, 0.1, 0.2]
    assert type(final.optimizer).__name__ == "SGD"
    convs = [
        (a, b)
        for a, b in zip(weighted_layers(after_0), weighted_layers(final), strict=True)
        if isinstance(a, keras.layers.Conv2D)
    ]
    assert convs and all(same_weights(a, b) for a, b in convs)  # frozen from epoch 1 on
    dense = [
        (a, b)
        for a, b in zip(weighted_layers(after_0), weighted_layers(final), strict=True)
        if isinstance(a, keras.layers.Dense)
    ]
    assert not all(same_weights(a, b) for a, b in dense)
