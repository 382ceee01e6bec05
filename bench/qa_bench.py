"""Conversation QA benchmark: conversations scored per second on one core, 15-item rubric, ~20-turn transcripts.

    .venv/bin/python -m bench.qa_bench [--n 4000]

The conversations are the demo's bank calls (Chinese and English, planted problems) with
small talk added to reach about 20 turns; the rubric is the ``bank_call`` starter plus a flow
and a regular expression (15 items, every check kind, the shipped sentiment model). Before
timing, the batched scorer is checked equal, conversation by conversation, to the
straightforward reference implementation in ``tests/qa/reference.py``; the reference is then
timed as the baseline (one model call per conversation, every spelling tested on every turn).
Times are CPU time of this process (``time.process_time``): conversations per second per core,
not disturbed by other work on a shared machine.
Target (issue 22): ≥ 2,000 conversations/s per core.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

EXTRA_ITEMS = """
  - id: extra
    name: {zh: 附加, en: Extra}
    weight: 10
    items:
      - id: service_flow
        name: {zh: 服务流程, en: Service flow}
        weight: 5
        check: {kind: flow, steps: [[您好, hello, good morning], [核实, verify, date of birth], [再见, goodbye]]}
      - id: amount_stated
        name: {zh: 告知金额, en: Amount stated}
        weight: 5
        check: {kind: regex, pattern: "\\\\d+ ?(元|yuan)"}
"""
SMALL_TALK = {
    "zh": [
        ("customer", "稍等一下，我找一下卡。"),
        ("agent", "好的，不着急。"),
        ("customer", "找到了。"),
        ("agent", "好的，请讲。"),
    ],
    "en": [
        ("customer", "Hold on, let me find my card."),
        ("agent", "Sure, take your time."),
        ("customer", "Got it."),
        ("agent", "Great, go ahead."),
    ],
}


def conversations(n: int) -> list[object]:
    from valueloop.demo.transcripts import Spec, plant, turns
    from valueloop.qa.transcript import Conversation, Turn

    rng = np.random.default_rng(22)
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    out = []
    for k in range(n):
        agent, team = f"A{k % 40}", f"T{k % 40 // 8}"
        channel, lang = ("phone" if rng.random() < 0.6 else "chat"), ("en" if rng.random() < 0.3 else "zh")
        problems = plant(rng, agent, team, "A0", "T1", channel)
        spec = Spec(f"C{k:06d}", agent, team, start + timedelta(minutes=k), channel, "account", lang, None, problems)
        rows = turns(rng, spec)
        said = [(r["speaker"], str(r["text"])) for r in rows]
        said = said[:2] + SMALL_TALK[lang] * 2 + said[2:]
        times = [(float(i * 4), float(i * 4 + 3)) if channel == "phone" else (None, None) for i in range(len(said))]
        out.append(
            Conversation(
                spec.conversation_id,
                tuple(Turn(i, who, text, *times[i]) for i, (who, text) in enumerate(said)),
                {"channel": channel},
            )
        )  # type: ignore[arg-type]
    return out


def rubric() -> object:
    from valueloop.qa.rubric_loader import load_rubric, resolve

    text = resolve("bank_call").read_text(encoding="utf-8") + EXTRA_ITEMS
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "bench.yaml"
        file.write_text(text, encoding="utf-8")
        return load_rubric(file)


def run(n: int = 4000) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "qa"))  # the reference is a test oracle
    from reference import reference_score  # type: ignore[import-not-found]

    from valueloop.qa.scoring import Scorer
    from valueloop.qa.service.score import shipped_sentiment

    spec, convs, sentiment = rubric(), conversations(n), shipped_sentiment()
    sentiment(["预热"])  # the model file loads once per process
    turns = sum(len(c.turns) for c in convs) / len(convs)  # type: ignore[attr-defined]
    print(f"conversation QA: {n:,} conversations, {turns:.1f} turns each, {len(spec.items)} items")  # type: ignore[attr-defined]
    t = time.process_time()
    fast = Scorer(spec).score_many(convs, sentiment)  # type: ignore[arg-type]
    ours = n / (time.process_time() - t)
    t = time.process_time()
    slow = [reference_score(spec, c, sentiment) for c in convs]
    baseline = n / (time.process_time() - t)
    for f, (results, score) in zip(fast, slow, strict=True):
        assert {i.item: i.result for i in f.items} == results, f.conversation_id
        assert abs((f.score or 0) - (score or 0)) < 1e-9, f.conversation_id
    print(f"  equal to the reference on all {n:,} conversations")
    print(f"  valueloop.qa  {ours:8,.0f} conversations/s   (target ≥ 2,000)")
    print(f"  reference     {baseline:8,.0f} conversations/s   ratio {ours / baseline:.1f}×")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    run(parser.parse_args().n)
