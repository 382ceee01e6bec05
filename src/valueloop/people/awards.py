"""Service benchmark awards (服务标杆): the best agents of a period, not the luckiest.

Three guards stand between a small lucky sample and an award:

* **volume**: at least ``min_n`` observations in the award period;
* **shrinkage**: each agent-period mean is pulled toward the peer mean by empirical Bayes
  (:func:`valueloop.scoring.shrink.shrink`, pooled variance, peers with enough volume as
  reference), with a 95 % credible interval ``x̃ ± 1.96·√(Z·D)`` (the normal–normal
  posterior variance is ``τ²D / (τ² + D) = Z·D``);
* **stability**: in the top quartile of shrunk scores among eligible peers in at least
  ``min_stable`` of the last ``window`` periods.

Winners are ranked by shrunk score, and every award carries its reasons. Lower-is-better
indicators are negated before shrinking and turned back for display.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from valueloop.scoring.shrink import pooled_variance, shrink

Z95 = 1.959964


@dataclass(frozen=True)
class AwardRules:
    top: int = 5
    min_n: int = 10
    window: int = 3
    min_stable: int = 2
    quantile: float = 0.75


def last_periods(period: str, window: int) -> list[str]:
    """``period`` and the ``window − 1`` before it, oldest first (months ``YYYY-MM``)."""
    p = pd.Period(period, "M")
    return [str(p - k) for k in range(window - 1, -1, -1)]


def period_scores(obs: pd.DataFrame, sign: int, min_n: int) -> pd.DataFrame:
    """Per agent of one period: n, mean, shrunk score, interval, eligibility, top-quartile flag."""
    g = obs.groupby("agent_id")["value"].agg(["count", "mean", "var"]).rename(columns={"count": "n"})
    x, n, var = sign * g["mean"].to_numpy(float), g["n"].to_numpy(float), g["var"].to_numpy(float)
    eligible = n >= min_n
    ref = eligible if eligible.sum() >= 3 else np.ones_like(eligible)
    fit = shrink(x, n, var, k=float(min_n), reference=ref)
    sd = np.sqrt(fit.weight * pooled_variance(n[ref], var[ref]) / n)
    lo, hi = fit.values - Z95 * sd, fit.values + Z95 * sd
    out = g.assign(shrunk=sign * fit.values, lower=np.where(sign > 0, lo, -hi), upper=np.where(sign > 0, hi, -lo))
    out["eligible"] = eligible
    cut = np.quantile(fit.values[eligible], 0.75) if eligible.any() else np.inf
    out["top_quartile"] = eligible & (fit.values >= cut)
    return out.assign(peer_mean=sign * fit.mean)


def awards(obs: pd.DataFrame, period: str, sign: int, rules: AwardRules | None = None) -> dict[str, object]:
    """The award winners of ``period`` with their reasons; ``obs`` is ``agent_id, period, value``."""
    rules = rules or AwardRules()
    periods = last_periods(period, rules.window)
    scored = {p: period_scores(obs[obs["period"] == p], sign, rules.min_n) for p in periods}
    now = scored[period]
    if now.empty:
        return {"period": period, "periods": periods, "peer_mean": None, "eligible": 0, "winners": []}
    stable = pd.concat([s["top_quartile"] for s in scored.values()], axis=1).fillna(False).sum(axis=1)
    ok = now[now["eligible"] & now["top_quartile"] & (stable.reindex(now.index) >= rules.min_stable)]
    ok = ok.loc[(sign * ok["shrunk"]).sort_values(ascending=False).index][: rules.top]
    winners = [_award(str(a), r, periods, scored, rank) for rank, (a, r) in enumerate(ok.iterrows(), 1)]
    return {
        "period": period,
        "periods": periods,
        "peer_mean": round(float(now["peer_mean"].iloc[0]), 4),
        "eligible": int(now["eligible"].sum()),
        "winners": winners,
    }


def _award(
    agent: str, r: pd.Series, periods: list[str], scored: dict[str, pd.DataFrame], rank: int
) -> dict[str, object]:
    tops = [p for p in periods if agent in scored[p].index and bool(scored[p].loc[agent, "top_quartile"])]
    why = (
        f"shrunk score {r['shrunk']:.3f} (95% interval {r['lower']:.3f}–{r['upper']:.3f}, raw {r['mean']:.3f}) "
        f"on {int(r['n'])} observations; top quartile in {len(tops)} of the last {len(periods)} periods "
        f"({', '.join(tops)})"
    )
    return {
        "rank": rank,
        "agent_id": str(agent),
        "score": round(float(r["shrunk"]), 4),
        "interval": [round(float(r["lower"]), 4), round(float(r["upper"]), 4)],
        "raw_mean": round(float(r["mean"]), 4),
        "n": int(r["n"]),
        "top_quartile_periods": tops,
        "why": why,
    }
