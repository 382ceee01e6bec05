"""Surveys, complaints, the emerging complaint topic and reviews.

Scores and texts come from the latent satisfaction of the interaction they are about
(see :mod:`valueloop.demo.satisfaction`), so text sentiment agrees with CSAT and both
agree with what the service record says happened. The emerging-topic complaints are
counted per month exactly and reported in STORIES.json.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from valueloop.demo import phrases as ph
from valueloop.demo import satisfaction as sat
from valueloop.demo import service as sv
from valueloop.demo.clock import EVENING_HOURS, OFFICE_HOURS, BoolArr, FloatArr, IntArr, day_weights, sample_times
from valueloop.demo.compose import compose
from valueloop.demo.customers import Customers
from valueloop.demo.entities import Org
from valueloop.demo.feedback_parts import COMPLAINT, REVIEW, SURVEY, Part, blank
from valueloop.demo.interactions import Interactions
from valueloop.demo.stories import Plan

SURVEY_RATE: Final = np.array([0.35, 0.45, 0.35, 0.20, 0.30, 0.30])  # by channel
TEXT_RATE: Final = np.array([0.0, 0.6, 0.55, 0.45, 0.3, 0.3])  # by csat 1–5
ENGLISH: Final = 0.2
REVIEWS_PER_INTERACTION: Final = 0.03
TOPIC_BASE, TOPIC_GROWTH = 0.002, 1.4  # share of the month's interactions in the first month; monthly growth
_REVIEW_THEMES = {"slow_response": 2.0, "phone_queue": 1.0, "rude_staff": 1.5, "refund": 1.0, "app_crash": 1.0,
                  "billing": 1.0, "no_follow_up": 1.0, "generic_negative": 2.0}  # fmt: skip
_REVIEW_PRAISE = {"helpful_staff": 2.0, "overall_good": 2.0, "store_env": 1.0}


def _lang(rng: np.random.Generator, n: int) -> IntArr:
    return (rng.random(n) < ENGLISH).astype(np.int64)


def _nullable(text: pa.Array, keep: BoolArr) -> pa.Array:
    return pc.if_else(pa.array(keep), text, pa.scalar(None, pa.string()))


def _interaction_texts(rng: np.random.Generator, x: Interactions, rows: IntArr, mood: IntArr) -> pa.Array:
    """Texts about each interaction's real experience: praise or the issue it actually had."""
    praise = sat.choose(rng, sat.theme_weights(x, rows, positive=True))
    issue = sat.choose(rng, sat.theme_weights(x, rows, positive=False))
    theme = np.where(mood == ph.POSITIVE, praise, issue)
    return compose(rng, _lang(rng, len(rows)), mood, theme, sat.theme_amount(x, rows, theme))


def surveys(rng: np.random.Generator, x: Interactions, level: FloatArr, entity_row: IntArr, export_us: int) -> Part:
    """Post-contact surveys for about a third of resolved interactions."""
    delay = rng.lognormal(np.log(3600.0), 1.2, x.n)
    when = x.opened + np.round((np.nan_to_num(x.resolution) + delay) * 1e6).astype(np.int64)
    asked = ~np.isnan(x.resolution) & (rng.random(x.n) < SURVEY_RATE[x.channel]) & (when <= export_us)
    rows = np.flatnonzero(asked)
    score = sat.csat(level[rows])
    nps = np.where(rng.random(len(rows)) < 0.75, sat.nps(rng, level[rows]), -1)
    ces = np.where(rng.random(len(rows)) < 0.6, sat.ces(rng, x, rows), -1)
    text = _nullable(_interaction_texts(rng, x, rows, sat.mood_of(score)), rng.random(len(rows)) < TEXT_RATE[score])
    kind = np.full(len(rows), SURVEY)
    return Part(when[rows], rows, x.customer[rows], entity_row[rows], kind, score, nps, ces, text)


def complaints(rng: np.random.Generator, x: Interactions, level: FloatArr, entity_row: IntArr, export_us: int) -> Part:
    """Formal complaints, mostly from customers whose experience was bad."""
    p = 0.004 + 0.10 * (level < 2.0) + 0.04 * (level < 2.8) + 0.2 * (x.category == sv.COMPLAINT)
    when = x.opened + np.round(rng.lognormal(np.log(6 * 3600.0), 1.0, x.n) * 1e6).astype(np.int64)
    rows = np.flatnonzero((rng.random(x.n) < p) & (when <= export_us))
    mood = np.full(len(rows), ph.COMPLAINT)
    text = _interaction_texts(rng, x, rows, mood)
    none, kind = blank(len(rows)), np.full(len(rows), COMPLAINT)
    return Part(when[rows], rows, x.customer[rows], entity_row[rows], kind, none, none, none, text)


def topic_counts(plan: Plan, x: Interactions) -> dict[int, int]:
    """Complaints about the emerging topic per month: strictly growing from its first month."""
    volume = np.bincount(x.month, minlength=len(plan.window.month_labels))
    counts = {}
    for month in range(plan.topic_month, len(volume)):
        age = month - plan.topic_month
        counts[month] = max(age + 1, round(TOPIC_BASE * volume[month] * TOPIC_GROWTH**age))
    return counts


def topic_complaints(rng: np.random.Generator, plan: Plan, org: Org, cust: Customers, counts: dict[int, int]) -> Part:
    """'退款到账慢': online shoppers complain that refunds via the new payment partner do not arrive."""
    shoppers = np.flatnonzero(org.branch_industry[cust.home_branch] == 1)
    shoppers = shoppers if len(shoppers) else np.arange(cust.n)
    weight = cust.activity[shoppers] / cust.activity[shoppers].sum()
    when = np.concatenate([_in_month(rng, plan, m, n) for m, n in counts.items()]).astype(np.int64)
    n = len(when)
    customer = shoppers[rng.choice(len(shoppers), n, p=weight)]
    theme = np.full(n, ph.THEME_INDEX["refund_delay"])
    text = compose(rng, _lang(rng, n), np.full(n, ph.COMPLAINT), theme, np.full(n, np.nan))
    entity = org.branch_row[cust.home_branch[customer]]
    return Part(when, blank(n), customer, entity, np.full(n, COMPLAINT), blank(n), blank(n), blank(n), text)


def _in_month(rng: np.random.Generator, plan: Plan, month: int, n: int) -> IntArr:
    """``n`` office-hour instants inside local calendar month ``month``."""
    w = plan.window
    starts = w.day_starts()
    inside = (starts >= w.month_starts[month]) & (starts < w.month_starts[month + 1])
    days = np.where(inside, day_weights(w), 0.0)
    return sample_times(rng, n, w, OFFICE_HOURS, days / days.sum())


def reviews(rng: np.random.Generator, plan: Plan, org: Org, cust: Customers, n_interactions: int) -> Part:
    """Public reviews of a branch, not tied to one contact; ratings follow branch quality."""
    n = max(1, int(n_interactions * REVIEWS_PER_INTERACTION))
    customer = rng.choice(cust.n, n, p=cust.activity / cust.activity.sum())
    branch = cust.home_branch[customer]
    quality = sv.INDUSTRY_MOOD[org.branch_industry[branch]] + 2 * org.branch_mood[branch]
    level = 3.9 + quality - 0.8 * np.log(org.branch_slowness[branch]) + rng.normal(0.0, 1.1, n)
    score = sat.csat(level)
    mood = sat.mood_of(score)
    theme = np.where(mood == ph.POSITIVE, _fixed_theme(rng, _REVIEW_PRAISE, n), _fixed_theme(rng, _REVIEW_THEMES, n))
    text = _nullable(compose(rng, _lang(rng, n), mood, theme, np.full(n, np.nan)), rng.random(n) < 0.75)
    when = sample_times(rng, n, plan.window, EVENING_HOURS, day_weights(plan.window))
    return Part(when, blank(n), customer, org.branch_row[branch], np.full(n, REVIEW), score, blank(n), blank(n), text)


def _fixed_theme(rng: np.random.Generator, weights: dict[str, float], n: int) -> IntArr:
    keys = list(weights)
    p = np.array([weights[k] for k in keys])
    codes = np.array([ph.THEME_INDEX[k] for k in keys], dtype=np.int64)
    return codes[rng.choice(len(keys), n, p=p / p.sum())]
