"""``valueloop subscriptions add | list | remove | run``: each user's period review PDF of their scope."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit

app = typer.Typer(help="Period review subscriptions: each user's PDF of their own units, monthly or weekly.",
                  no_args_is_help=True)  # fmt: skip
UserOpt = Annotated[str, typer.Option("--user", "-u", help="The subscriber (an existing user).")]
SmtpOpt = Annotated[str | None, typer.Option("--smtp", help="smtp://[user:password@]host[:port] (smtps:// for TLS).")]
SenderOpt = Annotated[str, typer.Option("--sender", help="The From address of the e-mails.")]
COLUMNS = ["subscription_id", "username", "cadence", "channel", "target", "lang", "last_key", "last_error"]


def add(
    user: UserOpt,
    cadence: Annotated[
        str, typer.Option("--cadence", help="monthly (last month) or weekly (this month so far).")
    ] = "monthly",
    email: Annotated[str | None, typer.Option("--email", help="Deliver by e-mail to this address.")] = None,
    webhook: Annotated[str | None, typer.Option("--webhook", help="Deliver by POST to this http(s) URL.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh or en.")] = "zh",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Subscribe a user to the period review of their scope (exactly one of --email and --webhook)."""
    from valueloop.accounts.service.subscriptions import subscribe
    from valueloop.errors import InputError
    from valueloop.store.workspace import open_workspace

    if (email is None) == (webhook is None):
        raise InputError("give exactly one of --email ADDRESS and --webhook URL")
    channel, target = ("email", email) if email is not None else ("webhook", webhook or "")
    sub = subscribe(open_workspace(workspace), user, cadence, channel, target, lang)  # type: ignore[arg-type]
    emit([sub], fmt, columns=COLUMNS)


def show(
    user: Annotated[str | None, typer.Option("--user", "-u", help="Only this user's.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List the subscriptions (of one user, or of everyone)."""
    from valueloop.accounts.service.subscriptions import list_subscriptions
    from valueloop.store.workspace import open_workspace

    emit(list_subscriptions(open_workspace(workspace), user), fmt, columns=COLUMNS)


def remove(subscription_id: int, user: UserOpt, workspace: WorkspaceOpt = None) -> None:
    """End one of a user's subscriptions."""
    from valueloop.accounts.service.subscriptions import unsubscribe
    from valueloop.store.workspace import open_workspace

    unsubscribe(open_workspace(workspace), user, subscription_id)


def run(
    now: Annotated[str | None, typer.Option("--now", help="Pretend it is this ISO time (UTC if naive).")] = None,
    smtp: SmtpOpt = None,
    sender: SenderOpt = "valueloop@localhost",
    starttls: Annotated[bool, typer.Option("--starttls", help="STARTTLS on a plain smtp:// server.")] = False,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Send every due subscription once (monthly: last month's review; weekly: this month's, once a week)."""
    from valueloop.accounts.service.subscriptions import Mail, run_subscriptions
    from valueloop.store.workspace import open_workspace

    at = datetime.fromisoformat(now) if now else datetime.now(UTC)
    mail = Mail(url=smtp, sender=sender, starttls=starttls) if smtp else None
    emit(run_subscriptions(open_workspace(workspace), at, mail), fmt,
         columns=["subscription_id", "username", "status", "period", "units", "error"])  # fmt: skip


def register(root: typer.Typer) -> None:
    app.command("add")(add)
    app.command("list")(show)
    app.command("remove")(remove)
    app.command("run")(run)
    root.add_typer(app, name="subscriptions")
