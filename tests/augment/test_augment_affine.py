import numpy as np
import pytest

from aid.augment import ops
from aid.augment.config import AugmentConfig
from aid.data.preprocess import oversize
from aid.errors import PreprocessError


def one_matrix(
    height,
    width,
    *,
    angle=0.0,
    shift=(0.0, 0.0),
    zoom=(1.0, 1.0),
    shear=0.0,
    flip=(False, False),
):
    return ops.compose_affine(
        height,
        width,
        angle_deg=np.array([angle]),
        shift_xy=np.array([shift]),
        zoom_xy=np.array([zoom]),
        shear=np.array([shear]),
        flip_xy=np.array([flip]),
    )


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("channels", [1, 3])
def test_flips_are_exact(make_images, dtype, channels):
    images = make_images(1, 12, 17, channels, dtype)
    flipped_x = ops.warp_crop(images, one_matrix(12, 17, flip=(True, False)), (12, 17))
    flipped_y = ops.warp_crop(images, one_matrix(12, 17, flip=(False, True)), (12, 17))
    np.testing.assert_array_equal(flipped_x, np.flip(images, axis=2))
    np.testing.assert_array_equal(flipped_y, np.flip(images, axis=1))
    assert flipped_x.dtype == dtype


def test_rotation_by_90_and_180_degrees_is_exact(make_images):
    images = make_images(1, 16, 16, 1)
    quarter = ops.warp_crop(images, one_matrix(16, 16, angle=90.0), 16)
    half = ops.warp_crop(images, one_matrix(16, 16, angle=180.0), 16)
    # positive angles turn counter-clockwise on screen, as np.rot90 does
    np.testing.assert_array_equal(quarter, np.rot90(images, k=1, axes=(1, 2)))
    np.testing.assert_array_equal(half, np.rot90(images, k=2, axes=(1, 2)))


def test_shift_by_known_pixels_then_centre_crop(make_images):
    images = make_images(2, 20, 24, 1)
    out = ops.warp_crop(images, np.repeat(one_matrix(20, 24, shift=(3, -2)), 2, 0), 10)
    top, left = (20 - 10) // 2, (24 - 10) // 2
    # out[y, x] = in[y + top + 2, x + left - 3]
    expected = images[:, top + 2 : top + 12, left - 3 : left + 7]
    np.testing.assert_array_equal(out, expected)


def test_identity_matrix_is_the_centre_crop(make_images):
    images = make_images(3, 46, 46, 3)
    out = ops.warp_crop(images, np.repeat(one_matrix(46, 46), 3, 0), 32)
    np.testing.assert_array_equal(out, ops.centre_crop(images, 32))
    np.testing.assert_array_equal(out, images[:, 7:39, 7:39])


def test_zoom_doubles_about_the_centre():
    image = np.zeros((1, 21, 21, 1), dtype=np.uint8)
    image[0, 10, 10:13] = 200  # a short horizontal bar starting at the centre
    out = ops.warp_crop(image, one_matrix(21, 21, zoom=(2.0, 2.0)), 21)
    assert out[0, 10, 10] == 200 and out[0, 10, 14] == 200  # bar now twice as long
    assert out[0, 10, 16] == 0 and out[0, 10, 8] == 0


def test_rotation_of_oversize_crop_leaves_no_black_border():
    size = 32
    white = np.full((4, oversize(size), oversize(size), 1), 255, dtype=np.uint8)
    cfg = AugmentConfig.none().merged({"rotation": 45.0, "hflip": True, "vflip": True})
    matrices = ops.affine_matrices(4, cfg, np.random.default_rng(0), *white.shape[1:3])
    for angle in (45.0, -45.0, 30.0):
        matrices[0] = one_matrix(*white.shape[1:3], angle=angle)[0]
        out = ops.warp_crop(white, matrices, size)
        assert out.min() == 255


def test_flip_probabilities_are_independent(make_images, rng):
    images = make_images(400, 8, 8, 1)
    cfg = AugmentConfig.none().merged({"hflip": True, "vflip": True})
    out = ops.warp_crop(images, ops.affine_matrices(400, cfg, rng, 8, 8), 8)
    kinds = []
    for original, result in zip(images, out, strict=True):
        candidates = [
            original,
            np.flip(original, 1),
            np.flip(original, 0),
            np.flip(original, (0, 1)),
        ]
        kinds.append(
            next(i for i, c in enumerate(candidates) if np.array_equal(c, result))
        )
    counts = np.bincount(kinds, minlength=4)
    assert (
        counts.min() > 60
    )  # each of the four outcomes about 100 times, none flipped too


def test_only_horizontal_flip(make_images, rng):
    images = make_images(100, 6, 9, 3)
    cfg = AugmentConfig.none().merged({"hflip": True})
    out = ops.warp_crop(images, ops.affine_matrices(100, cfg, rng, 6, 9), (6, 9))
    same = [np.array_equal(a, b) for a, b in zip(images, out, strict=True)]
    mirrored = [
        np.array_equal(np.flip(a, 1), b) for a, b in zip(images, out, strict=True)
    ]
    assert all(s or m for s, m in zip(same, mirrored, strict=True))
    assert 25 < sum(mirrored) < 75


def test_shift_fraction_and_pixels(rng):
    cfg = AugmentConfig.none().merged({"width_shift": 0.25, "height_shift": 3})
    matrices = ops.affine_matrices(500, cfg, rng, 40, 80)
    tx, ty = matrices[:, 0, 2], matrices[:, 1, 2]
    assert np.abs(tx).max() <= 20 and np.abs(tx).max() > 15
    assert np.abs(ty).max() <= 3 and np.abs(ty).max() > 2.5


def test_zoom_isotropic_and_anisotropic(rng):
    iso = ops.affine_matrices(50, AugmentConfig.none().merged({"zoom": 0.2}), rng, 9, 9)
    np.testing.assert_allclose(iso[:, 0, 0], iso[:, 1, 1])
    assert np.all((iso[:, 0, 0] >= 0.8) & (iso[:, 0, 0] <= 1.2))
    cfg = AugmentConfig.none().merged({"zoom": 2.0, "zoom_isotropic": False})
    aniso = ops.affine_matrices(50, cfg, rng, 9, 9)
    assert not np.allclose(aniso[:, 0, 0], aniso[:, 1, 1])
    assert np.all((aniso[:, 0, 0] >= 0.5) & (aniso[:, 0, 0] <= 2.0))


def test_bad_images_and_sizes_are_rejected(make_images):
    images = make_images(2, 10, 10, 1)
    with pytest.raises(PreprocessError, match="larger"):
        ops.centre_crop(images, 11)
    with pytest.raises(PreprocessError, match="uint8 or uint16"):
        ops.centre_crop(images.astype(np.float32), 8)
    with pytest.raises(PreprocessError, match=r"\(N, H, W, 1\|3\)"):
        ops.centre_crop(images[..., 0], 8)
