"""Inclusion proofs check out with the standalone script, and fail when anything in them is changed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from valueloop.errors import InputError
from valueloop.store.ledger_proof import anchor, proof
from valueloop.store.workspace import Workspace

SCRIPT = Path(__file__).parents[2] / "docs" / "verify_ledger_proof.py"


def _check(tmp_path: Path, data: dict[str, Any], *root: str) -> subprocess.CompletedProcess[str]:
    file = tmp_path / "proof.json"
    file.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    args = [sys.executable, "-I", str(SCRIPT), str(file), *(("--root", root[0]) if root else ())]
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def test_every_record_has_a_proof_the_script_accepts(books: Workspace, tmp_path: Path) -> None:
    day = anchor(books).model_dump(mode="json")
    for seq in range(1, day["records"] + 1):
        p = proof(books, str(seq)).model_dump(mode="json")
        assert p["root"] == day["root"]
        result = _check(tmp_path, p, day["root"])
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith("ok")
    assert proof(books, p["hash"]).model_dump(mode="json") == p


@pytest.mark.parametrize("tamper", ["payload", "path", "root", "anchored root"])
def test_a_changed_proof_fails(books: Workspace, tmp_path: Path, tamper: str) -> None:
    p = proof(books, "2").model_dump(mode="json")
    if tamper == "payload":
        p["record"]["payload"]["state"]["results"]["B3"]["score"] = 4.9
    elif tamper == "path":
        p["path"][0]["hash"] = "00" * 32
    elif tamper == "root":
        p["root"] = "00" * 32
    result = _check(tmp_path, p, *(["11" * 32] if tamper == "anchored root" else []))
    assert result.returncode == 1
    assert "not" in result.stdout


def test_an_unknown_record_is_bad_input(books: Workspace) -> None:
    with pytest.raises(InputError):
        proof(books, "999")
