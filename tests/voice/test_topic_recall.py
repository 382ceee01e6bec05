"""Recall round of issue 19: everyday paraphrases find their topic, speed and arrival words stay weak, and
``bench.topic_eval`` prints a column for every extra measurement set (tests/voice/labelled/<set>/)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from valueloop.voice.taxonomy import SHIPPED, classify, load_taxonomy, shipped

_BENCH = Path(__file__).parents[2] / "bench" / "topic_eval.py"
_spec = importlib.util.spec_from_file_location("topic_eval_bench", _BENCH)
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)  # bench/ is a script folder, not an installed package

# (taxonomy, text, topics it must get, topics it must not get); written for this test, not sample rows
PARAPHRASES = [
    ("ecommerce", "Courier dumped it, shop slow to answer", {"logistics", "response_speed"}, set()),
    ("ecommerce", "忘记密码了，验证码一直收不到", {"account"}, set()),
    ("ecommerce", "I got locked out and had to explain my problem from scratch", {"account", "process"}, set()),
    ("ecommerce", "The subscription renewed and the bug is still not fixed", {"price", "unresolved"}, set()),
    ("ecommerce", "快递员很客气，物流很快", {"logistics"}, {"response_speed"}),
    ("ecommerce", "Arrived quickly, well packed", {"logistics"}, {"response_speed"}),
    ("ecommerce", "The seller replied fast", {"response_speed"}, set()),
    ("repair", "I booked a visit and the tech was on time", {"booking", "technician"}, set()),
    ("repair", "The final bill was twice the estimate", {"charges"}, set()),
    ("repair", "Been waiting for two months for my TV", {"turnaround"}, set()),
    ("repair", "师傅二十分钟就修好了", {"technician", "turnaround"}, set()),
    ("repair", "换了主板以后也没人通知我", {"parts", "communication"}, set()),
    ("hotel", "离地铁站走路三分钟", {"location"}, set()),
    ("hotel", "The walls were paper thin", {"noise"}, set()),
    ("hotel", "酒店离海滩挺近的", {"location"}, set()),
    ("hotel", "浴缸有污渍", {"cleanliness"}, {"rooms"}),
    ("healthcare", "The clinic was running 40 minutes late and my bloodwork got lost", {"waiting", "tests"}, set()),
    ("healthcare", "停车位不够，药剂师也不在", {"facilities", "pharmacy"}, set()),
    ("hotel", "We had dinner in the hotel, then the fridge in the room broke", {"breakfast", "rooms"}, set()),
    ("hotel", "The towels were dirty", {"cleanliness"}, {"rooms"}),
    # round five (repair recall after fresh3): car/phone/appliance words, waits, unanswered contact, prices
    (
        "repair",
        "The mechanic swapped the brake pads and the car still squeaks",
        {"technician", "parts", "repair_quality"},
        set(),
    ),
    ("repair", "Rang four times and nobody picked up the phone", {"communication"}, set()),
    ("repair", "They kept my tablet for twelve days", {"turnaround"}, set()),
    ("repair", "The dryer is noisier than before the visit", {"repair_quality"}, set()),
    ("repair", "They wanted $250 and I had to post it at my own expense", {"charges"}, set()),
    ("repair", "The protection plan I paid for was useless", {"warranty"}, set()),
    ("repair", "The shop refused to take it back, I just want a replacement", {"exchange"}, set()),
    ("repair", "They cancelled my visit an hour before", {"booking"}, set()),
    ("repair", "The form was too long", set(), {"turnaround"}),
    ("repair", "换了个新电池要三百块", {"parts", "charges"}, set()),
    ("repair", "电脑寄过去十多天了，一直没有消息", {"turnaround", "communication"}, set()),
    ("repair", "修完以后洗衣机还是不脱水", {"repair_quality"}, set()),
    ("repair", "打了好几次电话都没人回，问了几次也说不清", {"communication"}, set()),
    ("repair", "屏幕坏了，他们说这种情况不保", {"warranty"}, set()),
    ("repair", "师傅干完活把地拖了一遍", {"technician"}, {"turnaround"}),
    ("repair", "收了两百块检测费，最后修不了", {"charges", "repair_quality"}, set()),
    ("repair", "摩托车在店里放了一个多礼拜", {"turnaround"}, set()),
    ("repair", "换过两次主板，毛病还在", {"parts", "repair_quality"}, set()),
    ("repair", "The blender is still noisy after the service", {"repair_quality"}, set()),
]


@pytest.mark.parametrize(("name", "text", "want", "not_want"), PARAPHRASES)
def test_everyday_paraphrases_find_their_topic(name: str, text: str, want: set[str], not_want: set[str]) -> None:
    tags = classify(text, load_taxonomy(shipped(name)), "en" if text.isascii() else "zh")
    got = {t.category.split("/")[0] for t in tags}
    assert want <= got and not (not_want & got), got


def _write(root: Path, folder: str, names: list[str]) -> None:
    (root / folder).mkdir(parents=True)
    row = {"text": "The refund never arrived", "lang": "en", "labels": ["refund"], "split": "fresh"}
    for n in names:
        (root / folder / f"{n}.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")


def test_topic_eval_prints_a_column_per_extra_set(tmp_path: Path) -> None:
    for n in SHIPPED:
        row = {"text": "退款还没到账", "lang": "zh", "labels": ["refund"], "split": "tune"}
        (tmp_path / f"{n}.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    _write(tmp_path, "fresh", list(SHIPPED))
    _write(tmp_path, "fresh2", ["ecommerce"])
    (tmp_path / "notes").mkdir()  # a folder without a taxonomy's file is no set
    assert bench.extra_sets(tmp_path) == ["fresh", "fresh2"]
    lines = bench.table(tmp_path)
    assert "fresh n" in lines[1] and "fresh2 n" in lines[1]
    ecommerce = next(line for line in lines if line.startswith("ecommerce")).split()
    assert ecommerce[-3:] == ["1", "1.000", "1.000"]  # the fresh2 cell: one row, tagged right
    hotel = next(line for line in lines if line.startswith("hotel"))
    assert hotel.rstrip().endswith("-")  # no fresh2 file for hotel: an empty cell, not an error
