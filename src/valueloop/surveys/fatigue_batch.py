"""The trigger and fatigue rules of :mod:`valueloop.surveys.fatigue` over columns: a million candidates in seconds.

:func:`valueloop.surveys.fatigue.decide` walks the candidates one by one, which is right for a few
thousand and took about 20 s for a million resolved interactions. Here the same rules run as array
operations: each rule refuses, in the same order, the rows still open; the once-per-customer rule
becomes "the first open row of each customer (earliest resolved first) unless asked lately". The
reasons are not written twice: every distinct reason text is obtained by asking ``decide`` itself
about one representative candidate (one per rule, per due minute, per date last asked), so both
paths say exactly the same words, and a test compares them row by row on generated data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from valueloop.surveys.fatigue import NEEDS, Resolved, decide, sample_points
from valueloop.surveys.spec import Trigger

COLUMNS = ("interaction_id", "entity_id", "customer_id", "contact", "resolved_at", "timezone")
"""The candidates' columns; ``resolved_at`` is tz-aware UTC, ``customer_id``/``contact`` may be missing, and so
may ``timezone`` (the customer's own zone; the column itself too: then every customer is in the workspace's)."""
OUT = ("interaction_id", "entity_id", "customer_id", "invite", "reason", "send_at")


def decide_frame(
    survey_id: str,
    trigger: Trigger,
    candidates: pd.DataFrame,
    *,
    now: datetime,
    tz: str,
    invited: frozenset[str] = frozenset(),
    last_asked: Mapping[str, datetime] | None = None,
) -> pd.DataFrame:
    """One row per candidate, earliest resolved first, with ``invite``, ``reason`` and ``send_at`` as ``decide``."""
    d = candidates.reindex(columns=list(COLUMNS))
    d = d.iloc[_chronological(d["resolved_at"], d["interaction_id"])].reset_index(drop=True)
    ask = _Asker(survey_id, trigger, now, tz)
    reason = np.full(len(d), None, dtype=object)
    still = np.ones(len(d), dtype=bool)

    def refuse(mask: np.ndarray, text: Callable[[np.ndarray], object]) -> None:
        hit = still & mask
        if hit.any():
            reason[hit] = text(hit)
            still[hit] = False

    raw, absent = d["customer_id"].to_numpy(dtype=object), d["customer_id"].isna().to_numpy(dtype=bool)
    missing = absent | (d["customer_id"] == "").to_numpy(dtype=bool, na_value=False)
    customer = _objects(_none_where(missing, raw), d.index)
    refuse(d["interaction_id"].isin(invited).to_numpy(), lambda _: ask.invited())
    refuse(missing, lambda _: ask.no_customer())
    if trigger.channel in NEEDS:  # an e-mail address, or a mobile number for the webhook channels
        refuse((d["contact"].isna() | (d["contact"] == "")).to_numpy(), lambda _: ask.no_contact())
    oldest, latest_due = now - timedelta(days=trigger.within_days), now - timedelta(hours=trigger.delay_hours)
    refuse((d["resolved_at"] < oldest).to_numpy(), lambda _: ask.old(oldest))
    refuse((d["resolved_at"] > latest_due).to_numpy(), lambda hit: ask.early(d["resolved_at"], hit, now - latest_due))
    if trigger.sample < 1:
        ids = d["interaction_id"].to_numpy(dtype=object)
        out = np.zeros(len(d), dtype=bool)
        out[still] = ~_sampled(survey_id, ids[still], trigger.sample)
        refuse(out, lambda hit: ask.not_sampled(str(ids[hit][0])))
    _once_per_customer(d, customer, still, refuse, ask, last_asked or {}, timedelta(days=trigger.once_per_days), now)
    invite = still.copy()
    send_at = _chosen(d, invite, reason, ask)
    d["invite"], d["reason"] = invite, _objects(reason, d.index)
    d["customer_id"] = _objects(_none_where(absent, raw), d.index)
    d["send_at"] = _objects(send_at, d.index)
    return d.loc[:, list(OUT)]


def _chosen(d: pd.DataFrame, invite: np.ndarray, reason: np.ndarray, ask: _Asker) -> np.ndarray:
    """Reasons (into ``reason``) and send times of the invited rows: one ``decide`` per customer time zone
    among them (the quiet hours are the customer's own), None for the rows not invited."""
    send_at = np.full(len(d), None, dtype=object)
    idx = np.flatnonzero(invite)
    if not len(idx):
        return send_at
    zones = d["timezone"].iloc[idx].astype(object).where(d["timezone"].iloc[idx].notna(), "").to_numpy(dtype=object)
    codes, uniques = pd.factorize(zones)
    ids = d["interaction_id"].to_numpy(dtype=object)
    for code, first in zip(*np.unique(codes, return_index=True), strict=True):
        text, at = ask.chosen(str(ids[idx[first]]), str(uniques[code]) or None)
        rows = idx[codes == code]
        reason[rows], send_at[rows] = text, at
    return send_at


def _objects(values: np.ndarray, index: pd.Index | None = None) -> pd.Series:
    """Python objects as they are: pandas would otherwise turn a million strings into an Arrow column (and back)."""
    return pd.Series(values, index=index, dtype=object)


def _none_where(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` (objects) with None where ``mask`` holds."""
    out = values.copy()
    out[mask] = None
    return out


def _chronological(resolved: pd.Series, ids: pd.Series) -> np.ndarray:
    """Positions earliest resolved first, ties by id, as ``decide`` sorts. Arrow sorts the ids as UTF-8 bytes,
    which is code-point order, Python's: pandas factorized a million strings for the same order."""
    keys = pa.table({"t": pa.array(resolved.to_numpy(dtype="datetime64[ns]").astype(np.int64)),
                     "i": pa.array(ids.to_numpy(dtype=object), pa.string())})  # fmt: skip
    return np.asarray(pc.sort_indices(keys, sort_keys=[("t", "ascending"), ("i", "ascending")]))


def _sampled(survey_id: str, ids: np.ndarray, probability: float) -> np.ndarray:
    """:func:`valueloop.surveys.fatigue.sampled` of each id, through its one sampling hash."""
    return sample_points(survey_id, ids) < probability


def _once_per_customer(
    d: pd.DataFrame,
    customer: pd.Series,
    still: np.ndarray,
    refuse: Callable[[np.ndarray, Callable[[np.ndarray], object]], None],
    ask: _Asker,
    last_asked: Mapping[str, datetime],
    gap: timedelta,
    now: datetime,
) -> None:
    """Asked lately (before this run) refuses with that date; in this run, only a customer's first row is asked."""
    ids, who = d["interaction_id"].to_numpy(), customer.to_numpy()
    if last_asked:
        last = customer.map(pd.Series(last_asked, dtype="datetime64[ns, UTC]"))
        lately = (last.notna() & ((now - last) < gap)).to_numpy()
        refuse(lately, lambda hit: ask.asked_on(who[hit], ids[hit], last_asked))
    if gap > timedelta(0):
        idx = np.flatnonzero(still)
        later = np.zeros(len(d), dtype=bool)  # not the customer's first open row (rows are in time order)
        codes = pd.factorize(d["customer_id"].iloc[idx])[0]  # an Arrow column: encoded without a Python str each
        later[idx] = True
        later[idx[np.unique(codes, return_index=True)[1]]] = False
        refuse(later, lambda hit: ask.asked_now(str(ids[hit][0])))


class _Asker:
    """Reason texts from :func:`decide` itself, about one representative candidate each (so the words are its)."""

    def __init__(self, survey_id: str, trigger: Trigger, now: datetime, tz: str) -> None:
        self.survey_id, self.trigger, self.now, self.tz = survey_id, trigger, now, tz
        self.due = now - timedelta(hours=trigger.delay_hours)

    def _say(
        self, c: Resolved, invited: frozenset[str] = frozenset(), last: datetime | None = None
    ) -> tuple[str, datetime | None]:
        (one,) = decide(self.survey_id, self.trigger, [c], now=self.now, tz=self.tz, invited=invited,
                        last_asked={"c": last} if last else None)  # fmt: skip
        return one.reason, one.send_at

    def _ok(self, iid: str = "x", at: datetime | None = None) -> Resolved:
        return Resolved(iid, "e", at or self.due, "c", "c@example.com")

    def invited(self) -> str:
        return self._say(self._ok(), frozenset({"x"}))[0]

    def no_customer(self) -> str:
        return self._say(Resolved("x", "e", self.due, None, None))[0]

    def no_contact(self) -> str:
        return self._say(Resolved("x", "e", self.due, "c", None))[0]

    def old(self, oldest: datetime) -> str:
        return self._say(self._ok(at=oldest - timedelta(microseconds=1)))[0]

    def early(self, resolved: pd.Series, hit: np.ndarray, delay: timedelta) -> np.ndarray:
        """One text per due minute (the reason names the minute the invitation falls due)."""
        at = resolved[hit]
        minute = (at + delay).dt.floor("min").to_numpy(dtype="datetime64[ns]").astype(np.int64)
        _, first, which = np.unique(minute, return_index=True, return_inverse=True)
        texts = np.array([self._say(self._ok(at=at.iloc[int(i)].to_pydatetime()))[0] for i in first], dtype=object)
        return texts[which.ravel()]

    def not_sampled(self, iid: str) -> str:
        return self._say(self._ok(iid))[0]

    def asked_on(self, customers: np.ndarray, ids: np.ndarray, last_asked: Mapping[str, datetime]) -> np.ndarray:
        """One text per day last asked (the reason names it); ``ids`` passed the sample, so ``decide`` gets there."""
        days = [f"{last_asked[c]:%Y-%m-%d}" for c in customers]
        texts: dict[str, str] = {}
        for day, c, iid in zip(days, customers, ids, strict=True):
            if day not in texts:
                texts[day] = self._say(self._ok(str(iid)), last=last_asked[c])[0]
        return np.array([texts[day] for day in days], dtype=object)

    def asked_now(self, iid: str) -> str:
        """A customer's second row in this run: asked "now" by its first (``iid`` passed the sample)."""
        return self._say(self._ok(iid), last=self.now)[0]

    def chosen(self, iid: str, zone: str | None) -> tuple[str, datetime | None]:
        """An invited row's words and send time for a customer in ``zone`` (None: the workspace's)."""
        return self._say(Resolved(iid, "e", self.due, "c", "c@example.com", zone))
