"""``valueloop people`` and ``valueloop audits``: scorecards, bot resolution, mystery-shopper audits.

A thin adapter over the use cases in :mod:`valueloop.people.service`; ``--format json`` prints their
result models (:mod:`valueloop.people.results`), the documents ``/api/v1`` answers. JSON shapes:

* ``audits plan``: ``{"year", "seed", "level", "slots", "auditor_source", "auditors": [...],
  "visits": [{"audit_id", "entity_id", "auditor_id", "date", "slot"}], "file"}``;
  ``auditor_source`` is ``staff`` or ``default`` (see :mod:`valueloop.people.auditors`).
* ``audits verify``: ``[{"audit_id", "check", "detail"}]`` (exit 1 when any problem).
* ``audits calibration``: ``[{"calibration_id", "entity_id", "auditors", "items",
  "alpha_nominal", "fleiss_kappa", "cohen_kappa"?, "alpha_ordinal"?, "verdict"}]``.
* ``audits checklist FILE``: the validated checklist, or every problem with file:line (exit 2).
* ``people bot-resolution``: ``[{group…, "routine", "resolved", "returned_to_human", "rate",
  "target", "meets_target"}]``.
* ``people awards``: ``{"period", "periods", "peer_mean", "eligible", "winners": [{"rank", "agent_id", "score",
  "interval", "raw_mean", "n", "top_quartile_periods", "why", "case"}], "indicator", "direction", "rules"}``.
* ``people training-effect``: ``{"course_id", "tier", "mode", "enrolled", "completed", "pre_before",
  "post_after", "indicator", "estimate", "se", "ci", "p_value", "cell_means", "n_obs", "n_agents", "verdict",
  "reason", "assumptions"}``.
* ``risk train``: ``{"file", "horizon_days", "split", "test": {"auc", "precision_at_k", "brier",
  "calibration", …}, "coefficients"}``; ``risk score``: ``{"date", "horizon_days", "n", "scores": [...]}``;
  ``risk queue``: ``{"date", "horizon_days", "candidates", "queue": [{"rank", "interaction_id",
  "customer_id", "probability", "reasons": [{"feature", "value", "contribution"}]}]}``.
* ``people scorecards``: ``{"period", "model", "method", "indicators", "scorecards": [{"agent_id",
  "name", "team_id", "score", "rank", "grade", "incentive", "excluded", "disputes", "indicators"}], "file"}``;
  ``excluded`` lists the indicators left out by upheld disputes (weights renormalised).
* ``people dispute open|resolve``: the dispute ``{"dispute_id", "agent_id", "period", "indicator", "reason",
  "status", "opened_by", "opened_at", "decision", "note", "resolved_by", "resolved_at", "history"}``;
  ``people dispute list``: a list of those.
* ``people case add``: ``{"case_id", "agent_id", "period", "title", "file", "sha256", "added_by", "added_at",
  "source"}``; ``people case show``: the record with ``path`` and ``text``; ``people awards`` winners carry
  ``case`` (the case id of the award period, or null).
* ``people check-training``: ``[{"record", "staff_id", "course_id", "lake_file", "batch_id", "source", "row",
  "message"}]`` (exit 1 when any).
"""

from __future__ import annotations

import getpass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr

if TYPE_CHECKING:
    from valueloop.people.results import Dispute
    from valueloop.store.workspace import Workspace


def open_workspace(path: Path | None) -> Workspace:
    """The workspace; the store (pyarrow, DuckDB) is imported on first use so ``--help`` stays fast."""
    from valueloop.store.workspace import open_workspace as open_ws

    return open_ws(path)


def _flows() -> ModuleType:
    """The use cases, imported on first use so ``valueloop --help`` stays fast."""
    from valueloop.people.service import audits as people

    return people


def _perf() -> ModuleType:
    from valueloop.people.service import performance as people_perf

    return people_perf


def _records() -> ModuleType:
    from valueloop.people.service import records as people_records

    return people_records


ByOpt = Annotated[
    str | None, typer.Option("--by", envvar="VALUELOOP_USER", help="Who does this (default: login name).")
]


def _who(by: str | None) -> str:
    return by or getpass.getuser()


def _risk() -> ModuleType:
    from valueloop.people.service import risk as people_risk

    return people_risk


def register(app: typer.Typer) -> None:
    """Add the ``people`` and ``audits`` command groups to ``app``."""
    people = typer.Typer(help="Staff scorecards, grades and bot resolution.", no_args_is_help=True)
    people.command("scorecards")(scorecards)
    people.command("bot-resolution")(bot_resolution)
    people.command("awards")(awards)
    people.command("training-effect")(training_effect)
    people.command("check-training")(check_training)
    dispute = typer.Typer(help="Disputes on a scorecard item, and their resolution.", no_args_is_help=True)
    dispute.command("open")(dispute_open)
    dispute.command("resolve")(dispute_resolve)
    dispute.command("list")(dispute_list)
    people.add_typer(dispute, name="dispute")
    case = typer.Typer(help="Case write-ups of what award winners did.", no_args_is_help=True)
    case.command("add")(case_add)
    case.command("show")(case_show)
    case.command("list")(case_list)
    people.add_typer(case, name="case")
    risk = typer.Typer(help="Complaint-risk prediction and the proactive-intervention queue.", no_args_is_help=True)
    risk.command("train")(risk_train)
    risk.command("score")(risk_score)
    risk.command("queue")(risk_queue)
    audits = typer.Typer(
        help="Mystery-shopper audits: plans, checklists, verification, calibration.", no_args_is_help=True
    )
    audits.command("plan")(plan)
    audits.command("verify")(verify)
    audits.command("calibration")(calibration)
    audits.command("checklist")(checklist)
    app.add_typer(people, name="people")
    app.add_typer(audits, name="audits")
    app.add_typer(risk, name="risk")


def plan(
    visits: Annotated[int, typer.Option("--visits", min=0, help="Visits in the year.")] = 2000,
    year: Annotated[int, typer.Option("--year", help="Calendar year of the plan.")] = 2027,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same plan.")] = 7,
    level: Annotated[str, typer.Option("--level", help="Entity type to visit.")] = "branch",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Plan unannounced visits: stratified over units, months, weekdays and slots, within auditor capacity."""
    doc = _flows().audit_plan(open_workspace(workspace), visits=visits, year=year, seed=seed, level=level)
    if doc.auditor_source == "default":
        stderr.print(f"no auditors in the staff dataset: using the default pool of {len(doc.auditors)}")
    stderr.print(f"plan saved to {doc.file}")
    emit(doc if fmt is Format.json else doc.visits, fmt, title=f"audit plan {year}")


def verify(
    min_minutes: Annotated[float, typer.Option("--min-minutes", help="Shortest believable visit.")] = 10.0,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Check recorded visits: minimum duration, opening hours, re-used photos."""
    problems = _flows().verify_audits(open_workspace(workspace), min_minutes=min_minutes)
    emit(problems, fmt, columns=["audit_id", "check", "detail"])
    if problems:
        raise typer.Exit(1)


def calibration(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Agreement of auditors on calibration visits (Krippendorff's alpha, Fleiss' and Cohen's kappa)."""
    emit(_flows().calibration(open_workspace(workspace)), fmt, title="calibration")


def checklist(
    file: Annotated[Path, typer.Argument(help="Checklist YAML file.", show_default=False)],
    fmt: FormatOpt = Format.table,
) -> None:
    """Validate a checklist: weights sum to 1, items well formed; every problem with file:line."""
    from valueloop.people.checklist import load_checklist

    c = load_checklist(file)
    emit(c if fmt is Format.json else [i.model_dump(mode="json") for i in c.items], fmt)


def bot_resolution(
    period: Annotated[str | None, typer.Option("--period", help="Period label, e.g. 2026-09.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Group by a column, e.g. entity_id.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Routine questions resolved by the bot (a return to a human within 7 days is not resolved)."""
    emit(_flows().bot_resolution_rate(open_workspace(workspace), period=period, by=by), fmt, title="bot resolution")


def scorecards(
    period: Annotated[str | None, typer.Option("--period", help="Period label (default: the latest).")] = None,
    model: Annotated[str | None, typer.Option("--model", help="Model id.")] = None,
    method: Annotated[str, typer.Option("--method", help="absolute (thresholds) or forced (quotas).")] = "absolute",
    thresholds: Annotated[
        str, typer.Option("--thresholds", help="Minimum points (0–100) per grade, best first.")
    ] = "A=90,B=80,C=70,D=0",
    quotas: Annotated[
        str, typer.Option("--quotas", help="Share per grade for forced distribution.")
    ] = "A=0.2,B=0.7,C=0.1",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Agent scorecards on controllable indicators, with grades and incentive coefficients."""
    if method not in ("absolute", "forced"):
        raise typer.BadParameter("--method must be absolute or forced")
    doc = _flows().scorecards(
        open_workspace(workspace),
        period=period,
        model_id=model,
        method=method,
        thresholds=list(_pairs(thresholds).items()),
        quotas=_pairs(quotas),
    )
    stderr.print(f"exported to {doc.file}")
    cols = ["agent_id", "name", "team_id", "score", "points", "rank", "grade", "incentive", "excluded"]
    emit(
        doc if fmt is Format.json else [c.model_dump() | {"excluded": ", ".join(c.excluded)} for c in doc.scorecards],
        fmt,
        title=f"scorecards {doc.period}",
        columns=None if fmt is Format.json else cols,
    )


def _pairs(text: str) -> dict[str, float]:
    """``"A=0.2,B=0.7"`` → ``{"A": 0.2, "B": 0.7}`` (order kept)."""
    try:
        return {k.strip(): float(v) for k, v in (p.split("=", 1) for p in text.split(",") if p.strip())}
    except ValueError:
        raise typer.BadParameter(f"expected GRADE=NUMBER,… got {text!r}") from None


def awards(
    period: Annotated[str | None, typer.Option("--period", help="Award month, e.g. 2026-10 (default: latest).")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Most winners.")] = 5,
    indicator: Annotated[str, typer.Option("--indicator", help="csat, professionalism, first_response, …")] = "csat",
    min_n: Annotated[int, typer.Option("--min-n", min=1, help="Least observations in the period.")] = 10,
    min_stable: Annotated[int, typer.Option("--min-stable", min=1, help="Top-quartile periods needed.")] = 2,
    window: Annotated[int, typer.Option("--window", min=1, help="Periods looked back, the award one included.")] = 3,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Service benchmark awards: shrunk score, minimum volume and stability, each award with its reasons."""
    from valueloop.people.awards import AwardRules

    rules = AwardRules(top=top, min_n=min_n, window=window, min_stable=min_stable)
    doc = _perf().benchmark_awards(open_workspace(workspace), period=period, indicator=indicator, rules=rules)
    cols = ["rank", "agent_id", "score", "interval", "n", "case", "why"]
    emit(doc if fmt is Format.json else doc.winners, fmt, title=f"benchmark awards {doc.period}",
         columns=None if fmt is Format.json else cols)  # fmt: skip


def training_effect(
    course: Annotated[str, typer.Option("--course", help="Course id.", show_default=False)],
    indicator: Annotated[str, typer.Option("--indicator", help="Agent indicator, e.g. professionalism.")] = "csat",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Effect of a course on its trainees vs untrained peers (difference-in-differences, 95% interval)."""
    doc = _perf().course_effect(open_workspace(workspace), course=course, indicator=indicator)
    emit(doc if fmt is Format.json else [doc.model_dump(exclude={"assumptions"})], fmt)


def risk_train(
    horizon: Annotated[int, typer.Option("--horizon-days", min=1, help="Complaint within this many days.")] = 14,
    cutoff: Annotated[str | None, typer.Option("--cutoff", help="Local date; train before, test after.")] = None,
    test_months: Annotated[int, typer.Option("--test-months", min=1, help="Default cutoff: last N months.")] = 3,
    k: Annotated[int, typer.Option("--k", min=1, help="k of precision at k.")] = 100,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Train the complaint-risk model on a time-ordered split and save it in the workspace."""
    doc = _risk().train(open_workspace(workspace), horizon_days=horizon, cutoff=cutoff, test_months=test_months, k=k)
    stderr.print(f"model saved to {doc.file}")
    test = doc.test
    summary = [{"auc": test.auc, "precision_at_k": test.precision_at_k.precision, "k": k,
                "base_rate": test.base_rate, "test_rows": test.n, "train_rows": doc.split.train_rows,
                "cutoff": doc.split.cutoff}]  # fmt: skip
    emit(doc if fmt is Format.json else summary, fmt, title="complaint risk")


def risk_score(
    date: Annotated[str | None, typer.Option("--date", help="Local day, e.g. 2026-10-15 (default: latest).")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Complaint probability of every interaction predicted on a day."""
    doc = _risk().score(open_workspace(workspace), date=date)
    cols = ["interaction_id", "customer_id", "probability"]
    emit(doc if fmt is Format.json else doc.scores, fmt, columns=None if fmt is Format.json else cols)


def risk_queue(
    date: Annotated[str | None, typer.Option("--date", help="Local day (default: latest).")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Customers in the queue.")] = 20,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The day's proactive-intervention queue: highest-risk customers with the top reasons."""
    doc = _risk().queue(open_workspace(workspace), date=date, top=top)
    rows = [r.model_dump() | {"reasons": ", ".join(x.feature for x in r.reasons)} for r in doc.queue]
    emit(doc if fmt is Format.json else rows, fmt, title=f"intervention queue {doc.date}")


DISPUTE_COLS = ["dispute_id", "agent_id", "period", "indicator", "status", "reason", "opened_by", "opened_at",
                "decision", "note", "resolved_by", "resolved_at"]  # fmt: skip


def _dispute_rows(rows: list[Dispute]) -> list[dict[str, object]]:
    return [r.model_dump(exclude={"history"}) for r in rows]


def dispute_open(
    agent: Annotated[str, typer.Option("--agent", help="Agent id.", show_default=False)],
    period: Annotated[str, typer.Option("--period", help="Month of the scorecard, e.g. 2026-10.", show_default=False)],
    indicator: Annotated[str, typer.Option("--indicator", help="Scorecard indicator id.", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="Why the item is disputed.", show_default=False)],
    model: Annotated[str | None, typer.Option("--model", help="Model id.")] = None,
    by: ByOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Open a dispute on one indicator of an agent's scorecard for a month."""
    rec = _records().open_dispute(
        open_workspace(workspace), agent=agent, period=period, indicator=indicator, reason=reason, by=_who(by),
        model_id=model,
    )  # fmt: skip
    stderr.print(f"dispute {rec.dispute_id} opened")
    emit(rec if fmt is Format.json else _dispute_rows([rec]), fmt, columns=None if fmt is Format.json else DISPUTE_COLS)


def dispute_resolve(
    dispute_id: Annotated[str, typer.Argument(help="Dispute id, e.g. D0001.", show_default=False)],
    decision: Annotated[str, typer.Option("--decision", help="upheld or rejected.", show_default=False)],
    note: Annotated[str, typer.Option("--note", help="Why this decision.", show_default=False)],
    by: ByOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Resolve an open dispute: upheld leaves the indicator out of that scorecard, rejected changes nothing."""
    rec = _records().resolve_dispute(open_workspace(workspace), dispute_id, decision=decision, note=note, by=_who(by))
    emit(rec if fmt is Format.json else _dispute_rows([rec]), fmt, columns=None if fmt is Format.json else DISPUTE_COLS)


def dispute_list(
    status: Annotated[str | None, typer.Option("--status", help="open, upheld or rejected.")] = None,
    agent: Annotated[str | None, typer.Option("--agent", help="Only this agent.")] = None,
    period: Annotated[str | None, typer.Option("--period", help="Only this month.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Disputes with who opened and resolved them, when and why."""
    rows = _records().list_disputes(open_workspace(workspace), status=status, agent=agent, period=period)
    emit(rows if fmt is Format.json else _dispute_rows(rows), fmt, title="disputes",
         columns=None if fmt is Format.json else DISPUTE_COLS)  # fmt: skip


def case_add(
    file: Annotated[Path, typer.Argument(help="The write-up, a Markdown file.", show_default=False)],
    agent: Annotated[str, typer.Option("--agent", help="Agent id.", show_default=False)],
    period: Annotated[str, typer.Option("--period", help="Award month, e.g. 2026-10.", show_default=False)],
    title: Annotated[str, typer.Option("--title", help="Title of the case.", show_default=False)],
    by: ByOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Keep a case write-up of what an award winner did; ``people awards`` links it."""
    records = _records()
    rec = records.add_case(open_workspace(workspace), agent=agent, period=period, title=title,
                           text=records.read_case_file(file), by=_who(by), source=str(file))  # fmt: skip
    stderr.print(f"case {rec.case_id} saved")
    emit(rec, fmt)


def case_show(
    case_id: Annotated[str, typer.Argument(help="Case id, e.g. C0001.", show_default=False)],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """A case record and its text."""
    rec = _records().show_case(open_workspace(workspace), case_id)
    if fmt is Format.json:
        emit(rec, fmt)
        return
    emit(rec.model_dump(exclude={"text"}), fmt, title=f"case {case_id}")
    typer.echo(rec.text)


def case_list(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Every case write-up."""
    emit(_records().list_cases(open_workspace(workspace)), fmt, title="cases")


def check_training(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Training records for people not in ``staff``: each named with its lake file, batch and row."""
    problems = _records().check_training(open_workspace(workspace))
    if fmt is Format.table:
        for p in problems:
            stderr.print(p.message, markup=False, highlight=False)
        if not problems:
            stderr.print("every training record names a person in staff")
    emit(problems, fmt, columns=["record", "staff_id", "course_id", "lake_file", "batch_id", "source", "row"])
    if problems:
        raise typer.Exit(1)
