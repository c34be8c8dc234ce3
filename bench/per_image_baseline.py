"""The same operations done AIDeveloper's way: one OpenCV call per image and step.

As ``aideveloper-behaviour.md`` §4 describes AIDeveloper's augmentation: a Python
loop over the images for every step, each step rounding back to uint8. Affine:
flip, zoom by resizing and cropping or padding back to size, then one warp for
rotation, shift and shear. Contrast: a weighted sum. Saturation and hue: scaled
in 8-bit HSV. Average, Gaussian and motion blur: one filter call per image.
Brightness and noise: one Gaussian noise map per batch, shuffled for each image,
added in one weighted sum. Written from that description, not from AIDeveloper's
code; ``bench/augment.py`` times it in the same process as the engine, so the
speed-up it prints does not depend on how fast or busy the machine is.
"""

from __future__ import annotations

import cv2
import numpy as np

from aid.augment import AugmentConfig


def augment_per_image(
    images: np.ndarray, cfg: AugmentConfig, rng: np.random.Generator
) -> np.ndarray:
    """Augment ``images`` (N, H, W, C) uint8 one image and one step at a time."""
    n, height, width, channels = images.shape
    out = np.empty_like(images)
    noise = None
    if cfg.noise_on:
        shape = (height, width) if channels == 1 else (height, width, channels)
        noise = rng.normal(cfg.noise_mean, cfg.noise_scale, size=shape)
        noise = noise.astype(np.int16)
    for index in range(n):
        image = images[index] if channels == 3 else images[index, ..., 0]
        image = _affine(image, cfg, rng)
        image = _intensity(image, cfg, rng, noise)
        out[index] = image.reshape(out.shape[1:])
    return out


def _affine(
    image: np.ndarray, cfg: AugmentConfig, rng: np.random.Generator
) -> np.ndarray:
    height, width = image.shape[:2]
    if cfg.hflip and cfg.vflip:  # one of the three flips, at random
        image = cv2.flip(image, int(rng.integers(-1, 2)))
    elif (cfg.hflip or cfg.vflip) and rng.random() < 0.5:
        image = cv2.flip(image, 1 if cfg.hflip else 0)
    if cfg.zoom > 0:
        low, high = (
            (1 - cfg.zoom, 1 + cfg.zoom) if cfg.zoom < 1 else (1 / cfg.zoom, cfg.zoom)
        )
        zoomed = cv2.resize(
            image, None, fx=rng.uniform(low, high), fy=rng.uniform(low, high)
        )
        image = _crop_or_pad(zoomed, height, width)
    shear = np.deg2rad(rng.uniform(-cfg.shear, cfg.shear)) if cfg.shear else 0.0
    shift_x = width * cfg.width_shift if cfg.width_shift < 1 else cfg.width_shift
    shift_y = height * cfg.height_shift if cfg.height_shift < 1 else cfg.height_shift
    matrix = cv2.getRotationMatrix2D(
        (width / 2, height / 2), rng.uniform(-cfg.rotation, cfg.rotation), 1
    )
    matrix += [
        [0, shear, rng.uniform(-shift_x, shift_x) - shear * width / 2],
        [shear, 0, rng.uniform(-shift_y, shift_y) - shear * height / 2],
    ]
    return cv2.warpAffine(image, matrix, (width, height))


def _crop_or_pad(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Centre crop or zero-pad ``image`` back to ``height`` x ``width``."""
    top = max(0, (image.shape[0] - height) // 2)
    left = max(0, (image.shape[1] - width) // 2)
    image = image[top : top + height, left : left + width]
    pad_y, pad_x = height - image.shape[0], width - image.shape[1]
    if pad_y or pad_x:
        image = cv2.copyMakeBorder(
            image,
            pad_y // 2,
            pad_y - pad_y // 2,
            pad_x // 2,
            pad_x - pad_x // 2,
            cv2.BORDER_CONSTANT,
        )
    return image


def _intensity(
    image: np.ndarray,
    cfg: AugmentConfig,
    rng: np.random.Generator,
    noise: np.ndarray | None,
) -> np.ndarray:
    if cfg.contrast_on:
        factor = rng.uniform(*cfg.contrast_range)
        image = cv2.addWeighted(image, factor, image, 0.0, 128.0 * (1.0 - factor))
    if image.ndim == 3 and (cfg.saturation_on or cfg.hue_on):
        hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
        if cfg.saturation_on:
            scaled = hsv[..., 1] * rng.uniform(*cfg.saturation_range)
            hsv[..., 1] = np.minimum(scaled, 255)
        if cfg.hue_on:
            turned = hsv[..., 0] * rng.uniform(1.0 - cfg.hue_delta, 1.0 + cfg.hue_delta)
            hsv[..., 0] = np.minimum(turned, 179)
        image = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    if cfg.avg_blur_on:
        size = int(rng.integers(*cfg.avg_blur_kernel, endpoint=True))
        if size > 0:
            image = cv2.blur(image, (size, size))
    if cfg.gauss_blur_on:
        size = 2 * (int(rng.integers(*cfg.gauss_blur_kernel, endpoint=True)) // 2) + 1
        image = cv2.GaussianBlur(image, (size, size), 0)
    if cfg.motion_blur_on:
        size = int(rng.integers(*cfg.motion_blur_kernel, endpoint=True))
        angle = int(rng.integers(*cfg.motion_blur_angle, endpoint=True))
        if size > 1:
            kernel = np.zeros((size, size), dtype=np.float32)
            kernel[(size - 1) // 2, :] = 1.0
            turn = cv2.getRotationMatrix2D((size / 2 - 0.5, size / 2 - 0.5), angle, 1)
            kernel = cv2.warpAffine(kernel, turn, (size, size))
            image = cv2.filter2D(image, -1, kernel / kernel.sum())
    if cfg.brightness_on or noise is not None:
        gain = rng.uniform(*cfg.brightness_mult) if cfg.brightness_on else 1.0
        offset = rng.uniform(*cfg.brightness_add) if cfg.brightness_on else 0.0
        if noise is None:
            image = cv2.addWeighted(image, gain, image, 0.0, offset)
        else:
            cv2.randShuffle(noise)
            image = cv2.addWeighted(
                image.astype(np.int16), gain, noise, 1.0, offset, dtype=cv2.CV_8U
            )
    return image
