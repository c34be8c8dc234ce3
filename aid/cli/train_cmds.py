"""``aid train`` and ``aid lr-find``: training from the command line.

``aid train DATA --model NAME --size N --epochs N --out RUN`` trains and prints
one line per epoch; edit ``RUN/params.json`` meanwhile to change settings live.
``aid train --resume RUN`` continues a stopped or killed run. Ctrl+C stops
cleanly after the current batch (a second Ctrl+C aborts).
``--device cpu|gpu|gpu:N|all`` chooses the hardware; ``--multi-worker`` trains
together with the other processes named in ``TF_CONFIG`` (start the same command
on each; only worker 0 writes ``RUN``).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from aid.errors import DatasetError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``train`` and ``lr-find`` sub-commands."""
    train = sub.add_parser("train", help="train a model (or --resume a run folder)")
    train.add_argument(
        "data",
        nargs="?",
        help="session file, or folder of .rtdc files / image class folders",
    )
    train.add_argument("--resume", metavar="RUN_DIR", help="continue this run folder")
    train.add_argument("--out", metavar="RUN_DIR", help="new run folder")
    train.add_argument("--epochs", type=int, default=10)
    train.add_argument(
        "--device",
        default="auto",
        help="auto (all GPUs, else CPU), cpu, gpu, gpu:N or all",
    )
    train.add_argument(
        "--checkpoint-on",
        nargs="+",
        default=["val_accuracy", "val_loss"],
        metavar="METRIC",
        help="save a checkpoint when one of these sets a record: val_accuracy, "
        "val_loss, loss, accuracy, val_precision, val_recall (one record per class)",
    )
    train.add_argument(
        "--multi-worker",
        action="store_true",
        help="train with the workers in TF_CONFIG (MultiWorkerMirroredStrategy)",
    )
    _common_options(train)
    train.set_defaults(handler=_train)
    find = sub.add_parser(
        "lr-find", help="learning-rate range test; prints a suggested rate"
    )
    find.add_argument(
        "data", help="session file, or folder of .rtdc files / class folders"
    )
    find.add_argument("--start", type=float, default=1e-7)
    find.add_argument("--stop", type=float, default=1.0)
    find.add_argument("--steps", type=int, default=None)
    find.add_argument(
        "--json", action="store_true", help="print the whole curve as JSON"
    )
    _common_options(find)
    find.set_defaults(handler=_lr_find)


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--valid", metavar="DATA", help="validation data (as DATA)")
    parser.add_argument("--model", default="LeNet5_do", help="model-zoo architecture")
    parser.add_argument("--size", type=int, default=32, help="input size in pixels")
    parser.add_argument("--color", choices=("gray", "rgb"), default="gray")
    parser.add_argument(
        "--norm",
        default="div255",
        choices=("none", "div255", "zscore_image", "zscore_train"),
    )
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=None, help="learning rate")
    parser.add_argument(
        "--optimizer",
        default="Adam",
        choices=("Adam", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam"),
    )
    parser.add_argument(
        "--events-per-epoch",
        type=int,
        default=None,
        help="events drawn per file and epoch (default: all)",
    )
    parser.add_argument(
        "--split",
        type=float,
        default=0.0,
        help="fraction of the training data moved to validation",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-augment", action="store_true", help="switch augmentation off"
    )


def load_table(data: str, valid: str | None, events_per_epoch: int | None) -> Any:
    """Dataset table from a session file or folder, plus optional validation data."""
    from aid.data.folders import table_from_folder
    from aid.data.table import Session

    def one(path: str, role: str) -> Any:
        source = Path(path)
        if source.is_file():
            return Session.load(source).table
        if not source.exists():
            raise DatasetError(f"{source}: no such file or folder")
        return table_from_folder(source, role=role, events_per_epoch=events_per_epoch)

    table = one(data, "train")
    if valid:
        extra = one(valid, "valid")
        names = list(table.all_class_names())
        for entry in extra.entries:
            name = extra.class_name(entry.class_index)
            if name not in names:
                raise DatasetError(
                    f"validation class {name!r} is not a training class "
                    f"({', '.join(names)})"
                )
            table = table.add(
                [replace(entry, role="valid", class_index=names.index(name))]
            )
    return table


def config_from_args(args: argparse.Namespace) -> Any:
    """TrainConfig from the command-line options."""
    from aid.augment import AugmentConfig
    from aid.data.preprocess import Preprocessing
    from aid.train.config import TrainConfig

    prep = Preprocessing(
        input_size=args.size, color_mode=args.color, normalization=args.norm
    )
    defaults = {
        "Adam": 1e-3,
        "SGD": 1e-2,
        "RMSprop": 1e-3,
        "Adagrad": 1e-2,
        "Adadelta": 1.0,
        "Adamax": 2e-3,
        "Nadam": 2e-3,
    }
    return TrainConfig(
        zoo_name=args.model,
        preprocessing=prep,
        epochs=getattr(args, "epochs", 1),
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        learning_rate=args.lr if args.lr is not None else defaults[args.optimizer],
        validation_split=args.split,
        seed=args.seed,
        augmentation=AugmentConfig.none() if args.no_augment else AugmentConfig(),
        device=getattr(args, "device", "auto"),
        multi_worker=getattr(args, "multi_worker", False),
        checkpoint_monitors=tuple(
            getattr(args, "checkpoint_on", ("val_accuracy", "val_loss"))
        ),
    )


def _train(args: argparse.Namespace) -> int:
    from aid.train.control import TrainingControl
    from aid.train.run import resume_training, run_training

    control = TrainingControl()
    printer = _EpochPrinter()
    previous = signal.signal(signal.SIGINT, _stop_on_interrupt(control))
    try:
        if args.resume:
            result = resume_training(args.resume, control=control, report=printer)
        else:
            if not args.data or not args.out:
                raise DatasetError(
                    "aid train needs DATA and --out RUN_DIR (or --resume RUN_DIR)"
                )
            table = load_table(args.data, args.valid, args.events_per_epoch)
            result = run_training(
                config_from_args(args),
                table,
                run_dir=args.out,
                control=control,
                report=printer,
            )
    finally:
        signal.signal(signal.SIGINT, previous)
    best = f"; best model {result.best_model}" if result.best_model else ""
    print(
        f"{result.status} after {len(result.history)} epochs in {result.run_dir}{best}"
    )
    if getattr(args, "multi_worker", False):
        print(f"final weights sha256 {result.weights_sha256}")
    return 0 if result.status != "failed" else 1


def _lr_find(args: argparse.Namespace) -> int:
    from aid.train.lr_find import lr_range_test

    table = load_table(args.data, args.valid, args.events_per_epoch)
    result = lr_range_test(
        config_from_args(args),
        table,
        start=args.start,
        stop=args.stop,
        steps=args.steps,
    )
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(
            f"suggested learning rate: {result.suggested_lr:.3g} "
            f"(lowest loss at {result.min_loss_lr:.3g}; {len(result.lrs)} steps)"
        )
    return 0


def _stop_on_interrupt(control: Any) -> Any:
    def handler(signum: int, frame: Any) -> None:
        if control.stop_requested:
            raise KeyboardInterrupt
        print("\nstopping after this batch (Ctrl+C again to abort)", file=sys.stderr)
        control.request_stop()

    return handler


class _EpochPrinter:
    """Prints a progress line per batch (terminals only) and a line per epoch."""

    def __init__(self) -> None:
        self.total_epochs = 0
        self.steps = 0
        self.tty = sys.stderr.isatty()

    def __call__(self, event: Any) -> None:
        from aid.train import events

        if isinstance(event, events.TrainingStarted):
            self.total_epochs, self.steps = event.total_epochs, event.steps_per_epoch
        elif isinstance(event, events.BatchEnded) and self.tty:
            print(
                f"\repoch {event.epoch + 1}: step {event.step + 1}/{self.steps} "
                f"loss {event.logs.get('loss', float('nan')):.4f}",
                end="",
                file=sys.stderr,
            )
        elif isinstance(event, events.EpochEnded):
            logs = event.logs
            if self.tty:
                print("\r", end="", file=sys.stderr)
            print(
                f"epoch {event.epoch + 1}/{self.total_epochs}  "
                f"loss {logs.get('loss', float('nan')):.4f}  "
                f"accuracy {logs.get('accuracy', float('nan')):.4f}  "
                f"val_loss {logs.get('val_loss', float('nan')):.4f}  "
                f"val_accuracy {logs.get('val_accuracy', float('nan')):.4f}  "
                f"lr {event.learning_rate:.3g}  {event.seconds:.1f} s",
                flush=True,
            )
        elif isinstance(event, events.ParamsApplied):
            self.total_epochs = int(event.changes.get("epochs", self.total_epochs))
            for key, value in event.changes.items():
                print(f"  epoch {event.epoch + 1}: {key} -> {value}", flush=True)
            for key, reason in event.rejected.items():
                print(
                    f"  epoch {event.epoch + 1}: {key} rejected ({reason})", flush=True
                )
        elif isinstance(event, events.CheckpointSaved):
            print(f"  saved {event.path.name} ({event.monitor})", flush=True)
