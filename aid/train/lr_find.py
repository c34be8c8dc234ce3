"""Learning-rate range test (Smith 2015; AIDeveloper's "LR finder").

One training sample is drawn and augmented once. Starting from the initial
weights, the learning rate grows geometrically from ``start`` to ``stop`` over
``steps`` batches while the loss is recorded; the loss is smoothed with a
bias-corrected exponentially weighted average (beta 0.98) and the test stops
early when the smoothed loss exceeds four times its best. The weights are
restored afterwards.

Suggested rate: the rate where the smoothed loss falls fastest (the most
negative slope against ``log10(lr)``), ignoring the first 10 % of the curve and
the final blow-up, but at most the rate of the lowest smoothed loss divided by
10 (``min_loss_lr / 10``, the classic rule): a curve that is flat until a last
dip before it diverges has its steepest point at the edge of divergence. With
too few points for a slope the suggestion is ``min_loss_lr / 10``, never below
``start``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from aid.augment import Augmenter
from aid.data.preprocess import normalize
from aid.data.sampling import draw_training_sample
from aid.data.table import DatasetTable
from aid.errors import ConfigError
from aid.train.config import TrainConfig
from aid.train.dataset import event_counts, one_hot
from aid.train.events import BatchEnded, Reporter, ignore_event

SMOOTHING = 0.98
DIVERGENCE_FACTOR = 4.0


@dataclass(frozen=True)
class LrFindResult:
    """The loss-vs-learning-rate curve and the suggested rate."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested_lr: float
    min_loss_lr: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (for ``aid lr-find --json``)."""
        return {
            "suggested_lr": self.suggested_lr,
            "min_loss_lr": self.min_loss_lr,
            "lrs": self.lrs.tolist(),
            "losses": self.losses.tolist(),
            "smoothed": self.smoothed.tolist(),
        }


def smooth_losses(losses: np.ndarray, beta: float = SMOOTHING) -> np.ndarray:
    """Bias-corrected exponentially weighted moving average of ``losses``."""
    out = np.empty(len(losses), dtype=np.float64)
    average = 0.0
    for i, loss in enumerate(losses):
        average = beta * average + (1 - beta) * float(loss)
        out[i] = average / (1 - beta ** (i + 1))
    return out


def suggest_lr(lrs: np.ndarray, smoothed: np.ndarray) -> tuple[float, float]:
    """``(suggested, min_loss_lr)`` for a curve (see the module description)."""
    best = int(np.argmin(smoothed))
    min_loss_lr = float(lrs[best])
    skip = max(1, len(lrs) // 10)
    if best - skip < 3:
        return max(min_loss_lr / 10, float(lrs[0])), min_loss_lr
    slope = np.gradient(smoothed[skip : best + 1], np.log10(lrs[skip : best + 1]))
    steepest = float(lrs[skip + int(np.argmin(slope))])
    return min(steepest, min_loss_lr / 10), min_loss_lr


def lr_range_test(
    config: TrainConfig,
    table: DatasetTable,
    *,
    start: float = 1e-7,
    stop: float = 1.0,
    steps: int | None = None,
    report: Reporter | None = None,
) -> LrFindResult:
    """Run the learning-rate range test for ``config`` on ``table``.

    Parameters
    ----------
    config, table
        As for :func:`aid.train.run.run_training` (start mode, model,
        preprocessing, augmentation, batch size and events per epoch are used).
    start, stop
        First and last learning rate (``0 < start < stop``).
    steps
        Number of batches; default five passes over one epoch's sample.
    report
        Receives a :class:`BatchEnded` per step (``epoch`` 0).

    Raises
    ------
    ConfigError
        For a bad range or step count.
    """
    if not (0 < start < stop and math.isfinite(stop)):
        raise ConfigError(
            f"the LR range must satisfy 0 < start < stop, got {start}, {stop}"
        )
    if steps is not None and steps < 2:
        raise ConfigError(f"the LR range test needs at least 2 steps, got {steps}")
    from aid.train.run import prepare_run

    report = report if report is not None else ignore_event
    config, table, model = prepare_run(config, table)
    x, y = _one_sample(config, table)
    batches = max(1, math.ceil(len(x) / config.batch_size))
    steps = steps or 5 * batches
    factor = (stop / start) ** (1 / max(1, steps - 1))
    initial = model.get_weights()
    order = np.random.default_rng(config.seed).permutation(len(x))
    lrs, losses = [], []
    best = math.inf
    for step in range(steps):
        lr = start * factor**step
        model.optimizer.learning_rate.assign(lr)
        rows = order[
            np.arange(step * config.batch_size, (step + 1) * config.batch_size) % len(x)
        ]
        logs = model.train_on_batch(x[rows], y[rows], return_dict=True)
        loss = float(logs["loss"])
        lrs.append(lr)
        losses.append(loss)
        report(BatchEnded(0, step, {"loss": loss, "learning_rate": lr}))
        smoothed = smooth_losses(np.asarray(losses))[-1]
        if not math.isfinite(loss) or smoothed > DIVERGENCE_FACTOR * best:
            break
        best = min(best, smoothed)
    model.set_weights(initial)
    lr_array, loss_array = np.asarray(lrs), np.asarray(losses)
    finite = np.isfinite(loss_array)
    smoothed_all = smooth_losses(
        np.where(
            finite, loss_array, np.nanmax(loss_array[finite]) if finite.any() else 0.0
        )
    )
    suggested, min_loss_lr = suggest_lr(lr_array, smoothed_all)
    return LrFindResult(lr_array, loss_array, smoothed_all, suggested, min_loss_lr)


def _one_sample(
    config: TrainConfig, table: DatasetTable
) -> tuple[np.ndarray, np.ndarray]:
    """One training sample, augmented once and normalised, with one-hot labels."""
    prep = config.preprocessing
    rng = np.random.default_rng([config.seed, 0, 1])
    sample = draw_training_sample(
        table, prep, rng, events_per_epoch=event_counts(table, config.events_per_epoch)
    )
    with Augmenter(config.augmentation, seed=config.seed) as augmenter:
        images = augmenter.intensity(augmenter.affine(sample.images, prep.input_size))
    return normalize(images, prep), one_hot(sample.labels, table.num_classes)
