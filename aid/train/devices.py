"""Device choices for training, cheap to import (no TensorFlow, JAX or Keras).

A run's ``device`` setting is one of:

``auto``
    every visible GPU, else the CPU (the default);
``cpu``
    the CPU only, even when GPUs are present;
``gpu``
    the first GPU;
``gpu:N``
    GPU number ``N`` (counting from 0 among the visible GPUs);
``all``
    every visible GPU (an error when there is none).

:func:`describe_devices` names the hardware for a status bar without loading
any deep-learning framework: it reads ``/proc/driver/nvidia`` (Linux) or, as a
fallback, asks ``nvidia-smi`` (at most :data:`NVIDIA_SMI_TIMEOUT_S` seconds,
only when it is installed). What the chosen backend actually uses is decided
when training starts, in :mod:`aid.train.distribute`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from aid.errors import ConfigError

DEVICE_CHOICES = ("auto", "cpu", "gpu", "all")
_GPU_INDEX = re.compile(r"gpu:(\d{1,3})")
#: Seconds ``describe_devices`` waits for ``nvidia-smi`` at most.
NVIDIA_SMI_TIMEOUT_S = 2.0
_NVIDIA_PROC = Path("/proc/driver/nvidia/gpus")


def check_device(value: object) -> str:
    """Return ``value`` when it is a valid device setting.

    Raises
    ------
    ConfigError
        For anything but ``auto``, ``cpu``, ``gpu``, ``all`` or ``gpu:N``.
    """
    if isinstance(value, str) and (
        value in DEVICE_CHOICES or _GPU_INDEX.fullmatch(value)
    ):
        return value
    raise ConfigError(
        f"device must be one of {', '.join(DEVICE_CHOICES)} or gpu:N "
        f"(N = 0, 1, ...); got {value!r}"
    )


def gpu_index(device: str) -> int | None:
    """``N`` of a ``gpu:N`` setting (0 for ``gpu``), ``None`` otherwise."""
    if device == "gpu":
        return 0
    match = _GPU_INDEX.fullmatch(device)
    return int(match.group(1)) if match else None


def gpus_hidden() -> bool:
    """Whether ``CUDA_VISIBLE_DEVICES`` hides every GPU from this process."""
    return os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1")


def gpu_names() -> list[str]:
    """Model names of the NVIDIA GPUs of this machine, without a framework.

    Returns ``[]`` when there are none, when they are hidden through
    ``CUDA_VISIBLE_DEVICES`` or when neither the driver's ``/proc`` files nor
    ``nvidia-smi`` are available.
    """
    if gpus_hidden():
        return []
    names = _names_from_proc()
    return names if names else _names_from_nvidia_smi()


def _names_from_proc() -> list[str]:
    names = []
    for info in sorted(_NVIDIA_PROC.glob("*/information")):
        try:
            text = info.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        match = re.search(r"^Model:\s*(.+)$", text, re.MULTILINE)
        if match:
            names.append(match.group(1).strip())
    return names


def _names_from_nvidia_smi() -> list[str]:
    executable = shutil.which("nvidia-smi")
    if executable is None:
        return []
    try:
        done = subprocess.run(
            [executable, "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=NVIDIA_SMI_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if done.returncode != 0:
        return []
    return [line.strip() for line in done.stdout.splitlines() if line.strip()]


def describe_devices() -> str:
    """One line for a status bar, e.g. ``CPU (2 cores)`` or ``GPU: 1× NVIDIA H200``.

    Safe on the GUI thread at start: imports no framework and takes a few
    milliseconds (a ``/proc`` read); only on machines without the ``/proc``
    files but with ``nvidia-smi`` installed may it wait up to
    :data:`NVIDIA_SMI_TIMEOUT_S` seconds.
    """
    names = gpu_names()
    if not names:
        cores = os.cpu_count() or 1
        return f"CPU ({cores} core{'s' if cores != 1 else ''})"
    groups: dict[str, int] = {}
    for name in names:
        groups[name] = groups.get(name, 0) + 1
    return "GPU: " + ", ".join(f"{count}× {name}" for name, count in groups.items())


def prepare_environment() -> None:
    """Ask the backends to grow GPU memory on demand instead of taking it all.

    Sets ``TF_FORCE_GPU_ALLOW_GROWTH`` and ``XLA_PYTHON_CLIENT_PREALLOCATE``
    unless the user set them; effective only before the backend starts, so
    :mod:`aid.train.distribute` also switches growth on through TensorFlow.
    """
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
