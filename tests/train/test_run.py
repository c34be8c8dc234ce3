"""Real tiny trainings: run folder, live changes, stop/pause, checkpoints."""

from __future__ import annotations

import csv
import math
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from aid.augment import AugmentConfig
from aid.errors import TrainingError, ZooError
from aid.modelfile.io import load_model
from aid.modelfile.meta_xlsx import read_aid_meta
from aid.train.checkpoints import expand_monitors, per_class_precision_recall
from aid.train.control import TrainingControl
from aid.train.events import (
    BatchEnded,
    CheckpointSaved,
    EpochEnded,
    ParamsApplied,
    TrainingFinished,
    TrainingStarted,
)
from aid.train.params import write_params
from aid.train.run import run_training
from aid.train.schedules import scheduled_lr


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_run_writes_the_run_folder(tiny_table, tiny_cfg, tmp_path, events) -> None:
    cfg = replace(
        tiny_cfg,
        epochs=2,
        name="auto",
        preprocessing=replace(tiny_cfg.preprocessing, normalization="zscore_train"),
    )
    result = run_training(cfg, tiny_table, run_dir=tmp_path, report=events)

    assert result.status == "completed" and len(result.history) == 2
    assert isinstance(events[0], TrainingStarted) and events[0].steps_per_epoch == 3
    assert isinstance(events[-1], TrainingFinished) and events[-1].status == "completed"
    assert len(events.of(BatchEnded)) == 6  # 48 images, batch 16, 2 epochs
    header = (tmp_path / "history.csv").read_text().splitlines()[0].split(",")
    assert header[:5] == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
    assert header[-3:] == ["learning_rate", "seconds", "checkpoint"]
    rows = csv_rows(tmp_path / "history.csv")
    assert [r["epoch"] for r in rows] == ["0", "1"] and rows[0]["checkpoint"] == "1"
    book = openpyxl.load_workbook(tmp_path / "run_meta.xlsx")
    assert book.sheetnames == ["UsedData", "DataOverview", "Parameters", "History"]
    meta_sheets = read_aid_meta(tmp_path / "run_meta.xlsx")
    assert [row["epoch"] for row in meta_sheets.history] == [0, 1]
    assert len(meta_sheets.used_data) == 4 and len(meta_sheets.parameters) == 1
    saved = events.of(CheckpointSaved)
    assert {e.monitor for e in saved if e.epoch == 0} == {"val_loss", "val_accuracy"}
    assert (tmp_path / "auto_0.keras").exists() and result.best_model is not None
    loaded = load_model(result.checkpoints[0])
    meta = loaded.meta
    assert meta.class_names == ("automobile", "cat") and meta.zoo_name == "LeNet5_do"
    assert meta.preprocessing.normalization == "zscore_train"
    assert meta.preprocessing.mean is not None and 0 < meta.preprocessing.mean < 255
    assert meta.preprocessing.std > 1 and meta.epoch == 0
    log_text = (tmp_path / "params_log.csv").read_text()
    assert log_text == "epoch,time,key,old,new,status\n"  # header only: no change
    import json

    snapshot = json.loads((tmp_path / "config.json").read_text())
    assert snapshot["versions"]["keras"] and all(
        len(r["hash"]) == 32 for r in snapshot["data"]
    )
    with pytest.raises(TrainingError, match="already holds a run"):
        run_training(cfg, tiny_table, run_dir=tmp_path)


def test_live_learning_rate_applies_at_next_epoch(
    tiny_table, tiny_cfg, tmp_path, events
) -> None:
    def report(event) -> None:
        events(event)
        if isinstance(event, EpochEnded) and event.epoch == 0:
            write_params(tmp_path, learning_rate=1e-4, epochs=3)  # as the GUI would

    result = run_training(tiny_cfg, tiny_table, run_dir=tmp_path, report=report)

    applied = events.of(ParamsApplied)
    assert applied[0].epoch == 1 and applied[0].changes == {
        "epochs": 3,
        "learning_rate": 1e-4,
    }
    lrs = [e.learning_rate for e in events.of(EpochEnded)]
    assert lrs == pytest.approx([1e-3, 1e-4, 1e-4])
    assert len(result.history) == 3  # the run was extended live
    log = csv_rows(tmp_path / "params_log.csv")
    assert {(r["epoch"], r["key"], r["status"]) for r in log} == {
        ("1", "learning_rate", "applied"),
        ("1", "epochs", "applied"),
    }
    history = csv_rows(tmp_path / "history.csv")
    assert float(history[2]["learning_rate"]) == pytest.approx(1e-4)


def test_invalid_live_change_is_rejected_and_training_continues(
    tiny_table, tiny_cfg, tmp_path, events
) -> None:
    def report(event) -> None:
        events(event)
        if isinstance(event, EpochEnded) and event.epoch == 0:
            write_params(
                tmp_path,
                learning_rate=-5.0,
                dropout=[0.1, 0.2],
                class_weights=[1.0, 2.0, 3.0],
                batch_size=8,
            )

    result = run_training(tiny_cfg, tiny_table, run_dir=tmp_path, report=report)

    assert result.status == "completed" and len(result.history) == 2
    applied = events.of(ParamsApplied)[0]
    assert applied.changes == {"batch_size": 8}
    assert set(applied.rejected) == {"learning_rate", "dropout", "class_weights"}
    assert "3 Dropout layers" in applied.rejected["dropout"]
    assert events.of(EpochEnded)[1].learning_rate == pytest.approx(1e-3)
    assert len(events.of(BatchEnded)) == 3 + 6  # batch size 8 in epoch 1
    statuses = {r["key"]: r["status"] for r in csv_rows(tmp_path / "params_log.csv")}
    assert statuses["batch_size"] == "applied"
    assert all(statuses[k].startswith("rejected:") for k in applied.rejected)


def test_stop_request_ends_the_run_cleanly(
    tiny_table, tiny_cfg, tmp_path, events
) -> None:
    control = TrainingControl()

    def report(event) -> None:
        events(event)
        if isinstance(event, BatchEnded) and event.epoch == 1 and event.step == 0:
            control.request_stop()

    result = run_training(
        replace(tiny_cfg, epochs=5),
        tiny_table,
        run_dir=tmp_path,
        control=control,
        report=report,
    )
    assert result.status == "stopped" and events[-1].status == "stopped"
    assert [e.step for e in events.of(BatchEnded) if e.epoch == 1] == [0]
    assert (tmp_path / "run_meta.xlsx").exists()
    assert len(csv_rows(tmp_path / "history.csv")) <= 2


def test_stop_through_params_file(tiny_table, tiny_cfg, tmp_path, events) -> None:
    def report(event) -> None:
        events(event)
        if isinstance(event, EpochEnded) and event.epoch == 0:
            write_params(tmp_path, stop=True)

    result = run_training(
        replace(tiny_cfg, epochs=4), tiny_table, run_dir=tmp_path, report=report
    )
    assert result.status == "stopped" and len(result.history) == 1


def test_pause_blocks_training_until_resumed(
    tiny_table, tiny_cfg, tmp_path, events
) -> None:
    control = TrainingControl()
    paused_at: list[float] = []

    def report(event) -> None:
        events(event)
        if isinstance(event, BatchEnded) and event.epoch == 0 and event.step == 0:
            control.pause()
            paused_at.append(time.perf_counter())
            threading.Timer(1.0, control.resume).start()

    run_training(
        replace(tiny_cfg, epochs=1),
        tiny_table,
        run_dir=tmp_path,
        control=control,
        report=report,
    )
    resumed = [e for e in events.of(BatchEnded) if e.step == 1]
    assert resumed and events[-1].status == "completed"
    assert not control.paused


def test_pause_and_save_now_through_params_file(
    tiny_table, tiny_cfg, tmp_path, events
) -> None:
    def report(event) -> None:
        events(event)
        if isinstance(event, EpochEnded) and event.epoch == 0:
            write_params(tmp_path, pause=True, save_now=True)
            threading.Timer(0.8, write_params, (tmp_path,), {"pause": False}).start()

    started = time.perf_counter()
    run_training(
        replace(tiny_cfg, epochs=2, checkpoint_monitors=("val_accuracy",)),
        tiny_table,
        run_dir=tmp_path,
        report=report,
    )
    assert time.perf_counter() - started > 0.8
    saved = [e for e in events.of(CheckpointSaved) if e.monitor == "save_now"]
    assert [e.epoch for e in saved] == [1] and saved[0].path.exists()
    assert math.isnan(saved[0].value)
    assert (tmp_path / "params.json").read_text().count('"save_now": false') == 1


def test_cyclical_schedule_and_balanced_class_weights(
    tiny_table, tiny_cfg, tmp_path, events
) -> None:
    table = tiny_table.replace_entry(0, events_per_epoch=32)  # 32 vs 24 events
    cfg = replace(
        tiny_cfg,
        epochs=2,
        lr_schedule="cyclical",
        class_weights="balanced",
        lr_schedule_params={
            "max_lr": 0.01,
            "step_size_epochs": 1,
            "mode": "triangular2",
        },
    )
    run_training(cfg, table, run_dir=tmp_path, report=events)
    steps = 4  # 56 images, batch 16
    expected = [
        scheduled_lr(
            "cyclical", cfg.lr_schedule_params, 1e-3, steps * (e + 1) - 1, steps
        )
        for e in range(2)
    ]
    assert [e.learning_rate for e in events.of(EpochEnded)] == pytest.approx(
        expected, rel=1e-5
    )


def test_per_class_precision_recall_values() -> None:
    labels = np.array([0, 0, 0, 1, 1, 2])
    predicted = np.array([0, 1, 0, 1, 1, 1])
    logs = per_class_precision_recall(labels, predicted, 3)
    assert logs["val_precision_0"] == 1.0 and logs["val_recall_0"] == 2 / 3
    assert logs["val_precision_1"] == 2 / 4 and logs["val_recall_1"] == 1.0
    assert logs["val_precision_2"] == 0.0 and logs["val_recall_2"] == 0.0
    assert expand_monitors(("val_loss", "val_recall"), 2) == (
        "val_loss",
        "val_recall_0",
        "val_recall_1",
    )


def test_per_class_records_write_checkpoints(
    tiny_table, tiny_cfg, tmp_path, events
) -> None:
    cfg = replace(
        tiny_cfg, epochs=2, checkpoint_monitors=("val_precision", "val_recall")
    )
    run_training(cfg, tiny_table, run_dir=tmp_path, report=events)
    header = (tmp_path / "history.csv").read_text().splitlines()[0].split(",")
    per_class = [c for c in header if c.startswith(("val_precision_", "val_recall_"))]
    assert sorted(per_class) == sorted(
        f"val_{m}_{i}" for m in ("precision", "recall") for i in range(2)
    )
    first = [e for e in events.of(CheckpointSaved) if e.epoch == 0]
    assert {e.monitor for e in first} == set(per_class)  # every first value is a record
    assert all(0.0 <= e.value <= 1.0 for e in first)


def test_a_bad_request_leaves_no_run_folder(tiny_table, tiny_cfg, tmp_path) -> None:
    """Too small an input for the model: a clear error and nothing written."""
    run = tmp_path / "run"
    small = replace(
        tiny_cfg, preprocessing=replace(tiny_cfg.preprocessing, input_size=8)
    )
    with pytest.raises(ZooError, match="at least 16x16"):
        run_training(replace(small, zoo_name="LeNet5_do"), tiny_table, run_dir=run)
    assert not run.exists()


def test_training_with_augmentation_in_worker_processes(
    tiny_table, tiny_cfg, tmp_path, monkeypatch
) -> None:
    import multiprocessing

    monkeypatch.setenv("AID_LOADER_PROCESSES", "2")
    children: list[int] = []

    def report(event) -> None:
        if isinstance(event, BatchEnded):
            children.append(len(multiprocessing.active_children()))

    cfg = replace(tiny_cfg, augmentation=AugmentConfig(rotation=10, hflip=True))
    result = run_training(cfg, tiny_table, run_dir=tmp_path, report=report)
    assert result.status == "completed" and len(result.history) == 2
    assert min(children) >= 1  # a worker process augmented while the model trained
    assert all(math.isfinite(row["loss"]) for row in result.history)
    assert not multiprocessing.active_children()  # stopped with the run
