"""The audit plan's constraints hold for any input (hypothesis), and impossible requests say why."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from valueloop.errors import InputError
from valueloop.people.audit_plan import DEFAULT_SLOTS, Auditor, Unit, plan_audits
from valueloop.people.auditors import default_auditors


def _org(n_units: int, n_regions: int) -> tuple[list[Unit], list[Auditor]]:
    units = [Unit(f"B{i:03d}", f"R{i % n_regions}") for i in range(n_units)]
    auditors = [Auditor(f"X{r}-{k}", f"R{r}", 150) for r in range(n_regions) for k in range(2)]
    return units, auditors


def _spread(counts: Counter[object], k: int) -> int:
    values = [counts.get(x, 0) for x in range(k)] if k else [*counts.values(), *([0] if not counts else [])]
    return max(values) - min(values)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 12), st.integers(2, 4), st.integers(0, 200), st.integers(0, 10_000))
def test_constraints_hold(n_units: int, n_regions: int, visits: int, seed: int) -> None:
    units, auditors = _org(n_units, n_regions)
    plan = plan_audits(units, auditors, visits=visits, year=2027, seed=seed)
    region = {u.entity_id: u.region for u in units} | {a.auditor_id: a.region for a in auditors}
    assert len(plan) == visits and len({v.audit_id for v in plan}) == visits
    assert all(region[v.entity_id] != region[v.auditor_id] for v in plan), "auditor sent to own region"
    load = Counter(v.auditor_id for v in plan)
    assert all(load[a.auditor_id] <= a.capacity for a in auditors)
    assert len({(v.auditor_id, v.date, v.slot) for v in plan}) == visits, "auditor double-booked"
    assert len({(v.entity_id, v.date, v.slot) for v in plan}) == visits
    assert all(v.date.year == 2027 and v.slot in DEFAULT_SLOTS for v in plan)
    assert _spread(Counter(v.entity_id for v in plan), 0) <= 1 or visits < n_units
    assert _spread(Counter(v.date.month - 1 for v in plan), 12) <= 1
    assert _spread(Counter(v.date.weekday() for v in plan), 7) <= 1
    assert _spread(Counter(DEFAULT_SLOTS.index(v.slot) for v in plan), 4) <= 1


def test_same_seed_same_plan_other_seed_other_plan() -> None:
    units, auditors = _org(10, 3)
    a = plan_audits(units, auditors, visits=100, year=2027, seed=7)
    assert a == plan_audits(units, auditors, visits=100, year=2027, seed=7)
    assert a != plan_audits(units, auditors, visits=100, year=2027, seed=8)


def test_no_fixed_pattern_in_weekday_per_unit() -> None:
    units, auditors = _org(5, 2)
    plan = plan_audits(units, auditors, visits=120, year=2027, seed=1)
    per_unit = {u.entity_id: {v.date.weekday() for v in plan if v.entity_id == u.entity_id} for u in units}
    assert all(len(days) >= 4 for days in per_unit.values())
    assert len({v.date for v in plan}) > 60


def test_auditor_without_capacity_is_named() -> None:
    units, auditors = _org(4, 2)
    with pytest.raises(InputError, match="auditor X0-0 has no capacity"):
        plan_audits(units, [Auditor("X0-0", "R0", 0), *auditors[1:]], visits=10, year=2027, seed=1)


def test_more_visits_than_slots() -> None:
    units = [Unit("B1", "R0")]
    with pytest.raises(InputError, match="do not fit: 1 units × 365 days × 4 slots"):
        plan_audits(units, [Auditor("X", "R1", 10_000)], visits=2000, year=2027, seed=1)


def test_region_without_outside_auditors() -> None:
    units, _ = _org(4, 2)
    with pytest.raises(InputError, match="region 'R0'"):
        plan_audits(units, [Auditor("X", "R0", 500), Auditor("Y", "R1", 1)], visits=20, year=2027, seed=1)


def test_default_pool_covers_2000_visits_and_plans_them() -> None:
    entities = pd.DataFrame(
        {
            "entity_id": ["C0", "R01", "R02", *[f"B{i}" for i in range(30)]],
            "type": ["company", "region", "region", *["branch"] * 30],
            "region": [None, "华东", "华北", *(["华东"] * 25 + ["华北"] * 5)],
        }
    )
    pool = default_auditors(entities, 2000)
    assert {a.region for a in pool} == {"华东", "华北"}
    units = [
        Unit(str(e), str(r))
        for e, r, t in entities[["entity_id", "region", "type"]].itertuples(index=False)
        if t == "branch"
    ]
    plan = plan_audits(units, pool, visits=2000, year=2027, seed=7)
    assert len(plan) == 2000 and plan[0].date >= date(2027, 1, 1)
