"""Orders with log-normal amounts, repurchases and returns.

Buyers are drawn by activity × spending tier, so the same customers order again
(repurchase rate) and high-spend customers order more and bigger. Returns follow the
industry (online shopping returns most). From the emerging-topic month on, online
refunds go through the new payment partner and take about three times longer to
complete — the same story customers complain about in the feedback.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa

from valueloop.demo.clock import DAY, EVENING_HOURS, BoolArr, IntArr, day_weights, sample_times
from valueloop.demo.columns import bools, floats, id_width, ids, pick, table, timestamps
from valueloop.demo.customers import Customers
from valueloop.demo.entities import Org
from valueloop.demo.stories import Plan

ORDERS_PER_INTERACTION: Final = 0.5
SPEND_ORDERS: Final = np.array([0.7, 1.0, 1.6])  # order frequency by spend tier
SPEND_AMOUNT: Final = np.array([60.0, 200.0, 800.0])  # median amount (yuan) by spend tier
INDUSTRY_AMOUNT: Final = np.array([3.0, 1.0, 2.5, 1.5, 0.6])
RETURN_RATE: Final = np.array([0.01, 0.12, 0.05, 0.06, 0.03])
ECOMMERCE: Final = 1
SLOW_REFUND_FACTOR: Final = 3.0


def _buyers(rng: np.random.Generator, cust: Customers, n: int) -> IntArr:
    weight = cust.activity * SPEND_ORDERS[cust.spend]
    return rng.choice(cust.n, n, p=weight / weight.sum()).astype(np.int64)


def _returns(
    rng: np.random.Generator, plan: Plan, industry: IntArr, ordered: IntArr
) -> tuple[BoolArr, IntArr, IntArr, BoolArr]:
    """Return flag, request and completion times (µs) and a completion-is-null mask."""
    n = len(ordered)
    requested = ordered + (rng.lognormal(np.log(3.0), 0.7, n) * DAY).astype(np.int64)
    returned = (rng.random(n) < RETURN_RATE[industry]) & (requested <= plan.window.export_us)
    partner = (industry == ECOMMERCE) & (plan.window.month_of(requested) >= plan.topic_month)
    took = rng.lognormal(np.log(2.0), 0.6, n) * np.where(partner, SLOW_REFUND_FACTOR, 1.0)
    completed = requested + (took * DAY).astype(np.int64)
    pending = returned & (completed > plan.window.export_us)
    return returned, requested, completed, pending


def build_orders(rng: np.random.Generator, plan: Plan, org: Org, cust: Customers, n_interactions: int) -> pa.Table:
    """The ``orders`` dataset, sorted by order time."""
    n = max(1, int(n_interactions * ORDERS_PER_INTERACTION))
    customer = _buyers(rng, cust, n)
    ordered = np.sort(sample_times(rng, n, plan.window, EVENING_HOURS, day_weights(plan.window)))
    branch = cust.home_branch[customer]
    industry = org.branch_industry[branch]
    median = SPEND_AMOUNT[cust.spend[customer]] * INDUSTRY_AMOUNT[industry]
    amount = np.round(median * rng.lognormal(0.0, 0.8, n), 2)
    returned, requested, completed, pending = _returns(rng, plan, industry, ordered)
    return table(
        "orders",
        {
            "order_id": ids("O", np.arange(1, n + 1, dtype=np.int64), id_width(n, 8)),
            "ordered_at": timestamps(ordered),
            "customer_id": pick(cust.ids, customer),
            "entity_id": pick(org.ids, org.branch_row[branch]),
            "amount": floats(amount),
            "returned": bools(returned),
            "return_requested_at": timestamps(requested, ~returned),
            "return_completed_at": timestamps(completed, ~returned | pending),
        },
    )
