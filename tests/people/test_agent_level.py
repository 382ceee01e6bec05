"""Agent scorecards are a normal evaluation at the field level ``agent_id``.

The oracle is the former path, kept here verbatim in substance: a temporary shadow
workspace where every row that carries an agent is copied with ``entity_id`` replaced
by the agent (feedback follows its interaction's agent), evaluated at the entity level
``agent``. On the demo data both must give the same scorecards, unit for unit.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml

from valueloop.accounts.service.workspace import create_workspace
from valueloop.demo.generate import generate
from valueloop.evaluation.service.evaluate import evaluate
from valueloop.evaluation.service.models import load_versions
from valueloop.ingest.service.ingest import ingest
from valueloop.people.service.attribution import AGENT_LEVEL, controllable_model
from valueloop.people.service.audits import scorecards
from valueloop.spec.datasets import DATASETS
from valueloop.spec.model import EvaluationModel
from valueloop.store.lake import Lake, new_batch_id
from valueloop.store.workspace import Workspace, init_workspace, open_workspace


def _agent_tables(lake: Lake) -> dict[str, pa.Table]:
    x = lake.read("interactions", DATASETS["interactions"].schema)
    x = x.filter(pc.is_valid(x["agent_id"]))
    x = x.set_column(x.schema.get_field_index("entity_id"), "entity_id", x["agent_id"])
    agent_of = dict(zip(x["interaction_id"].to_pylist(), x["agent_id"].to_pylist(), strict=True))
    fb = lake.read("feedback", DATASETS["feedback"].schema)
    agents = pa.array([agent_of.get(i) for i in fb["interaction_id"].to_pylist()], pa.string())
    fb = fb.set_column(fb.schema.get_field_index("entity_id"), "entity_id", agents).filter(pc.is_valid(agents))
    out = {"interactions": x, "feedback": fb}
    return out | {n: lake.read(n, DATASETS[n].schema) for n in ("entities", "customers")}


def _shadow(ws: Workspace, folder: Path, models: list[EvaluationModel]) -> Workspace:
    """The former ``agent_workspace``: rows re-attributed to agents in a temporary workspace."""
    shutil.rmtree(folder, ignore_errors=True)
    shadow = init_workspace(folder, template=ws.settings.workspace.template)
    for m in models:
        doc = m.model_dump(mode="json", exclude_defaults=True) | {"id": m.id, "version": m.version, "level": "agent"}
        (shadow.models_dir / f"{m.id}-v{m.version}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    lake = Lake(shadow.lake_dir)
    with lake.transaction(new_batch_id()) as txn:
        for name, table in _agent_tables(Lake(ws.lake_dir)).items():
            path = txn.new_path(name, name)
            pq.write_table(table, path)
            txn.add(name, path)
    return shadow


@pytest.fixture(scope="module", params=[(40, 5_000, 11), (60, 3_000, 23)], ids=["seed11", "seed23"])
def ws(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Workspace:
    entities, interactions, seed = request.param
    root = tmp_path_factory.mktemp("agents")
    paths = generate(root / "src", entities=entities, interactions=interactions, seed=seed)
    create_workspace(root / "ws")
    w = open_workspace(root / "ws")
    for name in ("entities", "customers", "interactions", "feedback", "staff"):
        ingest(w, name, [paths[name]])
    return w


def _former(ws: Workspace, period: str) -> dict[str, Any]:
    models = [controllable_model(m).model_copy(update={"level": "agent"}) for m in load_versions(ws, None)]
    with tempfile.TemporaryDirectory() as tmp:
        shadow = _shadow(ws, Path(tmp) / "agents", models)
        run = evaluate(shadow, models[-1].id, period, "agent", store=False)
    return {r.entity_id: r.model_dump(exclude={"name"}) for r in run.results}


def test_field_level_agent_equals_the_former_shadow_workspace(ws: Workspace) -> None:
    models = [controllable_model(m) for m in load_versions(ws, None)]
    assert models[-1].level == AGENT_LEVEL
    periods = sorted({scorecards(ws, export=False).period, "2026-03", "2026-07"})
    for period in periods:
        run = evaluate(ws, models[-1].id, period, store=False, versions=models)
        new = {r.entity_id: r.model_dump(exclude={"name"}) for r in run.results}
        former = _former(ws, period)
        with_data = {
            k: v for k, v in former.items() if v["score"] is not None or any(i["n"] for i in v["indicators"].values())
        }
        assert new == with_data, period
        assert set(former) - set(new) == {k for k in former if k not in with_data}


def test_scorecards_name_agents_from_the_entity_tree(ws: Workspace) -> None:
    doc = scorecards(ws, export=False).model_dump(mode="json")
    names = {c["agent_id"]: c["name"] for c in doc["scorecards"]}
    entities = Lake(ws.lake_dir).read("entities", DATASETS["entities"].schema).to_pandas().set_index("entity_id")
    assert names and all(names[a] == entities["name"].get(a, a) for a in names)
    assert all(c["team_id"] == entities["parent_id"].get(c["agent_id"]) for c in doc["scorecards"])
