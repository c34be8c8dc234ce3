"""The frozen snapshot of everything a training run needs.

:class:`TrainConfig` is built once by the GUI or CLI and handed to the training
thread. Live changes (``RUN/params.json``) never mutate it: they produce a new
validated copy through :meth:`TrainConfig.with_changes`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from aid.augment import AugmentConfig
from aid.data.preprocess import Preprocessing
from aid.errors import AidError, ConfigError
from aid.train.devices import check_device

CONFIG_SCHEMA_VERSION = 1

#: Optimizers and the extra parameters each accepts (besides the learning rate).
OPTIMIZER_PARAMS: dict[str, frozenset[str]] = {
    "Adam": frozenset({"beta_1", "beta_2", "epsilon", "amsgrad"}),
    "SGD": frozenset({"momentum", "nesterov"}),
    "RMSprop": frozenset({"rho", "momentum", "epsilon", "centered"}),
    "Adagrad": frozenset({"initial_accumulator_value", "epsilon"}),
    "Adadelta": frozenset({"rho", "epsilon"}),
    "Adamax": frozenset({"beta_1", "beta_2", "epsilon"}),
    "Nadam": frozenset({"beta_1", "beta_2", "epsilon"}),
}
#: Learning-rate schedules and the parameters each accepts.
SCHEDULE_PARAMS: dict[str, frozenset[str]] = {
    "constant": frozenset(),
    "exponential": frozenset({"decay_steps", "decay_rate"}),
    "cyclical": frozenset({"max_lr", "step_size_epochs", "mode", "gamma"}),
}
CYCLICAL_MODES = ("triangular", "triangular2", "exp_range")
START_MODES = ("new", "restart", "continue")
FREEZE_MODES = ("none", "last_n", "dense_only")
#: ``val_precision`` / ``val_recall`` stand for one record per class
#: (``val_precision_<i>``, ``val_recall_<i>``), as AIDeveloper's per-class metrics.
MONITORS = (
    "val_loss",
    "val_accuracy",
    "loss",
    "accuracy",
    "val_precision",
    "val_recall",
)
#: Keys that may change while a run trains (applied at the next epoch boundary).
LIVE_KEYS: frozenset[str] = frozenset(
    {
        "epochs",
        "batch_size",
        "keras_epochs_per_epoch",
        "events_per_epoch",
        "optimizer",
        "optimizer_params",
        "learning_rate",
        "lr_schedule",
        "lr_schedule_params",
        "label_smoothing",
        "class_weights",
        "augmentation",
        "freeze",
        "freeze_n",
        "dropout",
    }
)
#: Live keys whose change needs the model recompiled (weights are kept).
RECOMPILE_KEYS: frozenset[str] = frozenset(
    {
        "optimizer",
        "optimizer_params",
        "label_smoothing",
        "freeze",
        "freeze_n",
        "dropout",
    }
)


def _number(
    value: Any,
    what: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{what} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ConfigError(f"{what} must be finite, got {value!r}")
    if number < low or number > high or (low_open and number == low):
        bracket = "(" if low_open else "["
        raise ConfigError(f"{what} must be in {bracket}{low}, {high}], got {value!r}")
    return number


def _integer(value: Any, what: str, *, low: int = 0, high: float = math.inf) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ConfigError(f"{what} must be an integer, got {value!r}")
    if value < low or value > high:
        raise ConfigError(f"{what} must be in [{low}, {high}], got {value!r}")
    return int(value)


def _choice(value: Any, what: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(f"{what} must be one of {', '.join(choices)}; got {value!r}")
    return str(value)


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{what} must be a mapping, got {value!r}")
    return {str(k): v for k, v in value.items()}


def _check_optimizer_params(name: str, params: dict[str, Any]) -> None:
    unknown = set(params) - OPTIMIZER_PARAMS[name]
    if unknown:
        raise ConfigError(
            f"{name} has no parameter(s) {sorted(unknown)}; "
            f"allowed: {sorted(OPTIMIZER_PARAMS[name])}"
        )
    for key, value in params.items():
        if key in ("amsgrad", "nesterov", "centered"):
            if not isinstance(value, bool):
                raise ConfigError(f"{name} {key} must be true or false, got {value!r}")
        elif key.startswith("beta") or key == "rho":
            _number(value, f"{name} {key}", low=0.0, high=0.999999)
        elif key == "epsilon":
            _number(value, f"{name} {key}", low=0.0, high=1.0, low_open=True)
        else:
            _number(value, f"{name} {key}", low=0.0, high=1e6)


def _check_schedule_params(name: str, params: dict[str, Any]) -> None:
    unknown = set(params) - SCHEDULE_PARAMS[name]
    if unknown:
        raise ConfigError(f"schedule {name!r} has no parameter(s) {sorted(unknown)}")
    for key, value in params.items():
        if key == "mode":
            _choice(value, "cyclical mode", CYCLICAL_MODES)
        elif key in ("decay_rate", "gamma"):
            _number(value, key, low=0.0, high=1.0, low_open=True)
        else:
            _number(value, key, low=0.0, high=1e9, low_open=True)


def _class_weights(value: Any) -> str | tuple[float, ...]:
    if isinstance(value, str):
        return _choice(value, "class weights", ("none", "balanced"))
    if isinstance(value, (list, tuple)) and value:
        return tuple(_number(v, "class weight", low=0.0, high=99999.0) for v in value)
    raise ConfigError(
        f"class weights must be 'none', 'balanced' or a list, got {value!r}"
    )


def _dropout(value: Any) -> float | tuple[float, ...] | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and value:
        return tuple(_number(v, "dropout rate", low=0.0, high=0.99) for v in value)
    return _number(value, "dropout rate", low=0.0, high=0.99)


def _monitors(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(f"checkpoint monitors must be a list, got {value!r}")
    return tuple(_choice(v, "checkpoint monitor", MONITORS) for v in value)


def _preprocessing(value: Any) -> Preprocessing:
    if isinstance(value, Preprocessing):
        return value
    try:
        return Preprocessing.from_dict(_mapping(value, "preprocessing"))
    except (AidError, TypeError) as exc:
        raise ConfigError(f"invalid preprocessing: {exc}") from exc


def _augmentation(value: Any) -> AugmentConfig:
    if isinstance(value, AugmentConfig):
        return value
    return AugmentConfig.from_dict(_mapping(value, "augmentation"))


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "zoo_name": lambda v: v if isinstance(v, str) and v else _fail("zoo name", v),
    "zoo_hparams": lambda v: _mapping(v, "zoo hyper-parameters"),
    "preprocessing": _preprocessing,
    "epochs": lambda v: _integer(v, "epochs", low=1, high=900_000_000),
    "batch_size": lambda v: _integer(v, "batch size", low=1, high=1_000_000),
    "keras_epochs_per_epoch": lambda v: _integer(
        v, "Keras epochs per epoch", low=1, high=1000
    ),
    "events_per_epoch": lambda v: (
        None if v is None else _integer(v, "events per epoch", low=1, high=100_000_000)
    ),
    "optimizer": lambda v: _choice(v, "optimizer", tuple(OPTIMIZER_PARAMS)),
    "optimizer_params": lambda v: _mapping(v, "optimizer parameters"),
    "learning_rate": lambda v: _number(
        v, "learning rate", low=0.0, high=100.0, low_open=True
    ),
    "lr_schedule": lambda v: _choice(
        v, "learning-rate schedule", tuple(SCHEDULE_PARAMS)
    ),
    "lr_schedule_params": lambda v: _mapping(v, "schedule parameters"),
    "label_smoothing": lambda v: _number(v, "label smoothing", low=0.0, high=0.99),
    "class_weights": _class_weights,
    "augmentation": _augmentation,
    "start_mode": lambda v: _choice(v, "start mode", START_MODES),
    "model_path": lambda v: v if isinstance(v, str) else _fail("model path", v),
    "freeze": lambda v: _choice(v, "freeze", FREEZE_MODES),
    "freeze_n": lambda v: _integer(
        v, "number of trainable layers", low=0, high=100_000
    ),
    "dropout": _dropout,
    "seed": lambda v: _integer(v, "seed", low=0, high=2**32 - 1),
    "validation_split": lambda v: _number(v, "validation split", low=0.0, high=0.9),
    "split_by": lambda v: _choice(v, "split by", ("event", "file", "group")),
    "checkpoint_monitors": _monitors,
    "device": check_device,
    "multi_worker": lambda v: (
        v if isinstance(v, bool) else _fail("multi-worker flag", v)
    ),
    "name": lambda v: (
        v if isinstance(v, str) and v.strip() and "/" not in v else _fail("run name", v)
    ),
}


def _fail(what: str, value: Any) -> Any:
    raise ConfigError(f"invalid {what}: {value!r}")


@dataclass(frozen=True)
class TrainConfig:
    """Everything a run needs except the data table.

    Learning-rate schedules: ``constant`` uses :attr:`learning_rate`;
    ``exponential`` uses ``lr * decay_rate ** (iteration / decay_steps)``;
    ``cyclical`` (Smith 2017) cycles between :attr:`learning_rate` and
    ``max_lr`` with a half cycle of ``step_size_epochs`` epochs in mode
    ``triangular``, ``triangular2`` or ``exp_range`` (``gamma``).
    ``validation_split`` > 0 moves that fraction of the training data to
    validation once, at the start (``split_by`` event, file or group).
    ``device`` is ``auto``, ``cpu``, ``gpu``, ``gpu:N`` or ``all``
    (:mod:`aid.train.devices`); ``multi_worker`` trains together with the other
    processes named in ``TF_CONFIG`` (:mod:`aid.train.distribute`).
    """

    zoo_name: str = "LeNet5_do"
    zoo_hparams: Mapping[str, Any] = field(default_factory=dict)
    preprocessing: Preprocessing = field(default_factory=Preprocessing)
    epochs: int = 10
    batch_size: int = 32
    keras_epochs_per_epoch: int = 1
    events_per_epoch: int | None = None
    optimizer: str = "Adam"
    optimizer_params: Mapping[str, Any] = field(default_factory=dict)
    learning_rate: float = 1e-3
    lr_schedule: str = "constant"
    lr_schedule_params: Mapping[str, Any] = field(default_factory=dict)
    label_smoothing: float = 0.0
    class_weights: str | tuple[float, ...] = "none"
    augmentation: AugmentConfig = field(default_factory=AugmentConfig)
    start_mode: str = "new"
    model_path: str = ""
    freeze: str = "none"
    freeze_n: int = 0
    dropout: float | tuple[float, ...] | None = None
    seed: int = 0
    validation_split: float = 0.0
    split_by: str = "event"
    checkpoint_monitors: tuple[str, ...] = ("val_accuracy", "val_loss")
    device: str = "auto"
    multi_worker: bool = False
    name: str = "model"

    def __post_init__(self) -> None:
        for item in fields(self):
            object.__setattr__(
                self, item.name, _CHECKS[item.name](getattr(self, item.name))
            )
        _check_optimizer_params(self.optimizer, dict(self.optimizer_params))
        _check_schedule_params(self.lr_schedule, dict(self.lr_schedule_params))
        if self.start_mode != "new" and not self.model_path:
            raise ConfigError(f"start mode {self.start_mode!r} needs a model path")

    def with_changes(self, changes: Mapping[str, Any]) -> TrainConfig:
        """Return a validated copy with ``changes`` applied.

        ``augmentation`` may be a partial dict (merged into the current one);
        every other value replaces the current one.

        Raises
        ------
        ConfigError
            For an unknown key or an invalid value.
        """
        known = {item.name for item in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ConfigError(f"unknown training setting(s): {sorted(unknown)}")
        updates = dict(changes)
        for kind, table in (
            ("optimizer", OPTIMIZER_PARAMS),
            ("lr_schedule", SCHEDULE_PARAMS),
        ):
            params_key = f"{kind}_params"
            if kind in updates and params_key not in updates:  # keep what still fits
                allowed = table.get(updates[kind], frozenset())
                current = getattr(self, params_key)
                updates[params_key] = {k: v for k, v in current.items() if k in allowed}
        if isinstance(updates.get("augmentation"), Mapping):
            updates["augmentation"] = self.augmentation.merged(
                dict(updates["augmentation"])
            )
        return replace(self, **updates)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dictionary (with ``schema_version``)."""
        raw: dict[str, Any] = {"schema_version": CONFIG_SCHEMA_VERSION}
        for item in fields(self):
            raw[item.name] = to_jsonable(getattr(self, item.name))
        return raw

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> TrainConfig:
        """Inverse of :meth:`to_dict`; raises :class:`ConfigError` on bad input."""
        if not isinstance(raw, Mapping):
            raise ConfigError(
                f"a training configuration must be a mapping, got {raw!r}"
            )
        raw = dict(raw)
        version = raw.pop("schema_version", CONFIG_SCHEMA_VERSION)
        if version != CONFIG_SCHEMA_VERSION:
            raise ConfigError(f"unsupported training config schema version {version!r}")
        return cls().with_changes(raw)

    def live_dict(self) -> dict[str, Any]:
        """JSON-able values of the live-editable keys (the content of params.json)."""
        full = self.to_dict()
        return {key: full[key] for key in sorted(LIVE_KEYS)}


def to_jsonable(value: Any) -> Any:
    """Plain JSON value of a config field (tuples become lists)."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value
