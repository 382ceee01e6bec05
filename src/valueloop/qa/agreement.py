"""Agreement per rubric item: automatic against human, and between human reviewers.

Labels are nominal (pass / fail / na). For each item:

* **auto vs human** — every human review is paired with the automatic result of the same
  conversation; Cohen's κ over those pairs, and the share of pairs that agree.
* **between reviewers** — conversations reviewed by two or more people (a calibration
  session): Krippendorff's α (nominal; any number of reviewers, gaps allowed), and Fleiss' κ
  when every such conversation has the same number of reviewers.

The statistics are :mod:`valueloop.stats.agreement`'s. An item **needs human review** (its
automatic result should not be used for pay) when it has fewer than ``min_pairs`` pairs, or
κ is below ``threshold``; when κ is undefined (both sides used one label only) the share of
agreeing pairs must reach ``1 - (1 - threshold) / 4`` instead (0.9 for the default 0.6).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from valueloop.stats.agreement import cohen_kappa, fleiss_kappa, krippendorff_alpha

LABELS = ("pass", "fail", "na")
THRESHOLD = 0.6
"""κ ≥ 0.6 is "substantial" agreement (Landis & Koch 1977), the usual bar for using a rater alone."""
MIN_PAIRS = 10


@dataclass(frozen=True)
class Review:
    conversation_id: str
    item: str
    reviewer: str
    result: str


@dataclass(frozen=True)
class ItemAgreement:
    item: str
    pairs: int
    percent_agreement: float | None
    cohen_kappa: float | None
    units_multi: int
    """Conversations this item was reviewed on by two or more reviewers."""
    krippendorff_alpha: float | None
    fleiss_kappa: float | None
    needs_human_review: bool
    reason: str


def _clean(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 4)


def item_agreement(
    item: str,
    auto: dict[str, str],
    reviews: Sequence[Review],
    threshold: float = THRESHOLD,
    min_pairs: int = MIN_PAIRS,
) -> ItemAgreement:
    """``auto``: conversation → automatic result of this item; ``reviews``: the human reviews of it."""
    pairs = [(auto[r.conversation_id], r.result) for r in reviews if r.conversation_id in auto]
    kappa = _clean(cohen_kappa([a for a, _ in pairs], [h for _, h in pairs])) if pairs else None
    share = round(sum(a == h for a, h in pairs) / len(pairs), 4) if pairs else None
    alpha, fleiss, multi = _between(reviews)
    flagged, reason = _verdict(len(pairs), kappa, share, threshold, min_pairs)
    return ItemAgreement(item, len(pairs), share, kappa, multi, alpha, fleiss, flagged, reason)


def _verdict(
    pairs: int, kappa: float | None, share: float | None, threshold: float, min_pairs: int
) -> tuple[bool, str]:
    if pairs < min_pairs:
        return True, f"only {pairs} auto/human pairs (need {min_pairs})"
    if kappa is not None:
        return (kappa < threshold, f"κ = {kappa:.2f} {'<' if kappa < threshold else '≥'} {threshold}")
    bar = 1 - (1 - threshold) / 4
    return (share is None or share < bar, f"κ undefined (one label); agreement {share} vs {bar:.2f}")


def _between(reviews: Sequence[Review]) -> tuple[float | None, float | None, int]:
    """(Krippendorff's α, Fleiss' κ, units) over conversations with two or more reviewers."""
    units: dict[str, dict[str, str]] = defaultdict(dict)
    for r in reviews:
        units[r.conversation_id][r.reviewer] = r.result
    multi = {c: v for c, v in sorted(units.items()) if len(v) >= 2}
    if not multi:
        return None, None, 0
    reviewers = sorted({name for v in multi.values() for name in v})
    code = {label: float(i) for i, label in enumerate(LABELS)}
    data = np.full((len(reviewers), len(multi)), np.nan)
    for j, v in enumerate(multi.values()):
        for name, result in v.items():
            data[reviewers.index(name), j] = code.get(result, np.nan)
    alpha = _clean(krippendorff_alpha(data))
    counts = np.array([[sum(1 for x in v.values() if x == label) for label in LABELS] for v in multi.values()])
    same = len({int(row.sum()) for row in counts}) == 1
    fleiss = _clean(fleiss_kappa(counts)) if same else None
    return alpha, fleiss, len(multi)
