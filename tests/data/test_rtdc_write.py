"""Writing .rtdc: dclab round trip, AIDeveloper layout, atomicity, prediction copies."""

from __future__ import annotations

import json
import warnings

import dclab
import h5py
import numpy as np
import pytest

from aid.data.rtdc import open_rtdc
from aid.data.rtdc_write import (
    PROVENANCE_LOG,
    RtdcWriter,
    copy_with_features,
    write_rtdc,
)
from aid.errors import RtdcFormatError


@pytest.mark.parametrize("shape", [(6, 20, 30), (6, 20, 30, 3)])
@pytest.mark.parametrize("compression", ["gzip", None])
def test_dclab_round_trip(tmp_path, shape, compression):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, shape, dtype=np.uint8)
    pos_x, pos_y = rng.uniform(0, 15, 6), rng.uniform(0, 10, 6)
    path = write_rtdc(
        tmp_path / "x.rtdc",
        images,
        pos_x=pos_x,
        pos_y=pos_y,
        pixel_size=0.5,
        compression=compression,
        provenance={"source": "/data/cells", "hash": "abc"},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # dclab must not even warn
        with dclab.new_dataset(path) as ds:
            assert len(ds) == 6
            assert np.array_equal(ds["image"][:], images)
            assert np.allclose(ds["pos_x"][:], pos_x) and np.allclose(
                ds["pos_y"][:], pos_y
            )
            assert ds.config["imaging"]["pixel size"] == 0.5
            record = json.loads("\n".join(ds.logs[PROVENANCE_LOG]))
    assert record["source"] == "/data/cells" and record["software"].startswith("aid ")
    with open_rtdc(path) as f:
        assert np.allclose(f.centers_px(), np.stack([pos_x, pos_y], 1) / 0.5)


def test_aideveloper_layout(tmp_path):
    path = write_rtdc(
        tmp_path / "x.rtdc",
        np.zeros((300, 8, 8), np.uint8),
        pos_x=np.full(300, 4, np.int32),
        pos_y=np.full(300, 4, np.int32),
    )
    with h5py.File(path) as h5:
        assert set(h5) == {
            "events",
            "logs",
        }  # a third key means "xtra_in" to AIDeveloper
        events = h5["events"]
        assert (
            events["pos_x"].dtype == np.int32
        )  # never uint8 (AIDeveloper's truncation bug)
        assert events["index"].dtype == np.int32 and events["index"][-1] == 300
        assert events["image"].fletcher32 and events["image"].maxshape[0] is None
        assert h5.attrs["experiment:event count"] == 300
        assert h5.attrs["imaging:pixel size"] == 1.0


def test_default_positions_are_the_image_centre_in_um(tmp_path):
    path = write_rtdc(
        tmp_path / "x.rtdc", np.zeros((2, 10, 20), np.uint8), pixel_size=0.25
    )
    with open_rtdc(path) as f:
        assert np.array_equal(f.centers_px(), [[10, 5], [10, 5]])


def test_failure_leaves_nothing_behind(tmp_path):
    with pytest.raises(RtdcFormatError, match="uint8"):
        with RtdcWriter(tmp_path / "x.rtdc", (4, 4)) as writer:
            writer.append(np.zeros((3, 4, 4), np.uint8))
            writer.append(np.zeros((3, 4, 4), np.float32))
    with pytest.raises(RtdcFormatError, match="0 events"):
        RtdcWriter(tmp_path / "y.rtdc", (4, 4)).close()
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments(tmp_path):
    with pytest.raises(RtdcFormatError, match="image shape"):
        write_rtdc(tmp_path / "x.rtdc", np.zeros((2, 4, 4, 2), np.uint8))
    with pytest.raises(RtdcFormatError, match="one value per image"):
        write_rtdc(
            tmp_path / "x.rtdc", np.zeros((2, 4, 4), np.uint8), pos_x=np.zeros(3)
        )
    assert not any(tmp_path.iterdir())


@pytest.mark.filterwarnings(
    "ignore:Type of configuration key"
)  # AIDeveloper's source attrs
def test_copy_with_prediction_features(tmp_path, tutorial):
    src = tutorial / "smileys/happy_10.rtdc"
    scores = np.linspace(0, 1, 10)
    dst = copy_with_features(
        src,
        tmp_path / "happy_10_pred.rtdc",
        {"userdef0": np.arange(10) % 3, "userdef1": scores},
    )
    with dclab.new_dataset(dst) as ds, dclab.new_dataset(src) as original:
        assert np.array_equal(ds["userdef0"], np.arange(10) % 3)
        assert np.allclose(ds["userdef1"], scores)
        assert np.array_equal(ds["image"][:], original["image"][:])
    with pytest.raises(RtdcFormatError, match="shape"):
        copy_with_features(src, tmp_path / "bad.rtdc", {"userdef0": np.zeros(3)})
    with pytest.raises(RtdcFormatError, match="overwrite its source"):
        copy_with_features(dst, dst, {"userdef0": np.zeros(10)})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["happy_10_pred.rtdc"]
