"""Bilingual pages: zh (default) and en; words, numbers and dates per locale.

The locale codes are the ones of ``spec/locale.py`` (``zh``/``en``, as in reports, the API
and model texts). The table below is written with the page tag ``zh-CN`` and read through
:func:`lang_of`, so either spelling works in a message, a ``?lang=`` or the language cookie.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from valueloop.http.web.i18n_cases import CASE_MESSAGES
from valueloop.http.web.i18n_loop import LOOP_MESSAGES
from valueloop.http.web.i18n_qa import QA_MESSAGES
from valueloop.http.web.i18n_terms import TERMS
from valueloop.spec.locale import DEFAULT_LANG, HTML_TAG, LANGS, Lang, lang_of

LOCALES = LANGS
DEFAULT = DEFAULT_LANG
LANG_COOKIE = "vl_lang"

MESSAGES: dict[str, dict[str, str]] = {
    "alerts": {"zh-CN": "实时告警", "en": "Alerts"},
    "live": {"zh-CN": "实时", "en": "live"},
    "firing": {"zh-CN": "告警中", "en": "Firing"},
    "resolved": {"zh-CN": "已恢复", "en": "Resolved"},
    "total": {"zh-CN": "总数", "en": "Total"},
    "minutes": {"zh-CN": "分钟", "en": "min"},
    "all": {"zh-CN": "全部", "en": "All"},
    "no_alerts": {
        "zh-CN": "暂无告警。实时监控接入业务事件后，触发的告警会显示在这里。",
        "en": "No alerts yet. Once live monitoring receives your service events, alerts that fire appear here.",
    },
    "fired_at": {"zh-CN": "触发时间", "en": "Fired"},
    "resolved_at": {"zh-CN": "恢复时间", "en": "Resolved"},
    "acked": {"zh-CN": "确认", "en": "Acknowledged"},
    "muted": {"zh-CN": "静默/抑制", "en": "Muted"},
    "sev_critical": {"zh-CN": "严重", "en": "Critical"},
    "sev_warning": {"zh-CN": "警告", "en": "Warning"},
    "sev_info": {"zh-CN": "提示", "en": "Info"},
    "overall": {"zh-CN": "整体", "en": "Overall"},
    "ack": {"zh-CN": "确认", "en": "Acknowledge"},
    "ack_comment": {"zh-CN": "处理说明（可选）", "en": "What is being done (optional)"},
    "silences": {"zh-CN": "静默规则", "en": "Silences"},
    "no_silences": {"zh-CN": "暂无静默规则。", "en": "No silences."},
    "matchers": {"zh-CN": "匹配标签", "en": "Matchers"},
    "schedule": {"zh-CN": "周期", "en": "Schedule"},
    "until": {"zh-CN": "截止", "en": "Until"},
    "comment": {"zh-CN": "说明", "en": "Comment"},
    "by": {"zh-CN": "创建人", "en": "By"},
    "holidays": {"zh-CN": "节假日", "en": "holidays"},
    "end_silence": {"zh-CN": "结束", "en": "End"},
    "days": {"zh-CN": "星期", "en": "Days"},
    "from_to": {"zh-CN": "时段", "en": "Hours"},
    "add_silence": {"zh-CN": "添加静默", "en": "Add silence"},
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
    "rate_limited": {
        "zh-CN": "失败次数过多，请 15 分钟后再试",
        "en": "Too many failed attempts; try again in 15 minutes",
    },
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
    "no_run": {
        "zh-CN": "还没有评估结果。请在“数据上传”页导入业务数据，评估完成后这里会显示得分。",
        "en": "No evaluation results yet. Upload your service data on the Upload page; scores appear here once "
        "it has been evaluated.",
    },
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
    "models": {"zh-CN": "评估模型", "en": "Models"},
    "voice": {"zh-CN": "客户之声", "en": "Voice of customer"},
    "experiments": {"zh-CN": "实验验证", "en": "Experiments"},
    "reports": {"zh-CN": "报告", "en": "Reports"},
    "export_xlsx": {"zh-CN": "导出 Excel", "en": "Export XLSX"},
    "move_reason": {"zh-CN": "变更原因", "en": "Reason for this move"},
    "move_failed": {"zh-CN": "无法变更状态", "en": "The move was refused"},
    "move_refused": {
        "zh-CN": "不能从「{from}」直接移到「{to}」，下一步只能是：{next}",
        "en": "{from} cannot move to {to}; next: {next}",
    },
    "move_final": {"zh-CN": "「{from}」是最终状态，不能再移动", "en": "{from} is the final state"},
    "board_hint": {
        "zh-CN": "拖动卡片到下一状态列即可变更（需填写原因）；也可用卡片上的按钮。",
        "en": "Drag a card to its next column to move it (a reason is asked); the buttons on each card do the same.",
    },
    "nav_voice": {"zh-CN": "客户之声", "en": "VoC"},
    "nav_qa": {"zh-CN": "智能质检", "en": "QA"},
    "nav_vsm": {"zh-CN": "价值流", "en": "Value stream"},
    "saved_views": {"zh-CN": "我的视图", "en": "My views"},
    "no_saved_views": {"zh-CN": "尚未保存", "en": "none saved yet"},
    "save_view": {"zh-CN": "保存当前筛选", "en": "Save these filters"},
    "view_name": {"zh-CN": "视图名称", "en": "Name of the view"},
    "delete_view": {"zh-CN": "删除视图", "en": "Delete view"},
    "view_failed": {"zh-CN": "无法保存视图", "en": "The view could not be saved"},
    "save": {"zh-CN": "保存", "en": "Save"},
    "move_title": {"zh-CN": "变更行动状态", "en": "Move action"},
    "move_ok": {"zh-CN": "确认变更", "en": "Move"},
    "ack_title": {"zh-CN": "确认告警", "en": "Acknowledge alert"},
    "ack_failed": {"zh-CN": "无法确认告警", "en": "The acknowledgement was refused"},
    "no_models": {
        "zh-CN": "工作区里还没有评估模型。请联系管理员添加评估模型（如“服务价值三维评估”模板）。",
        "en": "No evaluation models in the workspace yet. Ask your administrator to add one (e.g. the "
        "three-dimension template).",
    },
    "version": {"zh-CN": "版本", "en": "Version"},
    "effective_from": {"zh-CN": "生效日期", "en": "Effective from"},
    "level": {"zh-CN": "层级", "en": "Level"},
    "dimension": {"zh-CN": "维度", "en": "Dimension"},
    "dimensions": {"zh-CN": "维度", "en": "Dimensions"},
    "indicators": {"zh-CN": "指标数", "en": "Indicators"},
    "weight": {"zh-CN": "权重", "en": "Weight"},
    "weighting": {"zh-CN": "赋权方法", "en": "Weighting"},
    "criterion": {"zh-CN": "准则", "en": "Criterion"},
    "ahp_editor": {"zh-CN": "AHP 判断矩阵", "en": "AHP judgement editor"},
    "ahp_help": {
        "zh-CN": "在对角线上方填写行相对于列的重要程度（1–9 标度，可填 1/3 等倒数），下方自动填入倒数；"
        "权重与一致性比率 CR 随输入即时更新，CR > 0.10 表示判断不一致。",
        "en": "Above the diagonal, enter how much more important the row is than the column (1–9 scale; "
        "1/3 etc. for the reverse); reciprocals fill in below. Weights and the consistency ratio CR "
        "update as you type; CR > 0.10 means the judgements are inconsistent.",
    },
    "ahp_criteria": {"zh-CN": "比较对象", "en": "Compare"},
    "ahp_consistent": {"zh-CN": "一致性可接受（CR ≤ 0.10）", "en": "acceptable (CR ≤ 0.10)"},
    "ahp_inconsistent": {
        "zh-CN": "不一致（CR > 0.10），请修改判断",
        "en": "inconsistent (CR > 0.10): revise the judgements",
    },
    "ahp_bad_cell": {
        "zh-CN": "每个判断须为 1/9 到 9 之间的数（如 3 或 1/3）",
        "en": "Each judgement must be a number from 1/9 to 9 (e.g. 3 or 1/3)",
    },
    "no_voice": {
        "zh-CN": "还没有带文字的客户反馈。请先导入反馈数据。",
        "en": "No customer feedback with text yet. Ingest feedback first.",
    },
    "needs_dated_feedback": {
        "zh-CN": "需要带日期的反馈：这些反馈都没有日期，热点、生命周期和趋势按时期比较，无法计算。",
        "en": "Needs dated feedback: none of the feedback texts has a date, and hot spots, lifecycles and trends "
        "compare periods.",
    },
    "texts": {"zh-CN": "反馈文本数", "en": "Texts"},
    "hotspots": {"zh-CN": "热点热力图", "en": "Hot-spot heat map"},
    "hotspots_help": {
        "zh-CN": "各主题在每月反馈中所占比例（%）。",
        "en": "Share of each month's feedback per topic (%).",
    },
    "share_pct": {"zh-CN": "占比 %", "en": "Share %"},
    "lifecycle": {"zh-CN": "主题生命周期", "en": "Topic lifecycle"},
    "no_topics": {"zh-CN": "还没有足够提及的主题。", "en": "No topic has enough mentions yet."},
    "topic": {"zh-CN": "主题", "en": "Topic"},
    "stage": {"zh-CN": "阶段", "en": "Stage"},
    "share": {"zh-CN": "占比", "en": "Share"},
    "growth": {"zh-CN": "增长", "en": "Growth"},
    "mentions": {"zh-CN": "提及次数", "en": "Mentions"},
    "since": {"zh-CN": "起始", "en": "Since"},
    "stage_emerging": {"zh-CN": "萌芽", "en": "Emerging"},
    "stage_growing": {"zh-CN": "成长", "en": "Growing"},
    "stage_mature": {"zh-CN": "成熟", "en": "Mature"},
    "stage_declining": {"zh-CN": "衰退", "en": "Declining"},
    "stage_insufficient_history": {"zh-CN": "历史数据不足", "en": "Insufficient history"},
    "no_experiments": {
        "zh-CN": "还没有实验或验证结果。改进行动实施后进行效果验证，结论会显示在这里。",
        "en": "No experiments or verifications yet. Once an action is implemented and verified, the verdict "
        "appears here.",
    },
    "status": {"zh-CN": "状态", "en": "Status"},
    "outcome": {"zh-CN": "结果指标", "en": "Outcome"},
    "verdict": {"zh-CN": "结论", "en": "Verdict"},
    "method": {"zh-CN": "方法", "en": "Method"},
    "interval": {"zh-CN": "置信区间", "en": "Interval"},
    "verified_at": {"zh-CN": "验证时间", "en": "Verified at"},
    "not_verified": {"zh-CN": "尚未验证", "en": "Not verified yet"},
    "verdict_effective": {"zh-CN": "有效", "en": "Effective"},
    "verdict_not_effective": {"zh-CN": "无效", "en": "Not effective"},
    "verdict_inconclusive": {"zh-CN": "不确定", "en": "Inconclusive"},
    "verdict_waived": {"zh-CN": "豁免验证", "en": "Waived"},
    "no_reports": {"zh-CN": "还没有报告。", "en": "No reports yet."},
    "no_reports_scoped": {
        "zh-CN": "期间报告覆盖所有单位，您的权限范围内没有可查看的报告。",
        "en": "Period reviews cover every unit, so none is available in your scope.",
    },
    "file": {"zh-CN": "文件", "en": "File"},
    "format": {"zh-CN": "格式", "en": "Format"},
    "language": {"zh-CN": "语言", "en": "Language"},
    "size": {"zh-CN": "大小", "en": "Size"},
    "written_at": {"zh-CN": "生成时间", "en": "Written at"},
    "generate": {"zh-CN": "生成报告", "en": "Generate"},
    "generating": {"zh-CN": "正在生成…", "en": "Generating…"},
    "generate_failed": {"zh-CN": "生成失败", "en": "Could not generate the report"},
    "accounts": {"zh-CN": "账号管理", "en": "Accounts"},
    "users": {"zh-CN": "用户", "en": "Users"},
    "tokens": {"zh-CN": "API 令牌", "en": "API tokens"},
    "role": {"zh-CN": "角色", "en": "Role"},
    "active": {"zh-CN": "正常", "en": "Active"},
    "disabled": {"zh-CN": "已停用", "en": "Disabled"},
    "disable": {"zh-CN": "停用", "en": "Disable"},
    "add_user": {"zh-CN": "添加用户", "en": "Add user"},
    "units_help": {
        "zh-CN": "所辖单位编号，逗号分隔（经理必填；分析师、审核员、访客可选，填后只见这些单位）",
        "en": "Unit ids, comma-separated (a manager needs some; any other role but admin sees only those given)",
    },
    "last_login": {"zh-CN": "最近登录", "en": "Last sign-in"},
    "token_name": {"zh-CN": "用途", "en": "Purpose"},
    "scopes": {"zh-CN": "权限范围", "en": "Scopes"},
    "scopes_help": {
        "zh-CN": "不勾选即全部（不超过该用户角色的权限）",
        "en": "None ticked means all (never more than the user's role)",
    },
    "expires_days": {"zh-CN": "有效天数（0 为永久）", "en": "Days valid (0 = never expires)"},
    "create_token": {"zh-CN": "创建令牌", "en": "Create token"},
    "revoke": {"zh-CN": "吊销", "en": "Revoke"},
    "revoked": {"zh-CN": "已吊销", "en": "Revoked"},
    "expires_at": {"zh-CN": "到期", "en": "Expires"},
    "last_used": {"zh-CN": "最近使用", "en": "Last used"},
    "never": {"zh-CN": "永不", "en": "Never"},
    "secret_once": {"zh-CN": "请立即复制此令牌，它不会再次显示：", "en": "Copy this token now; it is not shown again:"},
    "no_tokens": {"zh-CN": "暂无 API 令牌。", "en": "No API tokens yet."},
    "user_added": {"zh-CN": "已添加用户", "en": "Added user"},
    "user_disabled": {"zh-CN": "已停用用户", "en": "Disabled user"},
    "token_created": {"zh-CN": "已创建令牌", "en": "Created token"},
    "token_revoked": {"zh-CN": "已吊销令牌", "en": "Revoked token"},
    "confirm_disable": {
        "zh-CN": "停用该用户？其会话立即结束，令牌失效。",
        "en": "Disable this user? Their sessions end and their tokens stop working.",
    },
    "confirm_revoke": {
        "zh-CN": "吊销该令牌？使用它的程序将立即无法访问。",
        "en": "Revoke this token? Anything using it loses access at once.",
    },
    "hand_off": {"zh-CN": "发起交接", "en": "Hand off"},
    "from_department": {"zh-CN": "移交部门", "en": "From department"},
    "to_department": {"zh-CN": "接收部门", "en": "To department"},
    "accept_handoff": {"zh-CN": "接收交接", "en": "Accept"},
    "add_comment": {"zh-CN": "发表评论", "en": "Add comment"},
    "no_comments": {"zh-CN": "还没有评论。", "en": "No comments yet."},
    "action_change_failed": {"zh-CN": "未能保存", "en": "Not saved"},
}
for _extra in (LOOP_MESSAGES, CASE_MESSAGES, QA_MESSAGES, TERMS):
    if clash := MESSAGES.keys() & _extra.keys():
        raise RuntimeError(f"message keys defined twice: {sorted(clash)}")
    MESSAGES |= _extra


def _canonical(entry: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, text in entry.items():
        lang = lang_of(code)
        if lang is None:
            raise RuntimeError(f"unknown locale {code!r} in a message")
        out[lang] = text
    return out


MESSAGES = {key: _canonical(entry) for key, entry in MESSAGES.items()}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def offset_label(offset: timedelta | None) -> str:
    """``UTC+8``, ``UTC-3:30``, ``UTC``: the offset of the instant shown (right across DST changes)."""
    minutes = int(offset.total_seconds()) // 60 if offset else 0
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else "+"
    return "UTC" if not minutes else f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def pick(value: str | None) -> Lang:
    """The locale asked for (any spelling ``lang_of`` knows), else the default."""
    return lang_of(value) or DEFAULT


class Translator:
    """``t('key')``, ``num(x)``, ``date(d)`` and ``period('2026-10')`` for one locale.

    ``tz`` is the workspace's time zone: every stored instant (aware, UTC) is shown on that
    clock and labelled with its offset, so alerts, actions and quotes read on one clock.
    """

    def __init__(self, locale: str, tz: str | None = None) -> None:
        self.locale = pick(locale)
        self.html_lang = HTML_TAG[self.locale]
        self.zh = self.locale == "zh"
        self.tz = ZoneInfo(tz) if tz else None

    def fmt(self, key: str, **values: object) -> str:
        """A message with ``{placeholders}`` filled in (values are escaped by the template, not here)."""
        return self.t(key).format(**values)

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

    def p(self, value: float | None) -> str:
        """A p-value as people quote it: ``p < 0.001`` below a thousandth, never ``p = 0.000``."""
        if value is None or value != value:
            return "—"
        return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"

    def zone(self) -> str:
        """The label of the clock times are shown on (``UTC+8``); ``UTC`` without a workspace zone."""
        return offset_label(datetime.now(self.tz).utcoffset() if self.tz else None)

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return "—"
        clock = ""
        if isinstance(value, datetime):
            if value.tzinfo is not None and self.tz is not None:
                value = value.astimezone(self.tz)
            zone = f" {offset_label(value.utcoffset())}" if value.tzinfo is not None else ""
            clock = f" {value:%H:%M}{zone}"
        if self.zh:
            return f"{value.year}年{value.month}月{value.day}日{clock}"
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}{clock}"

    def period(self, label: str) -> str:
        """``2026-10`` → ``2026年10月`` / ``Oct 2026``; other grains pass through."""
        year, _, month = label.partition("-")
        if not (month.isdigit() and len(month) == 2):
            return label
        return f"{year}年{int(month)}月" if self.zh else f"{MONTHS_EN[int(month) - 1]} {year}"
