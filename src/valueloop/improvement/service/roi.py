"""Use case: return on investment of verified improvement actions.

Benefit = the verified effect × the units it applies to × the value of one unit of effect
(e.g. +0.27 CSAT × 40,000 surveyed customers × ¥3 per point, or −0.8 complaints per 100
orders × 50,000 orders × ¥120 per complaint avoided). The interval carries the effect's
confidence interval through; ROI = (benefit − cost) / cost. Nothing is estimated without a
verification: a waived or unverified action has no ROI, and says so.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from valueloop.errors import InputError
from valueloop.improvement.results import ActionRoi, PeriodRoi
from valueloop.metrics.periods import bounds_utc
from valueloop.spec.model import Grain
from valueloop.store import appdb
from valueloop.store import tables as db
from valueloop.store.workspace import Workspace


def action_roi(ws: Workspace, aid: int, value_per_unit: float, units: float) -> ActionRoi:
    """ROI of action ``aid`` from its latest verification; raises InputError when it cannot be had."""
    with appdb.engine(ws.database_url).connect() as conn:
        action = conn.execute(sa.select(db.actions).where(db.actions.c.action_id == aid)).mappings().first()
        if action is None:
            raise InputError(f"no action {aid}")
        check = (
            conn.execute(
                sa.select(db.action_verifications)
                .where(db.action_verifications.c.action_id == aid)
                .order_by(db.action_verifications.c.verification_id.desc())
            )
            .mappings()
            .first()
        )
    if check is None or check["verdict"] == "waived":
        raise InputError(f"action {aid} has no verification result (waived or never verified): no ROI without evidence")
    estimate = (check["detail"] or {}).get("estimate")
    if estimate is None or action["cost"] is None or action["cost"] <= 0:
        raise InputError(f"action {aid} needs a verified effect estimate and a positive cost for an ROI")
    scale = value_per_unit * units
    benefit = [estimate * scale, *(x * scale for x in (check["ci_low"], check["ci_high"]) if x is not None)]
    cost = float(action["cost"])
    roi = [(b - cost) / cost for b in benefit]
    return ActionRoi(
        action_id=aid, title=action["title"], verdict=check["verdict"], effect=estimate,
        effect_ci=[check["ci_low"], check["ci_high"]], units=units, value_per_unit=value_per_unit,
        cost=cost, benefit=benefit[0], benefit_ci=sorted(benefit[1:]) or None,
        roi=roi[0], roi_ci=sorted(roi[1:]) or None,
    )  # fmt: skip


def save_parameters(ws: Workspace, aid: int, value_per_unit: float, units: float) -> None:
    """Remember how an action's effect is valued, so period reviews can add actions up."""
    folder = ws.root / "experiments"
    folder.mkdir(exist_ok=True)
    (folder / f"roi-{aid}.json").write_text(json.dumps({"value_per_unit": value_per_unit, "units": units}))


def period_roi(ws: Workspace, period: str, grain: Grain = Grain.quarter) -> PeriodRoi:
    """Cost against benefit of every action verified in ``period`` whose valuation is known.

    Benefits and costs add up; the interval adds the actions' interval ends (conservative: it
    assumes their errors move together). Actions without a valuation are listed, not guessed.
    """
    start, end = bounds_utc(period, grain, ws.settings.workspace.timezone)
    with appdb.engine(ws.database_url).connect() as conn:
        verified = (
            conn.execute(
                sa.select(db.action_verifications.c.action_id)
                .where((db.action_verifications.c.created_at >= start) & (db.action_verifications.c.created_at < end))
                .distinct()
            )
            .scalars()
            .all()
        )
    rows: list[ActionRoi] = []
    unvalued: list[int] = []
    for aid in sorted(verified):
        params = ws.root / "experiments" / f"roi-{aid}.json"
        if not params.exists():
            unvalued.append(aid)
            continue
        p = json.loads(params.read_text())
        try:
            rows.append(action_roi(ws, aid, p["value_per_unit"], p["units"]))
        except InputError:
            unvalued.append(aid)
    cost = sum(r.cost for r in rows)
    benefit = sum(r.benefit for r in rows)
    lows = sum((r.benefit_ci or [r.benefit])[0] for r in rows)
    highs = sum((r.benefit_ci or [r.benefit])[-1] for r in rows)
    roi = (benefit - cost) / cost if cost else None
    roi_ci = [(lows - cost) / cost, (highs - cost) / cost] if cost else None
    return PeriodRoi(period=period, actions=rows, without_valuation=unvalued, cost=cost, benefit=benefit,
                     benefit_ci=[lows, highs] if rows else None, roi=roi, roi_ci=roi_ci)  # fmt: skip
