"""``valueloop alerts``: the alerts the monitor raised — list, acknowledge, silence.

``list`` prints alerts newest first with MTTA / MTTR over the listed ones; ``ack`` records
who acknowledged and when (once); ``silence`` mutes notifications of alerts matching
labels for a while, or on a weekly schedule (nightly, weekends) and on holidays;
``notifications`` lists the notification outbox (queued and dead ones by default) and
``--resend`` queues dead ones again (the running monitor sends them).
"""

from __future__ import annotations

import getpass
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit
from valueloop.errors import InputError

ById = Annotated[str | None, typer.Option("--by", envvar="VALUELOOP_USER", help="Who does this (default: login name).")]
_FOR = re.compile(r"^(\d+)([mhd])$")


def register(app: typer.Typer) -> None:
    alerts = typer.Typer(help="Alerts raised by the real-time monitor.", no_args_is_help=True)
    alerts.command("list")(list_)
    alerts.command("show")(show)
    alerts.command("ack")(ack)
    alerts.command("silence")(silence)
    alerts.command("silences")(silences)
    alerts.command("unsilence")(unsilence)
    alerts.command("notifications")(notifications)
    app.add_typer(alerts, name="alerts")


def _ws(path: Path | None):  # type: ignore[no-untyped-def]
    from valueloop.store.workspace import open_workspace

    return open_workspace(path)


def list_(
    status: Annotated[str | None, typer.Option(help="firing or resolved.")] = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule.")] = None,
    entity: Annotated[str | None, typer.Option(help="Only this entity.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 200,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Alerts, newest first, with MTTA and MTTR."""
    from valueloop.monitoring.service.alerts import alert_list

    if status not in (None, "firing", "resolved"):
        raise typer.BadParameter("firing or resolved", param_hint="--status")
    listed = alert_list(_ws(workspace), status=status, rule=rule, entity=entity, limit=limit)
    if fmt is Format.json:
        emit(listed, fmt)
        return
    rows, st = listed.alerts, listed.stats
    mtta = "—" if st.mtta_seconds is None else f"{st.mtta_seconds / 60:.1f} min"
    mttr = "—" if st.mttr_seconds is None else f"{st.mttr_seconds / 60:.1f} min"
    emit(
        [
            {
                "id": r.id,
                "rule": r.rule,
                "entity": r.entity_id,
                "severity": r.severity,
                "status": r.status,
                "fired_at": r.fired_at,
                "resolved_at": r.resolved_at,
                "acked_by": r.acked_by,
                "muted": r.muted,
                "value": r.value,
            }
            for r in rows
        ],
        fmt,
        title=f"{st.total} alerts ({st.firing} firing) · MTTA {mtta} · MTTR {mttr}",
        columns=["id", "rule", "entity", "severity", "status", "fired_at", "resolved_at", "acked_by", "muted", "value"],
    )


def show(
    alert_id: Annotated[str, typer.Argument(help="Alert id.")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """One alert in full."""
    from valueloop.monitoring.service.alerts import get_alert

    emit(get_alert(_ws(workspace), alert_id).model_dump(mode="json"), fmt)


def ack(
    alert_id: Annotated[str, typer.Argument(help="Alert id.")],
    by: ById = None,
    comment: Annotated[str, typer.Option(help="What is being done.")] = "",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Acknowledge an alert: someone is on it."""
    from valueloop.monitoring.service.alerts import ack as do_ack

    emit(do_ack(_ws(workspace), alert_id, by or getpass.getuser(), comment).model_dump(mode="json"), fmt)


def _matchers(raw: list[str]) -> dict[str, str]:
    out = {}
    for item in raw:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{item!r} is not label=value", param_hint="MATCHER")
        out[key.strip()] = value.strip()
    return out


def silence(
    matchers: Annotated[list[str], typer.Argument(help="label=value … (e.g. alertname=error_burst branch=B003).")],
    for_: Annotated[str | None, typer.Option("--for", help="Duration from now: 30m, 2h, 1d.")] = None,
    until: Annotated[str | None, typer.Option(help="End (ISO time).")] = None,
    days: Annotated[str | None, typer.Option(help="Recurring: weekdays, e.g. sat,sun or mon-fri.")] = None,
    start: Annotated[str, typer.Option(help="Recurring: daily start HH:MM (local).")] = "00:00",
    end: Annotated[str, typer.Option(help="Recurring: daily end HH:MM; before start = overnight.")] = "24:00",
    holidays: Annotated[bool, typer.Option(help="Recurring: also all day on the monitor's holidays.")] = False,
    comment: Annotated[str, typer.Option(help="Why.")] = "",
    by: ById = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Mute notifications of matching alerts for a while, or on a recurring schedule."""
    from valueloop.monitoring.service.alerts import add_silence
    from valueloop.spec.alerts import DAYS, Schedule

    ends = None
    if for_ is not None:
        m = _FOR.match(for_)
        if not m:
            raise typer.BadParameter("like 30m, 2h or 1d", param_hint="--for")
        ends = datetime.now(UTC) + timedelta(**{{"m": "minutes", "h": "hours", "d": "days"}[m[2]]: int(m[1])})
    elif until is not None:
        try:
            ends = datetime.fromisoformat(until)
        except ValueError:
            raise typer.BadParameter("an ISO date/time", param_hint="--until") from None
        ends = ends if ends.tzinfo else ends.replace(tzinfo=UTC)
    schedule = None
    if days is not None or holidays or (start, end) != ("00:00", "24:00"):
        picked = list(DAYS)
        if days:
            picked = []
            for part in days.lower().split(","):
                a, _, b = part.strip().partition("-")
                if a not in DAYS or (b and b not in DAYS):
                    raise typer.BadParameter(f"{part!r}: use mon … sun", param_hint="--days")
                picked += list(DAYS[DAYS.index(a) : DAYS.index(b) + 1]) if b else [a]
        try:
            schedule = Schedule(days=tuple(picked), start=start, end=end, holidays=holidays)  # type: ignore[arg-type]
        except ValueError as err:
            raise InputError(f"schedule: {err}") from None
    record = add_silence(
        _ws(workspace), _matchers(matchers), by or getpass.getuser(), ends_at=ends, schedule=schedule, comment=comment
    )
    emit(record.model_dump(mode="json"), fmt)


def silences(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Silences, oldest first."""
    from valueloop.monitoring.service.alerts import list_silences

    emit(
        [s.model_dump(mode="json") for s in list_silences(_ws(workspace))],
        fmt,
        columns=["id", "matchers", "starts_at", "ends_at", "schedule", "comment", "created_by"],
    )


def unsilence(silence_id: Annotated[str, typer.Argument(help="Silence id.")], workspace: WorkspaceOpt = None) -> None:
    """End a silence now."""
    from valueloop.monitoring.service.alerts import expire_silence

    expire_silence(_ws(workspace), silence_id)


NOTIFICATION_COLUMNS = ["id", "alert_id", "status", "channel", "state", "attempts", "next_attempt_at", "last_error"]


def notifications(
    ids: Annotated[
        list[int] | None, typer.Argument(help="With --resend: only these (default: every dead one).")
    ] = None,
    state: Annotated[
        list[str] | None, typer.Option("--state", help="queued, sent or dead; repeatable (default: queued and dead).")
    ] = None,
    resend: Annotated[bool, typer.Option("--resend", help="Queue dead notifications again, due now.")] = False,
    limit: Annotated[int, typer.Option(min=1)] = 500,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The notification outbox: what is still being tried (queued) and what was given up (dead).

    Delivery is at least once: a notification is retried with back-off until the channel's
    give-up age (default 24 h), then dead. ``--resend`` queues dead ones again; the running
    monitor (``valueloop serve``), or the next one started, sends them.
    """
    from valueloop.monitoring.service.outbox import STATES, list_notifications
    from valueloop.monitoring.service.outbox import resend as requeue

    if ids and not resend:
        raise typer.BadParameter("notification ids are only taken with --resend", param_hint="IDS")
    wanted = state or ["queued", "dead"]
    bad = [s for s in wanted if s not in STATES]
    if bad:
        raise typer.BadParameter(f"{', '.join(bad)}: use {', '.join(STATES)}", param_hint="--state")
    ws = _ws(workspace)
    title = None
    if resend:
        done = set(requeue(ws, ids or ()))
        rows = [r for r in list_notifications(ws, ["queued"], limit=100_000) if r.id in done]
        title = f"re-queued {len(done)} notification(s)"
    else:
        rows = list_notifications(ws, wanted, limit=limit)
        title = f"{len(rows)} notification(s): {', '.join(wanted)}"
    emit([r.model_dump(mode="json") for r in rows], fmt, title=title, columns=NOTIFICATION_COLUMNS)
