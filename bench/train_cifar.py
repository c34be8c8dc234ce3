"""CIFAR-10 training benchmark: validation accuracy against wall time.

Uses the CIFAR-10 train split in ``../shared/data/cifar10-train-jpg.zip``
(converted once to one ``.rtdc`` per class in a cache folder), holds out 10 %
(5,000 images) for validation, and trains a model-zoo network with AID's
training engine (AIDeveloper epochs, augmentation, live params, checkpoints)
until the time budget is spent. Prints one line per epoch and a summary with
training images/s and where the time went.

Goal (issue #3): 84.7 % validation accuracy in <= 20 minutes on 2 CPU cores.

    python bench/train_cifar.py                       # full run (20 min)
    python bench/train_cifar.py --minutes 2 --max-train 4000   # smoke run
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CIFAR_ZIP = REPO.parent / "shared" / "data" / "cifar10-train-jpg.zip"


def cifar_table(cache: Path, max_train: int | None, seed: int):
    """Dataset table of the converted CIFAR-10 files with a 10 % validation split."""
    from aid.data.folders import table_from_paths
    from aid.data.images import import_images
    from aid.data.split import split_table

    if len(list(cache.glob("*.rtdc"))) != 10:
        started = time.perf_counter()
        import_images([CIFAR_ZIP], cache, size=32, color="rgb", overwrite=True)
        print(f"converted CIFAR-10 to {cache} in {time.perf_counter() - started:.0f} s")
    table = table_from_paths(sorted(cache.glob("*.rtdc")))
    table = split_table(table, 0.1, by="event", seed=seed)
    if max_train:
        per_file = max(1, max_train // 10)
        for row, entry in enumerate(table.entries):
            if entry.role == "train":
                table = table.replace_entry(row, events_per_epoch=per_file)
    return table


def bench_config(args: argparse.Namespace):
    """Settings tuned for fast CIFAR training on a CPU."""
    from aid.augment import AugmentConfig
    from aid.data.preprocess import Preprocessing
    from aid.train.config import TrainConfig

    augmentation = AugmentConfig.none().merged(
        {
            "hflip": True,
            "width_shift": 3.0,
            "height_shift": 3.0,
            "affine_refresh_epochs": 1,
        }
    )
    return TrainConfig(
        zoo_name=args.model,
        preprocessing=Preprocessing(
            input_size=32, color_mode="rgb", normalization="zscore_train"
        ),
        epochs=10_000,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        learning_rate=args.lr / 10,
        lr_schedule="cyclical",
        lr_schedule_params={
            "max_lr": args.lr,
            "step_size_epochs": args.cycle_epochs,
            "mode": "triangular2",
        },
        label_smoothing=0.1,
        augmentation=augmentation,
        seed=args.seed,
        checkpoint_monitors=("val_accuracy",),
        name="cifar",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="ResNet9_fast")
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument(
        "--max-train",
        type=int,
        default=None,
        help="training images per epoch (default: all 45,000)",
    )
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--optimizer", default="Adam")
    parser.add_argument("--lr", type=float, default=3e-3, help="peak learning rate")
    parser.add_argument("--cycle-epochs", type=float, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument(
        "--out", type=Path, default=None, help="run folder (default: temp)"
    )
    args = parser.parse_args()

    from aid.data.folders import cache_dir
    from aid.train.control import TrainingControl
    from aid.train.events import BatchEnded, EpochEnded
    from aid.train.run import run_training

    cache = args.cache or cache_dir() / "bench-cifar10"
    cache.mkdir(parents=True, exist_ok=True)
    table = cifar_table(cache, args.max_train, args.seed)
    config = bench_config(args)
    out = args.out or Path(tempfile.mkdtemp(prefix="aid-cifar-"))
    control = TrainingControl()
    budget = args.minutes * 60
    started = time.perf_counter()
    seen = {"images": 0, "fit": 0.0, "batch_start": None}
    best = 0.0

    def report(event) -> None:
        nonlocal best
        elapsed = time.perf_counter() - started
        if isinstance(event, BatchEnded):
            seen["images"] += config.batch_size
            if elapsed > budget:
                control.request_stop()
        elif isinstance(event, EpochEnded):
            seen["fit"] += event.seconds
            best = max(best, event.logs.get("val_accuracy", 0.0))
            print(
                f"epoch {event.epoch + 1:3d}  {elapsed / 60:6.2f} min  "
                f"val_accuracy {event.logs.get('val_accuracy', 0):.4f}  "
                f"loss {event.logs.get('loss', 0):.3f}  lr {event.learning_rate:.4f}  "
                f"{seen['images'] / max(seen['fit'], 1e-9):6.0f} img/s",
                flush=True,
            )
            if elapsed > budget:
                control.request_stop()

    result = run_training(config, table, run_dir=out, control=control, report=report)
    total = time.perf_counter() - started
    epoch_time = sum(row.get("seconds") or 0 for row in result.history)
    print(
        f"best val_accuracy {best:.4f} after {len(result.history)} epochs, "
        f"{total / 60:.2f} min wall ({epoch_time / 60:.2f} min in epochs incl. sampling"
        f" and validation, {(total - epoch_time):.0f} s set-up/saving); "
        f"{seen['images'] / max(epoch_time, 1e-9):.0f} training img/s overall; "
        f"model {args.model}; run folder {out}"
    )


if __name__ == "__main__":
    main()
