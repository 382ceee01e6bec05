"""``/api/v1/surveys``: the workspace's surveys, the trigger (dry run or real), invitations, unit QR codes.

Planning and sending invitations acts on every unit's customers, so it needs ``ingest:write``
(workspace-wide, never a scoped user's); reading surveys needs ``models:read``, like models;
invitations and a unit's QR code are per unit and scoped like everything else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from valueloop.accounts import scope
from valueloop.http.deps import ActionsRead, IngestWrite, ModelsRead, WorkspaceDep, units_of
from valueloop.surveys.service import catalog as catalog_service
from valueloop.surveys.service.catalog import Catalog, SurveyDetail, catalog
from valueloop.surveys.service.invitations import InvitationRecord, Plan, list_invitations, plan
from valueloop.surveys.service.links import qr_png, qr_svg, unit_links
from valueloop.surveys.service.stats import ResponseStats, response_stats

router = APIRouter(tags=["surveys"])


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/surveys")
def list_surveys(who: ModelsRead, ws: WorkspaceDep, lang: Literal["zh", "en"] = "zh") -> Catalog:
    """Every valid survey, and every broken file's problems (one broken file hides no other)."""
    return catalog(ws, lang)


@router.get("/surveys/{survey_id}")
def show_survey(who: ModelsRead, ws: WorkspaceDep, survey_id: str) -> SurveyDetail:
    """The survey as validated: questions, conditions, trigger and follow-up rules."""
    return catalog_service.show_survey(ws, survey_id)


class PlanBody(BaseModel):
    dry_run: bool = True


@router.post("/surveys/{survey_id}/plan")
def plan_invitations(who: IngestWrite, ws: WorkspaceDep, survey_id: str, body: PlanBody) -> Plan:
    """Who would be invited now and why not; with ``dry_run: false`` the invitations are recorded."""
    return plan(ws, survey_id, datetime.now(UTC), dry_run=body.dry_run)


@router.get("/surveys/{survey_id}/invitations")
def invitations(
    who: ActionsRead,
    ws: WorkspaceDep,
    survey_id: str,
    delivery: str | None = None,
    limit: int = Query(500, ge=1, le=5000),
) -> list[InvitationRecord]:
    """Invitations newest first (a scoped caller sees its units' only); contact addresses are never sent."""
    return list_invitations(ws, survey_id, delivery, units_of(ws, who), limit)


@router.get("/surveys/{survey_id}/stats")
def stats(who: ActionsRead, ws: WorkspaceDep, survey_id: str) -> ResponseStats:
    """Invited, delivered, opened, answered and the response rate per unit and channel (the caller's units)."""
    return response_stats(ws, survey_id, units_of(ws, who))


@router.get("/surveys/{survey_id}/units/{entity_id}/qr")
def unit_qr(
    who: ActionsRead,
    ws: WorkspaceDep,
    request: Request,
    survey_id: str,
    entity_id: str,
    format: Literal["svg", "png"] = "svg",
) -> Response:
    """The QR code of the unit's anonymous link (made on first use), for a poster or a table card."""
    scope.check_unit(ws, who, entity_id)
    (link,) = unit_links(ws, survey_id, [entity_id], _base(request), datetime.now(UTC))
    if format == "png":
        return Response(qr_png(link.url), media_type="image/png")
    return Response(qr_svg(link.url), media_type="image/svg+xml")
