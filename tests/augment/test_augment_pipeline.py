import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from aid.augment import AugmentConfig, Augmenter, ops
from aid.augment.pipeline import (
    MAX_CHUNK_VALUES,
    MIN_CHUNK,
    MIN_CHUNK_VALUES,
    ChunkSpec,
    apply_intensity,
    augment_chunk,
    chunk_size,
)
from aid.augment.shared import SharedArray
from aid.augment.workers import WORKER_NICENESS, AugmentProcesses, ChunkJob
from aid.errors import ConfigError, PreprocessError

EVERYTHING = AugmentConfig(
    hflip=True,
    rotation=20.0,
    width_shift=0.05,
    height_shift=2,
    zoom=0.1,
    shear=3.0,
    saturation_on=True,
    hue_on=True,
    gauss_blur_on=True,
    motion_blur_on=True,
)


@pytest.mark.parametrize("channels", [1, 3])
def test_same_seed_same_images_for_any_thread_count(make_images, channels):
    images = make_images(2 * chunk_size(1, 30 * 30 * channels) + 3, 46, 46, channels)
    with (
        Augmenter(EVERYTHING, seed=7, threads=1) as one,
        Augmenter(EVERYTHING, seed=7, threads=3) as three,
    ):
        first = one(images, 32)
        np.testing.assert_array_equal(first, three(images, 32))
        second = one(images, 32)
        np.testing.assert_array_equal(second, three(images, 32))
        np.testing.assert_array_equal(one.intensity(first), three.intensity(first))
        np.testing.assert_array_equal(one.affine(images, 30), three.affine(images, 30))
    assert not np.array_equal(first, second)  # the stream moves on between calls
    other = Augmenter(EVERYTHING, seed=8, threads=1)(images, 32)
    assert not np.array_equal(first, other)


def test_chunk_size_depends_only_on_the_batch_size():
    least = MIN_CHUNK_VALUES // 1024
    assert chunk_size(1, 1024) == 1  # one chunk holds a small batch
    assert chunk_size(least, 1024) == least
    assert chunk_size(least + 1, 1024) == least // 2 + 1  # two even chunks
    assert chunk_size(3 * MIN_CHUNK, 100_000) == MIN_CHUNK
    assert chunk_size(16 * 1500, 1024) == 1500  # between the two bounds
    assert chunk_size(2048, 32 * 32 * 3) == 512  # four chunks
    # three chunks of at most 367, not two of 512 and one of 76
    assert chunk_size(1100, 32 * 32 * 3) == 367
    for values in (1024, 80 * 250):
        size, most = chunk_size(10**6, values), MAX_CHUNK_VALUES // values
        chunks = -(-(10**6) // size)
        assert size <= most and chunks == -(-(10**6) // most)  # as few as can be
        assert chunks * size - 10**6 < chunks  # filled evenly
    assert chunk_size(10, 10**7) == 1


def test_unseeded_augmenters_differ(make_images):
    images = make_images(8, 20, 20, 1)
    assert not np.array_equal(
        Augmenter(EVERYTHING)(images, 16), Augmenter(EVERYTHING)(images, 16)
    )


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("channels", [1, 3])
def test_shapes_dtype_and_range(make_images, dtype, channels):
    images = make_images(70, 46, 40, channels, dtype)
    augmenter = Augmenter(EVERYTHING, seed=1, threads=2)
    cropped = augmenter.affine(images, 32)
    assert cropped.shape == (70, 32, 32, channels) and cropped.dtype == dtype
    out = augmenter.intensity(cropped)
    assert out.shape == cropped.shape and out.dtype == dtype
    both = augmenter(images, (30, 20))
    assert both.shape == (70, 30, 20, channels) and both.dtype == dtype
    assert int(both.max()) > 255 if dtype == np.uint16 else int(both.max()) == 255
    augmenter.close()


def test_default_settings_change_images_but_keep_them_close(make_images):
    images = np.full((30, 46, 46, 1), 100, dtype=np.uint8)
    out = Augmenter(AugmentConfig(), seed=3, threads=1)(images, 32)
    assert out.std() > 1.0  # noise, brightness and contrast acted
    assert abs(out.mean() - 100) < 25  # mean ~ contrast/brightness centre and offset


def test_none_config_is_the_centre_crop(make_images):
    images = make_images(2 * MIN_CHUNK + 1, 46, 46, 3)
    augmenter = Augmenter(AugmentConfig.none(), seed=0, threads=2)
    np.testing.assert_array_equal(augmenter(images, 32), ops.centre_crop(images, 32))
    small = images[:, :32, :32]
    intensity = augmenter.intensity(small)
    np.testing.assert_array_equal(intensity, small)
    assert intensity is not small


def test_set_config_takes_effect_and_is_checked(make_images):
    images = make_images(10, 16, 16, 1)
    augmenter = Augmenter(AugmentConfig.none(), seed=0, threads=1)
    live = {"brightness_on": True, "brightness_add": [5, 5], "brightness_mult": [1, 1]}
    augmenter.set_config(AugmentConfig.none().merged(live))
    np.testing.assert_array_equal(
        augmenter.intensity(images), np.minimum(images.astype(int) + 5, 255)
    )
    with pytest.raises(ConfigError, match="AugmentConfig"):
        augmenter.set_config({"rotation": 3})
    with pytest.raises(ConfigError):
        Augmenter({"rotation": 3})


def test_affine_refresh_schedule():
    every_second = AugmentConfig(affine_refresh_epochs=2)
    assert [every_second.affine_due(e) for e in range(5)] == [
        True,
        False,
        True,
        False,
        True,
    ]
    assert all(AugmentConfig(affine_refresh_epochs=1).affine_due(e) for e in range(3))


def test_bad_input_is_rejected(make_images):
    augmenter = Augmenter(EVERYTHING, seed=0, threads=1)
    with pytest.raises(PreprocessError, match="larger"):
        augmenter(make_images(2, 20, 20, 1), 21)
    for size in (0, -3, (8, 0), 8.5, (4, 4, 4), "8"):
        with pytest.raises(PreprocessError, match="output size"):
            augmenter(make_images(2, 20, 20, 1), size)
    with pytest.raises(PreprocessError):
        augmenter.intensity(np.zeros((2, 8, 8, 2), np.uint8))
    with pytest.raises(PreprocessError):
        augmenter.intensity(np.zeros((2, 8, 8, 1), np.float32))


def test_empty_batch(make_images):
    augmenter = Augmenter(EVERYTHING, seed=0, threads=2)
    empty = make_images(0, 46, 46, 3)
    assert augmenter(empty, 32).shape == (0, 32, 32, 3)
    assert augmenter.intensity(empty).shape == (0, 46, 46, 3)


def test_augment_chunk_modes_and_bad_requests(make_images):
    images = make_images(8, 20, 20, 1)
    cfg = AugmentConfig(rotation=10)
    both = augment_chunk("both", cfg, images, np.random.default_rng(2), 16)
    rng = np.random.default_rng(2)
    warped = augment_chunk("affine", cfg, images, rng, 16)
    np.testing.assert_array_equal(both, augment_chunk("intensity", cfg, warped, rng))
    with pytest.raises(ConfigError, match="needs an output size"):
        augment_chunk("affine", cfg, images, np.random.default_rng(0))
    with pytest.raises(ConfigError, match="unknown augmentation mode 'warp'"):
        augment_chunk("warp", cfg, images, np.random.default_rng(0), 16)


@pytest.mark.parametrize(
    "shape", [(9, 20, 20, 3), (3, 80, 250, 1)]
)  # mosaic, per image
@pytest.mark.parametrize(
    "cfg", [EVERYTHING, AugmentConfig(brightness_on=False, noise_on=False)]
)  # the last step writes into out / a copy goes there
def test_augment_chunk_into_out_is_the_same_result(make_images, shape, cfg):
    images = make_images(*shape)
    size = (16, 240) if shape[2] == 250 else 16
    for mode in ("both", "affine", "intensity"):
        expected = augment_chunk(mode, cfg, images, np.random.default_rng(4), size)
        out = np.full_like(expected, 7)
        got = augment_chunk(mode, cfg, images, np.random.default_rng(4), size, out)
        assert got is out
        np.testing.assert_array_equal(out, expected)
    assert not np.array_equal(expected, images)  # intensity really ran


@pytest.mark.parametrize("shape", [(9, 20, 20, 3), (3, 80, 250, 1), (12, 16, 16, 1)])
def test_intensity_in_place_on_scratch_is_the_same_result(make_images, shape):
    images = make_images(*shape)
    kept = images.copy()
    expected = apply_intensity(images, EVERYTHING, np.random.default_rng(5))
    np.testing.assert_array_equal(images, kept)  # the caller's images are untouched
    scratch = images.copy()
    got = apply_intensity(scratch, EVERYTHING, np.random.default_rng(5), scratch=True)
    np.testing.assert_array_equal(got, expected)
    assert got is scratch  # worked in place


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


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no niceness on this system")
def test_workers_give_way_to_training(processes):
    # Lower priority than this (training) process, so training threads come first.
    worker_niceness = processes._pool.submit(os.nice, 0).result()
    assert worker_niceness == min(19, os.nice(0) + WORKER_NICENESS)


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


UNGUARDED_SCRIPT = """
import sys
import numpy as np
from aid.augment import AugmentConfig, Augmenter
from aid.augment.workers import AugmentProcesses
with open(sys.argv[1], "a") as runs:  # each run of this script's top level
    print(__name__, file=runs)
processes = AugmentProcesses(2)
images = np.zeros((64, 16, 16, 1), np.uint8)
out = Augmenter(AugmentConfig(rotation=5.0), seed=0, processes=processes)(images, 12)
processes.close()
print(out.shape)
"""


def test_workers_do_not_run_the_main_script_again(tmp_path):
    # A user's script with no ``if __name__ == "__main__"`` guard: spawned
    # workers that ran it again would start workers themselves (and fail).
    script, runs = tmp_path / "analysis.py", tmp_path / "runs.txt"
    script.write_text(UNGUARDED_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), str(runs)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(64, 12, 12, 1)"
    assert runs.read_text().split() == ["__main__"]  # not "__mp_main__" too


def test_the_main_module_stays_in_place_while_workers_start():
    from aid.augment.workers import _main_module_hidden

    main = sys.modules["__main__"]
    file, spec = getattr(main, "__file__", None), getattr(main, "__spec__", None)
    with _main_module_hidden():
        assert sys.modules["__main__"] is main  # its classes still pickle
        assert getattr(main, "__file__", None) is None and main.__spec__ is None
    assert getattr(main, "__file__", None) == file and main.__spec__ is spec


WORKER_PARENT = """
import multiprocessing, time
import numpy as np
from aid.augment import AugmentConfig, Augmenter
from aid.augment.workers import AugmentProcesses
if __name__ == "__main__":
    processes = AugmentProcesses(1)
    images = np.zeros((64, 16, 16, 1), np.uint8)
    Augmenter(AugmentConfig(rotation=5.0), seed=0, processes=processes)(images, 12)
    print(*[child.pid for child in multiprocessing.active_children()], flush=True)
    time.sleep(120)
"""


def test_workers_end_when_their_parent_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(WORKER_PARENT)
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True
    )
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert workers  # the job ran in a worker process
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in workers):
        assert time.monotonic() < deadline, "a worker outlived its killed parent"
        time.sleep(0.1)
