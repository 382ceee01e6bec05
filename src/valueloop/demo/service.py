"""How service works in the demo world: channel and category mixes, speeds, processes.

Plain tables of numbers, one row per industry, channel or category, so the shape of
the synthetic service can be read (and tuned) in one place. Durations are seconds;
medians are for an average branch and agent, before slowness and the stories.
"""

from __future__ import annotations

from typing import Final

import numpy as np

CHANNELS: Final = ("phone", "chat", "app", "email", "store", "bot")
PHONE, CHAT, APP, EMAIL, STORE, BOT = range(6)
CATEGORIES: Final = ("account", "billing", "refund", "logistics", "technical", "complaint", "inquiry")
ACCOUNT, BILLING, REFUND, LOGISTICS, TECHNICAL, COMPLAINT, INQUIRY = range(7)

#: Channel shares per industry (rows in ``vocab.INDUSTRIES`` order, columns in ``CHANNELS`` order).
CHANNEL_MIX: Final = np.array(
    [
        [0.28, 0.15, 0.18, 0.04, 0.17, 0.18],  # banking
        [0.10, 0.33, 0.18, 0.05, 0.00, 0.34],  # ecommerce
        [0.35, 0.10, 0.10, 0.07, 0.28, 0.10],  # hotel
        [0.38, 0.15, 0.07, 0.05, 0.20, 0.15],  # after_sales
        [0.33, 0.14, 0.18, 0.03, 0.10, 0.22],  # telecom
    ]
)

#: Category shares per industry (columns in ``CATEGORIES`` order).
CATEGORY_MIX: Final = np.array(
    [
        [0.28, 0.18, 0.04, 0.00, 0.10, 0.06, 0.34],
        [0.08, 0.08, 0.20, 0.30, 0.05, 0.07, 0.22],
        [0.22, 0.18, 0.10, 0.02, 0.05, 0.08, 0.35],
        [0.05, 0.10, 0.08, 0.20, 0.30, 0.09, 0.18],
        [0.15, 0.25, 0.04, 0.02, 0.22, 0.08, 0.24],
    ]
)

#: Satisfaction baseline shift per industry: hotels delight, telecoms struggle.
INDUSTRY_MOOD: Final = np.array([0.0, -0.1, 0.2, -0.15, -0.25])

FIRST_RESPONSE_MEDIAN: Final = np.array([45.0, 40.0, 900.0, 14_400.0, 180.0, 1.5])
FIRST_RESPONSE_SIGMA: Final = np.array([0.9, 0.8, 0.9, 0.7, 0.7, 0.3])
#: Handling time after the first response; the bot channel's human hand-offs use the chat speed.
HANDLE_MEDIAN: Final = np.array([480.0, 900.0, 10_800.0, 72_000.0, 1_200.0, 900.0])
BOT_HANDLE_MEDIAN: Final = 150.0
HANDLE_SIGMA: Final = 1.0
CATEGORY_EFFORT: Final = np.array([1.0, 1.4, 4.0, 2.5, 3.0, 5.0, 0.5])

#: Routine questions the bot resolves about 85 % of (the policy's 2(三) target).
ROUTINE: Final = np.array([True, True, False, True, False, False, True])
BOT_RESOLVES: Final = np.array([0.35, 0.87])  # indexed by ROUTINE
ESCALATION: Final = np.array([0.04, 0.05, 0.10, 0.04, 0.12, 0.25, 0.02])

_CS, _OPS, _TECH, _FIN = "客服部", "运营部", "技术部", "财务部"

#: The standard process per category: (step, department); trailing review and follow-up may be skipped.
PROCESSES: Final[tuple[tuple[tuple[str, str], ...], ...]] = (
    (("受理", _CS), ("核实", _OPS), ("处理", _OPS)),
    (("受理", _CS), ("核实", _FIN), ("处理", _FIN), ("回访", _CS)),
    (("受理", _CS), ("核实", _OPS), ("审批", _FIN), ("处理", _FIN), ("复核", _FIN), ("回访", _CS)),
    (("受理", _CS), ("核实", _OPS), ("处理", _OPS), ("回访", _CS)),
    (("受理", _CS), ("核实", _TECH), ("处理", _TECH), ("复核", _TECH), ("回访", _CS)),
    (("受理", _CS), ("核实", _OPS), ("处理", _OPS), ("复核", _CS), ("回访", _CS)),
    (("受理", _CS), ("处理", _CS)),
)
STEPS_REQUIRED: Final = np.array([len(p) for p in PROCESSES], dtype=np.int64)
OPTIONAL_STEPS: Final = np.array(
    [sum(1 for step, _ in p[-2:] if step in ("复核", "回访")) for p in PROCESSES], dtype=np.int64
)
