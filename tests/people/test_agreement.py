"""Agreement statistics against published examples and reference implementations.

Sources:
* Cohen's kappa, 50 grant proposals (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no) → κ = 0.4:
  the textbook example reproduced at http://howcodex.com/statistics/cohen_kappa_coefficient.htm.
* Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological
  Bulletin 76(5): 30 patients, 6 psychiatrists, 5 diagnoses → κ = 0.430 (0.4302445 in R irr's
  ``kappam.fleiss(diagnoses)``, as used in statsmodels' test_inter_rater.py); and the
  10 × 14-rater Wikipedia table → κ = 0.210 (same statsmodels test file).
* Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", 4 observers × 12 units
  with missing values: ordinal α = 0.815 (also in pln-fing-udelar/fast-krippendorff
  tests/test_krippendorff.py), nominal α = 0.743, interval α = 0.849; and Wikipedia's
  3 coders × 15 units example: nominal 0.691358, interval 0.810845 (fast-krippendorff tests).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from valueloop.stats.agreement import cohen_kappa, fleiss_kappa, krippendorff_alpha

NAN = np.nan
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]
WIKIPEDIA_ALPHA = [
    [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
    [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
]
FLEISS_1971 = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]  # fmt: skip
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]  # fmt: skip


def test_cohen_kappa_grant_proposals() -> None:
    a = ["y"] * 25 + ["n"] * 25
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=40))
def test_cohen_kappa_equals_sklearn(pairs: list[tuple[int, int]]) -> None:
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    for w, sk in (("none", None), ("linear", "linear"), ("quadratic", "quadratic")):
        ours = cohen_kappa(a, b, w)
        if len(set(a) | set(b)) < 2 or np.isnan(ours):
            continue
        ref = cohen_kappa_score(a, b, weights=sk, labels=sorted(set(a) | set(b)))
        assert ours == pytest.approx(ref, abs=1e-9)


def test_fleiss_kappa_published_tables() -> None:
    table, _ = aggregate_raters(np.array(FLEISS_1971))
    assert fleiss_kappa(table) == pytest.approx(0.4302445, abs=1e-7)
    assert round(fleiss_kappa(WIKIPEDIA_FLEISS), 3) == 0.210


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2), min_size=3, max_size=3), min_size=2, max_size=20))
def test_fleiss_kappa_equals_statsmodels(ratings: list[list[int]]) -> None:
    table, _ = aggregate_raters(np.array(ratings))
    if table.shape[1] < 2:  # one category only: undefined (statsmodels warns and divides by zero)
        assert np.isnan(fleiss_kappa(table))
        return
    assert fleiss_kappa(table) == pytest.approx(sm_fleiss(table), abs=1e-9)


def test_fleiss_kappa_rejects_unequal_raters() -> None:
    with pytest.raises(ValueError, match="same number"):
        fleiss_kappa([[2, 1], [1, 1]])


@pytest.mark.parametrize(("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_krippendorff_2011_example(level: str, expected: float) -> None:
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == expected


def test_krippendorff_wikipedia_example() -> None:
    assert round(krippendorff_alpha(WIKIPEDIA_ALPHA, "nominal"), 6) == 0.691358
    assert round(krippendorff_alpha(WIKIPEDIA_ALPHA, "interval"), 6) == 0.810845


def test_krippendorff_degenerate_is_nan_and_perfect_is_one() -> None:
    assert np.isnan(krippendorff_alpha([[1, 1], [1, 1]]))
    assert krippendorff_alpha([[1, 2, 3], [1, 2, 3]], "interval") == 1.0


def test_two_coders_nominal_alpha_matches_cohen_for_large_samples() -> None:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 3, 2000)
    b = np.where(rng.random(2000) < 0.7, a, rng.integers(0, 3, 2000))
    assert krippendorff_alpha([a, b]) == pytest.approx(cohen_kappa(list(a), list(b)), abs=0.01)
