"""Entropy weight method: published example, hand-computed variant, bad input, properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from valueloop.errors import InputError
from valueloop.scoring.entropy import EntropyNormalisation, entropy_weights

MINMAX = EntropyNormalisation.minmax

# Elsayed, E. A., Dawood, A. S. & Karthikeyan, R. (2017). Evaluating alternatives through
# the application of TOPSIS method with entropy weight. Int. J. Engineering Trends and
# Technology 46(2), 60-66 -- 12 alternatives x 5 criteria, entropy weights from the
# proportions of the raw values. Numbers as transcribed in pymcdm's test suite
# (kotbaton/pymcdm test/test_weights.py: 0.104991 0.069124 0.071373 0.449937 0.304575);
# checked here to 4 decimals because the paper itself was not consulted.
ELSAYED: list[list[float]] = [
    [7, 312, 1891, 6613, 163],
    [72, 88, 728, 941804, 1078],
    [10, 252, 2594, 3466, 117471],
    [10, 145, 980, 2371, 86329],
    [65, 54, 350, 501, 29897],
    [29, 48, 380, 912, 34051],
    [7, 476, 3300, 78470, 2212],
    [70, 87, 650, 733, 819000],
    [4, 86, 591, 3015, 103],
    [12, 79, 579, 3240, 96098],
    [21, 45, 261, 1253, 453],
    [1, 72, 530, 4333, 0.104800],
]


def test_elsayed_2017_proportion_variant() -> None:
    w = entropy_weights(ELSAYED)
    assert [round(x, 4) for x in w.weights] == [0.1050, 0.0691, 0.0714, 0.4499, 0.3046]
    assert w.variant == "entropy/proportion"


def _entropy(y: list[float]) -> float:
    p = [v / sum(y) for v in y]
    return -sum(x * math.log(x) for x in p if x > 0) / math.log(len(p))


def test_minmax_variant_by_hand() -> None:
    # Hand-computed reference (no published example verified for this variant):
    # column a = [1, 2, 3] -> [0, 1/2, 1] -> p = [0, 1/3, 2/3];
    # column b (cost) = [10, 30, 20] -> (max - x) / span = [1, 0, 1/2] -> p = [2/3, 0, 1/3];
    # benefit column [10, 40, 20] -> [0, 1, 1/3] -> p = [0, 3/4, 1/4].
    e = _entropy([0, 1 / 2, 1])
    w = entropy_weights([[1, 10], [2, 30], [3, 20]], ["a", "b"], cost=["b"], normalisation=MINMAX)
    assert w.weights == pytest.approx([0.5, 0.5])
    c = entropy_weights([[1, 10], [2, 40], [3, 20]], ["a", "b"], normalisation=MINMAX)
    eb = _entropy([0, 1, 1 / 3])
    assert eb == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)) / math.log(3))
    assert c.weights == pytest.approx([(1 - e) / (2 - e - eb), (1 - eb) / (2 - e - eb)])


def test_proportion_variant_ignores_direction_but_minmax_does_not() -> None:
    x: list[list[float]] = [[1, 10, 4], [2, 40, 4.5], [5, 20, 9]]
    assert entropy_weights(x, cost=["c2"]).weights == entropy_weights(x).weights
    assert entropy_weights(x, cost=["c2"], normalisation=MINMAX).weights != pytest.approx(
        entropy_weights(x, normalisation=MINMAX).weights
    )


def test_constant_column_gets_zero_weight() -> None:
    w = entropy_weights([[3, 1, 0], [3, 2, 0], [3, 4, 0]])
    assert w.weights[0] == 0.0
    assert w.weights[2] == 0.0
    assert w.weights[1] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("matrix", "cost", "message"),
    [
        ([[1, 2], [1, 2]], [], "no criterion varies"),
        ([[1, -2], [3, 4]], [], r"negative at \(row 1, col 2\)"),
        ([[1, 2]], [], "at least 2 rows"),
        ([[1, 2], [3, 4]], ["nope"], "unknown cost criteria nope"),
        ([[1, float("nan")], [3, 4]], [], "missing or infinite"),
    ],
)
def test_bad_input(matrix: list[list[float]], cost: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        entropy_weights(matrix, cost=cost)


def test_minmax_accepts_negative_values() -> None:
    w = entropy_weights([[1, -2], [3, 4], [2, 0]], normalisation=MINMAX)
    assert sum(w.weights) == pytest.approx(1.0)


decision_matrices = arrays(
    np.float64,
    st.tuples(st.integers(2, 8), st.integers(1, 6)),
    elements=st.floats(min_value=0.1, max_value=1000, allow_nan=False),
)


@settings(max_examples=80, deadline=None)
@given(decision_matrices, st.sampled_from(list(EntropyNormalisation)))
def test_properties(x: np.ndarray, normalisation: EntropyNormalisation) -> None:
    try:
        w = np.array(entropy_weights(x, normalisation=normalisation).weights)
    except InputError:
        assert np.allclose(x, x[0])  # only when no column varies
        return
    assert w.sum() == pytest.approx(1.0)
    assert np.all(w >= 0)
    assert entropy_weights(x, normalisation=normalisation).weights == tuple(w)  # deterministic
    perm = np.random.default_rng(x.shape[1]).permutation(x.shape[1])
    np.testing.assert_allclose(entropy_weights(x[:, perm], normalisation=normalisation).weights, w[perm], atol=1e-9)
    rows = np.random.default_rng(x.shape[0]).permutation(x.shape[0])
    np.testing.assert_allclose(entropy_weights(x[rows], normalisation=normalisation).weights, w, atol=1e-9)
    scale = np.arange(1, x.shape[1] + 1, dtype=np.float64)
    np.testing.assert_allclose(entropy_weights(x * scale, normalisation=normalisation).weights, w, atol=1e-9)
