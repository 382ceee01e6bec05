"""Traffic allocation by score band: bands, shares, exact integer totals, configurable bands."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest
import typer
from typer.testing import CliRunner

from valueloop.cli.allocate import BANDS_HELP, register
from valueloop.errors import InputError
from valueloop.evaluation.service.allocate import (
    DEFAULT_BANDS,
    allocate,
    allocation_rows,
    band_of,
    largest_remainder,
    on_scale,
    parse_bands,
    percentile_band,
)
from valueloop.store import appdb, tables
from valueloop.store.workspace import Workspace

DEFAULT = parse_bands()


def test_default_bands() -> None:
    assert [(b.label, b.threshold, b.multiplier) for b in DEFAULT] == [
        ("A", 4.5, 1.5),
        ("B", 4.0, 1.2),
        ("C", 3.5, 1.0),
        ("D", 3.0, 0.7),
        ("E", 0.0, 0.4),
    ]


@pytest.mark.parametrize(
    ("score", "band"),
    [(5.0, "A"), (4.5, "A"), (4.49, "B"), (4.0, "B"), (3.5, "C"), (3.2, "D"), (1.0, "E"), (None, "E")],
)
def test_band_of_takes_the_first_threshold_reached(score: float | None, band: str) -> None:
    assert band_of(score, DEFAULT).label == band


def test_bands_are_configurable_and_sorted_best_first() -> None:
    bands = parse_bands(" 3:1 , 4.2:2,0:0.25")
    assert [(b.label, b.threshold, b.multiplier) for b in bands] == [("A", 4.2, 2.0), ("B", 3.0, 1.0), ("C", 0.0, 0.25)]
    assert band_of(2.0, parse_bands("4:2,3:1")).label == "B"  # below every threshold: the lowest band


@pytest.mark.parametrize("text", ["", "4.5", "4.5:x", "4:1,4:2", "4:-1", "4:0,0:0", "4:1:2"])
def test_bad_bands_are_input_errors(text: str) -> None:
    with pytest.raises(InputError, match="bad --bands"):
        parse_bands(text)


def test_thresholds_scale_to_hundred_unless_already_there() -> None:
    assert [b.threshold for b in on_scale(DEFAULT, "0-100")] == [90.0, 80.0, 70.0, 60.0, 0.0]
    assert on_scale(DEFAULT, "1-5") == DEFAULT
    hundred = parse_bands("90:1.5,0:1")
    assert on_scale(hundred, "0-100") == hundred


@pytest.mark.parametrize(
    ("rank", "band"),
    [(1, "top10"), (2, "top10"), (3, "top25"), (5, "top25"), (6, "top50"), (10, "top50"), (11, "rest"), (None, "rest")],
)
def test_percentile_band_by_share_of_peers(rank: int | None, band: str) -> None:
    assert percentile_band(rank, 20) == band


def test_largest_remainder_hand_example() -> None:
    # quotas 10 × (1.5, 1, 1) / 3.5 = 4.29, 2.86, 2.86 → floors 4, 2, 2; two left go to the .86s
    assert largest_remainder([1.5, 1.0, 1.0], 10) == [4, 3, 3]
    assert largest_remainder([1.0, 1.0, 1.0], 2) == [1, 1, 0]  # equal remainders: earlier (better) first
    assert largest_remainder([1.0, 0.0], 7) == [7, 0]


@pytest.mark.parametrize("seed", range(20))
def test_largest_remainder_sums_exactly_and_stays_within_one_of_the_quota(seed: int) -> None:
    rng = random.Random(seed)
    weights = [rng.choice([0.4, 0.7, 1.0, 1.2, 1.5]) for _ in range(rng.randint(1, 40))]
    budget = rng.randint(0, 100_003)
    counts = largest_remainder(weights, budget)
    assert sum(counts) == budget
    quotas = [budget * w / sum(weights) for w in weights]
    assert all(q - 1 < c < q + 1 for c, q in zip(counts, quotas, strict=True))


def _results(scores: list[float | None]) -> list[dict[str, object]]:
    ranked = sorted((s for s in scores if s is not None), reverse=True)
    return [
        {"entity_id": f"U{i}", "name": f"unit {i}", "score": s, "rank": None if s is None else 1 + ranked.index(s)}
        for i, s in enumerate(scores)
    ]


def test_rows_shares_sum_to_one_and_traffic_to_the_budget() -> None:
    rows = allocation_rows(_results([4.8, 4.1, 3.6, 3.1, 2.0, None]), DEFAULT, 1001)
    assert [r.band for r in rows] == ["A", "B", "C", "D", "E", "E"]
    assert rows[-1].entity_id == "U5" and rows[-1].score is None and rows[-1].percentile_band == "rest"
    assert sum(r.share for r in rows) == pytest.approx(1.0)
    assert sum(r.traffic for r in rows) == 1001
    assert rows[0].share == pytest.approx(1.5 / (1.5 + 1.2 + 1.0 + 0.7 + 0.4 + 0.4))


def _store_run(ws: Workspace, run_id: str, scale: str, scores: dict[str, float | None], created: datetime) -> None:
    ranked = sorted((s for s in scores.values() if s is not None), reverse=True)
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(
            tables.evaluation_runs.insert().values(
                run_id=run_id,
                model_id="m",
                version=1,
                period="2026-03",
                level="branch",
                parameters={"scale": scale},
                created_at=created,
            )
        )
        conn.execute(
            tables.evaluation_results.insert(),
            [
                {
                    "run_id": run_id,
                    "entity_id": e,
                    "score": s,
                    "rank": None if s is None else 1 + ranked.index(s),
                    "result": {"entity_id": e, "name": f"网点{e}"},
                }
                for e, s in scores.items()
            ],
        )


def test_allocate_reads_a_stored_run(ws: Workspace) -> None:
    _store_run(ws, "old", "1-5", {"B1": 4.6, "B2": 3.0}, datetime(2026, 4, 1, tzinfo=UTC))
    _store_run(ws, "new", "0-100", {"B1": 95.0, "B2": 75.0, "B3": None}, datetime(2026, 4, 2, tzinfo=UTC))
    latest = allocate(ws, 100)
    assert latest.run_id == "new" and latest.scale == "0-100"
    assert [(r.entity_id, r.band, r.name) for r in latest.rows] == [
        ("B1", "A", "网点B1"),
        ("B2", "C", "网点B2"),
        ("B3", "E", "网点B3"),
    ]
    # 100 × (1.5, 1.0, 0.4) / 2.9 = 51.72, 34.48, 13.79 → floors 51, 34, 13; two left go to .79 and .72
    assert [r.traffic for r in latest.rows] == [52, 34, 14]
    old = allocate(ws, 10, run_id="old", bands="4:3,0:1")
    assert [(r.band, r.traffic) for r in old.rows] == [("A", 8), ("B", 2)]
    with pytest.raises(InputError, match="no stored evaluation run"):
        allocate(ws, 10, run_id="nope")


def test_cli_json_rows(ws: Workspace) -> None:
    _store_run(ws, "r1", "1-5", {"B1": 4.2, "B2": 3.7, "B3": 1.5}, datetime(2026, 4, 1, tzinfo=UTC))
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # two commands, so Typer keeps `allocate` as a subcommand
    result = CliRunner().invoke(app, ["allocate", "--run", "r1", "--budget", "7", "-w", str(ws.root), "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert list(rows[0]) == ["entity_id", "name", "score", "band", "multiplier", "share", "traffic", "percentile_band"]
    assert sum(r["traffic"] for r in rows) == 7


def test_cli_help_states_the_flow_default() -> None:
    assert DEFAULT_BANDS in BANDS_HELP
