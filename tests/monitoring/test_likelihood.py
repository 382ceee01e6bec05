"""The anomaly-likelihood detector: live-stream semantics, calibration, suppression, the bank, the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from valueloop.cli.monitor import register
from valueloop.monitoring.bank import LikelihoodBank
from valueloop.monitoring.likelihood import SHIPPED, TailLikelihood, suppress
from valueloop.monitoring.registry import DEFAULT, make, run
from valueloop.monitoring.service.detect import detect
from valueloop.spec.alerts import RuleSpec


def _series(n: int = 3000, seed: int = 1, shift_at: int | None = 2000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = 50.0 + 5.0 * np.sin(np.arange(n) * 2 * np.pi / 288) + rng.normal(0, 1.0, n)
    if shift_at is not None:
        x[shift_at:] += 15.0
    return x


def test_is_the_default() -> None:
    assert DEFAULT == "likelihood"


def test_no_look_ahead_appending_rows_never_changes_past_scores() -> None:
    x = _series()
    full_scores, full_fired = run(make("likelihood"), x)
    for cut in (150, 1999, 2005, 2500):
        scores, fired = run(make("likelihood"), x[:cut])
        assert np.array_equal(scores, full_scores[:cut]) and np.array_equal(fired, full_fired[:cut])


def test_score_is_a_probability_and_a_shift_is_flagged_once() -> None:
    scores, fired = run(make("likelihood"), _series())
    assert np.all((scores >= 0.0) & (scores <= 1.0))
    assert fired[2000:2030].sum() == 1  # caught within minutes of the shift …
    assert fired[2000:2150].sum() == 1  # … and the rest of the incident is suppressed
    assert not fired[:2000].any()


def test_probation_then_half_on_a_steady_series() -> None:
    d = TailLikelihood()
    scores, _ = run(d, np.full(500, 7.0))
    assert np.all(scores[: d.min_samples + d.probation - 1] == 0.0)
    assert np.all(scores[d.min_samples + d.probation :] == 0.5)  # the recent raw scores are exactly usual


def test_repeat_suppression_rests_then_flags_again() -> None:
    d = TailLikelihood(threshold=0.5, rest=10, min_samples=5, probation=5)
    x = np.concatenate([np.ones(20), np.arange(40, dtype=float) * 100.0])  # keeps getting stranger
    _, fired = run(d, x)
    gaps = np.diff(np.flatnonzero(fired))
    assert len(gaps) and np.all(gaps == 11)


def test_explain_says_why() -> None:
    d = TailLikelihood(threshold=0.5, rest=10, min_samples=5, probation=5)
    reasons = []
    for x in np.concatenate([np.ones(20), np.arange(15, dtype=float) * 100.0]):
        d.update(float(x))
        reasons.append(d.explain().reason)
    fired_at = next(i for i, r in enumerate(reasons) if "no earlier flag" in r)
    assert reasons[fired_at + 1].startswith("resting: flagged 1 rows ago")
    assert "below threshold" in reasons[0]


def test_bank_equals_the_scalar_detector_series_by_series() -> None:
    table = np.stack([_series(1500, seed, shift_at) for seed, shift_at in [(1, 900), (2, None), (3, 400)]], axis=1)
    table[::13, 1] = np.nan
    table[700, 2] = 1e300
    params = {"threshold": 0.6, "rest": 40, "window": 300}
    first, second = LikelihoodBank(**params), None
    scores, fired = np.zeros(table.shape), np.zeros(table.shape, dtype=bool)
    for i in range(table.shape[0]):  # checkpoint through JSON halfway
        if i == 750:
            second = LikelihoodBank.from_state(json.loads(json.dumps(first.state())))
            first = second
        live = np.arange(table.shape[1])
        scores[i], fired[i], _ = first.update(live, table[i])
    assert second is not None and fired.any()
    for j in range(table.shape[1]):
        s, f = run(TailLikelihood(**params), table[:, j])
        assert np.array_equal(s, scores[:, j]) and np.array_equal(f, fired[:, j])


def test_alert_rule_with_detector_likelihood_uses_the_bank() -> None:
    spec = RuleSpec.model_validate({"name": "r", "expr": "errors[1m] >= 5", "detector": "likelihood"})
    assert spec.detector == "likelihood"
    from valueloop.monitoring.alerting import _RuleState

    assert isinstance(_RuleState(spec).bank, LikelihoodBank)


def test_bench_suppression_matches_the_detector() -> None:
    x = _series()
    scores, fired = run(make("likelihood"), x)
    assert np.array_equal(suppress(scores, SHIPPED["standard"], make("likelihood").rest), fired)  # type: ignore[attr-defined]


def test_detect_profile_picks_the_shipped_threshold_and_explain_adds_reasons() -> None:
    x = _series()
    stamps = [f"2026-01-{1 + i // 288:02d}T{(i % 288) // 12:02d}:{(i % 12) * 5:02d}:00" for i in range(len(x))]
    values: list[float | None] = [float(v) for v in x]
    plain = [r.model_dump() for r in detect("likelihood", stamps, values)]
    low_fn = [r.model_dump() for r in detect("likelihood", stamps, values, profile="low_fn", explain=True)]
    assert [r["anomaly"] for r in plain] == [r["score"] >= SHIPPED["standard"] and r["anomaly"] for r in plain]
    flagged = [r for r in low_fn if r["anomaly"]]
    assert flagged and all("probability" in r and "why" in r and math.isclose(r["tail"], 1 - r["probability"])
                           for r in flagged)  # fmt: skip
    held = [r for r in low_fn if "why" in r and not r["anomaly"]]
    assert all(r["why"].startswith("resting") for r in held)


def test_cli_explain_and_bad_profile(tmp_path: Path) -> None:
    x = _series()
    rows = [f"2026-01-{1 + i // 288:02d} {(i % 288) // 12:02d}:{(i % 12) * 5:02d}:00,{v}" for i, v in enumerate(x)]
    path = tmp_path / "s.csv"
    path.write_text("timestamp,value\n" + "\n".join(rows) + "\n")
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """Keep ``monitor`` a sub-command."""

    runner = CliRunner()
    result = runner.invoke(app, ["monitor", "detect", str(path), "--explain", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out and all("why" in r and "probability" in r for r in out)
    bad = runner.invoke(app, ["monitor", "detect", str(path), "--profile", "cheap"])
    assert bad.exit_code == 2 and "cheap" in bad.output


@pytest.mark.parametrize("profile", sorted(SHIPPED))
def test_shipped_thresholds_are_probabilities(profile: str) -> None:
    assert 0.5 < SHIPPED[profile] < 1.0


def test_a_level_seen_recently_is_not_novel() -> None:
    rng = np.random.default_rng(5)
    square = np.where((np.arange(4000) // 144) % 2 == 0, 10.0, 30.0) + rng.normal(0, 0.5, 4000)
    _, fired = run(make("likelihood"), square)
    assert not fired.any()  # every switch lands on a level of the last `window` rows
    square[3000:3010] = 60.0  # a level never seen is
    _, fired = run(make("likelihood"), square)
    assert fired[3000:3010].sum() == 1


def test_cli_says_when_a_series_is_shorter_than_the_learning_period(tmp_path: Path) -> None:
    rows = [f"2026-01-01 {i // 12:02d}:{(i % 12) * 5:02d}:00,{50 if i == 60 else 10 + i % 3}" for i in range(96)]
    path = tmp_path / "short.csv"
    path.write_text("timestamp,value\n" + "\n".join(rows) + "\n")
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """Keep ``monitor`` a sub-command."""

    result = CliRunner().invoke(app, ["monitor", "detect", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 96
    assert "learns from the first 280 rows" in result.stderr and "--detector ewma" in result.stderr
    ewma = CliRunner().invoke(app, ["monitor", "detect", str(path), "--detector", "ewma", "--format", "json"])
    assert "learns" not in ewma.stderr and any(r["anomaly"] for r in json.loads(ewma.stdout))
