"""The CLI: JSON shapes of every command, and bad input as exit code 2.

Run through Typer's CliRunner on an app with only these commands registered, and the
same error mapping as ``valueloop``'s entry point.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from valueloop.cli.actions import register
from valueloop.errors import ValueloopError
from valueloop.store.workspace import Workspace

app = typer.Typer()
register(app)


def run(ws: Workspace, *args: str | Path) -> tuple[int, Any]:
    """Exit code and parsed JSON (or the error text), as `valueloop ... --format json` gives them."""
    result = CliRunner().invoke(app, [*map(str, args), "-w", str(ws.root)], env={"VALUELOOP_USER": "tester"})
    if isinstance(result.exception, ValueloopError):
        return result.exception.exit_code, str(result.exception)
    assert result.exit_code == 0, result.output
    return 0, json.loads(result.stdout) if "json" in args else result.stdout


ACTION_KEYS = {
    "action_id", "title", "status", "status_label", "owner", "department", "due_date", "overdue", "days_overdue",
    "expected_effect", "cost", "verification", "description", "allowed_next", "links", "raci", "documents",
    "history", "comments", "handoffs", "created_by", "created_at", "updated_at",
}  # fmt: skip


def test_action_lifecycle_through_the_cli(ws: Workspace, tmp_path: Path) -> None:
    code, a = run(ws, "actions", "create", "--title", "缩短审批", "--owner", "王", "--department", "客服部",
                  "--collab", "财务部:R", "--link", "finding:F9", "--due", "2026-01-31", "--target-indicator", "frt",
                  "--target-direction", "decrease", "--target-value", "20", "--cost", "800", "-f", "json")  # fmt: skip
    assert code == 0 and set(a) == ACTION_KEYS and a["status"] == "proposed"
    aid = str(a["action_id"])
    for state in ("approved", "in_progress", "implemented", "verifying"):
        run(ws, "actions", "move", aid, state, "--reason", "next", "-f", "json")
    code, err = run(ws, "actions", "move", aid, "effective", "--reason", "better", "-f", "json")
    assert code == 2 and "--evidence FILE" in err
    evidence = tmp_path / "v.json"
    evidence.write_text(json.dumps({"verdict": "effective", "p_value": 0.01, "ci": [-5, -1], "method": "welch_t"}))
    code, a = run(ws, "actions", "move", aid, "effective", "-r", "A/B", "--evidence", evidence, "-f", "json")
    assert a["verification"]["verdict"] == "effective" and a["allowed_next"] == ["closed"]
    code, a = run(ws, "actions", "handoff", aid, "--from", "客服部", "--to", "财务部", "--what", "单据", "-f", "json")
    assert set(a["handoffs"][0]) == {"handoff_id", "action_id", "from", "to", "what", "sent_at", "accepted_at",
                                     "pending", "wait_hours"}  # fmt: skip
    code, a = run(ws, "actions", "accept", str(a["handoffs"][0]["handoff_id"]), "-f", "json")
    assert a["handoffs"][0]["pending"] is False
    code, a = run(ws, "actions", "comment", aid, "好", "-f", "json")
    assert a["comments"][0]["author"] == "tester"
    code, rows = run(ws, "actions", "list", "--department", "财务部", "-f", "json")
    assert [r["action_id"] for r in rows] == [int(aid)]
    code, esc = run(ws, "actions", "overdue", "-f", "json")
    assert set(esc) == {"as_of", "stall_hours", "overdue_actions", "stalled_handoffs", "boundaries"}


def test_overdue_and_waiver_in_the_cli(ws: Workspace) -> None:
    _, a = run(ws, "actions", "create", "--title", "t", "--owner", "o", "--department", "d", "--due", "2020-01-01",
               "-f", "json")  # fmt: skip
    _, esc = run(ws, "actions", "overdue", "-f", "json")
    assert [r["action_id"] for r in esc["overdue_actions"]] == [a["action_id"]]
    aid = str(a["action_id"])
    for state in ("approved", "in_progress", "implemented", "verifying"):
        run(ws, "actions", "move", aid, state, "-r", "next")
    _, a = run(ws, "actions", "move", aid, "effective", "-r", "x", "--waive", "无对照组", "-f", "json")
    assert a["status_label"] == "effective (waived)" and a["verification"]["waived"]


@pytest.mark.parametrize(
    "args",
    [
        ("actions", "show", "42"),
        ("actions", "create", "--title", "t", "--owner", "o", "--department", "d", "--link", "bogus:1"),
        ("actions", "create", "--title", "t", "--owner", "o", "--department", "d", "--collab", "x:Z"),
        ("actions", "create", "--title", "t", "--owner", "o", "--department", "d", "--due", "tomorrow"),
        ("vsm", "nope"),
        ("vsm", "service-request", "--period", "last month"),
        ("docs", "show", "nope"),
    ],
)
def test_bad_input_is_exit_code_2(ws: Workspace, args: tuple[str, ...]) -> None:
    assert run(ws, *args)[0] == 2


def test_docs_and_vsm_json(ws: Workspace, tmp_path: Path) -> None:
    f = tmp_path / "m.md"
    f.write_text("# 手册\n第一版\n", encoding="utf-8")
    _, d = run(
        ws, "docs", "add", "manual-1", f, "--title", "手册", "--kind", "manual", "--owner", "质量部", "-f", "json"
    )
    assert d["version"] == 1 and set(d) == {"doc_id", "version", "title", "kind", "effective_from", "owner", "sha256",
                                            "created_at"}  # fmt: skip
    f.write_text("# 手册\n第二版\n", encoding="utf-8")
    run(ws, "docs", "add", "manual-1", f, "--title", "手册", "--kind", "manual", "--owner", "质量部")
    _, diff = run(ws, "docs", "diff", "manual-1", "1", "-f", "json")
    assert "-第一版" in diff["diff"] and "+第二版" in diff["diff"]
    _, listed = run(ws, "docs", "list", "-f", "json")
    assert listed[0]["version"] == 2
    _, shown = run(ws, "docs", "show", "manual-1", "--version", "1", "-f", "json")
    assert shown["body"] == "# 手册\n第一版\n" and shown["actions"] == []
    _, vsm = run(ws, "vsm", "service-request", "-f", "json")  # an empty lake still gives a well-formed map
    assert set(vsm) == {"process", "period", "summary", "steps", "handoff_pairs", "chart"}
    assert vsm["summary"]["interactions"] == 0 and len(vsm["steps"]) == 6
