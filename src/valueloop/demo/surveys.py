"""SERVQUAL questionnaires: paired expectation / perception items on the five RATER dimensions.

The 22 items follow the distribution of Parasuraman, Zeithaml & Berry (1988): tangibles 4,
reliability 5, responsiveness 4, assurance 4, empathy 5. Expectations are high everywhere;
perceptions follow the branch's quality, and responsiveness suffers where the branch is
slow, so gap scores tell the same story as the operational data.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from valueloop.demo.clock import EVENING_HOURS, day_weights, sample_times
from valueloop.demo.columns import TIMESTAMP, id_width, ids, pick, table
from valueloop.demo.customers import Customers
from valueloop.demo.entities import Org
from valueloop.demo.stories import Plan
from valueloop.spec.datasets import SERVQUAL_DIMENSIONS

ITEMS_PER_DIMENSION = (4, 5, 4, 4, 5)
RESPONSES_PER_INTERACTION = 0.01
DIMENSION_GAP = np.array([-0.3, -0.9, -0.8, -0.5, -0.6])  # reliability and responsiveness fall shortest


def build_surveys(rng: np.random.Generator, plan: Plan, org: Org, cust: Customers, n_interactions: int) -> pa.Table:
    """One row per answered item of each questionnaire (22 items, a few skipped)."""
    n = max(5, int(n_interactions * RESPONSES_PER_INTERACTION))
    customer = rng.choice(cust.n, n, p=cust.activity / cust.activity.sum())
    branch = cust.home_branch[customer]
    when = sample_times(rng, n, plan.window, EVENING_HOURS, day_weights(plan.window))
    dim_of_item = np.repeat(np.arange(len(ITEMS_PER_DIMENSION)), ITEMS_PER_DIMENSION)
    resp = np.repeat(np.arange(n), len(dim_of_item))
    dim = np.tile(dim_of_item, n)
    shift = 2 * org.branch_mood[branch][resp] - 0.8 * np.log(org.branch_slowness[branch][resp]) * (dim == 2)
    expectation = np.clip(np.rint(rng.normal(6.2, 0.7, len(resp))), 1, 7)
    perception = np.clip(np.rint(expectation + DIMENSION_GAP[dim] + shift + rng.normal(0, 1.0, len(resp))), 1, 7)
    answered = rng.random(len(resp)) > 0.03
    resp, dim, expectation, perception = resp[answered], dim[answered], expectation[answered], perception[answered]
    item_no = np.tile(np.arange(1, len(dim_of_item) + 1), n)[answered]
    return table(
        "survey_items",
        {
            "response_id": ids("S", resp, id_width(n)),
            "item": ids("Q", item_no, 2),
            "submitted_at": pa.array(when[resp], pa.int64()).cast(TIMESTAMP),
            "entity_id": pc.take(org.ids, pa.array(org.branch_row[branch][resp])),
            "customer_id": pc.take(cust.ids, pa.array(customer[resp])),
            "dimension": pick(SERVQUAL_DIMENSIONS, dim),
            "expectation": pa.array(expectation.astype(np.int64)),
            "perception": pa.array(perception.astype(np.int64)),
        },
    )
