"""Where valueloop's evaluate time goes at the issue's size, and what two src changes would gain.

Not part of ``make bench`` (it is evidence for a change, not a target): run it by hand,
``python -m bench.evaluate_profile [--scale 1] [--repeat 3]``, after ``bench.evaluate_bench``
has built the cached lake.

Each variant runs in a child process of its own; the changes are applied there by
replacing two valueloop functions at run time, nothing under ``src/`` is edited:

* ``as_is`` — valueloop as it is.
* ``duration`` — ``metrics.compile.duration`` without Ibis's ``CAST(ts AS TIMESTAMP)``: Ibis
  compiles ``epoch_seconds()`` on DuckDB to ``EPOCH(CAST(ts AS TIMESTAMP))``, an ICU
  conversion of every instant to local wall-clock time (slow, and wrong by an hour across a
  DST change in zones that have one). The variant takes whole seconds as
  ``unix_micros(ts) // 1_000_000`` with a builtin :func:`unix_micros` (``EPOCH_US`` on
  DuckDB, ``UNIX_MICROS`` on Spark).
* ``period`` — ``metrics.run._scoped`` labels rows by comparing the instant with each
  period's UTC bounds (``bounds_utc``, already computed there) in one CASE, instead of
  building the label string from ICU ``EXTRACT(year/month)`` on every row, twice (the
  projection and the ``_period IN (...)`` filter).
* ``both`` — the two together.

Every variant's values are checked against ``as_is`` (1e-9 relative, n exact), and the
time is split into stages: the three grouped queries, the assembly in pandas and
``score_model`` for the 12 months. The row marked † is not part of the total: the same
scoring with the pydantic result models swapped for plain namespaces, an upper bound on
what lighter result types in ``scoring/composite.py`` would save. Wall time is noisy on the shared 2-core box, so CPU
time (all threads) is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import numpy as np
import pandas as pd

from bench.evaluate_bench import ATOL, MODEL, RTOL, periods, workspace

VARIANTS = ("as_is", "duration", "period", "both")


@ibis.udf.scalar.builtin
def unix_micros(ts: dt.Timestamp(timezone="UTC")) -> dt.int64:  # type: ignore[valid-type, empty-body]
    """Microseconds since the epoch of the instant, no time zone involved.

    Spark has ``UNIX_MICROS``; sqlglot writes it as ``EPOCH_US`` for DuckDB, so the same
    Ibis expression runs on both engines with nothing to register. (Not ``unix_seconds``:
    sqlglot turns that into ``CAST(EPOCH(ts) AS BIGINT)`` on DuckDB, which rounds.)
    """


def _patch(variant: str) -> None:
    """Swap in the changed functions for ``variant`` (module globals, so every caller sees them)."""
    import ibis.expr.types as ir

    import valueloop.metrics.compile as compile_
    import valueloop.metrics.run as run_
    from valueloop.metrics.periods import bounds_utc
    from valueloop.spec.datasets import DATASETS

    def duration(t: ir.Table, start: str, end: str, unit: str) -> ir.FloatingValue:
        seconds = unix_micros(t[end]) // 1_000_000 - unix_micros(t[start]) // 1_000_000  # floor, as now
        return seconds.cast("float64") / compile_.SECONDS[unit]

    def scoped(wh: Any, dataset: str, unit_map: ir.Table, model: Any, labels: list[str]) -> ir.Table:
        t = wh.table(dataset)
        time_field = DATASETS[dataset].time_field
        spans = [bounds_utc(p, model.period, wh.ws.settings.workspace.timezone) for p in labels]
        ts = t[time_field]
        t = t.filter((ts >= min(s for s, _ in spans)) & (ts < max(e for _, e in spans)))
        t = t.inner_join(unit_map, "entity_id")
        ts = t[time_field]
        label = ibis.cases(*[((ts >= s) & (ts < e), p) for p, (s, e) in zip(labels, spans, strict=True)])
        t = t.mutate(**{run_.PERIOD: label})
        return t.filter(t[run_.PERIOD].notnull())

    if variant in ("duration", "both"):
        compile_.duration = duration  # type: ignore[assignment]
    if variant in ("period", "both"):
        run_._scoped = scoped  # type: ignore[assignment]


def child(variant: str, ws_path: Path, out: Path) -> None:
    """One timed run with per-stage wall and CPU seconds."""
    import valueloop.metrics.run as run_
    from valueloop.scoring.composite import score_model
    from valueloop.spec.model_loader import load_model
    from valueloop.store.warehouse import Warehouse
    from valueloop.store.workspace import open_workspace

    _patch(variant)
    ws = open_workspace(ws_path)
    model = load_model(ws.models_dir / f"{MODEL}.yaml")
    stages: list[tuple[str, float, float]] = []

    def clocked(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            result = fn(*args, **kwargs)
            stages.append((name, time.perf_counter() - wall, time.process_time() - cpu))
            return result

        return wrapper

    execute = Warehouse.execute
    names = iter(["entities", *run_._parts(model)])  # the order compute_values runs its queries in
    Warehouse.execute = lambda self, expr: clocked(f"query {next(names)}", execute)(self, expr)  # type: ignore[method-assign]
    run_._assemble = clocked("assemble (pandas)", run_._assemble)  # type: ignore[assignment]
    labels = periods()
    wall, cpu = time.perf_counter(), time.process_time()
    wh = Warehouse(ws)
    values, _ = run_.compute_values(wh, model, labels)
    stages.append(("compute_values", time.perf_counter() - wall, time.process_time() - cpu))
    w2, c2 = time.perf_counter(), time.process_time()
    for p in labels:
        score_model(values[values["period"] == p], model)
    stages.append(("score_model × 12", time.perf_counter() - w2, time.process_time() - c2))
    stages.append(("total", time.perf_counter() - wall, time.process_time() - cpu))
    _bound_without_pydantic(values, model, labels, stages)
    values[values["segment"].isna()].reset_index(drop=True).to_parquet(out / f"{variant}.parquet")
    print(json.dumps(stages))


def _bound_without_pydantic(values: pd.DataFrame, model: Any, labels: list[str], stages: list[Any]) -> None:
    """Scoring again with IndicatorScore/EntityScore as plain namespaces: what validating ~84,000
    already-typed result objects costs (an upper bound on what lighter result types would save)."""
    import types

    import valueloop.scoring.composite as composite

    composite.IndicatorScore = composite.EntityScore = types.SimpleNamespace  # type: ignore[misc, assignment]
    wall, cpu = time.perf_counter(), time.process_time()
    for p in labels:
        composite.score_model(values[values["period"] == p], model)
    stages.append(("scores, no pydantic †", time.perf_counter() - wall, time.process_time() - cpu))


def measure(variant: str, ws: Path, out: Path) -> tuple[list[tuple[str, float, float]], float]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.evaluate_profile", "--child", variant, str(ws), str(out)],
        stdout=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    text = proc.stdout.read() if proc.stdout else ""
    if status != 0:
        raise RuntimeError(f"{variant} failed (status {status})")
    return [tuple(s) for s in json.loads(text.strip().splitlines()[-1])], usage.ru_maxrss / 1024  # type: ignore[misc]


def agree(out: Path, variant: str) -> str:
    """'ok', or how many values differ from as_is."""
    keys = ["entity_id", "period", "indicator"]
    ref = pd.read_parquet(out / "as_is.parquet").set_index(keys).sort_index()
    other = pd.read_parquet(out / f"{variant}.parquet").set_index(keys).reindex(ref.index)
    a, b = ref["value"].to_numpy(float), other["value"].to_numpy(float)
    close = (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= ATOL + RTOL * np.abs(a))
    bad = int((~close | (ref["n"].to_numpy() != other["n"].to_numpy())).sum())
    return "ok" if bad == 0 else f"{bad} DIFFER"


def run(scale: float = 1.0, repeat: int = 3) -> None:
    ws = workspace(scale)
    results: dict[str, list[tuple[list[tuple[str, float, float]], float]]] = {v: [] for v in VARIANTS}
    verdict: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for _ in range(repeat):
            for v in VARIANTS:
                results[v].append(measure(v, ws, out))
            verdict = {v: agree(out, v) for v in VARIANTS}
    print(f"valueloop evaluate profile, scale {scale:g}, best of {repeat} per stage (wall s / CPU s):")
    stage_names = [name for name, _, _ in results["as_is"][0][0]]
    print(f"  {'stage':22}" + "".join(f"{v:>18}" for v in VARIANTS))
    for i, name in enumerate(stage_names):
        cells = []
        for v in VARIANTS:
            wall = min(r[0][i][1] for r in results[v])
            cpu = min(r[0][i][2] for r in results[v])
            cells.append(f"{wall:8.2f} /{cpu:7.2f}")
        print(f"  {name:22}" + "".join(f"{c:>18}" for c in cells))
    print(f"  {'peak RSS MB':22}" + "".join(f"{max(r[1] for r in results[v]):18.0f}" for v in VARIANTS))
    print(f"  {'values vs as_is':22}" + "".join(f"{verdict[v]:>18}" for v in VARIANTS))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", nargs=3, metavar=("VARIANT", "WS", "OUT"))
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
    else:
        run(args.scale, args.repeat)
