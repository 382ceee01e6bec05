"""Starter taxonomies per industry: each loads, its examples tag their categories, texts of its industry
get its topics (Chinese and English), `text taxonomy list|show|validate|use` and `init --template INDUSTRY`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from valueloop.accounts.service.workspace import create_workspace
from valueloop.cli.text import register
from valueloop.errors import InputError
from valueloop.store.workspace import Workspace, open_workspace
from valueloop.voice.service import taxonomies as tx
from valueloop.voice.service.text import taxonomy_of
from valueloop.voice.taxonomy import SHIPPED, classify, example_misses, load_taxonomy, shipped, shipped_name

INDUSTRY_TEXTS = [
    ("banking", "信用卡被盗刷了，客服电话一直打不通", {"cards", "cards/fraud", "call_centre"}),
    ("banking", "手机银行总是闪退，登录不上", {"digital"}),
    ("banking", "The transfer never arrived and there were hidden fees", {"transfers", "fees"}),
    ("banking", "I was on hold for an hour and the agent was rude", {"call_centre", "call_centre/attitude"}),
    ("repair", "师傅上门迟到，修好没两天又坏了", {"technician", "repair_quality"}),
    ("repair", "配件缺货，寄修等了一个月", {"parts", "turnaround"}),
    ("repair", "They refused the warranty and overcharged me for labour", {"warranty", "charges"}),
    ("repair", "The technician never showed up for the appointment", {"technician", "booking"}),
    ("healthcare", "专家号挂不上，候诊等了三个小时", {"appointments", "waiting"}),
    ("healthcare", "医生没解释检查结果", {"doctors", "doctors/explanation", "tests"}),
    ("healthcare", "The nurse was kind but I got a surprise bill", {"nursing", "billing"}),
    ("healthcare", "The doctor misdiagnosed me and the receptionist was rude", {"doctors", "staff_attitude"}),
    ("hotel", "房间很大很干净，早餐品种丰富", {"rooms", "cleanliness", "breakfast"}),
]


@pytest.fixture(autouse=True)
def _no_workspace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VALUELOOP_WORKSPACE", raising=False)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_starter_loads_and_its_examples_get_their_category(name: str) -> None:
    cats = load_taxonomy(shipped(name))
    assert len(cats) >= 8 and all(c.name_zh and c.name_en for c in cats)
    assert example_misses(shipped(name)) == []


@pytest.mark.parametrize("name", ["banking", "repair", "healthcare"])
def test_new_starters_have_parents_negative_cues_and_examples(name: str) -> None:
    rows = tx.show_taxonomy(None, name)
    assert any(r.parent for r in rows)
    assert all(r.examples >= 2 for r in rows) and sum(bool(r.negative) for r in rows) >= len(rows) - 1


@pytest.mark.parametrize(("name", "text", "want"), INDUSTRY_TEXTS)
def test_industry_texts_get_industry_topics(name: str, text: str, want: set[str]) -> None:
    assert {t.category for t in classify(text, load_taxonomy(shipped(name)))} == want


@pytest.mark.parametrize(
    ("alias", "name"),
    [("hospitality", "hotel"), ("after-sales", "repair"), ("call-centre", "banking"), ("Healthcare", "healthcare"),
     ("ecommerce", "ecommerce"), ("airline", None)],
)  # fmt: skip
def test_aliases(alias: str, name: str | None) -> None:
    assert shipped_name(alias) == name


BROKEN = """\
categories:
  - id: rooms
    name: {zh: 房间, en: rooms}
    keywords: {zh: [房间], fr: [chambre]}
  - id: Bad Id
    keywords: {zh: [早餐]}
  - id: noise
    keywords: {zh: [噪音]}
    patterns: ['(unclosed']
"""
MISSED = """\
categories:
  - id: rooms
    name: {zh: 房间, en: rooms}
    keywords: {zh: [房间], en: [room]}
    examples: [房间很大, 早餐很好]
"""


def _cli(*args: str | Path) -> Any:
    app = typer.Typer()
    register(app)
    return CliRunner().invoke(app, ["text", *map(str, args)])


def test_validate_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "t.yaml"
    f.write_text(BROKEN, encoding="utf-8")
    file, problems = tx.validate_taxonomy(None, f)
    assert file == f and len(problems) == 3
    assert problems[0].startswith(f"{f}:4:") and "unknown language" in problems[0]
    assert any(p.startswith(f"{f}:5:") and "id" in p for p in problems)
    assert any(p.startswith(f"{f}:9:") and "regular expression" in p for p in problems)
    out = _cli("taxonomy", "validate", f)
    assert out.exit_code == 2 and f"{f}:4:" in out.output and "3 problem(s)" in out.output


def test_validate_checks_the_examples(tmp_path: Path) -> None:
    f = tmp_path / "t.yaml"
    f.write_text(MISSED, encoding="utf-8")
    _, problems = tx.validate_taxonomy(None, f)
    assert len(problems) == 1 and problems[0].startswith(f"{f}:5:") and "'早餐很好' is not tagged rooms" in problems[0]


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_validate_cli_accepts_every_starter(name: str) -> None:
    out = _cli("taxonomy", "validate", name)
    assert out.exit_code == 0 and "valid" in out.output


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    create_workspace(tmp_path / "ws")
    return open_workspace(tmp_path / "ws")


def test_use_copies_a_starter_and_every_command_then_uses_it(ws: Workspace) -> None:
    out = _cli("taxonomy", "use", "after-sales", "--workspace", ws.root, "--format", "json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["taxonomy"] == "repair"
    assert {c.id for c in taxonomy_of(ws)} == {c.id for c in load_taxonomy(shipped("repair"))}
    rows = tx.list_taxonomies(ws)
    assert [r.name for r in rows if r.in_use] == ["workspace"]
    with pytest.raises(InputError, match="exists"):
        tx.use_taxonomy(ws, "banking")
    with pytest.raises(InputError, match="unknown starter taxonomy 'airline'"):
        tx.use_taxonomy(ws, "airline", force=True)


def test_init_with_an_industry_template_installs_its_taxonomy(tmp_path: Path) -> None:
    from valueloop.cli.main import app

    out = CliRunner().invoke(app, ["init", str(tmp_path / "h"), "--template", "hospitality", "--format", "json"])
    assert out.exit_code == 0, out.output
    ws = open_workspace(tmp_path / "h")
    tags = {t.category for t in classify("打不开房间，前台态度差", taxonomy_of(ws))}
    assert tags == {"rooms", "front_desk"}  # the front desk's manner is the front desk's
    assert ws.settings.workspace.template == "three-dimension"


@pytest.mark.parametrize(
    ("args", "want"),
    [(["--taxonomy", "banking"], "banking"), (["--template", "after-sales"], "repair"), ([], None)],
)
def test_init_installs_the_starter_asked_for(tmp_path: Path, args: list[str], want: str | None) -> None:
    from valueloop.cli.main import app

    out = CliRunner().invoke(app, ["init", str(tmp_path / "w"), *args, "--format", "json"])
    assert out.exit_code == 0, out.output
    own = tmp_path / "w" / "taxonomy.yaml"
    assert own.is_file() == (want is not None)
    if want:
        assert own.read_text("utf-8") == shipped(want).read_text("utf-8")


def test_init_with_an_unknown_taxonomy_creates_nothing(tmp_path: Path) -> None:
    from valueloop.cli.main import app

    out = CliRunner().invoke(app, ["init", str(tmp_path / "w"), "--taxonomy", "airline"])
    assert out.exit_code == 2 and "unknown starter taxonomy 'airline'" in out.output
    assert not (tmp_path / "w").exists()
