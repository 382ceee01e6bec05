"""The action workflow: every legal and illegal move, and what declaring 'effective' needs."""

from __future__ import annotations

import pytest

from valueloop.errors import InputError
from valueloop.improvement.workflow import (
    TRANSITIONS,
    Evidence,
    Status,
    TransitionError,
    allowed_next,
    check_move,
    evidence_from_dict,
    waiver,
)

S = Status
EXPECTED = {  # written out by hand, independently of TRANSITIONS
    (S.proposed, S.approved),
    (S.approved, S.in_progress),
    (S.in_progress, S.implemented),
    (S.implemented, S.verifying),
    (S.verifying, S.effective),
    (S.verifying, S.not_effective),
    (S.effective, S.closed),
    (S.not_effective, S.closed),
}
PAIRS = [(a, b) for a in Status for b in Status]
GOOD = Evidence(verdict="effective", method="welch_t", p_value=0.01, ci_low=0.1, ci_high=0.4)


def test_the_table_is_exactly_the_documented_workflow() -> None:
    assert {(a, b) for a, nxt in TRANSITIONS.items() for b in nxt} == EXPECTED
    assert set(TRANSITIONS) == set(Status)


@pytest.mark.parametrize(("src", "dst"), sorted(EXPECTED))
def test_every_legal_move_passes(src: Status, dst: Status) -> None:
    check_move(src, dst, GOOD if dst is S.effective else None)


@pytest.mark.parametrize(("src", "dst"), [p for p in PAIRS if p not in EXPECTED])
def test_every_illegal_move_fails_naming_the_allowed_next_states(src: Status, dst: Status) -> None:
    with pytest.raises(TransitionError, match=f"cannot move from {src} to {dst}") as err:
        check_move(src, dst, GOOD)
    allowed = ", ".join(allowed_next(src)) or "none (final state)"
    assert f"allowed next: {allowed}" in str(err.value)


def test_errors_are_bad_input() -> None:
    assert issubclass(TransitionError, InputError)
    assert TransitionError.exit_code == 2


def test_effective_without_evidence_fails() -> None:
    with pytest.raises(TransitionError, match="needs a verification result"):
        check_move(S.verifying, S.effective)


def test_a_waiver_with_a_reason_is_accepted_and_one_without_is_not() -> None:
    check_move(S.verifying, S.effective, waiver("regulator-mandated change, no control group possible"))
    with pytest.raises(TransitionError, match="needs a reason"):
        check_move(S.verifying, S.effective, waiver("  "))
    with pytest.raises(TransitionError, match="only declaring an action effective can be waived"):
        check_move(S.verifying, S.not_effective, waiver("x"))


def test_the_verdict_must_support_the_claim() -> None:
    bad = Evidence(verdict="not_effective", method="welch_t")
    with pytest.raises(TransitionError, match="does not support effective"):
        check_move(S.verifying, S.effective, bad)
    check_move(S.verifying, S.not_effective, bad)
    with pytest.raises(TransitionError, match="not to approved"):
        check_move(S.proposed, S.approved, GOOD)


def test_evidence_files_are_parsed_and_cannot_smuggle_a_waiver() -> None:
    ev = evidence_from_dict({"verdict": "effective", "p_value": 0.02, "ci": [0.1, 0.3], "method": "mann_whitney"})
    assert (ev.verdict, ev.p_value, ev.ci_low, ev.ci_high, ev.method) == ("effective", 0.02, 0.1, 0.3, "mann_whitney")
    for bad in ({"verdict": "waived"}, {"p_value": 0.1}, {"verdict": "effective", "ci": [1]}, [1]):
        with pytest.raises(InputError):
            evidence_from_dict(bad)
    with pytest.raises(InputError, match="not a number"):
        evidence_from_dict({"verdict": "effective", "p_value": "small"})
