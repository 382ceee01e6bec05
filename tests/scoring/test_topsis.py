"""TOPSIS: published worked examples for both normalisations, bad input, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from valueloop.errors import InputError
from valueloop.scoring.topsis import TopsisNormalisation, competition_rank, topsis

# Hwang, C.-L. & Yoon, K. (1981). Multiple Attribute Decision Making: Methods and
# Applications. Springer (Lecture Notes in Economics and Mathematical Systems 186),
# TOPSIS worked example on pp. 133-134 (page numbers as cited by the transcription in the
# mcdajs package's example file): buying a fighter aircraft A1..A4 on maximum speed,
# ferry range, maximum payload, acquisition cost (the one cost criterion), reliability
# and manoeuvrability (the last two rated on the 1-9 interval scale), weights
# (0.2, 0.1, 0.1, 0.1, 0.2, 0.3). Published: S* = 0.0545 0.1197 0.0580 0.1009,
# S- = 0.0983 0.0439 0.0920 0.0458, C* = 0.643 0.268 0.613 0.312, so A1 > A3 > A4 > A2.
# The book rounds its intermediate steps, hence the tolerances of one unit in the last
# published digit (our unrounded C*3 = 0.61354).
AIRCRAFT = [
    [2.0, 1500, 20000, 5.5, 5, 9],
    [2.5, 2700, 18000, 6.5, 3, 5],
    [1.8, 2000, 21000, 4.5, 7, 7],
    [2.2, 1800, 20000, 5.0, 5, 5],
]
AIRCRAFT_WEIGHTS = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]


def test_hwang_yoon_1981_fighter_aircraft() -> None:
    r = topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, cost=["c4"])
    np.testing.assert_allclose(r.closeness, [0.643, 0.268, 0.613, 0.312], atol=1e-3)
    np.testing.assert_allclose(r.d_best, [0.0545, 0.1197, 0.0580, 0.1009], atol=1e-4)
    np.testing.assert_allclose(r.d_worst, [0.0983, 0.0439, 0.0920, 0.0458], atol=1e-4)
    assert r.rank == (1, 4, 2, 3)
    assert r.variant == "topsis/vector"


def test_opricovic_tzeng_2004_minmax() -> None:
    # Opricovic, S. & Tzeng, G.-H. (2004). Compromise solution by MCDM methods: a
    # comparative analysis of VIKOR and TOPSIS. EJOR 156(2), 445-455 -- three alternatives,
    # f1 (cost) = 1, 2, 5 and f2 (benefit) = 3000, 3750, 4500, equal weights; closeness
    # 0.500 0.617 0.500 (as transcribed in pymcdm's test suite, kotbaton/pymcdm
    # test/test_mcdm.py, which obtains it with linear min-max normalisation).
    r = topsis([[1, 3000], [2, 3750], [5, 4500]], [0.5, 0.5], cost=["c1"], normalisation=TopsisNormalisation.minmax)
    assert [round(c, 3) for c in r.closeness] == [0.500, 0.617, 0.500]
    assert r.rank == (2, 1, 2)


def test_weights_are_scaled_and_names_kept() -> None:
    a = topsis(AIRCRAFT, [2, 1, 1, 1, 2, 3], alternatives=["A1", "A2", "A3", "A4"], cost=["c4"])
    b = topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, cost=["c4"])
    assert a.closeness == pytest.approx(b.closeness)
    assert a.alternatives == ("A1", "A2", "A3", "A4")


def test_competition_rank_shares_ties() -> None:
    assert competition_rank(np.array([0.2, 0.9, 0.2, 0.5])) == (3, 1, 3, 2)


@pytest.mark.parametrize(
    ("weights", "cost", "message"),
    [
        ([0.5, 0.5, 0.5], [], "3 weights given for 2 criteria"),
        ([1, -1], [], "must not be negative"),
        ([0, 0], [], "sum to 0"),
        ([1, 1], ["c9"], "unknown cost criteria c9"),
    ],
)
def test_bad_input(weights: list[float], cost: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        topsis([[1, 2], [3, 4]], weights, cost=cost)


def test_identical_alternatives_cannot_be_ranked() -> None:
    with pytest.raises(InputError, match="separates"):
        topsis([[1, 2], [1, 2]], [1, 1])


matrices = arrays(
    np.float64,
    st.tuples(st.integers(2, 7), st.integers(1, 5)),
    elements=st.floats(min_value=0.5, max_value=100, allow_nan=False).map(lambda v: round(v, 1)),
)


@settings(max_examples=80, deadline=None)
@given(matrices, st.sampled_from(list(TopsisNormalisation)), st.data())
def test_properties(x: np.ndarray, how: TopsisNormalisation, data: st.DataObject) -> None:
    m, n = x.shape
    w = np.array(data.draw(st.lists(st.floats(0.05, 1), min_size=n, max_size=n)))
    try:
        r = topsis(x, w, normalisation=how)
    except InputError:
        assert np.allclose(x, x[0])  # only identical alternatives cannot be ranked
        return
    c = np.array(r.closeness)
    assert np.all((c >= 0) & (c <= 1))
    assert topsis(x, w, normalisation=how) == r
    rows = np.random.default_rng(m).permutation(m)
    np.testing.assert_allclose(topsis(x[rows], w, normalisation=how).closeness, c[rows], atol=1e-9)
    cols = np.random.default_rng(n).permutation(n)
    np.testing.assert_allclose(topsis(x[:, cols], w[cols], normalisation=how).closeness, c, atol=1e-9)
    np.testing.assert_allclose(topsis(x * np.arange(1, n + 1), w * 7, normalisation=how).closeness, c, atol=1e-9)
    best = np.argmax(c)
    assert r.rank[best] == 1


def test_dominant_alternative_is_the_ideal() -> None:
    r = topsis([[9, 1], [5, 5], [1, 9]], [1, 1], cost=["c2"])
    assert r.closeness[0] == pytest.approx(1.0)
    assert r.closeness[2] == pytest.approx(0.0)
