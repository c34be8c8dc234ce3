"""The demo dataset: handwritten digits shipped with scikit-learn, as ``.rtdc``.

``sklearn.datasets.load_digits`` (1,797 real 8x8 scans, no download) is scaled
from 0..16 to 0..255 and upscaled to 32x32 gray (bilinear). Three well
separated digits, 0, 1 and 7 (about 180 images each), keep training quick: a
small CNN reaches > 90 % validation accuracy within a few epochs on a CPU.
Per digit, a fixed 80 % goes to ``train/digit_<d>.rtdc`` and 20 % to
``valid/digit_<d>.rtdc``. Files are built once in the user cache folder
(``$AID_CACHE_DIR`` if set) and reused.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import cv2
import numpy as np

from aid.data.folders import cache_dir, table_from_folder
from aid.data.rtdc_write import write_rtdc
from aid.data.table import DatasetTable

DEMO_DIGITS = (0, 1, 7)
DEMO_SIZE = 32
VALID_FRACTION = 0.2
_VERSION = "v1"


def demo_folder() -> Path:
    """Where the demo files are cached."""
    return cache_dir() / f"demo-digits-{_VERSION}"


def _complete(folder: Path) -> bool:
    return all(
        (folder / role / f"digit_{d}.rtdc").is_file()
        for role in ("train", "valid")
        for d in DEMO_DIGITS
    )


def build_demo_files(folder: Path) -> Path:
    """Write the demo ``.rtdc`` files into ``folder`` (atomically as a whole)."""
    from sklearn.datasets import load_digits  # only needed once per cache

    digits = load_digits()
    scaled = np.clip(digits.images * (255.0 / 16.0), 0, 255).astype(np.uint8)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=folder.parent))
    try:
        rng = np.random.default_rng(2021)
        for digit in DEMO_DIGITS:
            small = scaled[digits.target == digit]
            images = np.stack(
                [
                    cv2.resize(
                        im, (DEMO_SIZE, DEMO_SIZE), interpolation=cv2.INTER_LINEAR
                    )
                    for im in small
                ]
            )
            order = rng.permutation(len(images))
            n_valid = int(round(VALID_FRACTION * len(images)))
            provenance = {"source": "sklearn.datasets.load_digits", "digit": digit}
            for role, part in (("valid", order[:n_valid]), ("train", order[n_valid:])):
                write_rtdc(
                    staging / role / f"digit_{digit}.rtdc",
                    images[np.sort(part)],
                    provenance=provenance,
                )
        if folder.exists():
            shutil.rmtree(folder)
        staging.replace(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def demo_dataset(folder: str | Path | None = None) -> DatasetTable:
    """Return the digits demo as a table (train and valid entries; digits 0, 1, 7).

    Parameters
    ----------
    folder
        Where to keep the files; default :func:`demo_folder`. Existing complete
        files are reused.
    """
    target = Path(folder) if folder is not None else demo_folder()
    if not _complete(target):
        build_demo_files(target)
    return table_from_folder(target)
