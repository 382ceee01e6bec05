"""Use cases for people and audits: audit plans, visit checks, calibration, bot resolution, scorecards.

Results are files under ``<workspace>/people/`` (plans, scorecard exports), never app-DB
tables; the inputs are lake datasets (``entities``, ``staff``, ``audits``, ``audit_items``,
``interactions``).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from valueloop.errors import InputError, SpecError
from valueloop.evaluation.service.evaluate import evaluate
from valueloop.evaluation.service.models import load_versions
from valueloop.ingest.cells import neutralise
from valueloop.metrics.periods import bounds_utc
from valueloop.people import disputes as dp
from valueloop.people import grades as gr
from valueloop.people import records as rc
from valueloop.people.audit_plan import DEFAULT_SLOTS, plan_audits
from valueloop.people.auditors import default_auditors, staff_auditors, units_at
from valueloop.people.bot import bot_resolution
from valueloop.people.calibration import calibration_report
from valueloop.people.checklist import Checklist, load_checklist
from valueloop.people.results import AuditPlan, BotResolution, CalibrationGroup, Scorecards, VisitProblem
from valueloop.people.service.attribution import controllable_model
from valueloop.people.verification import VisitRules, verify_visits
from valueloop.scoring.composite import rank_totals
from valueloop.spec.datasets import DATASETS
from valueloop.spec.model import Grain, Scale
from valueloop.spec.yamlsource import untrusted_problem
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace

OUT_DIR = "people"
DISPUTES_FILE = "disputes.json"


def read(ws: Workspace, dataset: str) -> pd.DataFrame:
    """A whole lake dataset as a DataFrame (empty with the canonical columns when absent)."""
    frame: pd.DataFrame = Lake(ws.lake_dir).read(dataset, DATASETS[dataset].schema).to_pandas()
    return frame


def out_dir(ws: Workspace) -> Path:
    folder = ws.root / OUT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def audit_plan(ws: Workspace, *, visits: int, year: int, seed: int, level: str = "branch") -> AuditPlan:
    """Plan the year's visits over units at ``level``; auditors from ``staff`` or the default pool."""
    entities = read(ws, "entities")
    auditors = staff_auditors(read(ws, "staff"))
    source = "staff"
    if not auditors:
        auditors, source = default_auditors(entities, visits), "default"
    plan = [v.as_dict() for v in plan_audits(units_at(entities, level), auditors, visits=visits, year=year, seed=seed)]
    file = out_dir(ws) / f"audit-plan-{year}-seed{seed}.json"
    doc = {
        "year": year,
        "seed": seed,
        "level": level,
        "slots": list(DEFAULT_SLOTS),
        "auditor_source": source,
        "auditors": [{"auditor_id": a.auditor_id, "region": a.region, "capacity": a.capacity} for a in auditors],
        "visits": plan,
    }
    file.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return AuditPlan.model_validate(doc | {"file": str(file)})


CHECKLIST_FILE = "checklist.yaml"
"""The name a checklist sent as text is reported under (``checklist.yaml:LINE: …``)."""


def checklist_from_text(text: str) -> Checklist:
    """``audits checklist`` for a checklist sent as text: the validated checklist, or every problem with its line.

    Text :func:`~valueloop.spec.yamlsource.untrusted_problem` refuses is not parsed at all.
    """
    refused = untrusted_problem(text, CHECKLIST_FILE)
    if refused:
        raise InputError(refused)
    with tempfile.TemporaryDirectory(prefix="vl-checklist-") as tmp:
        file = Path(tmp) / CHECKLIST_FILE
        file.write_bytes(text.encode("utf-8"))
        try:
            checklist = load_checklist(file)
        except SpecError as err:  # name the problems' lines after the text sent, not the temporary file
            raise SpecError(str(err).replace(str(file), CHECKLIST_FILE)) from None
        except (ValueError, TypeError, RecursionError) as err:  # e.g. a date YAML reads but cannot build
            raise InputError(f"{CHECKLIST_FILE}: cannot read the checklist ({err})") from None
    return checklist


def verify_audits(ws: Workspace, *, min_minutes: float = 10.0) -> list[VisitProblem]:
    rules = VisitRules(min_minutes=min_minutes, timezone=ws.settings.workspace.timezone)
    return [VisitProblem(**p) for p in verify_visits(read(ws, "audits"), read(ws, "audit_items"), rules)]


def calibration(ws: Workspace) -> list[CalibrationGroup]:
    return [CalibrationGroup(**g) for g in calibration_report(read(ws, "audits"), read(ws, "audit_items"))]


def _in_period(df: pd.DataFrame, column: str, period: str | None, tz: str) -> pd.DataFrame:
    if period is None:
        return df
    grain = Grain.month if len(period) == 7 else (Grain.quarter if "Q" in period else Grain.year)
    lo, hi = bounds_utc(period, grain, tz)
    ts = pd.to_datetime(df[column], utc=True)
    return df[(ts >= pd.Timestamp(lo)) & (ts < pd.Timestamp(hi))]


def bot_resolution_rate(ws: Workspace, *, period: str | None = None, by: str | None = None) -> list[BotResolution]:
    """Bot resolution of routine questions opened in ``period`` (see :mod:`valueloop.people.bot`)."""
    x = read(ws, "interactions")
    scope = None
    if period is not None:
        scope = x["interaction_id"].isin(
            _in_period(x, "opened_at", period, ws.settings.workspace.timezone)["interaction_id"]
        )
    rows = bot_resolution(x, by=by, scope=scope)
    return [BotResolution.model_validate({k: _scalar(v) for k, v in r.items()}) for r in rows]


def _scalar(value: object) -> object:
    """A group key as JSON writes it: pandas groups a bool or number column by numpy scalars."""
    return value.item() if isinstance(value, np.generic) else value


def scorecards(
    ws: Workspace,
    *,
    period: str | None = None,
    model_id: str | None = None,
    method: str = "absolute",
    quotas: dict[str, float] | None = None,
    thresholds: list[tuple[str, float]] | None = None,
    export: bool = True,
) -> Scorecards:
    """Agent scorecards on controllable indicators, graded and with incentive coefficients.

    Grades use ``points``, the score mapped onto 0–100 from the model's scale, so the same
    thresholds work for 1–5 and 0–100 models. An upheld dispute (see
    :mod:`valueloop.people.disputes`) leaves its indicator out of that agent's score for the
    period, the other weights renormalised; the row lists it in ``excluded`` and ``disputes``
    and everyone is re-ranked.
    """
    models = [controllable_model(m) for m in load_versions(ws, model_id)]
    run = evaluate(ws, models[-1].id, period, store=False, versions=models)
    entities = read(ws, "entities").set_index("entity_id")
    upheld = dp.upheld(rc.load(out_dir(ws) / DISPUTES_FILE), run.period)
    dim_of = {i.id: d.id for m in models for d in m.dimensions for i in d.indicators}
    excluded = [sorted({x["indicator"] for x in upheld.get(r.entity_id, [])}) for r in run.results]
    totals = [
        dp.rescore({k: v.get("score") for k, v in r.indicators.items()}, run.weights, dim_of, set(ex))
        if ex
        else r.score
        for r, ex in zip(run.results, excluded, strict=True)
    ]
    # an agent with too few records to rank stays unranked when the others are re-ranked
    ranked = [t if r.enough_data else None for r, t in zip(run.results, totals, strict=True)]
    ranks = rank_totals(ranked)[0] if any(excluded) else [r.rank for r in run.results]
    lo, hi = Scale(run.scale).bounds
    points = [None if t is None else round((t - lo) / (hi - lo) * 100, 2) for t in totals]
    if method == "forced":
        grades = gr.forced_grades(points, quotas or gr.DEFAULT_QUOTAS)
    else:
        grades = gr.absolute_grades(points, thresholds or gr.DEFAULT_THRESHOLDS)
    coef = gr.incentive(grades)
    rows = [
        {
            "agent_id": r.entity_id,
            "name": str(entities["name"].get(r.entity_id) or r.entity_id),
            "team_id": entities["parent_id"].get(r.entity_id),
            "score": t,
            "points": p,
            "rank": rk,
            "grade": g,
            "incentive": c,
            "excluded": ex,
            "disputes": [x["dispute_id"] for x in upheld.get(r.entity_id, [])],
            "indicators": {k: v.get("value") for k, v in r.indicators.items()},
        }
        for r, t, rk, p, g, c, ex in zip(run.results, totals, ranks, points, grades, coef, excluded, strict=True)
    ]
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["agent_id"]))
    doc: dict[str, Any] = {
        "period": run.period,
        "model": run.model,
        "method": method,
        "indicators": sorted(run.weights),
        "scorecards": rows,
    }
    if export:
        file = out_dir(ws) / f"scorecards-{run.period}.csv"
        flat = [
            {k: "; ".join(v) if isinstance(v, list) else v for k, v in r.items() if k != "indicators"} for r in rows
        ]
        pd.DataFrame([{k: neutralise(v) for k, v in r.items()} for r in flat]).to_csv(file, index=False)
        doc["file"] = str(file)
    return Scorecards.model_validate(doc)
