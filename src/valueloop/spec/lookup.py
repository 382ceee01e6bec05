"""Where models look datasets and their fields up: one function, so the registry can change in one place.

Model checks (:mod:`.model_loader`) and the engine (:mod:`valueloop.metrics.run`) ask
:func:`dataset_spec` for a dataset's fields and time field; today it reads the canonical
registry :data:`valueloop.spec.datasets.DATASETS`.

A field level (``level: {field: agent_id}``) places a row in a unit by a field of the row;
rows of a dataset without that field but with an ``interaction_id`` take it from their
interaction (feedback is its interaction's agent's; a step its interaction's call type's).
"""

from __future__ import annotations

from typing import Literal

from valueloop.spec.datasets import DATASETS, Dataset

VIA = "interactions"
"""The dataset a row without the level field reaches through its ``interaction_id``."""

UnitSource = Literal["own", "interaction"]


def known_datasets() -> dict[str, Dataset]:
    """Every dataset models may read, by name (the one line to switch to a workspace's registry)."""
    return DATASETS


def dataset_spec(name: str) -> Dataset | None:
    """The dataset called ``name``, or None when there is none."""
    return known_datasets().get(name)


def unit_source(dataset: str, field: str) -> UnitSource | None:
    """How rows of ``dataset`` get the value of level field ``field``: their own column, their
    interaction's, or (None) not at all."""
    ds, via = dataset_spec(dataset), dataset_spec(VIA)
    if ds is None:
        return None
    if field in ds.by_name:
        return "own"
    if "interaction_id" in ds.by_name and via is not None and field in via.by_name and dataset != VIA:
        return "interaction"
    return None


def is_numeric(dataset: str, column: str) -> bool:
    """Whether ``column`` holds numbers (integers, decimals, booleans, durations in seconds)."""
    ds = dataset_spec(dataset)
    field = ds.by_name.get(column) if ds else None
    return field is not None and field.kind not in ("string", "timestamp")
