"""The entity tree: which unit at the scored level each entity's rows roll up to.

Scores at any level are computed from the raw rows of the whole subtree (a median of
medians is not a median), so every entity is mapped to its ancestor at that level and
the query groups raw rows by that ancestor.
"""

from __future__ import annotations

import pandas as pd


def ancestors_at(entities: pd.DataFrame, level: str) -> dict[str, str]:
    """entity_id → id of its ancestor of type ``level`` (itself when it is of that type)."""
    parent = dict(zip(entities["entity_id"], entities["parent_id"], strict=True))
    kind = dict(zip(entities["entity_id"], entities["type"], strict=True))
    out: dict[str, str] = {}
    for start in parent:
        node: str | None = start
        seen: set[str] = set()
        while node is not None and node not in seen and kind.get(node) != level:
            seen.add(node)
            node = parent.get(node) if isinstance(parent.get(node), str) else None
        if node is not None and kind.get(node) == level:
            out[start] = node
    return out


def units(entities: pd.DataFrame, level: str) -> pd.DataFrame:
    """The units at ``level`` with their names, in id order."""
    rows = entities[entities["type"] == level][["entity_id", "name"]]
    return rows.sort_values("entity_id").reset_index(drop=True)
