"""Alert notifications: exact bodies per channel kind, and delivery against a real local HTTP server."""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from valueloop.flows.notify import DeadLetter, Dispatcher
from valueloop.monitor.notify import WECOM_MAX_BYTES, Channel, Notice, backoff, fit_bytes, render, wants

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
    delay: float = 0.0
    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        body = json.loads(request.rfile.read(int(request.headers["Content-Length"])))
        self.bodies.append(body)
        self.headers.append(dict(request.headers))
        time.sleep(self.delay)
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


def test_retries_then_delivers_once(server: Server) -> None:
    server.respond = lambda n: (500, {"error": "busy"}) if n <= 2 else (200, {})
    ch = Channel(name="ops", kind="webhook", url=server.url, headers={"Authorization": "Bearer t"})
    sleeps: list[float] = []
    d = Dispatcher([ch], sleep=sleeps.append)
    d.submit([FIRING, RESOLVED])
    d.close(timeout=5)
    assert (d.sent, d.retried, d.failed, d.dead_letters) == (1, 2, 0, [])
    assert sleeps == [1.0, 2.0]
    assert len(server.bodies) == 3 and server.bodies[-1] == render(ch, [FIRING, RESOLVED])
    assert server.headers[-1]["Authorization"] == "Bearer t"


def test_always_failing_server_gives_one_dead_letter(server: Server) -> None:
    server.respond = lambda n: (503, {"error": "down"})
    letters: list[DeadLetter] = []
    ch = Channel(name="ops", kind="slack", url=server.url)
    d = Dispatcher([ch], letters.append, max_attempts=3, sleep=lambda s: None)
    d.submit([FIRING])
    d.close(timeout=5)
    assert len(letters) == 1 and d.dead_letters == letters
    letter = letters[0]
    assert (letter.channel, letter.notice_ids, letter.attempts) == ("ops", ("a1",), 3)
    assert letter.last_error.startswith("HTTP 503") and letter.body == render(ch, [FIRING])
    assert (d.sent, d.failed, d.retried, len(server.bodies)) == (0, 1, 2, 3)


@pytest.mark.parametrize("kind", ["dingtalk", "wecom"])
def test_robot_errcode_is_a_failure(server: Server, kind: str) -> None:
    server.respond = lambda n: (200, {"errcode": 310000, "errmsg": "keywords not in content"})
    d = Dispatcher([Channel(name="robot", kind=kind, url=server.url)], max_attempts=2, sleep=lambda s: None)
    d.submit([FIRING])
    d.close(timeout=5)
    assert d.sent == 0 and [x.last_error for x in d.dead_letters] == ["errcode 310000: keywords not in content"]


def test_robot_errcode_zero_is_success_and_filtering_applies(server: Server) -> None:
    server.respond = lambda n: (200, {"errcode": 0, "errmsg": "ok"})
    strict = Channel(name="robot", kind="dingtalk", url=server.url, min_severity="critical")
    d = Dispatcher([strict], sleep=lambda s: None)
    d.submit([FIRING, RESOLVED])  # RESOLVED is only a warning
    d.close(timeout=5)
    assert (d.sent, d.failed) == (1, 0) and server.bodies == [render(strict, [FIRING])]


def test_submit_never_blocks_and_overflow_is_dead_lettered(server: Server) -> None:
    server.delay = 2.0
    letters: list[DeadLetter] = []
    ch = Channel(name="slow", kind="webhook", url=server.url)
    d = Dispatcher([ch], letters.append, maxsize=5, timeout=0.3, max_attempts=1)
    started = time.perf_counter()
    d.submit([notice(i, group_key=f"g{i}") for i in range(100)])  # 100 groups, so 100 deliveries
    assert time.perf_counter() - started < 0.5
    full = [x for x in letters if x.last_error == "queue full"]
    assert 90 <= len(full) <= 95 and all(x.attempts == 0 and x.body["alerts"] for x in full)
    d.close(timeout=0.1)
    assert len(d.dead_letters) == 100 and d.failed == 100 and d.sent == 0
    assert sorted(x.notice_ids[0] for x in d.dead_letters) == sorted(f"n{i}" for i in range(100))
    d.submit([FIRING])
    assert d.dead_letters[-1].last_error == "dispatcher closed"
