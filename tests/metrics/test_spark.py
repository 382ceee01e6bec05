"""Scale-out: the same model gives the same numbers on Apache Spark (local mode) as on DuckDB."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from valueloop.demo.pipeline import run_demo
from valueloop.evaluation.service.models import template_path
from valueloop.metrics.run import compute_values
from valueloop.people.service.attribution import controllable_model
from valueloop.spec.model import Derived, EvaluationModel, MixBenchmark, Ratio
from valueloop.spec.model_loader import load_model
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace, open_workspace

KEYS = ["entity_id", "period", "indicator", "segment"]


def _on(ws: Workspace, engine: str) -> Warehouse:
    lake = ws.settings.lake.model_copy(update={"warehouse": engine})
    return Warehouse(Workspace(ws.root, ws.settings.model_copy(update={"lake": lake})))


@pytest.mark.slow
@pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)  # py4j sockets
def test_spark_matches_duckdb(tmp_path: Path) -> None:
    run_demo(tmp_path / "demo", interactions=5_000, log=lambda _: None)
    ws = open_workspace(tmp_path / "demo")
    model = load_model(template_path("three-dimension"))
    periods = ["2026-09", "2026-10"]
    spark_wh = _on(ws, "pyspark")
    try:
        for m in (model, _by_agent_mix_adjusted(model)):
            duck, _ = compute_values(_on(ws, "duckdb"), m, periods)
            spark, _ = compute_values(spark_wh, m, periods)
            a = duck.fillna({"segment": ""}).sort_values(KEYS).reset_index(drop=True)
            b = spark.fillna({"segment": ""}).sort_values(KEYS).reset_index(drop=True)
            pd.testing.assert_frame_equal(a[[*KEYS, "n"]], b[[*KEYS, "n"]])
            assert a["value"].notna().sum() > 100
            for column in ("value", "expected", "reference"):
                pd.testing.assert_series_equal(a[column], b[column], rtol=1e-9, atol=1e-12)
        assert a["expected"].notna().sum() > 20, "the field-level model has mix-adjusted values"
    finally:
        spark_wh.con._session.stop()


def _by_agent_mix_adjusted(model: EvaluationModel) -> EvaluationModel:
    """The model's agent-controllable cut at the field level agent_id (feedback through its
    interaction), its interaction indicators mix-adjusted by category."""
    cut = controllable_model(model)
    mix = MixBenchmark(segment_by="category")
    dims = [
        d.model_copy(update={"indicators": tuple(
            i.model_copy(update={"benchmark": mix}) if i.dataset == "interactions"
            and not isinstance(i.measure, Derived | Ratio) else i for i in d.indicators)})
        for d in cut.dimensions
    ]  # fmt: skip
    assert cut.level == "field:agent_id"
    return cut.model_copy(update={"dimensions": tuple(dims)})


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_spark_matches_duckdb_on_an_own_dataset_with_field_levels(tmp_path: Path) -> None:
    """The call-centre template: an own dataset (durations in seconds), levels that are fields
    (call type, agent) and the agents' mix adjustment by call type give the same numbers."""
    from datetime import date

    from valueloop.accounts.service.workspace import create_workspace
    from valueloop.demo.call_log import simulate, write_call_log
    from valueloop.evaluation.service.models import load_versions
    from valueloop.ingest.service.ingest import ingest

    log = write_call_log(tmp_path / "calls.csv", simulate(date(1999, 8, 1), 6, calls_per_day=500, seed=5))
    create_workspace(tmp_path / "bank", template="call-centre")
    ws = open_workspace(tmp_path / "bank")
    summary = ingest(ws, "calls", [log], ws.root / "mappings" / "calls.yaml")
    assert summary.stored > 2_500 and summary.quarantined == 0
    spark_wh = _on(ws, "pyspark")
    try:
        for model_id in ("call-types", "agents"):
            model = load_versions(ws, model_id)[-1]
            duck, _ = compute_values(_on(ws, "duckdb"), model, ["1999-08"])
            spark, _ = compute_values(spark_wh, model, ["1999-08"])
            a = duck.fillna({"segment": ""}).sort_values(KEYS).reset_index(drop=True)
            b = spark.fillna({"segment": ""}).sort_values(KEYS).reset_index(drop=True)
            pd.testing.assert_frame_equal(a[[*KEYS, "n"]], b[[*KEYS, "n"]])
            for column in ("value", "expected", "reference"):
                pd.testing.assert_series_equal(a[column], b[column], rtol=1e-9, atol=1e-12)
            assert a["value"].notna().sum() >= 6 * 6 if model_id == "call-types" else a["expected"].notna().any()
    finally:
        spark_wh.con._session.stop()
