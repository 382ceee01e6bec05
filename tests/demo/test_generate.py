"""The demo generator: canonical schemas, valid values, a consistent tree, and visible stories."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from scipy import stats

from valueloop.demo import phrases
from valueloop.demo.generate import STORIES_FILE, generate
from valueloop.errors import InputError
from valueloop.spec.datasets import DATASETS as ALL_DATASETS
from valueloop.spec.datasets import Dataset

DATASETS = {name: d for name, d in ALL_DATASETS.items() if not d.derived}
"""The generator writes source datasets; derived ones (feedback_text) are computed after ingest."""

LOCAL = "Asia/Shanghai"
SMALL = {"entities": 60, "interactions": 2_000, "seed": 11}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small")
    generate(out, **SMALL)
    return out


@pytest.fixture(scope="module")
def moderate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Big enough for the stories to be statistically clear, still well under a second."""
    out = tmp_path_factory.mktemp("moderate")
    generate(out, entities=120, interactions=30_000, seed=7)
    return out


def _read(folder: Path, name: str) -> pa.Table:
    return pq.read_table(folder / f"{name}.parquet")


def _frame(folder: Path, name: str) -> pd.DataFrame:
    return _read(folder, name).to_pandas()


def _stories(folder: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((folder / STORIES_FILE).read_text(encoding="utf-8"))
    return doc


def _month(ts: pd.Series) -> pd.Series:
    return ts.dt.tz_convert(LOCAL).dt.strftime("%Y-%m")


# --- contract: files, schemas, determinism -------------------------------------------------


def test_every_dataset_is_written_with_the_canonical_schema(small: Path, tmp_path: Path) -> None:
    paths = generate(tmp_path, **SMALL)
    assert set(paths) == set(DATASETS)
    for name, dataset in DATASETS.items():
        assert paths[name] == tmp_path / f"{name}.parquet"
        schema = pq.read_schema(paths[name])
        assert schema.equals(dataset.schema, check_metadata=False), name
        assert _read(small, name).num_rows > 0, name


def test_same_arguments_give_identical_files_and_another_seed_does_not(small: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, **SMALL)
    for file in [*(f"{name}.parquet" for name in DATASETS), STORIES_FILE]:
        assert (small / file).read_bytes() == (again / file).read_bytes(), file
    other = tmp_path / "other"
    generate(other, **(SMALL | {"seed": 12}))
    assert not _read(other, "interactions").equals(_read(small, "interactions"))


@pytest.mark.parametrize("kwargs", [{"months": 2}, {"interactions": 10}])
def test_unusable_arguments_are_rejected(tmp_path: Path, kwargs: dict[str, int]) -> None:
    with pytest.raises(InputError):
        generate(tmp_path, **kwargs)


# --- every value check of the spec holds ---------------------------------------------------


def _check_dataset(table: pa.Table, dataset: Dataset) -> None:
    for f in dataset.fields:
        col = table.column(f.name)
        if f.required:
            assert col.null_count == 0, f.name
        values = pc.drop_null(col)
        if f.minimum is not None:
            assert pc.all(pc.greater_equal(values, f.minimum)).as_py() is not False, f.name
        if f.maximum is not None:
            assert pc.all(pc.less_equal(values, f.maximum)).as_py() is not False, f.name
        if f.allowed:
            assert set(pc.unique(values).to_pylist()) <= set(f.allowed), f.name
    for check in dataset.order_checks:
        wrong = pc.less(table.column(check.later), table.column(check.earlier))
        assert not pc.any(pc.fill_null(wrong, False)).as_py(), f"{check.later} < {check.earlier}"
    keys = table.select(list(dataset.key)).group_by(list(dataset.key)).aggregate([])
    assert keys.num_rows == table.num_rows, f"{dataset.name} key {dataset.key} not unique"


@pytest.mark.parametrize("name", list(DATASETS))
def test_values_satisfy_the_dataset_checks(small: Path, name: str) -> None:
    _check_dataset(_read(small, name), DATASETS[name])


def test_timestamps_lie_inside_the_window(small: Path) -> None:
    window = _stories(small)["window"]
    start, end = pd.Timestamp(window["start"]), pd.Timestamp(window["end"])
    for name, dataset in DATASETS.items():
        frame = _frame(small, name)
        for f in dataset.fields:
            if f.kind == "timestamp":
                values = frame[f.name].dropna()
                assert values.min() >= start, (name, f.name)
                assert values.max() <= end, (name, f.name)


# --- references between datasets ----------------------------------------------------------


def test_entity_tree_is_connected_and_layered(small: Path) -> None:
    ent = _frame(small, "entities").set_index("entity_id")
    parent_type = ent.parent_id.map(ent.type)
    expected = {"company": None, "region": "company", "branch": "region", "team": "branch", "agent": "team"}
    assert (ent.type == "company").sum() == 1
    assert ent.index[ent.type == "company"].tolist() == ["C0"]
    for kind, parent in expected.items():
        rows = ent[ent.type == kind]
        assert len(rows) > 0, kind
        assert (parent_type[rows.index].isna() if parent is None else parent_type[rows.index] == parent).all(), kind
    branches = ent[ent.type == "branch"]
    assert set(branches.industry) == {"banking", "ecommerce", "hotel", "after_sales", "telecom"}
    assert 50 <= len(ent) <= 70


def test_interactions_point_at_existing_units_agents_and_customers(small: Path) -> None:
    ent = _frame(small, "entities").set_index("entity_id")
    it = _frame(small, "interactions")
    assert it.entity_id.map(ent.type).isin(["branch", "team"]).all()
    staffed = it.dropna(subset=["agent_id"])
    assert (staffed.agent_id.map(ent.type) == "agent").all()
    assert (staffed.agent_id.map(ent.parent_id) == staffed.entity_id).all(), "agent works in the interaction's team"
    assert not it[it.agent_id.isna()].entity_id.map(ent.type).eq("team").any()
    customers = set(_frame(small, "customers").customer_id)
    for name in ("interactions", "feedback", "events", "orders"):
        assert set(_frame(small, name).customer_id.dropna()) <= customers, name
    ids = set(it.interaction_id)
    assert set(_frame(small, "feedback").interaction_id.dropna()) <= ids
    assert set(_frame(small, "interaction_steps").interaction_id) <= ids
    for name in ("feedback", "events", "orders"):
        assert set(_frame(small, name).entity_id.dropna()) <= set(ent.index), name


# --- realism ------------------------------------------------------------------------------


def test_service_looks_like_a_service_desk(moderate: Path) -> None:
    it = _frame(moderate, "interactions")
    routine = it[(it.channel == "bot") & it.category.isin(["account", "billing", "logistics", "inquiry"])]
    assert 0.8 <= routine.resolved_by_bot.mean() <= 0.9
    hours = it.opened_at.dt.tz_convert(LOCAL).dt.hour
    assert (hours.between(9, 17)).mean() > 0.5
    weekday = it.opened_at.dt.tz_convert(LOCAL).dt.day_of_week
    assert (weekday < 5).mean() > 5 / 7
    assert 0 < it.resolved_at.isna().mean() < 0.1
    assert (it.steps_completed <= it.steps_required).all()
    customers = _frame(moderate, "customers")
    assert 0.07 < customers.vip.mean() < 0.13
    orders = _frame(moderate, "orders")
    assert (orders.customer_id.value_counts() > 1).mean() > 0.3, "customers come back"


def test_feedback_scores_follow_the_service_received(moderate: Path) -> None:
    it = _frame(moderate, "interactions").drop(columns=["entity_id", "customer_id"]).set_index("interaction_id")
    fb = _frame(moderate, "feedback")
    surveys = fb[fb.kind == "survey"].join(it, on="interaction_id")
    assert surveys.groupby("reopened").csat.mean()[True] < surveys.groupby("reopened").csat.mean()[False] - 0.5
    wait = (surveys.first_response_at - surveys.opened_at).dt.total_seconds()
    slow = wait > wait.groupby(surveys.channel).transform("median") * 2
    assert surveys[slow].csat.mean() < surveys[~slow].csat.mean()
    assert stats.spearmanr(surveys.csat, surveys.nps, nan_policy="omit")[0] > 0.6
    assert 0.25 < len(surveys) / len(it) < 0.45
    assert set(fb.kind) == {"survey", "complaint", "review", "interview", "focus_group"}


def test_texts_are_varied_bilingual_and_agree_with_the_score(moderate: Path) -> None:
    fb = _frame(moderate, "feedback")
    texts = fb.text.dropna()
    assert texts.nunique() > 2_000
    assert 0 < fb.text.isna().mean() < 1
    chinese = texts.str.contains(r"[\u4e00-\u9fff]")
    assert 0.7 < chinese.mean() < 0.9
    sentences = {
        positive: {phrases.render(t, v, lang) for th in phrases.THEMES if th.positive == positive
                   for lang in phrases.LANGS for t in getattr(th, lang) for v in th.values}
        for positive in (True, False)
    }  # fmt: skip
    surveys = fb[(fb.kind == "survey") & fb.text.notna()]
    for low, forbidden in ((True, sentences[True]), (False, sentences[False])):
        rows = surveys[surveys.csat <= 2] if low else surveys[surveys.csat >= 4]
        assert len(rows) > 50
        assert not any(s in text for text in rows.text for s in forbidden)


def test_process_steps_fill_the_interaction_and_show_handoffs_and_rework(moderate: Path) -> None:
    it = _frame(moderate, "interactions").set_index("interaction_id")
    steps = _frame(moderate, "interaction_steps").sort_values(["interaction_id", "started_at"])
    assert 0.15 < steps.interaction_id.nunique() / len(it) < 0.3
    core = steps[steps.step != "回访"].join(it[["first_response_at", "resolved_at"]], on="interaction_id")
    spans = core.groupby("interaction_id").agg(
        start=("started_at", "min"), end=("ended_at", "max"), first=("first_response_at", "first"),
        resolved=("resolved_at", "first"),
    )  # fmt: skip
    tolerance = pd.Timedelta(milliseconds=1)
    assert ((spans.start - spans.first).abs() <= tolerance).all()
    done = spans.dropna(subset=["resolved"])
    assert ((done.end - done.resolved).abs() <= tolerance).all()
    follow_up = steps[steps.step == "回访"].join(it.resolved_at, on="interaction_id")
    assert (follow_up.started_at > follow_up.resolved_at).all()
    assert steps.duplicated(["interaction_id", "step"]).mean() > 0.01, "some steps are reworked"
    previous = steps.groupby("interaction_id").shift()
    gap = (steps.started_at - previous.ended_at).dt.total_seconds()
    handoff = previous.department.notna() & (previous.department != steps.department) & (steps.step != "回访")
    same = previous.department.notna() & (previous.department == steps.department)
    assert gap[handoff].median() > 3 * gap[same].median()


# --- planted stories ----------------------------------------------------------------------


def _slowdown(it: pd.DataFrame, since: pd.Timestamp) -> float:
    """Median first-response time after ``since`` over before, each wait relative to its channel's
    median before: a wait on email is hours, on the phone seconds, so the raw median also moves with
    the channel mix, which is noise here."""
    wait = (it.first_response_at - it.opened_at).dt.total_seconds()
    after = it.opened_at >= since
    relative = wait / it.channel.map(wait[~after].groupby(it.channel[~after]).median())
    return float(relative[after].median() / relative[~after].median())


def test_degraded_branch_is_slower_after_its_month(moderate: Path) -> None:
    story = _stories(moderate)["stories"]["degraded_branch"]
    it = _frame(moderate, "interactions")
    it = it[it.agent_id.notna() & (it.channel != "bot")]  # the bot answers instantly everywhere
    mine = it.entity_id.isin([story["branch_id"], *story["team_ids"]])
    since = pd.Timestamp(story["from"])
    assert _slowdown(it[mine], since) >= 1.25
    assert 0.9 < _slowdown(it[~mine], since) < 1.1
    res = (it.resolved_at - it.opened_at).dt.total_seconds()
    after = it.opened_at >= since
    assert res[mine & after].median() > 1.15 * res[mine & ~after].median()


@pytest.mark.parametrize("folder", ["small", "moderate"])
def test_emerging_topic_grows_every_month(folder: str, request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(folder)
    story = _stories(out)["stories"]["emerging_topic"]
    fb = _frame(out, "feedback")
    hit = fb.text.fillna("").str.contains("|".join(story["keywords"]), regex=True)
    assert (fb[hit].kind == "complaint").all()
    months = _month(fb[hit].submitted_at).value_counts().sort_index()
    assert months.index.min() == story["from_month"]
    assert months.to_dict() == story["monthly_counts"]
    assert months.is_monotonic_increasing
    assert months.is_unique
    assert months.iloc[-1] >= 3 * months.iloc[0]


def test_ab_test_arm_is_recoverable_and_lifts_csat(moderate: Path) -> None:
    story = _stories(moderate)["stories"]["ab_test"]
    it = _frame(moderate, "interactions")
    scope = (
        it.entity_id.isin(story["entity_ids"]) & it.agent_id.notna()
        & (it.opened_at >= pd.Timestamp(story["start"])) & (it.opened_at < pd.Timestamp(story["end"]))
    )  # fmt: skip
    scoped = it[scope].assign(treated=lambda d: d.customer_id.str[1:].astype(int) % 2 == 1)
    assert 0.4 < scoped.treated.mean() < 0.6
    fb = _frame(moderate, "feedback")
    surveys = fb[fb.kind == "survey"].merge(scoped[["interaction_id", "treated"]], on="interaction_id")
    treatment, control = surveys[surveys.treated].csat, surveys[~surveys.treated].csat
    lift = treatment.mean() - control.mean()
    assert 0.15 < lift < 0.5
    assert stats.ttest_ind(treatment, control, equal_var=False).pvalue < 0.001
    assert story["observed"]["treatment_surveys"] == len(treatment)
    assert story["observed"]["csat_lift"] == pytest.approx(lift, abs=1e-3)
    outside = fb[fb.kind == "survey"].merge(it.loc[~scope, ["interaction_id"]], on="interaction_id")
    placebo = outside.customer_id.str[1:].astype(int) % 2 == 1
    assert abs(outside[placebo].csat.mean() - outside[~placebo].csat.mean()) < 0.1


def test_incidents_stand_out_in_the_event_stream(small: Path) -> None:
    incidents = _stories(small)["stories"]["incidents"]
    assert {i["kind"] for i in incidents} == {"error_burst", "traffic_spike"}
    ev = _frame(small, "events")
    for inc in incidents:
        start, end = pd.Timestamp(inc["start"]), pd.Timestamp(inc["end"])
        same = ev[(ev.entity_id == inc["entity_id"]) & ev.type.isin(inc["event_types"])]
        inside = same.ts.between(start, end, inclusive="left")
        assert inside.sum() >= inc["events"]
        minutes_outside = (ev.ts.max() - ev.ts.min()).total_seconds() / 60
        rate_inside, rate_outside = inside.sum() / inc["minutes"], (~inside).sum() / minutes_outside
        assert rate_inside > 50 * rate_outside, inc["id"]


def test_orders_and_returns_are_plausible(moderate: Path) -> None:
    od = _frame(moderate, "orders")
    assert 0.02 < od.returned.mean() < 0.1
    assert od.return_requested_at.notna().eq(od.returned).all()
    assert od.amount.median() > 0
    assert od.amount.max() > 20 * od.amount.median()
    ent = _frame(moderate, "entities").set_index("entity_id")
    shop = od[od.returned & (od.entity_id.map(ent.industry) == "ecommerce")].dropna(subset=["return_completed_at"])
    took = (shop.return_completed_at - shop.return_requested_at).dt.total_seconds()
    start = pd.Timestamp(_stories(moderate)["window"]["start"])
    topic_start = _stories(moderate)["stories"]["emerging_topic"]["from_month"]
    late = _month(shop.return_requested_at) >= topic_start
    assert took[late].median() > 2 * took[~late].median()
    assert (shop.ordered_at >= start).all()


def test_generation_is_fast(tmp_path: Path) -> None:
    began = time.perf_counter()
    generate(tmp_path, interactions=100_000)
    assert time.perf_counter() - began < 10
