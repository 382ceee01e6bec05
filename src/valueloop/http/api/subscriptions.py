"""``/api/v1/subscriptions``: the caller's period review subscriptions (PDF of their own units, by e-mail or webhook).

Every signed-in user manages only their own; ``valueloop subscriptions run`` sends the due ones.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from valueloop.accounts.service import subscriptions
from valueloop.accounts.service.subscriptions import Subscription
from valueloop.http.deps import Authenticated, WorkspaceDep

router = APIRouter(tags=["subscriptions"])
SubscriptionId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class SubscriptionIn(BaseModel):
    """``monthly`` sends last month's review once a month, ``weekly`` this month's so far once a week."""

    model_config = ConfigDict(extra="forbid")
    cadence: Literal["monthly", "weekly"] = "monthly"
    channel: Literal["email", "webhook"]
    target: Annotated[str, Field(min_length=3, max_length=500, examples=["manager@example.com"])]
    lang: Literal["zh", "en"] = "zh"


@router.get("/subscriptions")
def list_subscriptions(who: Authenticated, ws: WorkspaceDep) -> list[Subscription]:
    """The caller's subscriptions, with the last delivery and its error if it failed."""
    return subscriptions.list_subscriptions(ws, who.username)


@router.post("/subscriptions", status_code=201)
def subscribe(who: Authenticated, ws: WorkspaceDep, body: SubscriptionIn) -> Subscription:
    """Subscribe the caller to the period review of their scope."""
    return subscriptions.subscribe(ws, who.username, body.cadence, body.channel, body.target, body.lang)


@router.delete("/subscriptions/{subscription_id}", status_code=204)
def unsubscribe(who: Authenticated, ws: WorkspaceDep, subscription_id: SubscriptionId) -> None:
    """End one of the caller's subscriptions."""
    subscriptions.unsubscribe(ws, who.username, subscription_id)
