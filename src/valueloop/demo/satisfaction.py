"""Why a customer is (dis)satisfied: a latent score driven by the service received.

Satisfaction falls with slow first response and resolution (relative to what is normal
for the channel and category), reopening, escalation and skipped process steps; it
rises with the A/B treatment. CSAT, NPS and CES are all read off this one latent
value, so they agree with each other and with the interaction record, and a driver
analysis can recover the causes. Themes for the text come from the same facts: a
customer who waited long writes about waiting.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from valueloop.demo import phrases as ph
from valueloop.demo import service as sv
from valueloop.demo.clock import FloatArr, IntArr
from valueloop.demo.customers import SENIOR, Customers
from valueloop.demo.entities import Org
from valueloop.demo.interactions import Interactions
from valueloop.demo.stories import AB_EFFECT

BASELINE: Final = 4.15
_T = ph.THEME_INDEX


def _ratio(seconds: FloatArr, normal: FloatArr) -> FloatArr:
    """How many times slower than normal; 'never happened' counts as ten times."""
    return np.where(np.isnan(seconds), 10.0, np.maximum(seconds, 0.1) / normal)


def speed_ratios(x: Interactions) -> tuple[FloatArr, FloatArr]:
    """First response and resolution time relative to the channel/category norm."""
    handle = np.where(x.bot, sv.BOT_HANDLE_MEDIAN, sv.HANDLE_MEDIAN[x.channel] * sv.CATEGORY_EFFORT[x.category])
    normal_first = sv.FIRST_RESPONSE_MEDIAN[x.channel]
    return _ratio(x.first_response, normal_first), _ratio(x.resolution, normal_first + handle)


def latent(rng: np.random.Generator, x: Interactions, org: Org, cust: Customers) -> FloatArr:
    """Satisfaction on a continuous 1–5-ish scale, one value per interaction."""
    first, resolution = speed_ratios(x)
    mood = sv.INDUSTRY_MOOD[org.branch_industry[x.branch]] + org.branch_mood[x.branch]
    speed = 0.35 * np.clip(np.log(first), -1, 3) + 0.35 * np.clip(np.log(resolution), -1, 3)
    process = 0.9 * x.reopened + 0.35 * x.escalated + 0.3 * (x.required - x.completed)
    senior_digital = (cust.age[x.customer] == SENIOR) & np.isin(x.channel, [sv.APP, sv.BOT])
    segment = 0.1 * cust.vip[x.customer] - 0.1 * (cust.spend[x.customer] == 2) - 0.3 * senior_digital
    noise = rng.normal(0.0, 0.7, x.n)
    level: FloatArr = BASELINE + mood - speed - process + segment + AB_EFFECT * x.treated + noise
    return level


def csat(level: FloatArr) -> IntArr:
    return np.clip(np.round(level), 1, 5).astype(np.int64)


def nps(rng: np.random.Generator, level: FloatArr) -> IntArr:
    """Likelihood to recommend: promoters (9–10) are the customers at the top of the scale."""
    return np.clip(np.round(2.3 * level - 1.5 + rng.normal(0.0, 1.0, len(level))), 0, 10).astype(np.int64)


def ces(rng: np.random.Generator, x: Interactions, rows: IntArr) -> IntArr:
    """Customer effort (1 = effortless, 7 = very hard): steps, hand-offs, repeats and waiting."""
    _, resolution = speed_ratios(x)
    effort: FloatArr = (
        1.6 + 0.15 * x.required[rows] + 0.9 * x.escalated[rows] + 0.9 * x.reopened[rows]
        + 0.5 * np.clip(np.log(resolution[rows]), -1, 3) + rng.normal(0.0, 0.8, len(rows))
    )  # fmt: skip
    return np.clip(np.round(effort), 1, 7).astype(np.int64)


def mood_of(score: IntArr) -> IntArr:
    """Text sentiment follows the score: 4–5 positive, 3 neutral, 1–2 negative."""
    return np.select([score >= 4, score == 3], [ph.POSITIVE, ph.NEUTRAL], ph.NEGATIVE).astype(np.int64)


def theme_weights(x: Interactions, rows: IntArr, positive: bool) -> FloatArr:
    """Row × theme weights: what this customer has reason to write about."""
    first, resolution = (r[rows] for r in speed_ratios(x))
    ch, cat, human = x.channel[rows], x.category[rows], x.agent[rows] >= 0
    w = np.zeros((len(rows), len(ph.THEMES)))
    if positive:
        cols = {"helpful_staff": 2.0 * human, "fast": 2.0 * (first < 1), "bot_good": 3.0 * x.bot[rows],
                "store_env": 2.0 * (ch == sv.STORE), "overall_good": np.ones(len(rows))}  # fmt: skip
    else:
        esc, reo = x.escalated[rows], x.reopened[rows]
        cols = {
            "slow_response": 3.0 * (first > 1.5) + 0.2, "phone_queue": 3.0 * ((ch == sv.PHONE) & (first > 1.2)),
            "slow_resolution": 3.0 * (resolution > 1.5) + 0.2, "rude_staff": 0.8 * human,
            "refund": 2.0 * (cat == sv.REFUND), "logistics": 2.0 * (cat == sv.LOGISTICS),
            "bot_wrong": 4.0 * ((ch == sv.BOT) & (esc | reo)), "app_crash": 1.5 * (ch == sv.APP),
            "reopened": 3.0 * reo, "transfer": 2.0 * (esc & (ch != sv.BOT)), "billing": 2.0 * (cat == sv.BILLING),
            "no_follow_up": 2.5 * (x.completed[rows] < x.required[rows]), "technical": 2.0 * (cat == sv.TECHNICAL),
            "account": 2.0 * (cat == sv.ACCOUNT), "generic_negative": np.full(len(rows), 0.5),
        }  # fmt: skip
    for key, value in cols.items():
        w[:, _T[key]] = value
    return w


def choose(rng: np.random.Generator, weights: FloatArr) -> IntArr:
    """One column per row with probability proportional to its weight (rows must not be all zero)."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    picked: IntArr = (cum < u[:, None]).sum(axis=1).astype(np.int64)
    return picked


def theme_amount(x: Interactions, rows: IntArr, theme: IntArr) -> FloatArr:
    """Minutes a duration theme should mention: the real wait for that interaction."""
    waited = np.isin(theme, [_T["slow_response"], _T["phone_queue"], _T["fast"]])
    minutes = np.where(waited, x.first_response[rows], np.nan) / 60
    minutes = np.where(theme == _T["slow_resolution"], x.resolution[rows] / 60, minutes)
    complaint = theme != _T["fast"]  # nobody complains about a one-minute wait in minutes
    return np.where(complaint, np.maximum(minutes, 3.0), minutes)
