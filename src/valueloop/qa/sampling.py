"""Which conversations a person should review: random, stratified, or the ones the scorer is least sure of.

Deterministic for a seed: candidates are sorted by id first, so the same lake and seed
give the same sample whatever order the rows were read in.

* ``random`` — a simple random sample.
* ``stratified`` — proportional to each stratum's size (largest remainder), at least one
  from every stratum while the sample is at least as large as the number of strata, so a
  small team is never left out.
* ``uncertain`` — the largest ``uncertainty`` first (ties by id): scores near the pass
  line and items decided by a hair, where a human adds the most.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

Method = Literal["random", "stratified", "uncertain"]


@dataclass(frozen=True)
class Candidate:
    conversation_id: str
    stratum: str = ""
    uncertainty: float = 0.0


def sample(candidates: list[Candidate], n: int, method: Method, seed: int = 0) -> list[str]:
    """Up to ``n`` conversation ids (all of them when there are fewer), in a stable order."""
    pool = sorted(candidates, key=lambda c: c.conversation_id)
    if n >= len(pool):
        return [c.conversation_id for c in pool]
    if method == "uncertain":
        return [c.conversation_id for c in sorted(pool, key=lambda c: (-c.uncertainty, c.conversation_id))[:n]]
    rng = random.Random(seed)
    if method == "random":
        return sorted(c.conversation_id for c in rng.sample(pool, n))
    return sorted(_stratified(pool, n, rng))


def allocation(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Proportional allocation by largest remainder; then every empty stratum gets one, taken from the largest.

    >>> allocation({"a": 90, "b": 9, "c": 1}, 10)
    {'a': 8, 'b': 1, 'c': 1}
    """
    total = sum(sizes.values())
    quota = {s: n * size / total for s, size in sizes.items()}
    out = {s: int(q) for s, q in quota.items()}
    for s in sorted(sizes, key=lambda s: (-(quota[s] - int(quota[s])), s))[: n - sum(out.values())]:
        out[s] += 1
    if n >= len(sizes):
        for s in sorted(sizes):
            if out[s] == 0:
                out[max(out, key=lambda k: (out[k], k))] -= 1
                out[s] = 1
    return {s: min(k, sizes[s]) for s, k in out.items()}


def _stratified(pool: list[Candidate], n: int, rng: random.Random) -> list[str]:
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for c in pool:
        groups[c.stratum].append(c)
    take = allocation({s: len(g) for s, g in sorted(groups.items())}, n)
    return [c.conversation_id for s, g in sorted(groups.items()) for c in rng.sample(g, take[s])]
