"""The live params file: atomic merges, validation, rejection and the log."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from aid.errors import ConfigError
from aid.train.config import TrainConfig
from aid.train.params import LiveParams, read_params, write_params


@pytest.fixture()
def live(tmp_path: Path) -> tuple[LiveParams, TrainConfig]:
    cfg = TrainConfig()
    params = LiveParams(tmp_path)
    params.start(cfg)
    return params, cfg


def log_rows(run_dir: Path) -> list[dict[str, str]]:
    with (run_dir / "params_log.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_start_writes_every_live_key_and_requests(live, tmp_path: Path) -> None:
    raw = read_params(tmp_path)
    assert raw["learning_rate"] == 1e-3 and raw["pause"] is False
    assert raw["stop"] is False and raw["save_now"] is False
    assert raw["schema_version"] == 1 and isinstance(raw["augmentation"], dict)


def test_write_params_merges_partial_augmentation(live, tmp_path: Path) -> None:
    write_params(tmp_path, augmentation={"rotation": 9.0}, epochs=4)
    raw = read_params(tmp_path)
    assert raw["augmentation"]["rotation"] == 9.0
    assert "vflip" in raw["augmentation"] and raw["epochs"] == 4
    assert not list(tmp_path.glob(".*tmp"))


def test_valid_changes_apply_and_are_logged(live, tmp_path: Path) -> None:
    params, cfg = live
    write_params(tmp_path, learning_rate=5e-4, augmentation={"rotation": 9.0})
    update = params.poll(cfg)
    assert update.config.learning_rate == 5e-4
    assert update.config.augmentation.rotation == 9.0
    assert update.changes == {"learning_rate": 5e-4, "augmentation.rotation": 9.0}
    params.log(3, update)
    rows = log_rows(tmp_path)
    assert [r["key"] for r in rows] == ["augmentation.rotation", "learning_rate"]
    assert rows[1]["epoch"] == "3" and rows[1]["status"] == "applied"
    assert json.loads(rows[1]["old"]) == 1e-3 and json.loads(rows[1]["new"]) == 5e-4
    assert params.poll(update.config).log_rows == []  # nothing new: nothing logged


@pytest.mark.parametrize(
    "changes, key, reason",
    [
        ({"learning_rate": "fast"}, "learning_rate", "number"),
        ({"learning_rate": float("nan")}, "learning_rate", "NaN"),
        ({"batch_size": 0}, "batch_size", "batch size"),
        ({"zoo_name": "ResNet50"}, "zoo_name", "not live-editable"),
        ({"warp_speed": 9}, "warp_speed", "unknown key"),
        ({"pause": "yes"}, "pause", "true or false"),
    ],
)
def test_invalid_changes_are_rejected_once_and_logged(
    live, tmp_path: Path, changes, key, reason
) -> None:
    params, cfg = live
    write_params(tmp_path, epochs=5, **changes)
    update = params.poll(cfg)
    assert key in update.rejected and reason in update.rejected[key]
    assert update.config.epochs == 5  # the valid change still applies
    assert getattr(update.config, key, None) == getattr(cfg, key, None)
    params.log(1, update)
    rejected = [r for r in log_rows(tmp_path) if r["key"] == key]
    assert len(rejected) == 1 and rejected[0]["status"].startswith("rejected:")
    assert params.poll(update.config).rejected == {}  # not re-logged every epoch


def test_malformed_file_is_rejected_once_and_recovers(live, tmp_path: Path) -> None:
    params, cfg = live
    (tmp_path / "params.json").write_text('{"learning_rate": 0.1,', encoding="utf-8")
    with pytest.raises(ConfigError, match="malformed"):
        read_params(tmp_path)
    first = params.poll(cfg)
    assert "params.json" in first.rejected and first.config == cfg
    assert params.poll(cfg).rejected == {}
    params.start(cfg)
    write_params(tmp_path, learning_rate=0.1)
    assert params.poll(cfg).config.learning_rate == 0.1


def test_write_params_refuses_to_overwrite_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "params.json").write_text("[1, 2", encoding="utf-8")
    with pytest.raises(ConfigError):
        write_params(tmp_path, epochs=3)
    assert (tmp_path / "params.json").read_text(encoding="utf-8") == "[1, 2"
