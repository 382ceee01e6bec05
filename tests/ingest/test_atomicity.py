"""A batch lands whole or not at all, even when the process is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np

from conftest import VALUELOOP, write
from valueloop.ingest.service.ingest import ingest
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace


def _big_csv(path: Path, n: int) -> Path:
    ids = np.char.add("K", np.arange(n).astype(str))
    minutes = np.arange(n) % 50_000
    stamps = (np.datetime64("2026-01-01T00:00") + minutes.astype("timedelta64[m]")).astype(str)
    lines = np.char.add(np.char.add(np.char.add(ids, ",B1,"), np.char.replace(stamps, "T", " ")), ",chat")
    path.write_text("interaction_id,entity_id,opened_at,channel\n" + "\n".join(lines.tolist()) + "\n")
    return path


def _snapshot(ws: Workspace) -> tuple[int, list[tuple[object, ...]]]:
    lake = Lake(ws.lake_dir)
    table = lake.read("interactions")
    return lake.manifest().version, sorted(
        zip(*(table[c].to_pylist() for c in ("interaction_id", "channel")), strict=True)
    )


def test_kill_9_mid_ingest_leaves_the_lake_as_before(ws: Workspace, tmp_path: Path) -> None:
    ingest(
        ws, "interactions", [write(tmp_path / "a.csv", "interaction_id,entity_id,opened_at\nK1,B9,2026-01-01 00:00\n")]
    )
    before = _snapshot(ws)
    big = _big_csv(tmp_path / "big.csv", 600_000)
    staging = ws.lake_dir / "_staging"
    for delay in (0.0, 0.2, 0.5):
        proc = subprocess.Popen(
            [str(VALUELOOP), "ingest", "interactions", str(big), "-w", str(ws.root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not any(staging.glob("*")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.005)  # the staging folder appears when the transaction starts
        time.sleep(delay)
        if proc.poll() is not None:
            assert delay > 0, "the ingest finished before it could be killed"
            break  # it committed before the kill: that is the other allowed outcome
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert _snapshot(ws) == before, f"lake changed by a killed ingest (delay {delay})"
    done = ingest(ws, "interactions", [big])
    assert done.stored + done.duplicates == 600_000
    assert not any(staging.glob("*")), "a crashed writer's staging files were not cleaned up"
    assert len(_snapshot(ws)[1]) == 600_000
