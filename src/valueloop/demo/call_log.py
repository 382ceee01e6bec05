"""A realistic bank call-centre log, one row per call, in the public "Anonymous Bank" shape.

Columns: ``vru+line, call_id, customer_id, priority, type, date, vru_entry, vru_exit, vru_time,
q_start, q_exit, q_time, outcome, ser_start, ser_exit, ser_time, server``; dates as ``yymmdd``,
clock times as ``H:MM:SS`` with ``0:00:00`` meaning "no value" (never queued, never served),
durations in whole seconds, ``NO_SERVER`` for a call no agent answered. Made up from a seed,
never copied from any public month, so tests and the tutorial may depend on it.

How it behaves, so the KPIs computed from it look like a real centre's:

* arrivals are a Poisson process whose rate follows the hour of day (a morning and an
  afternoon peak, a quiet evening; Friday ends early, Saturday opens in the evening);
* every call spends a few seconds in the voice response unit (VRU); some end there;
* queued calls are answered first-come-first-served by the agents on shift; a caller's
  patience is exponential, so the longer the wait, the more hang up (HANG) before an agent
  answers; a few queued calls vanish at once (PHANTOM);
* service times are log-normal with a mean by call type (internet support is long);
* the staffing follows the offered load hour by hour, give or take an agent, so waits vary;
* a call near midnight has its exit times after midnight on the same ``date`` (the log's way).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

HEADER = ("vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit", "vru_time",
          "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time", "server")  # fmt: skip
NO_TIME = "0:00:00"
NO_SERVER = "NO_SERVER"
TYPES = ("PS", "PE", "IN", "NE", "NW", "TT")
TYPE_SHARE = (0.62, 0.06, 0.08, 0.08, 0.12, 0.04)
SERVICE_MEAN_S = {"PS": 180.0, "PE": 200.0, "IN": 390.0, "NE": 250.0, "NW": 140.0, "TT": 110.0}
AGENTS = ("MICHAL", "ANAT", "DORIT", "AVI", "YITZ", "SHARON", "MORIAH", "ELI", "IDIT", "STEREN", "GELBER", "ZOHARI",
          "ILANA", "BENSION", "KAZAV", "TOVA", "NAAMA", "PINHAS", "ROTH", "SHLOMO", "YIFAT", "OFRA", "GILI", "HILA",
          "RONIT", "AVNI", "BASCH", "DARMON", "EFRAT", "FEINER", "GABI", "HAREL", "IRIS", "KEREN", "LIOR", "MAYA",
          "NOGA", "ORIT", "PELEG")  # fmt: skip
HOURLY = np.array([0, 0, 0, 0, 0, 0, 0, 40, 95, 120, 125, 118, 100, 92, 98, 105, 96, 80, 62, 50, 42, 35, 26, 14],
                  dtype=float)  # fmt: skip
"""Relative arrival rate by hour of day (Sunday–Thursday); the first calls come at 7:00."""
VRU_ONLY = 0.12
"""Share of calls that end in the voice response unit (never queued)."""
PHANTOM = 0.01
PATIENCE_MEAN_S = 150.0
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Call:
    """One call as the generator knows it: absolute local times (None: no value) and its outcome."""

    call_id: int
    vru_line: str
    customer_id: int
    priority: int
    type: str
    vru_entry: datetime
    vru_exit: datetime
    q_start: datetime | None
    q_exit: datetime | None
    outcome: str
    ser_start: datetime | None
    ser_exit: datetime | None
    server: str

    @property
    def day(self) -> date:
        return self.vru_entry.date()

    def seconds(self, start: datetime | None, end: datetime | None) -> int:
        return int((end - start).total_seconds()) if start is not None and end is not None else 0

    def row(self) -> tuple[str, ...]:
        """The call as the log writes it: times of day only, after midnight still on the entry's date."""
        return (self.vru_line, str(self.call_id), str(self.customer_id), str(self.priority), self.type,
                self.day.strftime("%y%m%d"), _clock(self.vru_entry), _clock(self.vru_exit),
                str(self.seconds(self.vru_entry, self.vru_exit)), _clock(self.q_start), _clock(self.q_exit),
                str(self.seconds(self.q_start, self.q_exit)), self.outcome, _clock(self.ser_start),
                _clock(self.ser_exit), str(self.seconds(self.ser_start, self.ser_exit)), self.server)  # fmt: skip


def _clock(t: datetime | None) -> str:
    return NO_TIME if t is None else f"{t.hour}:{t.minute:02d}:{t.second:02d}"


def _open_hours(day: date) -> np.ndarray:
    """The day's hourly arrival weights: Friday closes at 14:00, Saturday opens at 20:00."""
    weights = HOURLY.copy()
    weekday = day.weekday()
    if weekday == 4:
        weights[14:] = 0
    elif weekday == 5:
        weights[:20] = 0
    return weights


def simulate(start: date, days: int, *, calls_per_day: int = 1200, seed: int = 7) -> list[Call]:
    """Every call of ``days`` days from ``start``, in order of arrival; the same seed gives the same calls."""
    rng = np.random.default_rng(seed)
    calls: list[Call] = []
    customers = rng.integers(10_000_000, 99_999_999, size=4_000)
    for offset in range(days):
        calls += _day(rng, start + timedelta(days=offset), calls_per_day, 33_000 + len(calls), customers)
    return calls


def _arrivals(rng: np.random.Generator, day: date, calls_per_day: int) -> np.ndarray:
    """Arrival instants (seconds after the day's midnight), sorted, none at exactly 0:00:00 of any day."""
    weights = _open_hours(day)
    if weights.sum() == 0:
        return np.array([], dtype=np.int64)
    per_hour = rng.poisson(calls_per_day * weights / HOURLY.sum())
    seconds = [rng.integers(h * 3600, (h + 1) * 3600, size=n) for h, n in enumerate(per_hour)]
    out = np.sort(np.concatenate(seconds)).astype(np.int64)
    return np.asarray(out[out > 0])


def _staffing(rng: np.random.Generator, day: date, calls_per_day: int) -> list[list[str]]:
    """The agents on shift in each hour: about the offered load over a target occupancy, give or
    take one (so some hours run short and queues build), drawn from the day's team."""
    weights = _open_hours(day)
    team = [str(a) for a in rng.choice(AGENTS, size=16, replace=False)]
    mean_service = sum(SERVICE_MEAN_S[t] * p for t, p in zip(TYPES, TYPE_SHARE, strict=True))
    roster = []
    for hour in range(24):
        erlangs = calls_per_day * weights[hour] / HOURLY.sum() * (1 - VRU_ONLY) * mean_service / 3600
        n = 0 if weights[hour] == 0 else max(1, round(float(erlangs / 0.93 + rng.normal(0, 0.8))))
        start = int(rng.integers(0, len(team)))
        roster.append([team[(start + i) % len(team)] for i in range(min(n, len(team)))])
    return roster


def _day(
    rng: np.random.Generator, day: date, calls_per_day: int, first_id: int, customers: np.ndarray
) -> Iterator[Call]:
    midnight = datetime(day.year, day.month, day.day)

    def t(seconds: float) -> datetime:
        return _not_midnight(midnight + timedelta(seconds=int(seconds)))

    roster = _staffing(rng, day, calls_per_day)
    free = dict.fromkeys(AGENTS, 0.0)
    for n, arrival in enumerate(_arrivals(rng, day, calls_per_day)):
        kind = str(rng.choice(TYPES, p=TYPE_SHARE))
        priority = int(rng.choice((0, 1, 2), p=(0.3, 0.5, 0.2)))
        customer = 0 if priority == 0 else int(rng.choice(customers))
        vru_s = int(np.clip(rng.lognormal(np.log(7), 0.5), 1, 120))
        q_start = float(arrival + vru_s)
        outcome, q_exit, ser = _route(rng, q_start, kind, roster, free)
        at = midnight + timedelta(seconds=int(arrival))
        yield Call(
            call_id=first_id + n,
            vru_line=f"AA{int(rng.integers(1, 4)):02d}{int(rng.integers(1, 17)):02d}",
            customer_id=customer,
            priority=priority,
            type=kind,
            vru_entry=at,
            vru_exit=t(q_start),
            q_start=None if outcome == "VRU" else t(q_start),
            q_exit=None if q_exit is None else t(q_exit),
            outcome="HANG" if outcome == "VRU" else outcome,
            ser_start=None if ser is None else t(ser[1]),
            ser_exit=None if ser is None else t(ser[2]),
            server=NO_SERVER if ser is None else ser[0],
        )


def _not_midnight(t: datetime) -> datetime:
    """A time one second later if it falls on 0:00:00 exactly, which the log reserves for "no value"."""
    return t + timedelta(seconds=1) if (t.hour, t.minute, t.second) == (0, 0, 0) else t


def _route(
    rng: np.random.Generator, q_start: float, kind: str, roster: list[list[str]], free: dict[str, float]
) -> tuple[str, float | None, tuple[str, float, float] | None]:
    """(outcome, queue exit, (agent, service start, service end) or None) of a call leaving the VRU."""
    if rng.random() < VRU_ONLY:
        return "VRU", None, None
    if rng.random() < PHANTOM:
        return "PHANTOM", q_start + int(rng.integers(0, 3)), None
    on_shift = [(max(free[a], q_start), a) for a in roster[min(int(q_start // 3600), 23)]]
    if not on_shift:
        patience = float(int(rng.exponential(PATIENCE_MEAN_S)) + 1)
        return "HANG", q_start + patience, None
    answer, agent = min(on_shift)
    wait = int(np.ceil(answer - q_start))
    patience = int(rng.exponential(PATIENCE_MEAN_S))
    if patience < wait:
        return "HANG", q_start + patience, None
    service = int(np.clip(rng.lognormal(np.log(SERVICE_MEAN_S[kind]) - 0.18, 0.6), 5, 3600))
    begin = q_start + wait
    free[agent] = begin + service + int(rng.integers(2, 20))  # a few seconds of wrap-up
    return "AGENT", begin, (agent, begin, begin + service)


def write_call_log(path: Path, calls: list[Call], delimiter: str = ",") -> Path:
    """Write ``calls`` as the log file (UTF-8, a header row); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(call.row() for call in calls)
    return path


def month_start(month: str) -> tuple[date, int]:
    """``1999-08`` → (its first day, its number of days)."""
    first = datetime.strptime(month, "%Y-%m").date()
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, (following - first).days
