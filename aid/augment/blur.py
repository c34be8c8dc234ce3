"""Random blurs (average, Gaussian, motion) of image batches.

Same conventions as :mod:`aid.augment.ops` (which re-exports these functions):
``(N, H, W, C)`` uint8/uint16 arrays, an explicit generator, a new array out.
Each function takes ``out=``: where the result goes, which may be ``images``
itself (OpenCV filters in place exactly; the pipeline does so with arrays it
owns, saving a copy of every unblurred image and a new array per blur).
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

from aid.augment.arrays import LARGE_IMAGE
from aid.augment.config import IntRange

#: ``filter(image, dst)``: one OpenCV filter call; ``dst`` may be None. Filters
#: pass ``dst`` positionally (keyword parsing costs ~0.2 us a call).
Filter = Callable[[np.ndarray, np.ndarray | None], np.ndarray]


def average_blur(
    images: np.ndarray,
    kernel_range: IntRange,
    rng: np.random.Generator,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Box blur with a k x k kernel, k ~ randint(min, max) inclusive; k <= 1: no-op."""
    sizes = rng.integers(
        kernel_range[0], kernel_range[1], size=len(images), endpoint=True
    )

    def make(k: int) -> tuple[Filter, int]:
        return (lambda im, dst: cv2.blur(im, (k, k), dst)), k

    return _filter_groups(images, sizes, make, out)


def gaussian_blur(
    images: np.ndarray,
    kernel_range: IntRange,
    rng: np.random.Generator,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Gaussian blur, kernel k ~ randint(min, max) inclusive and made odd."""
    sizes = rng.integers(
        kernel_range[0], kernel_range[1], size=len(images), endpoint=True
    )
    odd = 2 * (sizes // 2) + 1
    # The faster filter pays off on the narrow rows of stacked small images only
    # (80x250 gray, one call per image: 13.4 vs 11.6 us).
    fast = images[0].size < LARGE_IMAGE

    def make(k: int) -> tuple[Filter, int]:
        if fast:
            return gaussian_filter(k, images.dtype), k
        return (lambda im, dst: cv2.GaussianBlur(im, (k, k), 0, dst)), k

    return _filter_groups(images, odd, make, out)


#: OpenCV's Gaussian kernels for sigma 0 up to 7 x 7 (``getGaussianKernel``'s
#: table), as integer weights.
_SMALL_GAUSSIANS = {3: (1, 2, 1), 5: (1, 4, 6, 4, 1), 7: (2, 7, 14, 18, 14, 7, 2)}


def gaussian_filter(k: int, dtype: np.dtype) -> Filter:
    """``cv2.GaussianBlur(image, (k, k), 0)`` as a :data:`Filter`, bit for bit.

    For uint8 images and k <= 7, OpenCV's GaussianBlur computes in fixed point and
    rounds half up, slowly on narrow rows (a stack of 32x32 RGB images, 5 x 5:
    3.2 us per image). A separable float filter with the same table weights gets
    the same sums exactly (multiples of 1/sum**2, far within float32's 24 bits);
    half of that step added as ``delta`` turns its rounding half to even into
    half up without moving any other value across a rounding boundary: 2.0 us
    (gray 2.3 -> 1.6 us). Other sizes and 16-bit images keep GaussianBlur.
    """
    weights = _SMALL_GAUSSIANS.get(k)
    if weights is None or dtype != np.uint8:
        return lambda im, dst: cv2.GaussianBlur(im, (k, k), 0, dst)
    kernel = np.asarray(weights, dtype=np.float32) / sum(weights)
    tie = 0.5 / sum(weights) ** 2
    anchor = (-1, -1)
    return lambda im, dst: cv2.sepFilter2D(im, -1, kernel, kernel, dst, anchor, tie)


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
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Motion blur along a line of random size and integer angle (both inclusive)."""
    n = len(images)
    sizes = rng.integers(kernel_range[0], kernel_range[1], size=n, endpoint=True)
    angles = rng.integers(angle_range[0], angle_range[1], size=n, endpoint=True)
    # One integer key per (size, angle) pair; angles are within +-360.
    keys = sizes * 1000 + (angles + 500)

    def make(key: int) -> tuple[Filter, int]:
        kernel = motion_blur_kernel(key // 1000, key % 1000 - 500)
        return (lambda im, dst: cv2.filter2D(im, -1, kernel, dst)), key // 1000

    keys[sizes <= 1] = 1
    return _filter_groups(images, keys, make, out)


def _filter_groups(
    images: np.ndarray,
    keys: np.ndarray,
    make_filter: Callable[[int], tuple[Filter, int]],
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Filter the images of each key with ``make_filter(key)``: (filter, kernel size).

    Keys <= 1 are no-ops. Large images (or kernels reaching past an image's
    height) are filtered one call each, straight into the result. Small ones are
    gathered once, sorted by key and padded with the largest kernel's mirrored
    rows, into one tall image; each key then filters its contiguous block of rows
    with a single OpenCV call. The result goes into ``out`` (new if None; it may
    be ``images``, filtered in place).
    """
    if out is None:
        out = np.empty_like(images)
    if out is not images:
        idle = np.flatnonzero(keys <= 1)
        out[idle] = images[idle]
    active = np.flatnonzero(keys > 1)
    if len(active) == 0:
        return out
    order = active[np.argsort(keys[active], kind="stable")]
    starts = np.flatnonzero(np.diff(keys[order], prepend=-1))
    filters = [make_filter(int(keys[order[start]])) for start in starts]
    groups = zip(filters, np.split(order, starts[1:]), strict=True)
    height = images.shape[1]
    reach = max(size for _, size in filters) // 2
    if reach >= height or images[0].size >= LARGE_IMAGE:
        # OpenCV sees gray images as 2-D and writes straight into ``out`` (dst).
        sources, targets = (
            (images[..., 0], out[..., 0]) if images.shape[-1] == 1 else (images, out)
        )
        for (filter_one, _), group in groups:
            for index in group.tolist():
                filter_one(sources[index], targets[index])
        return out
    # One row gather (np.take along the rows of an (N*H, W*C) view: 3-5x faster
    # than indexing images and rows together) builds the padded, sorted images.
    rows = (order[:, np.newaxis] * height + _mirrored_rows(height, reach)).ravel()
    flat = images.reshape(len(images) * height, -1)
    padded = np.take(flat, rows, axis=0).reshape(len(order), -1, *images.shape[2:])
    tall = padded.reshape(-1, *padded.shape[2:])
    if tall.shape[-1] == 1:
        tall = tall[..., 0]  # OpenCV treats (rows, cols, 1) as gray anyway
    result = np.empty_like(tall)
    rows = padded.shape[1]
    for (filter_one, _), start, stop in zip(
        filters, starts, [*starts[1:], len(order)], strict=True
    ):
        block = slice(start * rows, stop * rows)
        filter_one(tall[block], result[block])
    out[order] = result.reshape(padded.shape)[:, reach : reach + height]
    return out


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
