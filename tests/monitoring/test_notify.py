"""Alert notifications: exact bodies per channel kind, and delivery from the outbox against real local
HTTP and SMTP servers: retried with capped back-off, given up after the channel's age, re-queued,
at least once with a stable idempotency key."""

from __future__ import annotations

import contextlib
import json
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from conftest import SmtpServer, free_port
from valueloop.errors import InputError
from valueloop.monitoring.notify import (
    WECOM_MAX_BYTES,
    Channel,
    Notice,
    backoff,
    fit_bytes,
    idempotency_key,
    render,
    wants,
)
from valueloop.monitoring.service import outbox
from valueloop.monitoring.service.notify import Outbox, Retry
from valueloop.store import appdb
from valueloop.store.workspace import Workspace

FIRING = Notice(
    alert_id="a1",
    rule="latency_p95",
    status="firing",
    severity="critical",
    summary="p95 响应时间 1200 ms > 800 ms",
    started_at="2024-05-01T08:00:00+00:00",
    group_key="svc=pay",
    labels={"service": "pay", "env": "prod"},
    value=1200.0,
    url="https://vl.example/alerts/a1",
)
RESOLVED = Notice(
    alert_id="b2",
    rule="error_rate",
    status="resolved",
    severity="warning",
    summary="error rate back under 1%",
    started_at="2024-05-01T07:00:00+00:00",
    ended_at="2024-05-01T08:05:00+00:00",
    group_key="svc=pay",
)


def channel(kind: str, language: str = "zh", **kw: Any) -> Channel:
    return Channel.model_validate(
        {"name": f"{kind}-{language}", "kind": kind, "url": "http://x", "language": language, **kw}
    )


def notice(i: int, **kw: Any) -> Notice:
    base: dict[str, Any] = {
        "alert_id": f"n{i}",
        "rule": f"rule_{i}",
        "status": "firing",
        "severity": "critical",
        "summary": "超时",
        "started_at": "2024-05-01T08:00:00+00:00",
        "group_key": "g",
    }
    return Notice(**(base | kw))


# --- bodies -------------------------------------------------------------------------------


def test_webhook_body_is_alertmanager_like() -> None:
    assert render(channel("webhook"), [FIRING, RESOLVED]) == {
        "version": "1",
        "status": "firing",
        "groupKey": "svc=pay",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "latency_p95", "severity": "critical", "service": "pay", "env": "prod"},
                "annotations": {"summary": "p95 响应时间 1200 ms > 800 ms", "value": "1200"},
                "startsAt": "2024-05-01T08:00:00+00:00",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "https://vl.example/alerts/a1",
                "fingerprint": "a1",
            },
            {
                "status": "resolved",
                "labels": {"alertname": "error_rate", "severity": "warning"},
                "annotations": {"summary": "error rate back under 1%"},
                "startsAt": "2024-05-01T07:00:00+00:00",
                "endsAt": "2024-05-01T08:05:00+00:00",
                "generatorURL": "",
                "fingerprint": "b2",
            },
        ],
    }
    assert render(channel("webhook"), [RESOLVED])["status"] == "resolved"


WECOM_ZH = (
    "**2 条告警：1 条告警中，1 条已恢复**\n\n"
    '### [<font color="warning">告警中</font>][严重] latency_p95\n'
    "> p95 响应时间 1200 ms > 800 ms\n"
    "- 当前值: 1200\n"
    "- 标签: env=prod, service=pay\n"
    "- 开始: 2024-05-01T08:00:00+00:00\n"
    "[详情](https://vl.example/alerts/a1)\n\n"
    '### [<font color="info">已恢复</font>][警告] error_rate\n'
    "> error rate back under 1%\n"
    "- 开始: 2024-05-01T07:00:00+00:00\n"
    "- 结束: 2024-05-01T08:05:00+00:00"
)


def test_wecom_body_zh() -> None:
    assert render(channel("wecom"), [FIRING, RESOLVED]) == {"msgtype": "markdown", "markdown": {"content": WECOM_ZH}}


def test_wecom_body_en() -> None:
    content = render(channel("wecom", "en"), [FIRING])["markdown"]["content"]
    assert content == (
        "**[FIRING] latency_p95**\n\n"
        '### [<font color="warning">FIRING</font>][critical] latency_p95\n'
        "> p95 响应时间 1200 ms > 800 ms\n"
        "- Value: 1200\n"
        "- Labels: env=prod, service=pay\n"
        "- Started: 2024-05-01T08:00:00+00:00\n"
        "[Details](https://vl.example/alerts/a1)"
    )


def test_dingtalk_body() -> None:
    assert render(channel("dingtalk", "en"), [FIRING, RESOLVED]) == {
        "msgtype": "markdown",
        "markdown": {
            "title": "2 alerts: 1 firing, 1 resolved",
            "text": "**2 alerts: 1 firing, 1 resolved**\n\n"
            "### [FIRING][critical] latency_p95\n"
            "> p95 响应时间 1200 ms > 800 ms\n"
            "- Value: 1200\n"
            "- Labels: env=prod, service=pay\n"
            "- Started: 2024-05-01T08:00:00+00:00\n"
            "[Details](https://vl.example/alerts/a1)\n\n"
            "### [RESOLVED][warning] error_rate\n"
            "> error rate back under 1%\n"
            "- Started: 2024-05-01T07:00:00+00:00\n"
            "- Ended: 2024-05-01T08:05:00+00:00",
        },
    }
    assert render(channel("dingtalk"), [RESOLVED])["markdown"]["title"] == "[已恢复] error_rate"


@pytest.mark.parametrize("kind", ["wecom", "dingtalk"])
def test_text_from_the_data_is_no_markup_in_chat_markdown(kind: str) -> None:
    """A unit id such as ``[x](http://…)`` or ``<font>`` from an event stays text: no link, no tag."""
    hostile = '[details](http://127.0.0.1:9/x) <a href="http://127.0.0.1:9/">y</a> ![i](http://127.0.0.1:9/i.png)'
    n = notice(1, summary=f"error burst — {hostile}", labels={"entity_id": hostile})
    body = json.dumps(render(channel(kind), [n]), ensure_ascii=False)
    assert "](http" not in body and "<a " not in body
    assert "［details］(http://127.0.0.1:9/x)" in body  # still readable


def test_slack_body() -> None:
    assert render(channel("slack", "en"), [FIRING, RESOLVED]) == {
        "text": "2 alerts: 1 firing, 1 resolved",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "2 alerts: 1 firing, 1 resolved"}},
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*[FIRING][critical] latency_p95*\n"
                    ">p95 响应时间 1200 ms &gt; 800 ms\n"
                    "Value: 1200\n"
                    "Labels: env=prod, service=pay\n"
                    "Started: 2024-05-01T08:00:00+00:00\n"
                    "<https://vl.example/alerts/a1|Details>",
                },
            },
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*[RESOLVED][warning] error_rate*\n"
                    ">error rate back under 1%\n"
                    "Started: 2024-05-01T07:00:00+00:00\n"
                    "Ended: 2024-05-01T08:05:00+00:00",
                },
            },
        ],
    }


def test_slack_keeps_to_fifty_blocks() -> None:
    body = render(channel("slack"), [notice(i) for i in range(60)])
    assert len(body["blocks"]) == 50
    assert body["blocks"][-1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "……另有 12 条未显示"}]}
    assert body["text"] == "60 条告警：60 条告警中，0 条已恢复"


def test_wecom_truncates_by_utf8_bytes_and_counts_the_rest() -> None:
    notices = [notice(i, summary="响应时间超过阈值" * 20) for i in range(40)]
    content = render(channel("wecom"), notices)["markdown"]["content"]
    size = len(content.encode())
    assert WECOM_MAX_BYTES - 600 < size <= WECOM_MAX_BYTES
    shown = content.count("### ")
    assert 0 < shown < 40
    assert content.endswith(f"……另有 {40 - shown} 条未显示")


def test_wecom_cuts_one_huge_notice_on_a_character_boundary() -> None:
    content = render(channel("wecom"), [notice(0, summary="长" * 5000)])["markdown"]["content"]
    assert len(content.encode()) <= WECOM_MAX_BYTES
    assert len(content.encode()) > WECOM_MAX_BYTES - 3  # cut at most one 3-byte character short
    assert content.startswith("**[告警中] rule_0**\n\n### ")
    assert content.endswith("长")


@pytest.mark.parametrize("limit", range(20))
def test_fit_bytes_never_exceeds_the_limit_nor_splits_a_character(limit: int) -> None:
    out = fit_bytes(["标题", "一二三", "四五"], lambda k: f"+{k}", 20 + limit, keep=2)
    assert len(out.encode()) <= 20 + limit
    out.encode().decode()  # valid UTF-8


def test_severity_filter() -> None:
    info, warning, critical = (notice(0, severity=s) for s in ("info", "warning", "critical"))
    default = channel("slack")
    assert [wants(default, n) for n in (info, warning, critical)] == [False, True, True]
    assert [wants(channel("slack", min_severity="critical"), n) for n in (info, warning, critical)] == [
        False,
        False,
        True,
    ]
    assert wants(channel("slack", min_severity="info"), info)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="status"):
        notice(0, status="pending")
    with pytest.raises(ValueError, match="severity"):
        notice(0, severity="fatal")
    with pytest.raises(ValueError, match="kind"):
        channel("email")
    with pytest.raises(ValueError, match="no notices"):
        render(channel("slack"), [])


def test_backoff() -> None:
    assert [backoff(a) for a in range(1, 9)] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert backoff(3, base=0.5, cap=1.5) == 1.5
    assert backoff(10_000) == 60.0
    jittered = [backoff(4, rng=random.Random(0).random) for _ in range(3)]
    assert len(set(jittered)) == 1 and 4.0 <= jittered[0] < 8.0  # deterministic for a seeded rng
    with pytest.raises(ValueError, match="from 1"):
        backoff(0)


# --- delivery against a real HTTP server ---------------------------------------------------


@dataclass
class Server:
    """Answers each POST with ``respond(n)`` (status, JSON body), n counting from 1; records what came."""

    respond: Callable[[int], tuple[int, dict[str, Any]]] = lambda n: (200, {})
    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        body = json.loads(request.rfile.read(int(request.headers["Content-Length"])))
        self.bodies.append(body)
        self.headers.append(dict(request.headers))
        status, answer = self.respond(len(self.bodies))
        payload = json.dumps(answer).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)


@pytest.fixture
def server() -> Iterator[Server]:
    spec = Server()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            with contextlib.suppress(OSError):  # the client may give up (time out) before we answer
                spec.handle(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    spec.url = f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield spec
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


class Clock:
    """A settable clock for the outbox (``now`` moves only when the test says so)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def queue(ws: Workspace, clock: Clock, channel: str, *notices: Notice) -> None:
    with appdb.engine(ws.database_url).begin() as conn:
        for n in notices:
            outbox.enqueue(conn, n, channel, clock.now)


def rows(ws: Workspace) -> list[outbox.NotificationRecord]:
    return outbox.list_notifications(ws)


def worker(ws: Workspace, clock: Clock, *channels: Channel) -> Outbox:
    return Outbox(ws, channels, retry=Retry(base=1.0, cap=60.0, jitter=False), clock=clock)


def test_retries_with_backoff_then_delivers_once_with_one_key(server: Server, ws: Workspace) -> None:
    server.respond = lambda n: (500, {"error": "busy"}) if n <= 2 else (200, {})
    ch = Channel(name="ops", kind="webhook", url=server.url, headers={"Authorization": "Bearer t"})
    clock = Clock()
    queue(ws, clock, "ops", FIRING, RESOLVED)
    box = worker(ws, clock, ch)
    assert box.deliver_due() == 1  # both notices share a group: one body
    assert [r.next_attempt_at for r in rows(ws)] == [clock.now + timedelta(seconds=1)] * 2
    assert box.deliver_due() == 0  # not due yet
    clock.tick(1)
    box.deliver_due()
    assert {r.next_attempt_at for r in rows(ws)} == {clock.now + timedelta(seconds=2)}
    clock.tick(2)
    box.deliver_due()
    box.close()
    key = idempotency_key(ch, [FIRING, RESOLVED])
    assert server.bodies[-1] == render(ch, [FIRING, RESOLVED]) | {"idempotencyKey": key}
    assert [h["Idempotency-Key"] for h in server.headers] == [key] * 3
    assert server.headers[-1]["Authorization"] == "Bearer t"
    assert [(r.state, r.attempts, r.last_error) for r in rows(ws)] == [("sent", 3, None)] * 2
    assert box.totals() == {"sent": 1, "failed": 0, "retried": 2}
    clock.tick(3600)
    assert worker(ws, clock, ch).deliver_due() == 0 and len(server.bodies) == 3  # sent is never sent again


def test_retries_until_the_give_up_age_then_dead_then_resend(server: Server, ws: Workspace) -> None:
    server.respond = lambda n: (503, {"error": "down"})
    ch = Channel(name="ops", kind="slack", url=server.url, give_up_after="1h")
    assert ch.give_up_after == 3600
    clock = Clock()
    queue(ws, clock, "ops", FIRING)
    box = worker(ws, clock, ch)
    waits = []
    while rows(ws)[0].state == "queued":
        box.deliver_due()
        row = rows(ws)[0]
        if row.next_attempt_at is not None:
            waits.append((row.next_attempt_at - clock.now).total_seconds())
            clock.now = row.next_attempt_at
    assert waits[:8] == [1, 2, 4, 8, 16, 32, 60, 60] and set(waits[8:]) == {60}  # capped
    dead = rows(ws)[0]
    assert dead.state == "dead" and dead.last_error is not None and dead.last_error.startswith("HTTP 503")
    assert dead.attempts == len(waits) + 1 and sum(waits) >= 3600 - 60
    server.respond = lambda n: (200, {})
    assert box.deliver_due() == 0  # dead stays dead
    assert outbox.resend(ws, now=clock.now) == [dead.id]
    box.deliver_due()
    box.close()
    assert [(r.state, r.attempts) for r in rows(ws)] == [("sent", 1)]
    with pytest.raises(InputError, match=f"{dead.id}: is sent, only dead ones"):
        outbox.resend(ws, [dead.id, 999])


def test_a_crash_between_send_and_mark_sent_sends_once_more_with_the_same_key(
    server: Server, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ch = Channel(name="ops", kind="webhook", url=server.url)
    clock = Clock()
    queue(ws, clock, "ops", FIRING)

    def crash(*_: Any) -> None:
        raise SystemExit("killed after the channel accepted, before the row was marked")

    with monkeypatch.context() as patch:
        patch.setattr(outbox, "mark_sent", crash)
        first = worker(ws, clock, ch)
        with pytest.raises(SystemExit):
            first.deliver_due()
    assert rows(ws)[0].state == "queued"
    second = worker(ws, clock, ch)  # the restarted process
    second.deliver_due()
    second.deliver_due()
    second.close()
    assert len(server.bodies) == 2  # at least once: one duplicate, never more
    assert server.headers[0]["Idempotency-Key"] == server.headers[1]["Idempotency-Key"]
    assert server.bodies[0]["idempotencyKey"] == server.bodies[1]["idempotencyKey"]
    assert rows(ws)[0].state == "sent"


@pytest.mark.parametrize("kind", ["dingtalk", "wecom"])
def test_robot_errcode_is_a_failure(server: Server, ws: Workspace, kind: str) -> None:
    server.respond = lambda n: (200, {"errcode": 310000, "errmsg": "keywords not in content"})
    clock = Clock()
    queue(ws, clock, "robot", FIRING)
    box = worker(ws, clock, Channel(name="robot", kind=kind, url=server.url))
    box.deliver_due()
    box.close()
    assert [(r.state, r.last_error) for r in rows(ws)] == [("queued", "errcode 310000: keywords not in content")]


def test_robot_errcode_zero_is_success(server: Server, ws: Workspace) -> None:
    server.respond = lambda n: (200, {"errcode": 0, "errmsg": "ok"})
    robot = Channel(name="robot", kind="dingtalk", url=server.url)
    clock = Clock()
    queue(ws, clock, "robot", FIRING)
    box = worker(ws, clock, robot)
    box.deliver_due()
    box.close()
    assert server.bodies == [render(robot, [FIRING])] and rows(ws)[0].state == "sent"


def test_rows_of_an_unknown_channel_or_without_a_notice_are_dead(ws: Workspace) -> None:
    clock = Clock()
    queue(ws, clock, "gone", FIRING)
    box = worker(ws, clock, Channel(name="ops", kind="webhook", url="http://127.0.0.1:9/"))
    box.deliver_due()
    box.close()
    assert [(r.state, r.last_error) for r in rows(ws)] == [("dead", "gone: channel is not configured")]


# --- e-mail over a real (minimal) SMTP server -------------------------------------------------


def test_smtp_channel_same_outbox_down_then_up(ws: Workspace) -> None:
    port = free_port()
    ch = Channel(name="mail", kind="smtp", url=f"smtp://127.0.0.1:{port}", to=("ops@example.com",), sender="vl@x")
    clock = Clock()
    queue(ws, clock, "mail", FIRING)
    box = worker(ws, clock, ch)
    box.deliver_due()  # nobody listens: connection refused
    assert rows(ws)[0].state == "queued" and "Connection refused" in (rows(ws)[0].last_error or "")
    smtp = SmtpServer(port)
    try:
        clock.tick(1)
        box.deliver_due()
        clock.tick(60)
        box.deliver_due()
        box.close()
    finally:
        smtp.stop()
    assert len(smtp.messages) == 1 and rows(ws)[0].state == "sent"
    msg = message_from_bytes(smtp.messages[0])
    assert msg["Message-ID"] == f"<{idempotency_key(ch, [FIRING])}@valueloop>"
    assert msg["To"] == "ops@example.com" and "latency_p95" in str(msg["Subject"])


def test_channel_settings_are_checked() -> None:
    assert channel("webhook", give_up_after="2d").give_up_after == 2 * 86400
    assert channel("webhook", give_up_after=90).give_up_after == 90
    with pytest.raises(ValueError, match="not a duration"):
        channel("webhook", give_up_after="soon")
    with pytest.raises(ValueError, match="needs `to`"):
        Channel(name="m", kind="smtp", url="smtp://h")
    with pytest.raises(ValueError, match="smtp://host"):
        Channel(name="m", kind="smtp", url="http://h", to=("a@b",), sender="c@d")
    body = render(Channel(name="m", kind="smtp", url="smtp://h", to=("a@b",), sender="c@d", language="en"), [FIRING])
    assert body["subject"] == "[FIRING] latency_p95" and "p95 响应时间" in body["text"]
