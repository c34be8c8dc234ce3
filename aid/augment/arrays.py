"""Checks and value-range helpers for augmentation image batches."""

from __future__ import annotations

import numpy as np

from aid.errors import PreprocessError

#: Images of at least this many values get one OpenCV call each; smaller ones are
#: laid out together and handled by a few calls per batch (per-call overhead of a
#: few microseconds would cost more than the work on a 32x32 image).
LARGE_IMAGE = 4096


def check_images(images: np.ndarray) -> np.ndarray:
    """Return ``images`` if it is a ``(N, H, W, 1|3)`` uint8/uint16 array.

    Raises
    ------
    PreprocessError
        For any other shape or dtype.
    """
    if (
        not isinstance(images, np.ndarray)
        or images.ndim != 4
        or images.shape[-1] not in (1, 3)
    ):
        shape = getattr(images, "shape", type(images).__name__)
        raise PreprocessError(f"augmentation needs images (N, H, W, 1|3), got {shape}")
    if images.dtype not in (np.uint8, np.uint16):
        raise PreprocessError(
            f"augmentation needs uint8 or uint16 images, got {images.dtype}"
        )
    return images


def max_value(dtype: np.dtype) -> int:
    """Largest pixel value of an integer image dtype (255 or 65535)."""
    return int(np.iinfo(dtype).max)


def level_scale(dtype: np.dtype) -> float:
    """Factor from 8-bit grey levels to ``dtype``'s levels (1 for uint8)."""
    return max_value(dtype) / 255.0
