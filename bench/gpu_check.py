"""GPU check: CIFAR-10 time-to-accuracy and images/s with AID's training engine.

Converts the CIFAR-10 train split (zip given as argument) once to one ``.rtdc``
per class, holds out 10 % (5,000 images) for validation and trains a zoo model
with :func:`aid.train.run.run_training` on ``--device`` (default: every GPU,
``keras.distribution.DataParallel`` under JAX). Prints one line per epoch (wall
time since training started, validation accuracy, training images/s) and a
summary with the time to ``--target`` accuracy. Usually started through
``bench/gpu_check.sh`` (which installs missing wheels and sets
``KERAS_BACKEND=jax``); the settings come from ``bench/train_cifar.py``.

    KERAS_BACKEND=jax python bench/gpu_check.py CIFAR_ZIP --epochs 12
    KERAS_BACKEND=jax python bench/gpu_check.py CIFAR_ZIP --max-train 2000 --epochs 1
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("zip", type=Path, help="cifar10-train-jpg.zip")
    parser.add_argument("--model", default="ResNet9_fast")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--minutes", type=float, default=10.0, help="time budget")
    parser.add_argument("--target", type=float, default=0.847)
    parser.add_argument("--max-train", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--optimizer", default="Adam")
    parser.add_argument("--lr", type=float, default=3e-3, help="peak learning rate")
    parser.add_argument("--cycle-epochs", type=float, default=4)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=None)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if not args.zip.is_file():
        sys.exit(f"error: {args.zip}: no such zip file")
    import keras
    import train_cifar  # bench/train_cifar.py: data table and tuned settings

    from aid.train.control import TrainingControl
    from aid.train.devices import describe_devices
    from aid.train.events import BatchEnded, EpochEnded, TrainingStarted
    from aid.train.run import run_training

    print(
        f"keras {keras.__version__}, backend {keras.backend.backend()}, "
        f"hardware {describe_devices()}, python {sys.version.split()[0]}",
        flush=True,
    )
    train_cifar.CIFAR_ZIP = args.zip
    cache = args.cache or Path(tempfile.gettempdir()) / "aid-gpu-check-cifar10"
    cache.mkdir(parents=True, exist_ok=True)
    table = train_cifar.cifar_table(cache, args.max_train, args.seed)
    config = replace(
        train_cifar.bench_config(args), epochs=args.epochs, device=args.device
    )
    control = TrainingControl()
    seen = {"images": 0, "fit": 0.0, "best": 0.0, "target_s": None, "start": 0.0}

    def report(event: object) -> None:
        now = time.perf_counter()
        if isinstance(event, TrainingStarted):
            seen["start"] = now
        elif isinstance(event, BatchEnded):
            seen["images"] += config.batch_size
        elif isinstance(event, EpochEnded):
            elapsed = now - seen["start"]
            accuracy = event.logs.get("val_accuracy", 0.0)
            seen["fit"] += event.seconds
            seen["best"] = max(seen["best"], accuracy)
            if accuracy >= args.target and seen["target_s"] is None:
                seen["target_s"] = elapsed
            print(
                f"epoch {event.epoch + 1:3d}  {elapsed:7.1f} s  val_accuracy "
                f"{accuracy:.4f}  {seen['images'] / max(seen['fit'], 1e-9):8.0f} img/s",
                flush=True,
            )
            if elapsed > args.minutes * 60:
                control.request_stop()

    out = Path(tempfile.mkdtemp(prefix="aid-gpu-check-"))
    result = run_training(config, table, run_dir=out, control=control, report=report)
    total = time.perf_counter() - seen["start"]
    reached = (
        f"{seen['target_s']:.1f} s" if seen["target_s"] is not None else "not reached"
    )
    print(
        f"{result.devices}: best val_accuracy {seen['best']:.4f} in "
        f"{len(result.history)} epochs, {total:.1f} s; time to {args.target:.3f}: "
        f"{reached}; {seen['images'] / max(seen['fit'], 1e-9):.0f} training img/s "
        f"(epochs incl. sampling and validation); model {args.model}; run {out}"
    )


if __name__ == "__main__":
    main()
