"""Original/augmented example pairs for the GUI's augmentation preview."""

from __future__ import annotations

import numpy as np

from aid.augment import ops
from aid.augment.config import AugmentConfig
from aid.augment.pipeline import Augmenter


def preview_pairs(
    images: np.ndarray,
    cfg: AugmentConfig,
    out_size: int,
    *,
    n: int = 8,
    seed: int = 0,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Pick up to ``n`` images and return (original, augmented) pairs.

    Parameters
    ----------
    images
        ``(N, H, W, C)`` images cropped at the training oversize
        (:func:`aid.data.preprocess.oversize`).
    cfg
        Augmentation settings to show.
    out_size
        Model input size; both images of a pair are ``(out_size, out_size, C)``.
    n
        Number of pairs (fewer when there are fewer images).
    seed
        Chooses the images and the random augmentation; same seed, same preview.

    Returns
    -------
    list of tuple of numpy.ndarray
        ``(centre crop of the original, augmented)`` per chosen image.
    """
    images = ops.check_images(images)
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(len(images), size=min(n, len(images)), replace=False))
    picked = images[chosen]
    originals = ops.centre_crop(picked, out_size)
    augmented = Augmenter(cfg, seed=seed, threads=1)(picked, out_size)
    return list(zip(originals, augmented, strict=True))
