"""Non-response bias: do the customers who answered differ from those invited who did not? Pure.

A survey's averages speak for everyone invited only if answering is unrelated to the service
received. Each attribute of the invited interactions is compared between responders and
non-responders:

- categorical (unit, channel, interaction type, escalated …): Pearson's chi-square test of
  independence on the level × {answered, not} table (``scipy.stats.chi2_contingency`` without
  Yates' correction), effect size Cramér's V = √(χ² / (n·(min(r, c) − 1)));
- numeric (handle time, time to first response …): Mann–Whitney U
  (:func:`valueloop.stats.ordinal.mann_whitney`; durations are skewed, so ranks rather than
  means), effect size the rank-biserial correlation (responders vs non-responders).

p-values are Holm-adjusted over the attributes tested (several tests at once would otherwise
find a "difference" by chance). An attribute **differs** when its adjusted p-value is below
``alpha`` and its effect is at least small (|effect| ≥ 0.1, Cohen's conventions for V and r):
on tens of thousands of invitations a negligible difference is "significant" yet harmless.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from statistics import median

import numpy as np
from scipy import stats

from valueloop.stats.multiple import holm
from valueloop.stats.ordinal import mann_whitney

SMALL, MEDIUM, LARGE = 0.1, 0.3, 0.5
MIN_EXPECTED = 5.0
"""Below this expected count in a cell the chi-square approximation is rough (Cochran's rule): said, not hidden."""
SHOWN_LEVELS = 12


@dataclass(frozen=True)
class Level:
    """One category: its share among responders and among non-responders."""

    value: str
    responders: int
    non_responders: int
    responder_share: float
    non_responder_share: float


@dataclass(frozen=True)
class AttributeTest:
    attribute: str
    kind: str
    """``categorical`` or ``numeric``."""
    test: str | None
    responders: int
    non_responders: int
    statistic: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    effect: float | None = None
    effect_name: str | None = None
    magnitude: str | None = None
    """negligible, small, medium or large."""
    differs: bool = False
    note: str | None = None
    """Why it was not tested, or a caveat about the test."""
    levels: list[Level] = field(default_factory=list)
    responder_median: float | None = None
    non_responder_median: float | None = None


def magnitude(effect: float) -> str:
    """Cohen's labels for |V| or |r|: below 0.1 negligible, then small, medium (0.3), large (0.5).

    >>> [magnitude(x) for x in (0.05, -0.2, 0.3, 0.7)]
    ['negligible', 'small', 'medium', 'large']
    """
    size = abs(effect)
    return "large" if size >= LARGE else "medium" if size >= MEDIUM else "small" if size >= SMALL else "negligible"


def categorical(name: str, values: Sequence[str | None], answered: Sequence[bool]) -> AttributeTest:
    """Chi-square test of independence of ``values`` and answering (missing values left out)."""
    pairs = [(v, a) for v, a in zip(values, answered, strict=True) if v is not None and v != ""]
    yes, no = Counter(v for v, a in pairs if a), Counter(v for v, a in pairs if not a)
    n_yes, n_no = sum(yes.values()), sum(no.values())
    order = sorted(set(yes) | set(no), key=lambda v: (-(yes[v] + no[v]), v))
    levels = [Level(v, yes[v], no[v], yes[v] / n_yes if n_yes else 0.0, no[v] / n_no if n_no else 0.0) for v in order]
    base = AttributeTest(name, "categorical", None, n_yes, n_no, levels=_shown(levels))
    if not n_yes or not n_no:
        return replace(base, note="no responders or no non-responders with a value")
    if len(order) < 2:
        return replace(base, note="one value only: nothing to compare")
    table = np.array([[yes[v], no[v]] for v in order], dtype=np.float64)
    chi2, p, _, expected = stats.chi2_contingency(table, correction=False)
    v = math.sqrt(float(chi2) / (table.sum() * (min(table.shape) - 1)))
    note = None
    if float(np.min(expected)) < MIN_EXPECTED:
        note = f"some expected counts are below {MIN_EXPECTED:g}: the chi-square p-value is approximate"
    return replace(base, test="chi-square", statistic=float(chi2), p_value=float(p), effect=v,
                    effect_name="Cramér's V", magnitude=magnitude(v), note=note)  # fmt: skip


def numeric(name: str, values: Sequence[float | None], answered: Sequence[bool]) -> AttributeTest:
    """Mann–Whitney U of responders' ``values`` against non-responders' (missing and non-finite values left out)."""
    yes = [x for x, a in zip(values, answered, strict=True) if a and x is not None and math.isfinite(x)]
    no = [x for x, a in zip(values, answered, strict=True) if not a and x is not None and math.isfinite(x)]
    base = AttributeTest(name, "numeric", None, len(yes), len(no),
                         responder_median=median(yes) if yes else None,
                         non_responder_median=median(no) if no else None)  # fmt: skip
    if not yes or not no:
        return replace(base, note="no responders or no non-responders with a value")
    got = mann_whitney(no, yes)
    if got.p_value is None or got.rank_biserial is None:
        return replace(base, note=got.reason)
    return replace(base, test="Mann-Whitney U", statistic=got.u, p_value=got.p_value, effect=got.rank_biserial,
                    effect_name="rank-biserial r", magnitude=magnitude(got.rank_biserial))  # fmt: skip


def adjust(tests: Sequence[AttributeTest], alpha: float = 0.05) -> list[AttributeTest]:
    """Holm-adjust the p-values of the tested attributes and decide which differ."""
    tested = [i for i, t in enumerate(tests) if t.p_value is not None]
    adjusted = holm([tests[i].p_value or 0.0 for i in tested]).tolist() if tested else []
    out = list(tests)
    for i, p in zip(tested, adjusted, strict=True):
        t = tests[i]
        differs = float(p) < alpha and t.effect is not None and abs(t.effect) >= SMALL
        out[i] = replace(t, p_adjusted=float(p), differs=differs)
    return out


def warning(tests: Sequence[AttributeTest], lang: str = "en") -> str | None:
    """A plain-language warning naming the attributes that differ, None when none does."""
    differing = [t for t in tests if t.differs]
    if not differing:
        return None
    parts = [_describe(t, lang) for t in differing]
    if lang == "zh":
        return ("回答者与未回答者在以下方面不同：" + "；".join(parts)
                + "。问卷结果可能不能代表所有受邀客户，请按这些属性分组查看或加权。")  # fmt: skip
    return ("Those who answered differ from those who did not in " + "; ".join(parts)
            + ". The survey's results may not speak for every customer invited: compare within these groups or "
            "weight the answers.")  # fmt: skip


def _describe(t: AttributeTest, lang: str) -> str:
    if t.kind == "numeric":
        a, b = _num(t.responder_median), _num(t.non_responder_median)
        if lang == "zh":
            return f"{t.attribute}（中位数：回答者 {a}，未回答者 {b}；{t.effect_name} = {t.effect:.2f}）"
        return f"{t.attribute} (median {a} for responders vs {b}; {t.effect_name} = {t.effect:.2f})"
    top = max(t.levels, key=lambda lv: abs(lv.responder_share - lv.non_responder_share))
    if lang == "zh":
        return (f"{t.attribute}（{top.value}：回答者中占 {top.responder_share:.0%}，未回答者中占 "
                f"{top.non_responder_share:.0%}；Cramér's V = {t.effect:.2f}）")  # fmt: skip
    return (f"{t.attribute} ({top.value}: {top.responder_share:.0%} of responders vs "
            f"{top.non_responder_share:.0%} of non-responders; Cramér's V = {t.effect:.2f})")  # fmt: skip


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.3g}"


def _shown(levels: list[Level]) -> list[Level]:
    return levels[:SHOWN_LEVELS]


def compare(
    answered: Sequence[bool],
    categories: Mapping[str, Sequence[str | None]],
    numbers: Mapping[str, Sequence[float | None]],
    alpha: float = 0.05,
) -> list[AttributeTest]:
    """Every attribute tested (categorical first, in the given order), Holm-adjusted together."""
    tests = [categorical(k, v, answered) for k, v in categories.items()]
    tests += [numeric(k, v, answered) for k, v in numbers.items()]
    return adjust(tests, alpha)
