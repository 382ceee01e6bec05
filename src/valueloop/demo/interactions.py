"""Service records: who contacted which branch, how, about what, and how it went.

Generated column by column with NumPy. Speeds depend on channel, category, branch
and agent slowness and on the degraded-branch story; outcomes (escalation, skipped
steps, reopening) depend on speed and quality, so that satisfaction computed from
them later has real causes to discover.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa

from valueloop.demo import service as sv
from valueloop.demo.clock import (
    EVENING_HOURS,
    OFFICE_HOURS,
    ROUND_THE_CLOCK,
    STORE_HOURS,
    BoolArr,
    FloatArr,
    IntArr,
    day_weights,
    local_hour,
    sample_times,
)
from valueloop.demo.columns import bools, id_width, ids, ints, offsets, pick, table, timestamps
from valueloop.demo.customers import SENIOR, Customers
from valueloop.demo.entities import Org
from valueloop.demo.stories import DEGRADE_FACTOR, Plan, treated

_CHAT_HOURS = 0.6 * OFFICE_HOURS + 0.4 * EVENING_HOURS
CHANNEL_HOURS = (OFFICE_HOURS, _CHAT_HOURS, EVENING_HOURS, OFFICE_HOURS, STORE_HOURS, ROUND_THE_CLOCK)


@dataclass(frozen=True)
class Interactions:
    """One entry per interaction, sorted by ``opened``; durations in seconds, NaN = not yet."""

    opened: IntArr
    month: IntArr
    customer: IntArr
    branch: IntArr
    team: IntArr  # -1 when the bot resolved it alone or nobody has picked it up
    agent: IntArr  # -1 likewise
    channel: IntArr
    category: IntArr
    first_response: FloatArr
    resolution: FloatArr
    required: IntArr
    completed: IntArr
    bot: BoolArr
    escalated: BoolArr
    reopened: BoolArr
    treated: BoolArr  # in the A/B test's scope and in its treatment arm
    in_test: BoolArr  # in the A/B test's scope (either arm)

    @property
    def n(self) -> int:
        return len(self.opened)

    def take(self, order: IntArr) -> Interactions:
        return Interactions(**{f.name: getattr(self, f.name)[order] for f in fields(self)})


def _by_industry(rng: np.random.Generator, industry: IntArr, mix: FloatArr) -> IntArr:
    """A categorical draw per row from its industry's row of ``mix``."""
    out = np.zeros(len(industry), dtype=np.int64)
    for ind, probs in enumerate(mix):
        rows = np.flatnonzero(industry == ind)
        out[rows] = rng.choice(len(probs), len(rows), p=probs / probs.sum())
    return out


def _channels(rng: np.random.Generator, industry: IntArr, senior: BoolArr) -> IntArr:
    """Channel by industry; half of the over-55s who would use app or bot phone instead."""
    channel = _by_industry(rng, industry, sv.CHANNEL_MIX)
    to_phone = senior & np.isin(channel, [sv.APP, sv.BOT]) & (rng.random(len(channel)) < 0.5)
    return np.where(to_phone, sv.PHONE, channel)


def _opened(rng: np.random.Generator, plan: Plan, channel: IntArr) -> IntArr:
    out = np.zeros(len(channel), dtype=np.int64)
    days = day_weights(plan.window)
    for ch, hours in enumerate(CHANNEL_HOURS):
        rows = np.flatnonzero(channel == ch)
        out[rows] = sample_times(rng, len(rows), plan.window, hours / hours.sum(), days)
    return out


def _staff(rng: np.random.Generator, org: Org, branch: IntArr, human: BoolArr) -> tuple[IntArr, IntArr]:
    """A team of the branch, then an agent of the team, uniformly; -1 for bot-only contacts."""
    first, count = org.branch_teams
    team = first[branch] + (rng.random(len(branch)) * count[branch]).astype(np.int64)
    a_first, a_count = org.team_agents
    agent = a_first[team] + (rng.random(len(branch)) * a_count[team]).astype(np.int64)
    return np.where(human, team, -1), np.where(human, agent, -1)


def _slowness(org: Org, plan: Plan, branch: IntArr, agent: IntArr, month: IntArr) -> FloatArr:
    human = agent >= 0
    slow = org.branch_slowness[branch] * np.where(human, org.agent_slowness[np.maximum(agent, 0)], 1.0)
    degraded = (branch == plan.degraded_branch) & (month >= plan.degrade_month) & human
    return slow * np.where(degraded, DEGRADE_FACTOR, 1.0)


def _first_response(rng: np.random.Generator, channel: IntArr, opened: IntArr, slow: FloatArr) -> FloatArr:
    """Log-normal by channel; email and app wait for office hours; the bot answers at once."""
    base = sv.FIRST_RESPONSE_MEDIAN[channel] * rng.lognormal(0.0, sv.FIRST_RESPONSE_SIGMA[channel])
    hour = local_hour(opened)
    off_hours = np.isin(channel, [sv.APP, sv.EMAIL]) & ((hour < 9) | (hour >= 18))
    return base * np.where(channel == sv.BOT, 1.0, slow) * np.where(off_hours, 3.0, 1.0)


@dataclass(frozen=True)
class _Outcome:
    escalated: BoolArr
    skipped: IntArr
    reopened: BoolArr


def _outcomes(rng: np.random.Generator, channel: IntArr, category: IntArr, bot: BoolArr, slow: FloatArr) -> _Outcome:
    """Escalation, skipped optional steps and reopening: more likely where service is slower."""
    n, quality = len(bot), np.sqrt(slow)
    handed_over = (channel == sv.BOT) & ~bot
    escalated = handed_over | (~bot & (rng.random(n) < sv.ESCALATION[category] * quality))
    skipped = rng.binomial(sv.OPTIONAL_STEPS[category], np.clip(0.07 * slow**3, 0.0, 0.5))
    p_reopen = (0.035 + 0.06 * bot + 0.05 * (skipped > 0) + 0.03 * escalated) * quality
    return _Outcome(escalated, skipped.astype(np.int64), rng.random(n) < p_reopen)


def _handling(
    rng: np.random.Generator, channel: IntArr, category: IntArr, bot: BoolArr, out: _Outcome, slow: FloatArr
) -> FloatArr:
    """Seconds from first response to resolution; escalation and reopening add rework."""
    median = np.where(bot, sv.BOT_HANDLE_MEDIAN, sv.HANDLE_MEDIAN[channel] * slow)
    effort = np.where(bot, 1.0, sv.CATEGORY_EFFORT[category])
    rework = np.where(out.escalated, 2.5, 1.0) * np.where(out.reopened, 2.0, 1.0)
    seconds: FloatArr = median * effort * rework * rng.lognormal(0.0, sv.HANDLE_SIGMA, len(slow))
    return seconds


def build_interactions(rng: np.random.Generator, org: Org, cust: Customers, plan: Plan, n: int) -> Interactions:
    """``n`` interactions over the plan's window, sorted by opening time."""
    customer = rng.choice(cust.n, n, p=cust.activity / cust.activity.sum()).astype(np.int64)
    branch = cust.home_branch[customer]
    industry = org.branch_industry[branch]
    channel = _channels(rng, industry, cust.age[customer] == SENIOR)
    category = _by_industry(rng, industry, sv.CATEGORY_MIX)
    opened = _opened(rng, plan, channel)
    month = plan.window.month_of(opened)
    bot = (channel == sv.BOT) & (rng.random(n) < sv.BOT_RESOLVES[sv.ROUTINE[category].astype(np.int64)])
    team, agent = _staff(rng, org, branch, ~bot)
    slow = _slowness(org, plan, branch, agent, month)
    out = _outcomes(rng, channel, category, bot, slow)
    first = _first_response(rng, channel, opened, slow)
    resolution = first + _handling(rng, channel, category, bot, out, slow)
    first, resolution, completed = _unfinished(rng, plan, opened, first, resolution, category, out.skipped)
    team, agent = np.where(np.isnan(first), -1, team), np.where(np.isnan(first), -1, agent)
    scope = plan.ab_scope(branch, month, agent >= 0)
    result = Interactions(
        opened, month, customer, branch, team, agent, channel, category, first, resolution,
        sv.STEPS_REQUIRED[category], completed, bot, out.escalated, out.reopened,
        scope & treated(customer), scope,
    )  # fmt: skip
    return result.take(np.argsort(opened, kind="stable"))


def _unfinished(
    rng: np.random.Generator, plan: Plan, opened: IntArr, first: FloatArr, res: FloatArr, cat: IntArr, skipped: IntArr
) -> tuple[FloatArr, FloatArr, IntArr]:
    """Abandoned and still-open contacts: times after the export are unknown (null)."""
    n = len(opened)
    abandoned = rng.random(n) < 0.01
    stuck = rng.random(n) < np.where(cat == sv.COMPLAINT, 0.05, 0.02)
    left = (plan.window.export_us - opened) / 1e6
    first = np.where(abandoned | (first > left), np.nan, first)
    res = np.where(np.isnan(first) | stuck | (res > left), np.nan, res)
    required = sv.STEPS_REQUIRED[cat]
    partial = np.minimum(required - 1, (rng.random(n) * required).astype(np.int64))
    done = np.where(np.isnan(first), 0, np.where(np.isnan(res), partial, required - skipped))
    return first, res, np.maximum(done, 0)


def entity_rows(x: Interactions, org: Org) -> IntArr:
    """Entity row of each interaction: agent-handled contacts belong to the team, bot-only ones to the branch."""
    return np.where(x.agent >= 0, org.team_row[np.maximum(x.team, 0)], org.branch_row[x.branch])


def interactions_table(x: Interactions, org: Org, customer_ids: pa.Array) -> pa.Table:
    """The ``interactions`` dataset, ids numbered in order of opening."""
    human = x.agent >= 0
    return table(
        "interactions",
        {
            "interaction_id": ids("I", np.arange(1, x.n + 1, dtype=np.int64), id_width(x.n, 8)),
            "entity_id": pick(org.ids, entity_rows(x, org)),
            "opened_at": timestamps(x.opened),
            "agent_id": pick(org.ids, np.where(human, org.agent_row[np.maximum(x.agent, 0)], -1)),
            "customer_id": pick(customer_ids, x.customer),
            "channel": pick(sv.CHANNELS, x.channel),
            "category": pick(sv.CATEGORIES, x.category),
            "first_response_at": timestamps(offsets(x.opened, x.first_response), np.isnan(x.first_response)),
            "resolved_at": timestamps(offsets(x.opened, x.resolution), np.isnan(x.resolution)),
            "steps_required": ints(x.required),
            "steps_completed": ints(x.completed),
            "resolved_by_bot": bools(x.bot & ~np.isnan(x.resolution)),
            "escalated": bools(x.escalated),
            "reopened": bools(x.reopened),
        },
    )
