"""Augmentation throughput: images/s for the full operation set, and its training cost.

Usage: ``python bench/augment.py [--json] [--images 2048] [--repeats 5] [--no-models]
[--defaults]`` (``--defaults``: AIDeveloper's default settings instead of every op).

Cases (2048 random uint8 images each): ``32x32_gray``, ``32x32_rgb`` and
``80x250_gray`` (an RT-DC region of interest, augmented at full size). Every case
runs with one thread and with all cores; OpenCV's own threading is switched off
so "one thread" means one. The best of ``--repeats`` runs is reported (the
machine may be shared). With ``--json`` each case and thread count prints one
line ``{"case": ..., "threads": ..., "images_per_s": ...}``; the training-step
share prints lines ``{"case": ..., "model": ..., "train_images_per_s": ...,
"augment_share": ...}``.

Reference (AIDeveloper's own OpenCV functions, one thread): 23,000 images/s
(32x32 gray), 15,000 (32x32 RGB), 4,600 (80x250 gray). Goal: 3x that per thread.
With one thread, the same operations done one OpenCV call per image and step
(``bench/per_image_baseline.py``, AIDeveloper's way) are also timed in this
process, and the speed-up over them is printed (``baseline_images_per_cpu_s``
in JSON): a ratio that does not depend on the machine's speed or load.

With all cores, the same work is also done by as many processes of one thread
each, at the same time (``processes_images_per_s`` in JSON): what the cores can
do without the interpreter lock, against what the augmenter's threads get. And
the training loader's throughput is timed (every 128-image batch of an epoch
taken by as many threads as Keras' loader uses, both stages fresh each epoch),
once augmenting in its threads, once in as many worker processes
(``loader_threads_images_per_s``, ``loader_processes_images_per_s``): what it
can feed an accelerator.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from aid.augment import AugmentConfig, Augmenter
from aid.data.sampling import Sample
from aid.train.epoch_augment import RunAugmentation, loader_threads

sys.path.insert(0, str(Path(__file__).parent))
from per_image_baseline import augment_per_image  # noqa: E402

CASES: dict[str, tuple[int, int, int]] = {
    "32x32_gray": (32, 32, 1),
    "32x32_rgb": (32, 32, 3),
    "80x250_gray": (80, 250, 1),
}
REFERENCE_PER_THREAD = {"32x32_gray": 23_000, "32x32_rgb": 15_000, "80x250_gray": 4_600}
MODELS = ("LeNet5", "Nitta_et_al_6layer")
#: Every operation on: flips, rotation, shift, zoom, shear, brightness and noise,
#: contrast, saturation and hue (RGB), average, Gaussian and motion blur.
FULL = AugmentConfig(
    hflip=True,
    vflip=True,
    saturation_on=True,
    hue_on=True,
    gauss_blur_on=True,
    motion_blur_on=True,
)


def images_per_second(
    images: np.ndarray, threads: int, repeats: int, config: AugmentConfig = FULL
) -> tuple[float, float]:
    """Best-of-``repeats`` images per wall second and per CPU second (all threads).

    On a shared machine the CPU-second figure is the fair per-thread measure: it
    does not count time the process waited for a core.
    """
    out_size = images.shape[1:3]
    best_wall = best_cpu = float("inf")
    with Augmenter(config, seed=0, threads=threads) as augmenter:
        augmenter(images[:256], out_size)  # warm up threads and caches
        for _ in range(repeats):
            wall, cpu = time.perf_counter(), time.process_time()
            augmenter(images, out_size)
            best_wall = min(best_wall, time.perf_counter() - wall)
            best_cpu = min(best_cpu, time.process_time() - cpu)
    return len(images) / best_wall, len(images) / best_cpu


def _process_rate(images: np.ndarray, config: AugmentConfig, start, seconds: float):
    """Images/s of one single-threaded augmenter in this process (a pool worker)."""
    cv2.setNumThreads(1)
    out_size = images.shape[1:3]
    with Augmenter(config, seed=0, threads=1) as augmenter:
        augmenter(images[:256], out_size)  # warm up
        start.wait()  # all processes measure over the same stretch of time
        begin, done = time.perf_counter(), 0
        while time.perf_counter() - begin < seconds:
            augmenter(images, out_size)
            done += len(images)
        return done / (time.perf_counter() - begin)


def processes_images_per_second(
    images: np.ndarray, processes: int, config: AugmentConfig = FULL, seconds=3.0
) -> float:
    """Summed images/s of ``processes`` single-threaded processes running at once."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(processes) as pool:
        start = manager.Barrier(processes)
        args = [(images, config, start, seconds)] * processes
        return float(sum(pool.starmap(_process_rate, args)))


def loader_images_per_second(
    images: np.ndarray, processes: int, repeats: int, config: AugmentConfig = FULL
) -> float:
    """Best images/s of the training loader over ``repeats`` fresh epochs.

    Batches are taken as Keras' loader threads take them; ``processes`` worker
    processes augment (0: the threads do). The first epoch (which starts the
    processes) is not timed.
    """
    n = len(images)
    sample = Sample(images, np.zeros(n, np.int64), np.zeros((n, 2), np.int64))
    every_epoch = config.merged({"affine_refresh_epochs": 1})
    batches = [slice(start, start + 128) for start in range(0, n, 128)]
    run, best = RunAugmentation(processes=processes), float("inf")
    with ThreadPoolExecutor(run.loader_threads) as pool:
        for epoch in range(repeats + 1):
            start = time.perf_counter()
            stage, _ = run.epoch_sample(
                epoch,
                every_epoch,
                images.shape[1:3],
                run_seed=0,
                batch_size=128,
                draw=lambda: sample,
            )
            list(pool.map(stage.take, batches))
            if epoch:
                best = min(best, time.perf_counter() - start)
    run.close()
    return n / best


def baseline_images_per_cpu_second(
    images: np.ndarray, repeats: int, config: AugmentConfig = FULL
) -> float:
    """Best-of-``repeats`` images per CPU second of the per-image baseline."""
    rng = np.random.default_rng(0)
    augment_per_image(images[:256], config, rng)  # warm up
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        augment_per_image(images, config, rng)
        best = min(best, time.process_time() - start)
    return len(images) / best


def train_images_per_second(model_name: str, shape: tuple[int, int, int]) -> float:
    """Images/s of ``train_on_batch`` (batch 128) for a zoo model on this CPU."""
    from aid.zoo_registry import build_model

    model = build_model(model_name, shape, 4)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.random((128, *shape), dtype=np.float32)
    y = rng.integers(0, 4, size=128)
    for _ in range(3):
        model.train_on_batch(x, y)
    steps = 10
    start = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(x, y)
    return steps * len(x) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON line per result")
    parser.add_argument("--images", type=int, default=2048)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-models", action="store_true", help="skip training share")
    parser.add_argument(
        "--defaults", action="store_true", help="AIDeveloper's default settings"
    )
    args = parser.parse_args()
    cv2.setNumThreads(1)
    cores = os.cpu_count() or 1
    rng = np.random.default_rng(0)
    rates: dict[tuple[str, int], float] = {}
    for case, shape in CASES.items():
        images = rng.integers(0, 256, size=(args.images, *shape), dtype=np.uint8)
        for threads in sorted({1, cores}):
            config = AugmentConfig() if args.defaults else FULL
            rate, cpu_rate = images_per_second(images, threads, args.repeats, config)
            rates[case, threads] = rate
            baseline = None
            if threads == 1:
                baseline = baseline_images_per_cpu_second(images, args.repeats, config)
            in_processes = loader = None
            if threads > 1:
                in_processes = processes_images_per_second(images, threads, config)
                loader = [
                    loader_images_per_second(images, workers, args.repeats, config)
                    for workers in (0, loader_threads())
                ]
            if args.json:
                record = {"case": case, "threads": threads, "images_per_s": round(rate)}
                record["images_per_cpu_s"] = round(cpu_rate)
                if baseline is not None:
                    record["baseline_images_per_cpu_s"] = round(baseline)
                if in_processes is not None:
                    record["processes_images_per_s"] = round(in_processes)
                if loader is not None:
                    record["loader_threads_images_per_s"] = round(loader[0])
                    record["loader_processes_images_per_s"] = round(loader[1])
                print(json.dumps(record))
            else:
                ratio = cpu_rate / REFERENCE_PER_THREAD[case]
                line = (
                    f"{case:12s} threads={threads:2d} {rate:9,.0f} images/s, "
                    f"{cpu_rate:9,.0f} per CPU second ({ratio:.1f}x AIDeveloper"
                )
                if baseline is not None:
                    line += (
                        f"; per-image loop here {baseline:,.0f}, "
                        f"{cpu_rate / baseline:.1f}x that"
                    )
                if in_processes is not None:
                    line += (
                        f"; {threads} single-thread processes: "
                        f"{in_processes:,.0f} images/s"
                    )
                print(line + ")")
                if loader is not None:
                    print(
                        f"{case:12s} training loader: {loader[0]:,.0f} images/s "
                        f"augmenting in {loader_threads()} threads, "
                        f"{loader[1]:,.0f} in {loader_threads()} worker processes"
                    )
    if args.no_models:
        return
    for case in ("32x32_gray", "32x32_rgb"):
        augment_rate = rates[case, cores]
        for model_name in MODELS:
            train_rate = train_images_per_second(model_name, CASES[case])
            share = train_rate / (train_rate + augment_rate)
            if args.json:
                print(
                    json.dumps(
                        {
                            "case": case,
                            "model": model_name,
                            "train_images_per_s": round(train_rate),
                            "augment_share": round(share, 4),
                        }
                    )
                )
            else:
                print(
                    f"{case:12s} {model_name:20s} CPU training "
                    f"{train_rate:9,.0f} images/s; augmentation ({cores} threads) "
                    f"is {share:.1%} of a step"
                )
        if not args.json:
            gpu = 100_000
            print(
                f"{case:12s} a GPU training at {gpu:,} images/s would spend "
                f"{gpu / (gpu + augment_rate):.1%} of a step waiting for augmentation "
                f"with {cores} threads (less when it runs ahead in a background thread)"
            )


if __name__ == "__main__":
    main()
