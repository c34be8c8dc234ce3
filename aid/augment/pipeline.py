"""Batch augmentation in AIDeveloper's order, seeded and parallel.

Order (``aideveloper-behaviour.md`` §4): affine warp with centre crop, then
contrast, saturation/hue, average blur, Gaussian blur, motion blur, brightness
with noise. Work is split into chunks (their size depends only on the batch
shape), each augmented by :func:`augment_chunk`, on a thread pool; each chunk
draws from its own generator spawned from the augmenter's ``SeedSequence``, so a
seed gives the same images for any number of threads. An augmenter serves one
caller at a time. Chunks are large and their float work runs in a few large
blocks, so a chunk is few OpenCV/NumPy calls, each releasing the interpreter
lock. Still, every call hands the lock over, and threads wait for it around
the short ones: on the 2-core development machine two threads do 1.4x the work
of one for 32x32 gray, 1.1x for 32x32 RGB and 1.4x for 80x250 gray, where two
single-threaded processes do 1.9-2.0x (``bench/augment.py``).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np

from aid.augment import ops
from aid.augment.config import AugmentConfig
from aid.errors import ConfigError

if TYPE_CHECKING:
    from aid.augment.workers import AugmentProcesses

#: Batches are split into about this many chunks (enough to keep cores busy).
TARGET_CHUNKS = 16
#: Chunks hold at least MIN_CHUNK images and MIN_CHUNK_VALUES pixel values and at
#: most MAX_CHUNK_VALUES values. Large chunks share the per-call cost of the grouped
#: OpenCV calls (one per kernel size and angle) among many images: 32x32 gray with
#: 2**20-2**21 values per chunk ran 1.45x as fast as with 2**18-2**19, 80x250 gray
#: 1.5x, RGB the same (one thread; ``bench/augment.py`` cases, interleaved runs).
#: At least 1.5 * 2**20 values: 2048 32x32 RGB images in four chunks, not seven,
#: ran 8 % faster with one thread and 18 % with two (gray and 80x250 unchanged).
MIN_CHUNK, MIN_CHUNK_VALUES, MAX_CHUNK_VALUES = 16, 3 << 19, 1 << 21


def chunk_size(n_images: int, values_per_image: int) -> int:
    """Images per chunk for a batch of ``n_images``.

    The chunks a size within the bounds needs are filled evenly: a chunk costs
    about 0.2 ms however few images it holds, so 2048 32x32 RGB images go in
    four chunks of 512, and 1100 in three of 367, not two of 512 and one of 76.
    The size depends only on the batch's shape, never on the thread count, so a
    seed gives the same images for any number of threads.
    """
    most = max(1, MAX_CHUNK_VALUES // values_per_image)
    least = max(MIN_CHUNK, MIN_CHUNK_VALUES // values_per_image)
    size = min(most, max(least, -(-n_images // TARGET_CHUNKS)))
    chunks = max(1, -(-n_images // size))
    return max(1, -(-n_images // chunks))


#: What :func:`augment_chunk` applies.
ChunkMode = Literal["affine", "intensity", "both"]


def apply_affine(
    images: np.ndarray,
    cfg: AugmentConfig,
    rng: np.random.Generator,
    out_size: int | tuple[int, int],
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Random flip/rotation/shift/zoom/shear of each image, then the centre crop.

    The result goes into ``out`` (contiguous) when given.
    """
    if not cfg.any_affine:
        return _into(out, ops.centre_crop(images, out_size))
    _, height, width, _ = images.shape
    matrices = ops.affine_matrices(len(images), cfg, rng, height, width)
    return ops.warp_crop(images, matrices, out_size, out)


def apply_intensity(
    images: np.ndarray,
    cfg: AugmentConfig,
    rng: np.random.Generator,
    out: np.ndarray | None = None,
    *,
    scratch: bool = False,
) -> np.ndarray:
    """Apply contrast, saturation/hue, blurs, brightness and noise as ``cfg`` says.

    The result goes into ``out`` (contiguous, not ``images``) when given; the last
    operation writes there directly. ``scratch``: ``images`` is an intermediate
    array the caller made and gives up, so the operations may work in place in it.
    """
    result = ops.check_images(images)
    # Where each step may write: in place once the array is ours (OpenCV's
    # elementwise operations and filters work in place exactly).
    own = result if scratch else None
    terms = (
        ops.contrast_terms(images, cfg.contrast_range, rng) if cfg.contrast_on else None
    )
    if cfg.saturation_on or cfg.hue_on:
        # Contrast joins the colour change's float pass: one rounding, not two.
        result = own = ops.saturation_hue(
            result,
            rng,
            saturation_range=cfg.saturation_range if cfg.saturation_on else None,
            hue_delta=cfg.hue_delta if cfg.hue_on else None,
            before=terms,
            out=own,
        )
    elif terms is not None:
        result = own = ops.linear_intensity(result, *terms, out=own)
    if cfg.avg_blur_on:
        result = own = ops.average_blur(result, cfg.avg_blur_kernel, rng, out=own)
    if cfg.gauss_blur_on:
        result = own = ops.gaussian_blur(result, cfg.gauss_blur_kernel, rng, out=own)
    if cfg.motion_blur_on:
        result = own = ops.motion_blur(
            result, cfg.motion_blur_kernel, cfg.motion_blur_angle, rng, out=own
        )
    if cfg.brightness_on or cfg.noise_on:
        result = ops.brightness_noise(
            result,
            cfg.brightness_add if cfg.brightness_on else (0.0, 0.0),
            cfg.brightness_mult if cfg.brightness_on else (1.0, 1.0),
            rng,
            noise=(cfg.noise_mean, cfg.noise_scale) if cfg.noise_on else None,
            out=own if out is None else out,
        )
    if out is None and result is images and not scratch:
        return images.copy()
    return _into(out, result)


def _into(out: np.ndarray | None, result: np.ndarray) -> np.ndarray:
    """Return ``result``, or ``out`` holding a copy of it when ``out`` is given."""
    if out is None or out is result:
        return result
    np.copyto(out, result)
    return out


def augment_chunk(
    mode: ChunkMode,
    cfg: AugmentConfig,
    images: np.ndarray,
    rng: np.random.Generator,
    out_size: int | tuple[int, int] | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Augment one chunk: the affine warp and crop, the intensity operations or both.

    The unit of work of every parallel path (the augmenter's threads and the
    training loader's lazy stages). The result goes into ``out`` (contiguous)
    when given, saving a copy.

    Raises
    ------
    ConfigError
        For an unknown ``mode``, or no ``out_size`` where the warp needs one.
    """
    if mode not in ("affine", "intensity", "both"):
        raise ConfigError(f"unknown augmentation mode {mode!r}")
    if mode == "intensity":
        return apply_intensity(images, cfg, rng, out)
    if out_size is None:
        raise ConfigError(f"augmentation mode {mode!r} needs an output size")
    if mode == "affine":
        return apply_affine(images, cfg, rng, out_size, out)
    warped = apply_affine(images, cfg, rng, out_size)
    return apply_intensity(warped, cfg, rng, out, scratch=True)


class ChunkSpec(NamedTuple):
    """What to do to a chunk: ``spec(images, rng, out)`` calls :func:`augment_chunk`.

    Picklable, so worker processes can run it (:mod:`aid.augment.workers`).
    """

    mode: ChunkMode
    config: AugmentConfig
    out_size: int | tuple[int, int] | None = None

    def __call__(
        self, images: np.ndarray, rng: np.random.Generator, out: np.ndarray | None
    ) -> np.ndarray:
        """Augment ``images`` with ``rng`` into ``out`` (or a new array)."""
        return augment_chunk(self.mode, self.config, images, rng, self.out_size, out)


class Augmenter:
    """Apply an :class:`AugmentConfig` to image batches.

    Parameters
    ----------
    config
        The settings; replace them between batches with :meth:`set_config`.
    seed
        Seed of the random stream; ``None`` draws fresh entropy. With a seed the
        n-th call gives the same result in every run, whatever ``threads`` is.
    threads
        Worker threads (default: all CPU cores); 1 runs in the calling thread.
    processes
        Worker processes to run the chunks in instead of threads (the caller
        owns and closes them); the images travel through shared memory. Same
        images as with threads.
    """

    def __init__(
        self,
        config: AugmentConfig,
        *,
        seed: int | None = None,
        threads: int | None = None,
        processes: AugmentProcesses | None = None,
    ) -> None:
        self._config = _checked_config(config)
        self._seeds = np.random.SeedSequence(seed)
        self._threads = max(1, int(threads or os.cpu_count() or 1))
        self._pool: ThreadPoolExecutor | None = None
        self._processes = processes

    @property
    def config(self) -> AugmentConfig:
        """Settings in force."""
        return self._config

    @property
    def threads(self) -> int:
        """Number of worker threads."""
        return self._threads

    def set_config(self, config: AugmentConfig) -> None:
        """Use ``config`` from the next call on (e.g. after a live change)."""
        self._config = _checked_config(config)

    def affine(self, images: np.ndarray, out_size: int | tuple[int, int]) -> np.ndarray:
        """Random affine warp of each image and centre crop to ``out_size``."""
        return self._run(images, out_size, "affine")

    def intensity(self, images: np.ndarray) -> np.ndarray:
        """Random intensity, colour, blur and noise operations; same shape and dtype."""
        return self._run(images, None, "intensity")

    def __call__(
        self, images: np.ndarray, out_size: int | tuple[int, int]
    ) -> np.ndarray:
        """Affine warp and crop, then intensity operations, chunk by chunk."""
        return self._run(images, out_size, "both")

    def close(self) -> None:
        """Stop the worker threads (a later call starts them again)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __enter__(self) -> Augmenter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(
        self,
        images: np.ndarray,
        out_size: int | tuple[int, int] | None,
        mode: ChunkMode,
    ) -> np.ndarray:
        """:func:`augment_chunk` on each chunk of ``images`` with its generator."""
        cfg = self._config
        images = ops.check_images(images)
        n, height, width, channels = images.shape
        if out_size is not None:
            ops.crop_offset(height, width, out_size)  # fail early on a bad size
            height, width = ops.out_hw(out_size)
        size = chunk_size(n, height * width * channels)
        starts = range(0, n, size)
        seeds = self._seeds.spawn(len(starts))
        if self._processes is not None and n:
            spec = ChunkSpec(mode, cfg, out_size)
            shape = (n, height, width, channels)
            return self._processes.map_rows(spec, images, shape, size, seeds)
        out = np.empty((n, height, width, channels), dtype=images.dtype)

        def run_chunk(index: int) -> None:
            start = starts[index]
            rng = np.random.Generator(np.random.PCG64(seeds[index]))
            part = images[start : start + size]
            augment_chunk(mode, cfg, part, rng, out_size, out[start : start + size])

        if self._threads == 1 or len(starts) == 1:
            for index in range(len(starts)):
                run_chunk(index)
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self._threads, thread_name_prefix="aid-augment"
                )
            for future in [self._pool.submit(run_chunk, i) for i in range(len(starts))]:
                future.result()
        return out


def _checked_config(config: AugmentConfig) -> AugmentConfig:
    if not isinstance(config, AugmentConfig):
        raise ConfigError(f"expected AugmentConfig, got {type(config).__name__}")
    return config
