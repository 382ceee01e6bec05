"""The planted stories: what the demo data hides for the platform to find.

Chosen once from the seed, before any fact is generated, so every generator reads the
same plan, and written to ``STORIES.json`` so tests and demos can check that
diagnosis, text analytics, experiments and monitoring find exactly these:

1. ``degraded_branch`` — one branch's human-handled response and resolution times
   grow by ``factor`` from a month onward (staff turnover).
2. ``emerging_topic`` — complaints about refunds not arriving (a new payment partner)
   appear in a month and grow every month after.
3. ``ab_test`` — a new callback script, randomised by customer, lifts satisfaction in
   some branches for some months.
4. ``incidents`` — minutes-long bursts in the event stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np

from valueloop.demo.clock import DAY, HOUR, MINUTE, BoolArr, IntArr, Window
from valueloop.demo.entities import Org
from valueloop.errors import InputError

MIN_MONTHS: Final = 3
DEGRADE_FACTOR: Final = 1.4
AB_EFFECT: Final = 0.35  # on the latent satisfaction scale; ≈ +0.3 on csat after rounding
TOPIC: Final = {"zh": "退款到账慢", "en": "refund has not arrived"}
TOPIC_KEYWORDS: Final = ("退款到账", "refund has not arrived")
AB_RULE: Final = "treatment iff the number in customer_id (digits after 'U') is odd"
AB_SQL: Final = "CAST(substr(customer_id, 2) AS BIGINT) % 2 = 1"
AB_PYTHON: Final = "int(customer_id[1:]) % 2 == 1"

IncidentKind = Literal["error_burst", "traffic_spike"]


@dataclass(frozen=True)
class Incident:
    """A burst in the event stream at one branch's digital channels."""

    kind: IncidentKind
    start_us: int
    end_us: int
    branch: int

    @property
    def event_types(self) -> tuple[str, ...]:
        return ("error",) if self.kind == "error_burst" else ("view", "click", "add_to_cart")


@dataclass
class Facts:
    """What the generators record while following the plan (sizes that depend on the data)."""

    topic_counts: dict[int, int] = field(default_factory=dict)  # month → topic complaints
    incident_events: list[int] = field(default_factory=list)  # events per incident
    ab_observed: dict[str, float] = field(default_factory=dict)  # surveys and mean csat per arm
    qa_planted: dict[str, object] = field(default_factory=dict)  # transcripts: the planted agent, team, counts


@dataclass(frozen=True)
class Plan:
    """Every story's parameters; month numbers index ``window.month_labels``."""

    window: Window
    degraded_branch: int
    degrade_month: int
    topic_month: int
    ab_branches: IntArr
    ab_months: tuple[int, int]  # [first, last + 1)
    incidents: tuple[Incident, ...]
    facts: Facts = field(default_factory=Facts)

    def ab_scope(self, branch: IntArr, month: IntArr, human: BoolArr) -> BoolArr:
        """Interactions eligible for the experiment: listed branches, its months, an agent involved."""
        in_months = (month >= self.ab_months[0]) & (month < self.ab_months[1])
        return np.isin(branch, self.ab_branches) & in_months & human


def treated(customer: IntArr) -> BoolArr:
    """Arm of each customer index: customer ``k`` is ``U{k+1}``, so odd numbers = even ``k``."""
    return np.equal(customer % 2, 0)


def _months(months: int) -> tuple[int, int, tuple[int, int]]:
    """Topic, degradation and A/B months as fixed fractions of the window (12 → 5, 7, [8, 11))."""
    if months < MIN_MONTHS:
        raise InputError(f"months must be at least {MIN_MONTHS} so stories have a before and an after")
    ab_start = max(1, 2 * months // 3)
    return max(1, months // 2 - 1), max(1, 7 * months // 12), (ab_start, min(months, ab_start + max(1, months // 4)))


def _incidents(rng: np.random.Generator, window: Window, org: Org) -> tuple[Incident, ...]:
    """Two error bursts and a flash-sale traffic spike, in the last third of the window."""
    digital = np.flatnonzero(np.isin(org.branch_industry, [1, 4]))  # ecommerce, telecom
    shop = np.flatnonzero(org.branch_industry == 1)
    first_day = window.n_days * 2 // 3
    days = rng.choice(np.arange(first_day, window.n_days), 3, replace=False)
    kinds: tuple[tuple[IncidentKind, IntArr], ...] = (
        ("error_burst", digital),
        ("error_burst", digital),
        ("traffic_spike", shop),
    )
    out = []
    for day, (kind, pool) in zip(days, kinds, strict=True):
        start = window.start_us + int(day) * DAY + int(rng.integers(10, 21)) * HOUR + int(rng.integers(0, 60)) * MINUTE
        minutes = int(rng.integers(8, 21) if kind == "error_burst" else rng.integers(15, 31))
        out.append(Incident(kind, start, start + minutes * MINUTE, int(rng.choice(pool))))
    return tuple(sorted(out, key=lambda i: i.start_us))


def make_plan(rng: np.random.Generator, window: Window, org: Org) -> Plan:
    """Pick the branches, months and moments of every story."""
    topic, degrade, ab_months = _months(len(window.month_labels))
    n_branches = len(org.branch_row)
    big = np.flatnonzero(org.branch_weight >= np.median(org.branch_weight))
    degraded = int(rng.choice(big))
    others = np.setdiff1d(np.arange(n_branches), [degraded])
    ab = np.sort(rng.choice(others, max(2, n_branches // 2), replace=False))
    return Plan(window, degraded, degrade, topic, ab.astype(np.int64), ab_months, _incidents(rng, window, org))
