"""docs/tutorials/call-centre.md, run as written: every `valueloop` line of its bash blocks, in order.

Then the figures it promises are checked against the generated log itself, computed here
with the csv module: per call type the six indicators of ``call-types`` by hand.
"""

from __future__ import annotations

import csv
import json
import re
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).parents[2] / "docs" / "tutorials" / "call-centre.md"
VALUELOOP = Path(sys.executable).with_name("valueloop")

pytestmark = pytest.mark.slow


def _commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def _run(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    args = shlex.split(line)
    assert args[0] == "valueloop", line
    done = subprocess.run([str(VALUELOOP), *args[1:]], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


def _by_hand(log: Path) -> dict[str, dict[str, float]]:
    """The six call-type indicators of the tutorial's table, straight from the CSV."""
    with log.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out: dict[str, dict[str, float]] = {}
    for kind in sorted({r["type"] for r in rows}):
        calls = [r for r in rows if r["type"] == kind]
        queued = [r for r in calls if r["q_start"] != "0:00:00"]
        answered = [r for r in queued if r["outcome"] == "AGENT"]
        out[kind] = {
            "calls": len(calls),
            "queued": len(queued),
            "abandonment_rate": sum(r["outcome"] == "HANG" for r in queued) / len(queued),
            "median_wait_answered_s": statistics.median(int(r["q_time"]) for r in answered),
            "service_level_60s": sum(int(r["q_time"]) <= 60 for r in answered) / len(answered),
            "median_service_s": statistics.median(int(r["ser_time"]) for r in answered),
        }
    return out


def test_the_call_centre_tutorial_runs_as_written(tmp_path: Path) -> None:
    cwd, outputs = tmp_path, {}
    commands = _commands()
    assert any("evaluate --model agents" in c for c in commands), "the tutorial lost its agent step"
    for line in commands:
        if line.startswith("cd "):
            cwd = cwd / line.split(maxsplit=1)[1]
            continue
        outputs[line] = _run(line, cwd)
    report = json.loads(outputs["valueloop evaluate --model call-types --period 1999-08 --format json"].stdout)
    assert report["level"] == "field:type"
    truth = _by_hand(tmp_path / "august.csv")
    assert {r["entity_id"] for r in report["results"]} == set(truth)
    for result in report["results"]:
        got = {k: v["value"] for k, v in result["indicators"].items()}
        assert got == pytest.approx(truth[result["entity_id"]], rel=1e-9), result["entity_id"]
    assert (cwd / "review.html").stat().st_size > 10_000 and (cwd / "review.pdf").read_bytes()[:5] == b"%PDF-"
