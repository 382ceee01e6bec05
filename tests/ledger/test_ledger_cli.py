"""``valueloop ledger verify|proof|anchor``: the JSON contract and the exit codes."""

from __future__ import annotations

import json
import subprocess

import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from conftest import VALUELOOP
from valueloop.cli import ledger as ledger_cli
from valueloop.store import appdb
from valueloop.store.workspace import Workspace


def _app() -> typer.Typer:
    app = typer.Typer()
    ledger_cli.register(app)

    @app.callback()
    def _root() -> None:
        """Test harness."""

    return app


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(_app(), ["ledger", *args])
    return result.exit_code, result.stdout


def test_verify_json_contract_and_exit_codes(books: Workspace) -> None:
    code, out = _run("verify", "--workspace", str(books.root), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report == {"ok": True, "records": report["records"], "problems": [], "not_covered": []}
    with appdb.engine(books.database_url).begin() as conn:
        conn.execute(sa.text("UPDATE actions SET status = 'closed' WHERE action_id = 2"))
    code, out = _run("verify", "--workspace", str(books.root), "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    assert report["problems"] == [
        {"record": "action/2", "kind": "unrecorded_change", "detail": report["problems"][0]["detail"]}
    ]


def test_proof_and_anchor(books: Workspace, tmp_path: object) -> None:
    code, out = _run("anchor", "--workspace", str(books.root), "--format", "json")
    root = json.loads(out)
    assert code == 0 and set(root) == {"day", "root", "records", "seq", "head"}
    code, out = _run("proof", "1", "--workspace", str(books.root))
    assert code == 0 and json.loads(out)["root"] == root["root"]


def test_verify_with_an_anchor_file(books: Workspace) -> None:
    _, out = _run("anchor", "--workspace", str(books.root), "--format", "json")
    file = books.root / "anchor.json"
    file.write_text(out, encoding="utf-8")
    code, _ = _run("verify", "--workspace", str(books.root), "--anchor", str(file))
    assert code == 0


def test_the_installed_command(books: Workspace) -> None:
    result = subprocess.run(
        [str(VALUELOOP), "ledger", "verify", "--workspace", str(books.root), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and json.loads(result.stdout)["ok"] is True
