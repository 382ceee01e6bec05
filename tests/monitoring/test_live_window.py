"""Live intake takes events within a window around now; a replay of recorded events takes any time."""

from __future__ import annotations

import json

import pytest

from valueloop.monitoring.events import LiveWindow, parse_lines

NOW = 1_796_000_000.0  # 2026-11-30T00:53:20Z
HOUR = 3600.0


def _line(ts: object) -> str:
    return json.dumps({"type": "interaction_opened", "ts": ts, "entity_id": "B1"})


@pytest.mark.parametrize(
    ("ts", "reason"),
    [
        (NOW - 25 * HOUR, "late: ts 2026-11-28T23:53:20+00:00 is more than 24 h before now (2026-11-30T00:53:20"),
        (NOW + 25 * HOUR, "early: ts 2026-12-01T01:53:20+00:00"),
        ("2026-08-03T02:00:00Z", "late: ts 2026-08-03T02:00:00+00:00 is more than 24 h before now"),
        ("9999-12-31T23:59:59Z", "early: ts 9999-12-31T23:59:59+00:00 is more than 24 h after now"),
        (1e300, "early: ts 1e+300 s"),
        (-1e12, "late: ts -1e+12 s"),
    ],
)
def test_events_outside_the_window_are_rejected_as_late_or_early(ts: object, reason: str) -> None:
    batch, rejected = parse_lines([_line(NOW), _line(ts)], window=LiveWindow(NOW, 24 * HOUR))
    assert len(batch) == 1 and [r.line for r in rejected] == [2]
    assert rejected[0].reason.startswith(reason), rejected[0].reason


@pytest.mark.parametrize("ts", [NOW - 24 * HOUR, NOW + 24 * HOUR, NOW - 1, "2026-11-30T09:33:20Z"])
def test_events_inside_the_window_are_taken(ts: object) -> None:
    batch, rejected = parse_lines([_line(ts)], window=LiveWindow(NOW, 24 * HOUR))
    assert len(batch) == 1 and not rejected


def test_without_a_window_any_time_is_taken() -> None:
    batch, rejected = parse_lines([_line("2020-01-01T00:00:00Z"), _line("2099-01-01T00:00:00Z")])
    assert len(batch) == 2 and not rejected


@pytest.mark.parametrize(
    "entity", ["B1\n### resolved\n[details](http://127.0.0.1:9/x)", "B1\r", "B1\tB2", "B1\x85", "\x00"]
)
def test_an_entity_id_with_a_control_character_is_rejected(entity: str) -> None:
    """An alert's id, summary and labels go into chat markdown and e-mail: an id must not add lines to them."""
    good = _line(NOW)
    bad = json.dumps({"type": "error", "ts": NOW, "entity_id": entity})
    batch, rejected = parse_lines([good, bad], window=LiveWindow(NOW, 24 * HOUR))
    assert len(batch) == 1 and [r.line for r in rejected] == [2]
    assert "entity_id" in rejected[0].reason and "control character" in rejected[0].reason
