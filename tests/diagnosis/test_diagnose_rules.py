"""Rules on hand-made value tables: direction, segment benchmarks, small samples, history, config."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from valueloop.diagnosis.config import DiagnoseConfig, RuleSettings, parse_config
from valueloop.diagnosis.findings import RuleName, Severity, relative_gap
from valueloop.diagnosis.rules import RULES, find
from valueloop.errors import SpecError
from valueloop.spec.model import Direction, EvaluationModel

PERIODS = ["2026-01", "2026-02", "2026-03", "2026-04"]


def _model(benchmark: object = 1.0, direction: str = "lower") -> EvaluationModel:
    return EvaluationModel.model_validate(
        {
            "id": "m",
            "name": "m",
            "dimensions": [
                {
                    "id": "d",
                    "name": "d",
                    "indicators": [
                        {
                            "id": "wait",
                            "name": "wait",
                            "dataset": "interactions",
                            "direction": direction,
                            "benchmark": benchmark,
                            "measure": {"type": "duration", "start": "opened_at", "end": "resolved_at"},
                            "min_n": 30,
                        }
                    ],
                }
            ],
        }
    )


def _values(series: dict[str, list[float]], n: int = 100, segments: dict[str, float] | None = None) -> pd.DataFrame:
    rows = [
        {"entity_id": e, "period": p, "indicator": "wait", "segment": None, "value": v, "n": n, "var": None}
        for e, vs in series.items()
        for p, v in zip(PERIODS, vs, strict=True)
    ]
    rows += [
        {"entity_id": "A", "period": PERIODS[-1], "indicator": "wait", "segment": s, "value": v, "n": n, "var": None}
        for s, v in (segments or {}).items()
    ]
    return pd.DataFrame(rows, columns=["entity_id", "period", "indicator", "segment", "value", "n", "var"])


def _rules(found: list, entity: str = "A") -> dict[RuleName, Severity]:
    return {f.rule: f.severity for f in found if f.entity_id == entity}


def test_gap_respects_direction() -> None:
    assert relative_gap(1.3, 1.0, Direction.LOWER) == pytest.approx(0.3)
    assert relative_gap(0.7, 1.0, Direction.HIGHER) == pytest.approx(0.3)
    assert relative_gap(1.3, 1.0, Direction.HIGHER) == pytest.approx(-0.3)
    assert relative_gap(1.0, 0.0, Direction.LOWER) is None


@pytest.mark.parametrize(("value", "expected"), [(1.1, None), (1.2, Severity.warning), (1.6, Severity.critical)])
def test_benchmark_thresholds(value: float, expected: Severity | None) -> None:
    found = find(_values({"A": [value] * 4}), _model(), DiagnoseConfig(), PERIODS)
    assert _rules(found).get(RuleName.benchmark) == expected


def test_higher_is_better_flags_low_values() -> None:
    found = find(_values({"A": [0.7] * 4}), _model(direction="higher"), DiagnoseConfig(), PERIODS)
    assert _rules(found)[RuleName.benchmark] is Severity.warning


def test_segment_values_meet_their_own_benchmark() -> None:
    bench = {"field": "vip", "values": {"true": 0.5}, "default": 1.5}
    values = _values({"A": [1.0] * 4}, segments={"true": 0.9, "false": 1.0})
    found = [f for f in find(values, _model(bench), DiagnoseConfig(), PERIODS) if f.rule is RuleName.benchmark]
    assert [(f.segment, f.severity, f.benchmark) for f in found] == [("true", Severity.critical, 0.5)]


def test_mix_adjusted_values_meet_their_own_expected_value() -> None:
    """A's 1.3 against its expected 1.0 (30 % worse: warning); B's 1.3 against its expected 1.25 is fine."""
    values = _values({"A": [1.3] * 4, "B": [1.3] * 4}).assign(expected=[1.0] * 4 + [1.25] * 4)
    found = [f for f in find(values, _model({"segment_by": "category"}), DiagnoseConfig(), PERIODS)
             if f.rule is RuleName.benchmark]  # fmt: skip
    assert [(f.entity_id, f.severity, f.benchmark) for f in found] == [("A", Severity.warning, 1.0)]


def test_small_samples_never_produce_findings() -> None:
    assert find(_values({"A": [1.0, 1.0, 1.0, 9.0]}, n=29), _model(), DiagnoseConfig(), PERIODS) == []


def test_deterioration_against_own_history() -> None:
    found = find(_values({"A": [0.5, 0.6, 0.5, 0.75]}), _model(benchmark=None), DiagnoseConfig(), PERIODS)
    det = next(f for f in found if f.rule is RuleName.deterioration)
    assert det.benchmark == pytest.approx(0.5) and det.gap_pct == pytest.approx(50.0)
    assert det.severity is Severity.critical


def test_peer_bottom_decile_needs_ten_peers() -> None:
    series = {f"U{i:02d}": [1.0 + i / 100] * 4 for i in range(12)}
    found = find(_values(series), _model(benchmark=None), DiagnoseConfig(), PERIODS)
    assert {f.entity_id for f in found if f.rule is RuleName.peer_bottom_decile} == {"U11", "U10"}
    few = {k: v for k, v in list(series.items())[:9]}
    assert not [
        f
        for f in find(_values(few), _model(benchmark=None), DiagnoseConfig(), PERIODS)
        if f.rule is RuleName.peer_bottom_decile
    ]


def test_peers_tied_at_the_median_are_not_the_bottom_decile() -> None:
    """Eleven agents at 0 % and one at 2 %: the 90th percentile is 0 %, the median too; only U11 is worse."""
    series = {f"U{i:02d}": [0.0] * 4 for i in range(11)} | {"U11": [0.02] * 4}
    found = find(_values(series), _model(benchmark=None), DiagnoseConfig(), PERIODS)
    assert {f.entity_id for f in found if f.rule is RuleName.peer_bottom_decile} == {"U11"}


def test_every_rule_handles_an_empty_table() -> None:
    empty = _values({})
    assert set(RULES) == set(RuleName)
    assert find(empty, _model(), DiagnoseConfig(), PERIODS) == []


def test_config_defaults_overrides_and_errors() -> None:
    config = parse_config({"default": {"warning_gap": 0.1}, "wait": {"critical_gap": 0.3}})
    assert config.for_indicator("other") == RuleSettings(warning_gap=0.1)
    assert config.for_indicator("wait").warning_gap == 0.1 and config.for_indicator("wait").critical_gap == 0.3
    with pytest.raises(SpecError) as err:
        parse_config({"wait": {"warning_gap": -1}, "x": {"critical_gap": 0.1, "warning_gap": 0.2}, "y": 3})
    assert "wait.warning_gap" in str(err.value) and "x" in str(err.value) and "y: expected a mapping" in str(err.value)


def test_a_workspace_diagnose_yaml_problem_names_its_file_and_line(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from valueloop.diagnosis.service.diagnose import load_config

    text = "default:\n  warning_gap: 0.2\nwait:\n  critical_gap: -3\n"
    (tmp_path / "diagnose.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match=r"diagnose\.yaml:3: wait"):
        load_config(SimpleNamespace(root=tmp_path))  # type: ignore[arg-type]
