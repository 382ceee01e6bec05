"""Bilingual pages: zh-CN (default) and en; words, numbers and dates per locale."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

LOCALES = ("zh-CN", "en")
DEFAULT = "zh-CN"
LANG_COOKIE = "vl_lang"

MESSAGES: dict[str, dict[str, str]] = {
    "app": {"zh-CN": "服务价值评估", "en": "Service value"},
    "overview": {"zh-CN": "总览", "en": "Overview"},
    "rankings": {"zh-CN": "排名", "en": "Rankings"},
    "actions": {"zh-CN": "改进行动", "en": "Actions"},
    "unit": {"zh-CN": "单位", "en": "Unit"},
    "login": {"zh-CN": "登录", "en": "Sign in"},
    "logout": {"zh-CN": "退出", "en": "Sign out"},
    "username": {"zh-CN": "用户名", "en": "User name"},
    "password": {"zh-CN": "密码", "en": "Password"},
    "bad_login": {"zh-CN": "用户名或密码错误", "en": "Wrong user name or password"},
    "rate_limited": {"zh-CN": "失败次数过多，请 15 分钟后再试",
                     "en": "Too many failed attempts; try again in 15 minutes"},
    "trend": {"zh-CN": "综合得分趋势", "en": "Composite score trend"},
    "radar": {"zh-CN": "维度雷达", "en": "Dimension radar"},
    "distribution": {"zh-CN": "得分分布", "en": "Score distribution"},
    "top_findings": {"zh-CN": "主要问题", "en": "Top findings"},
    "mean": {"zh-CN": "平均", "en": "Mean"},
    "min": {"zh-CN": "最低", "en": "Min"},
    "max": {"zh-CN": "最高", "en": "Max"},
    "units": {"zh-CN": "单位数", "en": "Units"},
    "rank": {"zh-CN": "排名", "en": "Rank"},
    "name": {"zh-CN": "名称", "en": "Name"},
    "score": {"zh-CN": "得分", "en": "Score"},
    "change": {"zh-CN": "变化", "en": "Change"},
    "percentile": {"zh-CN": "百分位", "en": "Percentile"},
    "export_csv": {"zh-CN": "导出 CSV", "en": "Export CSV"},
    "indicator": {"zh-CN": "指标", "en": "Indicator"},
    "value": {"zh-CN": "数值", "en": "Value"},
    "benchmark": {"zh-CN": "基准", "en": "Benchmark"},
    "points_lost": {"zh-CN": "失分", "en": "Points lost"},
    "severity": {"zh-CN": "严重程度", "en": "Severity"},
    "rule": {"zh-CN": "规则", "en": "Rule"},
    "gap": {"zh-CN": "差距", "en": "Gap"},
    "period": {"zh-CN": "期间", "en": "Period"},
    "findings": {"zh-CN": "问题", "en": "Findings"},
    "owner": {"zh-CN": "负责人", "en": "Owner"},
    "due": {"zh-CN": "截止", "en": "Due"},
    "overdue": {"zh-CN": "已逾期", "en": "Overdue"},
    "model": {"zh-CN": "模型", "en": "Model"},
    "evaluated_at": {"zh-CN": "评估时间", "en": "Evaluated at"},
    "no_run": {"zh-CN": "还没有评估结果。请先运行 `valueloop evaluate`。",
               "en": "No evaluation yet. Run `valueloop evaluate` first."},
    "no_units": {"zh-CN": "您的权限范围内没有已评估的单位。", "en": "No evaluated units in your scope."},
    "no_findings": {"zh-CN": "没有问题记录。", "en": "No findings."},
    "no_actions": {"zh-CN": "没有改进行动。", "en": "No actions."},
    "one_period": {"zh-CN": "目前只有一个已评估期间。", "en": "Only one period has been evaluated so far."},
    "critical": {"zh-CN": "严重", "en": "critical"},
    "warning": {"zh-CN": "警告", "en": "warning"},
    "proposed": {"zh-CN": "已提出", "en": "Proposed"},
    "approved": {"zh-CN": "已批准", "en": "Approved"},
    "in_progress": {"zh-CN": "进行中", "en": "In progress"},
    "implemented": {"zh-CN": "已实施", "en": "Implemented"},
    "verifying": {"zh-CN": "验证中", "en": "Verifying"},
    "effective": {"zh-CN": "有效", "en": "Effective"},
    "not_effective": {"zh-CN": "无效", "en": "Not effective"},
    "closed": {"zh-CN": "已关闭", "en": "Closed"},
    "signed_in_as": {"zh-CN": "当前用户", "en": "Signed in as"},
    "not_found": {"zh-CN": "未找到", "en": "Not found"},
}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def pick(value: str | None) -> str:
    return value if value in LOCALES else DEFAULT


class Translator:
    """``t('key')``, ``num(x)``, ``date(d)`` and ``period('2026-10')`` for one locale."""

    def __init__(self, locale: str) -> None:
        self.locale = pick(locale)
        self.zh = self.locale == "zh-CN"

    def t(self, key: str) -> str:
        return MESSAGES.get(key, {}).get(self.locale, key)

    def text(self, value: Any) -> str:
        """A model's bilingual text (``Text(zh=…, en=…)``) in this locale."""
        if hasattr(value, "zh") and hasattr(value, "en"):
            return str(value.zh if self.zh else value.en or value.zh)
        return str(value)

    def num(self, value: float | int | None, digits: int = 2, sign: bool = False) -> str:
        if value is None or value != value:
            return "—"
        return f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"

    def pct(self, value: float | None, digits: int = 1) -> str:
        return "—" if value is None else f"{value:,.{digits}f}%"

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return "—"
        clock = f" {value:%H:%M}" if isinstance(value, datetime) else ""
        if self.zh:
            return f"{value.year}年{value.month}月{value.day}日{clock}"
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}{clock}"

    def period(self, label: str) -> str:
        """``2026-10`` → ``2026年10月`` / ``Oct 2026``; other grains pass through."""
        year, _, month = label.partition("-")
        if not (month.isdigit() and len(month) == 2):
            return label
        return f"{year}年{int(month)}月" if self.zh else f"{MONTHS_EN[int(month) - 1]} {year}"
