"""Did a course work? Trainees' indicator before and after, against untrained peers.

Courses have a tier (basic / professional / innovation) and a mode (online /
simulation / blended). The effect of course ``C`` on an agent indicator is a
difference-in-differences (:func:`valueloop.stats.did.diff_in_diff`, clustered by agent)
on agent-month means:

* **treated**: agents who completed ``C``; **comparison**: agents never enrolled in ``C``;
* **pre**: months before the month of the first enrolment; **post**: months after the
  month of the last completion. The months in between are dropped for everyone, so a
  half-trained month counts on neither side.

Lower-is-better indicators keep their sign: a negative estimate of ``first_response``
means faster responses.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from valueloop.stats.did import diff_in_diff


def _months(ts: pd.Series, tz: str) -> pd.Series:
    return pd.to_datetime(ts, utc=True).dt.tz_convert(tz).dt.strftime("%Y-%m")


def panel(training: pd.DataFrame, obs: pd.DataFrame, course: str, tz: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Agent-month rows ``agent_id, period, treated, post, y, n`` and the cohort's description."""
    rows = training[training["course_id"] == course]
    if rows.empty:
        raise ValueError(
            f"no enrolment in course {course!r}; known: {', '.join(sorted(training['course_id'].unique()))}"
        )
    done = rows[rows["completed_at"].notna()]
    first, last = _months(rows["enrolled_at"], tz).min(), _months(done["completed_at"], tz).max()
    cohort = {
        "course_id": course,
        "tier": rows["tier"].iloc[0],
        "mode": rows["mode"].iloc[0],
        "enrolled": int(rows["staff_id"].nunique()),
        "completed": int(done["staff_id"].nunique()),
        "pre_before": first,
        "post_after": last if isinstance(last, str) else None,  # None: nobody completed (JSON has no NaN)
    }
    cell = obs.groupby(["agent_id", "period"])["value"].agg(["mean", "count"]).reset_index()
    treated = set(done["staff_id"].astype(str))
    keep = ~cell["agent_id"].isin(set(rows["staff_id"].astype(str)) - treated)
    cell = cell[keep & ((cell["period"] < first) | (cell["period"] > last))]
    out = pd.DataFrame(
        {
            "agent_id": cell["agent_id"],
            "period": cell["period"],
            "treated": cell["agent_id"].isin(treated).astype(float),
            "post": (cell["period"] > last).astype(float),
            "y": cell["mean"],
            "n": cell["count"],
        }
    )
    return out.reset_index(drop=True), cohort


def training_effect(training: pd.DataFrame, obs: pd.DataFrame, course: str, tz: str) -> dict[str, Any]:
    """The DiD estimate of ``course`` on the indicator in ``obs`` (``agent_id, period, value``)."""
    rows, cohort = panel(training, obs, course, tz)
    r = diff_in_diff(rows["agent_id"], rows["treated"], rows["post"], rows["y"])
    verdict = "no estimate" if r.ci is None else ("improved" if r.ci[0] > 0 else "worse" if r.ci[1] < 0 else "unclear")
    return cohort | {
        "estimate": r.estimate,
        "se": r.se,
        "ci": list(r.ci) if r.ci else None,
        "p_value": r.p_value,
        "cell_means": r.cell_means,
        "n_obs": r.n_obs,
        "n_agents": r.n_units,
        "verdict": verdict,
        "reason": r.reason,
        "assumptions": list(r.assumptions),
    }
