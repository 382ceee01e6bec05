"""``/api/v1/verify/*``: the ``valueloop verify`` statistics over rows sent as JSON (nothing stored).

The CLI reads a CSV; here each row is a JSON object with the same columns. The results are
the CLI's ``--format json`` documents. Only the caller's own numbers are read, never the lake.

``valueloop verify action`` is ``POST /actions/{action_id}/experiment`` (attach and run) and
``POST /actions/{action_id}/verify`` (re-run), in :mod:`valueloop.http.api.actions`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from valueloop.http.deps import ExperimentsRead
from valueloop.verification.report import AbDoc, DidDoc, ItsDoc
from valueloop.verification.service import verify_rows as vr

router = APIRouter(tags=["experiments"])
Name = Annotated[str, Field(min_length=1, max_length=200)]
Alpha = Annotated[float, Field(ge=1e-6, le=0.5)]
Rows = Annotated[list[dict[Name, int | float | str | None]], Field(min_length=1, max_length=200_000)]


class AbIn(BaseModel):
    """A randomised test: one row per unit with its variant and outcome (CLI ``verify ab``)."""

    model_config = ConfigDict(extra="forbid")
    rows: Rows
    metric_type: vr.MetricType
    variant_col: Name = "variant"
    value_col: Name = "value"
    unit_col: Name | None = None
    denominator_col: Name | None = None
    pre_col: Name | None = None
    control: Name | None = None
    alpha: Alpha = 0.05
    control_share: float | None = Field(default=None, ge=0, le=1)
    lower_is_better: bool = False
    bootstrap: int = Field(default=0, ge=0, le=10_000)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class DidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: Rows
    unit_col: Name = "unit"
    period_col: Name = "period"
    treated_col: Name = "treated"
    post_col: Name = "post"
    value_col: Name = "value"
    alpha: Alpha = 0.05


class ItsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: Rows
    intervention: Name
    time_col: Name = "time"
    value_col: Name = "value"
    alpha: Alpha = 0.05


class PowerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metric_type: Literal["proportion", "mean"]
    mde: float | None = Field(default=None, ge=-1e12, le=1e12)
    n: int | None = Field(default=None, ge=2, le=10**12)
    baseline: float | None = Field(default=None, gt=0, lt=1)
    sd: float | None = Field(default=None, gt=0, le=1e12)
    alpha: Alpha = 0.05
    power: float = Field(default=0.8, ge=0.01, le=0.999)
    ratio: float = Field(default=1.0, ge=0.01, le=100)


class AdjustIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    p_values: list[Annotated[float, Field(ge=0, le=1)]] = Field(min_length=1, max_length=10_000)
    method: Literal["holm", "bh"] = "holm"
    alpha: Alpha = 0.05


@router.post("/verify/ab")
def ab(_: ExperimentsRead, body: AbIn) -> list[AbDoc]:
    """Treatment vs control with a verdict; one document per treatment (several: Holm-adjusted)."""
    opts = body.model_dump(exclude={"rows"})
    return vr.ab(body.rows, **opts)


@router.post("/verify/did")
def did(_: ExperimentsRead, body: DidIn) -> DidDoc:
    """Difference-in-differences against comparable units (cluster-robust by unit)."""
    return vr.did(body.rows, **body.model_dump(exclude={"rows"}))


@router.post("/verify/its")
def its(_: ExperimentsRead, body: ItsIn) -> ItsDoc:
    """Interrupted time series: level and slope change (Newey–West errors)."""
    return vr.its(body.rows, **body.model_dump(exclude={"rows"}))


@router.post("/verify/power")
def power(_: ExperimentsRead, body: PowerIn) -> vr.PowerDoc:
    """Sample size per group for an effect (``mde``), or the smallest effect for a size (``n``)."""
    return vr.power(body.metric_type, mde=body.mde, n=body.n, baseline=body.baseline, sd=body.sd, alpha=body.alpha,
                    target=body.power, ratio=body.ratio)  # fmt: skip


@router.post("/verify/adjust")
def adjust(_: ExperimentsRead, body: AdjustIn) -> list[vr.AdjustedP]:
    """Holm or Benjamini–Hochberg adjusted p-values for several metrics."""
    return vr.adjust(body.p_values, body.method, body.alpha)
