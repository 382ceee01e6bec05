"""``/api/v1/monitor/detect``: run one anomaly detector over a series sent as JSON (nothing stored)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from valueloop.api.deps import AlertsRead
from valueloop.flows.monitor_detect import detect
from valueloop.monitor.registry import DEFAULT

router = APIRouter(tags=["monitor"])


class Point(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timestamp: Annotated[str, Field(min_length=1, max_length=40)]
    value: Annotated[float | None, Field(ge=-1e15, le=1e15)] = None


class DetectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    detector: Annotated[str, Field(max_length=50)] = DEFAULT
    points: Annotated[list[Point], Field(min_length=1, max_length=200_000)]


@router.post("/monitor/detect")
def monitor_detect(_: AlertsRead, body: DetectIn) -> list[dict[str, Any]]:
    """Score every point of a timestamp/value series in order and flag the anomalies."""
    return detect(body.detector, [p.timestamp for p in body.points], [p.value for p in body.points])
