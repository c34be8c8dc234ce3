"""The batched fast paths agree with plain per-image OpenCV / NumPy results."""

import cv2
import numpy as np
import pytest

from aid.augment import AugmentConfig, ops
from aid.augment.mosaic import invert_affine
from aid.augment.noise import MAX_WINDOW

FULL = AugmentConfig(hflip=True, vflip=True)
WILD = AugmentConfig(hflip=True, rotation=180.0, zoom=3.0, width_shift=5, shear=20.0)


def per_image_warp(images, matrices, out_size):
    """Reference: one cv2.warpAffine per image (the engine's large-image path)."""
    n, height, width, channels = images.shape
    out_h, out_w = ops.out_hw(out_size)
    top, left = ops.crop_offset(height, width, out_size)
    shifted = matrices.copy()
    shifted[:, :, 2] -= (left, top)
    return np.stack(
        [
            cv2.warpAffine(image, matrix, (out_w, out_h)).reshape(
                out_h, out_w, channels
            )
            for image, matrix in zip(images, shifted, strict=True)
        ]
    )


def test_invert_affine_matches_opencv():
    matrices = np.random.default_rng(0).normal(size=(20, 2, 3))
    matrices[0, :, :2] = 0.0  # singular: all zeros, like OpenCV
    expected = np.stack([cv2.invertAffineTransform(m) for m in matrices])
    np.testing.assert_allclose(invert_affine(matrices), expected, atol=1e-9)


@pytest.mark.parametrize("cfg", [FULL, WILD], ids=["small", "far-out"])
@pytest.mark.parametrize(
    ("shape", "out_size", "dtype"),
    [
        ((32, 32, 1), 32, np.uint8),
        ((32, 32, 3), 32, np.uint8),  # remapped as 4-channel pixels
        ((20, 20, 3), 16, np.uint16),
        ((23, 30, 1), (12, 17), np.uint8),
    ],
)
def test_mosaic_warp_matches_per_image_warp_affine(
    make_images, rng, cfg, shape, out_size, dtype
):
    images = make_images(300, *shape, dtype)
    matrices = ops.affine_matrices(300, cfg, rng, *shape[:2])
    out = ops.warp_crop(images, matrices, out_size)
    assert out.dtype == dtype
    expected = per_image_warp(images, matrices, out_size)
    difference = np.abs(out.astype(int) - expected)
    # Same bilinear sampling; OpenCV rounds positions to 1/32 pixel slightly
    # differently in warpAffine and remap, so a few pixels are one level off.
    if dtype == np.uint8:
        assert difference.max() <= 1
        assert (difference > 0).mean() < 0.01
    else:  # weights rounded differently too: a few of 65,535 levels
        assert difference.max() <= 16


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize(
    "shape", [(80, 60, 1), (32, 32, 3), (16, 16, 3)]
)  # one call per image (4800, 3072 values), the block path (768)
def test_intensity_paths_are_exact(make_images, dtype, shape):
    images = make_images(3, *shape, dtype)
    top = np.iinfo(dtype).max
    gains, offsets = np.array([0.5, 1.5, 2.0]), np.array([-20.0, 0.0, 7.0])
    out = ops.linear_intensity(images, gains, offsets)
    expected = np.rint(
        images * gains[:, None, None, None] + offsets[:, None, None, None]
    )
    np.testing.assert_array_equal(out, np.clip(expected, 0, top))
    assert out.dtype == dtype


@pytest.mark.parametrize(
    "side", [80, int(np.sqrt(MAX_WINDOW)) + 8], ids=["table", "fresh"]
)
def test_large_image_noise_is_gaussian_and_differs_per_image(rng, side):
    grey = np.full((6, side, side, 1), 128, dtype=np.uint8)
    out = ops.brightness_noise(grey, (0.0, 0.0), (1.0, 1.0), rng, noise=(1.0, 4.0))
    noise = out.reshape(6, -1).astype(float) - 128
    assert np.all(np.abs(noise.mean(axis=1) - 1.0) < 0.15)
    assert np.all(np.abs(noise.std(axis=1) - np.sqrt(16 + 1 / 12)) < 0.15)
    correlation = np.corrcoef(noise)[np.triu_indices(6, 1)]
    assert np.all(np.abs(correlation) < 0.05)
    again = ops.brightness_noise(grey, (0.0, 0.0), (1.0, 1.0), rng, noise=(1.0, 4.0))
    assert not np.array_equal(out, again)  # fresh noise on every call
