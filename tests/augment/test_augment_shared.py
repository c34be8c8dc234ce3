"""Shared arrays for augmentation processes: found by name, reused, removed."""

import gc
from multiprocessing import shared_memory
from pathlib import Path

import numpy as np
import pytest

from aid.augment.shared import SharedArray, SharedPool, attached, has_room


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


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")
def test_a_worker_unmaps_the_arrays_it_no_longer_keeps():
    arrays = [SharedArray((4096,), np.uint8) for _ in range(8)]
    for shared in arrays:
        attached(shared.handle)  # as a worker does, job after job

    def mappings(shared: SharedArray) -> int:
        maps = Path("/proc/self/maps").read_text()
        return maps.count(shared.handle.name.lstrip("/"))

    # the owner's mapping, plus the attachment for the six kept most recently
    assert [mappings(shared) for shared in arrays] == [1, 1] + [2] * 6
    for shared in arrays:
        shared.close()
