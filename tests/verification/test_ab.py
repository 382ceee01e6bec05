"""The verdict logic: arms, SRM blocking, direction, degenerate data, several treatments."""

from __future__ import annotations

import pytest

from valueloop.errors import InputError
from valueloop.stats.moments import CrossMoments
from valueloop.verification.ab import Settings, analyse, pick_arms


def rate(successes: int, n: int) -> CrossMoments:
    return CrossMoments.of([0.0] * n, [1.0] * successes + [0.0] * (n - successes))


def test_contract_example_is_effective() -> None:
    (r,) = analyse({"control": rate(20, 200), "treatment": rate(35, 200)}, Settings("proportion"))
    assert r.verdict == "effective" and r.srm_p_value == pytest.approx(1.0)
    assert r.comparison.p_value == pytest.approx(0.029416, abs=1e-6)


def test_lower_is_better_turns_the_same_result_harmful() -> None:
    (r,) = analyse(
        {"control": rate(20, 200), "treatment": rate(35, 200)}, Settings("proportion", higher_is_better=False)
    )
    assert r.verdict == "harmful" and r.prob_better is not None and r.prob_better < 0.05


def test_srm_blocks_the_verdict() -> None:
    (r,) = analyse({"control": rate(100, 1000), "treatment": rate(200, 1200)}, Settings("proportion"))
    assert r.verdict == "blocked_srm" and r.srm_p_value is not None and r.srm_p_value < 0.001
    (ok,) = analyse(
        {"control": rate(100, 1000), "treatment": rate(200, 1200)}, Settings("proportion", control_share=1000 / 2200)
    )
    assert ok.verdict == "effective"


def test_degenerate_data_is_no_verdict_with_a_reason() -> None:
    (r,) = analyse({"control": rate(0, 50), "treatment": rate(0, 50)}, Settings("proportion"))
    assert r.verdict == "no_verdict" and r.comparison.p_value is None and "no variation" in (r.reason or "")
    (e,) = analyse({"control": CrossMoments(), "treatment": rate(3, 10)}, Settings("mean"))
    assert e.verdict == "no_verdict" and "0 unit" in (e.reason or "")


def test_inconclusive_is_not_evidence_of_no_effect() -> None:
    (r,) = analyse({"control": rate(20, 200), "treatment": rate(22, 200)}, Settings("proportion"))
    assert r.verdict == "inconclusive" and "no evidence" in (r.reason or "")


def test_arm_choice() -> None:
    assert pick_arms(["A", "B"], None) == ("A", ["B"])
    assert pick_arms(["b", "x", "y"], "b") == ("b", ["x", "y"])
    with pytest.raises(InputError, match="name the control with --control"):
        pick_arms(["a", "b", "c"], None)
    with pytest.raises(InputError, match="pass --control"):
        pick_arms(["new", "old"], None)
    with pytest.raises(InputError, match="need two variants"):
        pick_arms(["only"], None)


def test_several_treatments_are_holm_adjusted() -> None:
    groups = {"control": rate(20, 200), "t1": rate(35, 200), "t2": rate(36, 200)}
    results = analyse(groups, Settings("proportion"), control="control")
    assert [r.treatment_name for r in results] == ["t1", "t2"]
    raw = sorted(r.p_value_unadjusted or 0 for r in results)
    adjusted = sorted(r.comparison.p_value or 0 for r in results)
    assert adjusted == pytest.approx([2 * raw[0], max(2 * raw[0], raw[1])])
