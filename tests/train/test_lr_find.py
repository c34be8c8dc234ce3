"""The learning-rate range test on a real tiny model."""

from __future__ import annotations

import numpy as np
import pytest

from aid.errors import ConfigError
from aid.train.lr_find import lr_range_test, smooth_losses, suggest_lr


def test_smoothing_is_bias_corrected_and_suggestion_follows_steepest_descent() -> None:
    assert smooth_losses(np.full(5, 2.0)) == pytest.approx(np.full(5, 2.0))
    lrs = np.logspace(-6, 0, 60)
    losses = 1 / (1 + np.exp(4 * (np.log10(lrs) + 3)))  # steepest fall at 1e-3
    losses[-5:] = [1, 2, 4, 8, 16]
    suggested, min_loss_lr = suggest_lr(lrs, smooth_losses(losses, beta=0.0))
    assert 3e-4 < suggested < 3e-3 and min_loss_lr > suggested
    assert suggest_lr(lrs[:3], losses[:3])[0] == pytest.approx(lrs[0])  # clamped


def test_suggestion_stays_a_decade_below_a_dip_just_before_divergence() -> None:
    lrs = np.logspace(-6, 0, 60)
    losses = np.ones(60)
    losses[48:52] = [0.98, 0.95, 0.9, 0.85]  # last dip at lr ~0.07, then blow-up
    losses[52:] = np.geomspace(1.2, 20, 8)
    suggested, min_loss_lr = suggest_lr(lrs, losses)
    assert min_loss_lr == pytest.approx(lrs[51])
    assert suggested == pytest.approx(min_loss_lr / 10)


def test_range_test_returns_curve_and_suggestion(tiny_table, tiny_cfg) -> None:
    result = lr_range_test(tiny_cfg, tiny_table, start=1e-5, stop=10.0, steps=40)
    n = len(result.lrs)
    assert 5 <= n <= 40 and len(result.losses) == len(result.smoothed) == n
    assert result.lrs[0] == pytest.approx(1e-5)
    assert np.all(np.diff(np.log(result.lrs)) == pytest.approx(np.log(1e6) / 39))
    assert 1e-5 <= result.suggested_lr <= 10.0
    assert set(result.to_dict()) >= {"suggested_lr", "lrs", "losses", "smoothed"}
    with pytest.raises(ConfigError, match="start < stop"):
        lr_range_test(tiny_cfg, tiny_table, start=1.0, stop=0.1)
