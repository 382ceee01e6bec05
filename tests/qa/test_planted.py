"""The scorer finds the problems planted in generated zh/en transcripts: precision and recall per item.

The generator records which conversations carry which problem; an item "detects" a problem
when it fails. Precision and recall are printed (``pytest -s``) and must both be ≥ 0.95.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from valueloop.demo.transcripts import FAILS, Spec, plant, turns
from valueloop.qa.rubric_loader import load_rubric, resolve
from valueloop.qa.scoring import ConversationScore, score_conversation
from valueloop.qa.service.score import shipped_sentiment
from valueloop.qa.transcript import Conversation, Turn

AGENTS = {"A1": "T1", "A2": "T1", "A3": "T2", "A4": "T2", "A5": "T3", "A6": "T3"}
SKIP_AGENT, BAD_TEAM = "A1", "T2"


def generated(n: int = 360, seed: int = 5) -> list[tuple[Spec, Conversation]]:
    rng = np.random.default_rng(seed)
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    out = []
    for k in range(n):
        agent = sorted(AGENTS)[k % len(AGENTS)]
        channel = "phone" if rng.random() < 0.6 else "chat"
        spec = Spec(
            f"C{k:04d}",
            agent,
            AGENTS[agent],
            start + timedelta(hours=k),
            channel,
            str(rng.choice(["account", "billing", "refund", "complaint", "inquiry"])),
            "en" if rng.random() < 0.3 else "zh",
            problems=plant(rng, agent, AGENTS[agent], SKIP_AGENT, BAD_TEAM, channel),
        )
        rows = turns(rng, spec)
        conv = Conversation(
            spec.conversation_id,
            tuple(
                Turn(int(r["turn_index"]), r["speaker"], str(r["text"]), r["start_s"], r["end_s"])  # type: ignore[arg-type]
                for r in rows
            ),
            {"channel": channel, "category": spec.category},
        )
        out.append((spec, conv))
    return out


@pytest.fixture(scope="module")
def scored() -> list[tuple[Spec, ConversationScore]]:
    rubric = load_rubric(resolve("bank_call"))
    fn = shipped_sentiment()
    return [(spec, score_conversation(rubric, conv, fn)) for spec, conv in generated()]


def test_planted_problems_are_found_with_high_precision_and_recall(
    scored: list[tuple[Spec, ConversationScore]],
) -> None:
    for problem, items in FAILS.items():
        truth = {s.conversation_id for s, _ in scored if problem in s.problems}
        for item in items:
            found = {c.conversation_id for _, c in scored for i in c.items if i.item == item and i.result == "fail"}
            hit = len(found & truth)
            precision = hit / len(found) if found else 1.0
            recall = hit / len(truth) if truth else 1.0
            print(
                f"{problem:18} {item:16} planted={len(truth):3} flagged={len(found):3} "
                f"precision={precision:.3f} recall={recall:.3f}"
            )
            assert truth, problem
            assert precision >= 0.95 and recall >= 0.95, (problem, item, precision, recall)


def test_the_skip_agent_and_the_bad_close_team_stand_out(scored: list[tuple[Spec, ConversationScore]]) -> None:
    fails: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for spec, c in scored:
        result = {i.item: i.result for i in c.items}
        fails[("agent", spec.agent_id)].append(result["verify_identity"] == "fail")
        fails[("team", spec.entity_id)].append(result["farewell"] == "fail")
    agent_rate = {k[1]: np.mean(v) for k, v in fails.items() if k[0] == "agent"}
    team_rate = {k[1]: np.mean(v) for k, v in fails.items() if k[0] == "team"}
    assert max(agent_rate, key=agent_rate.__getitem__) == SKIP_AGENT
    assert max(team_rate, key=team_rate.__getitem__) == BAD_TEAM


def test_both_languages_score_well_when_nothing_is_planted(scored: list[tuple[Spec, ConversationScore]]) -> None:
    clean = [(s, c) for s, c in scored if not s.problems]
    for lang in ("zh", "en"):
        values = [c.score for s, c in clean if s.lang == lang]
        assert values and min(v for v in values if v is not None) >= 80, lang
