"""Use case: verify a randomised experiment recorded in the lake's own data.

The assignment rule is a SQL condition over the interaction (``i``) and its customer, the
outcome a feedback field (``f``) joined on ``interaction_id``, averaged per randomisation
unit (the customer by default). DuckDB returns the per-arm sufficient statistics in one
scan; the inference is :mod:`valueloop.verification.ab`'s (Welch on unit means), so a lake of any
size costs one query and a few floating-point operations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel

from valueloop.errors import InputError
from valueloop.improvement.service.actions import move_action, status_now
from valueloop.improvement.workflow import Evidence, Status
from valueloop.results import Result
from valueloop.stats.moments import CrossMoments
from valueloop.store.lake import Lake
from valueloop.store.sql import path_list
from valueloop.store.workspace import Workspace
from valueloop.verification.ab import AbResult, Settings, analyse
from valueloop.verification.report import AbDoc, ab_payload


class LakeExperiment(BaseModel):
    """Where an experiment lives in the canonical data."""

    assignment: str
    """SQL condition true for the treatment arm, e.g. ``CAST(substr(i.customer_id, 2) AS BIGINT) % 2 = 1``."""
    scope: str = "TRUE"
    """SQL condition selecting the interactions in the test (period, branches, ...)."""
    outcome: str = "csat"
    feedback_kind: str = "survey"
    unit: str = "i.customer_id"
    """The randomisation unit: outcomes are averaged per unit first (so a customer with many
    surveys counts once, and the sample-ratio check counts what was actually randomised)."""


def verify_lake_experiment(ws: Workspace, exp: LakeExperiment, alpha: float = 0.05) -> AbResult:
    lake = Lake(ws.lake_dir)
    interactions, feedback = lake.files("interactions"), lake.files("feedback")
    if not interactions or not feedback:
        raise InputError("the experiment needs interactions and feedback in the lake")
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{ws.settings.workspace.timezone}'")
    try:
        rows = _arm_sums(con, exp, interactions, feedback)
    except duckdb.Error as err:  # a condition that does not run on this data: say so, in one line
        raise InputError(f"the experiment's query failed on the lake data: {str(err).splitlines()[0]}") from err
    if any(r[4] > 1 for r in rows):
        raise InputError(f"some units ({exp.unit}) fall in both arms: the assignment is not per unit")
    groups = {str(arm): CrossMoments(int(n), 0.0, float(s), 0.0, float(s2), 0.0) for arm, n, s, s2, _ in rows}
    for arm in ("control", "treatment"):
        groups.setdefault(arm, CrossMoments(0, 0.0, 0.0, 0.0, 0.0, 0.0))
    return analyse(groups, Settings(metric_type="mean", alpha=alpha), control="control")[0]


def _arm_sums(
    con: duckdb.DuckDBPyConnection, exp: LakeExperiment, interactions: list[Path], feedback: list[Path]
) -> list[tuple[Any, ...]]:
    """Per arm: units, sum and sum of squares of the unit means, and the most arms one unit fell in."""
    return con.execute(
        f"""WITH per_unit AS (
                SELECT {exp.unit} AS unit, bool_or({exp.assignment}) AS treated,
                       count(DISTINCT ({exp.assignment})) AS arms, avg(f.{exp.outcome}) AS y
                FROM read_parquet({path_list(feedback)}) f
                JOIN read_parquet({path_list(interactions)}) i USING (interaction_id)
                WHERE f.kind = ? AND f.{exp.outcome} IS NOT NULL AND ({exp.scope})
                GROUP BY 1)
            SELECT CASE WHEN treated THEN 'treatment' ELSE 'control' END AS arm, count(*), sum(y), sum(y * y),
                   max(arms)
            FROM per_unit GROUP BY 1""",
        [exp.feedback_kind],
    ).fetchall()


EXPERIMENTS = "experiments"


class _Verified(Result):
    """The head of :class:`ActionVerification`: which action, where it stands now, the test that ran."""

    action_id: int
    status: Status
    experiment: LakeExperiment


class ActionVerification(AbDoc, _Verified):
    """``verify action``: the action, its status after the verdict, the experiment as stored, then ``verify ab``."""


def verify_action(
    ws: Workspace, aid: int, exp: LakeExperiment | None, actor: str, alpha: float = 0.05
) -> ActionVerification:
    """Run the experiment attached to action ``aid`` on the lake and write the verdict back.

    The definition is kept in ``experiments/action-<id>.json`` in the workspace the first time it
    is given, so later runs (new data) repeat exactly the same test. A clear verdict moves the
    action from ``verifying`` (entered from ``implemented`` if needed) to ``effective`` or
    ``not_effective`` with the evidence; no verdict (sample ratio mismatch, empty arm) leaves it
    where it is and says why.
    """
    given = exp is not None
    exp = exp if exp is not None else _attached(ws, aid)
    result = verify_lake_experiment(ws, exp, alpha)
    if given:  # kept once it ran: a definition that fails does not replace the one attached before
        _attach(ws, aid, exp)
    doc = ab_payload(result, alpha)
    status = status_now(ws, aid)
    if result.verdict in ("effective", "harmful", "inconclusive"):
        if status is Status.implemented:
            move_action(ws, aid, Status.verifying, actor, "verification started")
        c = result.comparison
        lo, hi = c.ci if c.ci else (None, None)
        verdict = (
            "effective"
            if result.verdict == "effective"
            else ("inconclusive" if result.verdict == "inconclusive" else "not_effective")
        )
        evidence = Evidence(verdict, c.method, c.p_value, lo, hi, estimate=c.diff)
        target = Status.effective if verdict == "effective" else Status.not_effective
        move_action(ws, aid, target, actor, f"A/B verification on lake data: {result.verdict}", evidence)
        status = target
    return ActionVerification(action_id=aid, status=status, experiment=exp, **dict(doc))


def _path(ws: Workspace, aid: int) -> Path:
    return ws.root / EXPERIMENTS / f"action-{aid}.json"


def _attach(ws: Workspace, aid: int, exp: LakeExperiment) -> None:
    path = _path(ws, aid)
    path.parent.mkdir(exist_ok=True)
    path.write_text(exp.model_dump_json(indent=2), encoding="utf-8")


def attached_experiment(ws: Workspace, aid: int) -> LakeExperiment | None:
    """The experiment attached to action ``aid`` (``experiments/action-<id>.json``), if any."""
    path = _path(ws, aid)
    return LakeExperiment.model_validate_json(path.read_text(encoding="utf-8")) if path.is_file() else None


def _attached(ws: Workspace, aid: int) -> LakeExperiment:
    exp = attached_experiment(ws, aid)
    if exp is None:
        raise InputError(f"action {aid} has no experiment attached; give --assignment (and --scope) once")
    return exp
