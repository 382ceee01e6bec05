"""``valueloop cases``: the inner loop's follow-up cases — list, show, assign, close, escalate, figures, publish.

An answer that meets a survey's follow-up rule (NPS ≤ 6, CSAT ≤ 2 …) opens a case owned by
its unit's owner and due within the survey's SLA; ``escalate`` marks overdue cases escalated to
the unit's manager (run it on a schedule); ``close`` records the call-back outcome and a root
cause from the issue taxonomy.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr

ById = Annotated[str | None, typer.Option("--by", envvar="VALUELOOP_USER", help="Who does this (default: login name).")]
COLUMNS = [
    "id",
    "entity_id",
    "customer_id",
    "question",
    "score",
    "owner",
    "due_at",
    "overdue",
    "escalated_to",
    "closed_at",
    "outcome",
    "root_cause",
]


class CaseState(StrEnum):
    open = "open"
    overdue = "overdue"
    closed = "closed"
    all = "all"


class OutcomeOpt(StrEnum):
    reached = "reached"
    resolved = "resolved"
    compensated = "compensated"
    not_reachable = "not_reachable"


def register(app: typer.Typer) -> None:
    cases = typer.Typer(help="Follow-up cases of unhappy customers (the inner loop).", no_args_is_help=True)
    cases.command("list")(list_)
    cases.command("show")(show)
    cases.command("assign")(assign)
    cases.command("close")(close)
    cases.command("escalate")(escalate)
    cases.command("figures")(figures)
    cases.command("rollup")(rollup)
    cases.command("publish")(publish)
    app.add_typer(cases, name="cases")


def _ws(path: Path | None):  # type: ignore[no-untyped-def]
    from valueloop.store.workspace import open_workspace

    return open_workspace(path)


def _units(unit: list[str] | None) -> frozenset[str] | None:
    return frozenset(unit) if unit else None


UnitOpt = Annotated[list[str] | None, typer.Option("--unit", help="Only these units (repeatable).")]


def list_(
    state: Annotated[CaseState, typer.Option(help="open, overdue, closed or all.")] = CaseState.open,
    owner: Annotated[str | None, typer.Option(help="Only this owner's cases.")] = None,
    unit: UnitOpt = None,
    limit: Annotated[int, typer.Option(min=1)] = 500,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Cases, most urgent (earliest due) first."""
    from valueloop.surveys.service.cases import list_cases

    rows = list_cases(_ws(workspace), datetime.now(UTC), _units(unit), state.value, owner, limit)
    emit(
        rows if fmt is Format.json else [r.model_dump() for r in rows],
        fmt,
        columns=None if fmt is Format.json else COLUMNS,
        title=f"{len(rows)} {state.value} case(s)",
    )


def show(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """One case in full."""
    from valueloop.surveys.service.cases import get_case

    emit(get_case(_ws(workspace), case_id, datetime.now(UTC)).model_dump(mode="json"), fmt)


def assign(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    owner: Annotated[str, typer.Argument(help="The user who will call the customer back.")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Give a case to another owner."""
    from valueloop.surveys.service.cases import assign as do_assign

    emit(do_assign(_ws(workspace), case_id, owner, datetime.now(UTC)).model_dump(mode="json"), fmt)


def close(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    outcome: Annotated[OutcomeOpt, typer.Option(help="Call-back outcome.")],
    cause: Annotated[str, typer.Option("--cause", help="Root cause: an issue taxonomy category id.")],
    note: Annotated[str, typer.Option(help="What was done.")] = "",
    by: ById = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Close a case with its outcome and root cause (once)."""
    from valueloop.surveys.service.cases import close as do_close
    from valueloop.voice.service.text import taxonomy_of

    ws = _ws(workspace)
    causes = frozenset(c.id for c in taxonomy_of(ws))
    done = do_close(
        ws, case_id, outcome.value, cause, by or getpass.getuser(), datetime.now(UTC), note=note, causes=causes
    )
    emit(done.model_dump(mode="json"), fmt)


def escalate(
    smtp: Annotated[
        str | None, typer.Option(envvar="VALUELOOP_SMTP_URL", help="smtp://[user:pass@]host[:port]: e-mail managers.")
    ] = None,
    sender: Annotated[str | None, typer.Option(envvar="VALUELOOP_SMTP_SENDER", help="From address.")] = None,
    starttls: Annotated[bool, typer.Option(help="STARTTLS on a plain smtp:// connection.")] = False,
    base_url: Annotated[
        str | None, typer.Option("--base-url", envvar="VALUELOOP_PUBLIC_URL", help="Dashboard address, for the link.")
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Escalate every overdue open case to its unit's manager (each once) and e-mail them; lists the ones escalated.

    With a mail server (``--smtp`` and ``--sender``, or VALUELOOP_SMTP_URL / VALUELOOP_SMTP_SENDER), a
    manager whose notice the server refused is tried again on the next run.
    """
    from valueloop.errors import InputError
    from valueloop.surveys.loader import load_surveys
    from valueloop.surveys.service.catalog import surveys_dir
    from valueloop.surveys.service.delivery import Smtp
    from valueloop.surveys.service.escalation import escalate_overdue

    if bool(smtp) != bool(sender):
        raise InputError("e-mailing managers needs both --smtp and --sender (or VALUELOOP_SMTP_URL / _SENDER)")
    ws = _ws(workspace)
    good, _ = load_surveys(surveys_dir(ws))
    mail = Smtp(smtp, sender, starttls) if smtp and sender else None
    done = escalate_overdue(ws, good, datetime.now(UTC), mail=mail, board_url=base_url)
    for line in done.errors:
        stderr.print(f"not notified: {line}", markup=False, highlight=False)
    rows = done.cases
    emit(
        rows if fmt is Format.json else [r.model_dump() for r in rows],
        fmt,
        columns=None if fmt is Format.json else COLUMNS,
        title=f"{len(rows)} case(s) escalated",
    )


def figures(unit: UnitOpt = None, workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Time to close the loop and recovery rate (customers who answered a later survey higher)."""
    from valueloop.surveys.service.cases import case_figures

    emit(case_figures(_ws(workspace), datetime.now(UTC), _units(unit)).model_dump(), fmt)


def publish(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Write every case into the lake's follow_up_cases dataset, for models (time to close, recovery)."""
    from valueloop.surveys.service.case_lake import publish_cases

    emit(publish_cases(_ws(workspace), datetime.now(UTC)).model_dump(mode="json"), fmt)


def rollup(
    month: Annotated[str, typer.Option(help="Month of closing, YYYY-MM (workspace time zone).")],
    min_cases: Annotated[int, typer.Option(min=1, help="Cases with the same root cause that make it recurring.")] = 3,
    create: Annotated[bool, typer.Option("--create", help="Propose an improvement action for each (once).")] = False,
    owner: Annotated[str | None, typer.Option(help="Owner of the proposed actions (with --create).")] = None,
    department: Annotated[str | None, typer.Option(help="Department of the proposed actions (with --create).")] = None,
    by: ById = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Root causes that recur across a month's closed cases; ``--create`` turns each into an outer-loop action."""
    from valueloop.errors import InputError
    from valueloop.surveys.service.rollup import propose, recurring

    ws = _ws(workspace)
    if create and not (owner and department):
        raise InputError("--create needs --owner and --department for the proposed actions")
    rows = (
        propose(ws, month, min_cases, owner or "", department or "", by or getpass.getuser())
        if create
        else recurring(ws, month, min_cases)
    )
    emit(rows if fmt is Format.json else [r.model_dump() for r in rows], fmt,
         columns=None if fmt is Format.json else ["root_cause", "month", "cases", "units", "action_id"])  # fmt: skip
