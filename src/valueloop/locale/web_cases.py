"""Words of the follow-up case board (the inner loop), zh-CN and en.

Merged into :data:`valueloop.http.web.i18n.MESSAGES`, which refuses a key defined in both places.
"""

from __future__ import annotations

CASE_MESSAGES: dict[str, dict[str, str]] = {
    "cases": {"zh": "回访工单", "en": "Cases"},
    "cases_help": {
        "zh": "不满意的问卷回答（如 NPS ≤ 6、CSAT ≤ 2）自动生成回访工单：负责人、时限、结果和根因。",
        "en": "Unhappy survey answers (e.g. NPS ≤ 6, CSAT ≤ 2) open a case: an owner, a deadline, an outcome "
        "and a root cause.",
    },
    "case_open": {"zh": "待处理", "en": "Open"},
    "case_closed": {"zh": "已关闭", "en": "Closed"},
    "hours_to_close": {"zh": "关闭用时中位数（小时）", "en": "Median hours to close"},
    "recovery_rate": {"zh": "挽回率", "en": "Recovery rate"},
    "answer": {"zh": "回答", "en": "Answer"},
    "escalated_to": {"zh": "已升级至", "en": "Escalated to"},
    "case_outcome": {"zh": "回访结果", "en": "Outcome"},
    "root_cause": {"zh": "根因", "en": "Root cause"},
    "customer": {"zh": "客户", "en": "Customer"},
    "no_cases": {"zh": "没有符合条件的回访工单。", "en": "No cases here."},
    "outcome_reached": {"zh": "已联系", "en": "Reached"},
    "outcome_resolved": {"zh": "已解决", "en": "Resolved"},
    "outcome_compensated": {"zh": "已补偿", "en": "Compensated"},
    "outcome_not_reachable": {"zh": "未能联系", "en": "Not reachable"},
    "case_note": {"zh": "备注", "en": "Note"},
    "case_close": {"zh": "关闭工单", "en": "Close case"},
    "sv_latest": {"zh": "最新回答", "en": "Latest answers"},
    "sv_submitted": {"zh": "提交时间", "en": "Submitted"},
    "sv_case": {"zh": "回访工单", "en": "Case"},
    "sv_no_answers": {"zh": "还没有回答。", "en": "No answers yet."},
    "recur_title": {"zh": "本月反复出现的根因", "en": "Root causes recurring this month"},
    "recur_help": {
        "zh": "本月已关闭的工单中，同一根因出现 {n} 次及以上：为每个尚无改进措施的根因提出一项改进措施。",
        "en": "Causes behind {n} or more of this month's closed cases: propose one improvement action for each "
        "cause that has none yet.",
    },
    "recur_cases": {"zh": "工单数", "en": "Cases"},
    "recur_action": {"zh": "改进措施", "en": "Action"},
    "recur_none": {"zh": "本月没有反复出现的根因。", "en": "No root cause recurs this month."},
    "recur_department": {"zh": "部门", "en": "Department"},
    "recur_propose": {"zh": "提出改进措施", "en": "Propose actions"},
}
