"""Every check kind on hand-made transcripts, with the evidence (turn and span) that decided it."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import TypeAdapter

from qa.helpers import by_words, conv
from valueloop.qa import checks
from valueloop.qa.checks import CHECKS, Context, run_check
from valueloop.qa.rubric import Check, FlowCheck, PhraseCheck, RegexCheck, SentimentCheck, TimingCheck
from valueloop.qa.transcript import Conversation, Evidence

CALL = conv(
    ("agent", "您好，工号1024，很高兴为您服务"),
    ("customer", "我想查一下余额"),
    ("agent", "好的，先核实一下您的身份证后四位"),
    ("customer", "1234"),
    ("agent", "您的账户余额是500元。还有什么可以帮您？"),
    ("customer", "没有了"),
    ("agent", "感谢您的来电，再见"),
)
CTX = Context({}, by_words)


def check(spec: dict[str, object]) -> Check:
    return TypeAdapter(Check).validate_python(spec)  # type: ignore[no-any-return]


def run(spec: dict[str, object], c: Conversation = CALL, ctx: Context = CTX) -> checks.Outcome:
    return run_check(check(spec), c, ctx)


def test_every_check_kind_is_registered() -> None:
    models = get_args(get_args(Check)[0])
    kinds = {get_args(m.model_fields["kind"].annotation)[0] for m in models}
    assert {FlowCheck, PhraseCheck, RegexCheck, SentimentCheck, TimingCheck} <= set(models)
    assert kinds == set(CHECKS)


def test_phrase_present_in_the_first_agent_turns_points_at_its_span() -> None:
    out = run({"kind": "phrase", "speaker": "agent", "position": {"first": 1}, "phrases": ["您好"]})
    assert out.result == "pass" and out.evidence == (Evidence(0, 0, 2, "您好"),)


def test_phrase_outside_its_position_fails() -> None:
    out = run({"kind": "phrase", "speaker": "agent", "position": {"first": 1}, "phrases": ["再见"]})
    assert out.result == "fail" and out.evidence == ()
    assert run({"kind": "phrase", "position": {"last": 1}, "phrases": ["再见"]}).result == "pass"


def test_phrase_on_the_wrong_speaker_is_not_found() -> None:
    assert run({"kind": "phrase", "speaker": "customer", "phrases": ["您好"]}).result == "fail"
    assert run({"kind": "phrase", "speaker": "any", "phrases": ["余额"]}).evidence[0].turn == 1


def test_synonym_groups_and_rubric_synonyms_count_like_the_phrase() -> None:
    assert run({"kind": "phrase", "phrases": [["验证", "身份证后四位"]]}).evidence[0].text == "身份证后四位"
    ctx = Context({"确认身份": ("核实",)}, by_words)
    assert run({"kind": "phrase", "phrases": ["确认身份"]}, ctx=ctx).evidence[0] == Evidence(2, 4, 6, "核实")


def test_matching_ignores_case_and_keeps_spans_of_the_original_text() -> None:
    c = conv(("agent", "Hello, anything ELSE I can do?"))
    out = run({"kind": "phrase", "phrases": ["anything else"]}, c)
    assert out.evidence == (Evidence(0, 7, 20, "anything ELSE"),)


def test_absent_phrase_fails_with_the_forbidden_words_as_evidence() -> None:
    c = conv(("agent", "放心，保证收益八个点"))
    out = run({"kind": "phrase", "present": False, "phrases": ["保证收益"]}, c)
    assert out.result == "fail" and out.evidence == (Evidence(0, 3, 7, "保证收益"),)
    assert run({"kind": "phrase", "present": False, "phrases": ["保证收益"]}).result == "pass"


def test_before_another_item_uses_that_items_first_match() -> None:
    spec = {"kind": "phrase", "phrases": ["核实"], "before": "account"}
    early = Context({}, by_words, {"account": Evidence(4, 2, 4, "账户")})
    late = Context({}, by_words, {"account": Evidence(1, 0, 2, "余额")})
    assert run(spec, ctx=early).result == "pass"
    out = run(spec, ctx=late)
    assert out.result == "fail" and [e.turn for e in out.evidence] == [2, 1]


def test_regex_reports_the_matched_span() -> None:
    out = run({"kind": "regex", "pattern": r"工号\d+"})
    assert out.evidence == (Evidence(0, 3, 9, "工号1024"),)
    assert run({"kind": "regex", "pattern": r"\d{11}", "present": False}).result == "pass"


def test_flow_needs_the_steps_in_order() -> None:
    ok = run({"kind": "flow", "steps": [["您好"], ["核实"], ["再见"]]})
    assert ok.result == "pass" and [e.turn for e in ok.evidence] == [0, 2, 6]
    wrong = run({"kind": "flow", "steps": [["核实"], ["您好"]]})
    assert wrong.result == "fail" and "step 2 of 2" in wrong.detail


TIMED = conv(
    ("customer", "hello?", 0.0, 2.0),
    ("agent", "hello, sorry", 6.0, 9.0),
    ("customer", "my order", 8.5, 10.0),
    ("agent", "let me check", 40.0, 44.0),
)


@pytest.mark.parametrize(
    ("metric", "bound", "result", "turns"),
    [
        ("first_response", {"max": 5}, "pass", [0, 1]),
        ("first_response", {"max": 3}, "fail", [0, 1]),
        ("longest_silence", {"max": 20}, "fail", [2, 3]),
        ("agent_talk_share", {"min": 0.5}, "pass", [1, 3]),
        ("overtalk", {"max": 0}, "fail", [2]),
    ],
)
def test_timing_measures(metric: str, bound: dict[str, float], result: str, turns: list[int]) -> None:
    out = run({"kind": "timing", "metric": metric, **bound}, TIMED)
    assert out.result == result and [e.turn for e in out.evidence] == turns


def test_timing_values() -> None:
    from valueloop.qa.timing import MEASURES

    values = {name: measure(TIMED) for name, measure in MEASURES.items()}
    assert {k: round(v[0], 4) for k, v in values.items() if v} == {
        "first_response": 4.0,
        "longest_silence": 30.0,
        "agent_talk_share": round(7 / 10.5, 4),
        "overtalk": 0.5,
    }


def test_timing_without_turn_times_is_not_applicable() -> None:
    assert run({"kind": "timing", "metric": "longest_silence", "max": 5}).result == "na"


def test_a_timing_value_near_its_limit_has_a_small_margin() -> None:
    near = run({"kind": "timing", "metric": "first_response", "max": 4.2}, TIMED)
    far = run({"kind": "timing", "metric": "first_response", "max": 60}, TIMED)
    assert near.margin < 0.1 < 0.9 < far.margin


def test_sentiment_shift_from_start_to_end() -> None:
    better = conv(("customer", "bad bad"), ("agent", "sorry"), ("customer", "good, thanks"))
    worse = conv(("customer", "good"), ("agent", "no"), ("customer", "bad"))
    spec = {"kind": "sentiment", "turns": 1, "min_shift": 0}
    out = run(spec, better)
    assert out.result == "pass" and [e.turn for e in out.evidence] == [0, 2] and "-1.00 → +1.00" in out.detail
    assert run(spec, worse).result == "fail"
    assert run(spec, conv(("customer", "bad"))).result == "na"
