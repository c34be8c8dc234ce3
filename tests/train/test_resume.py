"""kill -9 in the middle of a real CLI training, then ``aid train --resume``."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from aid.cli import main
from aid.modelfile.io import load_model
from aid.train.params import write_params


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def wait_for_epochs(
    path: Path, count: int, process: subprocess.Popen, timeout: float
) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        done = len(rows(path)) if path.exists() else 0
        if done >= count:
            return done
        time.sleep(0.05)
    raise AssertionError(f"no {count} epochs within {timeout} s")


def test_kill_9_then_resume_continues_from_last_completed_epoch(
    tmp_path, train_args
) -> None:
    run = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "aid",
        *train_args(run, size=16, epochs=500, events=24, extra=("--batch-size", "8")),
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_for_epochs(run / "history.csv", 1, process, timeout=150)
        write_params(run, learning_rate=5e-4)  # a live change before the kill
        wait_for_epochs(run / "history.csv", 3, process, timeout=60)
        time.sleep(0.13)  # somewhere inside an epoch
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    state = json.loads((run / "state" / "state.json").read_text())
    completed = state["next_epoch"]
    assert completed >= 2  # history may already hold the next row: it is dropped
    write_params(run, epochs=completed + 2)

    assert main(["train", "--resume", str(run)]) == 0

    history = rows(run / "history.csv")
    assert [int(r["epoch"]) for r in history] == list(range(completed + 2))
    log = rows(run / "params_log.csv")
    lr_rows = [r for r in log if r["key"] == "learning_rate"]
    assert len(lr_rows) == 1 and lr_rows[0]["status"] == "applied"
    assert [r["new"] for r in log if r["key"] == "epochs"] == [str(completed + 2)]
    assert (
        float(history[-1]["learning_rate"]) == 5e-4
        or abs(float(history[-1]["learning_rate"]) - 5e-4) < 1e-9
    )
    leftovers = [p.name for p in run.rglob(".*")]
    assert leftovers == []
    for checkpoint in run.glob("model_*.keras"):
        assert load_model(checkpoint).model.outputs[0].shape[-1] == 2
    assert json.loads((run / "params.json").read_text())["epochs"] == completed + 2
