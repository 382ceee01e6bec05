"""LMG: oracle against averaging sequential R² over every ordering, the swiss example, and R² additivity."""

from __future__ import annotations

from itertools import permutations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from valueloop.diagnosis.ipa import Quadrant, quadrants
from valueloop.diagnosis.lmg import bootstrap, lmg
from valueloop.errors import InputError

SWISS = pd.read_csv(Path(__file__).with_name("swiss.csv"), index_col=0)  # R datasets::swiss (via Rdatasets)


def _r2(y: np.ndarray, x: np.ndarray, cols: list[int]) -> float:
    return float(sm.OLS(y, sm.add_constant(x[:, cols])).fit().rsquared) if cols else 0.0


def _by_orderings(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """LMG by its definition: the mean over all p! orderings of each regressor's sequential R² gain."""
    p = x.shape[1]
    gains = np.zeros(p)
    orders = list(permutations(range(p)))
    for order in orders:
        for i, j in enumerate(order):
            gains[j] += _r2(y, x, list(order[: i + 1])) - _r2(y, x, list(order[:i]))
    return gains / len(orders)


def test_swiss_example_matches_the_definition_and_the_full_model_r2() -> None:
    y, x = SWISS["Fertility"].to_numpy(float), SWISS.drop(columns="Fertility").to_numpy(float)
    result = lmg(y, x)
    assert result.r2 == pytest.approx(0.7067, abs=5e-5)  # summary(lm(Fertility ~ ., swiss)): R² 0.7067
    assert result.r2 == pytest.approx(_r2(y, x, list(range(5))), rel=1e-12)
    assert result.shares == pytest.approx(tuple(_by_orderings(y, x)), rel=1e-9)
    # Agriculture, Examination, Education, Catholic, Infant.Mortality
    assert result.shares == pytest.approx((0.0571, 0.1712, 0.2601, 0.1056, 0.1128), abs=5e-5)


@pytest.mark.parametrize("p", [1, 3, 7, 12])
def test_shares_are_non_negative_and_sum_to_r2(p: int) -> None:
    rng = np.random.default_rng(p)
    x = rng.normal(size=(80, p)) @ rng.normal(size=(p, p))  # correlated drivers
    y = x @ rng.normal(size=p) + rng.normal(size=80) * 2
    result = lmg(y, x)
    assert sum(result.shares) == pytest.approx(result.r2, rel=1e-10)
    assert min(result.shares) >= -1e-12


def test_collinear_drivers_still_decompose() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(size=50)
    x = np.column_stack([a, 2 * a, rng.normal(size=50)])
    result = lmg(a + x[:, 2] + rng.normal(size=50), x)
    assert sum(result.shares) == pytest.approx(result.r2)
    assert result.shares[0] == pytest.approx(result.shares[1])


def test_degenerate_input_says_so() -> None:
    with pytest.raises(InputError, match="does not vary"):
        lmg(np.arange(10.0), np.ones((10, 1)))
    with pytest.raises(InputError, match="more observations"):
        lmg(np.arange(3.0), np.ones((3, 2)))


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    y, x = SWISS["Fertility"].to_numpy(float), SWISS.drop(columns="Fertility").to_numpy(float)
    clusters = np.arange(len(y), dtype=np.int64)
    low, high = bootstrap(y, x, clusters, replicates=100, seed=1)
    again = bootstrap(y, x, clusters, replicates=100, seed=1)
    assert np.array_equal(low, again[0]) and np.array_equal(high, again[1])
    shares = np.array(lmg(y, x).shares)
    assert np.all(low <= shares) and np.all(shares <= high)


def test_ipa_quadrants_split_at_the_means() -> None:
    quads = quadrants({"a": 0.3, "b": 0.3, "c": 0.1, "d": 0.1}, {"a": 2.0, "b": 4.0, "c": 2.0, "d": 4.0})
    assert quads == {
        "a": Quadrant.concentrate,
        "b": Quadrant.keep_up,
        "c": Quadrant.low_priority,
        "d": Quadrant.overkill,
    }
