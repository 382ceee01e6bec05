"""What an alert notification says, per channel: the JSON bodies, the severity filter, the back-off.

Pure: no network here. :func:`render` turns a group of :class:`Notice` (alert transitions that
share a ``group_key``) into the exact body one :class:`Channel` kind expects; the outbox worker
in :mod:`valueloop.monitoring.service.notify` sends it. Chat robots get short bilingual (zh/en) markdown; the
generic webhook gets an Alertmanager-like payload so existing receivers can parse it.

Formats (looked up, not guessed):

- generic webhook: Alertmanager ``webhook_config`` payload
  (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). ``version`` is ours
  (``"1"``), not Alertmanager's ``"4"``; ``fingerprint`` is our ``alert_id``.
- WeCom group robot markdown, content at most 4096 UTF-8 bytes, ``<font color="warning|info|comment">``
  (https://developer.work.weixin.qq.com/document/path/91770).
- DingTalk custom robot markdown with ``title`` and ``text``
  (https://open.dingtalk.com/document/orgapp/custom-robot-access).
- Slack incoming webhook, ``text`` as the notification fallback plus Block Kit ``blocks``: at most 50 blocks,
  header text 150 characters, section text 3000 characters, ``&<>`` escaped
  (https://api.slack.com/messaging/webhooks, https://api.slack.com/reference/block-kit/blocks).
- e-mail (``smtp``): ``subject`` and a plain ``text`` body; the sender builds the RFC 5322 message.

Delivery is at least once (the outbox retries until the channel's ``give_up_after``), so
every delivery carries a stable :func:`idempotency_key`: the ``Idempotency-Key`` header
and the generic webhook's ``idempotencyKey`` field (an e-mail's ``Message-ID``). The same
notices to the same channel always get the same key; receivers drop a key they have seen.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Severity = Literal["info", "warning", "critical"]
Status = Literal["firing", "resolved"]
Kind = Literal["webhook", "wecom", "dingtalk", "slack", "smtp"]
Language = Literal["zh", "en"]

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}
WECOM_MAX_BYTES = 4096
SLACK_MAX_BLOCKS = 50
SLACK_HEADER_CHARS = 150
SLACK_SECTION_CHARS = 3000
NOT_ENDED = "0001-01-01T00:00:00Z"  # Alertmanager's endsAt for an alert that has not ended
GIVE_UP_AFTER = 24 * 3600.0
"""Default seconds a notification is retried before it is dead (``give_up_after`` of a channel)."""
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}

WORDS: dict[Language, dict[str, str]] = {
    "zh": {
        "firing": "告警中",
        "resolved": "已恢复",
        "info": "提示",
        "warning": "警告",
        "critical": "严重",
        "value": "当前值",
        "labels": "标签",
        "started": "开始",
        "ended": "结束",
        "details": "详情",
        "count": "{n} 条告警：{firing} 条告警中，{resolved} 条已恢复",
        "more": "……另有 {n} 条未显示",
    },
    "en": {
        "firing": "FIRING",
        "resolved": "RESOLVED",
        "info": "info",
        "warning": "warning",
        "critical": "critical",
        "value": "Value",
        "labels": "Labels",
        "started": "Started",
        "ended": "Ended",
        "details": "Details",
        "count": "{n} alerts: {firing} firing, {resolved} resolved",
        "more": "… {n} more not shown",
    },
}


@dataclass(frozen=True, kw_only=True)
class Notice:
    """One alert transition to announce; ``started_at``/``ended_at`` are ISO 8601 strings."""

    alert_id: str
    rule: str
    status: Status
    severity: Severity
    summary: str
    started_at: str
    group_key: str
    labels: dict[str, str] = field(default_factory=dict)
    value: float | None = None
    ended_at: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if self.status not in get_args(Status):
            raise ValueError(f"notice {self.alert_id}: status must be firing or resolved, not {self.status!r}")
        if self.severity not in SEVERITY_RANK:
            raise ValueError(f"notice {self.alert_id}: unknown severity {self.severity!r}")

    def as_json(self) -> dict[str, Any]:
        """What the outbox stores, so a restart sends exactly what was decided."""
        return asdict(self)

    @staticmethod
    def from_json(raw: dict[str, Any]) -> Notice:
        return Notice(**raw)


class Channel(BaseModel):
    """Where notifications go; ``url`` is the webhook address (it is a secret for the chat robots)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    kind: Kind
    url: str
    min_severity: Severity = "warning"
    language: Language = "zh"
    headers: dict[str, str] = Field(default_factory=dict)
    give_up_after: float = Field(default=GIVE_UP_AFTER, gt=0)
    """Seconds (or ``30m``, ``24h``, ``2d``) a notification is retried before it is dead."""
    to: tuple[str, ...] = ()
    """``smtp``: the recipients; ``url`` is ``smtp://[user:password@]host[:port]`` (``smtps://`` for TLS)."""
    sender: str = ""
    starttls: bool = False

    @field_validator("give_up_after", mode="before")
    @classmethod
    def _duration(cls, raw: Any) -> Any:
        if isinstance(raw, str):
            m = _DURATION.match(raw)
            if m is None:
                raise ValueError(f"{raw!r} is not a duration such as 3600, 30m, 24h or 2d")
            return float(m[1]) * _UNIT[m[2]]
        return raw

    @model_validator(mode="after")
    def _smtp_fields(self) -> Channel:
        if self.kind == "smtp":
            if not self.url.startswith(("smtp://", "smtps://")):
                raise ValueError(f"channel {self.name}: an smtp url is smtp://host[:port] or smtps://host[:port]")
            if not self.to or not self.sender:
                raise ValueError(f"channel {self.name}: an smtp channel needs `to` (recipients) and `sender`")
        return self


def wants(channel: Channel, notice: Notice) -> bool:
    """Whether the channel takes this notice: its severity is at least the channel's minimum."""
    return SEVERITY_RANK[notice.severity] >= SEVERITY_RANK[channel.min_severity]


def backoff(attempt: int, base: float = 1.0, cap: float = 60.0, rng: Callable[[], float] | None = None) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): ``base·2^(attempt-1)``, at most ``cap``.

    With ``rng`` (a uniform [0, 1) source such as ``random.Random(seed).random``) the delay is
    jittered into [d/2, d), so many senders that failed together do not retry together.

    >>> [backoff(a) for a in (1, 2, 3, 7, 8)]
    [1.0, 2.0, 4.0, 60.0, 60.0]
    """
    if attempt < 1:
        raise ValueError(f"attempt counts from 1, got {attempt}")
    delay = min(cap, base * 2.0 ** min(attempt - 1, 64))
    return delay if rng is None else delay * (0.5 + rng() / 2)


def idempotency_key(channel: Channel, notices: Sequence[Notice]) -> str:
    """A stable key for delivering ``notices`` to ``channel``: the same (alert, status) set, the same key.

    >>> ch = Channel(name="ops", kind="webhook", url="http://x")
    >>> n = Notice(alert_id="a1", rule="r", status="firing", severity="critical", summary="s",
    ...            started_at="2024-01-01T00:00:00+00:00", group_key="g")
    >>> idempotency_key(ch, [n]) == idempotency_key(ch, [n]) and idempotency_key(ch, [n]).startswith("vl-")
    True
    """
    parts = sorted(f"{n.alert_id}:{n.status}" for n in notices)
    return "vl-" + hashlib.sha256("|".join([channel.name, *parts]).encode()).hexdigest()[:32]


def render(channel: Channel, notices: Sequence[Notice]) -> dict[str, Any]:
    """The JSON body for ``channel`` announcing ``notices`` (one group; the first one's ``group_key``)."""
    if not notices:
        raise ValueError("nothing to render: no notices")
    renderers: dict[Kind, Callable[[Language, Sequence[Notice]], dict[str, Any]]] = {
        "webhook": _webhook,
        "wecom": _wecom,
        "dingtalk": _dingtalk,
        "slack": _slack,
        "smtp": _email,
    }
    return renderers[channel.kind](channel.language, notices)


def title(language: Language, notices: Sequence[Notice]) -> str:
    """One line: ``[告警中] rule`` for one notice, the counts for several."""
    w = WORDS[language]
    if len(notices) == 1:
        return f"[{w[notices[0].status]}] {notices[0].rule}"
    firing = sum(n.status == "firing" for n in notices)
    return w["count"].format(n=len(notices), firing=firing, resolved=len(notices) - firing)


def _webhook(language: Language, notices: Sequence[Notice]) -> dict[str, Any]:
    status = "firing" if any(n.status == "firing" for n in notices) else "resolved"
    return {"version": "1", "status": status, "groupKey": notices[0].group_key, "alerts": [_am(n) for n in notices]}


def _am(n: Notice) -> dict[str, Any]:
    annotations = {"summary": n.summary} | ({} if n.value is None else {"value": _num(n.value)})
    return {
        "status": n.status,
        "labels": {**n.labels, "alertname": n.rule, "severity": n.severity},
        "annotations": annotations,
        "startsAt": n.started_at,
        "endsAt": n.ended_at or NOT_ENDED,
        "generatorURL": n.url or "",
        "fingerprint": n.alert_id,
    }


def _num(value: float) -> str:
    """Whole numbers without a decimal point or exponent, others to six significant digits."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.6g}"


def _lines(language: Language, n: Notice) -> list[str]:
    """The facts under a notice's heading, shared by the markdown of every chat kind."""
    w = WORDS[language]
    lines = [] if n.value is None else [f"{w['value']}: {_num(n.value)}"]
    if n.labels:
        lines.append(f"{w['labels']}: " + ", ".join(f"{k}={v}" for k, v in sorted(n.labels.items())))
    lines.append(f"{w['started']}: {n.started_at}")
    if n.ended_at:
        lines.append(f"{w['ended']}: {n.ended_at}")
    return lines


def _markdown(language: Language, n: Notice, colour: bool) -> str:
    w = WORDS[language]
    status = w[n.status]
    if colour:  # WeCom's three named colours: warning is orange-red, info is green
        status = f'<font color="{"warning" if n.status == "firing" else "info"}">{status}</font>'
    facts = (f"- {_inert(x)}" for x in _lines(language, n))
    lines = [f"### [{status}][{w[n.severity]}] {_inert(n.rule)}", f"> {_inert(n.summary)}", *facts]
    if n.url:
        lines.append(f"[{w['details']}]({n.url})")
    return "\n".join(lines)


_MARKUP = str.maketrans({"[": "［", "]": "］", "<": "＜"})


def _inert(text: str) -> str:
    """Text from the data (a summary naming a unit, label values) as chat markdown that is only text.

    ``[click](http://…)`` would become a link hiding its address and ``<font>``/``<a>`` a tag in
    WeCom and DingTalk; their markdown has no reliable escape, so these three characters become
    their full-width look-alikes, which read the same and start nothing.
    """
    return text.translate(_MARKUP)


def _wecom(language: Language, notices: Sequence[Notice]) -> dict[str, Any]:
    sections = [f"**{title(language, notices)}**", *(_markdown(language, n, colour=True) for n in notices)]
    more = WORDS[language]["more"]
    content = fit_bytes(sections, lambda k: more.format(n=k), WECOM_MAX_BYTES, keep=2)
    return {"msgtype": "markdown", "markdown": {"content": content}}


def _dingtalk(language: Language, notices: Sequence[Notice]) -> dict[str, Any]:
    head = title(language, notices)
    text = "\n\n".join([f"**{head}**", *(_markdown(language, n, colour=False) for n in notices)])
    return {"msgtype": "markdown", "markdown": {"title": head, "text": text}}


def _email(language: Language, notices: Sequence[Notice]) -> dict[str, Any]:
    """Subject and plain text: the chat markdown without colour, one section per notice."""
    text = "\n\n".join(_markdown(language, n, colour=False) for n in notices)
    return {"subject": title(language, notices), "text": text}


def _slack(language: Language, notices: Sequence[Notice]) -> dict[str, Any]:
    head = title(language, notices)
    room = SLACK_MAX_BLOCKS - 2  # the header, and the "n more" line if needed
    shown = notices if len(notices) <= room + 1 else notices[:room]
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": _cut(head, 150)}}]
    blocks += [_section(_slack_text(language, n)) for n in shown]
    if len(shown) < len(notices):
        more = WORDS[language]["more"].format(n=len(notices) - len(shown))
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    return {"text": head, "blocks": blocks}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, SLACK_SECTION_CHARS)}}


def _slack_text(language: Language, n: Notice) -> str:
    w = WORDS[language]
    lines = [f"*[{w[n.status]}][{w[n.severity]}] {_esc(n.rule)}*", f">{_esc(n.summary)}"]
    lines += [_esc(x) for x in _lines(language, n)]
    if n.url:
        lines.append(f"<{n.url}|{w['details']}>")
    return "\n".join(lines)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def fit_bytes(sections: Sequence[str], more: Callable[[int], str], limit: int, keep: int = 1, sep: str = "\n\n") -> str:
    """Join whole sections while they fit in ``limit`` UTF-8 bytes, then say how many were left out.

    Room for the "left out" line is kept as sections are added. The first ``keep`` sections are
    always shown: one too long is cut on a character boundary (never inside a multi-byte character).

    >>> fit_bytes(["aa", "bb", "cc", "dd"], lambda k: f"+{k}", 8, sep="|")
    'aa|bb|+2'
    >>> fit_bytes(["aa", "bbbbbbbb", "cc"], lambda k: f"+{k}", 8, keep=2, sep="|")
    'aa|bb|+1'
    """
    out: list[str] = []
    for i, section in enumerate(sections):
        tail = [more(len(sections) - i - 1)] if i + 1 < len(sections) else []
        if len(sep.join([*out, section, *tail]).encode()) <= limit:
            out.append(section)
            continue
        if len(out) < keep:
            room = limit - len(sep.join([*out, "", *tail]).encode())
            out.append(section.encode()[: max(room, 0)].decode(errors="ignore"))
        break
    omitted = len(sections) - len(out)
    return sep.join([*out, *([more(omitted)] if omitted else [])])
