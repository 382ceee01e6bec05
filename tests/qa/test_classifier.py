"""The ``classifier`` check: trained on hand-made labelled turns, measured on held-out turns, used at score time."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
import typer
from pydantic import TypeAdapter
from typer.testing import CliRunner

from conftest import write
from qa.helpers import by_words, conv
from valueloop.cli.qa import register
from valueloop.errors import InputError, SpecError
from valueloop.ingest.service.ingest import ingest
from valueloop.qa.checks import Context, run_check
from valueloop.qa.rubric import Check, ClassifierCheck, Position
from valueloop.qa.rubric_loader import load_rubric
from valueloop.qa.service.classifier import load_classifiers, read_labels, train_item
from valueloop.qa.service.score import score_workspace
from valueloop.qa.service.show import conversation_view
from valueloop.store.workspace import Workspace

EMPATHY = ["非常理解您的心情", "给您带来不便真的很抱歉", "我能体会您着急的感受", "辛苦您了，实在抱歉",
           "I completely understand how frustrating this is", "I am so sorry for the trouble"]  # fmt: skip
NEUTRAL = ["您好，请问有什么可以帮您", "请提供您的订单号", "系统显示已经发货", "请稍等我查询一下",
           "Your balance is five hundred yuan", "Please give me the order number"]  # fmt: skip
TOPICS = ["关于退款", "关于快递", "关于账单", "关于积分", "about the refund", "about the parcel", "about the bill"]

RUBRIC = """\
id: care
name: {zh: 关怀, en: Care}
pass_score: 50
sections:
  - id: s
    name: {zh: 服务, en: Service}
    weight: 1
    items:
      - id: greet
        name: {zh: 问候, en: Greeting}
        weight: 1
        check: {kind: phrase, phrases: [您好]}
      - id: empathy
        name: {zh: 共情, en: Empathy}
        weight: 1
        check: {kind: classifier, speaker: agent}
"""


def labelled() -> list[tuple[str, int]]:
    """42 empathic and 42 neutral agent turns: each phrase with each topic, in a fixed order."""
    rows = [(f"{topic}，{p}", 1) for p in EMPATHY for topic in TOPICS]
    rows += [(f"{topic}，{p}", 0) for p in NEUTRAL for topic in TOPICS]
    return rows


def _labels_file(tmp_path: Path) -> Path:
    lines = ["text,label,item"] + [f"{t},{'yes' if y else 'no'},empathy" for t, y in labelled()]
    lines.append("another item's row,maybe,greet")  # skipped: not this item's
    return write(tmp_path / "labels.csv", "\n".join(lines) + "\n")


@pytest.fixture
def rubric_ws(ws: Workspace) -> Workspace:
    (ws.root / "qa").mkdir(exist_ok=True)
    (ws.root / "qa" / "care.yaml").write_text(RUBRIC, encoding="utf-8")
    return ws


def test_a_classifier_check_without_model_uses_the_item_id(tmp_path: Path) -> None:
    rubric = load_rubric(write(tmp_path / "care.yaml", RUBRIC))
    assert rubric.items[1].check == ClassifierCheck(kind="classifier", model="empathy")
    item = TypeAdapter(Check).validate_python({"kind": "classifier", "model": "m1", "position": {"last": 2}})
    assert isinstance(item, ClassifierCheck) and item.model == "m1" and item.position.last == 2
    bad = RUBRIC.replace("speaker: agent}", "speaker: agent, threshold: 1.5, position: {first: 1, last: 1}}")
    with pytest.raises(SpecError) as err:
        load_rubric(write(tmp_path / "bad.yaml", bad))
    assert "bad.yaml:16: sections[0].items[1].check.classifier.threshold" in str(err.value)


def test_the_most_probable_turn_of_the_speaker_decides_and_is_the_evidence() -> None:
    c = conv(("agent", "您好"), ("customer", "真抱歉打扰"), ("agent", "非常理解您"), ("agent", "再见"))

    def model(texts: Sequence[str]) -> list[float]:
        return [0.9 if "理解" in t else 0.6 if "抱歉" in t else 0.1 for t in texts]

    ctx = Context({}, by_words, classifiers={"empathy": model})
    check = ClassifierCheck(kind="classifier", model="empathy")
    out = run_check(check, c, ctx)
    assert out.result == "pass" and out.evidence[0].turn == 2 and out.evidence[0].text == "非常理解您"
    assert out.margin == pytest.approx((0.9 - 0.5) / 0.5)
    forbidden = run_check(check.model_copy(update={"present": False}), c, ctx)
    assert forbidden.result == "fail" and forbidden.evidence[0].turn == 2
    first_only = run_check(check.model_copy(update={"position": Position(first=1)}), c, ctx)
    assert first_only.result == "fail" and first_only.evidence[0].turn == 0  # the customer's 0.6 is not the agent's
    assert run_check(check, c, Context({}, by_words)).result == "na"  # no model given: not scored


def test_training_reports_held_out_precision_and_is_deterministic(rubric_ws: Workspace, tmp_path: Path) -> None:
    labels = _labels_file(tmp_path)
    first = train_item(rubric_ws, "care", "empathy", labels)
    assert (first.turns, first.positive, first.held_out) == (84, 42, 17)
    assert first.precision is not None and first.precision >= 0.9
    assert first.recall is not None and first.recall >= 0.8
    assert Path(first.file) == rubric_ws.root / "qa" / "models" / "care" / "empathy.npz"
    model = load_classifiers(rubric_ws, load_rubric(rubric_ws.root / "qa" / "care.yaml"))["empathy"]
    unseen = ["关于发票，真的很抱歉让您久等", "关于发票，请提供您的订单号"]
    p = model(unseen)
    assert p[0] > 0.5 > p[1]
    again = train_item(rubric_ws, "care", "empathy", labels)
    assert again == first
    assert load_classifiers(rubric_ws, load_rubric(rubric_ws.root / "qa" / "care.yaml"))["empathy"](unseen) == p


def test_scoring_uses_the_trained_model_and_names_the_missing_one(rubric_ws: Workspace, tmp_path: Path) -> None:
    turns = {"C1": ["您好", "关于换货，非常理解您的心情"], "C2": ["您好", "关于换货，请提供您的订单号"]}
    rows = [
        {"conversation_id": cid, "agent_id": "A1", "entity_id": "T1", "started_at": "2026-03-02T09:00:00",
         "turns": [{"speaker": "agent", "text": t} for t in texts]}
        for cid, texts in turns.items()
    ]  # fmt: skip
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
    ingest(rubric_ws, "conversations", [write(tmp_path / "c.jsonl", lines)])
    with pytest.raises(SpecError, match=r"no trained model .*qa train-item care empathy --labels"):
        score_workspace(rubric_ws, "care", by_words)
    train_item(rubric_ws, "care", "empathy", _labels_file(tmp_path))
    assert score_workspace(rubric_ws, "care", by_words).stored == 2
    good, bad = (conversation_view(rubric_ws, cid, "care") for cid in ("C1", "C2"))
    assert [i.result for i in good.items] == ["pass", "pass"] and good.score == 100.0
    assert [i.result for i in bad.items] == ["pass", "fail"] and bad.score == 50.0
    assert good.items[1].evidence == [{"turn": 1, "start": 0, "end": 13, "text": "关于换货，非常理解您的心情"}]


def test_bad_label_rows_are_all_reported_with_file_and_line(tmp_path: Path) -> None:
    csv_file = write(tmp_path / "l.csv", "text,label\nok,1\n,1\nfine,maybe\n")
    with pytest.raises(InputError) as err:
        read_labels(csv_file, "empathy")
    assert f"{csv_file}:3: no text" in str(err.value) and f"{csv_file}:4: label 'maybe'" in str(err.value)
    jsonl = write(tmp_path / "l.jsonl", '{"text": "a", "label": 1}\n{"text": "b", "label"\n[1]\n')
    with pytest.raises(InputError) as err:
        read_labels(jsonl, "empathy")
    assert f"{jsonl}:2: not JSON" in str(err.value) and f"{jsonl}:3: not a JSON object" in str(err.value)
    with pytest.raises(InputError, match="missing column"):
        read_labels(write(tmp_path / "m.csv", "turn,label\nx,1\n"), "empathy")


def test_only_a_classifier_item_can_be_trained(rubric_ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="phrase check, not a classifier"):
        train_item(rubric_ws, "care", "greet", _labels_file(tmp_path))
    with pytest.raises(InputError, match="no item 'nope'"):
        train_item(rubric_ws, "care", "nope", _labels_file(tmp_path))


def test_cli_train_item_prints_the_held_out_figures(rubric_ws: Workspace, tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    args = ["qa", "train-item", "care", "empathy", "--labels", str(_labels_file(tmp_path))]
    result = CliRunner().invoke(app, [*args, "--workspace", str(rubric_ws.root), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["item"], out["model"], out["turns"]) == ("empathy", "empathy", 84) and out["precision"] >= 0.9
