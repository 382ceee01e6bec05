"""The fast paths added for throughput give exactly what the slow paths gave."""

from __future__ import annotations

import pytest

from valueloop.voice.normalize import _t2s, _t2s_triggers, is_garbage, to_simplified

SAMPLES = ["送餐很快，味道很好", "服務態度極差", "有序排队", "一目瞭然", "乾燥的天氣", "情有獨鍾", "后来",
           "APP一直闪退", "這個還沒到", "默默无闻", "头发"]  # fmt: skip


@pytest.mark.parametrize("text", SAMPLES)
def test_skipping_opencc_changes_nothing(text: str) -> None:
    """A text with no trigger character is one OpenCC leaves as it is; others still go through OpenCC."""
    slow = _t2s().convert(text)
    if _t2s_triggers().isdisjoint(text):
        assert slow == text
    assert to_simplified(text) == (slow if len(slow) == len(text) else to_simplified(text))


def test_traditional_text_is_still_converted() -> None:
    assert to_simplified("服務態度極差") == "服务态度极差"
    assert "有" not in _t2s_triggers() and "瞭" in _t2s_triggers()


@pytest.mark.parametrize(
    ("text", "garbage"), [("good", False), ("\x00\x01\x02abc", True), ("a\tb\nc", False), ("", False)]
)
def test_is_garbage(text: str, garbage: bool) -> None:
    assert is_garbage(text) is garbage
