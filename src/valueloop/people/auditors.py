"""Who can audit and what: units from the entity tree, auditors from ``staff`` or a default pool.

Auditors come from the ``staff`` dataset (rows with ``role == "auditor"``, their ``region``
and yearly ``capacity``). When a workspace has no such rows, a **default pool** is derived
so planning still works, and the plan says so:

* with two or more regions: ``n`` auditors per region, ids ``AUD-<region entity>-<k>``,
  home region = that region, ``n = max(2, ⌈1.25 · visits / (250 · (regions − 1))⌉)``, so
  the auditors from outside any one region can cover it with 25 % slack;
* with one region (or none), an external agency: ``AUD-EXT-<k>`` with no home region.

Each default auditor can make :data:`DEFAULT_CAPACITY` visits a year (about one per
working day). Replace the default by ingesting a ``staff`` file with auditor rows.
"""

from __future__ import annotations

import math

import pandas as pd

from valueloop.people.audit_plan import Auditor, Unit

DEFAULT_CAPACITY = 250
AUDITOR_ROLE = "auditor"


def units_at(entities: pd.DataFrame, level: str) -> list[Unit]:
    """Entities of type ``level`` with their region (None when unknown)."""
    rows = entities[entities["type"] == level]
    return [Unit(str(e), _region(r)) for e, r in zip(rows["entity_id"], rows["region"], strict=True)]


def _region(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def staff_auditors(staff: pd.DataFrame) -> list[Auditor]:
    """Auditor rows of the ``staff`` dataset; a missing capacity counts as the default."""
    rows = staff[staff["role"] == AUDITOR_ROLE]
    return [
        Auditor(str(s), _region(r), DEFAULT_CAPACITY if pd.isna(c) else int(c))
        for s, r, c in zip(rows["staff_id"], rows["region"], rows["capacity"], strict=True)
    ]


def default_auditors(entities: pd.DataFrame, visits: int) -> list[Auditor]:
    """The documented default pool (see the module docstring)."""
    regions = entities[entities["type"] == "region"].sort_values("entity_id")
    names = [(str(e), _region(r)) for e, r in zip(regions["entity_id"], regions["region"], strict=True)]
    names = [(e, r) for e, r in names if r is not None]
    if len(names) < 2:
        n = max(2, math.ceil(1.25 * visits / DEFAULT_CAPACITY))
        return [Auditor(f"AUD-EXT-{k + 1}", None, DEFAULT_CAPACITY) for k in range(n)]
    n = max(2, math.ceil(1.25 * visits / (DEFAULT_CAPACITY * (len(names) - 1))))
    return [Auditor(f"AUD-{e}-{k + 1}", r, DEFAULT_CAPACITY) for e, r in names for k in range(n)]
