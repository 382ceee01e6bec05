"""Ingest 1M interaction rows from CSV with validation vs DuckDB's own CSV → Parquet copy.

Both run in a child process of their own, so peak memory (max RSS) is measured per run.
Target (issue 2): valueloop within 2× of DuckDB's time, peak memory under 1.5 GB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROWS = 1_000_000


def make_csv(path: Path, n: int, seed: int = 1) -> Path:
    """A realistic interactions export: 14 columns, timestamps, booleans, a few nulls."""
    rng = np.random.default_rng(seed)
    opened = np.datetime64("2026-01-01T00:00:00") + rng.integers(0, 300 * 86400, n).astype("timedelta64[s]")
    first = opened + rng.lognormal(5, 1, n).astype("timedelta64[s]")
    resolved = first + rng.lognormal(8, 1, n).astype("timedelta64[s]")
    required = rng.integers(3, 8, n)
    cols = {
        "interaction_id": np.char.add("I", np.arange(n).astype(str)),
        "entity_id": np.char.add("B", rng.integers(0, 500, n).astype(str)),
        "opened_at": np.char.replace(opened.astype(str), "T", " "),
        "agent_id": np.char.add("A", rng.integers(0, 5000, n).astype(str)),
        "customer_id": np.char.add("C", rng.integers(0, 200_000, n).astype(str)),
        "channel": rng.choice(["phone", "chat", "app", "email", "store", "bot"], n),
        "category": rng.choice(["account", "billing", "refund", "logistics", "technical"], n),
        "first_response_at": np.char.replace(first.astype(str), "T", " "),
        "resolved_at": np.where(rng.random(n) < 0.05, "", np.char.replace(resolved.astype(str), "T", " ")),
        "steps_required": required.astype(str),
        "steps_completed": (required - rng.integers(0, 2, n)).astype(str),
        "resolved_by_bot": rng.choice(["true", "false"], n),
        "escalated": rng.choice(["true", "false"], n, p=[0.1, 0.9]),
        "reopened": rng.choice(["true", "false"], n, p=[0.05, 0.95]),
    }
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(",".join(cols) + "\n")
        for start in range(0, n, 200_000):
            parts = [c[start : start + 200_000] for c in cols.values()]
            lines = parts[0]
            for p in parts[1:]:
                lines = np.char.add(np.char.add(lines, ","), p)
            fh.write("\n".join(lines.tolist()) + "\n")
    return path


def child(kind: str, csv: Path, out: Path) -> None:
    """One timed run; libraries are imported before the clock starts (we time work, not imports)."""
    import duckdb
    import pandas  # noqa: F401  (pyarrow loads it lazily on first use; keep that out of both timings)

    from valueloop.accounts.service.workspace import create_workspace
    from valueloop.ingest.service.ingest import ingest
    from valueloop.store.workspace import open_workspace

    if kind == "make":
        make_csv(csv, int(out.name))
        return
    create_workspace(out / "ws")
    ws = open_workspace(out / "ws")
    start, cpu = time.perf_counter(), time.process_time()
    if kind == "duckdb":
        duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{csv}')) TO '{out / 'copy.parquet'}' (FORMAT parquet)")
    else:
        summary = ingest(ws, "interactions", [csv])
        assert summary.stored == summary.read, summary.errors[:3]
    print(time.perf_counter() - start, time.process_time() - cpu)


def measure(kind: str, csv: Path) -> tuple[float, float, float]:
    """(seconds, peak RSS in MB, CPU seconds of all its threads) of one child run."""
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.ingest_bench", "--child", kind, str(csv), out],
            stdout=subprocess.PIPE,
            text=True,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds, cpu = (float(x) for x in proc.stdout.read().split()) if proc.stdout else (float("nan"),) * 2
        if status != 0:
            raise RuntimeError(f"{kind} run failed")
        return seconds, usage.ru_maxrss / 1024, cpu


def run(rows: int = ROWS, repeat: int = 3) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "interactions.csv"  # made in a child, so this process stays small
        subprocess.run([sys.executable, "-m", "bench.ingest_bench", "--child", "make", str(csv), str(rows)], check=True)
        size = csv.stat().st_size / 1e6
        results = {k: [measure(k, csv) for _ in range(repeat)] for k in ("duckdb", "valueloop")}
    best = {k: min(v) for k, v in results.items()}
    cpu = {k: min(r[2] for r in v) for k, v in results.items()}
    ratio = best["valueloop"][0] / best["duckdb"][0]
    print(f"ingest {rows:,} interactions ({size:.0f} MB CSV), best of {repeat}:")
    for label, k in (("duckdb COPY read_csv → parquet", "duckdb"), ("valueloop ingest (validated)  ", "valueloop")):
        print(f"  {label}   {best[k][0]:6.2f} s   peak {best[k][1]:6.0f} MB   cpu {cpu[k]:5.2f} s")
    print(f"  ratio valueloop / duckdb = {ratio:.2f}× (target ≤ 2×); peak memory target < 1500 MB")
    print(f"  cpu ratio = {cpu['valueloop'] / cpu['duckdb']:.2f}× (all threads; steadier than time on a busy machine)")
    return {"ratio": ratio, "seconds": best["valueloop"][0], "peak_mb": best["valueloop"][1]}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=3, metavar=("KIND", "CSV", "OUT"))
    ap.add_argument("--rows", type=int, default=ROWS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
    else:
        run(args.rows)
