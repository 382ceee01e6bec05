"""``valueloop report`` (the period review as HTML, PDF or XLSX), ``valueloop goals ...`` and ``schedule run``."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr

goals_app = typer.Typer(help="Targets per indicator, unit and period (goals.yaml) and their attainment.",
                        no_args_is_help=True)  # fmt: skip

schedule_app = typer.Typer(help="Scheduled reports (schedule.yaml) delivered by webhook.", no_args_is_help=True)

PeriodOpt = Annotated[str, typer.Option("--period", "-p", help="A month, quarter or year: 2026-08, 2026-Q3, 2026.")]
LevelOpt = Annotated[str | None, typer.Option("--level", "-l", help="Entity level (default: the model's).")]
ModelOpt = Annotated[str | None, typer.Option("--model", "-m", help="Model id (default: the workspace's).")]


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    xlsx = "xlsx"


class Language(StrEnum):
    zh = "zh"
    en = "en"


def report(
    period: PeriodOpt,
    level: LevelOpt = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="html, pdf or xlsx.")] = ReportFormat.html,
    lang: Annotated[Language, typer.Option("--lang", help="Labels: zh or en.")] = Language.zh,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (default: reports/ in the workspace).")
    ] = None,
    model: ModelOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write the period review: scores, goals, findings and actions, verification, voice of the customer, ROI."""
    from valueloop.reporting.service.report_files import write_report
    from valueloop.reporting.service.review import build_review
    from valueloop.store.workspace import open_workspace

    ws = open_workspace(workspace)
    data = build_review(ws, period, level, model)
    target = out or ws.root / "reports" / f"review-{period}-{data.level}-{lang.value}.{fmt.value}"
    write_report(data, fmt.value, lang.value, target)
    months = ", ".join(f"{m.period} {m.source}" for m in data.summary.months)
    stderr.print(f"{data.model_id} v{data.models.in_force} · {period} · {data.level}: {len(data.summary.units)} units "
                 f"from monthly runs ({months})")  # fmt: skip
    print(target)


def check(model: ModelOpt = None, workspace: WorkspaceOpt = None) -> None:
    """Validate goals.yaml against the model; every problem is listed with file:line."""
    from valueloop.evaluation.service.goals import goals_path, load_goals
    from valueloop.evaluation.service.models import load_versions
    from valueloop.store.workspace import open_workspace

    ws = open_workspace(workspace)
    goals = load_goals(ws, load_versions(ws, model)[-1])
    stderr.print(f"{goals_path(ws)}: {len(goals)} goal(s), all valid")


def show(period: PeriodOpt, level: LevelOpt = None, model: ModelOpt = None, workspace: WorkspaceOpt = None,
         fmt: FormatOpt = Format.table) -> None:  # fmt: skip
    """Attainment of every goal set for the period (percent; lower-is-better indicators use target/value)."""
    from valueloop.reporting.service.review import goal_attainment
    from valueloop.store.workspace import open_workspace

    section = goal_attainment(open_workspace(workspace), period, level, model)
    rows = [{"indicator": g.indicator.id, "entity_id": g.entity_id, "name": g.name, "direction": g.direction,
             "target": g.target, "value": g.value, "attainment_pct": g.attainment, "met": g.met}
            for g in section.rows]  # fmt: skip
    if not rows and fmt is Format.table:
        stderr.print(f"no goals set for {period}")
        return
    emit(rows, fmt, title=f"goals · {period}")


def schedule_run(
    now: Annotated[str | None, typer.Option("--now", help="Pretend it is this ISO time (UTC if naive).")] = None,
    smtp: Annotated[str | None, typer.Option("--smtp", help="SMTP server for e-mailed subscriptions.")] = None,
    sender: Annotated[str, typer.Option("--sender", help="From address of those e-mails.")] = "valueloop@localhost",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Run the schedules of schedule.yaml that are due (their cron fired since their last run), once;
    then the users' due review subscriptions (``valueloop subscriptions run``)."""
    from valueloop.accounts.service.subscriptions import Mail, run_subscriptions
    from valueloop.reporting.schedule import ScheduleOutcome
    from valueloop.reporting.service.schedule import run_schedules
    from valueloop.store.workspace import open_workspace

    at = datetime.fromisoformat(now) if now else datetime.now(UTC)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    ws = open_workspace(workspace)
    rows = run_schedules(ws, at)
    mail = Mail(url=smtp, sender=sender) if smtp else None
    rows += [ScheduleOutcome(schedule=f"subscription {r.subscription_id} ({r.username})", status=r.status,
                             period=r.period, file=None, error=r.error)
             for r in run_subscriptions(ws, at, mail)]  # fmt: skip
    emit(rows, fmt, columns=["schedule", "status", "period", "file", "error"])


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    goals_app.command("check")(check)
    goals_app.command("show")(show)
    app.add_typer(goals_app, name="goals")
    schedule_app.command("run")(schedule_run)
    app.add_typer(schedule_app, name="schedule")
