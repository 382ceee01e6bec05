"""Fuzzy comprehensive evaluation: teaching-material worked examples, hand-computed
operators, bad input, properties.

Sources are weaker here than for the other methods: the textbook clothing examples
(服装评判) were checked against web transcriptions of Chinese teaching material, named
below; the original textbook pages were not available to this test's author.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from valueloop.errors import InputError
from valueloop.scoring.fuzzy import FuzzyOperator, fuzzy_evaluate

GRADES5 = ["很欢迎", "欢迎", "一般", "不欢迎"]
# Clothing, five factors (花色, 样式, 价格, 耐用度, 舒适度), weights (0.1, 0.1, 0.15, 0.3, 0.35).
CLOTHING5 = [
    [0.2, 0.5, 0.3, 0.0],
    [0.1, 0.3, 0.5, 0.1],
    [0.0, 0.1, 0.6, 0.3],
    [0.0, 0.4, 0.5, 0.1],
    [0.5, 0.3, 0.2, 0.0],
]
W5 = [0.1, 0.1, 0.15, 0.3, 0.35]

GRADES4 = ["很欢迎", "较欢迎", "不太欢迎", "不欢迎"]
# Clothing, four factors (花色, 式样, 耐穿程度, 价格), two customer groups' weights.
CLOTHING4 = [[0.2, 0.5, 0.2, 0.1], [0.7, 0.2, 0.1, 0.0], [0.0, 0.4, 0.5, 0.1], [0.2, 0.3, 0.5, 0.0]]
A1 = [0.1, 0.2, 0.3, 0.4]
A2 = [0.4, 0.35, 0.15, 0.1]


def test_weighted_average_clothing_example() -> None:
    # SPSSAU's worked case 模糊综合评价 (reproduced in CSDN blog m0_37228052, article
    # 122450039, 2022): M(·, +) gives 0.205 0.320 0.390 0.085, so the grade is 一般.
    r = fuzzy_evaluate(CLOTHING5, W5, grades=GRADES5)
    assert [round(b, 3) for b in r.membership] == [0.205, 0.320, 0.390, 0.085]
    assert r.grade == "一般"
    assert r.score is None


def test_min_max_clothing_example_and_normalisation() -> None:
    # Lecture "第七讲 模糊综合评价法" (example 1, uploaded at wenku365 p-43535473 and
    # 777doc doc-3277666): M(∧, ∨) gives B = (0.35, 0.30, 0.30, 0.15), normalised
    # (0.32, 0.27, 0.27, 0.14).
    r = fuzzy_evaluate(CLOTHING5, W5, grades=GRADES5, operator=FuzzyOperator.min_max)
    assert [round(b, 2) for b in r.membership] == [0.35, 0.30, 0.30, 0.15]
    n = fuzzy_evaluate(CLOTHING5, W5, grades=GRADES5, operator=FuzzyOperator.min_max, normalise=True)
    assert [round(b, 2) for b in n.membership] == [0.32, 0.27, 0.27, 0.14]
    assert r.grade == n.grade == "很欢迎"


def test_min_max_two_customer_groups() -> None:
    # MATLAB worked example "Example8_4" (服装评判, 主因素决定型; transcription at
    # e-com-net.com article 1276296104417181696): B1 = (0.2, 0.3, 0.4, 0.1) -> 不太欢迎,
    # B2 = (0.35, 0.4, 0.2, 0.1) -> 较欢迎.
    op = FuzzyOperator.min_max
    b1 = fuzzy_evaluate(CLOTHING4, A1, grades=GRADES4, operator=op)
    b2 = fuzzy_evaluate(CLOTHING4, A2, grades=GRADES4, operator=op)
    assert b1.membership == pytest.approx([0.2, 0.3, 0.4, 0.1])
    assert b2.membership == pytest.approx([0.35, 0.4, 0.2, 0.1])
    assert (b1.grade, b2.grade) == ("不太欢迎", "较欢迎")


def test_product_max_and_bounded_sum_by_hand() -> None:
    # Hand-computed from the operator definitions on the four-factor data (no published
    # numbers verified for these two operators):
    # M(·, ∨):  max(.1*.2, .2*.7, .3*0, .4*.2) = .14, ... -> (.14, .12, .20, .03)
    # M(∧, ⊕): min(1, .1+.2+0+.2) = .5, ... -> (.5, .9, .9, .2); first maximum wins the tie.
    pm = fuzzy_evaluate(CLOTHING4, A1, grades=GRADES4, operator=FuzzyOperator.product_max)
    assert pm.membership == pytest.approx([0.14, 0.12, 0.20, 0.03])
    assert pm.grade == "不太欢迎"
    bs = fuzzy_evaluate(CLOTHING4, A1, grades=GRADES4, operator=FuzzyOperator.min_bounded_sum)
    assert bs.membership == pytest.approx([0.5, 0.9, 0.9, 0.2])
    assert bs.grade == "较欢迎"
    capped = fuzzy_evaluate([[1.0], [1.0]], [0.9, 0.9], operator=FuzzyOperator.min_bounded_sum)
    assert capped.membership == (1.0,)


def test_grade_scores_give_the_weighted_mean_score() -> None:
    # Hand-computed: 0.205*100 + 0.32*80 + 0.39*60 + 0.085*40 = 72.9 (B sums to 1).
    r = fuzzy_evaluate(CLOTHING5, W5, grade_scores=[100, 80, 60, 40])
    assert r.score == pytest.approx(72.9)
    m = fuzzy_evaluate(CLOTHING5, W5, grade_scores=[100, 80, 60, 40], operator=FuzzyOperator.min_max)
    assert m.score == pytest.approx((35 + 24 + 18 + 6) / 1.1)


@pytest.mark.parametrize(
    ("membership", "weights", "scores", "message"),
    [
        ([[0.2, 1.2]], [1], None, r"cell \(row 1, col 2\) = 1.2"),
        ([[0.2, 0.8], [0.5, 0.5]], [1], None, "1 weights given for 2 factors"),
        ([[0.2, 0.8]], [1], [1, 2, 3], "3 grade scores given for 2 grades"),
        ([[0.0, 0.0]], [1], None, "every composed membership is 0"),
    ],
)
def test_bad_input(
    membership: list[list[float]], weights: list[float], scores: list[float] | None, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        fuzzy_evaluate(membership, weights, grade_scores=scores)


memberships = arrays(
    np.float64, st.tuples(st.integers(1, 6), st.integers(2, 5)), elements=st.floats(0.01, 1, allow_nan=False)
)


@settings(max_examples=80, deadline=None)
@given(memberships, st.sampled_from(list(FuzzyOperator)), st.data())
def test_properties(r: np.ndarray, op: FuzzyOperator, data: st.DataObject) -> None:
    n = r.shape[0]
    w = np.array(data.draw(st.lists(st.floats(0.05, 1), min_size=n, max_size=n)))
    b = np.array(fuzzy_evaluate(r, w, operator=op).membership)
    assert np.all((b >= 0) & (b <= 1 + 1e-12))
    assert fuzzy_evaluate(r, w, operator=op).membership == tuple(b)
    perm = np.random.default_rng(n).permutation(n)
    np.testing.assert_allclose(fuzzy_evaluate(r[perm], w[perm], operator=op).membership, b, atol=1e-12)
    rows_sum_to_one = r / r.sum(axis=1, keepdims=True)
    if op is FuzzyOperator.product_sum:
        assert sum(fuzzy_evaluate(rows_sum_to_one, w).membership) == pytest.approx(1.0)
