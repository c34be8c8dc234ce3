"""Splits never leak; epoch samples, validation set, statistics, streaming, sessions."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from aid.data.preprocess import Preprocessing
from aid.data.sampling import (
    draw_training_sample,
    entry_indices,
    load_entry_events,
    training_stats,
    validation_sample,
)
from aid.data.split import split_table
from aid.data.stream import iter_batches
from aid.data.table import DatasetTable, EventSubset, Session
from aid.errors import DatasetError

PREP = Preprocessing(input_size=8)


def _used_events(table: DatasetTable, role: str) -> set[tuple[str, int]]:
    return {
        (e.path, int(i))
        for e in table.entries
        if e.role == role
        for i in entry_indices(e)
    }


@pytest.mark.parametrize("seed", [0, 7])
def test_event_split_never_leaks(labelled_table, seed):
    split = split_table(labelled_table, 0.2, by="event", seed=seed)
    train, valid = _used_events(split, "train"), _used_events(split, "valid")
    assert train.isdisjoint(valid)
    assert len(train | valid) == 40 + 30 + 25  # nothing lost
    assert [e.events_total for e in split.with_role("valid")] == [8, 6, 5]
    assert split == split_table(
        labelled_table, 0.2, by="event", seed=seed
    )  # reproducible
    # and what sampling reads really is disjoint: pixel [10,10] holds the event index
    sample = draw_training_sample(split, PREP, np.random.default_rng(0), crop_size=20)
    val = validation_sample(split, PREP)
    drawn = {(int(r), int(i)) for r, i in sample.sources}
    valid_rows = {
        row: entry_indices(e)
        for row, e in enumerate(split.entries)
        if e.role == "valid"
    }
    assert {(split.entries[r].path, i) for r, i in drawn}.isdisjoint(
        {(split.entries[r].path, int(i)) for r, idx in valid_rows.items() for i in idx}
    )
    assert np.array_equal(sample.images[:, 10, 10, 0], sample.sources[:, 1])
    assert len(val) == 19


def test_split_twice_and_bad_fraction_are_errors(labelled_table):
    split = split_table(labelled_table, 0.2)
    with pytest.raises(DatasetError, match="already split"):
        split_table(split, 0.2)
    with pytest.raises(DatasetError, match="between 0 and 1"):
        split_table(labelled_table, 1.0)
    with pytest.raises(DatasetError, match="bad event subset"):
        replace(labelled_table.entries[0], subset="valid:x")


def test_file_and_group_splits(labelled_table):
    by_file = split_table(labelled_table, 0.5, by="file", seed=1)
    assert [e.role for e in by_file.entries].count("valid") == 1  # class 1 has 2 files
    assert {e.class_index for e in by_file.with_role("valid")} == {1}
    by_group = split_table(labelled_table, 0.34, by="group", seed=3)
    train_groups = {e.group for e in by_group.with_role("train")}
    valid_groups = {e.group for e in by_group.with_role("valid")}
    assert train_groups.isdisjoint(valid_groups) and len(valid_groups) == 1
    no_groups = labelled_table.replace_entry(0, group="")
    with pytest.raises(DatasetError, match="group"):
        split_table(no_groups, 0.3, by="group")


def test_epoch_sample_counts_balance_and_replacement(labelled_table):
    table = labelled_table.replace_entry(
        2, events_per_epoch=60
    )  # 25 events: with replacement
    sample = draw_training_sample(table, PREP, np.random.default_rng(1))
    assert (
        sample.images.shape == (80, 12, 12, 1) and sample.images.dtype == np.uint8
    )  # oversize(8)
    assert np.bincount(sample.labels).tolist() == [10, 70]
    rows = sample.sources[:, 0]
    assert (
        len(set(sample.sources[rows == 0, 1])) == 10
    )  # without replacement when possible
    assert len(set(sample.sources[rows == 2, 1])) <= 25
    other = draw_training_sample(
        table, PREP, np.random.default_rng(2), events_per_epoch={0: 3}
    )
    assert np.bincount(other.labels).tolist() == [3, 70]
    fixed = draw_training_sample(
        table.replace_entry(1, shuffle=False), PREP, np.random.default_rng(3)
    )
    assert sorted(fixed.sources[fixed.sources[:, 0] == 1, 1]) == list(range(30))


def test_validation_sample_is_fixed_and_cut_at_input_size(labelled_table):
    table = labelled_table.replace_entry(1, role="valid").replace_entry(2, role="valid")
    first, second = (
        validation_sample(table, PREP, seed=5),
        validation_sample(table, PREP, seed=5),
    )
    assert first.images.shape == (20, 8, 8, 1)
    assert np.array_equal(first.images, second.images)
    assert np.array_equal(first.sources, second.sources)
    with pytest.raises(DatasetError, match="no validation"):
        validation_sample(labelled_table, PREP)
    with pytest.raises(DatasetError, match="no training"):
        draw_training_sample(
            table.replace_entry(0, events_per_epoch=0), PREP, np.random.default_rng(0)
        )


def test_load_entry_events_rgb_and_zoom(labelled_table):
    entry = replace(labelled_table.entries[0], zoom=2.0)
    images = load_entry_events(
        entry, np.array([5, 3]), Preprocessing(8, color_mode="rgb"), 6
    )
    assert images.shape == (2, 6, 6, 3)
    assert images[:, 3, 3].tolist() == [
        [5, 5, 5],
        [3, 3, 3],
    ]  # the centre pixel, zoomed


def test_training_stats_pool_all_training_pixels(labelled_table):
    mean, std = training_stats(labelled_table, Preprocessing(input_size=20))
    pixels = np.concatenate(
        [
            load_entry_events(e, entry_indices(e), Preprocessing(20), 20).ravel()
            for e in labelled_table.entries
        ]
    ).astype(np.float64)
    assert mean == pytest.approx(pixels.mean()) and std == pytest.approx(pixels.std())


def test_streaming_totals_batches_and_subsets(labelled_table, tmp_path):
    split = split_table(labelled_table, 0.2, seed=1)
    batches = list(iter_batches(split.entries, PREP, batch_size=7))
    assert max(len(b) for b in batches) == 7
    assert sum(len(b) for b in batches) == 95
    streamed = {(split.entries[r].path, int(i)) for b in batches for r, i in b.sources}
    assert streamed == _used_events(split, "train") | _used_events(split, "valid")
    labels = np.concatenate([b.labels for b in batches])
    assert np.bincount(labels).tolist() == [40, 55]
    plain = list(
        iter_batches([labelled_table.entries[0].path], PREP, 16, with_labels=False)
    )
    assert [len(b) for b in plain] == [16, 16, 8] and (plain[0].labels == -1).all()
    assert np.array_equal(
        np.concatenate([b.images[:, 4, 4, 0] for b in plain]), np.arange(40)
    )
    with pytest.raises(DatasetError, match="no labels"):
        next(iter_batches([labelled_table.entries[0].path], PREP))


def test_event_subset_round_trip_and_parts():
    subset = EventSubset.parse("valid:0.25:3:10")
    assert str(subset) == "valid:0.25:3:10" and len(subset) == 2
    both = np.concatenate([subset.indices(), subset.other().indices()])
    assert sorted(both) == list(range(10))


def test_session_round_trip_and_versions(labelled_table, tmp_path):
    split = split_table(labelled_table, 0.2, seed=4)
    path = Session(split, {"epochs": 3}).save(tmp_path / "s.aidsession.json")
    loaded = Session.load(path)
    assert loaded.table == split and loaded.settings == {"epochs": 3}
    raw = json.loads(path.read_text())
    raw["schema_version"] = 1  # v1 files had no subsets
    for entry in raw["entries"]:
        entry.pop("subset")
    path.write_text(json.dumps(raw))
    assert Session.load(path).table.entries[0].subset == ""
    raw["schema_version"] = 99
    path.write_text(json.dumps(raw))
    with pytest.raises(DatasetError, match="schema version 99"):
        Session.load(path)
    path.write_text("{broken")
    with pytest.raises(DatasetError, match="cannot read"):
        Session.load(path)
