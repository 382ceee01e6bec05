"""``/api/v1/weights/ahp``: AHP priorities and consistency of a judgement matrix (nothing stored)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from valueloop.http.deps import ModelsRead
from valueloop.http.schemas import AhpIn
from valueloop.scoring.ahp import CR_THRESHOLD, ahp

router = APIRouter(tags=["models"])


@router.post("/weights/ahp")
def ahp_weights(_: ModelsRead, body: AhpIn) -> dict[str, Any]:
    """Weights, λmax, CI and CR (Saaty's random index); ``consistent`` is ``CR ≤ 0.10``."""
    r = ahp(body.matrix, body.criteria, method=body.method)
    worst = r.worst_judgement
    return {"criteria": list(r.criteria), "weights": list(r.weights), "lambda_max": r.lambda_max, "ci": r.ci,
            "cr": r.cr, "threshold": CR_THRESHOLD, "consistent": r.consistent, "variant": r.variant,
            "worst_judgement": None if worst is None else vars(worst)}  # fmt: skip
