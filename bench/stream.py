"""Stream 1.2 million gray 32x32 events from one .rtdc file; report speed and peak RSS.

Usage: ``python bench/stream.py [--events N] [--batch-size B] [--crop S]``.
Goal: peak RSS < 1.5 GB however large the file.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from aid.data.preprocess import Preprocessing, normalize
from aid.data.rtdc_write import RtdcWriter
from aid.data.stream import iter_batches

WRITE_CHUNK = 20_000


def make_file(path: Path, events: int, side: int = 32) -> Path:
    """Write ``events`` random-ish images in chunks (never all in memory)."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, size=(WRITE_CHUNK, side, side), dtype=np.uint8)
    with RtdcWriter(path, (side, side), compression=None) as writer:
        for start in range(0, events, WRITE_CHUNK):
            n = min(WRITE_CHUNK, events - start)
            writer.append(
                base[:n] + np.uint8(start // WRITE_CHUNK)
            )  # wraps: different per chunk
    return path


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_200_000)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--crop", type=int, default=28)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.rtdc"
        start = time.perf_counter()
        make_file(path, args.events)
        written = time.perf_counter() - start
        print(
            f"wrote {args.events:,} events ({path.stat().st_size / 1e9:.2f} GB) "
            f"in {written:.1f} s; "
            f"peak RSS {peak_rss_mb():.0f} MB"
        )
        prep = Preprocessing(input_size=args.crop, normalization="div255")
        start, total, checksum = time.perf_counter(), 0, 0.0
        for batch in iter_batches([path], prep, args.batch_size, with_labels=False):
            pixels = normalize(batch.images, prep)
            checksum += float(pixels[:, 0, 0, 0].sum())
            total += len(batch)
        seconds = time.perf_counter() - start
    print(
        f"streamed {total:,} events (crop {args.crop}, /255) in {seconds:.1f} s: "
        f"{total / seconds:,.0f} events/s; peak RSS {peak_rss_mb():.0f} MB"
    )
    return 0 if total == args.events else 1


if __name__ == "__main__":
    sys.exit(main())
