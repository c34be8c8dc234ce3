"""Random blurs (average, Gaussian, motion) of image batches.

Same conventions as :mod:`aid.augment.ops` (which re-exports these functions):
``(N, H, W, C)`` uint8/uint16 arrays, an explicit generator, a new array out.
Kernel sizes are drawn per image with the maximum included. The filter then runs
once per group of images sharing a kernel: the group is laid out as one tall image,
each image padded above and below with its own mirrored rows, so one OpenCV call
gives exactly the per-image result (OpenCV's default border, reflect-101).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import cv2
import numpy as np

from aid.augment.config import IntRange

Filter = Callable[[np.ndarray], np.ndarray]


def average_blur(
    images: np.ndarray, kernel_range: IntRange, rng: np.random.Generator
) -> np.ndarray:
    """Box blur with a k x k kernel, k ~ randint(min, max) inclusive; k <= 1: no-op."""
    sizes = rng.integers(
        kernel_range[0], kernel_range[1], size=len(images), endpoint=True
    )
    return _filter_groups(images, sizes, lambda k: (lambda im: cv2.blur(im, (k, k)), k))


def gaussian_blur(
    images: np.ndarray, kernel_range: IntRange, rng: np.random.Generator
) -> np.ndarray:
    """Gaussian blur, kernel k ~ randint(min, max) inclusive and made odd."""
    sizes = rng.integers(
        kernel_range[0], kernel_range[1], size=len(images), endpoint=True
    )
    odd = 2 * (sizes // 2) + 1
    return _filter_groups(
        images, odd, lambda k: (lambda im: cv2.GaussianBlur(im, (k, k), 0), k)
    )


@lru_cache(maxsize=1024)
def motion_blur_kernel(size: int, angle_deg: int) -> np.ndarray:
    """Normalised line kernel of ``size`` pixels turned by ``angle_deg`` degrees."""
    kernel = np.zeros((size, size), dtype=np.float32)
    kernel[(size - 1) // 2, :] = 1.0
    centre = (size / 2 - 0.5, size / 2 - 0.5)
    kernel = cv2.warpAffine(
        kernel, cv2.getRotationMatrix2D(centre, angle_deg, 1.0), (size, size)
    )
    kernel /= kernel.sum()
    kernel.setflags(write=False)
    return kernel


def motion_blur(
    images: np.ndarray,
    kernel_range: IntRange,
    angle_range: IntRange,
    rng: np.random.Generator,
) -> np.ndarray:
    """Motion blur along a line of random size and integer angle (both inclusive)."""
    n = len(images)
    sizes = rng.integers(kernel_range[0], kernel_range[1], size=n, endpoint=True)
    angles = rng.integers(angle_range[0], angle_range[1], size=n, endpoint=True)
    # One integer key per (size, angle) pair; angles are within +-360.
    keys = sizes * 1000 + (angles + 500)

    def make(key: int) -> tuple[Filter, int]:
        kernel = motion_blur_kernel(key // 1000, key % 1000 - 500)
        return (lambda im: cv2.filter2D(im, -1, kernel)), key // 1000

    keys[sizes <= 1] = 1
    return _filter_groups(images, keys, make)


def _filter_groups(
    images: np.ndarray,
    keys: np.ndarray,
    make_filter: Callable[[int], tuple[Filter, int]],
) -> np.ndarray:
    """Filter the images of each key with ``make_filter(key)``: (filter, kernel size).

    Keys <= 1 are no-ops.
    """
    out = images.copy()
    order = np.argsort(keys, kind="stable")
    bounds = np.flatnonzero(np.diff(keys[order])) + 1
    height = images.shape[1]
    for group in np.split(order, bounds):
        key = int(keys[group[0]])
        if key <= 1:
            continue
        filter_one, size = make_filter(key)
        reach = size // 2
        if len(group) == 1 or reach >= height:
            for index in group:
                out[index] = filter_one(images[index]).reshape(out.shape[1:])
        else:
            out[group] = _filter_tall(images, group, filter_one, reach)
    return out


def _filter_tall(
    images: np.ndarray, group: np.ndarray, filter_one: Filter, reach: int
) -> np.ndarray:
    """Filter ``images[group]`` in one call, stacked vertically with mirrored rows."""
    height, width, channels = images.shape[1:]
    rows = _mirrored_rows(height, reach)
    padded = images[group[:, np.newaxis], rows[np.newaxis, :]]
    tall = padded.reshape(len(group) * len(rows), width, channels)
    filtered = filter_one(tall).reshape(padded.shape)
    return filtered[:, reach : reach + height]


@lru_cache(maxsize=256)
def _mirrored_rows(height: int, reach: int) -> np.ndarray:
    """Row indices of an image padded by ``reach`` mirrored rows (reflect-101)."""
    rows = np.concatenate(
        [
            np.arange(reach, 0, -1),
            np.arange(height),
            np.arange(height - 2, height - 2 - reach, -1),
        ]
    )
    rows.setflags(write=False)
    return rows
