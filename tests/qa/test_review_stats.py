"""Review sampling and agreement per item: deterministic samples; statistics equal scikit-learn and statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from valueloop.qa.agreement import LABELS, Review, item_agreement
from valueloop.qa.sampling import Candidate, allocation, sample

POOL = [Candidate(f"C{k:03d}", f"A{k % 4 if k < 90 else 9}", (k * 37 % 100) / 100) for k in range(100)]


def test_samples_are_deterministic_and_independent_of_input_order() -> None:
    for method in ("random", "stratified", "uncertain"):
        a = sample(POOL, 12, method, seed=3)  # type: ignore[arg-type]
        assert a == sample(list(reversed(POOL)), 12, method, seed=3)  # type: ignore[arg-type]
        assert len(set(a)) == 12
    assert sample(POOL, 12, "random", seed=3) != sample(POOL, 12, "random", seed=4)
    assert sample(POOL[:5], 12, "random") == [c.conversation_id for c in POOL[:5]]


def test_stratified_keeps_a_small_stratum_and_uncertain_takes_the_closest_calls() -> None:
    chosen = set(sample(POOL, 8, "stratified", seed=1))
    strata = {c.stratum for c in POOL if c.conversation_id in chosen}
    assert strata == {"A0", "A1", "A2", "A3", "A9"}
    assert allocation({"a": 90, "b": 9, "c": 1}, 10) == {"a": 8, "b": 1, "c": 1}
    top = sample(POOL, 3, "uncertain")
    assert sorted(c.uncertainty for c in POOL if c.conversation_id in top) == [0.97, 0.98, 0.99]


def _random_reviews(rng: np.random.Generator, units: int, raters: int) -> tuple[dict[str, str], list[Review]]:
    auto = {f"C{u}": str(rng.choice(["pass", "fail"], p=[0.7, 0.3])) for u in range(units)}
    reviews = [
        Review(c, "greeting", f"R{r}", a if rng.random() < 0.8 else str(rng.choice(LABELS)))
        for c, a in auto.items()
        for r in range(raters)
    ]
    return auto, reviews


def test_auto_vs_human_kappa_equals_scikit_learn() -> None:
    auto, reviews = _random_reviews(np.random.default_rng(0), 80, 1)
    got = item_agreement("greeting", auto, reviews, min_pairs=10)
    want = cohen_kappa_score([auto[r.conversation_id] for r in reviews], [r.result for r in reviews])
    assert got.cohen_kappa == pytest.approx(want, abs=1e-4)
    assert got.pairs == 80 and got.needs_human_review == (want < 0.6)


def test_between_reviewers_fleiss_equals_statsmodels() -> None:
    auto, reviews = _random_reviews(np.random.default_rng(1), 40, 3)
    got = item_agreement("greeting", auto, reviews)
    table = np.array([[sum(1 for r in reviews if r.conversation_id == c and r.result == lab) for lab in LABELS]
                      for c in auto])  # fmt: skip
    assert got.fleiss_kappa == pytest.approx(sm_fleiss(table), abs=1e-4)
    assert got.units_multi == 40 and got.krippendorff_alpha is not None


def test_too_few_pairs_or_one_label_only_decide_the_flag_explicitly() -> None:
    few = item_agreement("x", {"C1": "pass"}, [Review("C1", "x", "R1", "pass")], min_pairs=10)
    assert few.needs_human_review and "only 1" in few.reason
    same = {f"C{k}": "pass" for k in range(20)}
    agree = item_agreement("x", same, [Review(c, "x", "R1", "pass") for c in same])
    assert agree.cohen_kappa is None and not agree.needs_human_review and "undefined" in agree.reason
