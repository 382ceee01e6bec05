"""Coaching (辅导): a task from an agent's weakest items, and a follow-up measurement once they have taken more calls.

The task lists the agent's most failed items with the rubric's coaching advice, turns where the
agent failed them and turns where peers passed them (the same item, other agents), so the
coach shows what good sounds like in this team's own words. It records the agent's pass rate
on those items up to their latest scored conversation (``since``) — the "before".

The follow-up waits for ``follow_up_after`` further scored conversations of the agent (started
after ``since``), then compares the pass rate on the coached items after with before using the
project's two-proportion z-test (:func:`valueloop.stats.twosample.proportion_ztest`, the test
verification uses for rates): ``helped`` when the rate rose and p < ``alpha``, ``worse`` when
it fell and p < ``alpha``, otherwise ``not_shown`` — not "no effect", just none shown. One
item application is one trial; upheld disputes count with their decided result. Tasks live in
the app database (table ``qa_coaching``).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.errors import InputError, NotFound
from valueloop.qa.rubric_loader import load_rubric, resolve
from valueloop.qa.service.disputes import upheld
from valueloop.qa.service.show import WeakItem, _records, weakest_items, with_disputes
from valueloop.qa.service.transcripts import read_turns, read_where
from valueloop.results import Instant
from valueloop.stats.moments import Summary
from valueloop.stats.twosample import proportion_ztest
from valueloop.store import appdb
from valueloop.store.tables import qa_coaching
from valueloop.store.workspace import Workspace

Verdict = Literal["helped", "not_shown", "worse"]
ALPHA = 0.05
FOLLOW_UP_AFTER = 20
"""Further conversations before the follow-up measures: fewer and a real change rarely shows."""


class ExampleTurn(BaseModel):
    conversation_id: str
    agent_id: str | None
    turn: int | None
    """The turn the evidence points at (None when the check found nothing to point at)."""
    text: str
    detail: str


class CoachedItem(BaseModel):
    item: str
    name_zh: str
    name_en: str
    coaching: str | None
    applicable: int
    failed: int
    fail_rate: float
    bad: list[ExampleTurn]
    """The agent's own failing turns."""
    good: list[ExampleTurn]
    """Peers' passing turns on the same item."""


class Rates(BaseModel):
    conversations: int
    applicable: int
    passed: int
    pass_rate: float | None


class Measurement(BaseModel):
    verdict: Verdict | None
    """None while fewer than ``follow_up_after`` further conversations are scored."""
    before: Rates
    after: Rates
    diff: float | None
    """Pass rate after minus before (the effect, in share points)."""
    ci: tuple[float, float] | None
    p_value: float | None
    method: str
    reason: str | None
    items: dict[str, dict[str, Any]]
    """Per coached item: before and after pass rates and the same test's p-value."""


class Coaching(BaseModel):
    coaching_id: str
    rubric: str
    agent_id: str
    entity_id: str | None
    since: Instant
    follow_up_after: int
    created_by: str
    created_at: Instant
    status: Literal["open", "measured"]
    items: list[CoachedItem]
    baseline: Rates
    result: Measurement | None
    measured_at: Instant | None


def coach(
    ws: Workspace,
    rubric: str | Path,
    agent: str,
    by: str,
    top: int = 3,
    follow_up_after: int = FOLLOW_UP_AFTER,
    examples: int = 2,
) -> Coaching:
    """Create a coaching task for ``agent`` from their ``top`` weakest items, with example turns."""
    if follow_up_after < 1:
        raise InputError("follow_up_after must be at least 1 conversation")
    file = resolve(rubric, ws.root)
    spec = load_rubric(file)
    weak = weakest_items(ws, file, agent, top, examples)
    if not weak:
        raise InputError(f"agent {agent!r} has no failed item under rubric {spec.id!r}: nothing to coach")
    mine = _agent_items(ws, spec.id, agent)
    since = mine["started_at"].max().to_pydatetime()
    items = [_coached(ws, spec.id, agent, w, examples) for w in weak]
    baseline = _rates(mine, [w.item for w in weak])
    entity = mine["entity_id"].dropna()
    task = {"since": since.isoformat(), "items": [i.model_dump() for i in items], "baseline": baseline.model_dump()}
    coaching_id = f"QC-{secrets.token_hex(4)}"
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(
            qa_coaching.insert().values(
                coaching_id=coaching_id, rubric=spec.id, agent_id=agent,
                entity_id=str(entity.iloc[-1]) if len(entity) else None, items=[w.item for w in weak], task=task,
                follow_up_after=follow_up_after, created_by=by, created_at=datetime.now(UTC), status="open",
            )
        )  # fmt: skip
    return get_coaching(ws, coaching_id)


def _agent_items(ws: Workspace, rubric_id: str, agent: str) -> pd.DataFrame:
    """The agent's stored item results, with upheld disputes' results in place of the automatic ones."""
    frame = read_where(ws, "qa_items", rubric=rubric_id, agent_id=agent).to_pandas()
    return with_disputes(frame, upheld(ws, rubric_id))


def _coached(ws: Workspace, rubric_id: str, agent: str, weak: WeakItem, n: int) -> CoachedItem:
    peers = read_where(ws, "qa_items", rubric=rubric_id, item=weak.item, result="pass").to_pandas()
    peers = peers[peers["agent_id"].notna() & (peers["agent_id"] != agent)].sort_values("conversation_id")
    own = read_where(ws, "qa_items", rubric=rubric_id, item=weak.item, agent_id=agent).to_pandas()
    own = own[own["result"] == "fail"].sort_values("conversation_id")
    return CoachedItem(
        **weak.model_dump(include={"item", "name_zh", "name_en", "coaching", "applicable", "failed", "fail_rate"}),
        bad=_turns(ws, _records(own.head(n))),
        good=_turns(ws, _records(peers.drop_duplicates("agent_id").head(n))),
    )


def _turns(ws: Workspace, rows: list[dict[str, Any]]) -> list[ExampleTurn]:
    """Each row's first evidence turn, whole (the words around a matched phrase are the lesson)."""
    import json

    if not rows:
        return []
    texts = {(str(t["conversation_id"]), int(t["turn_index"])): str(t["text"] or "")
             for t in read_turns(ws, [str(r["conversation_id"]) for r in rows]).to_pylist()}  # fmt: skip
    out = []
    for r in rows:
        evidence = json.loads(r["evidence"] or "[]")
        turn = int(evidence[0]["turn"]) if evidence else None
        cid = str(r["conversation_id"])
        text = texts.get((cid, turn), "") if turn is not None else ""
        out.append(
            ExampleTurn(
                conversation_id=cid, agent_id=r["agent_id"], turn=turn, text=text, detail=str(r["detail"] or "")
            )
        )
    return out


def _rates(items: pd.DataFrame, coached: list[str]) -> Rates:
    rows = items[items["item"].isin(coached) & (items["result"] != "na")]
    passed = int((rows["result"] == "pass").sum())
    return Rates(
        conversations=int(items["conversation_id"].nunique()),
        applicable=len(rows),
        passed=passed,
        pass_rate=round(passed / len(rows), 4) if len(rows) else None,
    )


def measure(ws: Workspace, coaching_id: str, alpha: float = ALPHA) -> Coaching:
    """Compare the coached items' pass rate after the task with before; stored once enough conversations are in."""
    task = get_coaching(ws, coaching_id)
    mine = _agent_items(ws, task.rubric, task.agent_id)
    since = pd.Timestamp(task.since)
    before, after = mine[mine["started_at"] <= since], mine[mine["started_at"] > since]
    coached = [i.item for i in task.items]
    result = _compare(_rates(before, coached), _rates(after, coached), alpha)
    per_item = {i: _compare(_rates(before, [i]), _rates(after, [i]), alpha) for i in coached}
    result = result.model_copy(update={"items": {i: _brief(m) for i, m in per_item.items()}})
    if result.after.conversations < task.follow_up_after:
        waiting = f"{result.after.conversations} of {task.follow_up_after} further conversations scored so far"
        return task.model_copy(update={"result": result.model_copy(update={"verdict": None, "reason": waiting})})
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(
            qa_coaching.update()
            .where(qa_coaching.c.coaching_id == coaching_id)
            .values(status="measured", result=result.model_dump(mode="json"), measured_at=datetime.now(UTC))
        )
    return get_coaching(ws, coaching_id)


def _brief(m: Measurement) -> dict[str, Any]:
    return {"before": m.before.pass_rate, "after": m.after.pass_rate, "diff": m.diff, "p_value": m.p_value,
            "verdict": m.verdict}  # fmt: skip


def _compare(before: Rates, after: Rates, alpha: float) -> Measurement:
    def summary(r: Rates) -> Summary:
        p = r.pass_rate if r.pass_rate is not None else float("nan")
        return Summary(r.applicable, p, p * (1 - p))

    test = proportion_ztest(summary(before), summary(after), alpha)
    verdict: Verdict = "not_shown"
    if test.p_value is not None and test.diff is not None and test.p_value < alpha:
        verdict = "helped" if test.diff > 0 else "worse"
    return Measurement(
        verdict=verdict, before=before, after=after, diff=test.diff, ci=test.ci, p_value=test.p_value,
        method=test.method, reason=test.reason, items={},
    )  # fmt: skip


def list_coaching(ws: Workspace, agent: str | None = None, rubric: str | None = None) -> list[Coaching]:
    c = qa_coaching.c
    query = sa.select(qa_coaching).order_by(c.created_at.desc(), c.coaching_id)
    if agent is not None:
        query = query.where(c.agent_id == agent)
    if rubric is not None:
        query = query.where(c.rubric == rubric)
    with appdb.engine(ws.database_url).connect() as conn:
        return [_row(r._mapping) for r in conn.execute(query)]


def get_coaching(ws: Workspace, coaching_id: str) -> Coaching:
    with appdb.engine(ws.database_url).connect() as conn:
        row = conn.execute(sa.select(qa_coaching).where(qa_coaching.c.coaching_id == coaching_id)).first()
    if row is None:
        raise NotFound(f"no coaching task {coaching_id!r}")
    return _row(row._mapping)


def _row(m: Any) -> Coaching:
    task = m["task"]
    return Coaching(
        coaching_id=m["coaching_id"], rubric=m["rubric"], agent_id=m["agent_id"], entity_id=m["entity_id"],
        since=datetime.fromisoformat(task["since"]), follow_up_after=m["follow_up_after"],
        created_by=m["created_by"], created_at=appdb.as_utc(m["created_at"]), status=m["status"],
        items=task["items"], baseline=task["baseline"], result=m["result"],
        measured_at=appdb.as_utc(m["measured_at"]),
    )  # fmt: skip
