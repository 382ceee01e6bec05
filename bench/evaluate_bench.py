"""Evaluate ``experience-score`` at scale vs the same 12 indicators in DuckDB SQL, Polars and pandas.

The issue's size: 10M interactions, 2M feedback rows and 2M orders for a tree of
~5,000 entities (≈500 branches, the template's level) over 12 months. The lake is built
once through valueloop's real ingest and cached under ``bench/.data/`` (git-ignored).

Every candidate runs in a child process of its own (peak RSS from ``os.wait4``, time
from after the imports) and writes the same long table — entity_id, period, indicator,
value, n — for the 12 scored indicators of every branch × month. After every round the
parent checks that all agree with valueloop (value to 1e-9 relative, n exactly) and
prints every disagreement above the ratios: a fast wrong answer is not a result.
Candidates run round-robin (best of ``--repeat``), so noise on the shared box hits all alike.

Run: ``make bench`` (with the ingest benchmark), or ``python -m bench.evaluate_bench
[--scale 0.01] [--repeat 3] [--proposed]``. ``--scale`` shrinks the row counts for a
smoke run (the tree stays at 5,000 entities); ``--proposed`` adds a fifth candidate,
valueloop with the src changes of :mod:`bench.evaluate_profile` applied at run time.
The first run at a scale builds its lake (about 2 minutes at full size).

Semantics every candidate reproduces (those of ``valueloop.metrics.compile``):
medians are interpolated (QUANTILE_CONT); durations are whole seconds,
``floor(epoch(end)) − floor(epoch(start))``; a rate's condition that is null is "not
met" but the row still counts in n; a ratio's n is its denominator's n; months are
labelled in the workspace's local time (Asia/Shanghai) while the lake stores UTC; rows
of teams and agents roll up to their branch through the entity tree.

Targets (issue): valueloop within 1.5× of the SQL and of Polars, ≥ 2× faster than
pandas, peak memory < 4 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

INTERACTIONS, FEEDBACK, ORDERS = 10_000_000, 2_000_000, 2_000_000
ENTITIES, MONTHS, END, SEED = 5_000, 12, date(2026, 10, 31), 7
MODEL, LEVEL = "experience-score", "branch"
DATA_ROOT = Path(__file__).resolve().parent / ".data"
DATA_VERSION = 1
"""Bump when the way the cached lake is built changes, so stale caches are rebuilt."""
DATASETS = ("entities", "interactions", "feedback", "orders")
CANDIDATES = ("valueloop", "duckdb_sql", "polars", "pandas")
SCORED = (
    "response_3min_rate",
    "median_first_response",
    "resolution_24h_rate",
    "csat",
    "return_handling_time",
    "refund_handling_time",
    "dispute_rate",
    "quality_refund_rate",
    "good_review_rate",
    "bad_review_rate",
    "repurchase_rate",
    "consultation_conversion",
)
RTOL, ATOL = 1e-9, 1e-12
"""Agreement: |a − b| ≤ ATOL + RTOL·|b| (ATOL only matters for values that are exactly zero)."""
LONG = ["entity_id", "period", "indicator", "value", "n"]


# ---------------------------------------------------------------------------------------------
# The cached lake
# ---------------------------------------------------------------------------------------------


def sizes(scale: float) -> dict[str, int]:
    """Row counts at ``scale`` (1.0 = the issue); the entity tree stays at full size."""
    return {
        "interactions": max(1_000, round(INTERACTIONS * scale)),
        "feedback": max(200, round(FEEDBACK * scale)),
        "orders": max(200, round(ORDERS * scale)),
    }


def periods() -> list[str]:
    """The 12 local months of the demo window, oldest first (the window ends with END's month)."""
    first = END.year * 12 + END.month - MONTHS
    return [f"{m // 12}-{m % 12 + 1:02d}" for m in range(first, first + MONTHS)]


def bounds(timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of the 12 months as aware datetimes (local midnight of the first days)."""
    zone = ZoneInfo(timezone)
    y, m = (int(x) for x in periods()[0].split("-"))
    start = datetime(y, m, 1, tzinfo=zone)
    end = datetime(END.year + END.month // 12, END.month % 12 + 1, 1, tzinfo=zone)
    return start, end


def workspace(scale: float) -> Path:
    """The cached workspace for ``scale``, built (in a child process) when missing or stale."""
    root = DATA_ROOT / f"evaluate-{scale:g}"
    ws = root / "ws"
    stamp = root / "READY.json"
    want = {"version": DATA_VERSION, "sizes": sizes(scale), "entities": ENTITIES, "months": MONTHS, "seed": SEED}
    if stamp.exists() and json.loads(stamp.read_text()) == want and (ws / "lake" / "_manifest.json").exists():
        return ws
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    started = time.perf_counter()
    print(f"building the evaluate lake at scale {scale:g} in {root} (cached afterwards) …", flush=True)
    subprocess.run([sys.executable, "-m", "bench.evaluate_bench", "--build", str(scale), str(root)], check=True)
    stamp.write_text(json.dumps(want))
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    return ws


def build(scale: float, root: Path) -> None:
    """Generate the demo datasets the model reads, cut them to the issue's sizes, ingest them.

    The demo generator's own ratios (feedback ≈ 39 %, orders ≈ 50 % of interactions) are
    above the issue's 20 %, so a seeded uniform sample of rows is kept (in time order).
    Only the four datasets the model needs are built: the generator's steps/events/surveys
    would triple the time and are never read here.
    """
    import pyarrow.parquet as pq

    from valueloop.accounts.service.workspace import create_workspace
    from valueloop.ingest.service.ingest import ingest
    from valueloop.store.workspace import open_workspace

    source = root / "source"
    source.mkdir()
    n = sizes(scale)
    tables = _generate(n["interactions"])
    rng = np.random.default_rng(SEED)
    files = {}
    for name in DATASETS:
        table = tables.pop(name)
        want = n.get(name, table.num_rows)
        if table.num_rows > want:
            table = table.take(np.sort(rng.choice(table.num_rows, want, replace=False)))
        files[name] = source / f"{name}.parquet"
        pq.write_table(table, files[name])
        del table
    create_workspace(root / "ws", template=MODEL)
    ws = open_workspace(root / "ws")
    for name in DATASETS:
        started = time.perf_counter()
        summary = ingest(ws, name, [files[name]])
        assert summary.stored == summary.read, (name, summary.errors[:3])
        print(f"  ingested {name}: {summary.stored:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    shutil.rmtree(source)


def _generate(interactions: int) -> dict[str, Any]:
    """entities, interactions, feedback and orders as Arrow tables, from the seeded demo generator."""
    from valueloop.demo import generate as demo
    from valueloop.demo.clock import make_window
    from valueloop.demo.customers import build_customers, customer_count
    from valueloop.demo.entities import build_org
    from valueloop.demo.interactions import build_interactions
    from valueloop.demo.stories import make_plan

    seeds = np.random.SeedSequence(SEED).spawn(len(demo.STREAMS))
    rng = {name: np.random.default_rng(s) for name, s in zip(demo.STREAMS, seeds, strict=True)}
    org = build_org(rng["org"], ENTITIES)
    plan = make_plan(rng["plan"], make_window(END, MONTHS), org)
    cust = build_customers(rng["customers"], org, customer_count(interactions))
    x = build_interactions(rng["interactions"], org, cust, plan, interactions)
    thunks = demo._builders(rng, plan, org, cust, x)  # one thunk per dataset; only call the four we need
    return {name: thunks[name]() for name in DATASETS}


def _settings(ws: Path) -> dict[str, Any]:
    """The workspace's ``valueloop.toml``, read directly: the hand-written candidates use no valueloop code."""
    import tomllib

    return tomllib.loads((ws / "valueloop.toml").read_text(encoding="utf-8"))


def lake_files(ws: Path) -> dict[str, list[str]]:
    """dataset → absolute paths of its live Parquet files, from the lake manifest (what readers trust)."""
    lake = ws / _settings(ws).get("lake", {}).get("path", "lake")
    manifest = json.loads((lake / "_manifest.json").read_text(encoding="utf-8"))
    return {name: [str(lake / f) for f in files] for name, files in manifest["datasets"].items()}


def timezone_of(ws: Path) -> str:
    return str(_settings(ws).get("workspace", {}).get("timezone", "Asia/Shanghai"))


# ---------------------------------------------------------------------------------------------
# Candidates: each returns the long table (entity_id, period, indicator, value, n)
# ---------------------------------------------------------------------------------------------


def run_valueloop(ws_path: Path) -> tuple[pd.DataFrame, dict[str, float]]:
    """The real thing: ``compute_values`` for all 12 months, then ``score_model`` per month."""
    from valueloop.metrics.run import compute_values
    from valueloop.scoring.composite import score_model
    from valueloop.spec.model_loader import load_model
    from valueloop.store.warehouse import Warehouse
    from valueloop.store.workspace import open_workspace

    ws = open_workspace(ws_path)
    model = load_model(ws.models_dir / f"{MODEL}.yaml")
    labels = periods()
    start = time.perf_counter()
    values, _units = compute_values(Warehouse(ws), model, labels)
    mid = time.perf_counter()
    scored = [score_model(values[values["period"] == p], model) for p in labels]
    end = time.perf_counter()
    assert all(len(s) == len(scored[0]) for s in scored)
    overall = values[values["segment"].isna() & values["indicator"].isin(SCORED)]
    return overall[LONG], {"values": mid - start, "scores": end - mid, "seconds": end - start}


def run_duckdb_sql(ws_path: Path) -> tuple[pd.DataFrame, dict[str, float]]:
    """Hand-written SQL: one grouped query per dataset with FILTER aggregates, then one join."""
    import duckdb

    start = time.perf_counter()
    files = lake_files(ws_path)
    tz = timezone_of(ws_path)
    lo, hi = bounds(tz)
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{tz}'")
    con.execute(SQL_UNITS.format(entities=_sql_list(files["entities"]), level=LEVEL))
    for name, sql in SQL_DATASETS.items():
        t = TIME_FIELD[name]
        window = f"{t} >= TIMESTAMPTZ '{lo.isoformat()}' AND {t} < TIMESTAMPTZ '{hi.isoformat()}'"
        con.execute(f"CREATE TEMP TABLE s_{name} AS " + sql.format(files=_sql_list(files[name]), window=window))
    long = con.execute(SQL_COMBINE).df()
    return long, {"seconds": time.perf_counter() - start}


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


TIME_FIELD = {"interactions": "opened_at", "feedback": "submitted_at", "orders": "ordered_at"}

# entity → its ancestor at the level (itself when it is one), walking up the tree.
SQL_UNITS = """
CREATE TEMP TABLE units AS
WITH RECURSIVE e AS (SELECT entity_id, parent_id, type FROM read_parquet({entities})),
walk(entity_id, node) AS (
    SELECT entity_id, entity_id FROM e
    UNION ALL
    SELECT w.entity_id, e.parent_id FROM walk w JOIN e ON e.entity_id = w.node
    WHERE e.type <> '{level}' AND e.parent_id IS NOT NULL
)
SELECT w.entity_id, w.node AS unit FROM walk w JOIN e ON e.entity_id = w.node WHERE e.type = '{level}'
"""

# Durations are spelled as the spec defines them, floor(epoch(end)) − floor(epoch(start)): epoch() of
# a TIMESTAMPTZ is the absolute instant and cheap. (date_diff('second', start, end) gives the same
# numbers but goes through ICU calendar arithmetic: ~3 s more per 10M rows on the bench box.)
# The month is grouped as the local month start (the session runs in the workspace's zone) and
# formatted once per group at the end, not once per row.
SQL_DATASETS = {
    "interactions": """
SELECT u.unit, date_trunc('month', opened_at) AS month,
    count(*) FILTER (chat) AS chat_n,
    avg(CASE WHEN first_s <= 180 THEN 1.0 ELSE 0.0 END) FILTER (chat) AS response_3min,
    median(first_s / 60.0) FILTER (chat) AS first_response_med,
    count(first_s) FILTER (chat) AS first_response_n,
    count(DISTINCT customer_id) FILTER (chat) AS consulters,
    count(*) AS all_n,
    avg(CASE WHEN resolved_s <= 86400 THEN 1.0 ELSE 0.0 END) AS resolved_24h,
    median(resolved_s / 3600.0) FILTER (category = 'refund') AS refund_med,
    count(resolved_s) FILTER (category = 'refund') AS refund_n
FROM (
    SELECT entity_id, opened_at, customer_id, category,
        coalesce(channel IN ('chat', 'app'), false) AS chat,
        floor(epoch(first_response_at)) - floor(epoch(opened_at)) AS first_s,
        floor(epoch(resolved_at)) - floor(epoch(opened_at)) AS resolved_s
    FROM read_parquet({files})
) i JOIN units u USING (entity_id)
WHERE {window}
GROUP BY ALL
""",
    "feedback": """
SELECT u.unit, date_trunc('month', submitted_at) AS month,
    avg(csat) FILTER (kind = 'survey') AS csat_mean,
    count(csat) FILTER (kind = 'survey') AS csat_n,
    count(*) FILTER (kind = 'complaint') AS complaints,
    avg(CASE WHEN csat >= 4 THEN 1.0 ELSE 0.0 END) FILTER (kind = 'review' AND csat IS NOT NULL) AS good,
    avg(CASE WHEN csat <= 2 THEN 1.0 ELSE 0.0 END) FILTER (kind = 'review' AND csat IS NOT NULL) AS bad,
    count(csat) FILTER (kind = 'review') AS review_n
FROM read_parquet({files}) f JOIN units u USING (entity_id)
WHERE {window}
GROUP BY ALL
""",
    "orders": """
SELECT u.unit, date_trunc('month', ordered_at) AS month,
    count(*) AS orders_n,
    count(DISTINCT customer_id) AS buyers,
    avg(CASE WHEN returned THEN 1.0 ELSE 0.0 END) AS returned_rate,
    median(return_s / 3600.0) FILTER (returned) AS return_med,
    count(return_s) FILTER (returned) AS return_n
FROM (
    SELECT entity_id, ordered_at, customer_id, returned,
        floor(epoch(return_completed_at)) - floor(epoch(return_requested_at)) AS return_s
    FROM read_parquet({files})
) o JOIN units u USING (entity_id)
WHERE {window}
GROUP BY ALL
""",
}

# Ratios and the derived indicator from the per-dataset statistics; a dataset without rows for a
# unit × month leaves its statistics null (so e.g. dispute_rate is null, with n = the orders).
SQL_COMBINE = """
WITH s AS (
    SELECT * FROM s_interactions FULL JOIN s_feedback USING (unit, month) FULL JOIN s_orders USING (unit, month)
)
SELECT entity_id, period, r.indicator, r.value, r.n FROM (
    SELECT unit AS entity_id, strftime(month, '%Y-%m') AS period, unnest([
        {'indicator': 'response_3min_rate', 'value': response_3min, 'n': chat_n},
        {'indicator': 'median_first_response', 'value': first_response_med, 'n': first_response_n},
        {'indicator': 'resolution_24h_rate', 'value': resolved_24h, 'n': all_n},
        {'indicator': 'csat', 'value': csat_mean, 'n': csat_n},
        {'indicator': 'return_handling_time', 'value': return_med, 'n': return_n},
        {'indicator': 'refund_handling_time', 'value': refund_med, 'n': refund_n},
        {'indicator': 'dispute_rate', 'value': 100.0 * complaints / nullif(orders_n, 0), 'n': orders_n},
        {'indicator': 'quality_refund_rate', 'value': returned_rate, 'n': orders_n},
        {'indicator': 'good_review_rate', 'value': good, 'n': review_n},
        {'indicator': 'bad_review_rate', 'value': bad, 'n': review_n},
        {'indicator': 'repurchase_rate', 'value': orders_n / nullif(buyers, 0) - 1, 'n': orders_n},
        {'indicator': 'consultation_conversion', 'value': buyers / nullif(consulters, 0), 'n': chat_n}
    ]) AS r FROM s
)
"""


def run_polars(ws_path: Path) -> tuple[pd.DataFrame, dict[str, float]]:
    """Polars: lazy scans, one group_by/agg per dataset with filtered expressions, then one join."""
    import polars as pl

    start = time.perf_counter()
    files = lake_files(ws_path)
    tz = timezone_of(ws_path)
    lo, hi = (b.astimezone(ZoneInfo("UTC")) for b in bounds(tz))
    units = _polars_units(pl.read_parquet(files["entities"], columns=["entity_id", "parent_id", "type"]))

    def scan(name: str, columns: list[str]) -> pl.LazyFrame:
        t = TIME_FIELD[name]
        local = pl.col(t).dt.convert_time_zone(tz)
        return (
            pl.scan_parquet(files[name])
            .select(t, "entity_id", *columns)
            .filter(pl.col(t).is_between(lo, hi, closed="left"))
            .join(units.lazy(), on="entity_id")
            .with_columns(month=local.dt.year() * 100 + local.dt.month())
        )

    def seconds(a: str, b: str) -> pl.Expr:
        return pl.col(b).dt.epoch("s") - pl.col(a).dt.epoch("s")

    def met(condition: pl.Expr) -> pl.Expr:
        return condition.fill_null(False).cast(pl.Float64)

    chat = pl.col("channel").is_in(["chat", "app"]).fill_null(False)
    first, resolved = seconds("opened_at", "first_response_at"), seconds("opened_at", "resolved_at")
    refund = (pl.col("category") == "refund").fill_null(False)
    interactions = (
        scan("interactions", ["customer_id", "channel", "category", "first_response_at", "resolved_at"])
        .group_by("unit", "month")
        .agg(
            chat_n=chat.sum(),
            response_3min=met(first <= 180).filter(chat).mean(),
            first_response_med=(first / 60).filter(chat).median(),
            first_response_n=first.filter(chat).count(),
            consulters=pl.col("customer_id").filter(chat).drop_nulls().n_unique(),
            all_n=pl.len(),
            resolved_24h=met(resolved <= 86400).mean(),
            refund_med=(resolved / 3600).filter(refund).median(),
            refund_n=resolved.filter(refund).count(),
        )
    )
    csat, kind = pl.col("csat"), pl.col("kind")
    review = (kind == "review").fill_null(False) & csat.is_not_null()
    feedback = (
        scan("feedback", ["kind", "csat"])
        .group_by("unit", "month")
        .agg(
            csat_mean=csat.filter(kind == "survey").mean(),
            csat_n=csat.filter(kind == "survey").count(),
            complaints=(kind == "complaint").fill_null(False).sum(),
            good=met(csat >= 4).filter(review).mean(),
            bad=met(csat <= 2).filter(review).mean(),
            review_n=review.sum(),
        )
    )
    returned = pl.col("returned").fill_null(False)
    handling = seconds("return_requested_at", "return_completed_at")
    orders = (
        scan("orders", ["customer_id", "returned", "return_requested_at", "return_completed_at"])
        .group_by("unit", "month")
        .agg(
            orders_n=pl.len(),
            buyers=pl.col("customer_id").drop_nulls().n_unique(),
            returned_rate=met(returned).mean(),
            return_med=(handling / 3600).filter(returned).median(),
            return_n=handling.filter(returned).count(),
        )
    )
    stats = pl.collect_all([interactions, feedback, orders])
    s = stats[0].join(stats[1], on=["unit", "month"], how="full", coalesce=True)
    s = s.join(stats[2], on=["unit", "month"], how="full", coalesce=True)
    col = pl.col

    def den(name: str) -> pl.Expr:
        return pl.when(col(name) != 0).then(col(name))

    indicators = {
        "response_3min_rate": (col("response_3min"), col("chat_n")),
        "median_first_response": (col("first_response_med"), col("first_response_n")),
        "resolution_24h_rate": (col("resolved_24h"), col("all_n")),
        "csat": (col("csat_mean"), col("csat_n")),
        "return_handling_time": (col("return_med"), col("return_n")),
        "refund_handling_time": (col("refund_med"), col("refund_n")),
        "dispute_rate": (100.0 * col("complaints") / den("orders_n"), col("orders_n")),
        "quality_refund_rate": (col("returned_rate"), col("orders_n")),
        "good_review_rate": (col("good"), col("review_n")),
        "bad_review_rate": (col("bad"), col("review_n")),
        "repurchase_rate": (col("orders_n") / den("buyers") - 1, col("orders_n")),
        "consultation_conversion": (col("buyers") / den("consulters"), col("chat_n")),
    }
    period = pl.format("{}-{}", col("month") // 100, (col("month") % 100).cast(pl.String).str.zfill(2))
    long = pl.concat(
        [
            s.select(
                entity_id=col("unit"),
                period=period,
                indicator=pl.lit(name),
                value=value.cast(pl.Float64),
                n=n.cast(pl.Int64),
            )
            for name, (value, n) in indicators.items()
        ]
    )
    return long.to_pandas(), {"seconds": time.perf_counter() - start}


def _polars_units(entities: Any) -> Any:
    """entity_id → unit (its ancestor at LEVEL), walking up one generation per join."""
    import polars as pl

    kind = entities.select(node="entity_id", node_type="type", up="parent_id")
    walk = entities.select("entity_id", node="entity_id")
    done = []
    for _ in range(64):  # deeper than any org chart; the loop ends when no walker is left
        walk = walk.join(kind, on="node", how="inner")
        done.append(walk.filter(pl.col("node_type") == LEVEL).select("entity_id", unit="node"))
        walk = walk.filter((pl.col("node_type") != LEVEL) & pl.col("up").is_not_null()).select("entity_id", node="up")
        if walk.height == 0:
            break
    return pl.concat(done)


def run_pandas(ws_path: Path) -> tuple[pd.DataFrame, dict[str, float]]:
    """Idiomatic pandas: read_parquet, vectorised columns, one built-in groupby().agg per dataset.

    A filtered aggregate is the column masked with ``where`` (NaN outside the filter), which
    mean, median, count and nunique skip: the pandas spelling of SQL's FILTER.
    """
    start = time.perf_counter()
    files = lake_files(ws_path)
    tz = timezone_of(ws_path)
    lo, hi = (pd.Timestamp(b).tz_convert("UTC") for b in bounds(tz))
    unit_of = _pandas_units(pd.read_parquet(files["entities"][0], columns=["entity_id", "parent_id", "type"]))

    def load(name: str, columns: list[str]) -> pd.DataFrame:
        t = TIME_FIELD[name]
        df = pd.concat(
            [pd.read_parquet(f, columns=[t, "entity_id", *columns], filters=[(t, ">=", lo), (t, "<", hi)])
             for f in files[name]],
            ignore_index=True,
        )  # fmt: skip
        local = df[t].dt.tz_convert(tz)
        return df.assign(unit=df["entity_id"].map(unit_of), month=local.dt.year * 100 + local.dt.month)

    def seconds(df: pd.DataFrame, a: str, b: str) -> pd.Series:
        return (df[b].dt.floor("s") - df[a].dt.floor("s")).dt.total_seconds()

    keys = ["unit", "month"]
    df = load("interactions", ["customer_id", "channel", "category", "first_response_at", "resolved_at"])
    chat = df["channel"].isin(["chat", "app"])
    first, resolved = seconds(df, "opened_at", "first_response_at"), seconds(df, "opened_at", "resolved_at")
    refund = df["category"].eq("refund").fillna(False).astype(bool)
    interactions = (
        pd.DataFrame(
            {
                "unit": df["unit"],
                "month": df["month"],
                "chat": chat,
                "response_3min": (first <= 180).astype(float).where(chat),
                "first_response": (first / 60).where(chat),
                "consulter": df["customer_id"].where(chat),
                "resolved_24h": (resolved <= 86400).astype(float),
                "refund": (resolved / 3600).where(refund),
            }
        )
        .groupby(keys)
        .agg(
            chat_n=("chat", "sum"),
            response_3min=("response_3min", "mean"),
            first_response_med=("first_response", "median"),
            first_response_n=("first_response", "count"),
            consulters=("consulter", "nunique"),
            all_n=("resolved_24h", "size"),
            resolved_24h=("resolved_24h", "mean"),
            refund_med=("refund", "median"),
            refund_n=("refund", "count"),
        )
    )
    del df, chat, first, resolved, refund
    df = load("feedback", ["kind", "csat"])
    csat = df["csat"].astype(float)
    survey = df["kind"].eq("survey").fillna(False).astype(bool)
    review = df["kind"].eq("review").fillna(False).astype(bool) & csat.notna()
    feedback = (
        pd.DataFrame(
            {
                "unit": df["unit"],
                "month": df["month"],
                "csat": csat.where(survey),
                "complaint": df["kind"].eq("complaint").fillna(False).astype(bool),
                "good": (csat >= 4).astype(float).where(review),
                "bad": (csat <= 2).astype(float).where(review),
            }
        )
        .groupby(keys)
        .agg(
            csat_mean=("csat", "mean"),
            csat_n=("csat", "count"),
            complaints=("complaint", "sum"),
            good=("good", "mean"),
            bad=("bad", "mean"),
            review_n=("good", "count"),
        )
    )
    df = load("orders", ["customer_id", "returned", "return_requested_at", "return_completed_at"])
    returned = df["returned"].eq(True).fillna(False).astype(bool)
    orders = (
        pd.DataFrame(
            {
                "unit": df["unit"],
                "month": df["month"],
                "customer_id": df["customer_id"],
                "returned": returned.astype(float),
                "handling": (seconds(df, "return_requested_at", "return_completed_at") / 3600).where(returned),
            }
        )
        .groupby(keys)
        .agg(
            orders_n=("returned", "size"),
            buyers=("customer_id", "nunique"),
            returned_rate=("returned", "mean"),
            return_med=("handling", "median"),
            return_n=("handling", "count"),
        )
    )
    del df
    s = interactions.join([feedback, orders], how="outer")
    den = {k: s[k].where(s[k] != 0) for k in ("orders_n", "buyers", "consulters")}
    indicators = {
        "response_3min_rate": (s["response_3min"], s["chat_n"]),
        "median_first_response": (s["first_response_med"], s["first_response_n"]),
        "resolution_24h_rate": (s["resolved_24h"], s["all_n"]),
        "csat": (s["csat_mean"], s["csat_n"]),
        "return_handling_time": (s["return_med"], s["return_n"]),
        "refund_handling_time": (s["refund_med"], s["refund_n"]),
        "dispute_rate": (100.0 * s["complaints"] / den["orders_n"], s["orders_n"]),
        "quality_refund_rate": (s["returned_rate"], s["orders_n"]),
        "good_review_rate": (s["good"], s["review_n"]),
        "bad_review_rate": (s["bad"], s["review_n"]),
        "repurchase_rate": (s["orders_n"] / den["buyers"] - 1, s["orders_n"]),
        "consultation_conversion": (s["buyers"] / den["consulters"], s["chat_n"]),
    }
    index = s.index.to_frame(index=False)
    period = (index["month"] // 100).astype(str) + "-" + (index["month"] % 100).astype(str).str.zfill(2)
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "entity_id": index["unit"].to_numpy(),
                    "period": period.to_numpy(),
                    "indicator": name,
                    "value": value.to_numpy(float, na_value=np.nan),
                    "n": n.to_numpy(float, na_value=np.nan),
                }
            )
            for name, (value, n) in indicators.items()
        ],
        ignore_index=True,
    )
    return long, {"seconds": time.perf_counter() - start}


def _pandas_units(entities: pd.DataFrame) -> pd.Series:
    """entity_id → unit (its ancestor at LEVEL) as a Series for ``map``, one generation per step."""
    parent = entities.set_index("entity_id")["parent_id"]
    kind = entities.set_index("entity_id")["type"]
    node = pd.Series(entities["entity_id"].to_numpy(), index=entities["entity_id"].to_numpy())
    for _ in range(64):  # deeper than any org chart
        climbing = node.notna() & node.map(kind).ne(LEVEL).fillna(True).astype(bool)
        if not climbing.any():
            break
        node = node.where(~climbing, node.map(parent))
    return node[node.map(kind).eq(LEVEL).fillna(False).astype(bool)]


RUNNERS: dict[str, Callable[[Path], tuple[pd.DataFrame, dict[str, float]]]] = {
    "valueloop": run_valueloop,
    "duckdb_sql": run_duckdb_sql,
    "polars": run_polars,
    "pandas": run_pandas,
}


# ---------------------------------------------------------------------------------------------
# Measuring, checking, reporting
# ---------------------------------------------------------------------------------------------


def child(kind: str, ws: Path, out: Path) -> None:
    """One timed run: libraries are imported before the clock starts (we time work, not imports)."""
    import duckdb  # noqa: F401
    import ibis  # noqa: F401
    import polars  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    if kind.startswith("valueloop"):
        import valueloop.metrics.run
        import valueloop.scoring.composite  # noqa: F401
    if kind == PROPOSED:
        from bench.evaluate_profile import _patch

        _patch("both")
    cpu = time.process_time()  # all threads of the process: steadier than wall time on a shared box
    long, timings = RUNNERS["valueloop" if kind == PROPOSED else kind](ws)
    timings["cpu"] = time.process_time() - cpu
    long.reset_index(drop=True).to_parquet(out / f"{kind}.parquet")
    print(json.dumps(timings))


def measure(kind: str, ws: Path, out: Path) -> tuple[dict[str, float], float]:
    """(timings, peak RSS in MB) of one child run."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.evaluate_bench", "--child", kind, str(ws), str(out)],
        stdout=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    text = proc.stdout.read() if proc.stdout else ""
    if status != 0:
        raise RuntimeError(f"{kind} run failed (status {status})")
    return json.loads(text.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def compare(out: Path, kinds: tuple[str, ...] = CANDIDATES) -> tuple[int, list[str]]:
    """(values compared, problems): every candidate against valueloop on the full grid.

    valueloop reports every branch × month × indicator (NaN, n = 0 without data); the others
    report the unit × months that have rows, so a missing row means (NaN, 0).
    """
    frames = {k: pd.read_parquet(out / f"{k}.parquet") for k in kinds}
    ref = frames["valueloop"].set_index(["entity_id", "period", "indicator"]).sort_index()
    problems = []
    for kind, frame in frames.items():
        if kind == "valueloop":
            continue
        other = frame.set_index(["entity_id", "period", "indicator"])
        extra = other.index.difference(ref.index)
        if len(extra):
            problems.append(f"{kind}: {len(extra)} rows valueloop does not have, e.g. {list(extra[:3])}")
        other = other.reindex(ref.index)
        a, b = ref["value"].to_numpy(float), other["value"].to_numpy(float)
        na, nb = ref["n"].fillna(0).to_numpy(float), other["n"].fillna(0).to_numpy(float)
        both_nan = np.isnan(a) & np.isnan(b)
        close = both_nan | (np.abs(a - b) <= ATOL + RTOL * np.abs(a))
        bad = ~close | (na != nb)
        if bad.any():
            rows = ref.index[bad]
            sample = [f"{r}: valueloop {float(a[i])!r} n={na[i]:g}, {kind} {float(b[i])!r} n={nb[i]:g}"
                      for r, i in zip(rows[:5], np.flatnonzero(bad)[:5], strict=False)]  # fmt: skip
            by_indicator = pd.Series(rows.get_level_values("indicator")).value_counts().to_dict()
            problems.append(f"{kind}: {int(bad.sum())} of {len(a)} disagree {by_indicator}; " + "; ".join(sample))
    return len(ref), problems


def run(scale: float = 1.0, repeat: int = 3, proposed: bool = False) -> dict[str, float]:
    """Build or reuse the lake, time every candidate ``repeat`` times (interleaved), check, report.

    ``proposed`` adds valueloop with the src changes that ``bench.evaluate_profile`` measures
    applied at run time, so their effect is timed and checked in the same run as the baselines.
    """
    ws = workspace(scale)
    kinds = (*CANDIDATES, PROPOSED) if proposed else CANDIDATES
    runs: dict[str, list[tuple[dict[str, float], float]]] = {k: [] for k in kinds}
    checked, problems = 0, []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for _ in range(repeat):  # round-robin, so a noisy minute on the shared box hits every candidate alike
            for kind in kinds:
                runs[kind].append(measure(kind, ws, out))
            checked, round_problems = compare(out, kinds)
            problems += round_problems
    best = {k: min(r[0]["seconds"] for r in v) for k, v in runs.items()}
    cpu = {k: min(r[0]["cpu"] for r in v) for k, v in runs.items()}
    peak = {k: max(mb for _, mb in v) for k, v in runs.items()}
    values = {k: min(r[0]["values"] for r in runs[k]) for k in kinds if k.startswith("valueloop")}
    scores = {k: min(r[0]["scores"] for r in runs[k]) for k in values}
    vl = best["valueloop"]
    n = sizes(scale)
    print(
        f"evaluate {MODEL}: {n['interactions']:,} interactions, {n['feedback']:,} feedback, {n['orders']:,} orders, "
        f"{ENTITIES:,} entities, {MONTHS} months (scale {scale:g}); best of {repeat}, peak = worst run:"
    )
    print(f"  {'candidate':34} {'seconds':>8} {'÷ valueloop':>12} {'CPU s':>7} {'peak MB':>8}")
    for kind in kinds:
        rows = [(LABELS[kind], best[kind], cpu[kind], peak[kind])]
        if kind in values:
            rows += [("  of which compute_values", values[kind], None, None)]
            rows += [("  of which score_model × 12", scores[kind], None, None)]
        for label, seconds, cpu_s, mb in rows:
            cpu_text = f"{cpu_s:7.2f}" if cpu_s is not None else " " * 7
            mb_text = f"{mb:8.0f}" if mb is not None else " " * 8
            print(f"  {label:34} {seconds:8.2f} {seconds / vl:11.2f}× {cpu_text} {mb_text}")
    if problems:
        print(f"  DISAGREE ({len(problems)} problems):")
        for p in problems:
            print("    " + p)
    else:
        print(f"  all {len(kinds)} agree on {checked:,} branch × month × indicator values in every run "
              f"(|Δ| ≤ {RTOL:g}·|value|, n exact)")  # fmt: skip
    result: dict[str, float] = {}
    for kind in values:
        full, only = best[kind], values[kind]
        ratios = {
            "vs_sql": (full / best["duckdb_sql"], only / best["duckdb_sql"]),
            "vs_polars": (full / best["polars"], only / best["polars"]),
            "pandas_vs": (best["pandas"] / full, best["pandas"] / only),
        }
        met = {"vs_sql": ratios["vs_sql"][0] <= 1.5, "vs_polars": ratios["vs_polars"][0] <= 1.5}
        met["pandas_vs"] = ratios["pandas_vs"][0] >= 2
        print(f"  targets for {LABELS[kind]} (values + scores; values only in brackets):")
        for key, label, target in (
            ("vs_sql", "÷ SQL", "≤ 1.5×"),
            ("vs_polars", "÷ polars", "≤ 1.5×"),
            ("pandas_vs", "pandas ÷ it", "≥ 2×"),
        ):
            (full_r, only_r), verdict = ratios[key], "met" if met[key] else "MISSED"
            print(f"    {label:14} {full_r:5.2f}× [{only_r:5.2f}×]  target {target:7} {verdict}")
        verdict = "met" if peak[kind] < 4096 else "MISSED"
        print(f"    {'peak memory':14} {peak[kind]:5.0f} MB            target < 4096 MB {verdict}")
        if kind == "valueloop":
            result = {k: v[0] for k, v in ratios.items()} | {f"values_{k}": v[1] for k, v in ratios.items()}
            result |= {"seconds": full, "peak_mb": peak[kind], "agree": float(not problems)}
    return result


PROPOSED = "valueloop_proposed"
LABELS = {
    "valueloop": "valueloop values + scores",
    "duckdb_sql": "duckdb hand-written SQL",
    "polars": "polars lazy",
    "pandas": "pandas vectorised",
    PROPOSED: "valueloop + proposed src changes",
}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's row counts (0.01 = smoke run)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--proposed", action="store_true", help="also time valueloop with evaluate_profile's changes")
    ap.add_argument("--child", nargs=3, metavar=("KIND", "WS", "OUT"))
    ap.add_argument("--build", nargs=2, metavar=("SCALE", "ROOT"))
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
    elif args.build:
        build(float(args.build[0]), Path(args.build[1]))
    else:
        run(args.scale, args.repeat, args.proposed)
