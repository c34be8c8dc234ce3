"""The scikit-learn digits demo dataset."""

from __future__ import annotations

import numpy as np

from aid.data.demo import DEMO_DIGITS, demo_dataset, demo_folder
from aid.data.preprocess import Preprocessing
from aid.data.sampling import validation_sample


def test_demo_is_built_once_in_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("AID_CACHE_DIR", str(tmp_path))
    table = demo_dataset()
    assert demo_folder().parent == tmp_path
    assert table.class_names == tuple(f"digit_{d}" for d in DEMO_DIGITS)
    train, valid = table.with_role("train"), table.with_role("valid")
    assert len(train) == len(valid) == 3
    assert all(140 <= e.events_total <= 150 for e in train)
    assert all(30 <= e.events_total <= 40 for e in valid)
    stamp = {p: p.stat().st_mtime_ns for p in demo_folder().rglob("*.rtdc")}
    assert demo_dataset() == table
    assert {p: p.stat().st_mtime_ns for p in demo_folder().rglob("*.rtdc")} == stamp
    sample = validation_sample(table, Preprocessing(32))
    assert sample.images.shape[1:] == (32, 32, 1) and sample.images.max() > 200
    assert np.bincount(sample.labels).tolist() == [e.events_total for e in valid]


def test_demo_into_a_given_folder_rebuilds_incomplete(tmp_path):
    folder = tmp_path / "demo"
    table = demo_dataset(folder)
    (folder / "valid/digit_7.rtdc").unlink()
    assert demo_dataset(folder) == table
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".demo-")]
