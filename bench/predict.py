"""Classify 1.2 million gray 32x32 events streamed from one .rtdc with LeNet5 on CPU.

Usage: ``python bench/predict.py [--events N] [--batch-size B] [--threads T]``.
Goals (issue #5): >= 20,000 images/s on 2 cores and peak RSS < 1.5 GB. The file
is written in chunks to a temporary folder; prediction runs through the same
code as ``aid predict`` (:func:`aid.evaluate.predict.iter_scores`): read, crop
and convert in a background thread, normalise, ``predict_on_batch``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stream import make_file, peak_rss_mb  # noqa: E402  (bench/stream.py, same folder)


def lenet5(input_shape: tuple[int, int, int], num_classes: int) -> Any:
    """The zoo's LeNet5 when the zoo is there, else the same layers in plain Keras."""
    try:
        from aid.zoo_registry import build_model

        return build_model("LeNet5", input_shape, num_classes)
    except ImportError:
        import keras

        layers = keras.layers
        return keras.Sequential(
            [
                keras.Input(input_shape),
                layers.Conv2D(6, 5, activation="relu"),
                layers.MaxPooling2D(),
                layers.Conv2D(16, 5, activation="relu"),
                layers.MaxPooling2D(),
                layers.Flatten(),
                layers.Dense(120, activation="relu"),
                layers.Dense(84, activation="relu"),
                layers.Dense(num_classes),
                layers.Activation("softmax"),
            ]
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_200_000)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=2, help="TensorFlow CPU threads")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    from aid.data.preprocess import Preprocessing
    from aid.evaluate.predict import iter_scores
    from aid.modelfile.io import LoadedModel
    from aid.modelfile.meta import ModelMeta

    prep = Preprocessing(input_size=32, color_mode="gray", normalization="div255")
    meta = ModelMeta(class_names=("a", "b"), preprocessing=prep, zoo_name="LeNet5")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.rtdc"
        start = time.perf_counter()
        make_file(path, args.events)
        print(
            f"wrote {args.events:,} events ({path.stat().st_size / 1e9:.2f} GB) in "
            f"{time.perf_counter() - start:.1f} s; peak RSS {peak_rss_mb():.0f} MB"
        )
        loaded = LoadedModel(lenet5(prep.input_shape, 2), meta, path, legacy=False)
        # warm-up: trace the predict function for full and partial batches
        for _ in iter_scores(
            loaded, [path], batch_size=args.batch_size, with_labels=False
        ):
            break
        start, total, class_one = time.perf_counter(), 0, 0
        for scores, _sample in iter_scores(
            loaded, [path], batch_size=args.batch_size, with_labels=False
        ):
            total += len(scores)
            class_one += int((scores[:, 1] > scores[:, 0]).sum())
        seconds = time.perf_counter() - start
    rate = total / seconds
    rss = peak_rss_mb()
    print(
        f"predicted {total:,} events in {seconds:.1f} s: {rate:,.0f} images/s "
        f"(batch {args.batch_size}, {args.threads} threads, {os.cpu_count()} CPUs); "
        f"{class_one:,} as class 1"
    )
    print(f"peak RSS {rss:.0f} MB")
    print(
        f"goals: >= 20,000 images/s {'met' if rate >= 20_000 else 'NOT met'}; "
        f"peak RSS < 1,500 MB {'met' if rss < 1500 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
