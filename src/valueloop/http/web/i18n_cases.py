"""Words of the follow-up case board and the survey responses page (the inner loop), zh-CN and en.

Merged into :data:`valueloop.http.web.i18n.MESSAGES`, which refuses a key defined in both places.
"""

from __future__ import annotations

CASE_MESSAGES: dict[str, dict[str, str]] = {
    "cases": {"zh-CN": "回访工单", "en": "Cases"},
    "cases_help": {
        "zh-CN": "不满意的问卷回答（如 NPS ≤ 6、CSAT ≤ 2）自动生成回访工单：负责人、时限、结果和根因。",
        "en": "Unhappy survey answers (e.g. NPS ≤ 6, CSAT ≤ 2) open a case: an owner, a deadline, an outcome "
        "and a root cause.",
    },
    "case_open": {"zh-CN": "待处理", "en": "Open"},
    "case_closed": {"zh-CN": "已关闭", "en": "Closed"},
    "hours_to_close": {"zh-CN": "关闭用时中位数（小时）", "en": "Median hours to close"},
    "recovery_rate": {"zh-CN": "挽回率", "en": "Recovery rate"},
    "answer": {"zh-CN": "回答", "en": "Answer"},
    "escalated_to": {"zh-CN": "已升级至", "en": "Escalated to"},
    "case_outcome": {"zh-CN": "回访结果", "en": "Outcome"},
    "root_cause": {"zh-CN": "根因", "en": "Root cause"},
    "customer": {"zh-CN": "客户", "en": "Customer"},
    "no_cases": {"zh-CN": "没有符合条件的回访工单。", "en": "No cases here."},
    "outcome_reached": {"zh-CN": "已联系", "en": "Reached"},
    "outcome_resolved": {"zh-CN": "已解决", "en": "Resolved"},
    "outcome_compensated": {"zh-CN": "已补偿", "en": "Compensated"},
    "outcome_not_reachable": {"zh-CN": "未能联系", "en": "Not reachable"},
    "case_note": {"zh-CN": "备注", "en": "Note"},
    "case_close": {"zh-CN": "关闭工单", "en": "Close case"},
    "sv_latest": {"zh-CN": "最新回答", "en": "Latest answers"},
    "sv_submitted": {"zh-CN": "提交时间", "en": "Submitted"},
    "sv_case": {"zh-CN": "回访工单", "en": "Case"},
    "sv_no_answers": {"zh-CN": "还没有回答。", "en": "No answers yet."},
}
