"""Staff and mystery-shopper data: who works where, and a year of audited visits.

``staff`` lists every agent (staff id = agent entity id) and two auditors per region
(``AUD-<region>-<k>``, 250 visits a year). ``audits`` holds about six visits per branch
over the window, each by an auditor from another region, scored with the built-in
``branch-visit`` checklist; branches in a better mood pass more items. A few visits are
planted for verification to find (too short, after closing, a re-used photo), and three
calibration visits are each scored by three auditors.

``training`` enrols agents in four courses. One, ``PRO-EMPATHY`` (professional, blended),
really works: from the day a trainee completes it, their contacts are reopened and
escalated less often (which also lifts their CSAT), so a difference-in-differences
against untrained peers finds it; the other courses change nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from valueloop.demo.clock import DAY, HOUR, MINUTE
from valueloop.demo.columns import table
from valueloop.demo.entities import Org
from valueloop.demo.interactions import Interactions
from valueloop.demo.stories import Plan
from valueloop.people.checklist import Checklist, Evidence, Item, builtin_checklists, load_checklist, score_visit

CHECKLIST = "branch-visit"
VISITS_PER_BRANCH = 6
CALIBRATION_GROUPS = 3
CAPACITY = 250
COURSES = (  # id, tier, mode, share of agents enrolled, month (fraction of the window; None = any time)
    ("BAS-ONBOARD", "basic", "online", 1.0, 0.0),
    ("PRO-EMPATHY", "professional", "blended", 0.4, 0.5),
    ("PRO-PRODUCT", "professional", "simulation", 0.3, None),
    ("INN-DIGITAL", "innovation", "online", 0.15, None),
)
EFFECTIVE_COURSE = "PRO-EMPATHY"
FEWER_REOPENED, FEWER_ESCALATED = 0.6, 0.5  # share of those outcomes the effective course prevents


def staff_table(org: Org) -> pa.Table:
    """Agents and auditors."""
    rows = org.rows
    agents = [r for r in range(len(rows["entity_id"])) if rows["type"][r] == "agent"]
    regions = [r for r in range(len(rows["entity_id"])) if rows["type"][r] == "region"]
    ids = [rows["entity_id"][r] for r in agents]
    names = [rows["name"][r] for r in agents]
    parent = [rows["parent_id"][r] for r in agents]
    region = [rows["region"][r] for r in agents]
    for r in regions:
        for k in (1, 2):
            ids.append(f"AUD-{rows['entity_id'][r]}-{k}")
            names.append(f"{rows['region'][r]}暗访员{k}")
            parent.append(rows["entity_id"][r])
            region.append(rows["region"][r])
    roles = ["agent"] * len(agents) + ["auditor"] * (len(ids) - len(agents))
    capacity = [None] * len(agents) + [CAPACITY] * (len(ids) - len(agents))
    cols = {
        "staff_id": ids,
        "name": names,
        "role": roles,
        "entity_id": parent,
        "region": region,
        "capacity": capacity,
    }
    return table("staff", {k: pa.array(v, pa.int64() if k == "capacity" else pa.string()) for k, v in cols.items()})


def _photo(rng: np.random.Generator) -> str:
    return hashlib.sha256(rng.bytes(16)).hexdigest()


def _answers(rng: np.random.Generator, items: tuple[Item, ...], mood: float) -> dict[str, str]:
    p = float(np.clip(0.85 + mood, 0.5, 0.99))
    return {i.id: ("pass" if rng.random() < (p + 0.1 if i.critical else p) else "fail") for i in items}


class _Visits:
    def __init__(self) -> None:
        self.audits: dict[str, list[object]] = {
            k: []
            for k in (
                "audit_id",
                "entity_id",
                "started_at",
                "ended_at",
                "auditor_id",
                "checklist_id",
                "calibration_id",
                "score",
                "passed",
            )
        }
        self.items: dict[str, list[object]] = {k: [] for k in ("audit_id", "item", "result", "rating", "evidence_hash")}


def build_audits(rng: np.random.Generator, plan: Plan, org: Org) -> tuple[pa.Table, pa.Table]:
    """``audits`` and ``audit_items`` for the window, with planted problems and calibration groups."""
    checklist = load_checklist(builtin_checklists()[CHECKLIST])
    auditors = [s for s in staff_table(org).to_pylist() if s["role"] == "auditor"]
    out = _Visits()
    n = 0
    for b, row in enumerate(org.branch_row):
        region = org.rows["region"][row]
        pool = [a["staff_id"] for a in auditors if a["region"] != region] or [a["staff_id"] for a in auditors]
        for _ in range(VISITS_PER_BRANCH):
            n += 1
            start = _start(rng, plan)
            group = f"CAL-{n:05d}" if n <= CALIBRATION_GROUPS else None
            who = list(rng.choice(pool, min(3, len(pool)), replace=False)) if group else [rng.choice(pool)]
            answers = _answers(rng, checklist.items, -0.3 if group else float(org.branch_mood[b]))
            for k, auditor in enumerate(who):
                mine = answers if k == 0 else {i: (a if rng.random() < 0.9 else "fail") for i, a in answers.items()}
                _add(
                    rng,
                    out,
                    checklist,
                    f"V{n:05d}" + (f"-{k + 1}" if group else ""),
                    str(org.rows["entity_id"][row]),
                    str(auditor),
                    start,
                    group,
                    mine,
                )
    _plant(out)
    return _tables(out)


def _start(rng: np.random.Generator, plan: Plan) -> int:
    day = int(rng.integers(0, plan.window.n_days))
    return plan.window.start_us + day * DAY + int(rng.integers(9, 16)) * HOUR + int(rng.integers(0, 60)) * MINUTE


def _add(
    rng: np.random.Generator,
    out: _Visits,
    checklist: Checklist,
    audit_id: str,
    entity: str,
    auditor: str,
    start: int,
    group: str | None,
    answers: dict[str, str],
) -> None:
    items = checklist.items
    evidence = {i.id: _photo(rng) for i in items if i.evidence is not Evidence.none}
    result = score_visit(checklist, answers, evidence)
    a = out.audits
    for key, value in (
        ("audit_id", audit_id),
        ("entity_id", entity),
        ("started_at", start),
        ("ended_at", start + int(rng.integers(20, 61)) * MINUTE),
        ("auditor_id", auditor),
        ("checklist_id", checklist.id),
        ("calibration_id", group),
        ("score", result.score),
        ("passed", result.passed),
    ):
        a[key].append(value)
    for i in items:
        for key, value in (
            ("audit_id", audit_id),
            ("item", i.id),
            ("result", answers[i.id]),
            ("rating", 5 if answers[i.id] == "pass" else int(rng.integers(1, 4))),
            ("evidence_hash", evidence.get(i.id)),
        ):
            out.items[key].append(value)


def _plant(out: _Visits) -> None:
    """One visit too short, one ending after closing, one photo re-used in another visit."""
    a, items = out.audits, out.items
    last = len(a["audit_id"]) - 1
    a["ended_at"][last - 1] = int(a["started_at"][last - 1]) + 4 * MINUTE  # type: ignore[call-overload]
    a["ended_at"][last - 2] = int(a["started_at"][last - 2]) + 10 * HOUR  # type: ignore[call-overload]
    photos = [k for k, h in enumerate(items["evidence_hash"]) if h is not None]
    items["evidence_hash"][photos[-1]] = items["evidence_hash"][photos[-4]]


def _tables(out: _Visits) -> tuple[pa.Table, pa.Table]:
    ts = pa.timestamp("us", tz="UTC")
    types = {"started_at": ts, "ended_at": ts, "score": pa.float64(), "passed": pa.bool_()}
    audits = table("audits", {k: pa.array(v, types.get(k, pa.string())) for k, v in out.audits.items()})
    items = table(
        "audit_items", {k: pa.array(v, pa.int64() if k == "rating" else pa.string()) for k, v in out.items.items()}
    )
    return audits, items


def build_training(rng: np.random.Generator, plan: Plan, org: Org, x: Interactions) -> tuple[pa.Table, Interactions]:
    """The ``training`` table, and the interactions with the effective course's effect applied."""
    n_agents, months = len(org.agent_row), len(plan.window.month_labels)
    cols: dict[str, list[object]] = {
        k: [] for k in ("staff_id", "course_id", "tier", "mode", "enrolled_at", "completed_at", "assessment_score")
    }
    done_at = np.full(n_agents, np.iinfo(np.int64).max)
    for course, tier, mode, share, at in COURSES:
        agents = np.sort(rng.choice(n_agents, max(1, round(share * n_agents)), replace=False))
        for a in agents:
            month = int(at * months) if at is not None else int(rng.integers(0, months))
            start = int(plan.window.month_starts[month]) + int(rng.integers(0, 6)) * DAY + 10 * HOUR
            end = start + int(rng.integers(7, 21)) * DAY
            finished = rng.random() < 0.9 and end < plan.window.export_us
            if finished and course == EFFECTIVE_COURSE:
                done_at[a] = end
            for key, value in zip(
                cols,
                (
                    str(org.rows["entity_id"][org.agent_row[a]]),
                    course,
                    tier,
                    mode,
                    start,
                    end if finished else None,
                    round(float(np.clip(rng.normal(78, 10), 0, 100)), 1) if finished else None,
                ),
                strict=True,
            ):
                cols[key].append(value)
    types = {
        "enrolled_at": pa.timestamp("us", tz="UTC"),
        "completed_at": pa.timestamp("us", tz="UTC"),
        "assessment_score": pa.float64(),
    }
    tab = table("training", {k: pa.array(v, types.get(k, pa.string())) for k, v in cols.items()})
    return tab, _trained(rng, x, done_at)


def _trained(rng: np.random.Generator, x: Interactions, done_at: npt.NDArray[np.int64]) -> Interactions:
    """After completion, a trainee prevents a share of reopened and escalated contacts."""
    after = (x.agent >= 0) & (x.opened >= done_at[np.maximum(x.agent, 0)])
    reopened = x.reopened & ~(after & (rng.random(x.n) < FEWER_REOPENED))
    escalated = x.escalated & ~(after & (rng.random(x.n) < FEWER_ESCALATED))
    return replace(x, reopened=reopened, escalated=escalated)
