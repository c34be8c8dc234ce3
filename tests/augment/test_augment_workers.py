"""Augmentation in worker processes over shared memory: same images as threads."""

import gc
from multiprocessing import shared_memory
from pathlib import Path

import numpy as np
import pytest

from aid.augment import AugmentConfig, Augmenter
from aid.augment.pipeline import ChunkSpec
from aid.augment.shared import SharedArray, SharedPool, attached, has_room
from aid.augment.workers import AugmentProcesses, ChunkJob
from aid.errors import ConfigError

EVERYTHING = AugmentConfig(
    hflip=True,
    rotation=20.0,
    zoom=0.1,
    shear=3.0,
    saturation_on=True,
    hue_on=True,
    gauss_blur_on=True,
    motion_blur_on=True,
)


@pytest.fixture(scope="module")
def processes():
    with AugmentProcesses(2) as pool:
        yield pool


@pytest.mark.parametrize("shape", [(700, 24, 24, 3), (40, 80, 250, 1)])
def test_augmenter_in_processes_gives_the_threads_images(make_images, processes, shape):
    images = make_images(*shape)
    size = (20, 200) if shape[2] == 250 else 20
    in_processes = Augmenter(EVERYTHING, seed=3, processes=processes)
    in_threads = Augmenter(EVERYTHING, seed=3, threads=2)
    first = in_processes(images, size)
    np.testing.assert_array_equal(first, in_threads(images, size))
    np.testing.assert_array_equal(
        in_processes.intensity(first), in_threads.intensity(first)
    )
    np.testing.assert_array_equal(
        in_processes.affine(images, size), in_threads.affine(images, size)
    )
    assert not np.array_equal(first, in_processes(images, size))  # stream moves on
    in_threads.close()


def test_a_worker_error_reaches_the_caller(make_images, processes):
    source = SharedArray.copy_of(make_images(4, 8, 8, 1))
    target = SharedArray((4, 8, 8, 1), np.uint8)
    job = ChunkJob(
        ChunkSpec("warp", EVERYTHING, 8),  # type: ignore[arg-type]
        source.handle,
        slice(0, 4),
        target.handle,
        slice(0, 4),
        np.random.SeedSequence(0),
    )
    with pytest.raises(ConfigError, match="unknown augmentation mode 'warp'"):
        processes.run(job)
    source.close()
    target.close()


def test_shared_arrays_are_removed_when_closed_or_dropped(make_images):
    images = make_images(5, 6, 6, 3)
    shared = SharedArray.copy_of(images)
    np.testing.assert_array_equal(attached(shared.handle), images)  # found by name
    name = shared.handle.name
    shared.close()
    with pytest.raises(FileNotFoundError):
        shared_memory.SharedMemory(name=name)
    dropped = SharedArray((3, 4), np.float32)
    name = dropped.handle.name
    del dropped
    gc.collect()
    with pytest.raises(FileNotFoundError):
        shared_memory.SharedMemory(name=name)


@pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="no /dev/shm to fill")
def test_room_in_shared_memory_is_checked():
    assert has_room(1 << 20)
    assert not has_room(1 << 60)  # no machine has an exbibyte to share


def test_pool_hands_an_array_out_again_only_when_nothing_refers_to_it():
    pool = SharedPool()
    first = pool.get((4, 5), np.uint8)
    pool.put(first)
    second = pool.get((4, 5), np.uint8)
    assert second is first  # reused: no new shared memory
    view = second.array[1:3]
    pool.put(second)
    assert pool.get((4, 5), np.uint8) is not second  # a view still reads it
    assert pool.get((4, 6), np.uint8) is not second  # another shape
    del view
    assert pool.get((4, 5), np.uint8) is second
    pool.close()
