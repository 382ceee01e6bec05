"""Text commands read their files with the one reader of small user tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from valueloop.errors import InputError
from valueloop.voice.service.text import column, read_table


def test_a_quoted_review_over_two_lines_is_one_text(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_bytes('stars,review\n5,"房間很乾淨\n早餐不錯"\n1,房間很冷\n'.encode("big5"))
    assert column(read_table(path), "review", path) == ["房間很乾淨\n早餐不錯", "房間很冷"]


def test_json_lines_cells_are_text_and_a_bad_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"text": "good", "label": 1}\n{"text": "bad", "label": 0}\n', encoding="utf-8")
    assert read_table(path).to_dict("records") == [{"text": "good", "label": "1"}, {"text": "bad", "label": "0"}]
    path.write_text('{"text": "good"}\n{"text"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.jsonl: line 2: not valid JSON"):
        read_table(path)
