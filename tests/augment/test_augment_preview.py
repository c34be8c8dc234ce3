import numpy as np

from aid.augment import AugmentConfig, preview_pairs
from aid.data.preprocess import convert_color, crop_batch, oversize
from aid.data.rtdc import open_rtdc


def test_preview_pairs_shapes_and_originals(make_images):
    images = make_images(20, 46, 46, 3)
    pairs = preview_pairs(images, AugmentConfig(), 32, n=6, seed=4)
    assert len(pairs) == 6
    crops = {images[i, 7:39, 7:39].tobytes() for i in range(20)}
    for original, augmented in pairs:
        assert original.shape == augmented.shape == (32, 32, 3)
        assert original.dtype == augmented.dtype == np.uint8
        assert original.tobytes() in crops
        assert not np.array_equal(original, augmented)
    again = preview_pairs(images, AugmentConfig(), 32, n=6, seed=4)
    for (o1, a1), (o2, a2) in zip(pairs, again, strict=True):
        np.testing.assert_array_equal(o1, o2)
        np.testing.assert_array_equal(a1, a2)


def test_preview_with_fewer_images_than_asked(make_images):
    pairs = preview_pairs(make_images(3, 20, 20, 1), AugmentConfig.none(), 16, n=8)
    assert len(pairs) == 3
    for original, augmented in pairs:
        np.testing.assert_array_equal(original, augmented)


def test_preview_of_real_rtdc_events(rtdc_samples):
    size = 32
    with open_rtdc(rtdc_samples / "blood_rbc_leukocytes.rtdc") as rtdc:
        indices = np.arange(12)
        images = convert_color(rtdc.images(indices), "gray")
        crops = crop_batch(images, rtdc.centers_px(indices), oversize(size))
    affine_only = AugmentConfig.none().merged({"hflip": True, "rotation": 20.0})
    pairs = preview_pairs(crops, affine_only, size, n=5, seed=1)
    assert len(pairs) == 5
    for original, augmented in pairs:
        assert original.shape == augmented.shape == (size, size, 1)
        assert not np.array_equal(original, augmented)
        # the cell stays in the crop on a uniform background: same mean grey level
        assert abs(float(original.mean()) - float(augmented.mean())) < 3
    for _, augmented in preview_pairs(crops, AugmentConfig(), size, n=5, seed=1):
        assert augmented.shape == (size, size, 1) and augmented.dtype == np.uint8
