"""The drill-down's kept answers: one connection and one count for every page, fresh after new data, per scope.

The records behind an indicator are kept per (data version, question, caller's scope) so that
50 dashboard users paging through them cost one query per page (issue 20). These tests pin
what that must never change: new data (a new run, a lake write) gives a fresh answer, and an
answer built for one scope never reaches a caller with another.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from valueloop.diagnosis.service import diagnose, drill, kept
from valueloop.diagnosis.service.drill import record_export, record_page
from valueloop.evaluation.service.evaluate import evaluate
from valueloop.ingest.service.ingest import ingest
from valueloop.store.workspace import Workspace

API = "/api/v1/scores/{unit}/indicators/{ind}/records"
UNIT, INDICATOR = "B016", "resolution_time"


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    drill.forget()
    diagnose._EXPLAINED.clear()
    yield
    drill.forget()
    diagnose._EXPLAINED.clear()


def test_pages_share_one_connection_and_one_count(demo: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paging costs one row query per page: no new warehouse, no second count, the same page not queried twice."""
    warehouses: list[object] = []
    counts: list[int] = []
    real_init, real_total = kept.Warehouse.__init__, drill._Drill.total

    def counting_init(self: kept.Warehouse, ws: Workspace) -> None:
        warehouses.append(self)
        real_init(self, ws)

    monkeypatch.setattr(kept.Warehouse, "__init__", counting_init)
    first = record_page(demo, UNIT, INDICATOR, None, limit=5)
    monkeypatch.setattr(
        drill._Drill, "total", lambda self, part, seen: counts.append(part) or real_total(self, part, seen)
    )
    monkeypatch.setattr(drill._Drill, "rows", lambda *a: pytest.fail("the kept page was queried again"))
    assert record_page(demo, UNIT, INDICATOR, None, limit=5) == first
    monkeypatch.undo()
    monkeypatch.setattr(kept.Warehouse, "__init__", counting_init)
    second = record_page(demo, UNIT, INDICATOR, None, limit=5, offset=5)
    assert len(warehouses) == 1, "the second page opened another warehouse connection"
    assert second.total == first.total and not set(map(tuple, second.rows)) & set(map(tuple, first.rows))
    whole = record_page(demo, UNIT, INDICATOR, None, limit=10)
    assert first.rows + second.rows == whole.rows


def test_a_kept_answer_equals_a_fresh_one(demo: Workspace) -> None:
    """Kept or built anew, the answer is the same: the cache changes the cost, never the rows."""
    first = [record_page(demo, UNIT, ind, None, limit=7, offset=3) for ind in (INDICATOR, "csat", "professionalism")]
    again = [record_page(demo, UNIT, ind, None, limit=7, offset=3) for ind in (INDICATOR, "csat", "professionalism")]
    drill.forget()
    fresh = [record_page(demo, UNIT, ind, None, limit=7, offset=3) for ind in (INDICATOR, "csat", "professionalism")]
    assert first == again == fresh
    ratio = record_page(demo, UNIT, "complaint_rate", None, part="denominator")
    drill.forget()
    assert record_page(demo, UNIT, "complaint_rate", None, part="denominator") == ratio


def test_another_scope_never_gets_another_units_rows(demo: Workspace) -> None:
    """The unscoped answer is kept first; a caller who may see only some of the unit's members gets only theirs."""
    everything = record_export(demo, UNIT, INDICATOR, None)
    column = everything.columns.index("entity_id")
    members = sorted({str(r[column]) for r in everything.rows})
    assert len(members) >= 2, "the unit's rows should come from more than one entity for this test to mean anything"
    for own in ({members[0]}, {members[1]}, set(members[1:])):
        page = record_export(demo, UNIT, INDICATOR, frozenset(own))
        assert page.rows and {str(r[column]) for r in page.rows} <= own, own
        assert page.total == sum(1 for r in everything.rows if r[column] in own) == len(page.rows)
    assert record_export(demo, UNIT, INDICATOR, None) == everything
    assert record_page(demo, UNIT, INDICATOR, set(), limit=5).rows == []


def test_a_new_run_is_a_fresh_answer(demo: Workspace) -> None:
    before = record_page(demo, UNIT, INDICATOR, None, limit=5)
    run = evaluate(demo, None, before.period, None, None, True)
    after = record_page(demo, UNIT, INDICATOR, None, limit=5)
    assert after.run_id == str(run.run_id) != before.run_id
    assert after.rows == before.rows  # same lake, same rows: only the run changed


def test_new_rows_in_the_lake_are_a_fresh_answer(
    demo: Workspace, app_client: TestClient, as_role: Callable[[str], dict[str, str]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Two more records of the unit in the period: the count, the first page, the HTTP answer and why the
    score moved are all built anew."""
    built: list[str] = []
    real_explain = diagnose._explain
    monkeypatch.setattr(diagnose, "_explain", lambda ws, e, *a: built.append(e) or real_explain(ws, e, *a))
    moved = diagnose.explain(demo, UNIT, indicator=INDICATOR)
    moved.contributions.clear()  # a caller's copy: the kept answer is not touched
    assert diagnose.explain(demo, UNIT, indicator=INDICATOR).contributions and built == [UNIT]
    url = API.format(unit=UNIT, ind=INDICATOR)
    before = app_client.get(url, headers=as_role("analyst"), params={"limit": 3}).json()
    stored = record_page(demo, UNIT, INDICATOR, None, limit=3)
    assert stored.total == before["total"]
    columns = [c for c in stored.columns if c != drill.MEASURED]
    newest = dict(zip(stored.columns, stored.rows[0], strict=True))
    added = tmp_path / "more.csv"
    with added.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for n in (1, 2):
            writer.writerow(["" if newest[c] is None else newest[c] if c != "interaction_id" else f"NEW-{n}"
                             for c in columns])  # fmt: skip
    ingest(demo, "interactions", [added])
    after = record_page(demo, UNIT, INDICATOR, None, limit=3)
    assert after.total == stored.total + 2
    ids = after.columns.index("interaction_id")
    assert {"NEW-1", "NEW-2"} <= {r[ids] for r in after.rows}
    served = app_client.get(url, headers=as_role("analyst"), params={"limit": 3}).json()
    assert served["total"] == stored.total + 2
    diagnose.explain(demo, UNIT, indicator=INDICATOR)
    assert built == [UNIT, UNIT]
