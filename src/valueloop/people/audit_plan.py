"""Unannounced mystery-shopper visits for a year: stratified, random, reproducible, feasible.

The plan spreads ``visits`` as evenly as possible over units, months, weekdays and time
slots (each stratum's count differs from the others' by at most one), then pairs the
strata through independent random permutations, so there is no fixed pattern a branch
could learn (not "every first Monday"), yet the same seed gives the same plan.

Auditors are then assigned visit by visit, most constrained region first: an auditor is
never sent to their own region, never booked twice in one slot, and never beyond their
yearly capacity; among the eligible ones the choice is random, weighted by remaining
capacity, and an auditor already sent to the same unit is avoided when another is free
(a familiar face is no longer a mystery shopper).

Impossible requests fail up front with a message saying what to change: an auditor
with no capacity, more visits than (unit, day, slot) combinations, or more visits to a
region than auditors from elsewhere can make.
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from valueloop.errors import InputError

DEFAULT_SLOTS = ("09:00-11:00", "11:00-13:00", "13:00-15:00", "15:00-17:00")
ALL_WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class Unit:
    entity_id: str
    region: str | None


@dataclass(frozen=True)
class Auditor:
    auditor_id: str
    region: str | None
    capacity: int
    """Visits this auditor can make in the year."""


@dataclass(frozen=True)
class Visit:
    audit_id: str
    entity_id: str
    auditor_id: str
    date: date
    slot: str

    def as_dict(self) -> dict[str, str]:
        return {
            "audit_id": self.audit_id,
            "entity_id": self.entity_id,
            "auditor_id": self.auditor_id,
            "date": self.date.isoformat(),
            "slot": self.slot,
        }


def _balanced(rng: np.random.Generator, n: int, k: int) -> list[int]:
    """``n`` labels from ``range(k)``, each used ⌊n/k⌋ or ⌈n/k⌉ times, in random order."""
    base = np.repeat(np.arange(k), n // k)
    extra = rng.choice(k, n % k, replace=False)
    out = np.concatenate([base, extra])
    rng.shuffle(out)
    return [int(x) for x in out]


def _days(year: int, month: int, weekday: int) -> list[date]:
    n = calendar.monthrange(year, month)[1]
    return [date(year, month, d) for d in range(1, n + 1) if date(year, month, d).weekday() == weekday]


def check_inputs(units: Sequence[Unit], auditors: Sequence[Auditor], visits: int, year: int, slots: int) -> None:
    """Raise one :class:`InputError` listing every reason the request cannot be planned."""
    problems = [f"auditor {a.auditor_id} has no capacity ({a.capacity})" for a in auditors if a.capacity <= 0]
    days = 366 if calendar.isleap(year) else 365
    if visits < 0:
        problems.append(f"visits must not be negative, got {visits}")
    if not units:
        problems.append("no units to audit")
    if not auditors:
        problems.append("no auditors")
    if units and visits > len(units) * days * slots:
        problems.append(
            f"{visits} visits do not fit: {len(units)} units × {days} days × {slots} slots = "
            f"{len(units) * days * slots} (unit, day, slot) combinations"
        )
    if auditors and visits > sum(max(a.capacity, 0) for a in auditors):
        problems.append(
            f"{visits} visits exceed the auditors' total capacity {sum(max(a.capacity, 0) for a in auditors)}"
        )
    if problems:
        raise InputError("cannot plan audits:\n" + "\n".join(f"- {p}" for p in problems))


@dataclass
class _Draft:
    unit: Unit
    day: date
    slot: int


def _place(
    rng: np.random.Generator,
    units: Sequence[Unit],
    visits: int,
    year: int,
    slots: int,
    outside: Mapping[str | None, int],
) -> list[_Draft]:
    """Stratified draws of (unit, month, weekday, slot), then a free day in that stratum.

    A (day, slot) holds at most as many visits in one region as there are auditors from
    elsewhere, so every placed visit can be staffed.
    """
    u, m = _balanced(rng, visits, len(units)), _balanced(rng, visits, 12)
    w, s = _balanced(rng, visits, 7), _balanced(rng, visits, slots)
    taken: defaultdict[str, set[tuple[date, int]]] = defaultdict(set)
    load: Counter[tuple[str | None, date, int]] = Counter()
    full: defaultdict[str | None, set[tuple[date, int]]] = defaultdict(set)
    out = []
    for k in range(visits):
        unit = units[u[k]]
        day, slot = _free_day(rng, year, m[k] + 1, w[k], s[k], slots, taken[unit.entity_id] | full[unit.region])
        taken[unit.entity_id].add((day, slot))
        load[(unit.region, day, slot)] += 1
        if load[(unit.region, day, slot)] >= outside.get(unit.region, 0):
            full[unit.region].add((day, slot))
        out.append(_Draft(unit, day, slot))
    return out


def _free_day(
    rng: np.random.Generator,
    year: int,
    month: int,
    weekday: int,
    slot: int,
    slots: int,
    taken: set[tuple[date, int]],
) -> tuple[date, int]:
    """A day of ``weekday`` in ``month`` with ``slot`` free at the unit (``taken`` = its booked
    (day, slot)s), preferring a day it has no visit yet; else any free (day, slot) of the year."""
    days = _days(year, month, weekday)
    busy = {d for d, _ in taken}
    for pool in ([(d, slot) for d in days if d not in busy], [(d, slot) for d in days]):
        free = [(d, t) for d, t in pool if (d, t) not in taken]
        if free:
            return free[int(rng.integers(len(free)))]
    first = date(year, 1, 1).toordinal()
    n_days = date(year, 12, 31).toordinal() - first + 1
    for offset in rng.permutation(n_days * slots):
        d, t = date.fromordinal(first + int(offset) // slots), int(offset) % slots
        if (d, t) not in taken:
            return d, t
    raise InputError(f"no free (day, slot) left in {year}")  # excluded by check_inputs


def _assign(rng: np.random.Generator, drafts: list[_Draft], auditors: Sequence[Auditor]) -> list[str]:
    """Auditor per draft (same order); regions with the least outside capacity per visit go first."""
    left = {a.auditor_id: a.capacity for a in auditors}
    busy: set[tuple[str, date, int]] = set()
    seen: Counter[tuple[str, str]] = Counter()
    demand = Counter(d.unit.region for d in drafts)
    outside = {r: sum(a.capacity for a in auditors if r is None or a.region != r) for r in demand}
    order = sorted(
        range(len(drafts)), key=lambda k: (outside[drafts[k].unit.region] / demand[drafts[k].unit.region], k)
    )
    chosen: dict[int, str] = {}
    for k in order:
        chosen[k] = _pick(rng, drafts[k], auditors, left, busy, seen)
        left[chosen[k]] -= 1
        busy.add((chosen[k], drafts[k].day, drafts[k].slot))
        seen[(chosen[k], drafts[k].unit.entity_id)] += 1
    return [chosen[k] for k in range(len(drafts))]


def _pick(
    rng: np.random.Generator,
    d: _Draft,
    auditors: Sequence[Auditor],
    left: dict[str, int],
    busy: set[tuple[str, date, int]],
    seen: Counter[tuple[str, str]],
) -> str:
    ok = [
        a
        for a in auditors
        if left[a.auditor_id] > 0
        and (a.region is None or a.region != d.unit.region)
        and (a.auditor_id, d.day, d.slot) not in busy
    ]
    if not ok:
        raise InputError(
            f"cannot plan audits: no auditor from outside region {d.unit.region!r} has capacity left for "
            f"{d.unit.entity_id} on {d.day}; add auditors from other regions or raise their capacity"
        )
    fresh = [a for a in ok if seen[(a.auditor_id, d.unit.entity_id)] == 0] or ok
    weights = np.array([left[a.auditor_id] for a in fresh], dtype=np.float64)
    return fresh[int(rng.choice(len(fresh), p=weights / weights.sum()))].auditor_id


def _check_regions(units: Sequence[Unit], auditors: Sequence[Auditor], visits: int) -> None:
    """Each region's expected share of visits must fit the capacity of auditors from elsewhere."""
    per_region: defaultdict[str | None, int] = defaultdict(int)
    for u in units:
        per_region[u.region] += 1
    for region, count in per_region.items():
        need = -(-visits * count // len(units))
        cap = sum(a.capacity for a in auditors if region is None or a.region != region)
        if need > cap:
            raise InputError(
                f"cannot plan audits: region {region!r} needs up to {need} visits but auditors from other "
                f"regions can make only {cap}; add auditors or raise their capacity"
            )


def plan_audits(
    units: Sequence[Unit],
    auditors: Sequence[Auditor],
    *,
    visits: int,
    year: int,
    seed: int,
    slots: Sequence[str] = DEFAULT_SLOTS,
) -> list[Visit]:
    """The year's visits, sorted by date, slot and unit, numbered ``A<year>-00001`` …"""
    units = sorted(units, key=lambda u: u.entity_id)
    auditors = sorted(auditors, key=lambda a: a.auditor_id)
    check_inputs(units, auditors, visits, year, len(slots))
    _check_regions(units, auditors, visits)
    rng = np.random.default_rng([seed, year])
    outside = {u.region: sum(1 for a in auditors if a.region is None or a.region != u.region) for u in units}
    drafts = _place(rng, units, visits, year, len(slots), outside)
    who = _assign(rng, drafts, auditors)
    rows = sorted(zip(drafts, who, strict=True), key=lambda p: (p[0].day, p[0].slot, p[0].unit.entity_id, p[1]))
    width = max(5, len(str(visits)))
    return [
        Visit(f"A{year}-{k + 1:0{width}d}", d.unit.entity_id, a, d.day, slots[d.slot]) for k, (d, a) in enumerate(rows)
    ]
