"""Bilingual labels of the period review (zh default, en); one table, so both languages stay complete."""

from __future__ import annotations

from valueloop.spec.locale import Lang

__all__ = ["LABELS", "SECTIONS", "Lang", "label", "level_label", "unit_label"]
SECTIONS = ("summary", "goals", "findings", "verification", "voice", "roi", "models", "methods")

LABELS: dict[str, tuple[str, str]] = {
    "title": ("服务价值期间评审报告", "Service value period review"),
    "summary": ("执行摘要", "Executive summary"),
    "goals": ("目标达成", "Goal attainment"),
    "findings": ("重点问题与整改状态", "Top findings and their actions"),
    "verification": ("整改效果验证", "Verification results"),
    "voice": ("客户之声", "Voice of the customer"),
    "roi": ("投资回报", "Return on investment"),
    "models": ("模型变更", "Model changes"),
    "methods": ("方法附录", "Methods appendix"),
    "lifecycle": ("需求生命周期", "Demand lifecycle"),
    "hot": ("本期话题热度（热点 = 显著增长）", "Topics this period (hot = significant growth)"),
    "is_hot": ("热点", "Hot"),
    "section": ("表", "Table"),
    "model": ("评估模型", "Model"),
    "period": ("期间", "Period"),
    "level": ("层级", "Level"),
    "generated": ("生成时间", "Generated"),
    "months": ("所用月度评估", "Monthly runs used"),
    "previous": ("上一期间", "Previous period"),
    "source": ("来源", "Source"),
    "run": ("评估批次", "Run"),
    "version": ("版本", "Version"),
    "unit": ("单位", "Unit"),
    "name": ("名称", "Name"),
    "score": ("综合得分", "Composite"),
    "rank": ("排名", "Rank"),
    "prev_score": ("上期得分", "Previous score"),
    "change": ("变化", "Change"),
    "prev_rank": ("上期排名", "Previous rank"),
    "rank_change": ("名次变动", "Rank movement"),
    "months_scored": ("计分月数", "Months scored"),
    "mean_score": ("平均综合得分", "Mean composite"),
    "mean_change": ("平均变化", "Mean change"),
    "indicator": ("指标", "Indicator"),
    "direction": ("方向", "Direction"),
    "target": ("目标值", "Target"),
    "value": ("实际值", "Value"),
    "attainment": ("达成率 %", "Attainment %"),
    "met": ("是否达成", "Met"),
    "severity": ("严重度", "Severity"),
    "rule": ("规则", "Rule"),
    "benchmark": ("基准", "Benchmark"),
    "gap": ("差距 %", "Gap %"),
    "n": ("样本量", "n"),
    "actions": ("整改措施", "Actions"),
    "action": ("措施", "Action"),
    "status": ("状态", "Status"),
    "owner": ("负责人", "Owner"),
    "verdict": ("结论", "Verdict"),
    "method": ("方法", "Method"),
    "p_value": ("p 值", "p-value"),
    "ci": ("95% 置信区间", "95% interval"),
    "verified_at": ("验证时间", "Verified at"),
    "topic": ("话题", "Topic"),
    "stage": ("阶段", "Stage"),
    "share": ("占比", "Share"),
    "growth": ("增长", "Growth"),
    "since": ("起始", "Since"),
    "mentions": ("提及数", "Mentions"),
    "count": ("提及数", "Count"),
    "q_value": ("q 值", "q-value"),
    "texts": ("文本条数", "Texts"),
    "cost": ("成本", "Cost"),
    "benefit": ("收益", "Benefit"),
    "roi_value": ("投资回报率", "ROI"),
    "effect": ("效果", "Effect"),
    "total": ("合计", "Total"),
    "without_valuation": ("已验证但未设定价值参数的措施", "Verified actions without a valuation"),
    "effective_from": ("生效日期", "Effective from"),
    "category": ("PEST 类别", "PEST category"),
    "reason": ("变更原因", "Reason"),
    "in_force": ("本期生效版本", "Version in force"),
    "dimension": ("维度", "Dimension"),
    "weight": ("权重", "Weight"),
    "weighting": ("赋权方法", "Weighting"),
    "scoring": ("计分规则", "Scoring rule"),
    "min_n": ("最小样本", "Minimum n"),
    "nominal_share": ("名义权重占比", "Nominal share"),
    "scale": ("分值范围", "Scale"),
    "aggregation": ("合成方法", "Aggregation"),
    "small_sample": ("小样本策略", "Small-sample policy"),
    "model_grain": ("模型期间粒度", "Model grain"),
    "period_handling": ("期间处理", "Period handling"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "stored": ("已存储", "stored"),
    "evaluated": ("即时计算（未存储）", "evaluated (not stored)"),
    "missing": ("无数据", "no data"),
    "higher": ("越高越好", "higher is better"),
    "lower": ("越低越好", "lower is better"),
    "critical": ("严重", "critical"),
    "warning": ("警告", "warning"),
    "emerging": ("萌芽", "emerging"),
    "growing": ("成长", "growing"),
    "mature": ("成熟", "mature"),
    "declining": ("衰退", "declining"),
    "insufficient_history": ("历史数据不足", "insufficient history"),
    "effective": ("有效", "effective"),
    "harmful": ("有害", "harmful"),
    "inconclusive": ("不确定", "inconclusive"),
    "waived": ("豁免", "waived"),
    "exclude": ("排除并重新归一权重", "exclude and renormalise the other weights"),
    "shrink": ("向同级均值收缩（经验贝叶斯）", "shrink toward the peer mean (empirical Bayes)"),
    "chart_scores": ("各单位综合得分（点为上期）", "Composite score per unit (dot: previous period)"),
    "empty_summary": ("本期间没有任何评估结果。", "No evaluation results exist for this period."),
    "empty_goals": (
        "本期间未设定目标（工作区 goals.yaml）。",
        "No goals are set for this period (workspace goals.yaml).",
    ),
    "empty_findings": ("本期间没有诊断发现。", "No findings were recorded for this period."),
    "empty_verification": ("本期间没有记录效果验证。", "No verification was recorded in this period."),
    "empty_voice": ("没有可分析的客户反馈文本。", "There is no customer feedback text to analyse."),
    "empty_hot": ("本期间没有热点话题。", "No hot topics in this period."),
    "empty_lifecycle": ("没有提及量足够的话题。", "No topic has enough mentions for a lifecycle stage."),
    "empty_roi": (
        "本期间没有已验证且已估值的措施，无法计算投资回报。",
        "No verified and valued action in this period: no return on investment to report.",
    ),
    "no_actions": ("尚无整改措施", "no action yet"),
    "no_model_change": ("本期间没有模型变更生效。", "No model change took effect in this period."),
    "period_text": (
        "期间得分取该期间内各月评估（模型自身的月度粒度）的简单平均：每月优先取已存储的最新评估批次，"
        "没有则即时计算且不存储；排名按平均分重新排定（并列同名次）。目标达成所用的指标值按期间粒度的模型副本"
        "对整个期间直接计算。达成率：越高越好为 实际/目标，越低越好为 目标/实际。验证与投资回报只计该期间内"
        "记录的验证；需求生命周期按全部历史反馈计算。",
        "Period scores are the plain mean of the monthly runs inside the period (the model's own monthly grain): "
        "for each month the newest stored run, or one evaluated on the fly and not stored; ranks are re-ranked on "
        "the means (ties share a rank). Goal values are computed over the whole period with a period-grain copy "
        "of the model. Attainment is value/target when higher is better, target/value when lower is better. "
        "Verification and ROI count verifications recorded in the period; the demand lifecycle uses all feedback.",
    ),
}


LEVELS: dict[str, tuple[str, str]] = {
    "company": ("总公司", "Company"), "region": ("大区", "Region"), "branch": ("分支机构", "Branch"),
    "team": ("班组", "Team"), "agent": ("坐席", "Agent"),
    # field levels: the units are the values of a column (a call type, an agent, a product)
    "agent_id": ("坐席", "Agent"), "server": ("坐席", "Agent"), "type": ("业务类型", "Call type"),
    "category": ("业务类别", "Category"), "channel": ("渠道", "Channel"), "product": ("产品", "Product"),
}  # fmt: skip


def level_label(level: str, lang: Lang) -> str:
    """A level in business words: ``branch`` → 分支机构; a field level ``field:type`` → 按业务类型 / by call type.

    >>> level_label("field:type", "zh"), level_label("field:type", "en"), level_label("branch", "zh")
    ('按业务类型', 'by call type', '分支机构')
    """
    field = level.removeprefix("field:") if level.startswith("field:") else None
    pair = LEVELS.get(field or level)
    word = (pair[0] if lang == "zh" else pair[1]) if pair else (field or level)
    if field is None:
        return word
    return f"按{word}" if lang == "zh" else f"by {word.lower()}"


def unit_label(name: str | None, entity_id: str) -> str:
    """``上海浦东支行 (B010)``; a unit whose name is its id (a call type ``PE``) once, not ``PE (PE)``."""
    return entity_id if not name or name == entity_id else f"{name} ({entity_id})"


def label(key: str, lang: Lang) -> str:
    """The label of ``key`` in ``lang``; an unknown key (e.g. a new verdict) is shown as is."""
    pair = LABELS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]
