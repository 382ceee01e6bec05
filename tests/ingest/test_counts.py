"""``read == stored + duplicates + quarantined`` for every call, whatever list of files it is given.

Files given twice, and distinct files that share a name (two uploads called ``data.csv``),
once made quarantined rows of one copy overwrite the other's, so the counts stopped adding up.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ingest_csv import HEADER, reconciles
from typer.testing import CliRunner

from conftest import CliRun, write
from valueloop.accounts.service.workspace import create_workspace
from valueloop.cli.ingest import register
from valueloop.ingest.service.ingest import distinct_files, ingest
from valueloop.store.workspace import Workspace, open_workspace

GOOD = "{id},B1,2026-01-05 09:00:00,,,,\n"
BAD = "{id},B1,not a time,,,,\n"


def test_the_same_file_twice_still_reconciles(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "i.csv", HEADER + GOOD.format(id="I1") + BAD.format(id="I2"))
    s = ingest(ws, "interactions", [f, f])
    assert (s.read, s.stored, s.duplicates, s.quarantined) == (4, 1, 1, 2)
    assert reconciles(s)


def test_distinct_files_sharing_a_name_reconcile(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    a = write(tmp_path / "a" / "data.csv", HEADER + BAD.format(id="I1"))
    b = write(tmp_path / "b" / "data.csv", HEADER + BAD.format(id="I3") + GOOD.format(id="I2"))
    s = ingest(ws, "interactions", [a, b], names=["data.csv", "data.csv"])
    assert (s.read, s.stored, s.quarantined) == (3, 1, 2)
    assert [(e.file, e.row) for e in s.errors] == [("data.csv", 1), ("data.csv", 1)]


def test_distinct_files_drops_repeats_however_spelled(tmp_path: Path) -> None:
    f = write(tmp_path / "i.csv", HEADER)
    g = write(tmp_path / "j.csv", HEADER)
    kept, repeats = distinct_files([f, g, tmp_path / "." / "i.csv", f])
    assert kept == [f, g] and repeats == [tmp_path / "." / "i.csv", f]


def test_cli_reads_a_repeated_file_once_and_says_so(ws: Workspace, tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    f = write(tmp_path / "i.csv", HEADER + GOOD.format(id="I1") + BAD.format(id="I2"))
    args = ["ingest", "interactions", str(f), str(f), "-w", str(ws.root), "-f", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "the same file is given more than once; it is read once" in result.stderr
    s = json.loads(result.stdout)
    assert (s["read"], s["stored"], s["quarantined"], s["files"]) == (2, 1, 1, [str(f)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    contents=st.lists(st.lists(st.sampled_from(["good", "bad", "repeat"]), max_size=6), min_size=1, max_size=3),
    picks=st.lists(st.integers(0, 2), min_size=1, max_size=5),
    same_names=st.booleans(),
)
def test_counts_reconcile_over_many_calls(contents: list[list[str]], picks: list[int], same_names: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        create_workspace(root / "ws")
        ws = open_workspace(root / "ws")
        paths = [_file(root / f"f{i}.csv", rows, i) for i, rows in enumerate(contents)]
        files = [paths[p % len(paths)] for p in picks]
        names = ["data.csv"] * len(files) if same_names else None
        for _ in range(2):  # the second call meets the first call's rows in the lake
            s = ingest(ws, "interactions", files, names=names)
            assert s.read == sum(len(contents[p % len(paths)]) for p in picks)
            assert s.read == s.stored + s.duplicates + s.quarantined, s
            assert s.quarantined >= sum(contents[p % len(paths)].count("bad") for p in picks)


def _file(path: Path, rows: list[str], number: int) -> Path:
    """Good rows have ids unique to the file; a "repeat" row repeats id R with this file's own content."""
    lines = [
        GOOD.format(id=f"I{number}-{i}") if kind == "good" else
        BAD.format(id=f"X{number}-{i}") if kind == "bad" else
        f"R,B{number},2026-01-05 09:00:00,,,,\n"
        for i, kind in enumerate(rows)
    ]  # fmt: skip
    return write(path, HEADER + "".join(lines))


def test_cli_in_a_pipe_writes_no_progress_line(ws: Workspace, tmp_path: Path, cli: CliRun) -> None:
    """stderr holds only what a person must read (a blank progress line was left in logs and pipes)."""
    f = write(tmp_path / "i.csv", HEADER + GOOD.format(id="I1"))
    result = cli("ingest", "interactions", f, "-w", ws.root, "-f", "json", check=True)
    assert result.stderr == "" and json.loads(result.stdout)["stored"] == 1
