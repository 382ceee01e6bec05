"""Words of the conversation QA pages, zh-CN and en (merged into :data:`valueloop.http.web.i18n.MESSAGES`)."""

from __future__ import annotations

QA_MESSAGES: dict[str, dict[str, str]] = {
    "qa": {"zh-CN": "智能质检", "en": "Conversation QA"},
    "qa_help": {
        "zh-CN": "每个会话按质检规则自动评分；点击会话查看判定依据（高亮的原话）。",
        "en": "Every conversation is scored against the rubric; open one to see the highlighted words behind "
        "each result.",
    },
    "no_qa": {
        "zh-CN": "还没有质检结果。请导入会话并运行 `valueloop qa score`。",
        "en": "No QA results yet. Ingest conversations and run `valueloop qa score`.",
    },
    "qa_by_agent": {"zh-CN": "坐席质检汇总", "en": "QA by agent"},
    "qa_weakest": {"zh-CN": "薄弱项与示例", "en": "Weakest items with examples"},
    "conversations": {"zh-CN": "会话数", "en": "Conversations"},
    "mean_score": {"zh-CN": "平均分", "en": "Mean score"},
    "pass_rate": {"zh-CN": "合格率", "en": "Pass rate"},
    "auto_failed": {"zh-CN": "一票否决", "en": "Auto-fails"},
    "agent": {"zh-CN": "坐席", "en": "Agent"},
    "qa_item": {"zh-CN": "质检项", "en": "Item"},
    "failed_of": {"zh-CN": "未通过 / 适用", "en": "Failed / applied"},
    "example": {"zh-CN": "示例", "en": "Example"},
    "conversation": {"zh-CN": "会话", "en": "Conversation"},
    "speaker_agent": {"zh-CN": "坐席", "en": "Agent"},
    "speaker_customer": {"zh-CN": "客户", "en": "Customer"},
    "speaker_bot": {"zh-CN": "机器人", "en": "Bot"},
    "qa_result": {"zh-CN": "结果", "en": "Result"},
    "result_pass": {"zh-CN": "通过", "en": "Pass"},
    "result_fail": {"zh-CN": "未通过", "en": "Fail"},
    "result_na": {"zh-CN": "不适用", "en": "N/A"},
    "evidence": {"zh-CN": "依据", "en": "Evidence"},
    "turn": {"zh-CN": "第 {n} 句", "en": "turn {n}"},
    "qa_items": {"zh-CN": "质检项结果", "en": "Item results"},
    "transcript": {"zh-CN": "对话原文", "en": "Transcript"},
    "qa_disputes": {"zh-CN": "申诉", "en": "Disputes"},
    "dispute_status": {"zh-CN": "状态", "en": "Status"},
    "dispute_reason": {"zh-CN": "申诉理由", "en": "Reason"},
    "dispute_opened_by": {"zh-CN": "申诉人", "en": "Opened by"},
    "dispute_decision": {"zh-CN": "复核结论", "en": "Decision"},
    "dispute_open": {"zh-CN": "待复核", "en": "Open"},
    "dispute_upheld": {"zh-CN": "申诉成立", "en": "Upheld"},
    "dispute_rejected": {"zh-CN": "申诉驳回", "en": "Rejected"},
    "dispute_upheld_as": {"zh-CN": "申诉改判为", "en": "dispute upheld as"},
}
