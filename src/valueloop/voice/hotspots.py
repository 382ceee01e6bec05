"""Demand hot-spot map: term or category × period counts, shares and significant growth.

Why a test: with a few hundred texts a period, 1 → 3 mentions is a 200 % rise and means
nothing, while 20 → 60 is news. Each item's count in a period is compared with the
previous ``BASELINE`` periods (pooled) by the exact conditional test for two Poisson rates (Przyborowski &
Wilenski 1940): given x₁ + x₂ mentions, x₂ ~ Binomial(x₁ + x₂, N₂ / (N₁ + N₂)) when the
rate per text did not change (x₁, N₁: mentions and texts of the baseline periods); one-sided, rises only. The
p-values of every tested cell are adjusted together with Benjamini–Hochberg, and a cell
is *hot* when q < ``ALPHA``, the share rose by at least ``MIN_RATIO`` and it has at least
``MIN_COUNT`` mentions.

>>> rows = growth_table(["p1"] * 1000 + ["p2"] * 1000, [["a"]] * 20 + [[]] * 980 + [["a"]] * 60 + [[]] * 940)
>>> [(r.item, r.period, r.count, r.hot) for r in rows]
[('a', 'p1', 20, False), ('a', 'p2', 60, True)]
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest, false_discovery_control

ALPHA = 0.05
MIN_RATIO = 1.5
MIN_COUNT = 5
BASELINE = 3
"""Periods pooled as the reference: steady growth of +40 % a month is a hot spot against
the quarter before, though never 1.5× the month before."""


@dataclass(frozen=True)
class Cell:
    item: str
    period: str
    count: int
    total: int
    share: float
    prev_count: float | None
    growth: float | None
    p_value: float | None
    q_value: float | None
    hot: bool


def count_by_period(
    periods: Sequence[str], items: Sequence[Iterable[str]]
) -> tuple[list[str], Counter[str], dict[str, Counter[str]]]:
    """(sorted periods, texts per period, mentions per item per period); an item counts once per text."""
    totals: Counter[str] = Counter(periods)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for p, its in zip(periods, items, strict=True):
        for it in set(its):
            counts[it][p] += 1
    return sorted(totals), totals, counts


def rise_p_value(x1: int, n1: int, x2: int, n2: int) -> float:
    """One-sided p-value that the rate per text rose from x1/n1 to x2/n2 (exact, conditional on x1 + x2)."""
    if x1 + x2 == 0 or n1 == 0 or n2 == 0:
        return 1.0
    return float(binomtest(x2, x1 + x2, n2 / (n1 + n2), alternative="greater").pvalue)


def growth_table(periods: Sequence[str], items: Sequence[Iterable[str]]) -> list[Cell]:
    """One :class:`Cell` per item × period where the item occurs, in item then period order."""
    order, totals, counts = count_by_period(periods, items)
    raw: list[tuple[str, str, int, float | None, float | None, float | None]] = []
    for item in sorted(counts):
        for i, p in enumerate(order):
            x2, base = counts[item][p], order[max(0, i - BASELINE) : i]
            if x2 == 0:
                continue
            x1, n1 = sum(counts[item][b] for b in base), sum(totals[b] for b in base)
            pv = rise_p_value(x1, n1, x2, totals[p]) if base else None
            growth = None if not x1 else (x2 / totals[p]) / (x1 / n1) - 1
            raw.append((item, p, x2, x1 / len(base) if base else None, growth, pv))
    tested = [k for k, r in enumerate(raw) if r[5] is not None]
    qs = false_discovery_control([raw[k][5] for k in tested]) if tested else np.array([])
    q_of = dict(zip(tested, (float(q) for q in qs), strict=True))
    return [_cell(r, totals[r[1]], q_of.get(k)) for k, r in enumerate(raw)]


def _cell(r: tuple[str, str, int, float | None, float | None, float | None], total: int, q: float | None) -> Cell:
    item, p, x2, prev, growth, pv = r
    rose = growth is None or growth + 1 >= MIN_RATIO
    hot = q is not None and q < ALPHA and rose and x2 >= MIN_COUNT
    return Cell(
        item, p, x2, total, round(x2 / total, 6), prev, None if growth is None else round(growth, 4), pv, q, hot
    )


def heatmap(cells: Sequence[Cell], items: Sequence[str], periods: Sequence[str]) -> dict[str, object]:
    """Chart data: ``shares[i][j]`` and ``counts[i][j]`` for item i in period j (0 where absent)."""
    at = {(c.item, c.period): c for c in cells}
    return {
        "items": list(items),
        "periods": list(periods),
        "shares": [[at[(i, p)].share if (i, p) in at else 0.0 for p in periods] for i in items],
        "counts": [[at[(i, p)].count if (i, p) in at else 0 for p in periods] for i in items],
        "hot": [[bool(at[(i, p)].hot) if (i, p) in at else False for p in periods] for i in items],
    }
