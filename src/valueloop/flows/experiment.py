"""Use case: verify a randomised experiment recorded in the lake's own data.

The assignment rule is a SQL condition over the interaction (``i``) and its customer, the
outcome a feedback field (``f``) joined on ``interaction_id``. DuckDB returns the per-arm
sufficient statistics in one scan; the inference is :mod:`valueloop.verify.ab`'s, so a lake
of any size costs one query and a few floating-point operations.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from pydantic import BaseModel

from valueloop.errors import InputError
from valueloop.stats.moments import CrossMoments
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace
from valueloop.verify.ab import AbResult, Settings, analyse


class LakeExperiment(BaseModel):
    """Where an experiment lives in the canonical data."""

    assignment: str
    """SQL condition true for the treatment arm, e.g. ``CAST(substr(i.customer_id, 2) AS BIGINT) % 2 = 1``."""
    scope: str = "TRUE"
    """SQL condition selecting the interactions in the test (period, branches, ...)."""
    outcome: str = "csat"
    feedback_kind: str = "survey"


def verify_lake_experiment(ws: Workspace, exp: LakeExperiment, alpha: float = 0.05) -> AbResult:
    lake = Lake(ws.lake_dir)
    interactions, feedback = lake.files("interactions"), lake.files("feedback")
    if not interactions or not feedback:
        raise InputError("the experiment needs interactions and feedback in the lake")
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{ws.settings.workspace.timezone}'")
    rows = con.execute(
        f"""SELECT CASE WHEN {exp.assignment} THEN 'treatment' ELSE 'control' END AS arm,
                   count(*), sum(f.{exp.outcome}), sum(f.{exp.outcome} * f.{exp.outcome})
            FROM read_parquet({_list(feedback)}) f JOIN read_parquet({_list(interactions)}) i USING (interaction_id)
            WHERE f.kind = ? AND f.{exp.outcome} IS NOT NULL AND ({exp.scope})
            GROUP BY 1""",
        [exp.feedback_kind],
    ).fetchall()
    groups = {str(arm): CrossMoments(int(n), 0.0, float(s), 0.0, float(s2), 0.0) for arm, n, s, s2 in rows}
    for arm in ("control", "treatment"):
        groups.setdefault(arm, CrossMoments(0, 0.0, 0.0, 0.0, 0.0, 0.0))
    return analyse(groups, Settings(metric_type="mean", alpha=alpha), control="control")[0]


def _list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"
