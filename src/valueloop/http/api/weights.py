"""``/api/v1/weights/ahp``: AHP priorities and consistency of a judgement matrix (nothing stored)."""

from __future__ import annotations

from fastapi import APIRouter

from valueloop.evaluation.service import mcda
from valueloop.http.deps import ModelsRead
from valueloop.http.schemas import AhpIn

router = APIRouter(tags=["models"])


@router.post("/weights/ahp")
def ahp_weights(_: ModelsRead, body: AhpIn) -> mcda.AhpWeights:
    """Weights, λmax, CI and CR (Saaty's random index); ``consistent`` is ``CR ≤ 0.10``."""
    return mcda.ahp_weights([body.matrix], body.criteria, method=body.method)
