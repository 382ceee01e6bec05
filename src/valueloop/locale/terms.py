"""Business terms the pages name (rules, levels, roles, methods, units of measure), zh-CN and en.

The codes come from the domain (``RuleName``, entity ``type``, ``Role``, verification methods,
model ``unit`` strings); a page never shows the code itself. Merged into
:data:`valueloop.http.web.i18n.MESSAGES`, which refuses a key defined twice. Keys are
``<kind>_<code>``, read through :class:`valueloop.http.web.labels.Labels`.
"""

from __future__ import annotations

TERMS: dict[str, dict[str, str]] = {
    # finding rules (diagnosis.findings.RuleName)
    "rule_benchmark": {"zh": "低于基准", "en": "Below benchmark"},
    "rule_peer_bottom_decile": {"zh": "同级末位 10%", "en": "Bottom 10% of peers"},
    "rule_deterioration": {"zh": "较自身历史恶化", "en": "Worse than own history"},
    "rule_trend": {"zh": "持续恶化趋势", "en": "Worsening trend"},
    # levels of the organisation tree (entities.type)
    "level_company": {"zh": "总公司", "en": "Company"},
    "level_region": {"zh": "大区", "en": "Region"},
    "level_branch": {"zh": "分支机构", "en": "Branch"},
    "level_team": {"zh": "班组", "en": "Team"},
    "level_agent": {"zh": "坐席", "en": "Agent"},
    # roles (accounts.Role)
    "role_admin": {"zh": "管理员", "en": "Administrator"},
    "role_analyst": {"zh": "分析师", "en": "Analyst"},
    "role_manager": {"zh": "经理", "en": "Manager"},
    "role_auditor": {"zh": "审核员", "en": "Auditor"},
    "role_viewer": {"zh": "访客", "en": "Viewer"},
    "role_scraper": {"zh": "监控采集", "en": "Metrics scraper"},
    # verification and test methods
    "method_welch_t": {"zh": "韦尔奇 t 检验", "en": "Welch's t-test"},
    "method_two_proportion_z": {"zh": "两比例 z 检验", "en": "Two-proportion z-test"},
    "method_mann_whitney_u": {"zh": "曼-惠特尼 U 检验", "en": "Mann–Whitney U test"},
    "method_did_ols_cluster_unit": {"zh": "双重差分（按单位聚类）", "en": "Difference-in-differences"},
    "method_segmented_ols_newey_west": {"zh": "中断时间序列", "en": "Interrupted time series"},
    "method_waiver": {"zh": "豁免", "en": "Waiver"},
    # weighting methods (spec.model.Weighting)
    "method_manual": {"zh": "人工设定", "en": "Set by hand"},
    "method_ahp": {"zh": "层次分析法 (AHP)", "en": "AHP"},
    "method_entropy": {"zh": "熵权法", "en": "Entropy weights"},
    "method_critic": {"zh": "CRITIC 法", "en": "CRITIC"},
    "method_combined": {"zh": "主客观组合", "en": "Combined"},
    # model periods (spec.model.Grain)
    "grain_day": {"zh": "日", "en": "Day"},
    "grain_week": {"zh": "周", "en": "Week"},
    "grain_month": {"zh": "月", "en": "Month"},
    "grain_quarter": {"zh": "季度", "en": "Quarter"},
    "grain_year": {"zh": "年", "en": "Year"},
    # units of measure (model ``unit`` strings and duration units)
    "uom_分钟": {"zh": "分钟", "en": "min"},
    "uom_minutes": {"zh": "分钟", "en": "min"},
    "uom_小时": {"zh": "小时", "en": "h"},
    "uom_hours": {"zh": "小时", "en": "h"},
    "uom_天": {"zh": "天", "en": "days"},
    "uom_days": {"zh": "天", "en": "days"},
    "uom_秒": {"zh": "秒", "en": "s"},
    "uom_元": {"zh": "元", "en": "CNY"},
    "uom_件": {"zh": "件", "en": "cases"},
    "uom_件/千次": {"zh": "件/千次", "en": "per 1,000"},
    "uom_单/客": {"zh": "单/客", "en": "orders/customer"},
    "uom_分": {"zh": "分", "en": "pts"},
    # generated texts (action titles from a finding, automatic history reasons)
    "gen_close_gap": {
        "zh": "{indicator} · {unit}（{period}）：缩小差距",
        "en": "{indicator} · {unit} ({period}): close the gap",
    },
    "gen_from_finding": {
        "zh": "来自问题 {id}（{severity}，{rule}）：数值 {value}，基准 {benchmark}，差距 {gap}。",
        "en": "From finding {id} ({severity}, {rule}): value {value} against a benchmark of {benchmark}, gap {gap}.",
    },
    "gen_proposed": {"zh": "提出", "en": "Proposed"},
    "gen_verification_started": {"zh": "开始效果验证", "en": "Verification started"},
    "gen_ab_verdict": {"zh": "基于数据湖的 A/B 验证：{verdict}", "en": "A/B verification on lake data: {verdict}"},
    "gen_silenced": {"zh": "已被静默规则 {id} 静默", "en": "Silenced by {id}"},
    "gen_inhibited": {"zh": "被“{rule}”（{unit}）抑制", "en": "Inhibited by “{rule}” at {unit}"},
    # the dashboard's own words
    "fix_first": {"zh": "优先改进", "en": "Fix this first"},
    "fix_first_help": {
        "zh": "按严重程度和失分排序：最影响得分的问题在前。",
        "en": "Ranked by severity and points lost: the gaps that cost the most come first.",
    },
    "findings_of_period": {"zh": "以下问题属于 {period}", "en": "These findings are for {period}"},
    "findings_stale": {
        "zh": "最近一次诊断是 {period}，早于当前评估期间 {current}。",
        "en": "The latest diagnosis is for {period}, before the evaluated period {current}.",
    },
    "has_action": {"zh": "已有行动", "en": "Action exists"},
    "explain": {"zh": "得分说明", "en": "How this score came about"},
    "explain_open": {"zh": "查看说明", "en": "Explain"},
    "scoring_rule": {"zh": "计分规则", "en": "Scoring rule"},
    "score_linear": {
        "zh": "线性：{worst} 得最低分，{best} 得满分",
        "en": "Linear: {worst} scores lowest, {best} full marks",
    },
    "score_bands": {"zh": "分档：临界值 {thresholds}", "en": "Bands at {thresholds}"},
    "score_percentile": {"zh": "按同级单位中的百分位计分", "en": "By percentile among peer units"},
    "score_target": {
        "zh": "按目标 {target} 的达成度计分（上限 {cap}）",
        "en": "Attainment of the target {target} (capped at {cap})",
    },
    "direction_higher": {"zh": "越高越好", "en": "Higher is better"},
    "direction_lower": {"zh": "越低越好", "en": "Lower is better"},
    "sample_n": {"zh": "样本量", "en": "Sample size"},
    "min_n": {"zh": "最低样本量", "en": "Minimum sample"},
    "shrunk": {"zh": "小样本收缩", "en": "Small-sample shrinkage"},
    "shrunk_help": {
        "zh": "样本不足，计分使用向同级均值收缩后的数值 {value}。",
        "en": "Too few records: the score uses the value shrunk towards the peer mean, {value}.",
    },
    "not_shrunk": {"zh": "样本充足，按实际数值计分。", "en": "Enough records: scored on the measured value."},
    "weight_in_model": {"zh": "模型权重", "en": "Weight in the model"},
    "change_since": {"zh": "较上期（{period}）变化", "en": "Change since {period}"},
    "score_effect": {"zh": "得分变化贡献", "en": "Contribution of the score change"},
    "weight_effect": {"zh": "权重变化贡献", "en": "Contribution of the weight change"},
    "by_child": {"zh": "下级单位分解", "en": "By unit below"},
    "rate_effect": {"zh": "水平效应", "en": "Rate effect"},
    "mix_effect": {"zh": "结构效应", "en": "Mix effect"},
    "no_explain": {"zh": "没有上期数据，无法分解变化。", "en": "No previous period to compare with."},
    "back_to_unit": {"zh": "← 返回单位", "en": "← Back to the unit"},
    "unit_not_found": {"zh": "没有这个单位", "en": "No such unit"},
    "unit_not_found_help": {
        "zh": "组织架构中没有编号为 {id} 的单位，或它不在您的权限范围内。请从排名页选择单位。",
        "en": "There is no unit {id} in the organisation, or it is outside your scope. Pick a unit from the rankings.",
    },
    "not_in_run": {
        "zh": "该单位不在最近一次评估中（评估模型按{level}层级计分）。",
        "en": "This unit is not in the latest evaluation (the model scores the {level} level).",
    },
    "rollup_of": {
        "zh": "下辖 {n} 个{level}的得分（{period}）",
        "en": "Scores of the {n} units below ({level} level, {period})",
    },
    "evaluated_level": {"zh": "评估层级", "en": "Evaluated level"},
    "time_zone": {"zh": "时区", "en": "Time zone"},
    "worse_by": {"zh": "差 {gap}", "en": "{gap} worse"},
    "choose": {"zh": "选择", "en": "Choose"},
    "mtta": {"zh": "确认用时（中位数）", "en": "Time to acknowledge (median)"},
    "mttr": {"zh": "恢复用时（中位数）", "en": "Time to resolve (median)"},
    "step_total": {"zh": "步骤总时长（分钟）", "en": "Step total (min)"},
    "p_value": {"zh": "显著性", "en": "Significance"},
    "save_png": {"zh": "保存为图片", "en": "Save as PNG"},
    "computing": {"zh": "正在计算…", "en": "Computing…"},
    "own_rows": {"zh": "本级直接业务", "en": "Its own records"},
}
