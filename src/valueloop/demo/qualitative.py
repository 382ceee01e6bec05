"""In-depth interview and focus-group notes: few rows, longer texts, no scores.

The policy (1(二)) asks for qualitative methods next to the numbers; in valueloop such
notes are feedback records too, so they are searchable and countable. There are only
a handful, so they are written row by row.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa

from valueloop.demo import vocab
from valueloop.demo.clock import OFFICE_HOURS, day_weights, sample_times
from valueloop.demo.customers import AGE_BANDS, Customers
from valueloop.demo.entities import Org
from valueloop.demo.feedback_parts import FOCUS_GROUP, INTERVIEW, Part, blank
from valueloop.demo.stories import Plan

POINTS: Final = (
    ("线上办理步骤太多，老年人不会操作", "online processes have too many steps for older customers"),
    ("希望延长人工客服的服务时间", "staffed support hours should be longer"),
    ("对网点环境比较满意", "the branches are pleasant and tidy"),
    ("APP界面不够清晰，找不到入口", "the app navigation is confusing"),
    ("电话客服排队时间太长", "phone queues are too long"),
    ("客服专业度有明显提升", "agents have become noticeably more professional"),
    ("退款和售后流程需要简化", "refund and after-sales processes need simplifying"),
    ("希望有专属客户经理", "they would like a dedicated account manager"),
    ("智能客服只能回答简单问题", "the chatbot only handles simple questions"),
    ("营业时间和上班时间冲突", "opening hours clash with working hours"),
    ("收费标准不透明", "fees are not transparent"),
    ("投诉之后没有回访", "nobody follows up after a complaint"),
)
SUGGESTIONS: Final = (
    ("增设老年人专属服务通道", "add a priority lane for older customers"),
    ("优化退款流程", "streamline refunds"),
    ("智能客服增加转人工入口", "let the chatbot hand over to a human"),
    ("公开收费标准", "publish the fee schedule"),
    ("建立投诉回访机制", "follow up every complaint"),
    ("延长周末营业时间", "open longer at weekends"),
)
SPEND_ZH: Final = ("普通", "中端", "高端")
SPEND_EN: Final = ("low-spend", "mid-spend", "high-spend")


def _segment(age: int, spend: int, zh: bool) -> str:
    band = AGE_BANDS[age]
    if zh:
        return f"{band.replace('+', '')}岁{'以上' if '+' in band else ''}{SPEND_ZH[spend]}"
    return f"{band} {SPEND_EN[spend]}"


def _note(rng: np.random.Generator, kind: int, segment: str, industry: str, zh: bool) -> str:
    a, b = (POINTS[i][0 if zh else 1] for i in rng.choice(len(POINTS), 2, replace=False))
    s = SUGGESTIONS[int(rng.integers(len(SUGGESTIONS)))][0 if zh else 1]
    k = int(rng.integers(6, 11))
    if kind == INTERVIEW:
        if zh:
            return f"深度访谈｜受访者：{segment}客户（{industry}）。{a}；{b}。建议：{s}。"
        return f"In-depth interview with a {segment} customer ({industry}). Says {a}; also {b}. Suggestion: {s}."
    if zh:
        return f"焦点小组｜{k}名{segment}客户参加（{industry}）。多数人认为{a}，也有人提到{b}。共识诉求：{s}。"
    return f"Focus group with {k} {segment} customers ({industry}). Most felt {a}; some said {b}. Shared request: {s}."


def qualitative(rng: np.random.Generator, plan: Plan, org: Org, cust: Customers) -> Part:
    """Two interviews a month and a focus group every other month, at customers' home branches."""
    months = len(plan.window.month_labels)
    kinds = np.array([INTERVIEW] * (2 * months) + [FOCUS_GROUP] * max(2, months // 2), dtype=np.int64)
    n = len(kinds)
    customer = rng.choice(cust.n, n, p=cust.activity / cust.activity.sum())
    branch = cust.home_branch[customer]
    zh = rng.random(n) < 0.8
    texts = [
        _note(rng, int(k), _segment(int(cust.age[c]), int(cust.spend[c]), z), _industry(org, int(b), z), z)
        for k, c, b, z in zip(kinds, customer, branch, zh.tolist(), strict=True)
    ]
    when = sample_times(rng, n, plan.window, OFFICE_HOURS, day_weights(plan.window))
    who = np.where(kinds == INTERVIEW, customer, -1)
    return Part(when, blank(n), who, org.branch_row[branch], kinds, blank(n), blank(n), blank(n), pa.array(texts))


def _industry(org: Org, branch: int, zh: bool) -> str:
    code = int(org.branch_industry[branch])
    return vocab.INDUSTRY_ZH[code] if zh else vocab.INDUSTRIES[code].replace("_", "-")
