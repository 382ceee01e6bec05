"""The scorer equals a straightforward reference implementation on generated transcripts, singly and batched."""

from __future__ import annotations

import pytest

from qa.helpers import by_words
from qa.reference import reference_score
from qa.test_planted import generated
from valueloop.qa.rubric_loader import load_rubric, resolve
from valueloop.qa.scoring import Scorer, score_conversation


@pytest.mark.parametrize("rubric", ["bank_call", "ecommerce_chat", "after_sales_zh"])
def test_fast_path_equals_the_reference(rubric: str) -> None:
    spec = load_rubric(resolve(rubric))
    convs = [c for _, c in generated(150, seed=9)]
    batched = Scorer(spec).score_many(convs, by_words)
    for conv, fast in zip(convs, batched, strict=True):
        results, score = reference_score(spec, conv, by_words)
        assert {i.item: i.result for i in fast.items} == results, conv.conversation_id
        assert fast.score == pytest.approx(score), conv.conversation_id
        assert score_conversation(spec, conv, by_words) == fast
