"""Streaming minute KPIs equal a batch computation over the same events, on every prefix."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from valueloop.monitoring.events import EventBatch, Kind
from valueloop.monitoring.kpis import KPIS, WINDOWS, column
from valueloop.monitoring.stream import KpiStream


def _events(seed: int, n: int = 900, minutes: int = 150) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, minutes * 60, n)) + 1_800_000_000
    # a gap of 70 quiet minutes so entities drop out and come back
    t = np.where(t > t[n // 2], t + 70 * 60, t)
    kind = rng.choice(len(Kind), n, p=[0.25, 0.2, 0.15, 0.05, 0.1, 0.05, 0.03, 0.05, 0.12])
    value = np.full(n, np.nan)
    fr = kind == Kind.first_response
    value[fr] = np.round(rng.lognormal(4, 1, int(fr.sum())), 1)
    value[fr & (rng.random(n) < 0.1)] = np.nan  # first responses without a time
    fb = kind == Kind.feedback
    value[fb] = rng.integers(1, 6, int(fb.sum()))
    entity = rng.choice(["B1", "B2", "B3", "支行4", ""], n, p=[0.4, 0.3, 0.15, 0.1, 0.05])
    return pd.DataFrame({"t": t, "entity": entity, "kind": kind, "value": value})


def _oracle(
    df: pd.DataFrame, minute: int, key: str, width: int, children: dict[str, set[str]] | None = None
) -> dict[str, float]:
    """KPIs of one window straight from the events (plain numpy masks), independent of the stream's code."""
    t, ent, kind, value = (df[c].to_numpy() for c in ("t", "entity", "kind", "value"))
    inside = (t >= (minute - width + 1) * 60.0) & (t < (minute + 1) * 60.0)
    if key != "*":
        inside &= np.isin(ent, list({key} | (children or {}).get(key, set())))
    k, v = kind[inside], value[inside]

    def rate(num: int, den: int) -> float:
        return num / den if den else math.nan

    def count(kd: Kind) -> int:
        return int((k == kd).sum())

    frt = v[(k == Kind.first_response) & ~np.isnan(v)]
    return {
        "volume": count(Kind.opened),
        "resolved": count(Kind.resolved),
        "complaints": count(Kind.complaint),
        "bot_handoffs": count(Kind.bot_handoff),
        "errors": count(Kind.error),
        "events": len(k),
        "feedback": count(Kind.feedback),
        "first_responses": count(Kind.first_response),
        "complaint_rate": rate(count(Kind.complaint), count(Kind.opened)),
        "abandonment": rate(count(Kind.abandoned), count(Kind.opened)),
        "negative_feedback_rate": rate(int(((k == Kind.feedback) & (v <= 2)).sum()), count(Kind.feedback)),
        "error_rate": rate(count(Kind.error), len(k)),
        "frt_p50": float(np.quantile(frt, 0.5)) if len(frt) else math.nan,
        "frt_p90": float(np.quantile(frt, 0.9)) if len(frt) else math.nan,
    }


def _batches(df: pd.DataFrame, seed: int) -> list[EventBatch]:
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.choice(np.arange(1, len(df)), 40, replace=False))
    out = []
    for part in np.split(np.arange(len(df)), cuts):
        sub = df.iloc[rng.permutation(part)]  # out of order inside a batch is fine
        out.append(
            EventBatch(sub.t.to_numpy(), sub.entity.to_numpy(str), sub.kind.to_numpy(np.int64), sub.value.to_numpy())
        )
    return out


ROLLUP = {"B1": ["R1", "C"], "B2": ["R1", "C"], "B3": ["R2", "C"], "支行4": ["R2", "C"]}
CHILDREN = {"R1": {"B1", "B2"}, "R2": {"B3", "支行4"}, "C": {"B1", "B2", "B3", "支行4"}}


@pytest.mark.parametrize(("seed", "rollup"), [(1, False), (2, True)])
def test_every_prefix_matches_the_batch_oracle(seed: int, rollup: bool) -> None:
    df = _events(seed)
    stream = KpiStream(ROLLUP if rollup else None)
    seen: list[tuple[int, str]] = []
    for batch in _batches(df, seed):
        frame, late = stream.update(batch)
        assert not late.any()
        names = [stream.names[k] for k in frame.key.tolist()]
        fed = df[df.t <= batch.t.max()] if len(batch) else df
        for i, (m, key) in enumerate(zip(frame.minute.tolist(), names, strict=True)):
            assert stream.open_minute is not None and m < stream.open_minute
            for wname, width in WINDOWS.items():
                want = _oracle(fed, m, key, width, CHILDREN if rollup else None)
                for kpi in KPIS:
                    got = frame.values[column(kpi, wname)][i]
                    assert (math.isnan(got) and math.isnan(want[kpi])) or got == want[kpi], (m, key, wname, kpi)
            seen.append((m, key))
    # rows: the overall series every closed minute; an entity while it had events in the last hour
    minutes = np.floor(df.t / 60).astype(int)
    first, last_closed = int(minutes.min()), int(minutes.max()) - 1
    want_rows = set()
    for m in range(first, last_closed + 1):
        want_rows.add((m, "*"))
        recent = df[(minutes > m - 60) & (minutes <= m)]
        want_rows |= {(m, e) for e in set(recent.entity) if e}
        if rollup:
            want_rows |= {(m, p) for e in set(recent.entity) if e for p in ROLLUP[e]}
    assert sorted(seen) == sorted(want_rows) and len(seen) == len(want_rows)


def test_late_events_are_rejected_and_checkpoint_restores() -> None:
    df = _events(5, n=600, minutes=90)
    batches = _batches(df, 5)
    a, b = KpiStream(ROLLUP), None
    out_a, out_b = [], []
    for i, batch in enumerate(batches):
        if i == 20:
            b = KpiStream.from_state(json.loads(json.dumps(a.state())), ROLLUP)
        fa, _ = a.update(batch)
        out_a.append(fa)
        if b is not None:
            fb, _ = b.update(batch)
            out_b.append(fb)
    for fa, fb in zip(out_a[20:], out_b, strict=True):
        assert fa.minute.tolist() == fb.minute.tolist() and fa.key.tolist() == fb.key.tolist()
        for name in fa.values:
            np.testing.assert_array_equal(fa.values[name], fb.values[name])
    late = EventBatch(np.array([df.t.min()]), np.array(["B1"]), np.array([0]), np.array([np.nan]))
    _, mask = a.update(late)
    assert mask.tolist() == [True]


def test_advance_closes_silent_minutes() -> None:
    s = KpiStream()
    s.update(EventBatch(np.array([60.0, 61.0]), np.array(["B1", "B1"]), np.array([0, 5]), np.array([np.nan] * 2)))
    frame = s.advance(60.0 * 4 + 1)
    assert frame.minute.tolist() == [1, 1, 2, 2, 3, 3]  # B1 stays while it had events in the last hour
    assert frame.key.tolist() == [0, 1] * 3
    assert frame.values["complaint_rate[1m]"][1] == 1.0
    assert frame.values["volume[1m]"][2:].tolist() == [0, 0, 0, 0]
    assert frame.values["volume[15m]"][2:].tolist() == [1, 1, 1, 1]
    assert np.isnan(frame.values["complaint_rate[1m]"][3]) and frame.values["complaint_rate[15m]"][5] == 1.0


def test_a_far_future_event_closes_a_bounded_number_of_minutes() -> None:
    """One event stamped a month (or millennia) ahead reports a day of silence, then skips to its minute."""
    from valueloop.monitoring.kpis import HISTORY
    from valueloop.monitoring.stream import MAX_SILENT_MINUTES

    def one(t: float, entity: str = "B1") -> EventBatch:
        return EventBatch(np.array([t]), np.array([entity]), np.array([int(Kind.opened)]), np.array([np.nan]))

    start = 1_800_000_000.0
    for ahead in (30 * 86_400.0, 1e15):
        stream = KpiStream()
        stream.update(one(start))
        frame, late = stream.update(one(start + ahead))
        assert not late.any()
        assert len(frame) <= 2 * HISTORY + MAX_SILENT_MINUTES  # entity rows while it is active, then key 0 only
        assert int(frame.minute.max()) < math.floor(start / 60) + HISTORY + MAX_SILENT_MINUTES
        assert stream.open_minute == math.floor((start + ahead) / 60)
        closed, late = stream.update(one(start + ahead + 60))  # the next minute is live, not late
        assert not late.any() and list(closed.minute) == [stream.open_minute - 1] * len(closed)
        volume = closed.values[column("volume", "1m")]
        assert volume[closed.key == 0].tolist() == [1.0]
