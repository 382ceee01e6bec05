"""Process events for a sample of interactions, the raw material of value stream maps.

Each sampled interaction walks its category's standard process (受理 → 核实 → … → 回访)
as far as it got. Steps take process time and, between them, wait time that is much
longer when the work crosses to another department (the hand-off cost value stream
analysis is meant to expose). Sometimes 处理 is done twice (rework). For resolved
interactions the steps are scaled to fill first response → resolution exactly; the
follow-up call (回访) comes after resolution.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa

from valueloop.demo import service as sv
from valueloop.demo.clock import HOUR, FloatArr, IntArr
from valueloop.demo.columns import offsets, pick, table, timestamps
from valueloop.demo.interactions import Interactions

STEPS: Final = ("受理", "核实", "审批", "处理", "复核", "回访")
DEPARTMENTS: Final = ("客服部", "运营部", "技术部", "财务部")
PROCESS_MEDIAN: Final = np.array([180.0, 600.0, 1800.0, 1200.0, 600.0, 240.0])  # seconds, by step
SAMPLE_SHARE: Final = 0.25
_HANDLE, _FOLLOW_UP = STEPS.index("处理"), STEPS.index("回访")


def _matrix(index: int, names: tuple[str, ...]) -> IntArr:
    """Category × position → code of the step (index 0) or department (index 1); -1 past the end."""
    out = np.full((len(sv.PROCESSES), max(len(p) for p in sv.PROCESSES)), -1, dtype=np.int64)
    for c, process in enumerate(sv.PROCESSES):
        out[c, : len(process)] = [names.index(pair[index]) for pair in process]
    return out


STEP_AT: Final = _matrix(0, STEPS)
DEPT_AT: Final = _matrix(1, DEPARTMENTS)
HANDLE_POS: Final = np.argmax(STEP_AT == _HANDLE, axis=1)


def _layout(rng: np.random.Generator, x: Interactions, sel: IntArr) -> tuple[IntArr, IntArr]:
    """Owner (index into ``sel``) and process position of every step row, rework included."""
    cat, done = x.category[sel], x.completed[sel]
    rework = (rng.random(len(sel)) < 0.08 + 0.25 * x.reopened[sel]) & (done > HANDLE_POS[cat])
    has_follow_up = STEP_AT[cat, np.maximum(done - 1, 0)] == _FOLLOW_UP
    insert_at = done - has_follow_up
    counts = done + rework
    owner = np.repeat(np.arange(len(sel)), counts)
    pos = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
    is_rework = rework[owner] & (pos == insert_at[owner])
    shifted = np.where(rework[owner] & (pos > insert_at[owner]), pos - 1, pos)
    return owner, np.where(is_rework, HANDLE_POS[cat[owner]], shifted)


def _group_cumsum(values: FloatArr, owner: IntArr) -> FloatArr:
    """Running sum within each owner's consecutive rows."""
    total = np.cumsum(values)
    first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    base = np.repeat(total[first] - values[first], np.diff(np.r_[first, len(owner)]))
    return total - base


def _durations(rng: np.random.Generator, cat: IntArr, pos: IntArr, owner: IntArr) -> tuple[FloatArr, FloatArr]:
    """Process and wait seconds per row; hand-offs to another department wait ~12× longer."""
    step, dept = STEP_AT[cat, pos], DEPT_AT[cat, pos]
    process = np.maximum(PROCESS_MEDIAN[step] * rng.lognormal(0.0, 0.8, len(pos)), 1.0)
    first = np.r_[True, owner[1:] != owner[:-1]]
    handoff = np.r_[False, dept[1:] != dept[:-1]]
    wait = np.where(handoff, 7200.0, 600.0) * rng.lognormal(0.0, 1.0, len(pos))
    return process, np.where(first, 0.0, wait)


def _timing(
    rng: np.random.Generator, x: Interactions, sel: IntArr, owner: IntArr, cat: IntArr, pos: IntArr
) -> tuple[IntArr, IntArr]:
    """Start and end (µs) of every row: scaled into first response → resolution when resolved,
    follow-up calls about 20 hours after resolution, raw durations while still open."""
    process, wait = _durations(rng, cat, pos, owner)
    follow_up = STEP_AT[cat, pos] == _FOLLOW_UP
    inner = np.where(follow_up, 0.0, process + wait)
    first, resolution = x.first_response[sel], x.resolution[sel]
    span = np.where(np.isnan(resolution), np.nan, resolution - first)
    scale = np.where(np.isnan(span), 1.0, span / np.bincount(owner, inner, len(sel)))[owner]
    end = first[owner] + _group_cumsum(inner * scale, owner)
    after = resolution[owner] + 20 * HOUR / 1e6 * rng.lognormal(0.0, 0.6, len(pos))
    start = np.where(follow_up, after, end - process * scale)
    anchor = x.opened[sel][owner]
    return offsets(anchor, start), offsets(anchor, np.where(follow_up, after + process, end))


def build_steps(rng: np.random.Generator, x: Interactions, export_us: int, interaction_ids: pa.Array) -> pa.Table:
    """The ``interaction_steps`` dataset for a quarter of the agent-handled interactions.

    Rows starting after the export are dropped; an unresolved interaction's last step is still open.
    """
    eligible = np.flatnonzero((x.agent >= 0) & ~np.isnan(x.first_response) & (x.completed > 0))
    sel = np.sort(rng.choice(eligible, int(len(eligible) * SAMPLE_SHARE), replace=False))
    owner, pos = _layout(rng, x, sel)
    cat = x.category[sel][owner]
    started, ended = _timing(rng, x, sel, owner, cat, pos)
    last = np.r_[owner[1:] != owner[:-1], True]
    still_open = (last & np.isnan(x.resolution[sel])[owner]) | (ended > export_us)
    keep = started <= export_us
    return table(
        "interaction_steps",
        {
            "interaction_id": pick(interaction_ids, sel[owner][keep]),
            "step": pick(STEPS, STEP_AT[cat, pos][keep]),
            "started_at": timestamps(started[keep]),
            "ended_at": timestamps(ended[keep], still_open[keep]),
            "department": pick(DEPARTMENTS, DEPT_AT[cat, pos][keep]),
        },
    )
