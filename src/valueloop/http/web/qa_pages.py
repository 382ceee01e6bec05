"""Conversation QA pages: agents' scores and weakest items, and one conversation with its evidence highlighted.

They read the same use cases and scope rules as ``/api/v1/qa``. Transcript text is data: the
highlighting splits it into segments on the server and the template escapes every one.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from valueloop.accounts import scope
from valueloop.accounts.service.accounts import Principal
from valueloop.errors import InputError, ValueloopError
from valueloop.http.deps import AuditsWrite, ScoresRead, WorkspaceDep, check_csrf
from valueloop.http.web.render import page
from valueloop.qa.agreement import MIN_PAIRS, THRESHOLD
from valueloop.qa.rubric_loader import resolve
from valueloop.qa.service import coaching, review, show
from valueloop.store.workspace import Workspace

router = APIRouter(include_in_schema=False)
RUBRIC = Query(default="bank_call", pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
SEVERITY = {"fail": 2, "pass": 1, "na": 0}


@dataclass(frozen=True)
class Segment:
    text: str
    result: str | None
    """The worst result among the items whose evidence covers this text (None: plain text)."""
    items: tuple[str, ...]


def segments(text: str, spans: list[tuple[int, int, str, str]]) -> list[Segment]:
    """``text`` cut at every evidence boundary; each piece names the items (and worst result) covering it.

    >>> [(s.text, s.result) for s in segments("您好，再见", [(0, 2, "greeting", "pass"), (3, 5, "bye", "fail")])]
    [('您好', 'pass'), ('，', None), ('再见', 'fail')]
    """
    clipped = [(max(0, a), min(len(text), b), item, result) for a, b, item, result in spans]
    inside = [span for span in clipped if span[0] < span[1]]
    cuts = sorted({0, len(text), *(a for a, *_ in inside), *(b for _, b, *_ in inside)})
    out = []
    for a, b in pairwise(cuts):
        covering = [(item, result) for s, e, item, result in inside if s <= a and b <= e]
        worst = max((r for _, r in covering), key=SEVERITY.__getitem__, default=None)
        out.append(Segment(text[a:b], worst, tuple(sorted({i for i, _ in covering}))))
    return out


@router.get("/qa", response_class=HTMLResponse)
def qa_overview(who: ScoresRead, ws: WorkspaceDep, request: Request, rubric: str = RUBRIC) -> Response:
    try:
        file = resolve(rubric, ws.root, names_only=True)
        rows = scope.qa_rows(ws, who, show.rollup(ws, file, "agent", "all"), lambda r: r.group)
        weak = scope.qa_rows(ws, who, show.weakest_items(ws, file, top=2, examples=1), lambda w: w.agent_id)
    except ValueloopError:  # no rubric of that name, or nothing scored with it yet
        rows, weak = [], []
    weak.sort(key=lambda w: (-w.failed, w.agent_id))
    return page(request, "qa.html", who, rubric=rubric, rows=rows, weak=weak[:30])


@router.get("/qa/agents/{agent_id}", response_class=HTMLResponse)
def qa_agent(who: ScoresRead, ws: WorkspaceDep, request: Request, agent_id: str, rubric: str = RUBRIC) -> Response:
    """One agent: QA score per month with the weakest items, and coaching tasks with their follow-up verdicts."""
    scope.check_unit(ws, who, agent_id)
    try:
        file = resolve(rubric, ws.root, names_only=True)
        trend = [r for r in show.rollup(ws, file, "agent", "month") if r.group == agent_id]
        weak = show.weakest_items(ws, file, agent_id, top=5, examples=1)
    except ValueloopError:  # no rubric of that name, or nothing scored with it yet
        trend, weak = [], []
    tasks = scope.qa_coaching(ws, who, [t for t in coaching.list_coaching(ws, agent_id) if t.rubric == rubric])
    return page(request, "qa_agent.html", who, agent_id=agent_id, rubric=rubric, trend=trend, weak=weak, tasks=tasks)


@router.get("/qa/conversations/{conversation_id}", response_class=HTMLResponse)
def qa_conversation(
    who: ScoresRead, ws: WorkspaceDep, request: Request, conversation_id: str, rubric: str = RUBRIC
) -> Response:
    view = scope.qa_conversation(ws, who, conversation_id, resolve(rubric, ws.root, names_only=True))
    return page(request, "qa_conversation.html", who, view=view, rubric=rubric, turns=_turns(view))


def _turns(view: show.ConversationView) -> list[dict[str, Any]]:
    spans: dict[int, list[tuple[int, int, str, str]]] = {}
    for item in view.items:
        for e in item.evidence:
            span = (int(str(e["start"])), int(str(e["end"])), item.item, item.result)
            spans.setdefault(int(str(e["turn"])), []).append(span)
    return [{"turn": t, "segments": segments(t.text, spans.get(t.index, []))} for t in view.turns]


@router.get("/qa/review", response_class=HTMLResponse)
def qa_review_list(who: AuditsWrite, ws: WorkspaceDep, request: Request, rubric: str = RUBRIC) -> Response:
    """Conversations to review next: those whose automatic score is least certain."""
    try:
        chosen = review.review_queue(ws, resolve(rubric, ws.root, names_only=True), 20, "uncertain")
    except ValueloopError:
        chosen = []
    return page(request, "qa_review_list.html", who, rubric=rubric, chosen=chosen)


@router.get("/qa/review/{conversation_id}", response_class=HTMLResponse)
def qa_review_form(
    who: AuditsWrite, ws: WorkspaceDep, request: Request, conversation_id: str, rubric: str = RUBRIC
) -> Response:
    return _review_page(request, ws, who, conversation_id, rubric)


def _review_page(
    request: Request, ws: Workspace, who: Principal, conversation_id: str, rubric: str, **extra: object
) -> Response:
    view = scope.qa_conversation(ws, who, conversation_id, resolve(rubric, ws.root, names_only=True))
    status = 422 if extra.get("error") and not request.headers.get("hx-request") else 200  # htmx swaps only a 2xx
    return page(request, "qa_review.html", who, status, view=view, rubric=rubric, turns=_turns(view), **extra)


@router.post("/qa/review/{conversation_id}", response_class=HTMLResponse)
async def qa_review_submit(
    who: AuditsWrite, ws: WorkspaceDep, request: Request, conversation_id: str, rubric: str = RUBRIC
) -> Response:
    """The review form: one result (and note) per item, stored as this reviewer's human review (``qa_reviews``)."""
    form = await request.form()
    check_csrf(who, str(form.get("csrf_token", "")))
    session = str(form.get("session") or "web")[:200]
    results = {k.removeprefix("result__"): str(v) for k, v in form.items() if k.startswith("result__") and v}
    notes = {k.removeprefix("note__"): str(v)[:2000] for k, v in form.items() if k.startswith("note__") and v}
    scope.qa_conversation(ws, who, conversation_id, resolve(rubric, ws.root, names_only=True))
    try:
        saved = review.record_review(ws, rubric, conversation_id, who.username, results, notes, session)
    except InputError as err:
        return _review_page(request, ws, who, conversation_id, rubric, error=str(err), chosen=results)
    return _review_page(request, ws, who, conversation_id, rubric, saved=saved, chosen=results)


@router.get("/qa/calibration", response_class=HTMLResponse)
def qa_calibration(
    who: ScoresRead,
    ws: WorkspaceDep,
    request: Request,
    rubric: str = RUBRIC,
    session: str | None = Query(default=None, max_length=200),
) -> Response:
    """Agreement per item: automatic vs human (Cohen's κ) and between reviewers (Krippendorff's α, Fleiss' κ)."""
    scope.pooled(who, "calibration")
    file = resolve(rubric, ws.root, names_only=True)
    try:
        _, reviews, items = review.agreement(ws, file, THRESHOLD, MIN_PAIRS, session)
    except InputError:  # no reviews yet
        reviews, items = None, []
    names = {i.item: (i.name_zh, i.name_en) for i in show.item_names(file)}
    return page(request, "qa_calibration.html", who, rubric=rubric, session=session, items=items, names=names,
                reviews=0 if reviews is None else len(reviews),
                reviewers=[] if reviews is None else sorted(reviews["reviewer_id"].unique()),
                conversations=0 if reviews is None else reviews["conversation_id"].nunique(),
                threshold=THRESHOLD, min_pairs=MIN_PAIRS)  # fmt: skip
