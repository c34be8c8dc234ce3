"""``aid --selftest``: check that an installation (or a frozen build) really works.

The self-test walks the whole chain a user relies on, in a temporary folder:
build the digits demo data, find a model in the zoo, augment images in a worker
process (as the training loader does from 2 cores on), train it for two epochs,
assess it on the demo validation files, export it as ONNX and check that
onnxruntime predicts what the app predicts. It ends with one line,
``AID selftest OK (...)`` or ``AID selftest FAILED: <step>: <reason>``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from aid.errors import AidError

#: Zoo model trained by the self-test (a few thousand weights).
MODEL_NAME = "TinyCNN"
#: Epochs trained (about 0.98 validation accuracy on the demo digits).
EPOCHS = 2
#: Largest allowed difference between onnxruntime and app scores.
PARITY_TOLERANCE = 1e-4
#: Smallest validation accuracy that shows the model learned (chance is 1/3).
MIN_ACCURACY = 0.7

Report = Callable[[str], None]


class SelftestFailed(AidError):
    """A self-test step failed; ``step`` names it."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step, self.reason = step, reason


@dataclass
class _Figures:
    """What the steps measured, for the summary line."""

    events: int = 0
    train_seconds: float = 0.0
    accuracy: float = float("nan")
    max_difference: float = float("nan")

    def summary(self, total_seconds: float) -> str:
        return (
            f"{MODEL_NAME} {EPOCHS} epochs in {self.train_seconds:.1f} s, "
            f"validation accuracy {self.accuracy:.3f} on {self.events} events, "
            f"ONNX max |diff| {self.max_difference:.1e}, {total_seconds:.0f} s total"
        )


def _first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else "no details"


@contextmanager
def _step(name: str, report: Report) -> Iterator[None]:
    """Run one step; turn any exception into :class:`SelftestFailed` for ``name``."""
    report(f"selftest: {name} ...")
    try:
        yield
    except SelftestFailed:
        raise
    except AidError as exc:
        raise SelftestFailed(name, _first_line(str(exc))) from exc
    except Exception as exc:  # any failure is a result here, not a crash
        # the traceback shows e.g. which module a frozen build lacks
        traceback.print_exc(file=sys.stderr)
        raise SelftestFailed(
            name, f"{type(exc).__name__}: {_first_line(str(exc))}"
        ) from exc


def _check_zoo() -> None:
    """Check the self-test model is registered (from the editable file if frozen)."""
    from aid import zoo_registry
    from aid.frozen import editable_zoo_path

    entries = zoo_registry.available()
    if MODEL_NAME not in entries:
        errors = zoo_registry.zoo_errors()
        detail = _first_line(str(errors[0])) if errors else "it is not registered"
        raise SelftestFailed("model zoo", f"{MODEL_NAME} is missing: {detail}")
    editable = editable_zoo_path()
    source = entries[MODEL_NAME].source
    if editable is not None and source != editable.resolve():
        raise SelftestFailed(
            "model zoo", f"built-in models come from {source}, not from {editable}"
        )


def check_hdf5_filters(folder: Path) -> None:
    """Write and read back a Zstandard-compressed dataset (hdf5plugin's filters).

    Measurements from recent instruments are compressed this way; a frozen build
    without hdf5plugin's plugin libraries would fail on them only.
    """
    import h5py
    import hdf5plugin

    data = np.arange(4096, dtype=np.uint8).reshape(16, 16, 16)
    path = folder / "zstd-check.h5"
    folder.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as handle:
        handle.create_dataset("images", data=data, chunks=True, **hdf5plugin.Zstd())
    with h5py.File(path, "r") as handle:
        if not np.array_equal(handle["images"][:], data):
            raise SelftestFailed("HDF5 filters", "Zstandard data read back differently")


def check_augment_processes() -> None:
    """Augment images in a worker process and here: the images must be the same.

    The training loader augments in worker processes from 2 CPU cores on; a
    frozen build must be able to start them.
    """
    from aid.augment import AugmentConfig, Augmenter
    from aid.augment.workers import AugmentProcesses

    images = np.random.default_rng(0).integers(0, 256, (64, 32, 32, 3), np.uint8)
    config = AugmentConfig(rotation=10.0, hflip=True)
    with AugmentProcesses(1) as processes:
        elsewhere = Augmenter(config, seed=1, processes=processes)(images, 28)
    here = Augmenter(config, seed=1, threads=1)(images, 28)
    if not np.array_equal(elsewhere, here):
        raise SelftestFailed(
            "augmentation processes", "a worker process augmented differently"
        )


def _train(table: Any, run_dir: Path) -> Path:
    """Train :data:`MODEL_NAME`; return the last checkpoint."""
    from aid.augment import AugmentConfig
    from aid.data.preprocess import Preprocessing
    from aid.train.config import TrainConfig
    from aid.train.run import run_training

    config = TrainConfig(
        zoo_name=MODEL_NAME,
        preprocessing=Preprocessing(input_size=32),
        epochs=EPOCHS,
        batch_size=16,
        learning_rate=3e-3,
        augmentation=AugmentConfig.none(),
        name="selftest",
    )
    result = run_training(config, table, run_dir=run_dir)
    if result.status != "completed" or result.epochs_run != EPOCHS:
        raise SelftestFailed(
            "training",
            f"status {result.status} after {result.epochs_run} of {EPOCHS} epochs"
            + (f" ({result.message})" if result.message else ""),
        )
    if not result.checkpoints:
        raise SelftestFailed("training", "no checkpoint was written")
    return result.checkpoints[-1]


def onnx_max_difference(
    onnx_path: Path, loaded: Any, entries: Any, app_scores: np.ndarray
) -> float:
    """Largest ``|onnxruntime - app|`` score difference on ``entries``.

    The exported model holds the normalisation, so it is fed the raw cropped
    pixels (float32, 0-255) in the order the app predicted them.

    Raises
    ------
    SelftestFailed
        When the number of scores differs.
    """
    import onnxruntime

    from aid.data.stream import iter_batches

    session = onnxruntime.InferenceSession(
        str(onnx_path), providers=["CPUExecutionProvider"]
    )
    input_name = session.get_inputs()[0].name
    parts = [
        session.run(None, {input_name: sample.images.astype(np.float32)})[0]
        for sample in iter_batches(entries, loaded.meta.preprocessing, 256)
    ]
    onnx_scores = np.concatenate(parts)
    if onnx_scores.shape != app_scores.shape:
        raise SelftestFailed(
            "ONNX parity", f"scores {onnx_scores.shape} vs app {app_scores.shape}"
        )
    return float(np.max(np.abs(onnx_scores - app_scores)))


def _run_steps(folder: Path, report: Report) -> _Figures:
    from aid.data.demo import demo_dataset
    from aid.evaluate.assess import assess
    from aid.export.api import export_model
    from aid.modelfile.io import load_model

    figures = _Figures()
    with _step("demo data", report):
        table = demo_dataset(folder / "demo")
        valid = replace(table, entries=table.with_role("valid"))
        if not valid.entries or not table.with_role("train"):
            raise SelftestFailed("demo data", "no training or validation files")
    with _step("HDF5 filters", report):
        check_hdf5_filters(folder / "hdf5")
    with _step("model zoo", report):
        _check_zoo()
    with _step("augmentation processes", report):
        check_augment_processes()
    with _step("training", report):
        started = time.perf_counter()
        checkpoint = _train(table, folder / "run")
        figures.train_seconds = time.perf_counter() - started
    with _step("assessment", report):
        loaded = load_model(checkpoint)
        assessed = assess(loaded, valid)
        figures.accuracy = assessed.assessment.accuracy
        figures.events = len(assessed.predictions.scores)
        if not figures.accuracy >= MIN_ACCURACY:
            raise SelftestFailed(
                "assessment",
                f"validation accuracy {figures.accuracy:.3f} < {MIN_ACCURACY}",
            )
    with _step("ONNX export", report):
        exported = export_model(loaded, "onnx", folder / "selftest.onnx")
    with _step("ONNX parity", report):
        figures.max_difference = onnx_max_difference(
            exported.path, loaded, valid.entries, assessed.predictions.scores
        )
        if not figures.max_difference <= PARITY_TOLERANCE:
            raise SelftestFailed(
                "ONNX parity",
                f"max |onnxruntime - app| = {figures.max_difference:.2e} "
                f"> {PARITY_TOLERANCE:.0e}",
            )
    return figures


def _work_folder(work_dir: str | Path | None) -> Path:
    if work_dir is not None:
        return Path(work_dir)
    try:
        return Path(tempfile.mkdtemp(prefix="aid-selftest-"))
    except OSError as exc:
        raise SelftestFailed(
            "work folder", f"cannot create a temporary folder: {exc}"
        ) from exc


def _failed(failure: SelftestFailed, report: Report) -> list[str]:
    report(f"AID selftest FAILED: {failure.step}: {failure.reason}")
    return [f"{failure.step}: {failure.reason}"]


def run_selftest(
    work_dir: str | Path | None = None, *, report: Report = print
) -> list[str]:
    """Run every self-test step; stop at the first failure.

    Parameters
    ----------
    work_dir
        Folder for the demo data, run folder and exports. By default a new
        temporary folder that is removed afterwards; a given folder is kept.
    report
        Receives a line per step and, last, the ``AID selftest OK (...)`` or
        ``AID selftest FAILED: <step>: <reason>`` summary.

    Returns
    -------
    list of str
        ``"<step>: <reason>"`` of the failed step; empty when all passed.
    """
    started = time.perf_counter()
    own_folder = work_dir is None
    try:
        folder = _work_folder(work_dir)
    except SelftestFailed as failure:
        return _failed(failure, report)
    try:
        figures = _run_steps(folder, report)
    except SelftestFailed as failure:
        return _failed(failure, report)
    finally:
        if own_folder:
            shutil.rmtree(folder, ignore_errors=True)
    report(f"AID selftest OK ({figures.summary(time.perf_counter() - started)})")
    return []


def main() -> int:
    """Run the self-test, printing progress; exit code 0 (OK) or 1 (failed)."""
    # hide TensorFlow's C++ info lines
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    problems = run_selftest(report=lambda line: print(line, flush=True))
    return 1 if problems else 0
