"""Customers and the segment fields differentiated standards are cut by.

Each customer belongs to a home branch (their industry and region come from it), so a
customer's interactions, orders and feedback all land in one place, as they would in
a real CRM export. A skewed ``activity`` weight makes a few customers come back often:
repeat contacts and repurchases are what several indicators measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa

from valueloop.demo import vocab
from valueloop.demo.clock import BoolArr, FloatArr, IntArr
from valueloop.demo.columns import bools, id_width, ids, pick, table
from valueloop.demo.entities import Org

AGE_BANDS: Final = ("18-24", "25-34", "35-44", "45-54", "55+")
AGE_SHARES: Final = (0.15, 0.30, 0.25, 0.17, 0.13)
SPEND_TIERS: Final = ("low", "mid", "high")
SPEND_SHARES: Final = (0.45, 0.40, 0.15)
VIP_RATE_BY_TIER: Final = np.array([0.03, 0.08, 0.35])  # ≈ 10 % overall
SENIOR: Final = AGE_BANDS.index("55+")


@dataclass(frozen=True)
class Customers:
    """Per-customer arrays; customer ``k`` has id ``U`` + zero-padded ``k + 1``."""

    home_branch: IntArr
    age: IntArr
    spend: IntArr
    vip: BoolArr
    activity: FloatArr  # relative propensity to contact service and to buy

    @property
    def n(self) -> int:
        return len(self.home_branch)

    @property
    def ids(self) -> pa.Array:
        return ids("U", np.arange(1, self.n + 1, dtype=np.int64), id_width(self.n, 7))


def customer_count(interactions: int) -> int:
    """Five interactions per customer on average over the window: enough repeat contacts."""
    return max(50, interactions // 5)


def build_customers(rng: np.random.Generator, org: Org, n: int) -> Customers:
    """``n`` customers spread over branches in proportion to branch size."""
    home = rng.choice(len(org.branch_row), n, p=org.branch_weight)
    spend = rng.choice(len(SPEND_TIERS), n, p=SPEND_SHARES)
    vip = rng.random(n) < VIP_RATE_BY_TIER[spend]
    activity = rng.lognormal(0.0, 1.0, n) * np.where(vip, 1.6, 1.0)
    age = rng.choice(len(AGE_BANDS), n, p=AGE_SHARES)
    return Customers(home.astype(np.int64), age.astype(np.int64), spend.astype(np.int64), vip, activity)


def customers_table(c: Customers, org: Org) -> pa.Table:
    """The ``customers`` dataset."""
    return table(
        "customers",
        {
            "customer_id": c.ids,
            "industry": pick(vocab.INDUSTRIES, org.branch_industry[c.home_branch]),
            "age_band": pick(AGE_BANDS, c.age),
            "spend_tier": pick(SPEND_TIERS, c.spend),
            "region": pick(org.regions, org.branch_region[c.home_branch]),
            "vip": bools(c.vip),
            "timezone": pa.nulls(len(c.ids), pa.string()),  # the demo's customers live in the workspace's zone
        },
    )
