"""Words of the survey analytics page, zh and en.

A section of the catalogue (:mod:`valueloop.locale.catalogue`), which refuses a key defined twice.
"""

from __future__ import annotations

SURVEY_MESSAGES: dict[str, dict[str, str]] = {
    "surveys": {"zh": "问卷", "en": "Surveys"},
    "surveys_help": {
        "zh": "服务后发送的问卷：邀请、回答、回复率、满意度趋势，以及回答者是否代表全部受邀客户。",
        "en": "Surveys sent after service: invitations, answers, response rate, satisfaction trends, and whether "
        "those who answer speak for everyone invited.",
    },
    "no_surveys": {
        "zh": "工作区中还没有问卷（surveys/*.yaml）。",
        "en": "No survey in this workspace yet (surveys/*.yaml).",
    },
    "sv_invited": {"zh": "邀请", "en": "Invited"},
    "sv_delivered": {"zh": "已送达", "en": "Delivered"},
    "sv_opened": {"zh": "已打开", "en": "Opened"},
    "sv_answered": {"zh": "已回答", "en": "Answered"},
    "sv_rate": {"zh": "回复率", "en": "Response rate"},
    "sv_walk_in": {"zh": "到店扫码回答", "en": "Walk-in answers (QR)"},
    "sv_responses": {"zh": "收到回答", "en": "Answers received"},
    "sv_channel": {"zh": "渠道", "en": "Channel"},
    "sv_trend": {"zh": "趋势", "en": "Trend"},
    "sv_period_day": {"zh": "按日", "en": "Daily"},
    "sv_period_week": {"zh": "按周", "en": "Weekly"},
    "sv_period_month": {"zh": "按月", "en": "Monthly"},
    "sv_period": {"zh": "周期", "en": "Period"},
    "sv_bias": {"zh": "无应答偏差检验", "en": "Non-response bias"},
    "sv_bias_help": {
        "zh": "比较回答者与已受邀但未回答者：类别属性用卡方检验（Cramér's V），数值属性用 Mann–Whitney U"
        "（秩二列相关）；p 值经 Holm 校正。",
        "en": "Responders compared with invited non-responders: chi-square (Cramér's V) for categories, "
        "Mann–Whitney U (rank-biserial r) for numbers; p-values Holm-adjusted.",
    },
    "sv_no_bias": {
        "zh": "未发现回答者与未回答者之间的明显差异。",
        "en": "No attribute differs noticeably between responders and non-responders.",
    },
    "sv_attribute": {"zh": "属性", "en": "Attribute"},
    "sv_test": {"zh": "检验", "en": "Test"},
    "sv_effect": {"zh": "效应量", "en": "Effect size"},
    "sv_magnitude": {"zh": "大小", "en": "Magnitude"},
    "sv_differs": {"zh": "有差异", "en": "Differs"},
    "sv_note": {"zh": "说明", "en": "Note"},
    "sv_servqual": {"zh": "SERVQUAL 差距（感受 − 期望）", "en": "SERVQUAL gap (perception − expectation)"},
    "sv_dimension": {"zh": "维度", "en": "Dimension"},
    "sv_expectation": {"zh": "期望", "en": "Expectation"},
    "sv_perception": {"zh": "感受", "en": "Perception"},
    "sv_gap": {"zh": "差距", "en": "Gap"},
    "sv_respondents": {"zh": "回答人数", "en": "Respondents"},
    "sv_per_unit": {"zh": "按网点和渠道", "en": "By unit and channel"},
    "sv_csat": {"zh": "CSAT 均值", "en": "Mean CSAT"},
    "sv_nps": {"zh": "NPS", "en": "NPS"},
}
