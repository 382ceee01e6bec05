"""Behaviour events (views, clicks, searches, …) with dwell time, plus planted incidents.

Two events per interaction on average, mostly in the evening, from customers at
their home branch's digital channels (15 % anonymous). Each incident of the plan adds
a dense burst at one branch — error events for an outage, views/clicks/add-to-cart
for a flash sale — that stands out clearly in per-minute windows.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa

from valueloop.demo.clock import EVENING_HOURS, IntArr, day_weights, sample_times
from valueloop.demo.columns import floats, id_width, ids, pick, table, timestamps
from valueloop.demo.customers import Customers
from valueloop.demo.entities import Org
from valueloop.demo.stories import Incident, Plan

EVENT_TYPES: Final = ("view", "click", "search", "add_to_cart", "checkout", "login", "share", "error")
EVENT_MIX: Final = np.array([0.42, 0.25, 0.12, 0.07, 0.03, 0.07, 0.017, 0.003])
DWELL_MEDIAN: Final = np.array([25.0, 3.0, 8.0, 5.0, 60.0, 6.0, 4.0, np.nan])  # seconds; errors have none
WEEKEND_SHOPPING: Final = np.array([1.0, 1.0, 1.0, 1.0, 1.05, 1.15, 1.1])
EVENTS_PER_INTERACTION: Final = 2
ANONYMOUS: Final = 0.15
ERROR_BURST_RATE, SPIKE_RATE = 3.0, 8.0  # extra events per minute, as multiples of the average rate


def _base(rng: np.random.Generator, plan: Plan, cust: Customers, n: int) -> tuple[IntArr, IntArr, IntArr, IntArr]:
    """Ordinary traffic: time, type, customer (-1 anonymous) and branch per event."""
    when = sample_times(rng, n, plan.window, EVENING_HOURS, day_weights(plan.window, WEEKEND_SHOPPING))
    kind = rng.choice(len(EVENT_TYPES), n, p=EVENT_MIX / EVENT_MIX.sum())
    customer = rng.choice(cust.n, n, p=cust.activity / cust.activity.sum())
    branch = cust.home_branch[customer]
    return when, kind.astype(np.int64), np.where(rng.random(n) < ANONYMOUS, -1, customer), branch


def _burst(
    rng: np.random.Generator, inc: Incident, cust: Customers, per_minute: float
) -> tuple[IntArr, IntArr, IntArr, IntArr]:
    """Events of one incident, uniformly spread over its minutes at its branch."""
    minutes = (inc.end_us - inc.start_us) / 60e6
    rate = ERROR_BURST_RATE if inc.kind == "error_burst" else SPIKE_RATE
    n = max(40 if inc.kind == "error_burst" else 100, round(minutes * rate * per_minute))
    when = rng.integers(inc.start_us, inc.end_us, n, dtype=np.int64)
    codes = np.array([EVENT_TYPES.index(t) for t in inc.event_types], dtype=np.int64)
    kind = codes[rng.choice(len(codes), n)]
    local = np.flatnonzero(cust.home_branch == inc.branch)
    customer = local[rng.choice(len(local), n)] if len(local) else np.full(n, -1)
    return when, kind, np.where(rng.random(n) < ANONYMOUS, -1, customer), np.full(n, inc.branch, dtype=np.int64)


def build_events(rng: np.random.Generator, plan: Plan, org: Org, cust: Customers, n_interactions: int) -> pa.Table:
    """The ``events`` dataset; incident event counts are recorded in ``plan.facts``."""
    n = max(1, EVENTS_PER_INTERACTION * n_interactions)
    per_minute = n / (plan.window.n_days * 1440)
    blocks = [_base(rng, plan, cust, n)] + [_burst(rng, inc, cust, per_minute) for inc in plan.incidents]
    plan.facts.incident_events = [len(b[0]) for b in blocks[1:]]
    when, kind, customer, branch = (np.concatenate(cols) for cols in zip(*blocks, strict=True))
    order = np.argsort(when, kind="stable")
    when, kind, customer, branch = when[order], kind[order], customer[order], branch[order]
    dwell = np.round(DWELL_MEDIAN[kind] * rng.lognormal(0.0, 0.9, len(kind)), 1)
    return table(
        "events",
        {
            "event_id": ids("E", np.arange(1, len(when) + 1, dtype=np.int64), id_width(len(when), 9)),
            "ts": timestamps(when),
            "type": pick(EVENT_TYPES, kind),
            "customer_id": pick(cust.ids, customer),
            "entity_id": pick(org.ids, org.branch_row[branch]),
            "dwell_seconds": floats(dwell),
        },
    )
