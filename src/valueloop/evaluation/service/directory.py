"""Use case: what the pages call things — every unit's name and level, every indicator's definition.

People read "上海浦东支行 (B010)" and "首次响应时长 (分钟)", not ``B010`` and ``first_response``. The
names live in two places already: the entity table in the lake and the model files. This module
reads them once per lake snapshot / model file set (both cached on what changes them), so a page
can name every unit and indicator it shows without a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from valueloop.evaluation.service.models import latest_versions
from valueloop.spec.datasets import DATASETS
from valueloop.spec.model import Indicator
from valueloop.store.lake import Lake, read_parquet_files
from valueloop.store.workspace import Workspace


@dataclass(frozen=True)
class UnitInfo:
    """One unit of the organisation tree as the entity table has it."""

    entity_id: str
    name: str
    level: str
    parent_id: str | None


def unit_directory(ws: Workspace) -> dict[str, UnitInfo]:
    """Every unit in the lake's entity table by id (empty before entities are ingested)."""
    return _read_units(tuple(Lake(ws.lake_dir).files("entities")))


@lru_cache(maxsize=8)
def _read_units(files: tuple[Path, ...]) -> dict[str, UnitInfo]:
    """Cached per set of entity files: a re-ingest writes new files, so the key changes with the data."""
    table = read_parquet_files(list(files), DATASETS["entities"].schema)
    cols = table.to_pydict()
    out: dict[str, UnitInfo] = {}
    for eid, name, level, parent in zip(cols["entity_id"], cols["name"], cols["type"], cols["parent_id"], strict=True):
        out[str(eid)] = UnitInfo(str(eid), str(name or eid), str(level or ""), str(parent) if parent else None)
    return out


def indicator_catalogue(ws: Workspace, prefer: str | None = None) -> dict[str, Indicator]:
    """Indicator id → its definition (name, unit, direction) in the newest version of each model.

    When two models define the same id, ``prefer`` (the model a page shows) wins, then the
    workspace's template model.
    """
    models = latest_versions(ws)
    first = {prefer, ws.settings.workspace.template}
    ordered = [m for m in models if m.id not in first] + [m for m in models if m.id in first and m.id != prefer]
    ordered += [m for m in models if m.id == prefer]
    return {i.id: i for m in ordered for i in m.indicators}


def below(units: dict[str, UnitInfo], root: str) -> set[str]:
    """Every unit under ``root`` in the tree (not ``root`` itself): what a region head's page rolls up."""
    children: dict[str, list[str]] = {}
    for info in units.values():
        if info.parent_id:
            children.setdefault(info.parent_id, []).append(info.entity_id)
    seen: set[str] = set()
    todo = list(children.get(root, []))
    while todo:
        unit = todo.pop()
        if unit not in seen:
            seen.add(unit)
            todo.extend(children.get(unit, []))
    return seen
