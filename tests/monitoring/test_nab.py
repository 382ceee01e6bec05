"""The NAB scorer against the README's unit check and hand-computed cases.

Hand values: σ(y) = 2/(1 + e^(5y)) − 1, so σ(−1) = 0.986614, σ(−0.6) = 0.905148,
σ(−0.8) = 0.964028, σ(0.25) = −0.554600, σ(0.75) = −0.954045.
"""

from __future__ import annotations

import numpy as np
import pytest

from valueloop.monitoring.nab import PROFILES, Labels, Profile, file_score, normalise, optimise, score_curve, sigmoid

ONES = Profile(tp=1.0, fp=1.0, fn=1.0)
STANDARD = PROFILES["standard"]
TWO_WINDOWS = Labels(100, ((30, 34), (65, 69)), probation=0)


def _detect(n: int, *rows: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[list(rows)] = True
    return out


def test_readme_unit_check() -> None:
    """+1 for the first window, −1 for the missed second, σ(0.75) for row 37."""
    assert file_score(_detect(100, 30, 31, 37), TWO_WINDOWS, ONES) == pytest.approx(-0.9540, abs=5e-5)


def test_sigmoid_shape() -> None:
    assert sigmoid(0.0) == 0.0
    assert sigmoid(-1.0) == pytest.approx(0.986614, abs=1e-6)
    assert sigmoid(3.0) > -1.0 and sigmoid(3.0001) == -1.0


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ((32,), 0.917429 - 1.0),  # σ(−0.6)/σ(−1) for the first window, second missed
        ((32, 30), 1.0 - 1.0),  # the earliest detection counts, once
        ((30, 66, 67, 68), 1.0 + 0.977107),  # row 66: σ(−0.8)/σ(−1); later rows add nothing
        ((10,), -0.11 - 2.0),  # before the first window: −A_FP
        ((35,), -0.11 * 0.554600 - 2.0),  # just after a window: A_FP·σ(1/4)
        ((50,), -0.11 - 2.0),  # y = 16/4 > 3: the full −A_FP
        ((30, 65), 2.0),  # perfect
    ],
)
def test_hand_computed_standard_profile(rows: tuple[int, ...], expected: float) -> None:
    assert file_score(_detect(100, *rows), TWO_WINDOWS, STANDARD) == pytest.approx(expected, abs=1e-5)


def test_window_weight_at_the_fourth_row_from_the_end() -> None:
    """Row 66 of 65–69: y = −(69 − 66 + 1)/5 = −0.8."""
    got = file_score(_detect(100, 30, 66), TWO_WINDOWS, STANDARD)
    assert got == pytest.approx(1.0 + sigmoid(-0.8) / sigmoid(-1.0))


def test_probation_ignores_rows_and_whole_windows() -> None:
    labels = Labels(100, ((30, 34), (65, 69)), probation=35)
    assert file_score(_detect(100, 30, 37), labels, ONES) == pytest.approx(-1.0 - 0.954045, abs=1e-6)
    assert labels.scored_windows == ((65, 69),)
    assert Labels(100, ()).start == 15 and Labels(10_000, ()).start == 750


def test_low_fn_profile_doubles_a_miss() -> None:
    assert file_score(_detect(100), TWO_WINDOWS, PROFILES["reward_low_FN_rate"]) == -4.0
    assert normalise(-4.0, 2, PROFILES["reward_low_FN_rate"]) == 0.0
    assert normalise(2.0, 2, PROFILES["reward_low_FN_rate"]) == 100.0
    assert normalise(0.0, 2, STANDARD) == 50.0


def test_score_curve_equals_file_score_at_every_threshold() -> None:
    rng = np.random.default_rng(7)
    labels = Labels(300, ((60, 80), (150, 151), (200, 230)))
    scores = rng.random(300)
    thetas = np.concatenate([np.unique(scores), [np.inf, -1.0]])
    for profile in PROFILES.values():
        curve = score_curve(scores, labels, profile, thetas)
        direct = [file_score(scores >= th, labels, profile) for th in thetas]
        np.testing.assert_allclose(curve, direct, rtol=1e-12, atol=1e-12)


def test_optimise_finds_the_best_threshold_over_files() -> None:
    """Scores 0.9 at each window start, 0.5 on a few false rows: θ must land above 0.5."""
    labels = Labels(100, ((30, 34), (65, 69)), probation=0)
    scores = np.zeros(100)
    scores[[30, 65]], scores[[5, 50, 90]] = 0.9, 0.5
    best = optimise([(scores, labels), (scores.copy(), labels)], STANDARD)
    assert 0.5 < best.threshold <= 0.9
    assert best.raw == pytest.approx(4.0) and best.score == pytest.approx(100.0)


def test_optimise_null_detector_scores_zero() -> None:
    best = optimise([(np.zeros(100), TWO_WINDOWS)], STANDARD)
    assert best.score == 0.0 and best.raw == -2.0
