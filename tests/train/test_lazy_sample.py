"""Lazy, chunked augmentation of an epoch's sample (computed as batches need it)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from aid.augment import AugmentConfig
from aid.augment.pipeline import apply_affine, apply_intensity
from aid.data.preprocess import Preprocessing
from aid.train.dataset import EpochDataset
from aid.train.epoch_augment import affine_stage, intensity_stage, stage_chunk
from aid.train.lazy_sample import ArraySource, LazyStage
from aid.zoo_registry import build_model

#: Every intensity operation on, so a chunk's result depends on its generator.
INTENSITY = AugmentConfig(gauss_blur_on=True, motion_blur_on=True)


class CountingIntensity:
    """The real intensity augmentation, counting calls and the threads making them."""

    def __init__(self) -> None:
        self.calls = 0
        self.threads: set[int] = set()
        self._lock = threading.Lock()

    def __call__(
        self, part: np.ndarray, rng: np.random.Generator, out: np.ndarray
    ) -> np.ndarray:
        with self._lock:
            self.calls += 1
            self.threads.add(threading.get_ident())
        return apply_intensity(part, INTENSITY, rng, out)  # straight into the stage


def stage_of(images: np.ndarray, fn, chunk: int = 32, order=None) -> LazyStage:
    return LazyStage(
        ArraySource(images),
        fn,
        shape=images.shape[1:],
        dtype=images.dtype,
        seed=[7, 1],
        chunk=chunk,
        order=order,
    )


def test_chunk_is_the_seeded_augmentation_of_its_rows(cat_images):
    stage = stage_of(
        cat_images, lambda part, rng, out: apply_intensity(part, INTENSITY, rng)
    )  # a new array, copied into the stage
    got = stage.take(slice(64, 96))  # chunk 2
    seed = np.random.SeedSequence([7, 1], spawn_key=(2,))
    expected = apply_intensity(
        cat_images[64:96], INTENSITY, np.random.Generator(np.random.PCG64(seed))
    )
    np.testing.assert_array_equal(got, expected)
    assert not np.array_equal(got, cat_images[64:96])  # really augmented


def test_result_does_not_depend_on_access_order_or_threads(cat_images):
    in_order = stage_of(cat_images, CountingIntensity()).compute_all().copy()
    counting = CountingIntensity()
    shuffled = stage_of(cat_images, counting)
    batches = np.random.default_rng(3).permutation(200).reshape(20, 10)
    with ThreadPoolExecutor(4) as pool:
        parts = list(pool.map(shuffled.take, batches))
    for rows, part in zip(batches, parts, strict=True):
        np.testing.assert_array_equal(part, in_order[rows])
    assert counting.calls == 7  # 200 rows in chunks of 32: each chunk exactly once
    assert shuffled.complete


def test_a_thread_waiting_for_a_busy_chunk_computes_the_next_one(cat_images):
    release, first_started = threading.Event(), threading.Event()

    def gated(part, rng, out):
        if not first_started.is_set():  # the first chunk computed waits
            first_started.set()
            assert release.wait(10)
        return apply_intensity(part, INTENSITY, rng)

    stage = stage_of(cat_images, gated)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(stage.take, slice(0, 10))
        assert first_started.wait(10)
        second = pool.submit(stage.take, slice(10, 20))  # same chunk 0, busy
        for _ in range(1000):  # meanwhile the second thread does chunk 1
            if stage.chunks_done[1]:
                break
            time.sleep(0.01)
        assert stage.chunks_done[:2].tolist() == [False, True]
        release.set()
        np.testing.assert_array_equal(first.result(), stage.take(slice(0, 10)))
        assert second.result().shape == (10, 32, 32, 3)


def test_nothing_is_computed_before_it_is_asked_for(cat_images):
    counting = CountingIntensity()
    stage = stage_of(cat_images, counting)
    assert counting.calls == 0 and not stage.complete
    stage.take(np.array([5, 40]))  # rows in chunks 0 and 1
    assert counting.calls == 2 and not stage.complete


def test_order_reads_source_rows_and_bad_order_is_refused(cat_images):
    order = np.random.default_rng(0).permutation(200)
    stage = stage_of(cat_images, lambda part, rng, out: part, order=order)
    np.testing.assert_array_equal(stage.compute_all(), cat_images[order])
    with pytest.raises(ValueError, match="one entry per source row"):
        stage_of(cat_images, lambda part, rng, out: part, order=order[:10])


def test_affine_then_intensity_stages_match_the_augmentation(cat_images):
    config = AugmentConfig(rotation=20, hflip=True)
    labels = np.arange(200)
    warped, shuffled_labels = affine_stage(
        cat_images,
        labels,
        config,
        24,
        seed=[1, 0],
        batch_size=50,
        rng=np.random.default_rng(2),
    )
    order = np.random.default_rng(2).permutation(200)
    np.testing.assert_array_equal(shuffled_labels, order)
    chunk0 = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence([1, 0], spawn_key=(0,)))
    )
    rows = stage_chunk(200, 24 * 24 * 3, 50)
    assert rows % 50 == 0  # whole batches
    first = slice(0, min(rows, 200))
    expected = apply_affine(cat_images[order[first]], config, chunk0, 24)
    np.testing.assert_array_equal(warped.take(first), expected)
    final = intensity_stage(warped, config, seed=[1, 1], batch_size=50)
    assert final.take(slice(0, 50)).shape == (50, 24, 24, 3)
    assert final.compute_all().dtype == np.uint8 and warped.complete


def test_training_augments_batches_on_loader_threads(cat_images):
    """A real fit pulls the batches (each chunk once) through loader threads."""
    counting = CountingIntensity()
    stage = stage_of(cat_images, counting, chunk=5)
    prep = Preprocessing(input_size=32, color_mode="rgb")
    data = EpochDataset(
        stage, np.arange(200) % 2, 2, prep, 5, np.random.default_rng(0), workers=2
    )
    model = build_model("LeNet5", (32, 32, 3), 2)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(data, epochs=2, verbose=0)
    assert stage.complete and counting.calls == 40  # each chunk once, then reused
    assert counting.threads - {threading.get_ident()}  # not only fit's own thread


def test_later_keras_epochs_reuse_the_augmented_images(cat_images):
    stage = stage_of(cat_images, CountingIntensity())
    prep = Preprocessing(input_size=32, color_mode="rgb")
    data = EpochDataset(
        stage, np.zeros(200, int), 2, prep, 50, np.random.default_rng(0)
    )
    data.on_epoch_end()  # Keras calls this before the first epoch too
    data.on_epoch_begin()
    first = np.concatenate([data[i][0] for i in range(len(data))])
    np.testing.assert_allclose(first, stage.take(slice(0, 200)) / 255.0, rtol=1e-6)
    data.on_epoch_end()
    data.on_epoch_begin()
    second = np.concatenate([data[i][0] for i in range(len(data))])
    assert not np.array_equal(first, second)  # a new batch order ...
    flat = first.reshape(200, -1)
    np.testing.assert_array_equal(  # ... of the same augmented images
        np.unique(flat, axis=0), np.unique(second.reshape(200, -1), axis=0)
    )


def test_every_keras_epoch_serves_each_image_once(cat_images):
    """Each Keras epoch reads every row once (its order is set between epochs)."""
    epochs: list[dict[int, np.ndarray]] = [{}]  # reads before the first epoch first
    lock = threading.Lock()

    class Recording(EpochDataset):
        def __getitem__(self, index):
            x, y = super().__getitem__(index)
            with lock:
                assert index not in epochs[-1]  # each batch once per epoch
                epochs[-1][index] = np.argmax(y, axis=1)
            return x, y

        def on_epoch_begin(self):
            with lock:
                epochs.append({})
            super().on_epoch_begin()

    stage = stage_of(cat_images[:120], CountingIntensity(), chunk=10)
    prep = Preprocessing(input_size=32, color_mode="rgb")
    data = Recording(
        stage, np.arange(120), 120, prep, 10, np.random.default_rng(0), workers=2
    )
    model = build_model("LeNet5", (32, 32, 3), 120)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(data, epochs=4, shuffle=False, verbose=0)
    assert len(epochs) == 5
    orders = [np.concatenate([r[i] for i in sorted(r)]) for r in epochs[1:]]
    np.testing.assert_array_equal(orders[0], np.arange(120))  # first: in order
    for order in orders[1:]:
        np.testing.assert_array_equal(np.sort(order), np.arange(120))
        assert not np.array_equal(order, np.arange(120))
