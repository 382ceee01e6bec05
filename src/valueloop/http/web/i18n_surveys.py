"""Words of the survey analytics page, zh-CN and en.

Merged into :data:`valueloop.http.web.i18n.MESSAGES`, which refuses a key defined in both places.
"""

from __future__ import annotations

SURVEY_MESSAGES: dict[str, dict[str, str]] = {
    "surveys": {"zh-CN": "问卷", "en": "Surveys"},
    "surveys_help": {
        "zh-CN": "服务后发送的问卷：邀请、回答、回复率、满意度趋势，以及回答者是否代表全部受邀客户。",
        "en": "Surveys sent after service: invitations, answers, response rate, satisfaction trends, and whether "
        "those who answer speak for everyone invited.",
    },
    "no_surveys": {
        "zh-CN": "工作区中还没有问卷（surveys/*.yaml）。",
        "en": "No survey in this workspace yet (surveys/*.yaml).",
    },
    "sv_invited": {"zh-CN": "邀请", "en": "Invited"},
    "sv_delivered": {"zh-CN": "已送达", "en": "Delivered"},
    "sv_opened": {"zh-CN": "已打开", "en": "Opened"},
    "sv_answered": {"zh-CN": "已回答", "en": "Answered"},
    "sv_rate": {"zh-CN": "回复率", "en": "Response rate"},
    "sv_walk_in": {"zh-CN": "到店扫码回答", "en": "Walk-in answers (QR)"},
    "sv_responses": {"zh-CN": "收到回答", "en": "Answers received"},
    "sv_channel": {"zh-CN": "渠道", "en": "Channel"},
    "sv_trend": {"zh-CN": "趋势", "en": "Trend"},
    "sv_period_day": {"zh-CN": "按日", "en": "Daily"},
    "sv_period_week": {"zh-CN": "按周", "en": "Weekly"},
    "sv_period_month": {"zh-CN": "按月", "en": "Monthly"},
    "sv_period": {"zh-CN": "周期", "en": "Period"},
    "sv_bias": {"zh-CN": "无应答偏差检验", "en": "Non-response bias"},
    "sv_bias_help": {
        "zh-CN": "比较回答者与已受邀但未回答者：类别属性用卡方检验（Cramér's V），数值属性用 Mann–Whitney U"
        "（秩二列相关）；p 值经 Holm 校正。",
        "en": "Responders compared with invited non-responders: chi-square (Cramér's V) for categories, "
        "Mann–Whitney U (rank-biserial r) for numbers; p-values Holm-adjusted.",
    },
    "sv_no_bias": {
        "zh-CN": "未发现回答者与未回答者之间的明显差异。",
        "en": "No attribute differs noticeably between responders and non-responders.",
    },
    "sv_attribute": {"zh-CN": "属性", "en": "Attribute"},
    "sv_test": {"zh-CN": "检验", "en": "Test"},
    "sv_effect": {"zh-CN": "效应量", "en": "Effect size"},
    "sv_magnitude": {"zh-CN": "大小", "en": "Magnitude"},
    "sv_differs": {"zh-CN": "有差异", "en": "Differs"},
    "sv_note": {"zh-CN": "说明", "en": "Note"},
    "sv_servqual": {"zh-CN": "SERVQUAL 差距（感受 − 期望）", "en": "SERVQUAL gap (perception − expectation)"},
    "sv_dimension": {"zh-CN": "维度", "en": "Dimension"},
    "sv_expectation": {"zh-CN": "期望", "en": "Expectation"},
    "sv_perception": {"zh-CN": "感受", "en": "Perception"},
    "sv_gap": {"zh-CN": "差距", "en": "Gap"},
    "sv_respondents": {"zh-CN": "回答人数", "en": "Respondents"},
    "sv_per_unit": {"zh-CN": "按网点和渠道", "en": "By unit and channel"},
    "sv_csat": {"zh-CN": "CSAT 均值", "en": "Mean CSAT"},
    "sv_nps": {"zh-CN": "NPS", "en": "NPS"},
}
