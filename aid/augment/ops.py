"""Augmentation operations: pure functions on image batches with an explicit rng.

Images are ``(N, H, W, C)`` channel-last arrays, ``C`` 1 or 3, dtype uint8 or
uint16; every function returns a new array of the same dtype and value range and
never changes its input. Random values are drawn per image from the
``numpy.random.Generator`` passed in, so the same generator state gives the same
result. This module holds the affine warp; it re-exports the intensity
operations (:mod:`aid.augment.intensity`) and blurs (:mod:`aid.augment.blur`).
"""

from __future__ import annotations

import cv2
import numpy as np

from aid.augment.arrays import LARGE_IMAGE
from aid.augment.arrays import check_images as check_images
from aid.augment.blur import average_blur as average_blur
from aid.augment.blur import gaussian_blur as gaussian_blur
from aid.augment.blur import motion_blur as motion_blur
from aid.augment.blur import motion_blur_kernel as motion_blur_kernel
from aid.augment.config import AugmentConfig
from aid.augment.intensity import brightness_noise as brightness_noise
from aid.augment.intensity import contrast as contrast
from aid.augment.intensity import contrast_terms as contrast_terms
from aid.augment.intensity import linear_intensity as linear_intensity
from aid.augment.intensity import round_to_dtype as round_to_dtype
from aid.augment.intensity import saturation_hue as saturation_hue
from aid.augment.mosaic import warp_mosaic
from aid.errors import PreprocessError


def out_hw(out_size: int | tuple[int, int]) -> tuple[int, int]:
    """``(height, width)`` of an output size given as int (square) or pair.

    Raises
    ------
    PreprocessError
        Unless the size is one or two positive integers.
    """
    sizes = (out_size, out_size) if np.ndim(out_size) == 0 else tuple(out_size)
    if len(sizes) != 2 or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0
        for v in sizes
    ):
        raise PreprocessError(
            f"output size must be positive integers, got {out_size!r}"
        )
    return int(sizes[0]), int(sizes[1])


def compose_affine(
    height: int,
    width: int,
    *,
    angle_deg: np.ndarray,
    shift_xy: np.ndarray,
    zoom_xy: np.ndarray,
    shear: np.ndarray,
    flip_xy: np.ndarray,
) -> np.ndarray:
    """Compose flip, zoom, shear, rotation and shift into one matrix per image.

    All parameters are per-image arrays of length ``n`` (``*_xy`` are ``(n, 2)``:
    shift in pixels, zoom factors, flip booleans). Flip, zoom, shear and rotation
    act about the image centre ``((W-1)/2, (H-1)/2)``; positive angles turn
    counter-clockwise on screen, like ``cv2.getRotationMatrix2D``.

    Returns
    -------
    numpy.ndarray
        ``(n, 2, 3)`` forward matrices from input to output pixel coordinates.
    """
    n = len(angle_deg)
    theta = np.deg2rad(np.asarray(angle_deg, dtype=np.float64))
    cos, sin = np.cos(theta), np.sin(theta)
    rotation = np.stack([np.stack([cos, sin], -1), np.stack([-sin, cos], -1)], -2)
    tan = np.tan(np.asarray(shear, dtype=np.float64))
    shearing = np.broadcast_to(np.eye(2), (n, 2, 2)).copy()
    shearing[:, 0, 1] = tan
    shearing[:, 1, 0] = tan
    flips = np.where(np.asarray(flip_xy, dtype=bool), -1.0, 1.0)
    scale = np.asarray(zoom_xy, dtype=np.float64) * flips
    linear = rotation @ shearing * scale[:, np.newaxis, :]
    centre = np.array([(width - 1) / 2.0, (height - 1) / 2.0])
    offset = centre + np.asarray(shift_xy, dtype=np.float64) - linear @ centre
    return np.concatenate([linear, offset[:, :, np.newaxis]], axis=2)


def affine_matrices(
    n: int, cfg: AugmentConfig, rng: np.random.Generator, height: int, width: int
) -> np.ndarray:
    """Draw ``n`` random affine matrices for ``height`` x ``width`` images.

    Each flip is independent with probability 0.5, so with both flips on a quarter
    of the images stay unflipped. Shifts below 1 are fractions of the image size.

    Returns
    -------
    numpy.ndarray
        ``(n, 2, 3)`` matrices as :func:`compose_affine` returns them.
    """
    flip_xy = np.zeros((n, 2), dtype=bool)
    for axis, enabled in enumerate((cfg.hflip, cfg.vflip)):
        if enabled:
            flip_xy[:, axis] = rng.random(n) < 0.5
    angle = _symmetric(rng, cfg.rotation, n)
    shift_xy = np.stack(
        [
            _symmetric(rng, _pixels(cfg.width_shift, width), n),
            _symmetric(rng, _pixels(cfg.height_shift, height), n),
        ],
        axis=1,
    )
    zoom_xy = np.ones((n, 2))
    if cfg.zoom > 0:
        low, high = (
            (1 - cfg.zoom, 1 + cfg.zoom) if cfg.zoom < 1 else (1 / cfg.zoom, cfg.zoom)
        )
        zoom_xy = rng.uniform(low, high, size=(n, 1 if cfg.zoom_isotropic else 2))
        zoom_xy = np.broadcast_to(zoom_xy, (n, 2))
    shear = np.deg2rad(_symmetric(rng, cfg.shear, n))
    return compose_affine(
        height,
        width,
        angle_deg=angle,
        shift_xy=shift_xy,
        zoom_xy=zoom_xy,
        shear=shear,
        flip_xy=flip_xy,
    )


def _symmetric(rng: np.random.Generator, bound: float, n: int) -> np.ndarray:
    """``n`` draws of U(-bound, bound), or zeros without drawing when bound is 0."""
    return rng.uniform(-bound, bound, size=n) if bound > 0 else np.zeros(n)


def _pixels(shift: float, size: int) -> float:
    """AIDeveloper's shift rule: below 1 a fraction of ``size``, else pixels."""
    return shift * size if shift < 1 else shift


def crop_offset(
    height: int, width: int, out_size: int | tuple[int, int]
) -> tuple[int, int]:
    """Top-left ``(y, x)`` of the centre ``out_size`` crop."""
    out_h, out_w = out_hw(out_size)
    if out_h > height or out_w > width:
        raise PreprocessError(
            f"output size {out_h}x{out_w} is larger than the images ({height}x{width})"
        )
    return (height - out_h) // 2, (width - out_w) // 2


def centre_crop(images: np.ndarray, out_size: int | tuple[int, int]) -> np.ndarray:
    """Copy of the centre ``out_size`` crop of each image."""
    images = check_images(images)
    out_h, out_w = out_hw(out_size)
    top, left = crop_offset(images.shape[1], images.shape[2], out_size)
    return images[:, top : top + out_h, left : left + out_w].copy()


def warp_crop(
    images: np.ndarray,
    matrices: np.ndarray,
    out_size: int | tuple[int, int],
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Warp each image with its matrix and keep the centre ``out_size`` crop.

    The crop is folded into the matrix, so OpenCV computes only the output pixels
    (bilinear, black outside the input). Integer-valued matrices copy pixels exactly.
    The result goes into ``out`` (contiguous) when given.
    """
    images = check_images(images)
    n, height, width, channels = images.shape
    out_h, out_w = out_hw(out_size)
    top, left = crop_offset(height, width, out_size)
    shifted = np.array(matrices, dtype=np.float64).reshape(n, 2, 3)
    shifted[:, :, 2] -= (left, top)
    if out is None:
        out = np.empty((n, out_h, out_w, channels), dtype=images.dtype)
    if height * width * channels < LARGE_IMAGE:
        warp_mosaic(images, shifted, out)
        return out
    # OpenCV sees gray images as 2-D; it writes straight into ``out`` (dst).
    # Positional arguments: keyword parsing costs about 0.5 us per call.
    sources, targets = (images[..., 0], out[..., 0]) if channels == 1 else (images, out)
    linear, black = cv2.INTER_LINEAR, cv2.BORDER_CONSTANT
    for source, matrix, target in zip(sources, shifted, targets, strict=True):
        cv2.warpAffine(source, matrix, (out_w, out_h), target, linear, black, 0)
    return out
