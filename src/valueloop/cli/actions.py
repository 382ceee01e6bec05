"""``valueloop actions ...``, ``valueloop vsm`` and ``valueloop docs ...``: the improvement loop.

Every command that changes an action prints the action as ``actions show`` does, so a
script can chain commands on the JSON it gets back.
"""

from __future__ import annotations

import getpass
import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr
from valueloop.errors import InputError
from valueloop.improvement.choices import TargetDirection
from valueloop.improvement.documents import DocKind
from valueloop.improvement.workflow import Status

actions_app = typer.Typer(
    help="Improvement actions: create, move through the workflow, hand off.", no_args_is_help=True
)
docs_app = typer.Typer(help="Standard documents: manuals, scripts (话术), exception plans.", no_args_is_help=True)

ById = Annotated[str, typer.Option("--by", envvar="VALUELOOP_USER", help="Who does this (default: login name).")]
ActionArg = Annotated[int, typer.Argument(help="Action id.")]


def _user(by: str | None) -> str:
    return by or getpass.getuser()


def _show(ws_path: Path | None, aid: int, fmt: Format) -> None:
    from valueloop.improvement.service.actions_view import show_action
    from valueloop.store.workspace import open_workspace

    detail = show_action(open_workspace(ws_path), aid)
    if fmt is Format.json:
        emit(detail, fmt)
        return
    shown = detail.model_dump(by_alias=True)
    emit({k: v for k, v in shown.items() if not isinstance(v, list)}, fmt, title=f"action {aid}")
    for part in ("links", "raci", "documents", "handoffs", "history", "comments"):
        if shown[part]:
            emit(shown[part], fmt, title=part)


def create(
    title: Annotated[str | None, typer.Option(help="Short title (pre-filled by --from-finding).")] = None,
    owner: Annotated[str, typer.Option(help="The person who owns the action.")] = "",
    department: Annotated[str, typer.Option(help="The owning (accountable) department.")] = "",
    description: Annotated[str, typer.Option(help="What will be done and why.")] = "",
    collab: Annotated[list[str] | None, typer.Option(help="DEPARTMENT:ROLE (R, C or I); repeatable.")] = None,
    due: Annotated[str | None, typer.Option(help="Due date, YYYY-MM-DD.")] = None,
    link: Annotated[
        list[str] | None, typer.Option(help="KIND:REF (finding, alert, complaint_topic, indicator, entity).")
    ] = None,
    target_indicator: Annotated[str | None, typer.Option(help="Expected effect: indicator id.")] = None,
    target_direction: Annotated[TargetDirection | None, typer.Option(help="increase or decrease.")] = None,
    target_value: Annotated[float | None, typer.Option(help="Expected effect: target value.")] = None,
    cost: Annotated[float | None, typer.Option(help="Cost, for return on investment.")] = None,
    doc: Annotated[list[str] | None, typer.Option(help="DOC_ID@VERSION this action introduces; repeatable.")] = None,
    from_finding: Annotated[str | None, typer.Option(help="Pre-fill links and target from a finding.")] = None,
    by: ById = "",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Propose an improvement action."""
    from valueloop.improvement.draft import parse_doc_ref, parse_link
    from valueloop.improvement.raci import parse_assignment
    from valueloop.improvement.service.actions import create_action
    from valueloop.store.workspace import open_workspace

    fields: dict[str, Any] = {
        "title": title,
        "owner": owner,
        "department": department,
        "description": description,
        "collaborators": [parse_assignment(c) for c in collab or []],
        "due_date": _date(due) if due else None,
        "links": [parse_link(x).model_dump() for x in link or []],
        "target_indicator": target_indicator,
        "target_direction": target_direction,
        "target_value": target_value,
        "cost": cost,
        "documents": [parse_doc_ref(d) for d in doc or []],
    }
    aid = create_action(open_workspace(workspace), fields, _user(by), from_finding)
    stderr.print(f"[green]action {aid} proposed[/]")
    _show(workspace, aid, fmt)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)") from err


def list_cmd(
    status: Annotated[Status | None, typer.Option(help="Only actions in this state.")] = None,
    department: Annotated[str | None, typer.Option(help="Owned by or involving this department.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Actions, newest first (a status reached on a waiver shows as 'waived')."""
    from valueloop.improvement.service.actions_view import list_actions
    from valueloop.store.workspace import open_workspace

    emit(list_actions(open_workspace(workspace), status, department), fmt)


def show(aid: ActionArg, workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """One action: RACI, links, documents, verification, history, hand-offs, comments."""
    _show(workspace, aid, fmt)


def move(
    aid: ActionArg,
    to: Annotated[Status, typer.Argument(help="The next state.")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why (recorded in the history).")],
    evidence: Annotated[
        Path | None, typer.Option(help="Verification result JSON (verdict, p_value, ci, method).")
    ] = None,
    waive: Annotated[str | None, typer.Option(help="Declare effective without verification, for this reason.")] = None,
    by: ById = "",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Move an action to its next state; effective needs --evidence or --waive."""
    from valueloop.improvement.service.actions import move_action
    from valueloop.improvement.workflow import evidence_from_dict, waiver
    from valueloop.store.workspace import open_workspace

    if evidence is not None and waive is not None:
        raise InputError("give --evidence or --waive, not both")
    proof = waiver(waive) if waive is not None else (evidence_from_dict(_json(evidence)) if evidence else None)
    move_action(open_workspace(workspace), aid, to, _user(by), reason, proof)
    _show(workspace, aid, fmt)


def _json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: {err}") from err


def handoff(
    aid: ActionArg,
    src: Annotated[str, typer.Option("--from", help="Department handing over.")],
    dst: Annotated[str, typer.Option("--to", help="Department taking over.")],
    what: Annotated[str, typer.Option(help="What is handed over.")],
    by: ById = "",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Record a hand-off between departments (its wait runs until it is accepted)."""
    from valueloop.improvement.service.actions import send_handoff
    from valueloop.store.workspace import open_workspace

    hid = send_handoff(open_workspace(workspace), aid, src, dst, what, _user(by))
    stderr.print(f"hand-off {hid}: {src} → {dst}")
    _show(workspace, aid, fmt)


def accept(
    handoff_id: Annotated[int, typer.Argument(help="Hand-off id.")],
    by: ById = "",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The receiving department accepts a hand-off."""
    from valueloop.improvement.service.actions import accept_handoff
    from valueloop.store.workspace import open_workspace

    aid = accept_handoff(open_workspace(workspace), handoff_id, _user(by))
    _show(workspace, aid, fmt)


def comment(
    aid: ActionArg,
    text: Annotated[str, typer.Argument(help="The comment.")],
    by: ById = "",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a comment to an action."""
    from valueloop.improvement.service.actions import comment as add_comment
    from valueloop.store.workspace import open_workspace

    add_comment(open_workspace(workspace), aid, _user(by), text)
    _show(workspace, aid, fmt)


def overdue(
    stall_hours: Annotated[float, typer.Option(help="A hand-off unaccepted this long is stalled.")] = 48.0,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """What to escalate: overdue actions and stalled hand-offs."""
    from valueloop.improvement.service.actions_view import escalations
    from valueloop.store.workspace import open_workspace

    out = escalations(open_workspace(workspace), stall_hours)
    if fmt is Format.json:
        emit(out, fmt)
        return
    emit(out.overdue_actions, fmt, title="overdue actions")
    emit(out.stalled_handoffs, fmt, title=f"hand-offs unaccepted > {stall_hours:g} h")


def vsm(
    process: Annotated[str, typer.Argument(help="Process id (workspace processes/ or packaged) or a YAML file.")],
    period: Annotated[str | None, typer.Option("--period", "-p", help="e.g. 2026-09 (default: all data).")] = None,
    compare: Annotated[str | None, typer.Option(help="A second period: the change from --period to it.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Value stream map from real step timestamps: per-step times, lead time, PCE, bottleneck."""
    from valueloop.improvement.service.vsm import value_stream_map
    from valueloop.store.workspace import open_workspace

    found = value_stream_map(open_workspace(workspace), process, period, compare)
    if fmt is Format.json:
        emit(found, fmt)
        return
    out = found.model_dump()
    cols = ["step", "department", "value_adding", "volume", "process_median", "process_p90", "wait_median"]
    emit(out["steps"], fmt, title=f"{out['process']['id']} · {out['period']} (minutes)", columns=[*cols, "rework"])
    emit(out["summary"] if "compare" not in out else out["compare"]["summary"], fmt, title="process")


def docs_add(
    doc_id: Annotated[str, typer.Argument(help="Document id, e.g. script-refund.")],
    file: Annotated[Path, typer.Argument(help="Markdown file with the new version's text.")],
    title: Annotated[str, typer.Option(help="Title.")],
    kind: Annotated[DocKind, typer.Option(help="manual, script or exception_plan.")],
    owner: Annotated[str, typer.Option(help="Owning person or department.")],
    effective_from: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today).")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Store a new version of a standard document."""
    from valueloop.improvement.service.documents import add_document
    from valueloop.store.workspace import open_workspace

    try:
        body = file.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(f"{file}: {err}") from err
    day = _date(effective_from) if effective_from else date.today()
    emit(
        add_document(open_workspace(workspace), doc_id, body, title=title, kind=kind, owner=owner, effective_from=day),
        fmt,
    )


def docs_list(
    kind: Annotated[DocKind | None, typer.Option(help="Only this kind.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Every document's newest version."""
    from valueloop.improvement.service.documents import list_documents
    from valueloop.store.workspace import open_workspace

    emit(list_documents(open_workspace(workspace), kind), fmt)


def docs_show(
    doc_id: Annotated[str, typer.Argument(help="Document id.")],
    version: Annotated[int | None, typer.Option(help="Version (default: newest).")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """One version of a document, and the actions that introduced it."""
    from valueloop.improvement.service.documents import get_document
    from valueloop.store.workspace import open_workspace

    doc = get_document(open_workspace(workspace), doc_id, version)
    if fmt is Format.json:
        emit(doc, fmt)
        return
    emit(doc.model_dump(exclude={"body"}), fmt, title=f"{doc_id} v{doc.version}")
    typer.echo(doc.body)


def docs_diff(
    doc_id: Annotated[str, typer.Argument(help="Document id.")],
    old: Annotated[int, typer.Argument(help="From version.")],
    new: Annotated[int | None, typer.Argument(help="To version (default: newest).")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Unified diff between two versions."""
    from valueloop.improvement.service.documents import diff_documents
    from valueloop.store.workspace import open_workspace

    out = diff_documents(open_workspace(workspace), doc_id, old, new)
    if fmt is Format.json:
        emit(out, fmt)
    else:
        typer.echo(out.diff, nl=False)


def register(app: typer.Typer) -> None:
    """Add the ``actions`` and ``docs`` groups and the ``vsm`` command to ``app``."""
    actions_app.command("create")(create)
    actions_app.command("list")(list_cmd)
    actions_app.command("show")(show)
    actions_app.command("move")(move)
    actions_app.command("handoff")(handoff)
    actions_app.command("accept")(accept)
    actions_app.command("comment")(comment)
    actions_app.command("overdue")(overdue)
    docs_app.command("add")(docs_add)
    docs_app.command("list")(docs_list)
    docs_app.command("show")(docs_show)
    docs_app.command("diff")(docs_diff)
    app.command("vsm")(vsm)
    app.add_typer(actions_app, name="actions")
    app.add_typer(docs_app, name="docs")
