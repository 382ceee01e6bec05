"""Scoring rules: hand-computed scores per rule, spec errors, and a contract over RULES."""

from __future__ import annotations

from typing import Any, get_args

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from valueloop.errors import SpecError
from valueloop.scoring.rules import RULES, band_scores, score_values
from valueloop.spec.model import Bands, Direction, Indicator, Scale, ScoringRule

NAN = np.nan


def indicator(rule: dict[str, Any], direction: str = "higher", **extra: Any) -> Indicator:
    return Indicator.model_validate(
        {
            "id": "x",
            "name": "X",
            "dataset": "feedback",
            "measure": {"type": "mean", "field": "csat"},
            "direction": direction,
            "scoring": rule,
            **extra,
        }
    )


def score(
    values: list[float],
    rule: dict[str, Any],
    direction: str = "higher",
    scale: Scale = Scale.five,
    benchmark: float | None = None,
) -> list[float]:
    return score_values(np.array(values, dtype=float), indicator(rule, direction), scale, benchmark).tolist()


# --- linear ---------------------------------------------------------------------------------


def test_linear_higher_on_both_scales() -> None:
    rule = {"rule": "linear", "worst": 1, "best": 5}
    # 3 is halfway from 1 to 5: 1 + 4 * 0.5 = 3 on 1-5, 100 * 0.5 = 50 on 0-100; 0 and 6 clip.
    assert score([1, 3, 5, 0, 6], rule) == pytest.approx([1, 3, 5, 1, 5])
    assert score([1, 3, 4.2], rule, scale=Scale.hundred) == pytest.approx([0, 50, 80])


def test_linear_lower_is_better_via_worst_above_best() -> None:
    # Waiting seconds, worst 120, best 30: 75 s is (75 - 120) / (30 - 120) = 0.5 → 3; 150 s clips to 1.
    rule = {"rule": "linear", "worst": 120, "best": 30}
    assert score([75, 30, 150, 10], rule, direction="lower") == pytest.approx([3, 5, 1, 5])


def test_linear_needs_a_slope() -> None:
    with pytest.raises(SpecError, match="worst != best"):
        score([1.0], {"rule": "linear", "worst": 2, "best": 2})


# --- bands ----------------------------------------------------------------------------------


def test_bands_higher_default_scores() -> None:
    rule = {"rule": "bands", "thresholds": [4.5, 4.0, 3.5, 3.0]}
    # ≥ 4.5 → 5, ≥ 4.0 → 4, ≥ 3.5 → 3, ≥ 3.0 → 2, else 1; thresholds are inclusive.
    assert score([4.6, 4.5, 4.2, 3.5, 3.2, 2.0, NAN], rule) == pytest.approx([5, 5, 4, 3, 2, 1, NAN], nan_ok=True)
    # On 0-100 the 5 band scores are evenly spaced: 100, 75, 50, 25, 0.
    assert score([4.6, 4.2, 2.0], rule, scale=Scale.hundred) == pytest.approx([100, 75, 0])


def test_bands_lower_and_custom_scores() -> None:
    rule = {"rule": "bands", "thresholds": [30, 60, 120], "scores": [100, 80, 50, 0]}
    # ≤ 30 → 100, ≤ 60 → 80, ≤ 120 → 50, else 0.
    assert score([20, 60, 100, 500], rule, direction="lower", scale=Scale.hundred) == pytest.approx([100, 80, 50, 0])


def test_band_scores_for_other_threshold_counts() -> None:
    rule = Bands(rule="bands", thresholds=(0.9, 0.8))
    assert band_scores(rule, Scale.five).tolist() == pytest.approx([5, 3, 1])


@pytest.mark.parametrize(
    ("rule", "direction", "message"),
    [
        ({"rule": "bands", "thresholds": [3.0, 4.0]}, "higher", "descending"),
        ({"rule": "bands", "thresholds": [60, 30]}, "lower", "ascending"),
        ({"rule": "bands", "thresholds": [4.0, 3.0], "scores": [5, 1]}, "higher", "need 3 scores"),
    ],
)
def test_bands_spec_errors(rule: dict[str, Any], direction: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        score([3.5], rule, direction=direction)


# --- percentile -----------------------------------------------------------------------------


def test_percentile_average_ranks_for_ties() -> None:
    # Ranks 1, 2.5, 2.5, 4 → (rank - 1) / 3 = 0, 0.5, 0.5, 1 → 1, 3, 3, 5 on 1-5.
    assert score([10, 20, 20, 40], {"rule": "percentile"}) == pytest.approx([1, 3, 3, 5])
    assert score([10, 20, 20, 40], {"rule": "percentile"}, direction="lower") == pytest.approx([5, 3, 3, 1])


def test_percentile_ties_values_equal_but_for_float_rounding() -> None:
    # The shrunk mean of a tiny sample landed one step above identical peers and took first place.
    a = 4.752873563218391
    assert score([a, a, np.nextafter(a, 5.0)], {"rule": "percentile"}) == pytest.approx([3, 3, 3])
    assert score([1e-300, 2e-300, 0.0, 7e12, 7e12 + 1e3], {"rule": "percentile"}) == pytest.approx([2, 3, 1, 4, 5])


def test_percentile_ignores_missing_peers_and_a_lone_peer_tops() -> None:
    assert score([10, NAN, 30], {"rule": "percentile"}, scale=Scale.hundred) == pytest.approx(
        [0, NAN, 100], nan_ok=True
    )
    assert score([7], {"rule": "percentile"}) == [5.0]


# --- target ---------------------------------------------------------------------------------


def test_target_higher_with_cap() -> None:
    # Target 0.9: 0.45 attains 0.5 → 1 + 4 * 0.5 = 3; 1.0 attains 1.11, capped at 1 → 5.
    assert score([0.45, 0.9, 1.0], {"rule": "target", "target": 0.9}) == pytest.approx([3, 5, 5])
    # cap 1.2: 0.99 / 0.9 = 1.1 → 1 + 4 * 1.1 / 1.2 = 4.6667.
    assert score([0.99], {"rule": "target", "target": 0.9, "cap": 1.2}) == pytest.approx([1 + 4 * 1.1 / 1.2])


def test_target_lower_defaults_to_the_benchmark() -> None:
    # Benchmark 60 s: 120 s attains 60 / 120 = 0.5 → 50; 0 s (or less) is full attainment.
    out = score([120, 0, 30, -5], {"rule": "target"}, direction="lower", scale=Scale.hundred, benchmark=60)
    assert out == pytest.approx([50, 100, 100, 100])
    # Higher is better: a negative value attains nothing (-0.3 / 0.9 < 0 → 0 → scale minimum).
    assert score([-0.3], {"rule": "target", "target": 0.9}) == [1.0]


@pytest.mark.parametrize(("target", "benchmark"), [(None, None), (0.0, None), (None, -1.0)])
def test_target_needs_a_positive_target(target: float | None, benchmark: float | None) -> None:
    with pytest.raises(SpecError, match="positive target"):
        score([1.0], {"rule": "target", "target": target}, benchmark=benchmark)


# --- the registry contract ------------------------------------------------------------------


def test_every_spec_rule_is_registered() -> None:
    union = get_args(get_args(ScoringRule)[0])
    names = {get_args(kind.model_fields["rule"].annotation)[0] for kind in union}
    assert set(RULES) == names


def contract_rule(name: str, direction: str) -> dict[str, Any]:
    """A rule of each kind that makes sense for values in [0, 100] in ``direction``."""
    higher = direction == "higher"
    return {
        "linear": {"rule": "linear", "worst": 0 if higher else 100, "best": 100 if higher else 0},
        "bands": {"rule": "bands", "thresholds": [80, 60, 40, 20] if higher else [20, 40, 60, 80]},
        "percentile": {"rule": "percentile"},
        "target": {"rule": "target", "target": 50},
    }[name]


values_with_gaps = arrays(
    np.float64, st.integers(0, 12), elements=st.one_of(st.just(NAN), st.floats(0, 100, allow_nan=False))
)


@pytest.mark.parametrize("name", sorted(RULES))
@pytest.mark.parametrize("direction", ["higher", "lower"])
@pytest.mark.parametrize("scale", list(Scale))
@settings(max_examples=40, deadline=None)
@given(x=values_with_gaps)
def test_rule_contract(name: str, direction: str, scale: Scale, x: np.ndarray) -> None:
    ind = indicator(contract_rule(name, direction), direction)
    rule = RULES[name]
    out = rule(x, ind, scale, 50.0)
    assert out.shape == x.shape
    np.testing.assert_array_equal(out, rule(x.copy(), ind, scale, 50.0))  # deterministic
    assert np.array_equal(np.isnan(out), np.isnan(x))  # NaN in ↔ NaN out
    low, high = scale.bounds
    assert np.all((out[~np.isnan(out)] >= low) & (out[~np.isnan(out)] <= high))
    known = ~np.isnan(x)
    order = np.argsort(x[known], kind="stable")
    steps = np.diff(out[known][order])
    assert np.all(steps >= -1e-9) if ind.direction is Direction.HIGHER else np.all(steps <= 1e-9)


@pytest.mark.parametrize("name", sorted(RULES))
def test_rule_contract_empty_and_all_missing(name: str) -> None:
    ind = indicator(contract_rule(name, "higher"))
    assert RULES[name](np.array([]), ind, Scale.five, 50.0).shape == (0,)
    assert np.isnan(RULES[name](np.array([NAN, NAN]), ind, Scale.five, 50.0)).all()
