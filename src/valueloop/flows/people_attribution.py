"""Agent-level evaluation: a shadow workspace where every attributable row belongs to its agent.

Interactions are recorded against a team (``entity_id``) and handled by an agent
(``agent_id``), and so is a conversation's QA score. To score agents with the same metric
engine as units, the rows that carry an agent are copied into a temporary workspace with
``entity_id`` replaced by the agent (feedback follows its interaction's agent), and the
model is cut to the indicators an agent controls (``controllable: true``) on
agent-attributable datasets, weights renormalised. Nothing is written to the real workspace.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

from valueloop.errors import InputError
from valueloop.spec.datasets import DATASETS
from valueloop.spec.model import Derived, Dimension, EvaluationModel, Indicator
from valueloop.spec.model_loader import derived_refs
from valueloop.store.lake import Lake, new_batch_id
from valueloop.store.workspace import Workspace, init_workspace

ATTRIBUTABLE = ("interactions", "interaction_steps", "feedback", "qa_scores")
COPIED = ("entities", "customers")


def _keep(ind: Indicator, kept: set[str]) -> bool:
    if isinstance(ind.measure, Derived):
        return derived_refs(ind.measure.expression) <= kept
    datasets = {
        ind.dataset,
        *(getattr(getattr(ind.measure, p, None), "dataset", None) for p in ("numerator", "denominator")),
    }
    return ind.controllable and datasets - {None} <= set(ATTRIBUTABLE)


def controllable_model(model: EvaluationModel) -> EvaluationModel:
    """The model cut to controllable, agent-attributable indicators, weights renormalised to 1."""
    simple = {i.id for i in model.indicators if not isinstance(i.measure, Derived) and _keep(i, set())}
    kept = simple | {i.id for i in model.indicators if isinstance(i.measure, Derived) and _keep(i, simple)}
    dims = []
    for d in model.dimensions:
        inds = [i for i in d.indicators if i.id in kept]
        total = sum(i.weight for i in inds)
        if inds and total > 0:
            dims.append(
                d.model_copy(
                    update={"indicators": tuple(i.model_copy(update={"weight": i.weight / total}) for i in inds)}
                )
            )
    if not dims:
        raise InputError(f"model {model.id!r} has no controllable indicator on {', '.join(ATTRIBUTABLE)}")
    dw = sum(d.weight for d in dims)
    fixed: list[Dimension] = [d.model_copy(update={"weight": d.weight / dw}) for d in dims]
    return model.model_copy(update={"dimensions": tuple(fixed), "level": "agent"})


def _agent_tables(lake: Lake) -> dict[str, pa.Table]:
    x = lake.read("interactions", DATASETS["interactions"].schema)
    x = x.filter(pc.is_valid(x["agent_id"]))
    x = x.set_column(x.schema.get_field_index("entity_id"), "entity_id", x["agent_id"])
    agent_of = dict(zip(x["interaction_id"].to_pylist(), x["agent_id"].to_pylist(), strict=True))
    fb = lake.read("feedback", DATASETS["feedback"].schema)
    agents = pa.array([agent_of.get(i) for i in fb["interaction_id"].to_pylist()], pa.string())
    fb = fb.set_column(fb.schema.get_field_index("entity_id"), "entity_id", agents).filter(pc.is_valid(agents))
    steps = lake.read("interaction_steps", DATASETS["interaction_steps"].schema)
    steps = steps.filter(pc.is_in(steps["interaction_id"], value_set=x["interaction_id"]))
    qa = lake.read("qa_scores", DATASETS["qa_scores"].schema)  # conversation QA scores carry their agent
    qa = qa.filter(pc.is_valid(qa["agent_id"]))
    qa = qa.set_column(qa.schema.get_field_index("entity_id"), "entity_id", qa["agent_id"])
    out = {"interactions": x, "feedback": fb, "interaction_steps": steps, "qa_scores": qa}
    return out | {n: lake.read(n, DATASETS[n].schema) for n in COPIED}


def agent_workspace(ws: Workspace, folder: Path, models: list[EvaluationModel]) -> Workspace:
    """Build the shadow workspace in ``folder`` (emptied first) with ``models`` as its model files."""
    shutil.rmtree(folder, ignore_errors=True)
    shadow = init_workspace(folder, template=ws.settings.workspace.template)
    for m in models:
        doc = m.model_dump(mode="json", exclude_defaults=True) | {"id": m.id, "version": m.version, "level": "agent"}
        (shadow.models_dir / f"{m.id}-v{m.version}.yaml").write_text(
            yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8"
        )
    lake = Lake(shadow.lake_dir)
    with lake.transaction(new_batch_id()) as txn:
        for name, table in _agent_tables(Lake(ws.lake_dir)).items():
            path = txn.new_path(name, name)
            pq.write_table(table, path)
            txn.add(name, path)
    return shadow
