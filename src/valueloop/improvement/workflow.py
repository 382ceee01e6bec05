"""The improvement action workflow: a pure transition table and the rules that guard it.

``proposed → approved → in_progress → implemented → verifying → effective | not_effective → closed``.
The table is data, so the CLI, the API and the tests read the same truth, and an illegal
move names the states that *are* allowed next instead of just saying no.
Declaring an action effective is the one claim the loop must be able to prove, so it
needs a verification verdict that says so, or an explicit waiver with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from valueloop.errors import InputError
from valueloop.errors import TransitionError as TransitionError


class Status(StrEnum):
    proposed = "proposed"
    approved = "approved"
    in_progress = "in_progress"
    implemented = "implemented"
    verifying = "verifying"
    effective = "effective"
    not_effective = "not_effective"
    closed = "closed"


TRANSITIONS: Final[dict[Status, frozenset[Status]]] = {
    Status.proposed: frozenset({Status.approved}),
    Status.approved: frozenset({Status.in_progress}),
    Status.in_progress: frozenset({Status.implemented}),
    Status.implemented: frozenset({Status.verifying}),
    Status.verifying: frozenset({Status.effective, Status.not_effective}),
    Status.effective: frozenset({Status.closed}),
    Status.not_effective: frozenset({Status.closed}),
    Status.closed: frozenset(),
}

WORK_OPEN: Final = frozenset({Status.proposed, Status.approved, Status.in_progress})
"""States in which the work itself is not done yet: past the due date these are overdue."""

WAIVED: Final = "waived"
SUPPORTING_VERDICTS: Final[dict[Status, frozenset[str]]] = {
    Status.effective: frozenset({"effective"}),
    Status.not_effective: frozenset({"not_effective", "inconclusive"}),
}


@dataclass(frozen=True)
class Evidence:
    """What backs a verdict: a verification result, or a waiver (verdict ``waived``) with its reason."""

    verdict: str
    method: str
    p_value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    reason: str | None = None
    estimate: float | None = None
    """The estimated effect (treatment − control), used for the return on investment."""

    @property
    def waived(self) -> bool:
        return self.verdict == WAIVED


def allowed_next(current: Status) -> list[Status]:
    """The states reachable in one move, in workflow order."""
    return [s for s in Status if s in TRANSITIONS[current]]


def check_move(current: Status, target: Status, evidence: Evidence | None = None) -> None:
    """Raise :class:`TransitionError` unless ``current → target`` is legal and, if needed, backed."""
    if target not in TRANSITIONS[current]:
        nxt = ", ".join(allowed_next(current)) or "none (final state)"
        raise TransitionError(f"cannot move from {current} to {target}; allowed next: {nxt}")
    if evidence is None:
        if target is Status.effective:
            raise TransitionError(
                "declaring an action effective needs a verification result (--evidence FILE) "
                "or an explicit waiver (--waive REASON)"
            )
        return
    if target not in SUPPORTING_VERDICTS:
        raise TransitionError(f"evidence and waivers back a move to effective or not_effective, not to {target}")
    if evidence.waived:
        _check_waiver(target, evidence)
    elif evidence.verdict not in SUPPORTING_VERDICTS[target]:
        raise TransitionError(f"the evidence's verdict is {evidence.verdict!r}, which does not support {target}")


def _check_waiver(target: Status, evidence: Evidence) -> None:
    if target is not Status.effective:
        raise TransitionError("only declaring an action effective can be waived")
    if not (evidence.reason or "").strip():
        raise TransitionError("a waiver needs a reason")


def evidence_from_dict(data: object) -> Evidence:
    """A verification result as JSON (``verdict``, ``method``, optional ``p_value`` and ``ci``
    as ``[low, high]``) → Evidence. Waivers are never read from files: they need ``--waive``."""
    if not isinstance(data, dict) or not isinstance(data.get("verdict"), str):
        raise InputError("evidence must be a JSON object with a 'verdict' string")
    if data["verdict"] == WAIVED:
        raise InputError("a waiver cannot come from an evidence file; use --waive REASON")
    ci = data.get("ci") or [None, None]
    if not isinstance(ci, list | tuple) or len(ci) != 2:
        raise InputError("evidence 'ci' must be [low, high]")
    try:
        return Evidence(
            verdict=data["verdict"],
            method=str(data.get("method") or "unspecified"),
            p_value=_num(data.get("p_value")),
            ci_low=_num(ci[0]),
            ci_high=_num(ci[1]),
        )
    except (TypeError, ValueError) as err:
        raise InputError(f"evidence: {err}") from err


def _num(x: object) -> float | None:
    if x is None:
        return None
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise ValueError(f"{x!r} is not a number")
    return float(x)


def waiver(reason: str) -> Evidence:
    return Evidence(verdict=WAIVED, method="waiver", reason=reason)
