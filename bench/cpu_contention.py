"""What any other busy process costs a CPU-only training epoch, at any priority.

Usage: ``python bench/cpu_contention.py [--json] [--images 8192] [--repeats 5]
[--rgb]``

One LeNet5 epoch (the model of ``bench/augment_overlap.py``, images already
augmented, so the epoch does nothing but train) is timed alone and beside one
process that only counts in a Python loop (a few kilobytes of memory, no I/O),
started at several priorities: Unix niceness 10 (AID's augmentation workers,
:data:`aid.augment.workers.WORKER_NICENESS`) and 19, ``SCHED_IDLE`` (Linux: runs
only when a core would otherwise idle), and each of those pinned to the last
core. The slowdown ``(t - t_alone) / t`` is the floor of augmentation's share of
an epoch on this machine: the workers are busy only part of the time, but no
priority keeps them from delaying training's threads. The settings take turns,
and each timing is the median of ``--repeats`` epochs. Linux only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from augment_overlap import epoch_seconds, shares, training_setup  # noqa: E402

from aid.train.lazy_sample import ArraySource  # noqa: E402

#: Priority settings of the busy process: (key, what it is, start-up code).
_PRIORITY = (
    ("nice10", "niceness 10", "os.nice(10)"),
    ("nice19", "niceness 19", "os.nice(19)"),
    (
        "sched_idle",
        "SCHED_IDLE",
        "os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))",
    ),
)


def busy_settings(cores: int) -> dict[str, tuple[str, str | None]]:
    """Setting key -> (what it is, start-up code of the busy process or None)."""
    last = f"os.sched_setaffinity(0, {{{cores - 1}}}); "
    settings: dict[str, tuple[str, str | None]] = {"alone": ("alone", None)}
    for key, name, code in _PRIORITY:
        settings[key] = (name, code)
        settings[f"{key}_last_core"] = (f"{name}, last core", last + code)
    return settings


def start_busy(setup: str) -> subprocess.Popen:
    """Start a process that runs ``setup``, then counts forever."""
    code = f"import os\n{setup}\nx = 0\nwhile True:\n    x += 1\n"
    process = subprocess.Popen([sys.executable, "-c", code])
    try:
        time.sleep(0.3)  # started and busy before the epoch begins
    except BaseException:  # e.g. Ctrl+C: never leave the loop running
        process.kill()
        process.wait()
        raise
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON line")
    parser.add_argument("--images", type=int, default=8192)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rgb", action="store_true", help="32x32 RGB, not gray")
    args = parser.parse_args()
    if not hasattr(os, "sched_setscheduler"):
        parser.error("needs Linux (sched_setscheduler)")
    if args.images < 128:
        parser.error("--images must be at least 128 (one batch)")
    cores = os.cpu_count() or 1
    shape = (32, 32, 3 if args.rgb else 1)
    images, labels, prep, model = training_setup(shape, args.images, "LeNet5")
    source = ArraySource(images)
    settings = busy_settings(cores)
    times: dict[str, list[float]] = {name: [] for name in settings}
    for _ in range(args.repeats):
        for key, (_, setup) in settings.items():
            busy = None if setup is None else start_busy(setup)
            try:
                times[key].append(epoch_seconds(model, source, labels, prep))
            finally:
                if busy is not None:
                    busy.kill()
                    busy.wait()
    medians = {name: float(np.median(values)) for name, values in times.items()}
    alone = medians.pop("alone")
    slowdown = shares(medians, alone)
    if args.json:
        record = {"case": f"32x32_{'rgb' if args.rgb else 'gray'}", "cores": cores}
        record |= {"alone_s": round(alone, 3)}
        record |= {f"{key}_slowdown": round(s, 4) for key, s in slowdown.items()}
        print(json.dumps(record))
        return
    print(
        f"LeNet5 epoch of {args.images} 32x32 {'RGB' if args.rgb else 'gray'} "
        f"images on {cores} cores: {alone:.3f} s alone"
    )
    for key, t in medians.items():
        name = settings[key][0]
        print(f"  beside a busy loop at {name:24s} {t:.3f} s ({slowdown[key]:+.1%})")


if __name__ == "__main__":
    main()
