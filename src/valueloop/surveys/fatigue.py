"""Who is invited after a resolved interaction, and why not: the trigger and fatigue rules, pure.

Rules, in the order a person reads the reason: an interaction is invited once per survey;
it needs a customer (and an address: e-mail, or a mobile number for SMS, WeCom, DingTalk); it
waits ``delay_hours`` after it was resolved; it is sampled with probability ``sample``; its
customer is asked at most once per ``once_per_days`` (earlier interactions first, so the same
batch cannot ask twice); an invitation due during quiet hours is sent when they end, the quiet
hours read in the customer's own time zone when the customer data names one (else the
workspace's), so one run may send a New York customer's invitation now and hold a Shanghai
customer's until morning. Sampling
hashes the survey and interaction ids instead of drawing a random number, so a dry run and the
real run agree and a re-run never re-rolls an interaction it skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from operator import attrgetter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from valueloop.surveys.spec import WEBHOOK_CHANNELS, Channel, Trigger

NEEDS: dict[Channel, str] = {Channel.email: "e-mail address"} | {c: "mobile number" for c in WEBHOOK_CHANNELS}


@dataclass(frozen=True)
class Resolved:
    """A resolved interaction that may earn an invitation; ``contact`` is the channel's address when known,
    ``timezone`` the customer's own IANA zone when known (quiet hours are theirs)."""

    interaction_id: str
    entity_id: str
    resolved_at: datetime
    customer_id: str | None = None
    contact: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class Decision:
    interaction_id: str
    entity_id: str
    customer_id: str | None
    invite: bool
    reason: str
    send_at: datetime | None = None


def sampled(survey_id: str, interaction_id: str, probability: float) -> bool:
    """Whether the interaction falls in the sample: a stable hash below ``probability``."""
    return probability >= 1 or bool(sample_points(survey_id, [interaction_id])[0] < probability)


def sample_points(survey_id: str, interaction_ids: Iterable[str]) -> npt.NDArray[np.float64]:
    """Each interaction's stable place in [0, 1) for ``survey_id``: in the sample when below the probability.

    The one home of the sampling hash (the per-row rules and the columnar trigger both call it): the
    first 8 bytes of BLAKE2b(survey id, NUL, interaction id), big-endian, over 2**64. Only the hashing is
    per id; the digests are read as one array (an int and a float object per id cost as much again).
    Dividing by a power of two is exact, so each value equals ``int.from_bytes(digest, "big") / 2**64``.
    """
    hasher = hashlib.blake2b(f"{survey_id}\x00".encode(), digest_size=8)
    copy = hasher.copy
    digests = bytearray()
    for i in interaction_ids:
        h = copy()
        h.update(i.encode())
        digests += h.digest()
    return np.frombuffer(bytes(digests), dtype=">u8").astype(np.float64) / 2.0**64


def quiet_until(now: datetime, quiet: str | None, tz: str) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (``HH:MM-HH:MM`` local; may span midnight), else None."""
    if not quiet:
        return None
    start_s, end_s = quiet.split("-")
    start, end = time.fromisoformat(start_s), time.fromisoformat(end_s)
    local = now.astimezone(ZoneInfo(tz))
    t = local.time().replace(tzinfo=None)
    inside = start <= t < end if start <= end else (t >= start or t < end)
    if not inside or start == end:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=local.tzinfo).astimezone(now.tzinfo)


def zone_of(customer_zone: str | None, workspace_zone: str) -> str:
    """The zone whose quiet hours apply: the customer's when known and valid, else the workspace's.

    Ingest refuses an unknown zone, so the fallback only covers a tz database older than the data's."""
    if not customer_zone:
        return workspace_zone
    try:
        ZoneInfo(customer_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return workspace_zone
    return customer_zone


def when_sent(now: datetime, quiet_hours: str | None, tz: str) -> tuple[str, datetime]:
    """An invited customer's reason and send time in zone ``tz``: now, or when its quiet hours end."""
    quiet = quiet_until(now, quiet_hours, tz)
    if quiet is None:
        return "resolved, sampled, not asked lately", now
    return f"quiet hours: sent at {quiet.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M} {tz}", quiet


@dataclass(frozen=True)
class _Rules:
    """The trigger's thresholds worked out once per run, not once per interaction."""

    survey_id: str
    trigger: Trigger
    now: datetime
    latest_due: datetime
    """Resolved after this, the delay has not passed yet."""
    oldest: datetime
    """Resolved before this, too long ago to ask."""
    gap: timedelta
    invited: frozenset[str]
    needs: str | None
    """What the channel must know about the customer (an e-mail address, a mobile number), None for none."""
    not_sampled: str


def decide(
    survey_id: str,
    trigger: Trigger,
    candidates: Iterable[Resolved],
    *,
    now: datetime,
    tz: str,
    invited: frozenset[str] = frozenset(),
    last_asked: Mapping[str, datetime] | None = None,
) -> list[Decision]:
    """One decision per candidate, earliest resolved first. ``invited``: interactions invited before;
    ``last_asked``: customer → their latest invitation to any survey; ``tz``: the workspace's zone, for
    customers without their own."""
    asked = dict(last_asked or {})
    rules = _Rules(survey_id, trigger, now, now - timedelta(hours=trigger.delay_hours),
                   now - timedelta(days=trigger.within_days), timedelta(days=trigger.once_per_days), invited,
                   NEEDS.get(trigger.channel), f"not in the {trigger.sample:.0%} sample")  # fmt: skip
    sent: dict[str, tuple[str, datetime]] = {}  # zone → (reason, send time), worked out once per zone
    out = []
    for c in sorted(candidates, key=attrgetter("resolved_at", "interaction_id")):
        why_not = _why_not(rules, c, asked.get(c.customer_id or ""))
        if why_not:
            out.append(Decision(c.interaction_id, c.entity_id, c.customer_id, False, why_not))
            continue
        asked[c.customer_id or ""] = now
        zone = zone_of(c.timezone, tz)
        if zone not in sent:
            sent[zone] = when_sent(now, trigger.quiet_hours, zone)
        chosen, at = sent[zone]
        out.append(Decision(c.interaction_id, c.entity_id, c.customer_id, True, chosen, at))
    return out


def _why_not(r: _Rules, c: Resolved, last: datetime | None) -> str | None:
    if c.interaction_id in r.invited:
        return "already invited to this survey"
    if not c.customer_id:
        return "no customer on the interaction"
    if r.needs and not c.contact:
        return f"no {r.needs} for the customer"
    if c.resolved_at < r.oldest:
        return f"resolved more than {r.trigger.within_days} days ago"
    if c.resolved_at > r.latest_due:
        due = c.resolved_at + (r.now - r.latest_due)
        return f"too early: due at {due:%Y-%m-%d %H:%M} UTC ({r.trigger.delay_hours:g} h after resolution)"
    if not sampled(r.survey_id, c.interaction_id, r.trigger.sample):
        return r.not_sampled
    if last is not None and r.now - last < r.gap:
        return f"customer already asked on {last:%Y-%m-%d} (at most once per {r.trigger.once_per_days} days)"
    return None
