"""Features and labels for complaint-risk prediction, with no look-ahead.

Each interaction is scored at its **prediction time** ``τ``: when it was resolved, or
when it was opened if it never was. Every feature uses only what was known at ``τ``:

* durations (log minutes to first response, log hours to resolution) only when the
  timestamp is not after ``τ``, else 0 with a ``no_response`` / ``unresolved`` flag;
* ``reopened``, ``escalated``, ``resolved_by_bot`` and missing steps, read as the state of
  the record at its final resolution (the source carries no timestamp for them);
* the customer's earlier negative feedback (complaints, CSAT ≤ 2) in the 90 days
  before ``τ`` and earlier contacts in the 30 days before opening;
* channel, category and the segment fields ``vip`` and ``spend_tier`` (no personal
  field beyond ids: age band and region are left out on purpose).

The label is whether the customer files a complaint in ``(τ, τ + horizon]``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

DAY_S = 86_400
CATEGORICAL = ("channel", "category", "spend_tier")
NUMERIC = (
    "log_first_response_min",
    "no_response",
    "log_resolution_h",
    "unresolved",
    "reopened",
    "escalated",
    "resolved_by_bot",
    "steps_missing",
    "prior_negative_90d",
    "prior_contacts_30d",
    "vip",
)


def _seconds(ts: pd.Series) -> npt.NDArray[np.int64]:
    since = pd.to_datetime(ts, utc=True) - pd.Timestamp(0, tz="UTC")
    out = np.asarray((since // pd.Timedelta(seconds=1)).to_numpy(), dtype=np.int64)
    return out


class Timeline:
    """Instants of one kind of event per customer, counted in windows with binary search."""

    def __init__(self, customers: pd.Series, ts: pd.Series, codes: dict[str, int]) -> None:
        c = customers.map(codes).fillna(-1).to_numpy(np.int64)
        keys = c * 10**10 + _seconds(ts)
        self.keys: npt.NDArray[np.int64] = np.sort(keys[c >= 0])
        self.codes = codes

    def count(
        self, customers: pd.Series, lo: npt.NDArray[np.int64], hi: npt.NDArray[np.int64], *, closed_right: bool
    ) -> npt.NDArray[np.int64]:
        """Events in ``[lo, hi)`` (or ``(lo, hi]`` when ``closed_right``) per row."""
        base = customers.map(self.codes).fillna(-1).to_numpy(np.int64) * 10**10
        side: Literal["left", "right"] = "right" if closed_right else "left"
        keys: npt.NDArray[np.int64] = self.keys
        n = np.searchsorted(keys, base + hi, side) - np.searchsorted(keys, base + lo, side)
        return np.where(base >= 0, n, 0).astype(np.int64)


def prediction_time(x: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(x["resolved_at"], utc=True).fillna(pd.to_datetime(x["opened_at"], utc=True))


def build(x: pd.DataFrame, feedback: pd.DataFrame, customers: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """One row per interaction with a customer: ids, ``tau``, features and ``label``."""
    x = x[x["customer_id"].notna()].reset_index(drop=True)
    tau, opened = prediction_time(x), pd.to_datetime(x["opened_at"], utc=True)
    first, done = pd.to_datetime(x["first_response_at"], utc=True), pd.to_datetime(x["resolved_at"], utc=True)
    t, o = _seconds(tau), _seconds(opened)
    codes = {c: i for i, c in enumerate(pd.unique(pd.concat([x["customer_id"], feedback["customer_id"]]).dropna()))}
    negative = feedback[(feedback["kind"] == "complaint") | (feedback["csat"] <= 2)]
    complaints = feedback[feedback["kind"] == "complaint"]
    seg = customers.set_index("customer_id")
    responded = first.notna() & (first <= tau)
    f = pd.DataFrame({"interaction_id": x["interaction_id"], "customer_id": x["customer_id"], "tau": tau})
    f["log_first_response_min"] = np.log1p(((first - opened).dt.total_seconds() / 60).where(responded, 0).clip(0))
    f["no_response"] = (~responded).astype(float)
    f["log_resolution_h"] = np.log1p(((done - opened).dt.total_seconds() / 3600).fillna(0).clip(0))
    f["unresolved"] = done.isna().astype(float)
    for col in ("reopened", "escalated", "resolved_by_bot"):
        f[col] = x[col].fillna(False).astype(float)
    f["steps_missing"] = (x["steps_required"].fillna(0) - x["steps_completed"].fillna(0)).clip(0).astype(float)
    cid = x["customer_id"]
    f["prior_negative_90d"] = (
        Timeline(negative["customer_id"], negative["submitted_at"], codes)
        .count(cid, t - 90 * DAY_S, t, closed_right=False)
        .astype(float)
    )
    f["prior_contacts_30d"] = Timeline(cid, opened, codes).count(cid, o - 30 * DAY_S, o, closed_right=False)
    f["vip"] = cid.map(seg["vip"]).fillna(False).astype(float)
    for col in ("channel", "category"):
        f[col] = x[col].fillna("unknown").astype(str)
    f["spend_tier"] = cid.map(seg["spend_tier"]).fillna("unknown").astype(str)
    label = Timeline(complaints["customer_id"], complaints["submitted_at"], codes).count(
        cid, t, t + horizon_days * DAY_S, closed_right=True
    )
    f["label"] = (label > 0).astype(int)
    return f
