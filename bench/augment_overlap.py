"""How much of a training epoch augmentation costs: before ``fit`` vs overlapped.

Usage: ``python bench/augment_overlap.py [--json] [--images 8192] [--model LeNet5]``

For each case (32x32 gray, 32x32 RGB) one epoch of a zoo model is timed on CPU
three ways, with the full operation set of ``bench/augment.py`` (``--defaults``:
AIDeveloper's default settings, as the app starts):

* ``none``: images augmented beforehand, only ``fit`` is timed (the floor);
* ``before_fit``: the whole sample augmented with all cores, then ``fit`` (how
  AIDeveloper and AID before the lazy stages worked);
* ``overlapped``: lazy stages (:class:`aid.train.epoch_augment.RunAugmentation`):
  each batch's chunk is augmented on the loader threads while the model trains
  on earlier batches (the trainer's way on one core, or with
  ``AID_LOADER_PROCESSES=0``);
* ``processes`` (with ``--processes N``): the same, the loader threads handing
  the chunks to N low-priority worker processes (the trainer's way from 2 cores
  on, ``aid.train.epoch_augment.loader_processes``).

Augmentation's share of the epoch is ``(t - t_none) / t``. The CPU microseconds
per image that training alone takes (all its threads, ``train_cpu_us``) and that
one thread takes to augment (both stages, ``augment_cpu_us``) are printed too:
the cores must share them, so on a CPU-only machine the share follows their
ratio. ``--train-threads 1`` leaves the other cores to the loader, as when an
accelerator trains. The lazy stages draw a new affine sample every
``--affine-refresh`` epochs (default 1, the most work; the app's default setting
is 2). Each timing is the median of ``--repeats`` epochs, the ways taking turns
(the machine's speed drifts).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from augment import CASES, FULL  # noqa: E402  (bench/augment.py)

from aid.augment import AugmentConfig, Augmenter  # noqa: E402
from aid.data.preprocess import Preprocessing  # noqa: E402
from aid.data.sampling import Sample  # noqa: E402
from aid.train.allocator import keep_freed_memory  # noqa: E402
from aid.train.dataset import EpochDataset  # noqa: E402
from aid.train.epoch_augment import RunAugmentation, loader_threads  # noqa: E402
from aid.train.lazy_sample import ArraySource  # noqa: E402
from aid.zoo_registry import build_model  # noqa: E402

BATCH = 128


def epoch_seconds(
    model,
    source,
    labels,
    prep: Preprocessing,
    workers: int | None = None,
    cpu: list[float] | None = None,
) -> float:
    """Wall seconds of one ``fit`` epoch over ``source`` (the trainer's loader).

    The process's CPU seconds (all its threads) are appended to ``cpu`` if given.
    """
    data = EpochDataset(
        source,
        labels,
        4,
        prep,
        BATCH,
        np.random.default_rng(0),
        workers=workers or loader_threads(),
    )
    start, start_cpu = time.perf_counter(), time.process_time()
    model.fit(data, epochs=1, shuffle=False, verbose=0)
    if cpu is not None:
        cpu.append(time.process_time() - start_cpu)
    return time.perf_counter() - start


def augment_cpu_seconds(images: np.ndarray, settings: AugmentConfig) -> float:
    """CPU seconds one thread takes to augment ``images`` (both stages), best of 3.

    With freed memory kept, as the loader keeps it (TensorFlow's loader makes
    glibc return it, and fresh pages would be counted).
    """
    keep_freed_memory()
    with Augmenter(settings, seed=0, threads=1) as augmenter:
        times = []
        for _ in range(3):
            start = time.thread_time()  # the augmenter runs in this thread
            augmenter(images, images.shape[1:3])
            times.append(time.thread_time() - start)
    return min(times)


def training_setup(shape, n_images: int, model_name: str):
    """Random images and labels, their preprocessing and a compiled, warmed-up model.

    Returns ``(images, labels, prep, model)``; one short epoch has run, so later
    timings do not include TensorFlow's tracing.
    """
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n_images, *shape), dtype=np.uint8)
    labels = rng.integers(0, 4, size=n_images)
    prep = Preprocessing(
        input_size=shape[0], color_mode="gray" if shape[2] == 1 else "rgb"
    )
    model = build_model(model_name, shape, 4)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    epoch_seconds(model, ArraySource(images[:1024]), labels[:1024], prep)  # warm up
    return images, labels, prep, model


def shares(times: dict[str, float], floor: float) -> dict[str, float]:
    """Each epoch time's extra over ``floor`` as a share of it: ``(t - floor) / t``."""
    return {name: (t - floor) / t for name, t in times.items()}


def time_case(
    shape,
    n_images: int,
    model_name: str,
    repeats: int,
    processes: int = 0,
    affine_refresh: int = 1,
    base: AugmentConfig = FULL,
) -> dict:
    """Median epoch seconds for the three ways on ``n_images`` random images."""
    images, labels, prep, model = training_setup(shape, n_images, model_name)

    def before_fit() -> float:
        start = time.perf_counter()
        with Augmenter(settings, seed=0) as augmenter:
            augmented = augmenter(images, shape[:2])
        return time.perf_counter() - start + none_on(augmented)

    def none_on(augmented: np.ndarray) -> float:
        return epoch_seconds(model, ArraySource(augmented), labels, prep)

    train_cpu: list[float] = []

    def none() -> float:
        return epoch_seconds(model, ArraySource(images), labels, prep, cpu=train_cpu)

    settings = base.merged({"affine_refresh_epochs": affine_refresh})
    runs = {"overlapped": RunAugmentation()}
    if processes:
        runs["processes"] = RunAugmentation(processes=processes)
    # Each run counts its own epochs (its affine refreshes fall on its epochs).
    epochs = {id(run): iter(range(1_000)) for run in runs.values()}
    sample = Sample(images, labels, np.zeros((n_images, 2), dtype=np.int64))

    def overlapped(run: RunAugmentation) -> float:
        stage, shuffled = run.epoch_sample(
            next(epochs[id(run)]),
            settings,
            shape[0],
            run_seed=0,
            batch_size=BATCH,
            draw=lambda: sample,
        )
        return epoch_seconds(model, stage, shuffled, prep, run.loader_threads)

    ways = {"none": none, "before_fit": before_fit}
    for name, run in runs.items():
        ways[name] = lambda run=run: overlapped(run)
    for run in runs.values():  # start worker processes outside the timings
        overlapped(run)
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(repeats):
        for name, way in ways.items():
            times[name].append(way())
    for run in runs.values():
        run.close()
    medians = {name: float(np.median(values)) for name, values in times.items()}
    # CPU microseconds per image: training alone (all its threads), and
    # augmentation (both stages, one thread): what the cores must share.
    medians["train_cpu_us"] = float(np.median(train_cpu)) / n_images * 1e6
    medians["augment_cpu_us"] = augment_cpu_seconds(images, settings) / n_images * 1e6
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON line per case")
    parser.add_argument("--images", type=int, default=8192)
    parser.add_argument("--model", default="LeNet5")
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument(
        "--processes", type=int, default=0, help="also time N worker processes"
    )
    parser.add_argument(
        "--defaults",
        action="store_true",
        help="AIDeveloper's default settings (no saturation, hue, Gaussian or "
        "motion blur) instead of every operation",
    )
    parser.add_argument(
        "--affine-refresh",
        type=int,
        default=1,
        help="new affine sample every N epochs (1: both stages fresh every epoch, "
        "the most work; the app's default is 2)",
    )
    parser.add_argument(
        "--train-threads",
        type=int,
        default=0,
        help="TensorFlow intra-op threads for training (0: all); fewer leave "
        "cores to the loader, as an accelerator does",
    )
    args = parser.parse_args()
    if args.train_threads:
        import keras

        if keras.config.backend() != "tensorflow":
            parser.error("--train-threads needs the TensorFlow backend")
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.train_threads)
    print(f"{os.cpu_count()} cores, {loader_threads()} loader threads", file=sys.stderr)
    for case in ("32x32_gray", "32x32_rgb"):
        best = time_case(
            CASES[case],
            args.images,
            args.model,
            args.repeats,
            args.processes,
            args.affine_refresh,
            AugmentConfig() if args.defaults else FULL,
        )
        cpu_us = {key: best.pop(key) for key in ("train_cpu_us", "augment_cpu_us")}
        floor = best.pop("none")
        share = shares(best, floor)
        if args.json:
            record = {"case": case, "model": args.model, "images": args.images}
            record |= {"none_s": round(floor, 3)}
            record |= {f"{name}_s": round(t, 3) for name, t in best.items()}
            record |= {key: round(value, 1) for key, value in cpu_us.items()}
            record |= {f"{name}_share": round(v, 4) for name, v in share.items()}
            print(json.dumps(record))
            continue
        print(
            f"{case:11s} {args.model}: epoch of {args.images} images "
            f"{floor:.2f} s without augmentation, {best['before_fit']:.2f} s "
            f"augmenting first ({share['before_fit']:.1%} of the epoch), "
            f"{best['overlapped']:.2f} s overlapped ({share['overlapped']:.1%})"
            + (
                f", {best['processes']:.2f} s overlapped in {args.processes} "
                f"processes ({share['processes']:.1%})"
                if args.processes
                else ""
            )
            + f"; CPU per image: training {cpu_us['train_cpu_us']:.0f} us, "
            f"augmentation {cpu_us['augment_cpu_us']:.1f} us (one thread)"
        )


if __name__ == "__main__":
    main()
