"""Learning-rate schedules against hand-computed values."""

from __future__ import annotations

import pytest

from aid.train.schedules import cyclical_lr, exponential_lr, scheduled_lr


def test_exponential_decay_values() -> None:
    assert exponential_lr(0, 0.1, 100, 0.5) == pytest.approx(0.1)
    assert exponential_lr(100, 0.1, 100, 0.5) == pytest.approx(0.05)
    assert exponential_lr(50, 0.1, 100, 0.25) == pytest.approx(0.05)


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("triangular", [0.1, 0.55, 1.0, 0.55, 0.1, 0.55, 1.0]),
        ("triangular2", [0.1, 0.55, 1.0, 0.55, 0.1, 0.325, 0.55]),
    ],
)
def test_cyclical_triangular_modes(mode: str, expected: list[float]) -> None:
    values = [cyclical_lr(i, 0.1, 1.0, step_size=2, mode=mode) for i in range(7)]
    assert values == pytest.approx(expected)


def test_cyclical_exp_range_shrinks_by_gamma_power() -> None:
    value = cyclical_lr(2, 0.1, 1.0, step_size=2, mode="exp_range", gamma=0.5)
    assert value == pytest.approx(0.1 + 0.9 * 0.25)


def test_scheduled_lr_step_size_is_in_epochs() -> None:
    params = {"max_lr": 1.0, "step_size_epochs": 2, "mode": "triangular"}
    # 5 steps per epoch -> half cycle of 10 steps: peak at step 10
    assert scheduled_lr("cyclical", params, 0.1, 10, 5) == pytest.approx(1.0)
    assert scheduled_lr("constant", {}, 0.3, 999, 5) == pytest.approx(0.3)
    assert scheduled_lr(
        "exponential", {"decay_steps": 10, "decay_rate": 0.5}, 1.0, 10, 5
    ) == pytest.approx(0.5)
