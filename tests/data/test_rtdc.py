"""Reading every real .rtdc file in ../shared/data with correct counts and shapes."""

from __future__ import annotations

import numpy as np
import pytest

from aid.data.rtdc import file_hash, open_rtdc, rtdc_info
from aid.errors import RtdcFormatError

#: From rtdc-samples/INDEX.md: events and image shape (None = no events/image).
SAMPLES = {
    "blood_rbc_leukocytes.rtdc": (18, (80, 250)),
    "calibration_beads_47.rtdc": (47, (80, 250)),
    "mask_with_artefact.rtdc": (10, (45, 100)),
    "Mtest_polygates_data.rtdc": (1, (98, 250)),
    "wide_channel_issue_224.rtdc": (16, (100, 800)),
    "cytoshot_blood.rtdc": (8, (80, 320)),
    "extreme_shear.rtdc": (15, (80, 240)),
    "artificial_hdf5.rtdc": (5, (50, 90)),
}
UNUSABLE = ["empty_recording.rtdc", "blood_rbc_qpi_data.rtdc", "compound.rtdc"]

TUTORIAL = {
    "data/train/automobile.rtdc": (1000, (32, 32, 3)),
    "data/train/cat.rtdc": (1000, (32, 32, 3)),
    "data/validation/automobile.rtdc": (200, (32, 32, 3)),
    "data/validation/cat.rtdc": (200, (32, 32, 3)),
    "data/test/automobile.rtdc": (1000, (32, 32, 3)),
    "data/test/cat.rtdc": (1000, (32, 32, 3)),
    "models/M01_AutoCat_Valid_Data.rtdc": (400, (32, 32, 3)),
    **{
        f"smileys/{n}_10.rtdc": (10, (60, 100, 3))
        for n in ("blink", "happy", "sunglasses")
    },
    **{
        f"smileys/{n}_10_gray.rtdc": (10, (60, 100))
        for n in ("blink", "happy", "sunglasses")
    },
}


def test_index_lists_every_sample(rtdc_samples):
    on_disk = {p.name for p in rtdc_samples.glob("*.rtdc")}
    assert on_disk == set(SAMPLES) | set(UNUSABLE)
    assert {
        p.relative_to(p.parents[1]).as_posix()
        for p in (rtdc_samples.parent / "aid-tutorial").glob("*/*.rtdc")
    } >= {k for k in TUTORIAL if k.count("/") == 1}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples_open_with_counts_and_shapes(rtdc_samples, name):
    events, shape = SAMPLES[name]
    with open_rtdc(rtdc_samples / name) as f:
        assert f.n_events == events
        assert f.image_shape == shape
        last = f.images([events - 1])  # zstd/szip decode needs hdf5plugin
        assert last.shape == (1, *shape) and last.dtype == np.uint8
        centers = f.centers_px(slice(0, events))
        assert centers.shape == (events, 2) and np.isfinite(centers).all()


@pytest.mark.parametrize("name", sorted(TUTORIAL))
def test_tutorial_files_open(tutorial, name):
    events, shape = TUTORIAL[name]
    with open_rtdc(tutorial / name) as f:
        assert (f.n_events, f.image_shape) == (events, shape)
        assert f.images(slice(0, 3)).shape == (3, *shape)


def test_tutorial_centres_are_image_centre(tutorial):
    with open_rtdc(tutorial / "data/test/cat.rtdc") as f:
        assert np.all(f.centers_px() == 16.0)


@pytest.mark.parametrize(
    "name, reason",
    [
        ("empty_recording.rtdc", "0 events"),
        ("blood_rbc_qpi_data.rtdc", "no images"),
        ("compound.rtdc", "no images"),
    ],
)
def test_unusable_files_raise_typed_error(rtdc_samples, name, reason):
    with pytest.raises(RtdcFormatError, match=reason):
        open_rtdc(rtdc_samples / name)


def test_info_works_without_images_or_events(rtdc_samples, tutorial):
    assert rtdc_info(rtdc_samples / "empty_recording.rtdc").events == 0
    qpi = rtdc_info(rtdc_samples / "blood_rbc_qpi_data.rtdc")
    assert qpi.events == 10 and qpi.image_shape is None
    assert rtdc_info(tutorial / "smileys/Empty.rtdc").events == 0
    zstd = rtdc_info(rtdc_samples / "cytoshot_blood.rtdc")
    assert zstd.compression == "zstd" and "deform" in zstd.features
    with pytest.raises(RtdcFormatError, match="no images"):  # its events group is empty
        open_rtdc(tutorial / "smileys/Empty.rtdc")


def test_not_hdf5_and_missing_files(tmp_path):
    bad = tmp_path / "bad.rtdc"
    bad.write_text("not hdf5")
    with pytest.raises(RtdcFormatError, match="not a readable"):
        open_rtdc(bad)
    with pytest.raises(RtdcFormatError, match="not found"):
        open_rtdc(tmp_path / "missing.rtdc")


def test_file_hash_is_stable_and_name_dependent(tutorial, tmp_path):
    src = tutorial / "data/validation/cat.rtdc"
    copy = tmp_path / "dog.rtdc"
    copy.write_bytes(src.read_bytes())
    assert file_hash(src) == file_hash(src) != file_hash(copy)
