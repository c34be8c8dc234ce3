"""Intensity augmentations: contrast, brightness with noise, saturation and hue.

Same conventions as :mod:`aid.augment.ops` (which re-exports these functions).
Per-image scalars are applied as whole-batch array operations, in blocks small
enough to stay in cache.
"""

from __future__ import annotations

import cv2
import numpy as np

from aid.augment.arrays import check_images, level_scale, max_value
from aid.augment.config import FloatRange
from aid.augment.noise import gaussian_noise, noise_rows

#: Float work runs in blocks of at most this many values (1 MiB as float32), which
#: bounds the temporaries of a large batch. Small blocks (30,000 values) were slow,
#: most with two threads (each NumPy call hands the interpreter lock over; 32x32
#: RGB: 21,000 vs 36,600 images/s). 2**18 values ran as fast as 2**20 (interleaved
#: medians, ``bench/augment.py`` cases) and keeps an operation's temporaries within
#: the heap memory the training loader keeps (:mod:`aid.train.allocator`): page
#: faults in ``bench/augment_overlap.py`` 0.95 M -> 0.45 M.
BLOCK_VALUES = 1 << 18
#: Images of at least this many values get one fused ``cv2.addWeighted`` call each
#: in :func:`linear_intensity`; smaller ones the block path's few large calls.
#: Brightness with noise, us per image, block vs per image: 32x32 gray 1.35 vs
#: 2.08, 24x24 RGB 2.35 vs 2.35, 32x32 RGB 3.78 vs 2.84, 48x48 gray 2.92 vs 2.53.
PER_IMAGE_VALUES = 2048
#: Per-channel upper bounds of float HSV pixels: saturation at most 1.
_SATURATION_BOUND = (float("inf"), 1.0, float("inf"), 0.0)


def _blocks(images: np.ndarray) -> list[slice]:
    """Slices of whole images covering ``images`` in blocks of ~BLOCK_VALUES."""
    step = max(1, BLOCK_VALUES // int(np.prod(images.shape[1:])))
    return [slice(start, start + step) for start in range(0, len(images), step)]


def round_to_dtype(
    values: np.ndarray, dtype: np.dtype, out: np.ndarray | None = None
) -> np.ndarray:
    """Round float pixels half to even and saturate to ``dtype`` (uint8/uint16).

    Writes into ``out`` (contiguous, same shape) when given.
    """
    depth = cv2.CV_8U if dtype == np.uint8 else cv2.CV_16U
    flat = np.ascontiguousarray(values, dtype=np.float32)
    flat = flat.reshape(-1, values.shape[-2] * values.shape[-1])
    if out is None:
        return cv2.add(flat, 0.0, dtype=depth).reshape(values.shape)
    cv2.add(flat, 0.0, dst=out.reshape(flat.shape), dtype=depth)
    return out


def linear_intensity(
    images: np.ndarray,
    gain: np.ndarray,
    offset: np.ndarray,
    *,
    noise_std: float = 0.0,
    rng: np.random.Generator | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """``round(gain * image + offset + N(0, noise_std))`` saturated to the dtype.

    ``gain`` and ``offset`` are per image; noise (drawn from ``rng``) is per pixel.
    The result goes into ``out`` (contiguous, like ``images``; it may be
    ``images`` itself) when given.
    """
    noisy = noise_std > 0 and rng is not None
    out = np.empty_like(images) if out is None else out
    if images[0].size >= PER_IMAGE_VALUES:
        std = noise_std if noisy else 0.0
        return _linear_per_image(images, gain, offset, std, rng, out)
    gains = np.asarray(gain, dtype=np.float32).reshape(-1, 1, 1, 1)
    offsets = np.asarray(offset, dtype=np.float32).reshape(-1, 1, 1, 1)
    for block in _blocks(images):
        values = images[block].astype(np.float32)
        values *= gains[block]
        if not noisy:
            values += offsets[block]
            round_to_dtype(values, images.dtype, out=out[block])
            continue
        noise = gaussian_noise(rng, len(values), values[0].size, 0.0, noise_std)
        noise += offsets[block].reshape(-1, 1)
        _add_rounded(values, noise, out[block])
    return out


def _add_rounded(values: np.ndarray, addend: np.ndarray, out: np.ndarray) -> None:
    """``out = round(values + addend)`` saturated to ``out``'s dtype, in one pass.

    ``values`` and ``out`` are ``(N, ...)`` contiguous, ``addend`` is ``(N, M)``
    with as many values per image; like :func:`round_to_dtype`, it rounds half
    to even.
    """
    depth = cv2.CV_8U if out.dtype == np.uint8 else cv2.CV_16U
    rows = values.reshape(addend.shape)
    cv2.add(rows, addend, dst=out.reshape(addend.shape), dtype=depth)


def _linear_per_image(
    images: np.ndarray,
    gain: np.ndarray,
    offset: np.ndarray,
    noise_std: float,
    rng: np.random.Generator | None,
    out: np.ndarray,
) -> np.ndarray:
    """:func:`linear_intensity` with one fused OpenCV call per (large) image.

    ``cv2.addWeighted`` computes ``gain * image + 1 * noise + offset`` in float32
    and rounds half to even with saturation, like the block path.
    """
    n, height = images.shape[:2]
    flat = images.reshape(n, height, -1)
    targets = out.reshape(flat.shape)
    depth = cv2.CV_8U if images.dtype == np.uint8 else cv2.CV_16U
    gains = np.asarray(gain, dtype=np.float64).tolist()
    offsets = np.asarray(offset, dtype=np.float64).tolist()
    # Plain loops with positional arguments: the per-image Python cost counts.
    if noise_std > 0 and rng is not None:
        noises = noise_rows(rng, n, flat.shape[1:], 0.0, noise_std)
        for image, g, noise, o, target in zip(
            flat, gains, noises, offsets, targets, strict=True
        ):
            cv2.addWeighted(image, g, noise, 1.0, o, target, depth)
    else:
        for image, g, o, target in zip(flat, gains, offsets, targets, strict=True):
            cv2.addWeighted(image, g, image, 0.0, o, target, depth)
    return out


def contrast(
    images: np.ndarray, factor_range: FloatRange, rng: np.random.Generator
) -> np.ndarray:
    """Scale contrast about mid-grey: ``f * image + mid * (1 - f)``, f ~ U(range)."""
    images = check_images(images)
    return linear_intensity(images, *contrast_terms(images, factor_range, rng))


def contrast_terms(
    images: np.ndarray, factor_range: FloatRange, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Per-image ``(gain, offset)`` of a random contrast change (draws one f each)."""
    factors = rng.uniform(*factor_range, size=len(images))
    mid = (max_value(images.dtype) + 1) / 2.0
    return factors, mid * (1.0 - factors)


def brightness_noise(
    images: np.ndarray,
    add_range: FloatRange,
    mult_range: FloatRange,
    rng: np.random.Generator,
    noise: tuple[float, float] | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """``mult * image + add + N(mean, scale)`` per image; ``noise`` is (mean, scale).

    Values are 8-bit grey levels (scaled for 16-bit images); the noise is fresh
    for every pixel of every image. The result goes into ``out`` when given.
    """
    images = check_images(images)
    n = len(images)
    scale = level_scale(images.dtype)
    gains = rng.uniform(*mult_range, size=n)
    offsets = rng.uniform(*add_range, size=n) * scale
    mean, std = noise if noise is not None else (0.0, 0.0)
    return linear_intensity(
        images, gains, offsets + mean * scale, noise_std=std * scale, rng=rng, out=out
    )


def saturation_hue(
    images: np.ndarray,
    rng: np.random.Generator,
    saturation_range: FloatRange | None = None,
    hue_delta: float | None = None,
    *,
    before: tuple[np.ndarray, np.ndarray] | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Scale HSV saturation by U(range) and turn hue by U(-delta, delta) turns.

    Gray images are returned unchanged (a copy). Works in float HSV, so there is
    no 8-bit hue wrap-around and factor 1 / delta 0 give back the input.
    ``before``: per-image ``(gain, offset)`` applied first, like
    :func:`linear_intensity` (e.g. :func:`contrast_terms`), but kept in float
    (saturated to the dtype's range) up to the single final rounding.
    The result goes into ``out`` when given (it may be ``images``).
    """
    images = check_images(images)
    if images.shape[-1] == 1 or (saturation_range is None and hue_delta is None):
        if before is not None:
            return linear_intensity(images, *before, out=out)
        if out is None:
            return images.copy()
        out[...] = images
        return out
    n, _, width, _ = images.shape
    if before is not None:
        gains = np.asarray(before[0], dtype=np.float32).reshape(n, 1)
        offsets = np.asarray(before[1], dtype=np.float32).reshape(n, 1)
    factors = np.ones((n, 1), dtype=np.float32)
    if saturation_range is not None:
        factors = rng.uniform(*saturation_range, size=(n, 1)).astype(np.float32)
    degrees = np.zeros((n, 1), dtype=np.float32)
    if hue_delta is not None:
        turns = rng.uniform(-hue_delta, hue_delta, size=(n, 1))
        degrees = (turns * 360.0).astype(np.float32)
    out = np.empty_like(images) if out is None else out
    for block in _blocks(images):
        part = images[block]
        # Float HSV is scale-free in S and V, so the pixels need no normalising.
        rgb = part.reshape(-1, width, 3).astype(np.float32)
        if before is not None:
            values = rgb.reshape(len(part), -1)
            values *= gains[block]
            values += offsets[block]
            np.clip(values, 0.0, max_value(images.dtype), out=values)
        hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).reshape(len(part), -1, 3)
        saturation = hsv[..., 1]
        saturation *= factors[block]
        # OpenCV wraps hues outside [0, 360) itself when converting back.
        hsv[..., 0] += degrees[block]
        pixels = hsv.reshape(-1, width, 3)
        # Saturation at most 1: one OpenCV call with a per-channel bound is 3x
        # as fast as NumPy on the strided channel.
        cv2.min(pixels, _SATURATION_BOUND, dst=pixels)
        back = cv2.cvtColor(pixels, cv2.COLOR_HSV2RGB)
        round_to_dtype(back.reshape(part.shape), images.dtype, out=out[block])
    return out
