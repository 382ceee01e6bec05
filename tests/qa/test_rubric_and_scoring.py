"""Rubric files are validated with file:line; scoring adds up as the docstring says and is deterministic."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write
from qa.helpers import by_words, conv
from valueloop.errors import SpecError
from valueloop.qa.rubric_loader import load_rubric, resolve, starter_rubrics
from valueloop.qa.scoring import score_conversation

RUBRIC = """\
id: t
name: {zh: 测试, en: Test}
pass_score: 80
sections:
  - id: open
    name: Opening
    weight: 1
    items:
      - id: hello
        name: Hello
        weight: 3
        check: {kind: phrase, position: {first: 1}, phrases: [hello]}
      - id: order
        name: Order
        weight: 1
        applies_if: {channel: chat}
        check: {kind: phrase, phrases: [order]}
  - id: close
    name: Closing
    weight: 1
    items:
      - id: bye
        name: Bye
        weight: 1
        check: {kind: phrase, position: {last: 1}, phrases: [bye]}
      - id: promise
        name: No promise
        weight: 1
        auto_fail: true
        check: {kind: phrase, present: false, phrases: [guarantee]}
      - id: rating
        name: Rating (bonus)
        weight: 5
        bonus: true
        check: {kind: phrase, phrases: [rate us]}
"""


def test_every_problem_is_reported_with_file_and_line(tmp_path: Path) -> None:
    bad = RUBRIC.replace("weight: 3", "weight: -3").replace("phrases: [order]", "phrases: [order], colour: red")
    bad = bad.replace("id: bye", "id: hello").replace("present: false", "present: false, before: nowhere")
    f = write(tmp_path / "r.yaml", bad)
    with pytest.raises(SpecError) as err:
        load_rubric(f)
    text = str(err.value)
    assert f"{f}:11: sections[0].items[0].weight" in text
    assert f"{f}:17: sections[0].items[1].check.phrase.colour" in text
    f2 = write(
        tmp_path / "r2.yaml",
        RUBRIC.replace("id: bye", "id: hello").replace("present: false", "present: false, before: nowhere"),
    )
    with pytest.raises(SpecError) as err2:
        load_rubric(f2)
    assert "3 problem(s)" in str(err2.value)
    assert f"{f2}:22: sections[1].items[0].id: duplicate item id 'hello'" in str(err2.value)
    assert f"{f2}:30: sections[1].items[1].check.before: 'nowhere' is not another item" in str(err2.value)


def test_a_bad_regex_is_named(tmp_path: Path) -> None:
    f = write(
        tmp_path / "r.yaml", RUBRIC.replace("{kind: phrase, phrases: [order]}", "{kind: regex, pattern: '(unclosed'}")
    )
    with pytest.raises(
        SpecError, match=r"r.yaml:17: sections\[0\].items\[1\].check.pattern: invalid regular expression"
    ):
        load_rubric(f)


def test_starter_rubrics_load_and_resolve_by_name(tmp_path: Path) -> None:
    names = set(starter_rubrics())
    assert {"bank_call", "ecommerce_chat", "after_sales_zh"} <= names
    for name in names:
        assert load_rubric(resolve(name)).id == name
    (tmp_path / "qa").mkdir()
    own = write(tmp_path / "qa" / "mine.yaml", RUBRIC)
    assert resolve("mine", tmp_path) == own
    with pytest.raises(SpecError, match="no such rubric"):
        resolve("nope", tmp_path)


def rubric(tmp_path: Path):  # type: ignore[no-untyped-def]
    return load_rubric(write(tmp_path / "r.yaml", RUBRIC))


def test_score_is_the_section_weighted_share_of_applicable_items(tmp_path: Path) -> None:
    r = rubric(tmp_path)
    c = conv(("agent", "hello"), ("customer", "where is my order"), ("agent", "it ships today"))
    s = score_conversation(r, c, by_words)
    results = {i.item: i.result for i in s.items}
    assert results == {"hello": "pass", "order": "na", "bye": "fail", "promise": "pass", "rating": "fail"}
    # opening 3/3 = 1, closing 1/2 = 0.5 → 75
    assert s.score == pytest.approx(75.0) and s.passed is False and (s.applicable, s.failed) == (3, 1)
    chat = score_conversation(r, conv(("agent", "hello"), ("agent", "bye"), channel="chat"), by_words)
    # opening 3/4, closing 2/2 → 87.5
    assert chat.score == pytest.approx(87.5) and chat.passed is True


def test_bonus_adds_points_capped_at_100_and_auto_fail_zeroes(tmp_path: Path) -> None:
    r = rubric(tmp_path)
    good = conv(("agent", "hello"), ("agent", "please rate us, bye"))
    assert score_conversation(r, good, by_words).score == 100.0
    bad = conv(("agent", "hello, I guarantee it"), ("agent", "bye"))
    s = score_conversation(r, bad, by_words)
    assert s.score == 0.0 and s.auto_failed and s.passed is False
    promise = next(i for i in s.items if i.item == "promise")
    assert (promise.evidence[0].turn, promise.evidence[0].text) == (0, "guarantee")


def test_nothing_applicable_gives_no_score(tmp_path: Path) -> None:
    r = load_rubric(
        write(
            tmp_path / "r.yaml",
            RUBRIC.split("  - id: close")[0].replace(
                "weight: 3\n        check", "weight: 3\n        applies_if: {channel: phone}\n        check"
            ),
        )
    )
    s = score_conversation(r, conv(("agent", "x")), by_words)
    assert s.score is None and s.passed is None


def test_scoring_is_deterministic_and_near_the_pass_line_is_uncertain(tmp_path: Path) -> None:
    r = rubric(tmp_path)
    c = conv(("agent", "hello"), ("customer", "order"), ("agent", "bye"))
    assert score_conversation(r, c, by_words) == score_conversation(r, c, by_words)
    near = score_conversation(r, conv(("agent", "hello"), ("agent", "ok"), channel="chat"), by_words)
    far = score_conversation(r, conv(("agent", "hello"), ("agent", "bye")), by_words)
    assert near.uncertainty > far.uncertainty
