"""Scorecard disputes, award case write-ups and training records for unknown people."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import CliRun
from valueloop.accounts.service.workspace import create_workspace
from valueloop.cli.main import app
from valueloop.demo.generate import generate
from valueloop.errors import InputError, ValueloopError
from valueloop.ingest.service.ingest import ingest
from valueloop.people import disputes as dp
from valueloop.people.records import load
from valueloop.people.service import records as pr
from valueloop.people.service.audits import scorecards
from valueloop.people.service.performance import benchmark_awards, course_effect
from valueloop.store.workspace import Workspace, open_workspace


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str | Path, check: bool = False) -> Ran:
    """``valueloop ARGS`` in this process (a subprocess costs seconds of imports), errors mapped as in ``main``."""
    r = CliRunner().invoke(app, [str(a) for a in args])
    err = r.stderr
    code = r.exit_code
    if isinstance(r.exception, ValueloopError):
        code, err = r.exception.exit_code, err + f"error: {r.exception}"
    elif r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    if check and code != 0:
        raise AssertionError(f"valueloop {args} failed ({code}): {err}")
    return Ran(code, r.stdout, err)


def test_rescore_renormalises_within_and_across_dimensions() -> None:
    weights = {"a": 0.25, "b": 0.25, "c": 0.5}
    dims = {"a": "D1", "b": "D1", "c": "D2"}
    scores = {"a": 100.0, "b": 0.0, "c": 50.0}
    assert dp.rescore(scores, weights, dims, set()) == pytest.approx(50.0)
    assert dp.rescore(scores, weights, dims, {"b"}) == pytest.approx(0.5 * 100 + 0.5 * 50)
    assert dp.rescore(scores, weights, dims, {"c"}) == pytest.approx(50.0)
    assert dp.rescore(scores, weights, dims, {"a", "b", "c"}) is None
    assert dp.rescore({"a": None, "b": 0.0, "c": 50.0}, weights, dims, {"b"}) == pytest.approx(50.0)


def test_dispute_lifecycle_keeps_who_when_why() -> None:
    recs: list[dict[str, object]] = []
    d = dp.open_dispute(recs, agent="A1", period="2026-10", indicator="csat", reason="system outage", by="ann")
    assert d["dispute_id"] == "D0001" and d["status"] == "open"
    with pytest.raises(ValueError, match="month"):
        dp.open_dispute(recs, agent="A1", period="2026-13", indicator="csat", reason="x", by="ann")
    with pytest.raises(ValueError, match="reason"):
        dp.open_dispute(recs, agent="A1", period="2026-10", indicator="csat", reason=" ", by="ann")
    with pytest.raises(ValueError, match="decision"):
        dp.resolve_dispute(recs, "D0001", decision="maybe", note="n", by="bob")
    r = dp.resolve_dispute(recs, "D0001", decision="upheld", note="outage confirmed", by="bob")
    assert (r["resolved_by"], r["decision"], r["note"]) == ("bob", "upheld", "outage confirmed")
    assert [h["action"] for h in r["history"]] == ["opened", "upheld"]  # type: ignore[union-attr]
    assert all(h["at"] and h["by"] for h in r["history"])  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="already resolved upheld by bob"):
        dp.resolve_dispute(recs, "D0001", decision="rejected", note="n", by="eve")
    with pytest.raises(KeyError, match="D0009"):
        dp.resolve_dispute(recs, "D0009", decision="rejected", note="n", by="eve")
    assert set(dp.upheld(recs, "2026-10")) == {"A1"} and not dp.upheld(recs, "2026-09")


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("records")
    paths = generate(root / "src", entities=40, interactions=5_000, seed=11)
    create_workspace(root / "ws")
    w = open_workspace(root / "ws")
    for name in ("entities", "customers", "interactions", "feedback", "staff", "training"):
        ingest(w, name, [paths[name]])
    return w


def test_upheld_dispute_excludes_the_indicator_from_that_scorecard(ws: Workspace, cli: CliRun) -> None:
    before = scorecards(ws, export=False).model_dump(mode="json")
    period = before["period"]
    card = next(c for c in before["scorecards"] if c["score"] is not None)
    agent, indicator = card["agent_id"], before["indicators"][0]
    w = ("--workspace", ws.root, "--format", "json")
    opened = json.loads(
        run("people", "dispute", "open", "--agent", agent, "--period", period, "--indicator", indicator,
            "--reason", "queue outage that day", "--by", "ann", *w, check=True).stdout
    )  # fmt: skip
    did = opened["dispute_id"]
    bad = cli("people", "dispute", "open", "--agent", agent, "--period", period, "--indicator", "nope",
              "--reason", "x", "--workspace", ws.root)  # fmt: skip
    assert bad.returncode == 2 and "nope" in bad.stderr and indicator in bad.stderr
    same = scorecards(ws, export=False).model_dump(mode="json")
    assert same["scorecards"] == before["scorecards"], "an open dispute changes nothing"
    listed = json.loads(run("people", "dispute", "list", "--status", "open", *w, check=True).stdout)
    assert [d["dispute_id"] for d in listed] == [did]
    done = json.loads(
        run("people", "dispute", "resolve", did, "--decision", "upheld", "--note", "outage confirmed",
            "--by", "bob", *w, check=True).stdout
    )  # fmt: skip
    assert done["status"] == "upheld" and done["resolved_by"] == "bob" and done["opened_by"] == "ann"
    again = run("people", "dispute", "resolve", did, "--decision", "rejected", "--note", "x", "--workspace", ws.root)
    assert again.returncode == 2 and "already resolved" in again.stderr
    after = json.loads(run("people", "scorecards", "--period", period, *w, check=True).stdout)
    mine = next(c for c in after["scorecards"] if c["agent_id"] == agent)
    assert mine["excluded"] == [indicator] and mine["disputes"] == [did]
    assert all(c["excluded"] == [] for c in after["scorecards"] if c["agent_id"] != agent)
    others = {c["agent_id"]: c["score"] for c in after["scorecards"] if c["agent_id"] != agent}
    assert others == {c["agent_id"]: c["score"] for c in before["scorecards"] if c["agent_id"] != agent}
    ranks = [c["rank"] for c in after["scorecards"] if c["rank"] is not None]
    assert ranks == sorted(ranks)
    rest = {k for k, v in card["indicators"].items() if k != indicator and v is not None}
    if rest:
        assert mine["score"] is not None
    table = run("people", "scorecards", "--period", period, "--workspace", ws.root, check=True).stdout
    assert "excluded" in table and indicator in table
    assert len(load(ws.root / "people" / "disputes.json")) == 1


def test_case_is_kept_and_linked_from_awards(ws: Workspace, cli: CliRun, tmp_path: Path) -> None:
    doc = benchmark_awards(ws, period=None).model_dump(mode="json")
    agent = doc["winners"][0]["agent_id"] if doc["winners"] else "AGENT-X"
    md = tmp_path / "case.md"
    md.write_text("# Calm under pressure\n\nTurned a complaint into a renewal.\n", encoding="utf-8")
    w = ("--workspace", ws.root, "--format", "json")
    rec = json.loads(
        run("people", "case", "add", "--agent", agent, "--period", doc["period"], "--title", "Calm", md, "--by",
            "ann", *w, check=True).stdout
    )  # fmt: skip
    assert rec["case_id"] == "C0001" and rec["added_by"] == "ann"
    shown = json.loads(run("people", "case", "show", "C0001", *w, check=True).stdout)
    assert shown["text"].startswith("# Calm under pressure") and Path(shown["path"]).is_file()
    assert "Turned a complaint" in run("people", "case", "show", "C0001", "--workspace", ws.root, check=True).stdout
    missing = run("people", "case", "show", "C0042", "--workspace", ws.root)
    assert missing.returncode == 2 and "C0042" in missing.stderr
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    r = run("people", "case", "add", "--agent", agent, "--period", doc["period"], "--title", "x", empty,
            "--workspace", ws.root)  # fmt: skip
    assert r.returncode == 2 and "empty" in r.stderr
    if doc["winners"]:
        awarded = json.loads(run("people", "awards", *w, check=True).stdout)
        cases = {x["agent_id"]: x["case"] for x in awarded["winners"]}
        assert cases[agent] == "C0001" and all(v is None for k, v in cases.items() if k != agent)
    assert pr.case_of(ws, agent, doc["period"]) == "C0001"


def test_training_for_unknown_person_is_named(tmp_path: Path, ws: Workspace, cli: CliRun) -> None:
    ok = run("people", "check-training", "--workspace", ws.root, "--format", "json")
    assert ok.returncode == 0 and json.loads(ok.stdout) == []
    root = tmp_path / "ws2"
    create_workspace(root)
    w2 = open_workspace(root)
    staff = pd.DataFrame({"staff_id": ["S1", "S2"], "name": ["a", "b"], "role": ["agent", "agent"]})
    staff.to_csv(tmp_path / "staff.csv", index=False)
    training = pd.DataFrame(
        {
            "staff_id": ["S1", "GHOST", "S2"],
            "course_id": ["C1", "C1", "C2"],
            "tier": ["basic"] * 3,
            "mode": ["online"] * 3,
            "enrolled_at": ["2026-01-05T09:00:00+08:00"] * 3,
            "completed_at": ["2026-01-20T09:00:00+08:00"] * 3,
        }
    )
    training.to_csv(tmp_path / "training.csv", index=False)
    ingest(w2, "staff", [tmp_path / "staff.csv"])
    ingest(w2, "training", [tmp_path / "training.csv"])
    [p] = pr.check_training(w2)
    assert p.staff_id == "GHOST" and p.record.startswith("GHOST/C1/") and (p.row or 0) >= 1
    assert p.batch_id and "training.csv" in (p.source or "") and "GHOST" in p.message
    r = run("people", "check-training", "--workspace", root)
    assert r.returncode == 1 and "GHOST/C1/" in r.stderr and "training.csv" in r.stderr
    with pytest.raises(InputError, match=r"(?s)course 'C1': 1 training record\(s\) for unknown people.*GHOST/C1/"):
        course_effect(w2, course="C1", indicator="csat")
    e = cli("people", "training-effect", "--course", "C1", "--workspace", root)
    assert e.returncode == 2 and "GHOST" in e.stderr
