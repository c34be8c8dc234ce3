"""TrainConfig validation, round trip and live-change rules."""

from __future__ import annotations

import json

import pytest

from aid.augment import AugmentConfig
from aid.data.preprocess import Preprocessing
from aid.errors import ConfigError
from aid.train.config import LIVE_KEYS, TrainConfig


def test_round_trip_through_json_keeps_every_value() -> None:
    cfg = TrainConfig(
        zoo_name="TinyCNN",
        zoo_hparams={"filters": 4},
        preprocessing=Preprocessing(input_size=24, color_mode="rgb"),
        epochs=7,
        optimizer="SGD",
        optimizer_params={"momentum": 0.9, "nesterov": True},
        lr_schedule="cyclical",
        lr_schedule_params={"max_lr": 0.01, "mode": "triangular2"},
        class_weights=[1, 2.5],
        dropout=[0.1, 0.2],
        freeze="last_n",
        freeze_n=2,
        augmentation=AugmentConfig(rotation=10.0),
        checkpoint_monitors=["val_loss"],
    )
    again = TrainConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
    assert again == cfg
    assert again.class_weights == (1.0, 2.5)
    assert again.augmentation.rotation == 10.0


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"learning_rate": float("nan")}, "finite"),
        ({"learning_rate": -1}, "learning rate"),
        ({"learning_rate": "fast"}, "number"),
        ({"epochs": 2.5}, "integer"),
        ({"optimizer": "Adamw"}, "optimizer"),
        ({"optimizer_params": {"beta_1": 0.9, "gamma": 1}}, "gamma"),
        ({"lr_schedule": "cyclical", "lr_schedule_params": {"mode": "zigzag"}}, "mode"),
        ({"class_weights": "heavy"}, "class weights"),
        ({"dropout": 1.5}, "dropout"),
        ({"start_mode": "continue"}, "model path"),
        ({"bogus": 1}, "unknown"),
        ({"augmentation": {"rotation": -3}}, "rotation"),
        ({"preprocessing": {"input_size": 0}}, "input size"),
    ],
)
def test_invalid_values_raise_config_error(changes: dict, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        TrainConfig().with_changes(changes)


def test_from_dict_rejects_other_schema_and_non_mappings() -> None:
    with pytest.raises(ConfigError, match="schema"):
        TrainConfig.from_dict({"schema_version": 99})
    with pytest.raises(ConfigError, match="mapping"):
        TrainConfig.from_dict(["epochs", 3])  # type: ignore[arg-type]


def test_partial_augmentation_merges_and_optimizer_change_keeps_fitting_params() -> (
    None
):
    cfg = TrainConfig(optimizer_params={"beta_1": 0.8, "epsilon": 1e-6})
    changed = cfg.with_changes(
        {"augmentation": {"rotation": 7.0}, "optimizer": "Adamax"}
    )
    assert changed.augmentation.rotation == 7.0
    assert changed.augmentation.vflip == cfg.augmentation.vflip
    assert dict(changed.optimizer_params) == {"beta_1": 0.8, "epsilon": 1e-6}
    sgd = cfg.with_changes({"optimizer": "SGD"})
    assert dict(sgd.optimizer_params) == {}


def test_live_dict_holds_exactly_the_live_keys() -> None:
    live = TrainConfig().live_dict()
    assert set(live) == LIVE_KEYS
    json.dumps(live)
