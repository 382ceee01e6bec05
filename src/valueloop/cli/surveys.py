"""``valueloop surveys``: check and list the workspace's surveys, send invitations, list them, print QR codes.

``send`` runs the trigger: which resolved interactions earn an invitation now, and why the
others do not (``--dry-run`` records nothing); then it delivers the due ones — e-mail through
``--smtp``, SMS / WeCom / DingTalk through ``--webhook`` (retried on later runs until the give-up
age, ``--resend`` for dead ones), or a CSV of links for a CRM (``--export``). ``test-webhook``
posts a sample invitation so a user can check their endpoint. ``qr`` writes a QR code per unit (SVG or PNG) or one
printable HTML sheet for all of them. ``flush`` sends accepted answers still waiting for the lake
(the server does so every second) into the ``feedback`` dataset, and says where every answer is.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr, to_json
from valueloop.errors import InputError, SpecError

if TYPE_CHECKING:  # types only: the CLI imports no store at start-up
    from valueloop.store.workspace import Workspace
    from valueloop.surveys.service.delivery import Smtp, Webhook
    from valueloop.surveys.service.invitations import Plan


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class QrKind(StrEnum):
    svg = "svg"
    png = "png"
    sheet = "sheet"


LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of survey texts: zh or en.")]
BaseUrl = Annotated[
    str | None,
    typer.Option("--base-url", envvar="VALUELOOP_PUBLIC_URL", help="Public address of `valueloop serve`, for links."),
]

WebhookOpt = Annotated[
    str | None,
    typer.Option(help="Webhook to post invitations to (default: VALUELOOP_SMS_WEBHOOK, _WECOM_, _DINGTALK_)."),
]
HeaderOpt = Annotated[
    list[str] | None, typer.Option(help="Extra header for the webhook, 'Name: value' (repeatable; a gateway token).")
]


class HookChannel(StrEnum):
    sms = "sms"
    wecom = "wecom"
    dingtalk = "dingtalk"


def register(app: typer.Typer) -> None:
    surveys = typer.Typer(
        help="Surveys after service: validate, list, send, invitations, stats, flush, trends, bias, servqual, "
        "QR codes, test-webhook.",
        no_args_is_help=True,
    )
    surveys.command("validate")(validate)
    surveys.command("list")(list_)
    surveys.command("send")(send)
    surveys.command("invitations")(invitations)
    surveys.command("stats")(stats)
    surveys.command("flush")(flush)
    surveys.command("servqual")(servqual)
    surveys.command("bias")(bias)
    surveys.command("trends")(trends)
    surveys.command("qr")(qr)
    surveys.command("test-webhook")(check_webhook)
    app.add_typer(surveys, name="surveys")


def _ws(path: Path | None) -> Workspace:
    from valueloop.store.workspace import open_workspace

    return open_workspace(path)


def _base(base_url: str | None) -> str:
    if not base_url or not re.match(r"^https?://[^/\s]+", base_url):
        raise InputError("--base-url (or VALUELOOP_PUBLIC_URL): the public http(s) address of `valueloop serve`")
    return base_url.rstrip("/")


def validate(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Survey files (default: the workspace's surveys/*.yaml).")
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Check survey files; every problem is listed with file:line (exit 2 when any)."""
    from valueloop.surveys.loader import load_survey, survey_files
    from valueloop.surveys.service.catalog import surveys_dir

    paths = list(files or survey_files(surveys_dir(_ws(workspace))))
    problems: dict[str, str] = {}
    for f in paths:
        try:
            load_survey(f)
        except SpecError as err:
            problems[str(f)] = str(err)
    emit(
        {"files": [str(p) for p in paths], "valid": not problems, "problems": problems}
        if fmt is Format.json
        else [{"file": str(p), "status": "problems" if str(p) in problems else "ok"} for p in paths],
        fmt,
    )
    if problems:
        raise SpecError("\n".join(problems.values()))


def list_(workspace: WorkspaceOpt = None, lang: LangOpt = Lang.zh, fmt: FormatOpt = Format.table) -> None:
    """The workspace's surveys (and the problems of any broken file, on stderr)."""
    from valueloop.surveys.service.catalog import catalog

    cat = catalog(_ws(workspace), lang.value)
    if fmt is Format.json:
        emit(cat, fmt)
        return
    for name, problem in cat.problems.items():
        stderr.print(f"[yellow]{name}: skipped[/]\n{problem}", markup=True, highlight=False)
    emit(
        [s.model_dump() for s in cat.surveys],
        fmt,
        columns=["id", "version", "title", "questions", "channel", "follow_up_rules"],
    )


def send(
    survey: Annotated[str, typer.Argument(help="Survey id.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say who would be invited and why not.")] = False,
    contacts: Annotated[
        Path | None,
        typer.Option(help="Table of customer_id,email (e-mail) or customer_id,phone (sms, wecom, dingtalk)."),
    ] = None,
    base_url: BaseUrl = None,
    smtp: Annotated[
        str | None, typer.Option(envvar="VALUELOOP_SMTP_URL", help="smtp://[user:pass@]host[:port] (smtps:// for TLS).")
    ] = None,
    sender: Annotated[str | None, typer.Option(envvar="VALUELOOP_SMTP_SENDER", help="From address.")] = None,
    starttls: Annotated[bool, typer.Option(help="STARTTLS on a plain smtp:// connection.")] = False,
    webhook: WebhookOpt = None,
    webhook_header: HeaderOpt = None,
    export: Annotated[
        Path | None, typer.Option(help="Write the due links (export channel) to this CSV (default: stdout).")
    ] = None,
    resend: Annotated[
        list[str] | None, typer.Option(help="Queue this dead e-mail or webhook invitation again (repeatable).")
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Invite customers after resolved interactions, then deliver what is due (e-mail, a webhook, or a CSV of links)."""
    from valueloop.surveys.service.catalog import get_survey
    from valueloop.surveys.service.contacts import read_contacts
    from valueloop.surveys.service.delivery import Smtp
    from valueloop.surveys.service.invitations import plan

    ws, now = _ws(workspace), datetime.now(UTC)
    channel = get_survey(ws, survey).trigger.channel.value
    book = read_contacts(contacts, "email" if channel == "email" else "phone") if contacts else None
    out: tuple[Smtp | None, dict[str, Webhook]] = (None, {})
    if not dry_run:
        url = _base(base_url)
        if channel == "email":
            if not (smtp and sender):
                raise InputError(
                    "an e-mail survey needs --smtp and --sender (or VALUELOOP_SMTP_URL / VALUELOOP_SMTP_SENDER)"
                )
            out = (Smtp(smtp, sender, starttls), {})
        elif channel != "export":
            out = (None, {channel: _webhook(channel, webhook, webhook_header)})
    decided = plan(ws, survey, now, contacts=book, dry_run=dry_run)
    if dry_run:
        _show_plan(decided, fmt)
        return
    result: dict[str, object] = {"survey": survey, "invited": decided.invited, "skipped": decided.skipped}
    if channel != "export":
        result |= _deliver(ws, url, now, out, resend or [])
    else:
        result["exported"] = _export(ws, survey, url, now, export)
    if channel == "export" and export is None:  # the links went to stdout: the summary goes beside them, to stderr
        stderr.print(to_json(result), markup=False, highlight=False)
        return
    emit(result, fmt)


def _show_plan(decided: Plan, fmt: Format) -> None:
    if fmt is Format.json:
        emit(decided, fmt)
        return
    emit(
        [asdict(r) for r in decided.rows],
        fmt,
        title=f"dry run: {decided.invited} would be invited, {decided.skipped} not",
        columns=["interaction_id", "entity_id", "customer_id", "invite", "reason", "send_at"],
    )


def _webhook(channel: str, url: str | None, headers: list[str] | None) -> Webhook:
    """The channel's webhook from ``--webhook`` or ``VALUELOOP_<CHANNEL>_WEBHOOK``, with ``--webhook-header``s."""
    from valueloop.surveys.service.delivery import Webhook

    env = f"VALUELOOP_{channel.upper()}_WEBHOOK"
    url = url or os.environ.get(env)
    if not url or not re.match(r"^https?://[^/\s]+", url):
        raise InputError(f"a {channel} survey needs --webhook (or {env}): the http(s) address to post invitations to")
    named: dict[str, str] = {}
    for h in headers or []:
        name, colon, value = h.partition(":")
        if not colon or not re.match(r"^[A-Za-z0-9-]+$", name.strip()):
            raise InputError(f"--webhook-header {h[:60]!r}: write it as Name: value")
        named[name.strip()] = value.strip()
    return Webhook(url, named)


def _deliver(
    ws: Workspace, url: str, now: datetime, out: tuple[Smtp | None, dict[str, Webhook]], resend: list[str]
) -> dict[str, object]:
    from valueloop.surveys.service.delivery import deliver_due
    from valueloop.surveys.service.delivery import resend as requeue
    from valueloop.surveys.spec import Channel

    requeued = requeue(ws, resend, now) if resend else []
    report = deliver_due(ws, out[0], url, now, webhooks={Channel(c): w for c, w in out[1].items()})
    for line in report.errors:
        stderr.print(f"not delivered: {line}", markup=False, highlight=False)
    return {"requeued": requeued, **report.model_dump(exclude={"errors"})}


def _export(ws: Workspace, survey: str, url: str, now: datetime, target: Path | None) -> int:
    from valueloop.ingest.cells import neutralise_row
    from valueloop.surveys.service.invitations import export_links

    rows = export_links(ws, survey, url, now)
    cols = ["invitation_id", "survey_id", "interaction_id", "customer_id", "entity_id", "url", "expires_at"]
    with target.open("w", newline="", encoding="utf-8") if target else _stdout() as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        writer.writerows(neutralise_row(r.model_dump(mode="json")[c] for c in cols) for r in rows)
    return len(rows)


class _stdout:  # a context manager that leaves stdout open
    def __enter__(self) -> TextIO:
        return sys.stdout

    def __exit__(self, *_: object) -> None:
        sys.stdout.flush()


def invitations(
    survey: Annotated[str | None, typer.Argument(help="Survey id (default: every survey).")] = None,
    delivery: Annotated[str | None, typer.Option(help="queued, sent, dead or exported.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 500,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Invitations newest first: delivery state, attempts, last error, opened and answered times."""
    from valueloop.surveys.service.invitations import list_invitations

    rows = list_invitations(_ws(workspace), survey, delivery, limit=limit)
    emit(
        rows if fmt is Format.json else [r.model_dump() for r in rows],
        fmt,
        columns=None
        if fmt is Format.json
        else [
            "invitation_id",
            "survey_id",
            "interaction_id",
            "entity_id",
            "delivery",
            "attempts",
            "last_error",
            "send_at",
            "answered_at",
        ],
    )


def stats(
    survey: Annotated[str, typer.Argument(help="Survey id.")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Invited, delivered, opened, answered and the response rate per unit and channel."""
    from valueloop.surveys.service.stats import response_stats

    got = response_stats(_ws(workspace), survey)
    if fmt is Format.json:
        emit(got, fmt)
        return
    rows = [r.model_dump() for r in [*got.rows, got.total]]
    emit(rows, fmt, title=f"{survey}: {got.walk_in} walk-in answer(s) through unit links")


def flush(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Send pending survey answers into the ``feedback`` dataset; accepted = flushed + pending + quarantined."""
    from valueloop.surveys.service.answer_flush import answer_counts, flush_answers

    ws = _ws(workspace)
    done = flush_answers(ws)
    counts = answer_counts(ws)
    if fmt is Format.json:
        emit({"flush": asdict(done), "answers": asdict(counts)}, fmt)
        return
    line = f"{done.flushed} answer(s) sent to the lake, {done.quarantined} quarantined, {done.pending} pending"
    stderr.print(line, markup=False, highlight=False)
    emit([asdict(counts)], fmt, title="survey answers")


def bias(
    survey: Annotated[str, typer.Argument(help="Survey id.")],
    alpha: Annotated[float, typer.Option(min=0.0001, max=0.5, help="Significance level (Holm-adjusted).")] = 0.05,
    lang: LangOpt = Lang.en,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Non-response bias: do responders differ from invited non-responders (unit, channel, type, handle time …)?"""
    from valueloop.surveys.service.bias import bias_check

    got = bias_check(_ws(workspace), survey, alpha=alpha, lang=lang.value)
    if fmt is Format.json:
        emit(got, fmt)
        return
    rows = [a.model_dump(exclude={"levels", "statistic", "p_value"}) for a in got.attributes]
    emit(rows, fmt, title=f"{survey}: {got.responders} responder(s), {got.non_responders} non-responder(s)")
    stderr.print(got.warning or "No attribute differs between responders and non-responders.", markup=False,
                 highlight=False)  # fmt: skip


class PeriodOpt(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class ByOpt(StrEnum):
    unit = "unit"
    channel = "channel"


def trends(
    survey: Annotated[str, typer.Argument(help="Survey id.")],
    period: Annotated[PeriodOpt, typer.Option(help="day, week (from Monday) or month.")] = PeriodOpt.week,
    by: Annotated[list[ByOpt] | None, typer.Option("--by", help="Per unit and/or channel (repeatable).")] = None,
    since: Annotated[datetime | None, typer.Option(help="Only invitations and answers from this date.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Invitations, responses, response rate, CSAT and NPS per period (in all, or per unit and channel)."""
    from valueloop.surveys.service.trends import survey_trends

    start = since.replace(tzinfo=UTC) if since is not None and since.tzinfo is None else since
    got = survey_trends(_ws(workspace), survey, period.value, [b.value for b in by or []], since=start)
    emit(got if fmt is Format.json else [p.model_dump() for p in got.points], fmt)


def servqual(
    survey: Annotated[str, typer.Argument(help="Survey id.")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """SERVQUAL gap per dimension: mean expectation, perception and gap (perception − expectation)."""
    from valueloop.surveys.service.servqual import servqual_report

    got = servqual_report(_ws(workspace), survey)
    if fmt is Format.json:
        emit(got, fmt)
        return
    overall = "–" if got.overall_gap is None else f"{got.overall_gap:+.2f}"
    emit([d.model_dump() for d in got.dimensions], fmt, title=f"{survey}: {got.responses} response(s), gap {overall}")


def qr(
    survey: Annotated[str, typer.Argument(help="Survey id.")],
    unit: Annotated[
        list[str] | None, typer.Option("--unit", help="Unit id (repeatable; default: every branch and store).")
    ] = None,
    kind: Annotated[
        QrKind, typer.Option("--kind", help="svg or png per unit, or one printable HTML sheet.")
    ] = QrKind.sheet,
    out: Annotated[Path, typer.Option(help="Folder to write into.")] = Path("."),
    base_url: BaseUrl = None,
    lang: LangOpt = Lang.zh,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """QR codes of the units' anonymous links, for posters and table cards."""
    from valueloop.surveys.service.catalog import get_survey
    from valueloop.surveys.service.links import qr_png, qr_svg, sheet, unit_links, walk_in_units

    ws = _ws(workspace)
    units = list(unit or walk_in_units(ws))
    links = unit_links(ws, survey, units, _base(base_url), datetime.now(UTC))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if kind is QrKind.sheet:
        target = out / f"{survey}-qr.html"
        target.write_text(sheet(get_survey(ws, survey).title.get(lang.value), links, lang.value), encoding="utf-8")
        written.append({"unit": "*", "file": str(target)})
    for link in links if kind is not QrKind.sheet else []:
        target = out / f"{survey}-{_safe(link.entity_id)}.{kind.value}"
        if kind is QrKind.png:
            target.write_bytes(qr_png(link.url))
        else:
            target.write_text(qr_svg(link.url), encoding="utf-8")
        written.append({"unit": link.entity_id, "file": str(target)})
    emit(written if fmt is not Format.json else {"links": links, "files": written}, fmt)


def _safe(name: str) -> str:
    """A unit id as a file name part (anything but letters, digits, - and _ becomes _)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)[:100]


def check_webhook(
    channel: Annotated[HookChannel, typer.Argument(help="sms, wecom or dingtalk.")],
    phone: Annotated[
        str, typer.Option(help="Mobile number the sample is addressed to (SMS) or mentions.")
    ] = "13800000000",
    webhook: WebhookOpt = None,
    webhook_header: HeaderOpt = None,
    base_url: Annotated[str, typer.Option("--base-url", envvar="VALUELOOP_PUBLIC_URL")] = "https://survey.example.com",
    lang: LangOpt = Lang.zh,
    fmt: FormatOpt = Format.table,
) -> None:
    """Post a sample invitation to the channel's webhook, to check the endpoint (exit 1 when it is refused)."""
    from valueloop.errors import ValueloopError
    from valueloop.surveys.service.delivery import send_sample
    from valueloop.surveys.spec import Channel

    hook = _webhook(channel.value, webhook, webhook_header)
    error = send_sample(Channel(channel.value), hook, base_url, lang.value, phone)
    emit({"channel": channel.value, "url": hook.url, "accepted": error is None, "error": error}, fmt)
    if error is not None:
        raise ValueloopError(f"the {channel.value} webhook refused the sample: {error}")
