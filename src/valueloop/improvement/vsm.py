"""Value stream maths on plain arrays: what each step costs in work and in waiting.

Input is one row per executed step (interaction, step, department, start, end in
seconds); nothing here knows where the rows came from. Per step: processing time
(end − start), waiting time (start − the previous step's end in the same interaction;
overlapping steps wait 0), volume, and rework (the same step again within an
interaction). A hand-off is a change of department between consecutive steps (a missing
department never counts). Per process (:mod:`valueloop.improvement.vsm_summary`): lead time,
value-added time, process cycle efficiency, the bottleneck and hand-offs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from valueloop.spec.process import ProcessDefinition

FloatArr = npt.NDArray[np.float64]
MINUTE = 60.0


@dataclass(frozen=True)
class StepRows:
    """Rows sorted by interaction then start, with the derived per-row measures (seconds)."""

    interaction: npt.NDArray[np.int64]
    step: npt.NDArray[np.str_]
    department: npt.NDArray[np.str_]
    started: FloatArr
    ended: FloatArr
    process: FloatArr
    wait: FloatArr
    first: npt.NDArray[np.bool_]
    rework: npt.NDArray[np.bool_]
    handoff: npt.NDArray[np.bool_]


def derive(
    interaction: npt.ArrayLike,
    step: npt.ArrayLike,
    department: npt.ArrayLike,
    started: npt.ArrayLike,
    ended: npt.ArrayLike,
) -> StepRows:
    """Sort the rows and compute processing, waiting, rework and hand-off flags per row."""
    inter, st, en = np.asarray(interaction, np.int64), np.asarray(started, float), np.asarray(ended, float)
    order = np.lexsort((st, inter))
    inter, st, en = inter[order], st[order], en[order]
    steps, depts = np.asarray(step, str)[order], np.asarray(department, str)[order]
    first = np.r_[True, inter[1:] != inter[:-1]] if len(inter) else np.zeros(0, bool)
    prev_end = np.r_[np.nan, en[:-1]] if len(en) else en
    wait = np.where(first, np.nan, np.maximum(st - prev_end, 0.0))
    prev_dept = np.concatenate((np.array([""]), depts[:-1])) if len(depts) else depts
    handoff = ~first & (depts != prev_dept) & (depts != "") & (prev_dept != "")
    return StepRows(inter, steps, depts, st, en, en - st, wait, first, _repeats(inter, steps), handoff)


def _repeats(inter: npt.NDArray[np.int64], steps: npt.NDArray[np.str_]) -> npt.NDArray[np.bool_]:
    """True for every occurrence of a step after its first within the same interaction."""
    _, codes = np.unique(steps, return_inverse=True)
    key = inter * (int(codes.max(initial=0)) + 1) + codes
    repeat = np.ones(len(key), bool)
    repeat[np.unique(key, return_index=True)[1]] = False
    return repeat


def quantile_minutes(values: FloatArr, p: float) -> float | None:
    """The p-th percentile in minutes of the non-missing values, or None when there are none."""
    v = values[~np.isnan(values)]
    return float(np.percentile(v, p)) / MINUTE if v.size else None


@dataclass(frozen=True)
class StepStats:
    step: str
    department: str
    value_adding: bool
    standard_minutes: float | None
    planned_wait_minutes: float
    volume: int
    interactions: int
    process_median: float | None
    process_p90: float | None
    wait_median: float | None
    wait_p90: float | None
    rework: int
    handoffs_in: int

    @property
    def vs_standard(self) -> float | None:
        """Median processing time as a multiple of the standard time."""
        if self.process_median is None or not self.standard_minutes:
            return None
        return self.process_median / self.standard_minutes

    @property
    def excess_wait(self) -> float | None:
        """Median wait beyond what the definition plans for: what a bottleneck is judged on."""
        return None if self.wait_median is None else self.wait_median - self.planned_wait_minutes


def step_stats(rows: StepRows, process: ProcessDefinition) -> list[StepStats]:
    """One entry per defined step (in order), then any step the data has but the definition lacks."""
    defined = {s.name: s for s in process.steps}
    extra = sorted(set(rows.step.tolist()) - set(defined))
    out = []
    for name in [*defined, *extra]:
        m = rows.step == name
        d = defined.get(name)
        out.append(
            StepStats(
                step=name,
                department=d.department if d else "",
                value_adding=d.value_adding if d else False,
                standard_minutes=d.standard_minutes if d else None,
                planned_wait_minutes=d.planned_wait_minutes if d else 0.0,
                volume=int(m.sum()),
                interactions=int(np.unique(rows.interaction[m]).size),
                process_median=quantile_minutes(rows.process[m], 50),
                process_p90=quantile_minutes(rows.process[m], 90),
                wait_median=quantile_minutes(rows.wait[m], 50),
                wait_p90=quantile_minutes(rows.wait[m], 90),
                rework=int(rows.rework[m].sum()),
                handoffs_in=int(rows.handoff[m].sum()),
            )
        )
    return out
