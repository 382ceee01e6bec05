"""The organisation tree: company → regions → branches → teams → agents.

``entities`` (the generator argument) is the approximate number of rows of the
entities table, all levels included: ~10 % branches, ~20 % teams, the rest agents,
plus one company and 2–7 regions. Below ~20 it is raised to the smallest tree that
still has one branch per industry. The tree is small, so it is built row by row;
what the big tables need (which agents belong to which branch, how fast each unit
is) is exposed as NumPy arrays indexed by branch, team and agent number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from valueloop.demo import vocab
from valueloop.demo.clock import FloatArr, IntArr
from valueloop.demo.columns import table

COMPANY_ID = "C0"
COMPANY_NAME = "汇服集团"


@dataclass(frozen=True)
class Counts:
    """How many units each level of the tree gets."""

    regions: int
    branches: int
    teams: int
    agents: int


@dataclass
class Org:
    """Entity rows plus per-branch/team/agent arrays the fact generators index into."""

    rows: dict[str, list[str | None]]
    regions: list[str]
    branch_row: IntArr
    branch_industry: IntArr  # index into vocab.INDUSTRIES
    branch_region: IntArr  # index into ``regions``
    branch_slowness: FloatArr  # multiplies handling times; > 1 is slower than peers
    branch_mood: FloatArr  # shift of satisfaction independent of speed
    branch_weight: FloatArr  # share of customers served
    team_row: IntArr
    team_branch: IntArr
    team_agents: tuple[IntArr, IntArr]  # first agent and agent count per team
    branch_teams: tuple[IntArr, IntArr]  # first team and team count per branch
    agent_row: IntArr
    agent_team: IntArr
    agent_slowness: FloatArr

    @property
    def ids(self) -> pa.Array:
        return pa.array(self.rows["entity_id"], pa.string())

    def branch_ids(self) -> list[str]:
        return [str(self.rows["entity_id"][r]) for r in self.branch_row]

    def team_ids(self, branch: int) -> list[str]:
        first, count = self.branch_teams[0][branch], self.branch_teams[1][branch]
        return [str(self.rows["entity_id"][self.team_row[t]]) for t in range(first, first + count)]


def plan(entities: int) -> Counts:
    """Split the requested total over the levels of the tree."""
    regions = int(np.clip(round(entities / 40), 2, 7))
    branches = max(len(vocab.INDUSTRIES), round(entities * 0.10))
    teams = max(branches, round(entities * 0.20))
    agents = max(teams, entities - 1 - regions - branches - teams)
    return Counts(regions, branches, teams, agents)


def _spread(rng: np.random.Generator, total: int, bins: int, weights: FloatArr) -> IntArr:
    """At least one per bin, the rest by ``weights``: no empty branch or team."""
    extra = rng.multinomial(total - bins, weights / weights.sum())
    return (extra + 1).astype(np.int64)


def _starts(counts: IntArr) -> IntArr:
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def _branch_codes(rng: np.random.Generator, c: Counts) -> tuple[IntArr, IntArr]:
    """Region and industry per branch: every region and industry present at least once."""
    weights = np.array(vocab.REGION_WEIGHTS[: c.regions])
    extra = rng.choice(c.regions, c.branches - c.regions, p=weights / weights.sum())
    region = np.sort(np.concatenate([np.arange(c.regions), extra]))
    n_ind = len(vocab.INDUSTRIES)
    industry = np.concatenate([np.arange(n_ind), rng.choice(n_ind, c.branches - n_ind, p=vocab.INDUSTRY_WEIGHTS)])
    return region.astype(np.int64), rng.permutation(industry).astype(np.int64)


def _branch_names(rng: np.random.Generator, regions: list[str], region: IntArr, industry: IntArr) -> list[str]:
    combos = {r: [(c, d) for c, ds in vocab.REGIONS[r].items() for d in ds] for r in regions}
    pools = {r: [pool[i] for i in rng.permutation(len(pool))] for r, pool in combos.items()}
    used: dict[str, int] = {}
    names = []
    for k, (r, i) in enumerate(zip(region, industry, strict=True)):
        pool = pools[regions[r]]
        city, district = pool[k % len(pool)]
        base = f"{city}{district}{vocab.BRANCH_SUFFIX[vocab.INDUSTRIES[i]]}"
        used[base] = used.get(base, 0) + 1
        names.append(base if used[base] == 1 else f"{base}{used[base]}")
    return names


class _Rows:
    """Accumulates entity rows; one call per unit keeps the tree code readable."""

    def __init__(self) -> None:
        self.cols: dict[str, list[str | None]] = {
            k: [] for k in ("entity_id", "name", "type", "parent_id", "industry", "region")
        }

    def add(self, eid: str, name: str, kind: str, parent: str | None, industry: str | None, region: str | None) -> int:
        for key, value in zip(self.cols, (eid, name, kind, parent, industry, region), strict=True):
            self.cols[key].append(value)
        return len(self.cols["entity_id"]) - 1


def build_org(rng: np.random.Generator, entities: int) -> Org:
    """A seeded organisation tree of roughly ``entities`` units."""
    c = plan(entities)
    regions = list(vocab.REGIONS)[: c.regions]
    rows = _Rows()
    rows.add(COMPANY_ID, COMPANY_NAME, "company", None, None, None)
    for k, r in enumerate(regions):
        rows.add(f"R{k + 1:02d}", f"{r}大区", "region", COMPANY_ID, None, r)
    b_region, b_industry = _branch_codes(rng, c)
    b_weight = rng.lognormal(0.0, 0.5, c.branches)
    b_names = _branch_names(rng, regions, b_region, b_industry)
    b_rows = [
        rows.add(f"B{b + 1:03d}", b_names[b], "branch", f"R{r + 1:02d}", vocab.INDUSTRIES[i], regions[r])
        for b, (r, i) in enumerate(zip(b_region, b_industry, strict=True))
    ]
    b_team_n = _spread(rng, c.teams, c.branches, b_weight)
    t_branch = np.repeat(np.arange(c.branches), b_team_n)
    t_rows = _add_teams(rows, t_branch, b_rows)
    t_agent_n = _spread(rng, c.agents, c.teams, b_weight[t_branch] / b_team_n[t_branch])
    a_team = np.repeat(np.arange(c.teams), t_agent_n)
    a_rows = _add_agents(rows, rng, a_team, t_rows)
    return Org(
        rows=rows.cols,
        regions=regions,
        branch_row=np.array(b_rows, dtype=np.int64),
        branch_industry=b_industry,
        branch_region=b_region,
        branch_slowness=rng.lognormal(0.0, 0.25, c.branches),
        branch_mood=rng.normal(0.0, 0.15, c.branches),
        branch_weight=b_weight / b_weight.sum(),
        team_row=np.array(t_rows, dtype=np.int64),
        team_branch=t_branch.astype(np.int64),
        team_agents=(_starts(t_agent_n), t_agent_n),
        branch_teams=(_starts(b_team_n), b_team_n),
        agent_row=np.array(a_rows, dtype=np.int64),
        agent_team=a_team.astype(np.int64),
        agent_slowness=rng.lognormal(0.0, 0.2, c.agents),
    )


def _add_teams(rows: _Rows, t_branch: IntArr, b_rows: list[int]) -> list[int]:
    """Teams named after their branch (``上海浦东支行客服一组``), so rankings stay readable."""
    out: list[int] = []
    for t, b in enumerate(t_branch):
        parent = b_rows[b]
        industry = rows.cols["industry"][parent]
        names = vocab.TEAM_NAMES[str(industry)]
        nth = t - int(np.searchsorted(t_branch, b))
        label = names[nth % len(names)] + (f"{nth // len(names) + 1}" if nth >= len(names) else "")
        branch_name, region = rows.cols["name"][parent], rows.cols["region"][parent]
        parent_id = rows.cols["entity_id"][parent]
        out.append(rows.add(f"T{t + 1:04d}", f"{branch_name}{label}", "team", parent_id, industry, region))
    return out


def _add_agents(rows: _Rows, rng: np.random.Generator, a_team: IntArr, t_rows: list[int]) -> list[int]:
    surnames = rng.choice(len(vocab.SURNAMES), len(a_team))
    given = rng.choice(len(vocab.GIVEN_NAMES), len(a_team))
    out: list[int] = []
    for a, t in enumerate(a_team):
        p = t_rows[t]
        name = vocab.SURNAMES[surnames[a]] + vocab.GIVEN_NAMES[given[a]]
        parent, industry, region = (rows.cols[k][p] for k in ("entity_id", "industry", "region"))
        out.append(rows.add(f"A{a + 1:05d}", name, "agent", parent, industry, region))
    return out


def entities_table(org: Org) -> pa.Table:
    """The ``entities`` dataset."""
    return table("entities", {k: pa.array(v, pa.string()) for k, v in org.rows.items()})
