"""Crop/pad at borders, zoom, colour conversion and normalisation, pixel exact."""

from __future__ import annotations

import numpy as np
import pytest

from aid.data.preprocess import (
    PADDINGS,
    Preprocessing,
    convert_color,
    crop_batch,
    crop_window,
    normalize,
    oversize,
)
from aid.errors import PreprocessError

ROW = np.arange(1, 6, dtype=np.uint8)  # one image row 1 2 3 4 5

#: A 3-px window centred at x=0.5 starts at x=-1: one pixel left of the image.
LEFT_PAD = {
    "constant": [0, 1, 2],
    "edge": [1, 1, 2],
    "reflect": [2, 1, 2],
    "symmetric": [1, 1, 2],
    "wrap": [2, 1, 2],
}  # wrap/mirror of the part inside


def _image() -> np.ndarray:
    return np.tile(ROW, (5, 1))[..., np.newaxis]  # (5, 5, 1), columns 1..5


@pytest.mark.parametrize("padding", PADDINGS)
def test_padding_modes_at_left_border(padding):
    out = crop_window(_image(), 0.5, 2.5, 3, padding)
    assert out.shape == (3, 3, 1)
    assert out[1, :, 0].tolist() == LEFT_PAD[padding]


@pytest.mark.parametrize("padding", PADDINGS)
def test_vectorised_crop_equals_per_image_crop(padding):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (4, 9, 11, 3), dtype=np.uint8)
    for center in [(5.5, 4.5), (1.0, 2.0), (10.0, 8.0), (0.0, 0.0), (30.0, 30.0)]:
        centers = np.tile(center, (4, 1))
        expected = np.stack([crop_window(im, *center, 8, padding) for im in images])
        assert np.array_equal(crop_batch(images, centers, 8, padding), expected)


def test_crop_rounds_half_to_even_and_keeps_inner_pixels():
    image = np.arange(100, dtype=np.uint8).reshape(10, 10, 1)
    # x1 = round(5 - 2) = 3 ; y1 = round(4.5 - 2) = round(2.5) = 2 (half to even)
    out = crop_window(image, 5.0, 4.5, 4, "constant")
    assert np.array_equal(out[..., 0], image[2:6, 3:7, 0])


def test_crop_far_outside_gives_padding_only():
    out = crop_batch(np.full((1, 4, 4), 9, np.uint8), np.array([[50.0, 50.0]]), 3)
    assert out.shape == (1, 3, 3, 1) and not out.any()


def test_zoom_scales_image_and_centre():
    image = np.zeros((1, 10, 10), np.uint8)
    image[0, 4:6, 4:6] = 200  # 2x2 square at the centre
    out = crop_batch(
        image, np.array([[5.0, 5.0]]), 8, zoom=2.0, interpolation="nearest"
    )
    assert out.shape == (1, 8, 8, 1)
    assert (
        out[0, 2:6, 2:6, 0].tolist() == [[200] * 4] * 4
    )  # the square doubled, centred
    assert out.sum() == 16 * 200


def test_gray_conversion_is_aideveloper_formula_truncated():
    rgb = np.array(
        [[[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30], [255, 255, 255]]]],
        dtype=np.uint8,
    )
    gray = convert_color(rgb, "gray")[0, 0, :, 0]
    expected = [
        int(0.21 * r + 0.72 * g + 0.07 * b) for r, g, b in rgb[0, 0].astype(float)
    ]
    assert gray.tolist() == expected == [53, 183, 17, 18, 254]  # white: 254.99.. -> 254
    stacked = convert_color(np.array([[[7]]], np.uint8), "rgb")
    assert stacked.tolist() == [[[[7, 7, 7]]]]


def test_four_normalisations():
    x = np.array([[[[0], [51]], [[102], [255]]]], dtype=np.uint8)
    assert (
        normalize(x, Preprocessing(2, normalization="none")).tolist()
        == x.astype(float).tolist()
    )
    assert np.allclose(
        normalize(x, Preprocessing(2))[0, :, :, 0], [[0, 0.2], [0.4, 1.0]]
    )
    z = normalize(x, Preprocessing(2, normalization="zscore_image"))
    assert z.dtype == np.float32 and abs(z.mean()) < 1e-6 and abs(z.std() - 1) < 1e-5
    flat = normalize(
        np.full((1, 2, 2, 1), 7, np.uint8),
        Preprocessing(2, normalization="zscore_image"),
    )
    assert not flat.any()  # std 0 -> divided by 1e-4, no NaN
    train = Preprocessing(2, normalization="zscore_train", mean=100.0, std=50.0)
    assert np.allclose(normalize(x, train)[0, :, :, 0], [[-2, -0.98], [0.04, 3.1]])
    with pytest.raises(PreprocessError, match="mean and std"):
        normalize(x, Preprocessing(2, normalization="zscore_train"))


def test_oversize_and_bad_settings():
    assert oversize(32) == 46 and oversize(64) == 92
    with pytest.raises(PreprocessError, match="padding"):
        Preprocessing(32, padding="mirror")  # type: ignore[arg-type]
    with pytest.raises(PreprocessError, match="unknown"):
        Preprocessing.from_dict({"input_size": 32, "colour": "gray"})
