"""Words of the dashboard's cuts (level selector, roll-ups, field levels), zh and en.

A section of the catalogue (:mod:`valueloop.locale.catalogue`). A field level (``field:agent_id``) is named
by the field's business name through the same ``level_`` keys as the tree's levels.
"""

from __future__ import annotations

CUT_MESSAGES: dict[str, dict[str, str]] = {
    "cut_level": {"zh": "层级", "en": "Level"},
    "cut_level_default": {"zh": "最新评估的层级", "en": "Latest run's level"},
    "cut_all_units": {"zh": "全部可见单位", "en": "All units you can see"},
    "spark_trend": {"zh": "近期走势", "en": "Recent trend"},
    "stale_finding": {"zh": "旧发现 · {period}", "en": "Earlier finding · {period}"},
    "findings_by_indicator": {"zh": "按指标归组的发现", "en": "Findings by indicator"},
    "level_field:agent_id": {"zh": "坐席", "en": "Agent"},
    "level_field:channel": {"zh": "渠道", "en": "Channel"},
    "level_field:region": {"zh": "地区", "en": "Region (field)"},
    "level_field:category": {"zh": "业务类别", "en": "Category"},
    "level_field:industry": {"zh": "行业", "en": "Industry"},
    "level_field:department": {"zh": "部门", "en": "Department"},
    "level_field:customer_id": {"zh": "客户", "en": "Customer"},
    "segment": {"zh": "客户细分", "en": "Segment"},
    "segment_all": {"zh": "全部客户", "en": "All customers"},
    "segment_ranked": {"zh": "仅按该细分客户的记录重新评分排名", "en": "scored on this segment's records only"},
    "segment_field_spend_tier": {"zh": "消费层级", "en": "Spend tier"},
    "segment_field_age_band": {"zh": "年龄段", "en": "Age band"},
    "segment_field_vip": {"zh": "VIP 客户", "en": "VIP"},
    "segment_field_industry": {"zh": "行业", "en": "Industry"},
    "segment_field_region": {"zh": "客户地区", "en": "Customer region"},
    "segment_spend_tier_high": {"zh": "高", "en": "High"},
    "segment_spend_tier_mid": {"zh": "中", "en": "Mid"},
    "segment_spend_tier_low": {"zh": "低", "en": "Low"},
    "no_matching_actions": {"zh": "没有符合筛选条件的改进行动。", "en": "No action matches these filters."},
    "field_within": {"zh": "按您负责单位的记录评分并排名", "en": "scored and ranked on your units' records"},
    "field_levels_mine": {"zh": "本范围内的其他排名", "en": "Other rankings of your units"},
    "segment_industry_hotel": {"zh": "酒店", "en": "Hotel"},
    "segment_industry_ecommerce": {"zh": "电商", "en": "E-commerce"},
    "segment_industry_banking": {"zh": "银行", "en": "Banking"},
    "segment_industry_telecom": {"zh": "电信", "en": "Telecom"},
    "segment_industry_after_sales": {"zh": "售后服务", "en": "After-sales"},
}
