"""Taxonomies users own: --taxonomy on tags / analyze / hotspots / train-taxonomy, a workspace
taxonomy.yaml used by default, the shipped hotel taxonomy, and file:line errors for a bad file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from valueloop.accounts.service.workspace import create_workspace
from valueloop.cli.text import register
from valueloop.store.workspace import Workspace, open_workspace
from valueloop.voice.service import text as ft
from valueloop.voice.taxonomy import classify, load_taxonomy, shipped

HOTEL_REVIEWS = [
    ("隔音太差，晚上很吵，前台办理入住等了半小时", {"noise", "front_desk", "check_in"}),
    ("房间很干净，早餐品种丰富，离地铁近", {"cleanliness", "breakfast", "location"}),  # a clean room: cleanliness
    ("房间很大，早餐品种丰富", {"rooms", "breakfast"}),
    ("卫生间有头发，性价比太低", {"cleanliness", "price"}),  # hairs in the bathroom: cleanliness
    ("卫生间太小，性价比太低", {"rooms", "price"}),
    ("The room was spotless and the breakfast buffet was great", {"cleanliness", "breakfast"}),
    ("The room was tiny and the breakfast buffet was great", {"rooms", "breakfast"}),
    ("Front desk staff were rude, noisy at night and overpriced", {"front_desk", "noise", "price"}),  # their manner
    ("Staff were rude, noisy at night and overpriced", {"service", "noise", "price"}),
]
OWN = """\
categories:
  - id: rooms
    name: {zh: 房间, en: rooms}
    keywords: {zh: [房间], en: [room]}
  - id: breakfast
    name: {zh: 早餐, en: breakfast}
    keywords: {zh: [早餐], en: [breakfast]}
"""


@pytest.fixture(autouse=True)
def _no_workspace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VALUELOOP_WORKSPACE", raising=False)


def _cli(*args: str | Path) -> Any:
    app = typer.Typer()
    register(app)
    return CliRunner().invoke(app, ["text", *map(str, args)])


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    create_workspace(tmp_path / "hotel")
    return open_workspace(tmp_path / "hotel")


@pytest.mark.parametrize(("text", "want"), HOTEL_REVIEWS)
def test_the_shipped_hotel_taxonomy_tags_hotel_aspects(text: str, want: set[str]) -> None:
    assert {t.category for t in classify(text, load_taxonomy(shipped("hotel")))} == want


def test_hotel_taxonomy_avoids_the_known_false_friends() -> None:
    hotel = load_taxonomy(shipped("hotel"))
    assert "cleanliness" not in {t.category for t in classify("卫生间很大", hotel)}  # 卫生间 is a room, not hygiene
    assert "price" not in {t.category for t in classify("贵宾楼层", hotel)}
    assert "check_in" not in {t.category for t in classify("这次入住很满意", hotel)}


def test_tags_take_a_shipped_taxonomy_by_name(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("text\n早餐很难吃，隔音差\n", encoding="utf-8")
    result = _cli("tags", tmp_path / "t.csv", "--taxonomy", "hotel", "-f", "json")
    assert result.exit_code == 0, result.output
    assert {c["category"] for c in json.loads(result.stdout)[0]["categories"]} == {"breakfast", "noise"}


def test_the_workspace_taxonomy_is_the_default_for_tags(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("text\n房间很小，退款到账慢\n", encoding="utf-8")
    before = _cli("tags", tmp_path / "t.csv", "--workspace", ws.root, "-f", "json")
    assert "refund" in {c["category"] for c in json.loads(before.stdout)[0]["categories"]}
    (ws.root / "taxonomy.yaml").write_text(OWN, encoding="utf-8")
    after = _cli("tags", tmp_path / "t.csv", "--workspace", ws.root, "-f", "json")
    assert after.exit_code == 0, after.output
    assert {c["category"] for c in json.loads(after.stdout)[0]["categories"]} == {"rooms"}


def test_a_bad_taxonomy_names_file_and_line_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "tax.yaml"
    bad.write_text(OWN + "  - id: Noise\n    keywords: {zh: [吵]}\n  - id: wifi\n    patterns: ['(']\n", "utf-8")
    (tmp_path / "t.csv").write_text("text\n很吵\n", encoding="utf-8")
    result = _cli("tags", tmp_path / "t.csv", "--taxonomy", bad)
    err = result.exception
    assert getattr(err, "exit_code", None) == 2, result.output
    assert re.search(rf"{re.escape(str(bad))}:8: categories\[2\]\.id", str(err))
    assert re.search(rf"{re.escape(str(bad))}:11: categories\[3\]\.patterns\[0\]: bad regular expression", str(err))


def test_a_missing_taxonomy_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("text\n很吵\n", encoding="utf-8")
    result = _cli("tags", tmp_path / "t.csv", "--taxonomy", tmp_path / "nope.yaml")
    assert getattr(result.exception, "exit_code", None) == 2
    assert "no such taxonomy file" in str(result.exception) and "hotel" in str(result.exception)


def test_train_taxonomy_learns_the_workspace_categories(ws: Workspace, tmp_path: Path) -> None:
    (ws.root / "taxonomy.yaml").write_text(OWN, encoding="utf-8")
    rows = [(f"房间第{i}号很大", "rooms") for i in range(20)] + [(f"早餐第{i}天很好", "breakfast") for i in range(20)]
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("text,category\n" + "".join(f"{t},{c}\n" for t, c in rows), encoding="utf-8")
    report = ft.train_taxonomy(ws, labelled)
    assert {r.category for r in report.categories} == {"rooms", "breakfast"}
    result = _cli("train-taxonomy", labelled, "--workspace", ws.root, "--taxonomy", "ecommerce")
    assert getattr(result.exception, "exit_code", None) == 2  # hotel labels are unknown to the e-commerce taxonomy
    assert "unknown category 'rooms'" in str(result.exception)


def test_analyze_and_hotspots_use_the_workspace_taxonomy(ws: Workspace, tmp_path: Path) -> None:
    from valueloop.ingest.service.ingest import ingest

    csv = tmp_path / "fb.csv"
    csv.write_text(
        "feedback_id,submitted_at,entity_id,kind,text\n"
        "H-1,2026-10-20 10:00:00,B001,complaint,房间太小了\n"
        "H-2,2026-10-21 10:00:00,B001,survey,早餐很好吃\n",
        encoding="utf-8",
    )
    assert ingest(ws, "feedback", [csv]).stored == 2
    (ws.root / "taxonomy.yaml").write_text(OWN, encoding="utf-8")
    report = ft.analyze_feedback(ws)
    assert report.analysed == 2 and "+taxonomy:" in report.model
    hot = ft.hotspots(ws)
    assert {r.item for r in hot.category.table} == {"rooms", "breakfast"}
    shipped_hot = ft.hotspots(ws, taxonomy="hotel")  # an explicit taxonomy re-classifies every text
    assert {r.item for r in shipped_hot.category.table} == {"rooms", "breakfast"}
    result = _cli("hotspots", "--workspace", ws.root, "--taxonomy", "ecommerce", "-f", "json")
    assert result.exit_code == 0, result.output
    assert not {r["item"] for r in json.loads(result.stdout)["category"]["table"]} & {"rooms", "breakfast"}
