"""A run's epoch samples: affine reuse for ``affine_refresh_epochs``, new intensity."""

from __future__ import annotations

import numpy as np
import pytest

from aid.augment import AugmentConfig
from aid.data.sampling import Sample
from aid.errors import PreprocessError
from aid.train.epoch_augment import (
    RunAugmentation,
    loader_processes,
    loader_threads,
    stage_chunk,
)


@pytest.fixture()
def sample(cat_images: np.ndarray) -> Sample:
    """120 real RGB 32 x 32 tutorial images with labels 0..119."""
    images = cat_images[:120]
    return Sample(images, np.arange(120), np.zeros((120, 2), dtype=np.int64))


def test_affine_sample_is_reused_then_redrawn(sample):
    draws = []

    def draw() -> Sample:
        draws.append(1)
        return sample

    config = AugmentConfig(rotation=20, affine_refresh_epochs=2)
    run = RunAugmentation()
    kwargs = {"run_seed": 4, "batch_size": 20, "draw": draw}
    stage0, labels0 = run.epoch_sample(0, config, 28, **kwargs)
    stage1, labels1 = run.epoch_sample(1, config, 28, **kwargs)
    assert len(draws) == 1  # epoch 1 reuses epoch 0's affine sample
    assert sorted(labels0) == sorted(labels1) == list(range(120))
    assert not np.array_equal(labels0, labels1)  # ... in a new order
    images0, images1 = stage0.compute_all(), stage1.compute_all()
    assert images0.shape == (120, 28, 28, 3)
    # the same warped image gets a fresh intensity augmentation
    first = int(np.flatnonzero(labels1 == labels0[0])[0])
    assert not np.array_equal(images0[0], images1[first])
    run.epoch_sample(2, config, 28, **kwargs)
    assert len(draws) == 2  # refreshed after two epochs
    again, labels_again = RunAugmentation().epoch_sample(0, config, 28, **kwargs)
    np.testing.assert_array_equal(labels_again, labels0)  # seeded
    np.testing.assert_array_equal(again.compute_all(), images0)
    run.close()


def test_epochs_augmented_in_processes_are_the_threads_epochs(sample):
    config = AugmentConfig(
        rotation=20, hflip=True, saturation_on=True, affine_refresh_epochs=2
    )
    kwargs = {"run_seed": 4, "batch_size": 20, "draw": lambda: sample}
    in_threads, in_processes = RunAugmentation(), RunAugmentation(processes=2)
    for epoch in range(3):  # a fresh affine sample, a reused one, a fresh one
        expected, labels = in_threads.epoch_sample(epoch, config, 28, **kwargs)
        stage, got_labels = in_processes.epoch_sample(epoch, config, 28, **kwargs)
        assert stage.shared is not None  # really in shared memory, for processes
        np.testing.assert_array_equal(got_labels, labels)
        np.testing.assert_array_equal(
            stage.take(slice(20, 60)), expected.take(slice(20, 60))
        )
        np.testing.assert_array_equal(stage.compute_all(), expected.compute_all())
    in_processes.close()
    in_threads.close()


def test_rows_kept_from_an_earlier_epoch_are_not_overwritten(sample):
    config = AugmentConfig(rotation=20, hflip=True)
    kwargs = {"run_seed": 4, "batch_size": 20, "draw": lambda: sample}
    run = RunAugmentation(processes=2)
    assert run.loader_threads == 4  # two per process: they mostly wait
    kept = run.epoch_sample(0, config, 28, **kwargs)[0].compute_all()
    snapshot = kept.copy()
    for epoch in range(1, 4):  # later epochs reuse shared arrays nobody holds
        run.epoch_sample(epoch, config, 28, **kwargs)[0].compute_all()
    np.testing.assert_array_equal(kept, snapshot)
    run.close()
    assert RunAugmentation().loader_threads == loader_threads()


def test_loader_processes_default_and_override(monkeypatch):
    monkeypatch.delenv("AID_LOADER_PROCESSES", raising=False)
    monkeypatch.delenv("AID_LOADER_THREADS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert loader_processes() == 0  # one core: nothing to gain, the threads augment
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert loader_processes() == loader_threads() == 2
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    assert loader_processes() == loader_threads() == 8
    monkeypatch.setenv("AID_LOADER_PROCESSES", "0")
    assert loader_processes() == 0
    monkeypatch.setenv("AID_LOADER_PROCESSES", "3")
    assert loader_processes() == 3


def test_loader_threads_default_and_override(monkeypatch):
    monkeypatch.delenv("AID_LOADER_THREADS", raising=False)
    assert 2 <= loader_threads() <= 8
    monkeypatch.setenv("AID_LOADER_THREADS", "3")
    assert loader_threads() == 3
    for bad in ("0", "many"):
        monkeypatch.setenv("AID_LOADER_THREADS", bad)
        assert 2 <= loader_threads() <= 8


def test_stage_chunks_are_whole_batches_of_about_the_augmenters_chunk():
    from aid.augment.pipeline import chunk_size

    for rows, values, batch in [(20_000, 1024, 128), (200, 1728, 50), (5, 1024, 64)]:
        chunk = stage_chunk(rows, values, batch)
        assert chunk % batch == 0 and chunk >= batch
        assert abs(chunk - chunk_size(rows, values)) <= batch / 2 or chunk == batch


def test_bad_sample_is_refused_before_anything_is_computed(sample):
    config = AugmentConfig(rotation=20)
    run = RunAugmentation()
    with pytest.raises(PreprocessError, match="larger than the images"):
        run.epoch_sample(0, config, 40, run_seed=0, batch_size=20, draw=lambda: sample)
    floats = Sample(sample.images.astype(np.float32), sample.labels, sample.sources)
    with pytest.raises(PreprocessError, match="uint8 or uint16"):
        run.epoch_sample(0, config, 28, run_seed=0, batch_size=20, draw=lambda: floats)
    # nothing was kept: the next epoch draws a fresh sample
    stage, _ = run.epoch_sample(
        1, config, 28, run_seed=0, batch_size=20, draw=lambda: sample
    )
    assert stage.compute_all().shape == (120, 28, 28, 3)
