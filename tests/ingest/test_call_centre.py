"""A call-centre log from nothing to the lake, as a user does it: generate → init → ingest.

The generator knows every call's true times; after the CLI ingests the file through the
template's mapping, every stored value must equal that truth (times as instants, durations
in seconds, ``0:00:00`` as missing rather than midnight, calls crossing midnight on the next
day), and the counts must reconcile.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from valueloop.demo.call_log import HEADER, NO_SERVER, NO_TIME, Call, simulate, write_call_log
from valueloop.store.lake import Lake
from valueloop.store.workspace import open_workspace

SEED, DAYS, PER_DAY = 2, 4, 700
CliRun = Callable[..., subprocess.CompletedProcess[str]]
TIMES = ("vru_entry", "vru_exit", "q_start", "q_exit", "ser_start", "ser_exit")


@pytest.fixture(scope="module")
def calls() -> list[Call]:
    return simulate(date(1999, 8, 1), DAYS, calls_per_day=PER_DAY, seed=SEED)


def test_the_generator_is_seeded_and_realistic(calls: list[Call]) -> None:
    assert simulate(date(1999, 8, 1), DAYS, calls_per_day=PER_DAY, seed=SEED) == calls
    queued = [c for c in calls if c.q_start is not None]
    answered = [c for c in queued if c.outcome == "AGENT"]
    assert 0.05 < sum(c.outcome == "HANG" for c in queued) / len(queued) < 0.5
    assert all(c.server != NO_SERVER for c in answered)
    assert all(c.server == NO_SERVER and c.ser_start is None for c in calls if c.outcome != "AGENT")
    assert {c.type for c in calls} == {"PS", "PE", "IN", "NE", "NW", "TT"}
    assert {c.priority for c in calls} == {0, 1, 2}
    assert any(c.ser_exit is not None and c.ser_exit.date() > c.day for c in calls), "no call crosses midnight"
    long_wait = [c.outcome == "HANG" for c in queued if c.seconds(c.q_start, c.q_exit) > 120]
    short_wait = [c.outcome == "HANG" for c in queued if c.seconds(c.q_start, c.q_exit) <= 10]
    assert sum(long_wait) / len(long_wait) > sum(short_wait) / len(short_wait)  # abandonment grows with the wait


def test_a_generated_log_ingests_exactly(calls: list[Call], cli: CliRun, tmp_path: Path) -> None:
    log = tmp_path / "calls.csv"
    cli("demo", "call-log", log, "--month", "1999-08", "--days", DAYS, "--calls-per-day", PER_DAY,
        "--seed", SEED, check=True)  # fmt: skip
    assert log.read_text(encoding="utf-8") == write_call_log(tmp_path / "truth.csv", calls).read_text("utf-8")
    assert log.read_text(encoding="utf-8").splitlines()[0] == ",".join(HEADER)
    root = tmp_path / "ws"
    cli("init", root, "--template", "call-centre", check=True)
    mapping = root / "mappings" / "calls.yaml"
    first = json.loads(cli("ingest", "calls", log, "--mapping", mapping, "--workspace", root, "--format", "json",
                           check=True).stdout)  # fmt: skip
    assert (first["read"], first["stored"], first["duplicates"], first["quarantined"]) == (len(calls), len(calls), 0, 0)
    again = json.loads(cli("ingest", "calls", log, "--mapping", mapping, "--workspace", root, "--format", "json",
                           check=True).stdout)  # fmt: skip
    assert (again["stored"], again["duplicates"], again["quarantined"]) == (0, len(calls), 0)
    ws = open_workspace(root)
    zone = ZoneInfo(ws.settings.workspace.timezone)
    stored = {r["call_id"]: r for r in Lake(ws.lake_dir).read("calls").to_pylist()}
    assert len(stored) == len(calls)
    for call in calls:
        row = stored[str(call.call_id)]
        for name in TIMES:
            truth: datetime | None = getattr(call, name)
            got = row[name].astimezone(zone).replace(tzinfo=None) if row[name] is not None else None
            assert got == truth, (call.call_id, name)
        assert row["vru_time"] == call.seconds(call.vru_entry, call.vru_exit)
        assert row["q_time"] == call.seconds(call.q_start, call.q_exit)
        assert row["ser_time"] == call.seconds(call.ser_start, call.ser_exit)
        assert (row["type"], row["outcome"], row["server"], row["priority"]) == (
            call.type, call.outcome, call.server, call.priority)  # fmt: skip
        assert row["customer_id"] == (None if call.customer_id == 0 else str(call.customer_id))
        assert row["vru_line"] == call.vru_line
    never_queued = sum(c.q_start is None for c in calls)
    assert sum(r["q_start"] is None for r in stored.values()) == never_queued
    assert never_queued == log.read_text(encoding="utf-8").count(f",{NO_TIME},{NO_TIME},0,HANG,")


def test_call_log_refuses_a_month_it_cannot_read(cli: CliRun, tmp_path: Path) -> None:
    result = cli("demo", "call-log", tmp_path / "x.csv", "--month", "August")
    assert result.returncode == 2 and "--month 'August' is not a month such as 1999-08" in result.stderr
    assert not (tmp_path / "x.csv").exists()
