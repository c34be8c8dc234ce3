"""Multi-worker training: two real processes on loopback with TF_CONFIG (CPU).

Both workers run :mod:`training_worker` (TinyCNN on tutorial data) under
``MultiWorkerMirroredStrategy``; the chief edits params.json after epoch 0.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from aid.errors import ConfigError
from aid.modelfile.io import load_model
from aid.train.config import TrainConfig
from aid.train.devices import check_device, describe_devices, gpu_index
from aid.train.distribute import setup_distribution, tf_config_rank
from aid.train.workers import weights_sha256

WORKER = Path(__file__).with_name("training_worker.py")
REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 240


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def worker_env(ports: list[int], index: int, tmp: Path) -> dict[str, str]:
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    env = dict(os.environ)
    env.update(
        TF_CONFIG=json.dumps(
            {"cluster": cluster, "task": {"type": "worker", "index": index}}
        ),
        TMPDIR=str(tmp),
        KERAS_BACKEND="tensorflow",
        CUDA_VISIBLE_DEVICES="-1",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONPATH=str(REPO),
    )
    return env


def run_workers(run_dir: Path, tutorial: Path, tmp_path: Path) -> list[dict]:
    ports = free_ports(2)
    procs = []
    try:
        for index in range(2):
            tmp = tmp_path / f"tmp{index}"
            tmp.mkdir()
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        str(WORKER),
                        str(run_dir),
                        str(tutorial),
                        "cpu",
                        "--multi-worker",
                    ],
                    env=worker_env(ports, index, tmp),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        outputs = [proc.communicate(timeout=TIMEOUT_S) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    results = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_two_workers_train_one_model(tutorial, tmp_path) -> None:
    run = tmp_path / "run"
    chief, other = run_workers(run, tutorial, tmp_path)

    for result in (chief, other):
        assert result["status"] == "completed"
        assert "multi_worker" in result["devices"]
        # the chief's live change (epochs 3 -> 2, new rate) applied at epoch 1 on both
        assert result["epochs_run"] == 2
        assert result["applied"] == [[1, {"epochs": 2, "learning_rate": 0.005}]]
    assert "worker 0 of 2" in chief["devices"] and "worker 1 of 2" in other["devices"]
    assert chief["weights_sha256"] == other["weights_sha256"]

    # one consistent run folder, written once by the chief
    with (run / "history.csv").open(newline="") as handle:
        history = list(csv.DictReader(handle))
    assert [row["epoch"] for row in history] == ["0", "1"]
    with (run / "params_log.csv").open(newline="") as handle:
        log = [(r["epoch"], r["key"], r["status"]) for r in csv.DictReader(handle)]
    assert sorted(log) == [
        ("1", "epochs", "applied"),
        ("1", "learning_rate", "applied"),
    ]
    checkpoints = sorted(p.name for p in run.glob("*.keras"))
    expected = sorted(
        f"model_{r['epoch']}.keras" for r in history if r["checkpoint"] == "1"
    )
    assert checkpoints == expected and "model_0.keras" in checkpoints
    assert Path(chief["best_model"]).parent == run
    state_models = list((run / "state").glob("epoch_*.keras"))
    assert [p.name for p in state_models] == ["epoch_1.keras"]
    assert weights_sha256(load_model(state_models[0]).model) == chief["weights_sha256"]
    # the other worker's private folder is gone; nothing else was written
    assert list((tmp_path / "tmp1").iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "tmp0", "tmp1"]


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "needs TF_CONFIG"),
        ("{not json", "not a valid cluster"),
        (
            '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}',
            "not in its cluster",
        ),
    ],
)
def test_bad_tf_config_is_a_config_error(monkeypatch, raw, message) -> None:
    monkeypatch.setenv("TF_CONFIG", raw)
    with pytest.raises(ConfigError, match=message):
        tf_config_rank()


def test_tf_config_ranks_chief_first(monkeypatch) -> None:
    cluster = {"chief": ["a:1"], "worker": ["b:1", "c:1"]}
    monkeypatch.setenv(
        "TF_CONFIG",
        json.dumps({"cluster": cluster, "task": {"type": "worker", "index": 1}}),
    )
    assert tf_config_rank() == (3, 2)


def test_device_setting_is_validated() -> None:
    assert [check_device(v) for v in ("auto", "cpu", "gpu", "all", "gpu:2")] == [
        "auto",
        "cpu",
        "gpu",
        "all",
        "gpu:2",
    ]
    assert (
        gpu_index("gpu:3") == 3 and gpu_index("gpu") == 0 and gpu_index("all") is None
    )
    for bad in ("GPU", "gpu:", "gpu:x", "tpu", 1, None):
        with pytest.raises(ConfigError, match="device must be one of"):
            TrainConfig(device=bad)
    with pytest.raises(ConfigError, match="multi-worker"):
        TrainConfig(multi_worker="yes")
    assert (
        TrainConfig.from_dict(TrainConfig(device="gpu:1").to_dict()).device == "gpu:1"
    )
    assert "device" not in TrainConfig().live_dict()


def test_unavailable_devices_are_refused_and_cpu_works(monkeypatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    assert describe_devices().startswith("CPU (")
    for device in ("gpu", "gpu:1", "all"):
        with pytest.raises(ConfigError, match="GPU"):
            setup_distribution(device)
    cpu = setup_distribution("cpu")
    assert cpu.kind == "one_device" and cpu.is_chief and not cpu.multi_worker
    assert cpu.agree_text("x") == "x" and cpu.any_worker(True)
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="TF_CONFIG"):
        setup_distribution("cpu", multi_worker=True)


def test_cpu_device_trains_through_one_device_strategy(
    tiny_table, tiny_cfg, tmp_path
) -> None:
    from dataclasses import replace

    from aid.train.run import run_training

    result = run_training(
        replace(tiny_cfg, epochs=1, device="cpu"), tiny_table, run_dir=tmp_path
    )
    assert result.status == "completed" and result.devices.startswith(
        "one_device on /cpu:0"
    )
    assert len(result.weights_sha256) == 64
    assert (
        weights_sha256(load_model(result.checkpoints[0]).model) == result.weights_sha256
    )
