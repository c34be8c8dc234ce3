"""The training core on a second Keras backend (JAX), in a fresh interpreter.

The run uses ``keras.distribution.DataParallel`` over two virtual CPU devices
(``--xla_force_host_platform_device_count=2``), so batches are really sharded,
then predicts the validation files with the saved model. TensorFlow is made
unimportable there (as on a GPU machine that has only JAX): the core must not
need it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("training_worker.py")
REPO = Path(__file__).resolve().parents[2]


def hide_tensorflow(folder: Path) -> Path:
    """A folder that, first on ``PYTHONPATH``, makes ``import tensorflow`` fail."""
    package = folder / "tensorflow"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('raise ImportError("hidden by the test")\n')
    return folder


def run_on_backend(
    backend: str, run_dir: Path, tutorial: Path, python_path: Path, **env: str
) -> dict:
    environment = dict(os.environ)
    environment.update(
        KERAS_BACKEND=backend,
        PYTHONPATH=os.pathsep.join([str(python_path), str(REPO)]),
        **env,
    )
    environment.pop("TF_CONFIG", None)
    done = subprocess.run(
        [sys.executable, str(WORKER), str(run_dir), str(tutorial), "auto", "--predict"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(
    importlib.util.find_spec("jax") is None,
    reason="jax is not installed (pip install 'jax[cpu]', part of the dev extra)",
)
def test_training_and_prediction_on_jax_data_parallel(tutorial, tmp_path) -> None:
    run = tmp_path / "run"
    result = run_on_backend(
        "jax",
        run,
        tutorial,
        hide_tensorflow(tmp_path / "no_tf"),
        XLA_FLAGS="--xla_force_host_platform_device_count=2",
    )
    assert result["backend"] == "jax" and not result["tensorflow_imported"]
    assert result["devices"] == "data_parallel on cpu:0, cpu:1"
    assert result["status"] == "completed" and result["epochs_run"] == 2
    assert result["applied"] == [[1, {"epochs": 2, "learning_rate": 0.005}]]
    assert (run / "history.csv").read_text().count("\n") == 3  # header + 2 epochs
    assert result["predict"]["count"] == 400 and result["predict"]["rows_sum_to_1"]


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="torch is not installed"
)
def test_training_and_prediction_on_torch(tutorial, tmp_path) -> None:
    no_tf = hide_tensorflow(tmp_path / "no_tf")
    result = run_on_backend("torch", tmp_path / "run", tutorial, no_tf)
    assert result["backend"] == "torch" and result["status"] == "completed"
    assert result["predict"]["count"] == 400
