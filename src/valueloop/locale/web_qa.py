"""Words of the conversation QA pages, zh-CN and en (merged into :data:`valueloop.http.web.i18n.MESSAGES`)."""

from __future__ import annotations

QA_MESSAGES: dict[str, dict[str, str]] = {
    "qa": {"zh": "智能质检", "en": "Conversation QA"},
    "qa_help": {
        "zh": "每个会话按质检规则自动评分；点击会话查看判定依据（高亮的原话）。",
        "en": "Every conversation is scored against the rubric; open one to see the highlighted words behind "
        "each result.",
    },
    "no_qa": {
        "zh": "还没有质检结果。请导入会话并运行 `valueloop qa score`。",
        "en": "No QA results yet. Ingest conversations and run `valueloop qa score`.",
    },
    "qa_by_agent": {"zh": "坐席质检汇总", "en": "QA by agent"},
    "qa_weakest": {"zh": "薄弱项与示例", "en": "Weakest items with examples"},
    "conversations": {"zh": "会话数", "en": "Conversations"},
    "mean_score": {"zh": "平均分", "en": "Mean score"},
    "pass_rate": {"zh": "合格率", "en": "Pass rate"},
    "auto_failed": {"zh": "一票否决", "en": "Auto-fails"},
    "agent": {"zh": "坐席", "en": "Agent"},
    "qa_item": {"zh": "质检项", "en": "Item"},
    "failed_of": {"zh": "未通过 / 适用", "en": "Failed / applied"},
    "example": {"zh": "示例", "en": "Example"},
    "conversation": {"zh": "会话", "en": "Conversation"},
    "speaker_agent": {"zh": "坐席", "en": "Agent"},
    "speaker_customer": {"zh": "客户", "en": "Customer"},
    "speaker_bot": {"zh": "机器人", "en": "Bot"},
    "qa_result": {"zh": "结果", "en": "Result"},
    "result_pass": {"zh": "通过", "en": "Pass"},
    "result_fail": {"zh": "未通过", "en": "Fail"},
    "result_na": {"zh": "不适用", "en": "N/A"},
    "evidence": {"zh": "依据", "en": "Evidence"},
    "turn": {"zh": "第 {n} 句", "en": "turn {n}"},
    "qa_items": {"zh": "质检项结果", "en": "Item results"},
    "transcript": {"zh": "对话原文", "en": "Transcript"},
}
