"""Where models look datasets and their fields up: one function, so the registry can change in one place.

Model checks (:mod:`.model_loader`) and the engine (:mod:`valueloop.metrics.run`) ask
:func:`dataset_spec` for a dataset's fields and time field. A workspace knows more datasets
than the canonical ones (its own ``datasets/*.yaml`` and mappings' ``extra:`` fields, see
:mod:`valueloop.spec.registry`): a use case that works on one workspace says so once with
:func:`using` (``with using(ws.datasets): ...``), and every lookup below it sees that registry;
outside one, the canonical registry :data:`valueloop.spec.datasets.DATASETS` applies.

A field level (``level: {field: agent_id}``) places a row in a unit by a field of the row;
rows of a dataset without that field but with an ``interaction_id`` take it from their
interaction (feedback is its interaction's agent's; a step its interaction's call type's).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

from valueloop.spec.datasets import DATASETS, Dataset

VIA = "interactions"
"""The dataset a row without the level field reaches through its ``interaction_id``."""

UnitSource = Literal["own", "interaction"]


_IN_USE: ContextVar[Mapping[str, Dataset]] = ContextVar("datasets_in_use", default=DATASETS)


@contextmanager
def using(datasets: Mapping[str, Dataset]) -> Iterator[None]:
    """Look datasets up in ``datasets`` (a workspace's registry) for the duration of the block."""
    token = _IN_USE.set(datasets)
    try:
        yield
    finally:
        _IN_USE.reset(token)


def known_datasets() -> Mapping[str, Dataset]:
    """Every dataset models may read, by name: the registry in use (canonical by default)."""
    return _IN_USE.get()


def dataset_spec(name: str, datasets: Mapping[str, Dataset] | None = None) -> Dataset | None:
    """The dataset called ``name`` (in ``datasets``, else the registry in use), or None when there is none."""
    return (known_datasets() if datasets is None else datasets).get(name)


def unit_source(dataset: str, field: str, datasets: Mapping[str, Dataset] | None = None) -> UnitSource | None:
    """How rows of ``dataset`` get the value of level field ``field``: their own column, their
    interaction's, or (None) not at all."""
    ds, via = dataset_spec(dataset, datasets), dataset_spec(VIA, datasets)
    if ds is None:
        return None
    if field in ds.by_name:
        return "own"
    if "interaction_id" in ds.by_name and via is not None and field in via.by_name and dataset != VIA:
        return "interaction"
    return None
