"""One value per agent-handled observation, for indicators an agent controls.

Awards and training effects need the spread of an agent's results, not only their
mean, so each indicator is read at the level of a single observation (a survey, an
interaction) and tagged with the agent and the local month the interaction opened in.
``direction`` says which way is better; callers flip lower-is-better values.

Pure: pandas frames in, a frame ``agent_id, period, value`` out.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

Measure = Callable[[pd.DataFrame, pd.DataFrame], pd.Series]


def _csat(x: pd.DataFrame, fb: pd.DataFrame) -> pd.Series:
    surveys = fb[(fb["kind"] == "survey") & fb["csat"].notna()]
    value = surveys.groupby("interaction_id")["csat"].mean().astype(float)
    return x["interaction_id"].map(value)


def _professionalism(x: pd.DataFrame, fb: pd.DataFrame) -> pd.Series:
    bad = x["reopened"].fillna(False).astype(bool) | x["escalated"].fillna(False).astype(bool)
    return (~bad).astype(float)


def _minutes(x: pd.DataFrame, fb: pd.DataFrame) -> pd.Series:
    return (pd.to_datetime(x["first_response_at"]) - pd.to_datetime(x["opened_at"])).dt.total_seconds() / 60


def _hours(x: pd.DataFrame, fb: pd.DataFrame) -> pd.Series:
    return (pd.to_datetime(x["resolved_at"]) - pd.to_datetime(x["opened_at"])).dt.total_seconds() / 3600


def _complaint(x: pd.DataFrame, fb: pd.DataFrame) -> pd.Series:
    complained = set(fb.loc[fb["kind"] == "complaint", "interaction_id"].dropna())
    return x["interaction_id"].isin(complained).astype(float)


MEASURES: dict[str, tuple[Measure, int, str]] = {
    "csat": (_csat, 1, "survey CSAT (1–5)"),
    "professionalism": (_professionalism, 1, "share of contacts neither reopened nor escalated"),
    "first_response": (_minutes, -1, "minutes to first response"),
    "resolution_time": (_hours, -1, "hours to resolution"),
    "complaint_rate": (_complaint, -1, "share of contacts followed by a complaint"),
}


def direction(indicator: str) -> int:
    """+1 when higher is better, −1 when lower is; ValueError naming the known ones."""
    if indicator not in MEASURES:
        raise ValueError(f"unknown agent indicator {indicator!r}; known: {', '.join(MEASURES)}")
    return MEASURES[indicator][1]


def observations(interactions: pd.DataFrame, feedback: pd.DataFrame, indicator: str, tz: str) -> pd.DataFrame:
    """``agent_id, period, value`` per observation (local month of ``opened_at``), missing values dropped."""
    direction(indicator)
    x = interactions[interactions["agent_id"].notna()]
    value = MEASURES[indicator][0](x, feedback)
    opened = pd.to_datetime(x["opened_at"], utc=True).dt.tz_convert(tz)
    out = pd.DataFrame({"agent_id": x["agent_id"].astype(str), "period": opened.dt.strftime("%Y-%m"), "value": value})
    return out[np.isfinite(out["value"].astype(float))].reset_index(drop=True)
