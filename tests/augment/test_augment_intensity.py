import cv2
import numpy as np
import pytest

from aid.augment import ops


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_brightness_add_is_exact_and_saturates(make_images, rng, dtype):
    images = make_images(5, 7, 9, 1, dtype)
    out = ops.brightness_noise(images, (10.0, 10.0), (1.0, 1.0), rng)
    step = 10 * (np.iinfo(dtype).max // 255)  # 8-bit grey levels, scaled for 16 bit
    expected = np.clip(images.astype(np.int64) + step, 0, np.iinfo(dtype).max)
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == dtype


def test_brightness_multiply_rounds_half_to_even(make_images, rng):
    images = make_images(4, 8, 8, 3)
    out = ops.brightness_noise(images, (0.0, 0.0), (1.5, 1.5), rng)
    np.testing.assert_array_equal(out, np.clip(np.rint(images * 1.5), 0, 255))
    dark = ops.brightness_noise(images, (-20.0, -20.0), (0.5, 0.5), rng)
    np.testing.assert_array_equal(dark, np.clip(np.rint(images * 0.5) - 20, 0, 255))


def test_contrast_is_exact(make_images, rng):
    images = make_images(3, 5, 5, 1)
    out = ops.contrast(images, (2.0, 2.0), rng)
    np.testing.assert_array_equal(out, np.clip(2 * images.astype(int) - 128, 0, 255))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_zero_ranges_are_identity(make_images, rng, dtype):
    images = make_images(6, 9, 11, 3, dtype)
    neutral = [
        ops.contrast(images, (1.0, 1.0), rng),
        ops.brightness_noise(images, (0.0, 0.0), (1.0, 1.0), rng, noise=(0.0, 0.0)),
        ops.saturation_hue(images, rng, saturation_range=(1.0, 1.0), hue_delta=0.0),
        ops.average_blur(images, (0, 1), rng),
        ops.gaussian_blur(images, (0, 1), rng),
        ops.motion_blur(images, (0, 1), (-10, 10), rng),
    ]
    for out in neutral:
        np.testing.assert_array_equal(out, images)
        assert out.dtype == dtype and out is not images


def test_inputs_are_never_modified(make_images, rng):
    images = make_images(4, 8, 8, 3)
    before = images.copy()
    ops.contrast(images, (0.5, 1.5), rng)
    ops.saturation_hue(images, rng, (0.5, 1.5), 0.3)
    ops.average_blur(images, (3, 5), rng)
    ops.brightness_noise(images, (-9, 9), (0.8, 1.2), rng, noise=(0.0, 5.0))
    np.testing.assert_array_equal(images, before)


def test_noise_is_fresh_gaussian_for_every_image(rng):
    grey = np.full((40, 32, 32, 1), 128, dtype=np.uint8)
    out = ops.brightness_noise(grey, (0.0, 0.0), (1.0, 1.0), rng, noise=(2.0, 5.0))
    noise = out.astype(float) - 128
    assert abs(noise.mean() - 2.0) < 0.1
    assert abs(noise.std() - np.sqrt(25 + 1 / 12)) < 0.1  # plus rounding to integers
    # not one noise field permuted per batch (AIDeveloper): value histograms differ
    assert not np.array_equal(np.sort(noise[0].ravel()), np.sort(noise[1].ravel()))
    assert abs(np.corrcoef(noise[0].ravel(), noise[1].ravel())[0, 1]) < 0.1


def test_average_blur_max_kernel_is_inclusive(make_images, rng):
    images = make_images(60, 10, 10, 1)
    out = ops.average_blur(images, (3, 4), rng)
    used = []
    for image, result in zip(images, out, strict=True):
        for k in (3, 4):
            if np.array_equal(cv2.blur(image, (k, k))[..., None], result):
                used.append(k)
    assert len(used) == 60 and set(used) == {3, 4}


@pytest.mark.parametrize("size", [(10, 10), (80, 250)])  # stacked and per-image paths
@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("kernel", [2, 4, 6, 8])  # made odd: 3, 5, 7 and 9
def test_gaussian_blur_matches_opencv_per_image(
    make_images, rng, size, channels, dtype, kernel
):
    # uint8 up to 7 x 7 takes a faster filter than GaussianBlur; it must give
    # the same pixels, rounding ties (common in random images) the same way.
    images = make_images(5, *size, channels, dtype=dtype)
    out = ops.gaussian_blur(images, (kernel, kernel), rng)
    k = kernel + 1  # even sizes are made odd
    for image, result in zip(images, out, strict=True):
        expected = cv2.GaussianBlur(image, (k, k), 0).reshape(image.shape)
        np.testing.assert_array_equal(result, expected)


def test_motion_blur_kernel_and_effect(make_images, rng):
    kernel = ops.motion_blur_kernel(5, 0)
    expected = np.zeros((5, 5), np.float32)
    expected[2] = 0.2
    np.testing.assert_allclose(kernel, expected, atol=1e-6)
    assert ops.motion_blur_kernel(5, 10).sum() == pytest.approx(1.0)
    images = make_images(3, 12, 12, 1)
    out = ops.motion_blur(images, (5, 5), (0, 0), rng)
    for image, result in zip(images, out, strict=True):
        np.testing.assert_array_equal(result[..., 0], cv2.filter2D(image, -1, kernel))


def test_saturation_and_hue_ignore_gray(make_images, rng):
    gray = make_images(3, 6, 6, 1)
    out = ops.saturation_hue(gray, rng, saturation_range=(0.0, 0.0), hue_delta=0.5)
    np.testing.assert_array_equal(out, gray)


def test_zero_saturation_gives_gray_pixels(make_images, rng):
    images = make_images(4, 6, 6, 3)
    out = ops.saturation_hue(images, rng, saturation_range=(0.0, 0.0)).astype(int)
    np.testing.assert_array_equal(out[..., 0], out[..., 1])
    np.testing.assert_array_equal(out[..., 1], out[..., 2])
    np.testing.assert_array_equal(out.max(-1), images.max(-1))  # value is kept


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_hue_turns_without_wrapping(rng, dtype):
    top = np.iinfo(dtype).max
    # hue about 350 degrees (red with a little blue): a small turn keeps it red
    reddish = np.zeros((50, 4, 4, 3), dtype=dtype)
    reddish[..., 0] = top
    reddish[..., 2] = top // 6
    out = ops.saturation_hue(reddish, rng, hue_delta=0.05)
    assert out.dtype == dtype
    assert np.all(out[..., 0] == top)  # red stays the largest channel, unwrapped
    assert len(np.unique(out[..., 2])) > 10 and len(np.unique(out[..., 1])) > 5
    # turns of up to half a circle either way reach green and blue hues
    wide = ops.saturation_hue(reddish, rng, hue_delta=0.5)[:, 0, 0].astype(int)
    assert np.all(wide.max(-1) == top)  # value and saturation are kept
    assert np.any(wide[:, 1] == top) and np.any(wide[:, 2] == top)


@pytest.mark.parametrize(
    "shape", [(40, 16, 16, 1), (12, 80, 250, 1), (12, 80, 250, 3)]
)  # stacked, and per-image (large) paths for gray and RGB
def test_motion_blur_groups_match_per_image_filtering(make_images, shape):
    images = make_images(*shape)
    out = ops.motion_blur(images, (0, 5), (-10, 10), np.random.default_rng(5))
    # replay the draws: sizes first, then angles
    replay = np.random.default_rng(5)
    sizes = replay.integers(0, 5, size=shape[0], endpoint=True)
    angles = replay.integers(-10, 10, size=shape[0], endpoint=True)
    for image, result, size, angle in zip(images, out, sizes, angles, strict=True):
        if size <= 1:
            np.testing.assert_array_equal(result, image)
        else:
            kernel = ops.motion_blur_kernel(int(size), int(angle))
            expected = cv2.filter2D(image, -1, kernel).reshape(image.shape)
            np.testing.assert_array_equal(result, expected)


def test_kernel_taller_than_the_image(make_images, rng):
    images = make_images(4, 3, 20, 1)
    out = ops.gaussian_blur(images, (9, 9), rng)
    for image, result in zip(images, out, strict=True):
        expected = cv2.GaussianBlur(image, (9, 9), 0)[..., None]
        np.testing.assert_array_equal(result, expected)


def test_saturation_is_at_most_full(rng):
    # S = 150/200 = 0.75, three times that is capped at 1: the smallest channel
    # goes to 0, value (200) and hue (mid channel a third of the way) are kept.
    pixel = np.array([200, 100, 50], dtype=np.uint8)
    images = np.broadcast_to(pixel, (5, 4, 4, 3)).copy()
    out = ops.saturation_hue(images, rng, saturation_range=(3.0, 3.0))
    np.testing.assert_array_equal(out, np.broadcast_to([200, 67, 0], out.shape))


@pytest.mark.parametrize("channels", [1, 3])
def test_contrast_before_colour_change_is_applied_and_saturated(
    make_images, rng, channels
):
    images = make_images(20, 8, 8, channels)
    terms = (np.full(20, 1.5), np.full(20, -64.0))  # contrast 1.5 about 128
    out = ops.saturation_hue(images, rng, (1.0, 1.0), 0.0, before=terms)
    exact = 1.5 * images.astype(float) - 64
    expected = np.clip(np.rint(exact), 0, 255)
    # One rounding, after the float HSV round trip: only exact ties (odd pixel
    # values give x.5) may round either way.
    difference = np.abs(out - expected)
    ties = exact % 1 == 0.5
    assert difference.max() <= 1
    assert not difference[~ties].any()
    # Saturated, not wrapped (both ends are reached by many pixels).
    assert np.all(out[exact <= 0] == 0) and (exact <= 0).sum() > 100
    assert np.all(out[exact >= 255] == 255) and (exact >= 255).sum() > 100


@pytest.mark.parametrize("shape", [(40, 16, 16, 3), (6, 80, 250, 1)])  # both paths
def test_blurs_in_place_give_the_same_images(make_images, shape):
    images = make_images(*shape)
    blurs = {
        "average": lambda im, rng, out: ops.average_blur(im, (0, 5), rng, out=out),
        "gaussian": lambda im, rng, out: ops.gaussian_blur(im, (0, 7), rng, out=out),
        "motion": lambda im, rng, out: ops.motion_blur(
            im, (0, 5), (-10, 10), rng, out=out
        ),
    }
    for blur in blurs.values():
        expected = blur(images, np.random.default_rng(3), None)
        assert not np.array_equal(expected, images)
        work = images.copy()
        assert blur(work, np.random.default_rng(3), work) is work
        np.testing.assert_array_equal(work, expected)
        other = np.zeros_like(images)  # a given array that is not the input
        np.testing.assert_array_equal(
            blur(images, np.random.default_rng(3), other), expected
        )
