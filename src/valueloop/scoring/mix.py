"""Mix adjustment by indirect standardisation: what a unit would score with the benchmark of what it handled.

An agent who takes mostly long internet-support calls has a longer median handling time
than one who takes short balance enquiries, at equal skill. Indirect standardisation
compares each unit with its *expected* value, the segment benchmarks weighted by the
unit's own case mix:

    ``expected_u = Σ_s n_us · b_s / Σ_s n_us``   (segments with a benchmark only)

and the same sum over the whole population (``n_s`` pooled over units) gives the
*reference*, the benchmark at the population's mix. The composite scores
``value − expected + reference``: a unit exactly at the benchmark of its own mix scores
like the population, whatever its mix. Pure: pandas only, no I/O.
"""

from __future__ import annotations

import pandas as pd

KEYS = ["unit", "period"]


def expected(shares: pd.DataFrame, benchmarks: pd.DataFrame) -> pd.DataFrame:
    """``shares`` (unit, period, segment, n) × ``benchmarks`` (period, segment, benchmark) →
    (unit, period, expected, n_benchmarked).

    A segment without a benchmark (NaN) or without rows (``n <= 0``) is left out and the
    other shares renormalised; a unit with none left gets a NaN expected value.

    >>> s = pd.DataFrame({"unit": ["a", "a", "b"], "period": "p", "segment": ["x", "y", "x"], "n": [3, 1, 2]})
    >>> b = pd.DataFrame({"period": "p", "segment": ["x", "y"], "benchmark": [10.0, 30.0]})
    >>> expected(s, b)[["unit", "expected"]].values.tolist()
    [['a', 15.0], ['b', 10.0]]
    """
    joined = shares.merge(benchmarks, on=["period", "segment"], how="left")
    used = joined[joined["benchmark"].notna() & (joined["n"] > 0)]
    weighted = used.assign(nb=used["n"] * used["benchmark"]).groupby(KEYS, as_index=False)[["nb", "n"]].sum()
    out = shares[KEYS].drop_duplicates().merge(weighted, on=KEYS, how="left")
    out["expected"] = out["nb"] / out["n"].where(out["n"] > 0)
    return out.rename(columns={"n": "n_benchmarked"})[[*KEYS, "expected", "n_benchmarked"]].reset_index(drop=True)
