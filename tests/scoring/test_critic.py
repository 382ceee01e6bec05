"""CRITIC: published example, an independent stdlib oracle, variants, bad input, properties."""

from __future__ import annotations

import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from valueloop.errors import InputError
from valueloop.scoring.critic import Conflict, critic_weights

# Tuş, A. & Aytaç Adalı, E. (2019). The new combination with CRITIC and WASPAS methods for
# the time and attendance software selection problem. OPSEARCH 56(2), 528-538 -- five
# software packages x six criteria; CRITIC weights 0.157 0.249 0.168 0.121 0.154 0.151
# (numbers as transcribed in pymcdm's test suite, kotbaton/pymcdm test/test_weights.py,
# which reproduces them with every criterion scaled as a benefit; the paper itself was
# not consulted here, so the cost/benefit labelling of its criteria is not claimed).
TUS_ADALI: list[list[float]] = [
    [5000, 3, 3, 4, 3, 2],
    [680, 5, 3, 2, 2, 1],
    [2000, 3, 2, 3, 4, 3],
    [600, 4, 3, 1, 2, 2],
    [800, 2, 4, 3, 3, 4],
]


def test_tus_adali_2019_example() -> None:
    w = critic_weights(TUS_ADALI)
    assert [round(x, 3) for x in w.weights] == [0.157, 0.249, 0.168, 0.121, 0.154, 0.151]
    assert w.variant == "critic/signed"


def oracle(x: list[list[float]], cost: frozenset[int] = frozenset(), absolute: bool = False) -> list[float]:
    """Diakoulaki et al. (1995) written out with the standard library only."""
    cols = [list(c) for c in zip(*x, strict=True)]
    z = []
    for j, c in enumerate(cols):
        lo, hi = min(c), max(c)
        z.append([(hi - v) / (hi - lo) if j in cost else (v - lo) / (hi - lo) for v in c])
    info = []
    for a in z:
        r = [statistics.correlation(a, b) for b in z]
        info.append(statistics.stdev(a) * sum(1 - (abs(v) if absolute else v) for v in r))
    return [c / sum(info) for c in info]


@pytest.mark.parametrize("absolute", [False, True])
def test_matches_stdlib_oracle(absolute: bool) -> None:
    # Independent reference (no published numbers): statistics.stdev/correlation.
    conflict = Conflict.absolute if absolute else Conflict.signed
    w = critic_weights(TUS_ADALI, cost=["c1"], conflict=conflict)
    assert w.weights == pytest.approx(oracle(TUS_ADALI, frozenset({0}), absolute), abs=1e-12)


def test_cost_criterion_flips_its_scale() -> None:
    assert critic_weights(TUS_ADALI, cost=["c1"]).weights != pytest.approx(critic_weights(TUS_ADALI).weights)


def test_constant_column_gets_zero_and_changes_nothing_else() -> None:
    base = np.array(TUS_ADALI, dtype=float)
    with_flat = np.column_stack([base[:, :2], np.full(5, 7.0), base[:, 2:]])
    w = critic_weights(with_flat).weights
    assert w[2] == 0.0
    assert w[:2] + w[3:] == pytest.approx(critic_weights(base).weights)


def test_single_varying_criterion_takes_all_weight() -> None:
    assert critic_weights([[1, 5], [2, 5], [4, 5]]).weights == (1.0, 0.0)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1, 2], [1, 2]], "undefined"),
        ([[1, 2], [2, 4], [3, 6]], "undefined"),  # perfectly correlated: no conflict at all
        ([[1, 2]], "at least 2 rows"),
    ],
)
def test_bad_input(matrix: list[list[float]], message: str) -> None:
    with pytest.raises(InputError, match=message):
        critic_weights(matrix)


decision_matrices = arrays(
    np.float64,
    st.tuples(st.integers(3, 8), st.integers(2, 6)),
    elements=st.floats(min_value=-100, max_value=100, allow_nan=False).map(lambda v: round(v, 2)),
)


@settings(max_examples=80, deadline=None)
@given(decision_matrices, st.sampled_from(list(Conflict)))
def test_properties(x: np.ndarray, conflict: Conflict) -> None:
    try:
        w = np.array(critic_weights(x, conflict=conflict).weights)
    except InputError:
        return  # no spread, or every varying column perfectly (anti-)correlated
    assert w.sum() == pytest.approx(1.0)
    assert np.all(w >= 0)
    assert critic_weights(x, conflict=conflict).weights == tuple(w)
    perm = np.random.default_rng(x.shape[1]).permutation(x.shape[1])
    np.testing.assert_allclose(critic_weights(x[:, perm], conflict=conflict).weights, w[perm], atol=1e-9)
    np.testing.assert_allclose(critic_weights(x * 3 + 1, conflict=conflict).weights, w, atol=1e-9)
