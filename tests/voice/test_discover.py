"""Topic discovery proposes the aspects a corpus talks about (Chinese and English), with quotes, as a valid draft."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from valueloop.cli.text import register
from valueloop.errors import InputError
from valueloop.voice.discover import aspect_terms, discover, draft_taxonomy
from valueloop.voice.service.taxonomies import validate_taxonomy

ZH = {"房间": ["房间很干净", "房间有异味", "房间太小了"], "早餐": ["早餐品种丰富", "早餐很难吃", "早餐太少"],
      "前台": ["前台很热情", "前台办理入住太慢", "前台态度冷淡"],
      "地铁": ["离地铁很近", "离地铁太远", "地铁站就在旁边"]}  # fmt: skip
EN = {"breakfast": ["The breakfast was lovely", "Breakfast was cold", "Breakfast buffet ran out"],
      "pool": ["The pool was warm", "Pool closed early", "Pool area too crowded"],
      "parking": ["Parking was free", "Parking cost extra", "Parking garage full"]}  # fmt: skip


def _corpus(aspects: dict[str, list[str]], n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(aspects[rng.choice(sorted(aspects))]) + f" {i}" for i in range(n)]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("房间很干净，早餐不好吃", ["房间", "早餐"]),
        ("The breakfast was great but the room was noisy", ["breakfast", "room"]),
        ("I absolutely love it", []),
        ("客服态度太差了", ["客服", "态度"]),
    ],
)
def test_aspect_terms_are_what_people_talk_about_not_how_they_felt(text: str, want: list[str]) -> None:
    assert aspect_terms(text) == want


@pytest.mark.parametrize(("aspects", "lang"), [(ZH, "zh"), (EN, "en")])
def test_each_planted_aspect_becomes_a_topic_with_its_quotes(aspects: dict[str, list[str]], lang: str) -> None:
    topics = discover(_corpus(aspects, 240), k=len(aspects))
    assert len(topics) == len(aspects) and 216 <= sum(t.size for t in topics) <= 240
    for t in topics:
        top = (t.terms_zh if lang == "zh" else t.terms_en)[0].lower()
        assert top in {a.lower() for a in aspects}
        assert all(top in q.lower() for q in t.examples) and len(set(t.examples)) == len(t.examples) == 3
    assert {(t.terms_zh or t.terms_en)[0].lower() for t in topics} == {a.lower() for a in aspects}


def test_the_draft_is_a_valid_taxonomy(tmp_path: Path) -> None:
    draft = draft_taxonomy(discover(_corpus(ZH, 200) + _corpus(EN, 200), k=7))
    f = tmp_path / "draft.yaml"
    f.write_text(draft, encoding="utf-8")
    cats = yaml.safe_load(draft)["categories"]
    assert len({c["id"] for c in cats}) == len(cats) == 7
    assert validate_taxonomy(None, f) == (f, [])


def test_too_few_texts_is_an_input_error() -> None:
    with pytest.raises(InputError, match="at least 20 texts"):
        discover(["房间很好"] * 5)


def test_cli_discover_writes_the_draft(tmp_path: Path) -> None:
    src = tmp_path / "reviews.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["review"], *([t] for t in _corpus(ZH, 120))])
    app = typer.Typer()
    register(app)
    out = CliRunner().invoke(
        app, ["text", "discover", str(src), "--column", "review", "--k", "4", "-o", str(tmp_path / "d.yaml")]
    )
    assert out.exit_code == 0, out.output
    assert "4 topics proposed from 120 texts" in out.stdout
    assert len(yaml.safe_load((tmp_path / "d.yaml").read_text("utf-8"))["categories"]) == 4
