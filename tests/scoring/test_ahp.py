"""AHP: published worked examples, independent oracles, bad input, properties."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from valueloop.errors import InputError
from valueloop.scoring.ahp import (
    RANDOM_INDEX,
    PriorityMethod,
    RandomIndexTable,
    aggregate_judgements,
    ahp,
    check_pairwise,
    group_ahp,
    random_index,
)


def matrix(text: str) -> np.ndarray:
    return np.array([[float(Fraction(x)) for x in row.split()] for row in text.strip().splitlines()])


# Saaty, T. L. (1990). How to make a decision: The Analytic Hierarchy Process.
# European Journal of Operational Research 48(1), 9-26 -- the house-buying example, its
# 8 x 8 matrix of the criteria (size, transportation, neighbourhood, age, yard, modern
# facilities, general condition, financing), published with the priority vector
# .173 .054 .188 .018 .031 .036 .167 .333, lambda_max = 9.669, C.I. = 0.238, C.R. = 0.169.
HOUSE = matrix("""
1   5   3   7 6   6   1/3 1/4
1/5 1   1/3 5 3   3   1/5 1/7
1/3 3   1   6 3   4   6   1/5
1/7 1/5 1/6 1 1/3 1/4 1/7 1/8
1/6 1/3 1/3 3 1   1/2 1/5 1/6
1/6 1/3 1/4 4 2   1   1/5 1/6
3   5   1/6 7 5   5   1   1/2
4   7   5   8 6   6   2   1
""")
HOUSE_WEIGHTS = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]

# Saaty, T. L. (2008). Decision making with the analytic hierarchy process.
# Int. J. Services Sciences 1(1), 83-98 -- "which drink is consumed more in the US?"
# (coffee, wine, tea, beer, sodas, milk, water); published eigenvector
# .177 .019 .042 .116 .190 .129 .327 and C.R. = 0.022.
DRINKS = matrix("""
1   9 5   2   1   1   1/2
1/9 1 1/3 1/9 1/9 1/9 1/9
1/5 3 1   1/3 1/4 1/3 1/9
1/2 9 3   1   1/2 1   1/3
1   9 4   2   1   2   1/2
1   9 3   1   1/2 1   1/3
2   9 9   3   2   3   1
""")

# Wang, Y.-M. & Chin, K.-S. (2011). A linear programming approximation to the
# eigenvector method in the analytic hierarchy process. Information Sciences 181(23),
# 5240-5248 -- 6 x 6 example with eigenvector weights 0.3208 0.1395 0.0348 0.1285
# 0.2374 0.1391 (numbers as transcribed in the test suite of the pymcdm package,
# kotbaton/pymcdm test/test_weights.py; the paper itself was not consulted here).
WANG_CHIN = matrix("""
1   4   3 1   3   4
1/4 1   7 3   1/5 1
1/3 1/7 1 1/5 1/5 1/6
1   1/3 5 1   1   1/3
1/3 5   5 1   1   3
1/4 1   6 3   1/3 1
""")


def test_saaty_1990_house_example() -> None:
    r = ahp(HOUSE)
    assert [round(w, 3) for w in r.weights] == HOUSE_WEIGHTS
    assert round(r.lambda_max, 3) == 9.669
    assert round(r.ci, 3) == 0.238
    assert round(r.cr, 3) == 0.169
    assert not r.consistent
    assert r.worst_judgement is not None


def test_saaty_2008_drinks_example() -> None:
    r = ahp(DRINKS)
    assert [round(w, 3) for w in r.weights] == [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]
    assert round(r.cr, 3) == 0.022
    assert r.consistent
    assert r.worst_judgement is None


def test_wang_chin_2011_eigenvector_example() -> None:
    r = ahp(WANG_CHIN)
    assert [round(w, 4) for w in r.weights] == [0.3208, 0.1395, 0.0348, 0.1285, 0.2374, 0.1391]


def test_eigenvector_matches_power_iteration() -> None:
    # Independent oracle (no published number): plain power iteration vs numpy's eig.
    w = np.ones(8) / 8
    for _ in range(500):
        w = HOUSE @ w
        w /= w.sum()
    r = ahp(HOUSE)
    np.testing.assert_allclose(r.weights, w, atol=1e-10)
    assert r.lambda_max == pytest.approx(float((HOUSE @ w / w).mean()), abs=1e-9)


def test_geometric_mean_equals_log_least_squares() -> None:
    # Crawford & Williams (1985, J. Math. Psychology 29:387-405) prove the row geometric
    # mean solves min Σ (ln a_ij - ln w_i + ln w_j)²; we solve that least-squares problem
    # independently with numpy.lstsq as the reference (no published numbers used).
    n = HOUSE.shape[0]
    rows, rhs = [], []
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            e = np.zeros(n)
            e[i], e[j] = 1.0, -1.0
            rows.append(e)
            rhs.append(np.log(HOUSE[i, j]))
    rows.append(np.ones(n))
    rhs.append(0.0)
    logw = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)[0]
    expected = np.exp(logw) / np.exp(logw).sum()
    r = ahp(HOUSE, method=PriorityMethod.geometric_mean)
    np.testing.assert_allclose(r.weights, expected, atol=1e-12)
    assert r.lambda_max == pytest.approx(9.669, abs=5e-4)  # λmax is always the principal eigenvalue


def test_random_index_tables() -> None:
    saaty = [0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]
    assert [random_index(n) for n in range(3, 11)] == saaty
    # Alonso & Lamata (2006), IJUFKS 14(4):445-459, table of RI from 100,000 matrices.
    assert RANDOM_INDEX[RandomIndexTable.alonso_lamata][3] == 0.5245
    assert RANDOM_INDEX[RandomIndexTable.alonso_lamata][10] == 1.4854
    assert random_index(1) == random_index(2) == 0.0
    with pytest.raises(InputError, match="n = 11"):
        random_index(11)
    assert random_index(11, RandomIndexTable.alonso_lamata) == 1.5141
    assert random_index(4, {4: 0.8}) == 0.8


def test_alonso_lamata_option_changes_only_cr() -> None:
    saaty = ahp(HOUSE)
    al = ahp(HOUSE, random_index_table=RandomIndexTable.alonso_lamata)
    assert al.weights == saaty.weights
    assert al.cr == pytest.approx(saaty.ci / 1.4056)
    assert al.variant == "ahp/eigenvector/ri=alonso-lamata"


@pytest.mark.parametrize(("m", "weights"), [([[1.0]], [1.0]), ([[1, 3], [1 / 3, 1]], [0.75, 0.25])])
def test_one_or_two_criteria_are_always_consistent(m: list[list[float]], weights: list[float]) -> None:
    r = ahp(m)
    assert r.weights == pytest.approx(weights)
    assert (r.ci, r.cr, r.consistent) == (0.0, 0.0, True)


def test_worst_judgement_finds_the_perturbed_cell() -> None:
    # Constructed oracle: a consistent matrix with one judgement reversed.
    w = np.array([0.5, 0.25, 0.15, 0.1])
    a = w[:, None] / w[None, :]
    a[1, 2], a[2, 1] = 1 / 5, 5
    r = ahp(a, ["a", "b", "c", "d"])
    assert not r.consistent
    assert r.worst_judgement is not None
    assert (r.worst_judgement.row, r.worst_judgement.col, r.worst_judgement.given) == ("b", "c", 0.2)


def test_non_reciprocal_cell_is_named() -> None:
    with pytest.raises(InputError) as err:
        check_pairwise(np.array([[1, 3, 5], [1 / 3, 1, 0.5], [1 / 5, 3, 1]]))
    assert "cell (row 2, col 3) = 0.5 is not the reciprocal of cell (row 3, col 2) = 3" in str(err.value)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InputError) as err:
        check_pairwise(np.array([[1, 3, 5], [1, 1, 2], [1 / 5, 2, 1]]))
    assert "(row 1, col 2)" in str(err.value)
    assert "(row 2, col 3)" in str(err.value)


@pytest.mark.parametrize("bad", [0, -2])
def test_non_positive_cell_is_named(bad: float) -> None:
    with pytest.raises(InputError, match=rf"cell \(row 1, col 2\) = {bad} is not positive"):
        ahp([[1, bad], [0.5, 1]])


def test_rounded_reciprocals_are_accepted() -> None:
    r = ahp(np.array([[1, 3, 8], [0.33, 1, 2], [0.13, 0.5, 1]]))
    assert sum(r.weights) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("m", "message"),
    [([[1, 2, 3], [0.5, 1, 2]], "square"), ([[2, 1], [1, 1]], r"\(row 1, col 1\) = 2 must be 1")],
)
def test_malformed_matrix_is_rejected(m: list[list[float]], message: str) -> None:
    with pytest.raises(InputError, match=message):
        ahp(m)


def test_group_ahp_is_the_geometric_mean_of_judgements() -> None:
    # Hand-computed: geometric mean of 2 and 8 is 4, of 1/3 and 3 is 1; weighted 3:1,
    # 2^0.75 * 8^0.25 = 2^1.5.
    e1 = np.array([[1, 2, 1 / 3], [1 / 2, 1, 1], [3, 1, 1]])
    e2 = np.array([[1, 8, 3], [1 / 8, 1, 1], [1 / 3, 1, 1]])
    np.testing.assert_allclose(aggregate_judgements([e1, e2]), np.array([[1, 4, 1], [1 / 4, 1, 1], [1, 1, 1]]))
    assert aggregate_judgements([e1, e2], [3, 1])[0, 1] == pytest.approx(2**1.5)
    assert group_ahp([HOUSE, HOUSE]).weights == pytest.approx(ahp(HOUSE).weights)


def test_group_aij_with_geometric_mean_equals_aip() -> None:
    # Identity (Forman & Peniwati 1998, EJOR 108:165-169): with row geometric means,
    # aggregating judgements (AIJ) equals the normalised geometric mean of priorities (AIP).
    gm = PriorityMethod.geometric_mean
    individual = np.array([ahp(m, method=gm).weights for m in (HOUSE, HOUSE.T)])
    aip = np.exp(np.log(individual).mean(axis=0))
    r = group_ahp([HOUSE, HOUSE.T], method=gm)
    np.testing.assert_allclose(r.weights, aip / aip.sum(), atol=1e-12)
    assert r.variant.startswith("group-aij/")


def test_group_ahp_names_the_bad_expert() -> None:
    with pytest.raises(InputError, match="expert 2: cell"):
        group_ahp([np.array([[1, 2], [0.5, 1]]), np.array([[1, 2], [2, 1]])])
    with pytest.raises(InputError, match="differ in size"):
        group_ahp([np.array([[1, 2], [0.5, 1]]), np.array([[1.0]])])


SAATY_SCALE = [1 / 9, 1 / 7, 1 / 5, 1 / 3, 1 / 2, 1, 2, 3, 5, 7, 9]


@st.composite
def judgement_matrices(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(min_value=1, max_value=9))
    a = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a[i, j] = draw(st.sampled_from(SAATY_SCALE))
            a[j, i] = 1 / a[i, j]
    return a


@settings(max_examples=60, deadline=None)
@given(judgement_matrices(), st.sampled_from(list(PriorityMethod)))
def test_properties(a: np.ndarray, method: PriorityMethod) -> None:
    r = ahp(a, method=method)
    w = np.array(r.weights)
    assert w.sum() == pytest.approx(1.0)
    assert np.all(w > 0)
    assert r.cr >= 0
    assert r.ci >= 0
    assert ahp(a, method=method) == r  # deterministic
    perm = np.random.default_rng(a.shape[0]).permutation(a.shape[0])
    permuted = ahp(a[np.ix_(perm, perm)], method=method)
    np.testing.assert_allclose(permuted.weights, w[perm], atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0.05, max_value=20), min_size=3, max_size=10))
def test_consistent_matrix_recovers_its_weights(raw: list[float]) -> None:
    w = np.array(raw) / sum(raw)
    r = ahp(w[:, None] / w[None, :])
    np.testing.assert_allclose(r.weights, w, atol=1e-9)
    assert r.cr == pytest.approx(0.0, abs=1e-9)
    assert r.consistent
