"""Use case: return on investment of verified improvement actions.

Benefit = the verified effect × the units it applies to × the value of one unit of effect
(e.g. +0.27 CSAT × 40,000 surveyed customers × ¥3 per point, or −0.8 complaints per 100
orders × 50,000 orders × ¥120 per complaint avoided). The interval carries the effect's
confidence interval through; ROI = (benefit − cost) / cost. Nothing is estimated without a
verification: a waived or unverified action has no ROI, and says so.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from valueloop.errors import InputError
from valueloop.store import actions_db as db
from valueloop.store import appdb
from valueloop.store.workspace import Workspace


def action_roi(ws: Workspace, aid: int, value_per_unit: float, units: float) -> dict[str, Any]:
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
    return {
        "action_id": aid, "title": action["title"], "verdict": check["verdict"], "effect": estimate,
        "effect_ci": [check["ci_low"], check["ci_high"]], "units": units, "value_per_unit": value_per_unit,
        "cost": cost, "benefit": benefit[0], "benefit_ci": sorted(benefit[1:]) or None,
        "roi": roi[0], "roi_ci": sorted(roi[1:]) or None,
    }  # fmt: skip
