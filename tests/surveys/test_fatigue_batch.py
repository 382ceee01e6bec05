"""The columnar trigger (:mod:`valueloop.surveys.fatigue_batch`) decides exactly as the row-by-row rules
(:func:`valueloop.surveys.fatigue.decide`): same order, same invitations, same reasons, same send times,
on generated candidates that hit every rule (oracle test)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from valueloop.surveys.fatigue import Resolved, decide, sample_points
from valueloop.surveys.fatigue_batch import decide_frame
from valueloop.surveys.spec import Trigger

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai
QUIET_NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai: inside 21:00-08:00


ZONES = (None, None, "America/New_York", "Asia/Shanghai", "Europe/London", "Mars/Olympus")
"""Customers' own zones: mostly none (the workspace's), and one the tz database does not know (the workspace's too)."""


def candidates(seed: int, n: int = 3000) -> list[Resolved]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        customer = None if rng.random() < 0.05 else ("" if rng.random() < 0.02 else f"C{rng.integers(0, n // 4)}")
        contact = None if rng.random() < 0.1 else f"c{i}@example.com"
        at = NOW - timedelta(minutes=int(rng.integers(0, 11 * 24 * 60)), seconds=int(rng.integers(0, 60)))
        zone = ZONES[int(rng.integers(0, len(ZONES)))]
        out.append(Resolved(f"I{rng.integers(0, n * 2)}", f"B{i % 7}", at, customer, contact, zone))
    return out


def frame(rows: list[Resolved]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "interaction_id": [r.interaction_id for r in rows],
            "entity_id": [r.entity_id for r in rows],
            "customer_id": [r.customer_id for r in rows],
            "contact": [r.contact for r in rows],
            "resolved_at": pd.to_datetime([r.resolved_at for r in rows], utc=True),
            "timezone": [r.timezone for r in rows],
        }
    )


TRIGGERS = [
    Trigger(delay_hours=24, sample=0.5, once_per_days=30, channel="email", within_days=7),
    Trigger(delay_hours=2, sample=1, once_per_days=30, quiet_hours="21:00-08:00", channel="export"),
    Trigger(delay_hours=0, sample=0.3, once_per_days=0, channel="email", within_days=3),
    Trigger(delay_hours=48.5, sample=1, once_per_days=7, channel="export", within_days=10),
    Trigger(delay_hours=1, sample=0.8, once_per_days=14, channel="sms", within_days=5),  # needs a mobile number
]


@pytest.mark.parametrize("trigger", TRIGGERS)
@pytest.mark.parametrize("now", [NOW, QUIET_NOW])
def test_the_columnar_trigger_decides_as_the_row_rules(trigger: Trigger, now: datetime) -> None:
    rows = candidates(seed=int(trigger.delay_hours * 10) + now.hour)
    rng = np.random.default_rng(1)
    invited = frozenset(f"I{i}" for i in rng.integers(0, 6000, 300))
    last = {f"C{c}": now - timedelta(days=float(rng.uniform(0, 60))) for c in rng.integers(0, 750, 200)}
    slow = decide("after_service", trigger, rows, now=now, tz="Asia/Shanghai", invited=invited, last_asked=last)
    fast = decide_frame("after_service", trigger, frame(rows), now=now, tz="Asia/Shanghai", invited=invited,
                        last_asked=last)  # fmt: skip
    got = [
        (i, e, c, bool(v), r, None if s is None or pd.isna(s) else pd.Timestamp(s).to_pydatetime())
        for i, e, c, v, r, s in fast.itertuples(index=False)
    ]
    want = [(d.interaction_id, d.entity_id, d.customer_id, d.invite, d.reason, d.send_at) for d in slow]
    assert got == want
    reasons = {d.reason.split(":")[0].split(" (")[0][:20] for d in slow}
    assert len(reasons) >= 5, reasons  # the data reaches most rules


def test_no_candidates_decide_nothing() -> None:
    empty = frame([])
    assert decide_frame("s", TRIGGERS[0], empty, now=NOW, tz="UTC").empty


def test_the_sampling_hash_is_the_documented_one_for_every_kind_of_id() -> None:
    """The digests read as one array give exactly the per-id formula (non-ASCII, empty and long ids too)."""
    ids = ["I1", "工单-0001", "", "x" * 300, "é", "I1"]
    want = [int.from_bytes(hashlib.blake2b(f"s\x00{i}".encode(), digest_size=8).digest(), "big") / 2**64 for i in ids]
    assert sample_points("s", ids).tolist() == want
    assert sample_points("s", []).shape == (0,)


def test_ties_in_time_are_ordered_by_id_as_the_row_rules_order_them() -> None:
    """Many interactions resolved in the same second (a minute-stamped export): ids in code-point order,
    non-ASCII and mixed-case ids included, a customer's first one invited."""
    at = NOW - timedelta(days=2)
    ids = ["工单2", "B", "a", "工单10", "Z9", "é1", "e1", "A10", "A9"]
    rows = [Resolved(i, "B1", at, f"C{n % 3}", "x@example.com") for n, i in enumerate(ids)]
    trigger = Trigger(delay_hours=1, sample=1, once_per_days=30, channel="email", within_days=7)
    slow = decide("s", trigger, rows, now=NOW, tz="UTC")
    fast = decide_frame("s", trigger, frame(rows), now=NOW, tz="UTC")
    assert list(fast["interaction_id"]) == [d.interaction_id for d in slow] == sorted(ids)
    assert list(fast["invite"]) == [d.invite for d in slow] and list(fast["reason"]) == [d.reason for d in slow]


def test_quiet_hours_are_the_customers_own_at_the_same_instant() -> None:
    """At 23:00 in Shanghai (11:00 in New York) a Shanghai customer waits for 08:00, a New York one is asked
    now, a customer without a zone follows the workspace's; both paths agree."""
    at = QUIET_NOW - timedelta(days=1)
    zones = ["America/New_York", "Asia/Shanghai", None]
    rows = [Resolved(f"I{n}", "B1", at, f"C{n}", None, z) for n, z in enumerate(zones, 1)]
    trigger = TRIGGERS[1]
    slow = decide("s", trigger, rows, now=QUIET_NOW, tz="America/New_York")
    fast = decide_frame("s", trigger, frame(rows), now=QUIET_NOW, tz="America/New_York")
    morning = datetime(2026, 6, 11, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert [(d.invite, d.send_at, d.reason) for d in slow] == [
        (True, QUIET_NOW, "resolved, sampled, not asked lately"),
        (True, morning, "quiet hours: sent at 2026-06-11 08:00 Asia/Shanghai"),
        (True, QUIET_NOW, "resolved, sampled, not asked lately"),
    ]
    assert list(fast["reason"]) == [d.reason for d in slow]
    assert [pd.Timestamp(s).to_pydatetime() for s in fast["send_at"]] == [d.send_at for d in slow]
    without = decide_frame("s", trigger, frame(rows).drop(columns="timezone"), now=QUIET_NOW, tz="Asia/Shanghai")
    assert set(without["reason"]) == {"quiet hours: sent at 2026-06-11 08:00 Asia/Shanghai"}
