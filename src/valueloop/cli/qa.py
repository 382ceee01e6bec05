"""``valueloop qa …``: conversation quality assurance (智能质检) — a thin adapter over :mod:`valueloop.qa.service`.

JSON shapes (``--format json``):

* ``qa validate``: ``[{"rubric", "file", "items", "ok"}]``; every problem with file:line on stderr (exit 2).
* ``qa score``: ``{"rubric", "rubric_file", "rubric_sha", "conversations", "scored", "stored", "updated",
  "duplicates", "mean_score", "pass_rate", "auto_failed", "held_back", "batch_id", "seconds"}``.
* ``qa show``: ``[{"group", "period", "conversations", "mean_score", "pass_rate", "auto_failed"}]``;
  with ``--weakest``: ``[{"agent_id", "item", "name_zh", "name_en", "applicable", "failed", "fail_rate",
  "coaching", "bad": [{"conversation_id", "detail", "evidence"}], "good": [...]}]``;
  with ``--conversation``: ``{"conversation_id", "rubric", "score", "passed", "turns", "items"}``.
* ``qa review sample``: ``{"rubric", "method", "seed", "session_id", "conversations", "forms"}``.
* ``qa review import``: the ``valueloop ingest`` summary of the filled forms into ``qa_reviews``.
* ``qa train-item``: ``{"rubric", "item", "model", "file", "turns", "positive", "held_out", "precision", "recall"}``.
* ``qa dispute open|list|resolve``: ``[{"dispute_id", "rubric", "conversation_id", "item", "agent_id", "entity_id",
  "auto_result", "reason", "status", "result", "opened_by", "opened_at", "resolved_by", "resolved_at", "note"}]``.
* ``qa coach AGENT`` and ``qa coaching measure ID``: the task ``{"coaching_id", "rubric", "agent_id", "entity_id",
  "since", "follow_up_after", "created_by", "created_at", "status", "items": [{"item", "name_zh", "name_en",
  "coaching", "applicable", "failed", "fail_rate", "bad": [{"conversation_id", "agent_id", "turn", "text",
  "detail"}], "good": [...]}], "baseline", "result": {"verdict", "before", "after", "diff", "ci", "p_value",
  "method", "reason", "items"}, "measured_at"}``; ``qa coaching list``: a list of those.
* ``qa alerts``: ``{"rules", "series", "alerts": [{"alert_id", "rule", "entity_id", "status", "value", "new",
  "queued"}]}``.
* ``qa calibrate``: ``{"rubric", "threshold", "min_pairs", "reviews", "reviewers", "items": [{"item", "pairs",
  "percent_agreement", "cohen_kappa", "units_multi", "krippendorff_alpha", "fleiss_kappa",
  "needs_human_review", "reason"}], "needs_human_review", "file"}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr

qa_app = typer.Typer(
    help="Conversation quality assurance (智能质检): rubrics, scores, review, calibration.", no_args_is_help=True
)
review_app = typer.Typer(
    help="Human review: sample conversations into forms, import the filled forms.", no_args_is_help=True
)
dispute_app = typer.Typer(
    help="Disputes of one item result of a conversation (申诉): open, list, resolve.", no_args_is_help=True
)
ByOpt = Annotated[
    str | None, typer.Option("--by", envvar="VALUELOOP_USER", help="Who does this (default: login name).")
]
DISPUTE_COLUMNS = ("dispute_id", "conversation_id", "item", "agent_id", "auto_result", "status", "result",
                   "reason", "opened_by", "resolved_by", "note")  # fmt: skip


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class By(StrEnum):
    agent = "agent"
    unit = "unit"


class Period(StrEnum):
    week = "week"
    month = "month"
    all = "all"


class Method(StrEnum):
    random = "random"
    stratified = "stratified"
    uncertain = "uncertain"


RubricOpt = Annotated[
    str,
    typer.Option(
        "--rubric",
        "-r",
        help="Rubric: a file, a workspace rubric (qa/<name>.yaml) or a starter "
        "(bank_call, ecommerce_chat, after_sales_zh).",
    ),
]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Table labels and item names: zh or en.")]
HEADERS = {
    "zh": {
        "group": "对象",
        "period": "期间",
        "conversations": "会话数",
        "mean_score": "平均分",
        "pass_rate": "合格率",
        "auto_failed": "一票否决",
        "agent_id": "坐席",
        "item": "质检项",
        "failed": "未通过",
        "applicable": "适用",
        "fail_rate": "未通过率",
        "example": "示例",
        "pairs": "人机对数",
        "cohen_kappa": "κ(人机)",
        "krippendorff_alpha": "α(评审间)",
        "needs_human_review": "需人工复核",
        "reason": "原因",
        "result": "结果",
        "detail": "说明",
        "evidence": "证据",
        "bad": "待改进示例",
        "good": "同事优秀示例",
        "coaching": "辅导建议",
    },
    "en": {},
}


def _labelled(rows: Sequence[Mapping[str, object]], lang: Lang) -> list[dict[str, object]]:
    names = HEADERS[lang.value]
    return [{names.get(k, k): v for k, v in r.items()} for r in rows]


def validate(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Rubric files (default: qa/*.yaml and the starters).")
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Check rubric files; every problem is listed with file:line (exit 2 when any)."""
    from valueloop.qa.service.catalog import entry, rubric_files

    targets = [(f.stem, f) for f in files] if files else list(rubric_files(workspace or Path.cwd()).items())
    entries = [entry(name, f, shown=str(f)) for name, f in targets]
    rows = [
        {"rubric": e.id if e.ok else e.name, "file": str(e.path), "items": e.items if e.ok else None, "ok": e.ok}
        for e in entries
    ]
    emit(rows, fmt)
    for e in entries:
        if not e.ok:
            stderr.print(e.error, markup=False, highlight=False)
    if not all(e.ok for e in entries):
        raise typer.Exit(2)


def score(rubric: RubricOpt = "bank_call", workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Score every stored conversation against the rubric into qa_scores and qa_items (idempotent)."""
    from valueloop.qa.service.score import score_workspace
    from valueloop.store.workspace import open_workspace

    summary = score_workspace(open_workspace(workspace), rubric)
    emit(summary.model_dump(), fmt)
    if summary.held_back:
        stderr.print(f"held back for human review (calibration): {', '.join(summary.held_back)}")


def show(
    rubric: RubricOpt = "bank_call",
    by: Annotated[By, typer.Option("--by", help="Roll up per agent or unit.")] = By.agent,
    period: Annotated[Period, typer.Option("--period", help="week, month or all.")] = Period.month,
    weakest: Annotated[bool, typer.Option("--weakest", help="Each agent's weakest items, with example turns.")] = False,
    agent: Annotated[str | None, typer.Option("--agent", help="Only this agent (with --weakest).")] = None,
    conversation: Annotated[
        str | None, typer.Option("--conversation", help="One conversation with its evidence.")
    ] = None,
    lang: LangOpt = Lang.zh,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Stored QA results: roll-ups per agent/unit and period, weakest items, or one conversation."""
    from valueloop.qa.service import show as svc
    from valueloop.store.workspace import open_workspace

    ws = open_workspace(workspace)
    if conversation is not None:
        _show_conversation(svc.conversation_view(ws, conversation, rubric), lang, fmt)
    elif weakest:
        items = svc.weakest_items(ws, rubric, agent)
        if fmt is Format.json:
            emit([w.model_dump() for w in items], fmt)
            return
        rows = [
            {
                "agent_id": w.agent_id,
                "item": w.name_zh if lang is Lang.zh else w.name_en,
                "failed": w.failed,
                "applicable": w.applicable,
                "fail_rate": w.fail_rate,
                "example": _example(w.bad[0].evidence) if w.bad else "",
            }
            for w in items
        ]
        emit(_labelled(rows, lang), fmt)
    else:
        data = [r.model_dump() for r in svc.rollup(ws, rubric, by.value, period.value)]
        emit(data if fmt is Format.json else _labelled(data, lang), fmt)
        if not data:
            stderr.print("no QA results for this rubric yet (run `valueloop qa score`)")


def _example(evidence: list[dict[str, object]]) -> str:
    return "; ".join(f"#{e['turn']} {e['text']}" for e in evidence[:2])


def _show_conversation(view: object, lang: Lang, fmt: Format) -> None:
    from valueloop.qa.service.show import ConversationView

    assert isinstance(view, ConversationView)
    if fmt is Format.json:
        emit(view.model_dump(), fmt)
        return
    emit(
        [{"#": t.index, "speaker": t.speaker, "text": t.text} for t in view.turns],
        fmt,
        title=f"{view.conversation_id} · {view.score if view.score is not None else '—'}",
    )
    rows = [
        {
            "item": i.name_zh if lang is Lang.zh else i.name_en,
            "result": i.result,
            "detail": i.detail,
            "evidence": _example(i.evidence),
        }
        for i in view.items
    ]
    emit(_labelled(rows, lang), fmt)


def sample(
    rubric: RubricOpt = "bank_call",
    n: Annotated[int, typer.Option("--n", "-n", min=1, help="Conversations to review.")] = 20,
    method: Annotated[
        Method, typer.Option("--method", help="random, stratified (by agent) or uncertain.")
    ] = Method.stratified,
    reviewer: Annotated[list[str] | None, typer.Option("--reviewer", help="One form per reviewer (repeat).")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the forms (default: <workspace>/qa/review).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    session: Annotated[str | None, typer.Option("--session", help="Session id (default: rubric and time).")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Draw conversations for human review and write a CSV form per reviewer (fill in `result`: pass/fail/na)."""
    from valueloop.qa.service.review import draw_sample
    from valueloop.store.workspace import open_workspace

    ws = open_workspace(workspace)
    folder = out or ws.root / "qa" / "review"
    result = draw_sample(ws, rubric, n, method.value, folder, reviewer or [], seed, session)
    emit(result.model_dump(), fmt)


def import_reviews(
    files: Annotated[list[Path], typer.Argument(help="Filled review forms (CSV/XLSX).")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Ingest filled review forms into qa_reviews (rows without a result are quarantined with their row)."""
    from valueloop.ingest.service.ingest import ingest
    from valueloop.store.workspace import open_workspace

    summary = ingest(open_workspace(workspace), "qa_reviews", files)
    emit(summary.model_dump(), fmt)


def calibrate(
    rubric: RubricOpt = "bank_call",
    threshold: Annotated[float, typer.Option("--threshold", help="κ below this flags an item.")] = 0.6,
    min_pairs: Annotated[int, typer.Option("--min-pairs", min=1, help="Fewer auto/human pairs flag an item.")] = 10,
    session: Annotated[str | None, typer.Option("--session", help="Only this calibration session.")] = None,
    lang: LangOpt = Lang.zh,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Agreement per item, automatic vs human and between reviewers; flagged items are held back from scores."""
    from valueloop.qa.service.review import calibrate as run
    from valueloop.store.workspace import open_workspace

    report = run(open_workspace(workspace), rubric, threshold, min_pairs, session)
    if fmt is Format.json:
        emit(report.model_dump(), fmt)
        return
    keys = ("item", "pairs", "cohen_kappa", "krippendorff_alpha", "needs_human_review", "reason")
    emit(
        _labelled([{k: i[k] for k in keys} for i in report.items], lang),
        fmt,
        title=f"{report.rubric}: {report.reviews} reviews by {report.reviewers} reviewers",
    )
    if report.needs_human_review:
        stderr.print(f"needs human review (held back from `qa score`): {', '.join(report.needs_human_review)}")


def train_item(
    rubric: Annotated[str, typer.Argument(help="Rubric: a file, a workspace rubric or a starter.")],
    item: Annotated[str, typer.Argument(help="The rubric's classifier item to train.")],
    labels: Annotated[Path, typer.Option("--labels", help="Labelled turns: CSV or JSONL with text, label [, item].")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Train a classifier item's model on labelled turns (held-out precision/recall reported), saved in qa/models/."""
    from valueloop.qa.service.classifier import train_item as run
    from valueloop.store.workspace import open_workspace

    emit(run(open_workspace(workspace), rubric, item, labels).model_dump(), fmt)


def _who(by: str | None) -> str:
    import getpass

    return by or getpass.getuser()


def _disputes(rows: list[object], fmt: Format) -> None:
    dumped = [r.model_dump(mode="json") for r in rows if hasattr(r, "model_dump")]
    emit(dumped if fmt is Format.json else [{k: d[k] for k in DISPUTE_COLUMNS} for d in dumped], fmt)


def dispute_open(
    conversation: Annotated[str, typer.Argument(help="The conversation id.")],
    item: Annotated[str, typer.Argument(help="The disputed item's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the automatic result is wrong.", show_default=False)],
    rubric: RubricOpt = "bank_call",
    by: ByOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Dispute one item's automatic result in a conversation (an agent, or their manager for them)."""
    from valueloop.qa.service.disputes import open_dispute
    from valueloop.store.workspace import open_workspace

    found = open_dispute(open_workspace(workspace), rubric, conversation, item, reason, _who(by))
    stderr.print(f"dispute {found.dispute_id} opened")
    _disputes([found], fmt)


def dispute_list(
    status: Annotated[str | None, typer.Option("--status", help="open, upheld or rejected.")] = None,
    agent: Annotated[str | None, typer.Option("--agent", help="Only this agent's.")] = None,
    conversation: Annotated[str | None, typer.Option("--conversation", help="Only this conversation's.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Disputes, newest first."""
    from valueloop.errors import InputError
    from valueloop.qa.service.disputes import list_disputes
    from valueloop.store.workspace import open_workspace

    if status not in (None, "open", "upheld", "rejected"):
        raise InputError(f"--status must be open, upheld or rejected, not {status!r}")
    ws = open_workspace(workspace)
    _disputes(list(list_disputes(ws, status=status, agent=agent, conversation_id=conversation)), fmt)  # type: ignore[arg-type]


class Decision(StrEnum):
    upheld = "upheld"
    rejected = "rejected"


class ItemResult(StrEnum):
    pass_ = "pass"
    fail = "fail"
    na = "na"


def dispute_resolve(
    dispute_id: Annotated[str, typer.Argument(help="The dispute id (QD-…).")],
    decision: Annotated[Decision, typer.Option("--decision", help="upheld or rejected.", show_default=False)],
    note: Annotated[str, typer.Option("--note", help="Why this decision.", show_default=False)],
    result: Annotated[
        ItemResult | None, typer.Option("--result", help="Upheld: the item's result (default: the opposite).")
    ] = None,
    by: ByOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Decide a dispute as a reviewer; upheld re-scores the conversation with the new result."""
    from valueloop.qa.service.disputes import resolve_dispute
    from valueloop.store.workspace import open_workspace

    value = None if result is None else result.value
    found = resolve_dispute(open_workspace(workspace), dispute_id, decision.value, note, _who(by), value)  # type: ignore[arg-type]
    _disputes([found], fmt)


coaching_app = typer.Typer(help="Coaching tasks: list them, measure their follow-up.", no_args_is_help=True)


def _coaching(task: object, fmt: Format, lang: Lang = Lang.zh) -> None:
    from valueloop.qa.service.coaching import Coaching

    assert isinstance(task, Coaching)
    if fmt is Format.json:
        emit(task.model_dump(mode="json"), fmt)
        return
    rows = [
        {
            "item": i.name_zh if lang is Lang.zh else i.name_en,
            "failed": i.failed,
            "applicable": i.applicable,
            "bad": "; ".join(f"{b.conversation_id}#{b.turn} {b.text or b.detail}" for b in i.bad),
            "good": "; ".join(f"{g.agent_id} {g.conversation_id}#{g.turn} {g.text}" for g in i.good),
            "coaching": i.coaching or "",
        }
        for i in task.items
    ]
    emit(_labelled(rows, lang), fmt, title=f"{task.coaching_id} · {task.agent_id} · {task.status}")
    if task.result is not None:
        r = task.result
        verdict = r.verdict or "waiting"
        stderr.print(
            f"{verdict}: pass rate {r.before.pass_rate} → {r.after.pass_rate} "
            f"(diff {r.diff}, p = {r.p_value}, {r.method}){f' — {r.reason}' if r.reason else ''}",
            markup=False,
        )


def coach_agent(
    agent: Annotated[str, typer.Argument(help="The agent to coach.")],
    rubric: RubricOpt = "bank_call",
    top: Annotated[int, typer.Option("--top", min=1, help="How many of the weakest items.")] = 3,
    after: Annotated[
        int, typer.Option("--after", min=1, help="Further conversations before the follow-up measures.")
    ] = 20,
    by: ByOpt = None,
    lang: LangOpt = Lang.zh,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Create a coaching task from the agent's weakest items, with their failing turns and peers' passing turns."""
    from valueloop.qa.service.coaching import coach
    from valueloop.store.workspace import open_workspace

    task = coach(open_workspace(workspace), rubric, agent, _who(by), top, after)
    stderr.print(f"coaching task {task.coaching_id} created; measure it after {after} further conversations")
    _coaching(task, fmt, lang)


def coaching_list(
    agent: Annotated[str | None, typer.Option("--agent", help="Only this agent's.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Coaching tasks, newest first, with their follow-up verdicts."""
    from valueloop.qa.service.coaching import list_coaching
    from valueloop.store.workspace import open_workspace

    tasks = list_coaching(open_workspace(workspace), agent)
    rows = [
        {"coaching_id": t.coaching_id, "agent_id": t.agent_id, "items": ", ".join(i.item for i in t.items),
         "status": t.status, "verdict": t.result.verdict if t.result else None,
         "p_value": t.result.p_value if t.result else None, "created_by": t.created_by}
        for t in tasks
    ]  # fmt: skip
    emit([t.model_dump(mode="json") for t in tasks] if fmt is Format.json else rows, fmt)


def coaching_measure(
    coaching_id: Annotated[str, typer.Argument(help="The coaching task id (QC-…).")],
    alpha: Annotated[float, typer.Option("--alpha", min=0.0001, max=0.5, help="Significance level.")] = 0.05,
    lang: LangOpt = Lang.zh,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Compare the coached items' pass rate after the task with before: helped, not shown or worse."""
    from valueloop.qa.service.coaching import measure
    from valueloop.store.workspace import open_workspace

    _coaching(measure(open_workspace(workspace), coaching_id, alpha), fmt, lang)


def alerts(
    rubric: Annotated[str | None, typer.Option("--rubric", "-r", help="Only the QA rules of this rubric.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Evaluate the monitor's QA rules (qa_rules in monitor.yaml) on the QA roll-up; drops become alerts."""
    from valueloop.qa.service.alerts import check_qa_alerts
    from valueloop.store.workspace import open_workspace

    found = check_qa_alerts(open_workspace(workspace), rubric)
    if fmt is Format.json:
        emit(found.model_dump(), fmt)
        return
    emit(
        [a.model_dump() for a in found.alerts],
        fmt,
        title=f"{', '.join(found.rules) or 'no QA rule'}: {found.series} series",
    )


def register(app: typer.Typer) -> None:
    qa_app.command("alerts")(alerts)
    qa_app.command("coach")(coach_agent)
    coaching_app.command("list")(coaching_list)
    coaching_app.command("measure")(coaching_measure)
    qa_app.add_typer(coaching_app, name="coaching")
    dispute_app.command("open")(dispute_open)
    dispute_app.command("list")(dispute_list)
    dispute_app.command("resolve")(dispute_resolve)
    qa_app.add_typer(dispute_app, name="dispute")
    qa_app.command("train-item")(train_item)
    for name, fn in (("validate", validate), ("score", score), ("show", show), ("calibrate", calibrate)):
        qa_app.command(name)(fn)
    review_app.command("sample")(sample)
    review_app.command("import")(import_reviews)
    qa_app.add_typer(review_app, name="review")
    app.add_typer(qa_app, name="qa")
