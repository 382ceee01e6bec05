"""Group commit: writers that arrive together share one commit, a failing write rolls back alone and raises to
its caller, and every caller's write is in the database when :func:`group_commit.run` returns."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from valueloop.store import appdb, group_commit
from valueloop.store.tables import survey_links as links
from valueloop.store.workspace import Workspace

NOW = datetime(2026, 6, 10, tzinfo=UTC)


def _insert(unit: str, fail: bool = False) -> Callable[[sa.Connection], str]:
    def job(conn: sa.Connection) -> str:
        conn.execute(links.insert().values(link_id=unit, survey_id="s", entity_id=unit, created_at=NOW,
                                           expires_at=NOW))  # fmt: skip
        if fail:
            raise ValueError(f"{unit} refused")
        return unit

    return job


def test_writers_together_commit_together_and_a_failure_rolls_back_alone(ws: Workspace) -> None:
    url = ws.database_url
    appdb.engine(url)
    results: dict[str, object] = {}

    def write(unit: str) -> None:
        try:
            results[unit] = group_commit.run(url, _insert(unit, fail=unit == "U3"))
        except ValueError as err:
            results[unit] = err

    threads = [threading.Thread(target=write, args=(f"U{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert isinstance(results.pop("U3"), ValueError)
    assert results == {f"U{i}": f"U{i}" for i in range(8) if i != 3}
    with appdb.engine(url).connect() as conn:
        stored = set(conn.execute(sa.select(links.c.link_id)).scalars())
    assert stored == {f"U{i}" for i in range(8) if i != 3}


def test_a_write_that_breaks_a_constraint_raises_to_its_caller(ws: Workspace) -> None:
    url = ws.database_url
    appdb.engine(url)
    assert group_commit.run(url, _insert("A")) == "A"
    with pytest.raises(sa.exc.IntegrityError):
        group_commit.run(url, _insert("A"))
    assert group_commit.run(url, _insert("B")) == "B"  # the writer goes on
