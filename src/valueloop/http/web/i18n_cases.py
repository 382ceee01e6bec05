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
    "survey_responses": {"zh-CN": "问卷回收", "en": "Surveys"},
    "survey_responses_help": {
        "zh-CN": "服务后发出的问卷：邀请、送达、打开、回答与回收率（回答 ÷ 送达），以及最新的回答。",
        "en": "Surveys sent after service: invitations, deliveries, opens, answers and the response rate "
        "(answered ÷ delivered), and the latest answers.",
    },
    "sv_invited": {"zh-CN": "邀请", "en": "Invited"},
    "sv_delivered": {"zh-CN": "送达", "en": "Delivered"},
    "sv_opened": {"zh-CN": "打开", "en": "Opened"},
    "sv_answered": {"zh-CN": "回答", "en": "Answered"},
    "sv_response_rate": {"zh-CN": "回收率", "en": "Response rate"},
    "sv_walk_in": {"zh-CN": "到店扫码回答", "en": "Walk-in answers (QR)"},
    "sv_channel": {"zh-CN": "渠道", "en": "Channel"},
    "sv_latest": {"zh-CN": "最新回答", "en": "Latest answers"},
    "sv_submitted": {"zh-CN": "提交时间", "en": "Submitted"},
    "sv_case": {"zh-CN": "回访工单", "en": "Case"},
    "sv_no_surveys": {
        "zh-CN": "工作区还没有问卷：在 surveys/ 目录下定义一个（见 docs/surveys.md）。",
        "en": "No survey yet: define one in the workspace's surveys/ folder (see docs/surveys.md).",
    },
    "sv_no_answers": {"zh-CN": "还没有回答。", "en": "No answers yet."},
    "sv_broken": {"zh-CN": "无法读取的问卷文件", "en": "Survey files that cannot be read"},
}
