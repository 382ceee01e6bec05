"""Bot resolution, grades, visit verification and calibration."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from valueloop.people.bot import bot_resolution
from valueloop.people.calibration import calibration_report
from valueloop.people.grades import absolute_grades, forced_grades, incentive, quota_counts
from valueloop.people.service.audits import bot_resolution_rate
from valueloop.people.verification import verify_visits
from valueloop.store.workspace import init_workspace

T = pd.Timestamp("2026-03-02 02:00", tz="UTC")


def _x(rows: list[tuple[str, str, str, str, bool, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"interaction_id": i, "entity_id": "T1", "customer_id": c, "channel": ch, "category": cat,
             "resolved_by_bot": ok, "reopened": False, "opened_at": T + pd.Timedelta(days=d)}
            for i, c, ch, cat, ok, d in rows
        ]
    )  # fmt: skip


def test_return_to_a_human_within_seven_days_is_not_resolved() -> None:
    x = _x(
        [
            ("a", "u1", "bot", "billing", True, 0),
            ("b", "u1", "phone", "billing", False, 6.9),  # back within 7 days: a not resolved
            ("c", "u2", "bot", "billing", True, 0),
            ("d", "u2", "phone", "billing", False, 7.5),  # too late: c resolved
            ("e", "u3", "bot", "account", True, 0),
            ("f", "u3", "phone", "billing", False, 1),  # other topic: e resolved
            ("g", "u4", "bot", "refund", True, 0),  # not routine
            ("h", "u5", "bot", "inquiry", False, 0),  # bot failed
        ]
    )
    [row] = bot_resolution(x)
    assert (row["routine"], row["resolved"], row["returned_to_human"]) == (4, 2, 1)
    assert row["rate"] == 0.5 and row["meets_target"] is False


def test_bot_resolution_without_questions_or_humans_answers_rather_than_fails(tmp_path: Path) -> None:
    """No interactions at all (an empty lake reads as Arrow-backed columns), or no human to return to."""
    [empty] = bot_resolution_rate(init_workspace(tmp_path / "ws"))
    assert (empty.routine, empty.rate, empty.meets_target) == (0, None, None)
    only_bot = _x([("a", "u1", "bot", "billing", True, 0)]).convert_dtypes(dtype_backend="pyarrow")
    [row] = bot_resolution(only_bot)
    assert (row["routine"], row["resolved"], row["returned_to_human"]) == (1, 1, 0)


def test_grades() -> None:
    assert quota_counts(7, {"A": 0.2, "B": 0.7, "C": 0.1}) == {"A": 1, "B": 5, "C": 1}
    assert forced_grades([50, 50, 40, None], {"A": 0.5, "B": 0.5}) == ["A", "A", "B", None]
    assert absolute_grades([90, 89.9, None]) == ["A", "B", None]
    assert incentive(["A", None, "Z"]) == [1.2, None, None]
    with pytest.raises(ValueError, match="sum to 1"):
        quota_counts(3, {"A": 0.5})


def test_verification_finds_every_planted_problem() -> None:
    start = pd.Timestamp("2026-03-02 02:00", tz="UTC")  # 10:00 in Shanghai
    audits = pd.DataFrame(
        {
            "audit_id": ["ok", "short", "late"],
            "started_at": [start, start, start + pd.Timedelta(hours=9)],
            "ended_at": [
                start + pd.Timedelta(minutes=30),
                start + pd.Timedelta(minutes=3),
                start + pd.Timedelta(hours=10),
            ],
        }
    )
    items = pd.DataFrame({"audit_id": ["ok", "short", "late"], "evidence_hash": ["h1", "h2", "h1"]})
    found = {(p["audit_id"], p["check"]) for p in verify_visits(audits, items)}
    assert found == {
        ("short", "too_short"),
        ("late", "outside_hours"),
        ("ok", "duplicate_photo"),
        ("late", "duplicate_photo"),
    }


def test_calibration_agreement() -> None:
    audits = pd.DataFrame(
        {"audit_id": ["v1", "v2"], "calibration_id": ["c", "c"], "auditor_id": ["x", "y"], "entity_id": ["B1", "B1"]}
    )
    results = ["pass", "fail", "pass", "fail"]
    items = pd.DataFrame(
        {
            "audit_id": ["v1"] * 4 + ["v2"] * 4,
            "item": list("abcd") * 2,
            "result": results * 2,
            "rating": [5, 1, 4, 2] * 2,
        }
    )
    [row] = calibration_report(audits, items)
    assert row["alpha_nominal"] == 1.0 and row["cohen_kappa"] == 1.0 and row["verdict"] == "reliable"
