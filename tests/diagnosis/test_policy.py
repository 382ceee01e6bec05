"""The policy's "20 % over the benchmark" rule gives one verdict in diagnosis, the monitor and the templates.

Each place is taken as shipped: the experience-score template's first-response indicator
diagnosed with the default settings, the default ``monitor.yaml``'s ``slow_first_response``
rule, and the monitor's ``benchmark`` detector, all fed the same first-response time.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from valueloop.diagnosis.config import DiagnoseConfig
from valueloop.diagnosis.findings import RuleName, Severity
from valueloop.diagnosis.rules import find
from valueloop.evaluation.service.models import available_templates, template_models, template_path
from valueloop.monitoring.alerting import _OPS
from valueloop.monitoring.threshold import BenchmarkRatio
from valueloop.spec.alerts import RuleSpec, load_monitor_spec
from valueloop.spec.model import Duration, SegmentBenchmark
from valueloop.spec.model_loader import load_model
from valueloop.spec.policy import CRITICAL_FACTOR, FIRST_RESPONSE_BENCHMARK_SECONDS, WARNING_FACTOR

PERIODS = ["2026-01", "2026-02", "2026-03", "2026-04"]
UNIT_SECONDS = {"minutes": 60.0, "hours": 3600.0, "days": 86400.0}
MONITOR_TEMPLATE = Path(str(template_path("three-dimension"))).parent / "monitor" / "default.yaml"


def _diagnosis(seconds: float) -> Severity | None:
    """The benchmark finding for a branch whose median first response is ``seconds`` every month."""
    model = load_model(template_path("experience-score"))
    rows = [
        {
            "entity_id": "B1",
            "period": p,
            "indicator": "median_first_response",
            "segment": None,
            "value": seconds / 60.0,
            "n": 100,
            "var": None,
        }
        for p in PERIODS
    ]
    values = pd.DataFrame(rows, columns=["entity_id", "period", "indicator", "segment", "value", "n", "var"])
    found = [f for f in find(values, model, DiagnoseConfig(), PERIODS) if f.rule is RuleName.benchmark]
    return found[0].severity if found else None


def _monitor_rule_holds(seconds: float) -> bool:
    """Whether the shipped ``slow_first_response`` condition holds for a median of ``seconds``."""
    rule = next(r for r in load_monitor_spec(MONITOR_TEMPLATE).rules if r.name == "slow_first_response")
    cond = rule.condition
    assert cond.kpi == "frt_p50"
    return bool(_OPS[cond.op](seconds, cond.threshold))


def _detector_fires(seconds: float) -> bool:
    d = BenchmarkRatio(benchmark=FIRST_RESPONSE_BENCHMARK_SECONDS)
    d.update(seconds)
    return d.fired


@pytest.mark.parametrize(
    ("ratio", "severity", "alarm"),
    [
        (1.19, None, False),
        (1.21, Severity.warning, True),
        (1.49, Severity.warning, True),
        (1.51, Severity.critical, True),
    ],
)
def test_one_first_response_time_one_verdict(ratio: float, severity: Severity | None, alarm: bool) -> None:
    seconds = ratio * FIRST_RESPONSE_BENCHMARK_SECONDS
    assert _diagnosis(seconds) == severity
    assert _monitor_rule_holds(seconds) is alarm
    assert _detector_fires(seconds) is alarm


def test_the_boundary_is_inclusive_everywhere() -> None:
    seconds = WARNING_FACTOR * FIRST_RESPONSE_BENCHMARK_SECONDS
    assert _diagnosis(seconds) is Severity.warning
    assert _monitor_rule_holds(seconds)
    assert _detector_fires(seconds)


@pytest.mark.parametrize("name", available_templates())
def test_template_first_response_benchmarks_are_the_policys(name: str) -> None:
    """Every shipped median first-response indicator is held to the policy's benchmark (non-VIP default)."""
    for ind in (i for model in template_models(name) for i in model.indicators):
        m = ind.measure
        if not (isinstance(m, Duration) and m.end == "first_response_at" and m.agg == "median"):
            continue
        bench = ind.benchmark.default if isinstance(ind.benchmark, SegmentBenchmark) else ind.benchmark
        assert bench is not None, ind.id
        assert bench * UNIT_SECONDS[m.unit] == pytest.approx(FIRST_RESPONSE_BENCHMARK_SECONDS), ind.id


def test_expr_names_the_policy_factors_and_benchmark() -> None:
    warn = RuleSpec(name="w", expr="frt_p50[15m] >= benchmark * warning").condition
    crit = RuleSpec(name="c", expr="frt_p50[15m] >= benchmark * critical").condition
    assert warn.threshold == pytest.approx(WARNING_FACTOR * FIRST_RESPONSE_BENCHMARK_SECONDS)
    assert crit.threshold == pytest.approx(CRITICAL_FACTOR * FIRST_RESPONSE_BENCHMARK_SECONDS)
    own = RuleSpec(name="o", expr="frt_p90[15m] > benchmark * 1.2", benchmark=100).condition
    assert own.threshold == pytest.approx(120.0)


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("frt_p90[15m] > benchmark * warning", "policy has none for frt_p90"),
        ("frt_p50[15m] > warning", r"write 'benchmark \* warning'"),
    ],
)
def test_expr_without_a_benchmark_is_refused(expr: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RuleSpec(name="x", expr=expr)
