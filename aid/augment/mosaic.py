"""Affine warps of many small images with one ``cv2.remap`` call per group.

Calling ``cv2.warpAffine`` once per image costs a few microseconds of overhead,
more than the warp of a 32x32 image itself. Here a group of images is laid out
as one tall mosaic, each tile surrounded by :data:`GAP` zero rows and columns.
The sampling position of every output pixel of every image is computed in one
vectorised step from the inverse matrices, shifted into its tile and (when it
could leave the tile's zero border) clamped to that border, so every position
reads only its own image or zeros: the same bilinear, black-outside result as
``warpAffine``, up to OpenCV's 1/32-pixel rounding of positions (at most one
grey level; integer matrices such as flips, quarter turns and whole-pixel
shifts copy pixels exactly).
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

#: Zero rows/columns around each tile; positions within this margin need no clamp.
GAP = 2
#: Output values per remap call, counting 4 per RGB pixel (remapped as RGBA):
#: keeps the maps and pixels in cache. Warp and crop per image, 32x32 RGB:
#: 4.7 / 4.1 / 5.6 us at 2**16 / 2**17 / 2**18; gray 3.4 / 3.1 / 3.0 us at
#: 2**15 / 2**16 / 2**17.
GROUP_VALUES = 1 << 17
#: Mosaic rows must stay below OpenCV's 16-bit fixed-point coordinate range.
_MAX_ROWS = 32_000


def invert_affine(matrices: np.ndarray) -> np.ndarray:
    """Inverse of each ``(2, 3)`` affine matrix of ``(n, 2, 3)``, vectorised.

    Like ``cv2.invertAffineTransform``, a singular matrix gives all zeros.
    """
    a, b = matrices[:, 0, 0], matrices[:, 0, 1]
    c, d = matrices[:, 1, 0], matrices[:, 1, 1]
    det = a * d - b * c
    scale = np.divide(1.0, det, out=np.zeros_like(det), where=det != 0)
    linear = np.stack([np.stack([d, -b], -1), np.stack([-c, a], -1)], -2)
    linear *= scale[:, np.newaxis, np.newaxis]
    return np.concatenate([linear, -linear @ matrices[:, :, 2:]], axis=2)


def warp_mosaic(images: np.ndarray, matrices: np.ndarray, out: np.ndarray) -> None:
    """Warp ``images`` (N, H, W, C) by forward ``matrices`` (N, 2, 3) into ``out``.

    ``out`` is ``(N, h, w, C)``; the matrices map input pixel coordinates to
    output ones (crop offset included), as ``cv2.warpAffine`` takes them.
    """
    n, height, width, channels = images.shape
    out_h, out_w = out.shape[1:3]
    inverse = invert_affine(np.asarray(matrices, dtype=np.float64))
    values = out_h * out_w * (4 if channels == 3 else channels)
    step = max(1, min(GROUP_VALUES // values, _MAX_ROWS // (height + GAP)))
    for start in range(0, n, step):
        part = slice(start, start + step)
        _warp_group(images[part], inverse[part], out[part])


def _warp_group(images: np.ndarray, inverse: np.ndarray, out: np.ndarray) -> None:
    """One remap call for a group of at most ``_MAX_ROWS`` mosaic rows."""
    n, height, width, channels = images.shape
    out_h, out_w = out.shape[1:3]
    tile_h = height + GAP
    mosaic = np.zeros((GAP + n * tile_h, width + 2 * GAP, channels), images.dtype)
    tiles = mosaic[GAP:].reshape(n, tile_h, width + 2 * GAP, channels)
    tiles[:, :height, GAP : GAP + width] = images
    # Every map value is one dot product of an inverse-matrix row with (x, y, 1):
    # one matrix product gives all x maps, then all y maps, for the whole group.
    rows = np.concatenate([inverse[:, 0], inverse[:, 1]]).astype(np.float32)
    maps = rows @ _pixel_grid(out_h, out_w)
    map_x, map_y = maps[:n].reshape(n, out_h, out_w), maps[n:].reshape(n, out_h, out_w)
    if _may_leave_margin(inverse, out_h, out_w, height, width):
        np.clip(map_x, -GAP, width - 1 + GAP, out=map_x)
        np.clip(map_y, -GAP, height - 1 + GAP, out=map_y)
    map_x += GAP
    map_y += (GAP + tile_h * np.arange(n, dtype=np.float32))[:, None, None]
    target = out.reshape(n * out_h, out_w, channels)
    if channels == 3 and images.dtype == np.uint8:
        # OpenCV's remap of 4-channel 8-bit pixels is vectorised, 3-channel is not:
        # widening to RGBA and back costs less than it saves (bit-equal; 32x32 RGB
        # warps 4.2 instead of 5.3 us per image; 16-bit pixels gain nothing).
        warped = cv2.remap(
            cv2.cvtColor(mosaic, cv2.COLOR_RGB2RGBA),
            map_x.reshape(n * out_h, out_w),
            map_y.reshape(n * out_h, out_w),
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=0,
        )
        cv2.cvtColor(warped, cv2.COLOR_RGBA2RGB, dst=target)
        return
    cv2.remap(
        mosaic[..., 0] if channels == 1 else mosaic,
        map_x.reshape(n * out_h, out_w),
        map_y.reshape(n * out_h, out_w),
        cv2.INTER_LINEAR,
        dst=target[..., 0] if channels == 1 else target,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )


@lru_cache(maxsize=64)
def _pixel_grid(out_h: int, out_w: int) -> np.ndarray:
    """``(3, out_h * out_w)`` float32 rows x, y and 1 of every output pixel."""
    y, x = np.mgrid[:out_h, :out_w].astype(np.float32)
    grid = np.stack([x.ravel(), y.ravel(), np.ones(out_h * out_w, np.float32)])
    grid.setflags(write=False)
    return grid


def _may_leave_margin(
    inverse: np.ndarray, out_h: int, out_w: int, height: int, width: int
) -> bool:
    """Whether any output corner samples beyond a tile's zero margin.

    Affine maps reach their extremes at the corners, so checking the four corner
    positions (with a small safety margin) covers every pixel.
    """
    corners = np.array(
        [[0, 0, 1], [out_w - 1, 0, 1], [0, out_h - 1, 1], [out_w - 1, out_h - 1, 1]],
        dtype=np.float64,
    )
    positions = inverse @ corners.T  # (n, 2, 4): x and y of each corner
    low = -GAP + 0.1
    return bool(
        (positions < low).any()
        or (positions[:, 0] > width - 1 + GAP - 0.1).any()
        or (positions[:, 1] > height - 1 + GAP - 0.1).any()
    )
