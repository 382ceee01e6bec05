"""docs/tutorials/reviews.md run as written: a two-column export, no ids and no dates, to sentiment,
topics and a model trained on its own labels — through the CLI, nothing invented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from valueloop.cli.main import app
from valueloop.store.lake import Lake
from valueloop.store.workspace import open_workspace

GOOD = (
    "The room was clean and the staff were friendly",
    "Great breakfast and a quiet room",
    "Lovely stay, helpful staff",
    "Excellent location and a comfortable bed",
    "Friendly and fast check-in",
)
BAD = (
    "Dirty bathroom and the refund never arrived",
    "Rude staff at check-in",
    "Noisy room and a broken shower",
    "The refund took weeks",
    "Slow service and a dirty carpet",
)


def _run(*args: str | Path) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _export(path: Path, header: str, good: str, bad: str) -> Path:
    rows = [f'{good},"{t} ({i})"' for i in range(5) for t in GOOD] + [
        f'{bad},"{t} ({i})"' for i in range(5) for t in BAD
    ]
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("header", "good", "bad", "fields", "extra", "train"),
    [
        ("label,review", "1", "0", {"text": "review"}, {"label": "integer"}, ["--from-labels", "label"]),
        ("stars,text", "5", "1", {"csat": "stars", "text": "text"}, None, ["--from-ratings"]),
    ],
    ids=["label_review", "stars_text"],
)
def test_the_reviews_tutorial(
    tmp_path: Path, header: str, good: str, bad: str, fields: dict[str, str], extra: dict[str, str] | None,
    train: list[str],
) -> None:  # fmt: skip
    export = _export(tmp_path / "reviews.csv", header, good, bad)
    column = header.split(",")[1]
    rows = json.loads(_run("text", "sentiment", export, "--column", column, "--format", "json"))
    assert len(rows) == 50
    _run("init", tmp_path / "hotel", "--template", "voice-of-customer")
    mapping = tmp_path / "hotel" / "mappings" / "reviews.yaml"
    _run("mappings", "suggest", export, "feedback", "--workspace", tmp_path / "hotel", "-o", mapping)
    proposal = yaml.safe_load(mapping.read_text(encoding="utf-8"))
    assert proposal["fields"] == fields and proposal.get("extra") == extra
    ingest = ("ingest", "feedback", export, "--mapping", mapping, "--workspace", tmp_path / "hotel", "--format", "json")
    first, again = json.loads(_run(*ingest)), json.loads(_run(*ingest))
    assert (first["stored"], first["quarantined"], first["content_key"]) == (50, 0, "feedback_id")
    assert (again["stored"], again["duplicates"]) == (0, 50)
    analysed = json.loads(_run("text", "analyze", "--workspace", tmp_path / "hotel", "--format", "json"))
    assert analysed["stored"] == 50
    ws = open_workspace(tmp_path / "hotel")
    stored = Lake(ws.lake_dir).read("feedback_text").to_pylist()
    assert {r["submitted_at"] for r in stored} == {None}
    assert any("refund" in (r["categories"] or "") for r in stored)
    trained = json.loads(
        _run("text", "train", *train, "--force", "--workspace", tmp_path / "hotel", "--format", "json")
    )
    assert (trained["rows"], trained["saved"]) == (50, True)
    result = CliRunner().invoke(app, ["text", "hotspots", "--workspace", str(tmp_path / "hotel")])
    assert result.exit_code == 0 and "needs dated feedback" in result.stderr
