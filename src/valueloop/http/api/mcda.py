"""``/api/v1/weights/ahp|entropy|critic`` and ``/api/v1/rank/topsis|fuzzy``: MCDA over numbers sent (nothing stored)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from valueloop.evaluation.service import mcda
from valueloop.http.deps import ModelsRead
from valueloop.http.schemas import AhpIn
from valueloop.scoring.critic import Conflict
from valueloop.scoring.entropy import EntropyNormalisation
from valueloop.scoring.fuzzy import FuzzyOperator
from valueloop.scoring.topsis import TopsisNormalisation

router = APIRouter(tags=["models"])
Number = Annotated[float, Field(ge=-1e12, le=1e12)]
Row = Annotated[list[Number], Field(min_length=1, max_length=200)]
Matrix = Annotated[list[Row], Field(min_length=1, max_length=5_000)]
Names = Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=5_000)]
Weights = Annotated[list[Number], Field(min_length=1, max_length=200)]


class MatrixIn(BaseModel):
    """Rows are alternatives, columns criteria; ``cost`` names the criteria where smaller is better."""

    model_config = ConfigDict(extra="forbid")
    matrix: Matrix
    criteria: Names | None = None
    cost: Names = Field(default_factory=list)


class EntropyIn(MatrixIn):
    normalisation: EntropyNormalisation = EntropyNormalisation.proportion


class CriticIn(MatrixIn):
    conflict: Conflict = Conflict.signed


class TopsisIn(MatrixIn):
    weights: Weights
    alternatives: Names | None = None
    normalisation: TopsisNormalisation = TopsisNormalisation.vector


class FuzzyIn(BaseModel):
    """One row per factor, one column per grade (membership degrees)."""

    model_config = ConfigDict(extra="forbid")
    membership: Matrix
    weights: Weights
    factors: Names | None = None
    grades: Names | None = None
    operator: FuzzyOperator = FuzzyOperator.product_sum
    grade_scores: Weights | None = None
    normalise: bool = False


@router.post("/weights/ahp")
def ahp_weights(_: ModelsRead, body: AhpIn) -> mcda.AhpWeights:
    """Weights, λmax, CI and CR (Saaty's random index); ``consistent`` is ``CR ≤ 0.10``."""
    return mcda.ahp_weights([body.matrix], body.criteria, method=body.method)


@router.post("/weights/entropy")
def entropy(_: ModelsRead, body: EntropyIn) -> mcda.CriterionWeights:
    """Entropy weights: criteria that vary more across alternatives weigh more."""
    return mcda.entropy(body.matrix, body.criteria, body.cost, body.normalisation)


@router.post("/weights/critic")
def critic(_: ModelsRead, body: CriticIn) -> mcda.CriterionWeights:
    """CRITIC weights: contrast (standard deviation) times conflict (low correlation)."""
    return mcda.critic(body.matrix, body.criteria, body.cost, body.conflict)


@router.post("/rank/topsis")
def rank_topsis(_: ModelsRead, body: TopsisIn) -> mcda.TopsisRanking:
    """TOPSIS closeness to the ideal alternative; rank 1 = best."""
    return mcda.rank_topsis(body.matrix, body.weights, body.alternatives, body.criteria, body.cost,
                            body.normalisation)  # fmt: skip


@router.post("/rank/fuzzy")
def rank_fuzzy(_: ModelsRead, body: FuzzyIn) -> mcda.FuzzyGrade:
    """Fuzzy comprehensive evaluation (模糊综合评价): grade of maximum membership."""
    return mcda.rank_fuzzy(body.membership, body.weights, body.factors, body.grades, body.operator,
                           body.grade_scores, body.normalise)  # fmt: skip
