"""The demo's inner loop: the shipped CSAT + NPS survey sent after the last week's resolved interactions, answered.

The demo workspace has no mail server, so the survey uses the ``export`` channel: the due links
go to ``survey-links.csv`` beside the source data, as a CRM would receive them — nothing waits on a
network. A seeded share of the invited customers answer through the very use cases behind the public
page ``/s/{token}`` (open the form, post it), so the answers land in ``feedback`` through the
ordinary ingest and every detractor opens a case; most cases are then called back and closed with an
outcome and a root cause, and the rest, past their one-hour deadline, are escalated; the cases then go
into the lake's ``follow_up_cases`` for models.

The clock is the demo data's own: "now" is noon of the day after the last resolved interaction.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from valueloop.store.workspace import Workspace
from valueloop.voice.service.text import analyze_feedback

SURVEY_ID = "after_service"
SURVEY_CHANGES: dict[str, object] = {
    "trigger": {"sample": 0.2},
    "follow_up": {"sla_hours": 1, "owners": {"*": "王敏"}, "escalate_to": {"*": "质量经理"}},
}
"""The demo's own settings on the shipped after-service survey: a fifth of the interactions, its cast as owners."""
ANSWERED = 24
"""How many invited customers answer (each answer is one ingest: a handful keeps the demo quick)."""
CLOSED_SHARE = 0.75
WHY = ("排队等了很久", "问题转了好几个部门才解决", "退款到现在还没到账", "客服态度一般", "App 总是闪退")
CAUSES = ("response_speed/phone_queue", "process", "refund/refund_delay", "attitude", "app")
OUTCOMES = ("resolved", "compensated", "reached", "not_reachable")

Log = Callable[[str], None]


@dataclass(frozen=True)
class LoopSummary:
    invited: int
    exported: int
    answered: int
    cases: int
    closed: int
    escalated: int


def demo_now(ws: Workspace) -> datetime:
    """Noon (workspace time) of the day after the last resolved interaction: outside the survey's quiet hours."""
    from valueloop.store.warehouse import Warehouse

    wh = Warehouse(ws)
    t = wh.table("interactions")
    last = wh.execute(t.select(last=t.resolved_at.max()))["last"].iloc[0]
    zone = ZoneInfo(ws.settings.workspace.timezone)
    day = last.to_pydatetime().astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(day, time(12), tzinfo=zone).astimezone(UTC)


def run_inner_loop(ws: Workspace, source: Path, seed: int, log: Log) -> LoopSummary:
    """Send, answer, open, close and escalate; one summary line in ``log``."""
    from valueloop.surveys.service.answer_flush import flush_answers
    from valueloop.surveys.service.case_lake import publish_cases
    from valueloop.surveys.service.catalog import shipped_survey_text, surveys_dir
    from valueloop.surveys.service.invitations import plan

    surveys_dir(ws).mkdir(exist_ok=True)
    text = shipped_survey_text(SURVEY_ID, SURVEY_CHANGES)
    (surveys_dir(ws) / f"{SURVEY_ID}.yaml").write_text(text, encoding="utf-8")
    now = demo_now(ws)
    planned = plan(ws, SURVEY_ID, now, dry_run=False)
    links = _export(ws, source / "survey-links.csv", now)
    rng = np.random.default_rng(seed)
    chosen = [int(i) for i in rng.choice(len(links), min(ANSWERED, len(links)), replace=False)] if links else []
    cases = [c for c in (_answer(ws, links[i], rng, now) for i in chosen) if c is not None]
    closed = _follow_up(ws, cases, rng, now)
    escalated = _escalate(ws, now + timedelta(hours=3))  # past every open case's one-hour deadline
    flush_answers(ws)  # the accepted answers into the feedback dataset, as the server's batcher does
    publish_cases(ws, now + timedelta(hours=3))  # time to close and recovery, for models (follow_up_cases)
    analyze_feedback(ws)  # the new answers' texts join the voice of the customer, like every ingested text
    summary = LoopSummary(planned.invited, len(links), len(chosen), len(cases), len(closed), escalated)
    outcomes = ", ".join(f"{k} {n}" for k, n in sorted(Counter(closed).items()))
    log(f"surveys: {summary.invited} invited after resolved interactions ({summary.exported} links → "
        f"survey-links.csv), {summary.answered} answered through the public answer service; "
        f"{summary.cases} detractor cases opened, {summary.closed} closed ({outcomes}), "
        f"{summary.escalated} escalated")  # fmt: skip
    return summary


def _export(ws: Workspace, target: Path, now: datetime) -> list[str]:
    """The due links as a CRM would receive them (CSV); the tokens, for answering."""
    from valueloop.surveys.service.invitations import export_links

    rows = export_links(ws, SURVEY_ID, "http://127.0.0.1:8600", now)
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["invitation_id", "customer_id", "entity_id", "url", "expires_at"])
        writer.writerows([r.invitation_id, r.customer_id, r.entity_id, r.url, r.expires_at.isoformat()] for r in rows)
    return [r.url.rsplit("/s/", 1)[1] for r in rows]


def _answer(ws: Workspace, token: str, rng: np.random.Generator, now: datetime) -> int | None:
    """Open the form and post it, as the public page does; the case it opened, if any."""
    from valueloop.surveys.service.answers import open_form, submit

    at = now + timedelta(minutes=float(rng.uniform(5, 90)))
    form = open_form(ws, token, at)
    unhappy = rng.random() < 0.35
    nps = int(rng.integers(0, 7)) if unhappy else int(rng.integers(7, 11))
    csat = int(np.clip(round(nps / 2.5) + rng.integers(-1, 2), 1, 5))
    fields = {"q.csat": [str(csat)], "q.nps": [str(nps)]}
    if nps <= 6:
        fields["q.why"] = [WHY[int(rng.integers(len(WHY)))]]
    return submit(ws, form.post_token, fields, "zh", at).case_id


def _follow_up(ws: Workspace, case_ids: list[int], rng: np.random.Generator, now: datetime) -> list[str]:
    """Call most customers back within the hour and close their case; the outcomes recorded."""
    from valueloop.surveys.service.cases import close, get_case

    done = []
    for case_id in case_ids[: round(len(case_ids) * CLOSED_SHARE)]:
        outcome = OUTCOMES[int(rng.integers(len(OUTCOMES)))]
        cause = CAUSES[int(rng.integers(len(CAUSES)))]
        at = get_case(ws, case_id, now).opened_at + timedelta(minutes=float(rng.uniform(15, 55)))
        close(ws, case_id, outcome, cause, "王敏", at, note="回电致歉并说明处理进度")
        done.append(outcome)
    return done


def _escalate(ws: Workspace, at: datetime) -> int:
    from valueloop.surveys.service.catalog import get_survey
    from valueloop.surveys.service.escalation import escalate_overdue

    return len(escalate_overdue(ws, {SURVEY_ID: get_survey(ws, SURVEY_ID)}, at).cases)  # no mail server: recorded
