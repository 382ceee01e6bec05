"""The signed-in user's review subscriptions ``/subscriptions``: list, subscribe, end one.

The same use cases as ``/api/v1/subscriptions`` (:mod:`valueloop.accounts.service.subscriptions`); every
user manages only their own, and the page says which units their review covers (their bound units'
subtrees, or every unit), so nobody subscribes expecting numbers they may not see. The forms post
through htmx (CSRF header) and carry the token as a field too; each answer is the page again with the
outcome, or the refusal in the page's language, on top.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from valueloop.accounts.service import subscriptions
from valueloop.accounts.service.accounts import Principal
from valueloop.errors import InputError, NotFound
from valueloop.http.deps import Authenticated, WorkspaceDep, check_csrf
from valueloop.http.web.render import page, translator
from valueloop.store.workspace import Workspace

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str, Form()]
PATH = "/subscriptions"


def _render(request: Request, who: Principal, ws: Workspace, **context: Any) -> Response:
    resp = page(request, "subscriptions.html", who,
                rows=subscriptions.list_subscriptions(ws, who.username), scope=list(who.units) if who.scoped else None,
                max_rows=subscriptions.MAX_PER_USER, **context)  # fmt: skip
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _refusal(err: InputError, channel: str) -> str:
    """The service's refusal as a catalogue key: the page speaks the reader's language, not the log's."""
    text = str(err)
    if text.startswith("target:"):
        return "sub_bad_email" if channel == "email" else "sub_bad_url"
    return "sub_too_many" if text.startswith("at most") else "sub_failed"


@router.get(PATH, response_class=HTMLResponse)
def subscriptions_page(who: Authenticated, ws: WorkspaceDep, request: Request) -> Response:
    return _render(request, who, ws)


@router.post(PATH + "/new", response_class=HTMLResponse)
def subscribe(who: Authenticated, ws: WorkspaceDep, request: Request, csrf_token: CsrfField,
              channel: Annotated[Literal["email", "webhook"], Form()],
              target: Annotated[str, Form(max_length=500)],
              cadence: Annotated[Literal["monthly", "weekly"], Form()] = "monthly",
              lang: Annotated[Literal["zh", "en"] | None, Form()] = None) -> Response:  # fmt: skip
    check_csrf(who, csrf_token)
    lang = lang or ("zh" if translator(request).zh else "en")
    try:
        made = subscriptions.subscribe(ws, who.username, cadence, channel, target, lang)
    except InputError as err:  # 200, so htmx swaps the page in and shows why; the form keeps what was typed
        return _render(request, who, ws, error=_refusal(err, channel), typed={"channel": channel, "target": target,
                       "cadence": cadence, "lang": lang})  # fmt: skip
    return _render(request, who, ws, notice="sub_added", done=made.subscription_id)


@router.post(PATH + "/{subscription_id}/delete", response_class=HTMLResponse)
def unsubscribe(who: Authenticated, ws: WorkspaceDep, request: Request, csrf_token: CsrfField,
                subscription_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> Response:  # fmt: skip
    check_csrf(who, csrf_token)
    try:
        subscriptions.unsubscribe(ws, who.username, subscription_id)
    except NotFound:  # another user's id answers as a missing one
        return _render(request, who, ws, error="sub_not_found")
    return _render(request, who, ws, notice="sub_deleted")
