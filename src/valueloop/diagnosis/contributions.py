"""Why did it move: exact additive decompositions of a change between two periods.

Composite: the total is ``Σ wᵢ sᵢ`` with effective weights renormalised over what was
scored, so a move comes from scores changing *and* from weights shifting (an indicator
left out for a small sample hands its weight to the others). Each indicator's change is
split symmetrically (midpoint / two-factor Shapley): score effect ``w̄ Δs`` and weight
effect ``(s̄ − c) Δw``, centred at ``c`` = the mean of the two totals so a weight shift
counts as good only when it moves weight toward an above-average score. Because both
periods' weights sum to 1, the centring cancels and the contributions add up to the
change exactly. An indicator scored in one period only contributes through its weight.

Rate KPI over child units: the parent rate is ``Σ m_c r_c`` with mix ``m_c = n_c / N``;
``Δ`` splits into a rate effect ``m̄ Δr`` and a mix effect ``(r̄ − R̄) Δm``, again exact.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from valueloop.errors import InputError

Scored = Mapping[str, tuple[float, float]]
"""key → (weight or mix share, score or rate) in one period; absent = not scored there."""


class Part(BaseModel):
    """One indicator's (or child unit's) share of a change."""

    model_config = ConfigDict(frozen=True)

    key: str
    before: float | None
    after: float | None
    weight_before: float
    weight_after: float
    value_effect: float
    """Score effect (composite) or rate effect (mix/rate)."""
    weight_effect: float
    """Renormalisation / weight effect (composite) or mix effect (mix/rate)."""

    @property
    def total(self) -> float:
        return self.value_effect + self.weight_effect


def _level(parts: Scored) -> float:
    shares = sum(w for w, _ in parts.values())
    if parts and abs(shares - 1.0) > 1e-9:
        raise InputError(f"weights (or mix shares) must sum to 1, got {shares:.6f}")
    return sum(w * s for w, s in parts.values())


def decompose(before: Scored, after: Scored) -> tuple[float, float, list[Part]]:
    """(total before, total after, parts) with ``Σ part.total == after − before`` exactly.

    Either side may be empty (nothing scored): then the other side's terms carry the
    whole change and no centring is applied.
    """
    t0, t1 = _level(before), _level(after)
    centre = (t0 + t1) / 2 if before and after else 0.0
    parts = []
    for key in sorted(set(before) | set(after)):
        w0, s0 = before.get(key, (0.0, None))
        w1, s1 = after.get(key, (0.0, None))
        if s0 is not None and s1 is not None:
            value = (w0 + w1) / 2 * (s1 - s0)
            weight = ((s0 + s1) / 2 - centre) * (w1 - w0)
        else:
            s = s1 if s1 is not None else s0
            value, weight = 0.0, ((s or 0.0) - centre) * (w1 - w0)
        parts.append(
            Part(
                key=key,
                before=s0,
                after=s1,
                weight_before=w0,
                weight_after=w1,
                value_effect=value,
                weight_effect=weight,
            )
        )
    return t0, t1, sorted(parts, key=lambda p: -abs(p.total))


def mix_shares(counts: Mapping[str, float], values: Mapping[str, float]) -> dict[str, tuple[float, float]]:
    """Child → (mix share n_c / N, rate) over children with n > 0 and a value."""
    usable = {k: n for k, n in counts.items() if n > 0 and k in values}
    total = sum(usable.values())
    return {k: (n / total, values[k]) for k, n in usable.items()} if total > 0 else {}
