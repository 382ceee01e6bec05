"""Realistic bank-call transcripts in Chinese and English, with planted problems and their truth.

Each conversation follows the scripts a bank call centre trains (greeting with the agent's
number, the customer's request, identity verification, account details, an answer, the
closing), with variation in wording, category and timing. Problems are planted at known
rates and recorded, so a scorer can be measured with precision and recall:

* ``skip_verification`` — the agent gives account details without verifying the caller
  (the "skip agent" does this in most calls, everyone else rarely);
* ``bad_close`` — the call ends without asking for other needs or saying goodbye
  (the "bad-close team" does this in most calls);
* ``long_hold`` — a silence of 25–60 s before the answer (phone only);
* ``promise`` — a forbidden guarantee of returns.

Pure: a random generator and specs in, turn rows and the truth out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

import numpy as np
import pyarrow as pa

from valueloop.spec.datasets import DATASETS

Lang = Literal["zh", "en"]
PROBLEMS = ("skip_verification", "bad_close", "long_hold", "promise")
FAILS: dict[str, tuple[str, ...]] = {
    "skip_verification": ("verify_identity",),
    "bad_close": ("anything_else", "farewell"),
    "long_hold": ("silence",),
    "promise": ("no_promise",),
}
"""Which items of the ``bank_call`` rubric a planted problem must fail."""

S: dict[Lang, dict[str, tuple[str, ...]]] = {
    "zh": {
        "greet": (
            "您好，工号{n}，很高兴为您服务。",
            "您好，我是客服代表{n}号，请问有什么可以帮您？",
            "你好，工号{n}，请讲。",
        ),
        "account": ("我想查一下我的账户余额。", "帮我查下卡里还有多少钱。"),
        "billing": ("我这个月的账单好像多扣了一笔钱。", "信用卡账单有一笔不认识的消费。"),
        "refund": ("之前那笔退款一直没到账。", "我申请的退款什么时候能退回来？"),
        "complaint": ("你们上次办事太慢了，我很不满意！", "等了很久都没人处理，太差了。"),
        "other": ("我想咨询一下最近的交易情况。", "想问一下我卡上的业务。"),
        "verify": (
            "好的，为了您的账户安全，先核实一下您的身份证后四位。",
            "好的，请先提供预留手机号，我核实一下您的身份。",
        ),
        "digits": ("{d}。", "尾号是{d}。"),
        "details": (
            "身份确认无误。您的账户余额是{amt}元，最近一笔是{day}号的消费。",
            "查到了，您的交易明细显示{day}号有一笔{amt}元的扣款。",
        ),
        "details_now": ("好的，您的账户余额是{amt}元。", "好的，交易明细显示{day}号有一笔{amt}元的扣款。"),
        "ack": ("好的，明白了。", "嗯，那这笔扣款是怎么回事？"),
        "answer": ("这笔是年费，已经为您申请减免，三个工作日内退回。", "这笔是正常的消费，商户名称会在短信里显示。"),
        "sorry": ("非常抱歉给您带来不便，我已经为您登记加急处理，三个工作日内回复您。",),
        "promise": ("另外我们有款理财保证收益，您放心买。",),
        "thanks": ("好的，谢谢你。", "行，谢谢。"),
        "anything": ("请问还有什么可以帮您？", "请问还有其他问题吗？"),
        "none": ("没有了，谢谢。", "没有了。"),
        "bye": ("感谢您的来电，祝您生活愉快，再见。", "感谢您的来电，再见。"),
        "abrupt": ("好的，就这样吧。", "行，那先这样。"),
    },
    "en": {
        "greet": (
            "Good morning, thank you for calling, my name is {name}. How can I help you?",
            "Hello, this is {name} speaking. How may I help?",
        ),
        "account": ("I'd like to check my account balance.", "Can you tell me how much is left on my card?"),
        "billing": (
            "I think I was charged twice on this month's statement.",
            "There's a charge on my card I don't recognise.",
        ),
        "refund": ("My refund still hasn't arrived.", "When will I get my refund back?"),
        "complaint": ("Last time it took forever, I'm really unhappy!", "Nobody dealt with my case, this is terrible."),
        "other": ("I have a question about my recent transactions.", "I'd like to ask about my card."),
        "verify": (
            "Sure. Before we go on I need to verify your identity: could you give me the last four digits of your ID?",
            "Of course. For security, could you confirm your date of birth?",
        ),
        "digits": ("It's {d}.", "{d}."),
        "details": (
            "Thank you, that matches. Your balance is {amt} yuan and the last payment was on the {day}th.",
            "Thanks. Your recent transactions show a charge of {amt} yuan on the {day}th.",
        ),
        "details_now": (
            "OK, your balance is {amt} yuan.",
            "Right, your recent transactions show a charge of {amt} yuan.",
        ),
        "ack": ("OK, I see.", "Hm, so what is that charge?"),
        "answer": (
            "That is the annual fee; I've asked for it to be waived, it comes back within three working days.",
            "That is a normal purchase; the merchant name is in your text message.",
        ),
        "sorry": ("I'm very sorry for the trouble. I've marked your case urgent and we'll reply within three days.",),
        "promise": ("By the way, we have a fund with a guaranteed return, you can't lose.",),
        "thanks": ("OK, thank you.", "Alright, thanks."),
        "anything": ("Is there anything else I can help you with?",),
        "none": ("No, that's all, thanks.", "No, thank you."),
        "bye": ("Thank you for calling, have a nice day. Goodbye.", "Thank you for calling, goodbye."),
        "abrupt": ("OK, that's it then.", "Right, done."),
    },
}
NAMES = ("Alex", "Sam", "Jamie", "Chris", "Taylor", "Morgan")


@dataclass(frozen=True)
class Spec:
    """One conversation to write: who, when, how, and which problems to plant."""

    conversation_id: str
    agent_id: str
    entity_id: str
    started_at: object
    channel: str = "phone"
    category: str = "account"
    lang: Lang = "zh"
    interaction_id: str | None = None
    problems: frozenset[str] = field(default_factory=frozenset)


def turns(rng: np.random.Generator, spec: Spec) -> list[dict[str, object]]:
    """The rows of one conversation (one per turn), in the ``conversations`` dataset's columns."""
    said = _script(rng, spec)
    times = _times(rng, spec, said)
    return [
        {
            "conversation_id": spec.conversation_id,
            "turn_index": i,
            "speaker": who,
            "text": text,
            "started_at": spec.started_at,
            "start_s": t[0],
            "end_s": t[1],
            "interaction_id": spec.interaction_id,
            "agent_id": spec.agent_id,
            "entity_id": spec.entity_id,
            "channel": spec.channel,
            "category": spec.category,
        }
        for i, ((who, text), t) in enumerate(zip(said, times, strict=True))
    ]


def _pick(rng: np.random.Generator, spec: Spec, key: str) -> str:
    options = S[spec.lang][key]
    text = options[int(rng.integers(len(options)))]
    return text.format(
        n=int(rng.integers(1000, 9999)),
        name=NAMES[int(rng.integers(len(NAMES)))],
        d=int(rng.integers(1000, 9999)),
        amt=int(rng.integers(10, 50000)),
        day=int(rng.integers(1, 28)),
    )


def _script(rng: np.random.Generator, spec: Spec) -> list[tuple[str, str]]:
    p = spec.problems
    request = spec.category if spec.category in S["zh"] else "other"
    out = [("agent", _pick(rng, spec, "greet")), ("customer", _pick(rng, spec, request))]
    if "skip_verification" in p:
        out.append(("agent", _pick(rng, spec, "details_now")))
    else:
        out += [
            ("agent", _pick(rng, spec, "verify")),
            ("customer", _pick(rng, spec, "digits")),
            ("agent", _pick(rng, spec, "details")),
        ]
    out += [
        ("customer", _pick(rng, spec, "ack")),
        ("agent", _pick(rng, spec, "sorry" if request == "complaint" else "answer")),
    ]
    if "promise" in p:
        out.append(("agent", _pick(rng, spec, "promise")))
    out.append(("customer", _pick(rng, spec, "thanks")))
    if "bad_close" in p:
        return [*out, ("agent", _pick(rng, spec, "abrupt"))]
    return [
        *out,
        ("agent", _pick(rng, spec, "anything")),
        ("customer", _pick(rng, spec, "none")),
        ("agent", _pick(rng, spec, "bye")),
    ]


def _times(
    rng: np.random.Generator, spec: Spec, said: Sequence[tuple[str, str]]
) -> list[tuple[float | None, float | None]]:
    """Seconds from the start for a call (speech rate by language); none for a chat export."""
    if spec.channel != "phone":
        return [(None, None)] * len(said)
    hold_before = (
        next(i for i, (who, _) in enumerate(said) if i > 2 and who == "agent") if "long_hold" in spec.problems else -1
    )
    out: list[tuple[float | None, float | None]] = []
    clock = 0.0
    for i, (_, text) in enumerate(said):
        clock += float(rng.uniform(25, 60)) if i == hold_before else float(rng.uniform(0.3, 2.0)) if i else 0.0
        length = len(text) * 0.22 if spec.lang == "zh" else len(text.split()) * 0.38
        out.append((round(clock, 2), round(clock + length, 2)))
        clock += length
    return out


def plant(
    rng: np.random.Generator, agent: str, team: str, skip_agent: str, bad_team: str, channel: str
) -> frozenset[str]:
    """The problems of one conversation: high rates for the planted agent and team, low background rates."""
    rates = {
        "skip_verification": 0.9 if agent == skip_agent else 0.02,
        "bad_close": 0.85 if team == bad_team else 0.03,
        "long_hold": 0.05 if channel == "phone" else 0.0,
        "promise": 0.02,
    }
    return frozenset(name for name, rate in rates.items() if rng.random() < rate)


# --- the demo's datasets: conversations for staffed calls and chats, and human reviews ----------

MAX_CONVERSATIONS = 1_500
REVIEWED, CALIBRATED = 60, 20
"""Conversations reviewed by one person, of which the first ones by three (a calibration session)."""
REVIEWERS = ("QA-R1", "QA-R2", "QA-R3")
NOISE = 0.03
"""Share of a reviewer's labels that are slips (pass ↔ fail)."""


@dataclass(frozen=True)
class Planted:
    specs: tuple[Spec, ...]
    skip_agent: str
    bad_close_team: str


def choose(rng: np.random.Generator, interactions: list[dict[str, object]]) -> Planted:
    """Up to :data:`MAX_CONVERSATIONS` staffed phone and chat interactions, and who gets the planted problems."""
    staffed = [r for r in interactions if r["agent_id"] is not None and r["channel"] in ("phone", "chat")]
    keep = np.sort(rng.choice(len(staffed), min(MAX_CONVERSATIONS, len(staffed)), replace=False))
    rows = [staffed[int(i)] for i in keep]
    agents = _most(str(r["agent_id"]) for r in rows)
    skip_agent = agents[0] if agents else ""
    skip_team = {str(r["entity_id"]) for r in rows if r["agent_id"] == skip_agent}
    teams = [t for t in _most(str(r["entity_id"]) for r in rows) if t not in skip_team]
    bad_team = teams[0] if teams else ""
    specs = tuple(
        Spec(
            f"CV{k:06d}",
            str(r["agent_id"]),
            str(r["entity_id"]),
            r["opened_at"],
            str(r["channel"]),
            str(r["category"]),
            "en" if rng.random() < 0.25 else "zh",
            str(r["interaction_id"]),
            plant(rng, str(r["agent_id"]), str(r["entity_id"]), skip_agent, bad_team, str(r["channel"])),
        )
        for k, r in enumerate(rows, start=1)
    )
    return Planted(specs, skip_agent, bad_team)


def _most(values: Iterable[str]) -> list[str]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return sorted(counts, key=lambda k: (-counts[k], k))


def truth(spec: Spec) -> dict[str, str]:
    """What a careful reviewer marks on the ``bank_call`` rubric for a generated conversation."""
    phone = spec.channel == "phone"
    out = {
        "greeting": "pass",
        "self_intro": "pass",
        "risk_disclosure": "na",
        "no_rude": "pass",
        "customer_mood": "pass",
        "first_response": "pass" if phone else "na",
        "silence": "pass" if phone else "na",
    }
    for problem, items in FAILS.items():
        for item in items:
            if out.get(item) != "na":
                out[item] = "fail" if problem in spec.problems else "pass"
    return out


def reviews(rng: np.random.Generator, planted: Planted, export_us: int) -> list[dict[str, object]]:
    """Human reviews of a sample: three reviewers on the first conversations, one on the rest, with slips."""
    chosen = sorted(rng.choice(len(planted.specs), min(REVIEWED, len(planted.specs)), replace=False))
    out = []
    for n, k in enumerate(chosen):
        spec = planted.specs[int(k)]
        session = "CAL-QA-1" if n < CALIBRATED else None
        for reviewer in REVIEWERS if session else (REVIEWERS[n % len(REVIEWERS)],):
            for item, label in sorted(truth(spec).items()):
                slip = label != "na" and rng.random() < NOISE
                out.append(
                    {
                        "review_id": f"{session or 'R'}:{spec.conversation_id}:{reviewer}",
                        "conversation_id": spec.conversation_id,
                        "rubric": "bank_call",
                        "item": item,
                        "reviewer_id": reviewer,
                        "reviewed_at": _later(spec.started_at, export_us),
                        "result": ("fail" if label == "pass" else "pass") if slip else label,
                        "session_id": session,
                        "note": None,
                    }
                )
    return out


def _later(started: object, export_us: int) -> object:
    """An hour after the conversation, but never after the export moment."""
    assert isinstance(started, datetime)
    return min(started + timedelta(hours=1), datetime.fromtimestamp(export_us / 1e6, UTC))


def conversation_tables(
    rng: np.random.Generator, interactions: pa.Table, export_us: int, facts: dict[str, object]
) -> tuple[pa.Table, pa.Table]:
    """The ``conversations`` and ``qa_reviews`` tables for the demo; ``facts`` gets what was planted."""
    cols = ["interaction_id", "entity_id", "opened_at", "agent_id", "channel", "category"]
    planted = choose(rng, interactions.select(cols).to_pylist())
    rows = [row for spec in planted.specs for row in turns(rng, spec)]
    talk = pa.Table.from_pylist(rows, schema=DATASETS["conversations"].schema)
    review = pa.Table.from_pylist(reviews(rng, planted, export_us), schema=DATASETS["qa_reviews"].schema)
    facts |= {
        "rubric": "bank_call",
        "conversations": len(planted.specs),
        "skip_verification_agent": planted.skip_agent,
        "bad_close_team": planted.bad_close_team,
        "planted": {p: sum(p in s.problems for s in planted.specs) for p in PROBLEMS},
    }
    return talk, review
