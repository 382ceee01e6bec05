"""Business language on the pages: values in their units, meaningful gaps, p-values, one clock, fix-first order."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from valueloop.diagnosis.findings import Finding, RuleName, Severity
from valueloop.diagnosis.service.priorities import ActionOn, actions_by_finding, points_lost, rank
from valueloop.http.web.i18n import Translator
from valueloop.http.web.labels import Labels
from valueloop.http.web.vsm_page import axis_cap
from valueloop.spec.model_loader import load_model

MODEL = Path(__file__).parents[2] / "src" / "valueloop" / "templates" / "three-dimension.yaml"


def _labels(lang: str) -> Labels:
    lb = Labels(None, Translator(lang, "Asia/Shanghai"))
    lb.indicators = {i.id: i for i in load_model(MODEL).indicators}
    return lb


def test_values_carry_their_unit_and_shares_read_as_percent() -> None:
    zh, en = _labels("zh"), _labels("en")
    assert zh.ind("first_response") == "首次响应时长" and en.ind("first_response") == "First response time"
    # a duration reads in its two largest whole units, by the rule of the API's ``shown`` ("2 min 5 s")
    assert zh.value("first_response", 2.083) == "2 分钟 5 秒" and en.value("first_response", 2.083) == "2 min 5 s"
    assert zh.value("resolution_time", 0.5) == "30 分钟" and en.value("avg_order_value", 686.9) == "686.90 CNY"
    assert zh.value("click_through", 0.321) == "32.1%" and zh.value("complaint_rate", 1.818) == "1.8%"


def test_only_rates_and_means_split_into_the_units_below() -> None:
    lb = _labels("zh")
    assert lb.additive("professionalism") and lb.additive("csat")
    assert not lb.additive("resolution_time") and not lb.additive("complaint_rate") and not lb.additive("nps")


def test_gap_is_relative_only_where_the_benchmark_makes_it_meaningful() -> None:
    lb = _labels("zh")
    assert lb.gap("resolution_time", 0.859, 0.5, 71.7) == "71.7%"
    # NPS can be negative: 1,472.7 % against a tiny benchmark says nothing; the gap is shown in points
    assert lb.gap("nps", -2.0, 0.15, 1472.7) == "差 2.15"
    assert lb.gap("csat", 3.0, 0.0, None) == "差 3.00"
    assert lb.gap("csat", 3.0, None, None) == "—"


def test_codes_become_words_in_both_languages() -> None:
    zh, en = _labels("zh"), _labels("en")
    assert zh.rule("peer_bottom_decile") == "同级末位 10%" and en.rule("deterioration") == "Worse than own history"
    assert zh.method("welch_t") == "韦尔奇 t 检验" and zh.role("manager") == "经理" and zh.level("region") == "大区"
    assert zh.title("first_response @ B010 (2026-10): close the gap") == "首次响应时长 · B010（2026年10月）：缩小差距"
    assert en.reason("A/B verification on lake data: inconclusive") == "A/B verification on lake data: Inconclusive"
    assert zh.reason("verification started") == "开始效果验证" and zh.reason("客户要求") == "客户要求"


def test_a_generated_description_is_reworded_with_units() -> None:
    text = "From finding F1 (critical, rule deterioration): value 0.858611 vs benchmark 0.2033333, gap 322.27."
    assert _labels("zh").description(text, "resolution_time") == (
        "来自问题 F1（严重，较自身历史恶化）：数值 51 分钟 31 秒，基准 12 分钟 12 秒，差距 322.3%。"
    )
    assert _labels("zh").description("人工填写", "csat") == "人工填写"


def test_why_an_alert_was_muted_reads_in_words() -> None:
    zh = _labels("zh")
    assert zh.muted("inhibited by error_burst on B019") == "被“error_burst”（B019）抑制"
    assert zh.muted("silenced by S1a2b (周末)") == "已被静默规则 S1a2b 静默 · 周末" and zh.muted(None) == ""


def test_p_values_and_times_read_as_people_quote_them() -> None:
    tr = Translator("zh", "Asia/Shanghai")
    assert tr.p(0.0000123) == "p < 0.001" and tr.p(0.0421) == "p = 0.042" and tr.p(None) == "—"
    assert tr.date(datetime(2026, 12, 5, 19, 43, tzinfo=UTC)) == "2026年12月6日 03:43 UTC+8"
    assert Translator("en").date(datetime(2026, 12, 5, 19, 43, tzinfo=UTC)) == "5 Dec 2026 19:43 UTC"


def _finding(entity: str, indicator: str, severity: Severity, gap: float, period: str = "2026-10") -> Finding:
    f = Finding(entity_id=entity, indicator=indicator, period=period, value=1.0, benchmark=0.5, gap_pct=gap,
                severity=severity, rule=RuleName.benchmark)  # fmt: skip
    return f.with_id("m", "branch")


def test_fix_first_ranks_by_severity_then_points_lost_and_shows_the_action() -> None:
    a = _finding("B1", "csat", Severity.warning, 90.0)
    b = _finding("B2", "nps", Severity.critical, 10.0)
    c = _finding("B3", "csat", Severity.critical, 50.0)
    lost = points_lost("2026-10", [{"entity_id": "B2", "points_lost": {"nps": 0.1}},
                                   {"entity_id": "B3", "points_lost": {"csat": 0.4}}])  # fmt: skip
    acts = [
        ActionOn(action_id=7, status="approved", links=frozenset({("finding", c.id)})),
        ActionOn(action_id=8, status="proposed", links=frozenset({("entity", "B1"), ("indicator", "csat")})),
    ]
    acted = actions_by_finding([a, b, c], acts)
    ranked = rank([a, b, c], lost, acted)
    assert [p.finding.entity_id for p in ranked] == ["B3", "B2", "B1"]
    assert [p.points_lost for p in ranked] == [0.4, 0.1, None]
    assert [[x.action_id for x in p.actions] for p in ranked] == [[7], [], [8]]
    # B3 has too few records to be ranked this period: its finding says so and comes last
    thin = rank([a, b, c], lost, acted, {("2026-10", "B3")})
    assert [(p.finding.entity_id, p.enough_data) for p in thin] == [("B2", True), ("B1", True), ("B3", False)]


def test_one_long_wait_caps_the_value_stream_axis() -> None:
    assert axis_cap([0.7, 24.0, 45.6, 5.9, 7.9, 1223.1]) == 68.4
    assert axis_cap([10.0, 20.0, 45.0]) is None
