"""Sentiment that holds across domains: lexicon evidence with negation, degree words and contrast, blended
with the n-gram model; clear reviews are not neutral; the leave-one-domain-out harness is exact."""

from __future__ import annotations

import numpy as np
import pytest

from valueloop.voice import lodo
from valueloop.voice.features import prepare, word_grams
from valueloop.voice.lexicon import score_text
from valueloop.voice.model import SentimentModel, load_model
from valueloop.voice.sentiment import analyze_one
from valueloop.voice.train import fit_model

CLEAR = [
    ("I absolutely love this set of dishes", "positive"),
    ("Works great, highly recommend", "positive"),
    ("Sturdy and well made, worth every penny", "positive"),
    ("The battery died after two days, waste of money", "negative"),
    ("Stopped working after a week. Do not buy.", "negative"),
    ("Cheaply made and flimsy, returned it", "negative"),
    ("Not good at all", "negative"),
    ("Great phone but the battery life is terrible", "negative"),
    ("房间干净，早餐丰富，前台很热情", "positive"),
    ("隔音太差，一晚上没睡好，再也不来了", "negative"),
    ("物美价廉，非常满意", "positive"),
    ("质量太差，用了两天就坏了", "negative"),
    ("位置不错，但是服务态度很差", "negative"),
    ("不是很好吃", "negative"),
]


@pytest.mark.parametrize(("text", "label"), CLEAR)
def test_clear_reviews_get_their_sign_not_neutral(text: str, label: str) -> None:
    assert analyze_one(text).label == label


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("good", 1), ("not good", -1), ("never good", -1), ("bad", -1), ("not bad", 1), ("isn't bad", 1),
        ("好吃", 1), ("不好吃", -1), ("不错", 1), ("不是很好", -1), ("没问题", 1), ("失望", -1), ("不失望", 1),
        ("差不多", 0), ("快递到了", 0), ("the coffee table", 0), ("无线网络很好", 1), ("服务不够热情", -1),
    ],
)  # fmt: skip
def test_negation_flips_and_false_friends_do_not_count(text: str, sign: int) -> None:
    s = score_text(text)
    assert np.sign(round(s.positive - s.negative, 6)) == sign


@pytest.mark.parametrize(
    ("strong", "plain"),
    [("very good", "good"), ("absolutely love", "love"), ("非常满意", "满意"), ("很差", "差"), ("太失望", "失望")],
)
def test_degree_words_strengthen(strong: str, plain: str) -> None:
    a, b = score_text(strong), score_text(plain)
    assert a.positive + a.negative > b.positive + b.negative


@pytest.mark.parametrize(("text", "winner"), [("good but expensive and broken", "negative"),
                                              ("有点贵，但是质量很好", "positive")])  # fmt: skip
def test_what_follows_a_contrast_weighs_more(text: str, winner: str) -> None:
    s = score_text(text)
    assert (s.negative > s.positive) == (winner == "negative")


POS = ["味道很好送餐很快", "非常满意下次再来", "质量很好很喜欢", "Great value love it", "Excellent works well"]
NEG = ["太难吃了不会再买", "质量很差很失望", "客服态度恶劣", "Terrible waste of money", "Broke after a day awful"]


def _domain(name: str, lang: str, seed: int) -> lodo.Domain:
    rng = np.random.default_rng(seed)
    texts = [f"{rng.choice(POS)} {name}{i}" for i in range(30)] + [f"{rng.choice(NEG)} {name}{i}" for i in range(30)]
    return lodo.Domain(name, lang, tuple(texts), (1,) * 30 + (0,) * 30)


def test_counting_ngrams_once_equals_refitting_per_domain() -> None:
    """Oracle: the fast leave-one-domain-out path gives fit_model's logits on every held-out domain."""
    domains = [_domain("a", "zh", 1), _domain("b", "zh", 2), _domain("c", "en", 3)]
    fast = lodo.out_of_domain_tfidf(domains, min_df=2, c=2.0)
    slow = lodo.out_of_domain(domains, lambda x, y: fit_model(x, y, min_df=2, c=2.0))
    for f, s in zip(fast, slow, strict=True):
        np.testing.assert_allclose(f.features, s.features, atol=1e-4)
    rows = lodo.evaluate(fast, 0.2)
    assert [r.domain for r in rows] == ["a", "b", "c"] and all(r.accuracy_after == 1.0 for r in rows)


def test_a_blend_is_saved_and_loaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    domains = lodo.out_of_domain_tfidf([_domain("a", "zh", 1), _domain("b", "en", 2)], min_df=2)
    base = fit_model([t for d in domains for t in d.texts], [y for d in domains for y in d.labels], min_df=2)
    model = SentimentModel(base.index, base.idf, base.coef, base.intercept, {}, lodo.fit_blend(domains))
    model.save(tmp_path / "m.npz")
    back = load_model(tmp_path / "m.npz")
    assert back.blend is not None and np.allclose(back.blend, model.blend)  # type: ignore[arg-type]
    assert back.logit("Great value love it") == pytest.approx(model.logit("Great value love it"), abs=1e-4)
    base.save(tmp_path / "plain.npz")
    plain = load_model(tmp_path / "plain.npz")
    assert plain.blend is None and plain.logit("质量很差") == plain.ngram_logit("质量很差")


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("Bland and flavorless", -1), ("the accents are absolutely abysmal", -1), ("a mediocre, dull film", -1),
        ("It doesn't work", -1), ("We won't be back", -1), ("We will be back", 1), ("Was hoping for more", -1),
        ("Tasty and juicy", 1), ("Reliable, durable and easy to use", 1), ("5 stars", 1), ("1 star", -1),
        ("The chicken dishes are OK", 0),
    ],
)  # fmt: skip
def test_review_vocabulary_vader_lacks(text: str, sign: int) -> None:
    """General review words (food, products, service, films) that the social-media VADER lexicon has no rating for."""
    s = score_text(text)
    got = np.sign(round(s.positive - s.negative, 6))
    assert got == sign if sign else abs(s.positive - s.negative) < 0.5


def test_word_grams_mark_the_negation_scope_up_to_punctuation() -> None:
    grams = word_grams(prepare("I didn't like the screen, great battery though"))
    assert {"w:like_NEG", "w:screen_NEG", "w:didnt like_NEG", "w:great", "w:battery"} <= set(grams)
    assert "w:screen_NEG great" not in grams and "w:great_NEG" not in grams
    assert word_grams(prepare("房间很干净")) == []


@pytest.mark.parametrize(
    ("text", "label"),
    [("Bland and flavorless food, we won't be back", "negative"), ("Tasty, fresh and reliable service", "positive")],
)
def test_clear_review_phrases_are_not_neutral(text: str, label: str) -> None:
    assert analyze_one(text).label == label
