"""Checking a hash chain, pure: which records were modified, deleted, inserted or reordered.

The chain is rebuilt from the ``prev`` links, starting at the genesis hash, and then
compared with what is stored:

* **modified** — a record's content no longer gives its stored hash;
* **deleted** — the chain breaks: the next record points at a hash no record has. The
  missing positions are named when the numbering has a gap, else the record after the break;
* **inserted** — a record off the chain: a branch beside the real continuation (two
  records claim the same predecessor, the shorter branch is the intruder) or a dangling
  record with nothing missing before it and nothing after it;
* **reordered** — records whose stored positions run against their chain order.

Records are named by their position ``seq``. An attacker who rewrites every record from
some point on leaves a consistent chain; that is what an external anchor
(``valueloop ledger anchor``) is for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from valueloop.store.ledger_hash import GENESIS, LedgerRecord, rehash


@dataclass(frozen=True)
class Problem:
    record: int | str
    """The record's position (``seq``), or the business reference for an unrecorded change."""
    kind: str
    detail: str


def _reach(records: Sequence[LedgerRecord], succ: dict[str, list[LedgerRecord]]) -> dict[int, int]:
    """For each record, the length of the longest chain that starts with it (iterative, cycle-safe)."""
    reach: dict[int, int] = {}
    for start in records:
        stack, seen = [start], {start.seq}
        while stack:
            r = stack[-1]
            todo = [s for s in succ[r.hash] if s.seq not in reach and s.seq not in seen]
            if todo:
                seen.add(todo[0].seq)
                stack.append(todo[0])
                continue
            reach[r.seq] = 1 + max((reach.get(s.seq, 0) for s in succ[r.hash]), default=0)
            stack.pop()
    return reach


def _branch(r: LedgerRecord, succ: dict[str, list[LedgerRecord]], done: set[int]) -> list[LedgerRecord]:
    out, todo = [], [r]
    while todo:
        x = todo.pop()
        if x.seq not in done:
            done.add(x.seq)
            out.append(x)
            todo.extend(succ[x.hash])
    return out


class _Walk:
    def __init__(self, records: Sequence[LedgerRecord]) -> None:
        self.records = sorted(records, key=lambda r: r.seq)
        self.hashes = {r.hash for r in self.records}
        self.seqs = {r.seq for r in self.records}
        self.succ: dict[str, list[LedgerRecord]] = defaultdict(list)
        for r in self.records:
            self.succ[r.prev].append(r)
        self.reach = _reach(self.records, self.succ)
        self.done: set[int] = set()
        self.chain: list[LedgerRecord] = []
        self.problems: list[Problem] = []

    def _pick(self, candidates: list[LedgerRecord]) -> LedgerRecord:
        best = max(candidates, key=lambda r: (self.reach[r.seq], -r.seq))
        for other in candidates:
            if other is not best:
                for x in _branch(other, self.succ, self.done):
                    self.problems.append(Problem(x.seq, "inserted", "not on the chain (a branch beside it)"))
        return best

    def _follow(self, head: str) -> str:
        while candidates := [r for r in self.succ[head] if r.seq not in self.done]:
            nxt = self._pick(candidates)
            self.done.add(nxt.seq)
            self.chain.append(nxt)
            head = nxt.hash
        return head

    def _orphans(self) -> list[LedgerRecord]:
        return [r for r in self.records if r.seq not in self.done and r.prev not in self.hashes and r.prev != GENESIS]

    def _resume(self, orphan: LedgerRecord) -> bool:
        """Classify a record that points at an unknown hash; True if the chain goes on from it."""
        self.done.add(orphan.seq)
        if any(r.seq > orphan.seq for r in self.chain):
            self.problems.append(Problem(orphan.seq, "inserted", "it points at no record, beside the chain"))
            return False
        last = self.chain[-1].seq if self.chain else 0
        missing = [s for s in range(last + 1, orphan.seq) if s not in self.seqs]
        for s in missing:
            self.problems.append(Problem(s, "deleted", f"record {s} is missing from the chain"))
        if not missing and self.reach[orphan.seq] == 1:
            self.problems.append(Problem(orphan.seq, "inserted", "it points at no record"))
            return False
        if not missing:
            self.problems.append(Problem(orphan.seq, "deleted", "the record before it is missing or was rewritten"))
        self.chain.append(orphan)
        return True

    def run(self) -> None:
        self._follow(GENESIS)
        while orphans := self._orphans():
            nxt = orphans[0]  # the earliest break first
            if self._resume(nxt):
                self._follow(nxt.hash)
        for r in self.records:
            if r.seq not in self.done:
                self.problems.append(Problem(r.seq, "inserted", "not reachable from the start of the chain"))


def _reordered(chain: Sequence[LedgerRecord]) -> list[Problem]:
    flagged: dict[int, None] = {}
    for a, b in pairwise(chain):
        if b.seq < a.seq:
            flagged.update({a.seq: None, b.seq: None})
    return [Problem(s, "reordered", "stored out of its chain order") for s in flagged]


def check_chain(records: Sequence[LedgerRecord]) -> tuple[list[LedgerRecord], list[Problem]]:
    """The records in chain order, and every problem found, ordered by record position."""
    problems = [
        Problem(r.seq, "modified", "its content does not match its hash") for r in records if rehash(r) != r.hash
    ]
    walk = _Walk(records)
    walk.run()
    found = problems + walk.problems + _reordered(walk.chain)
    return walk.chain, sorted(found, key=lambda p: (p.record if isinstance(p.record, int) else 0, p.kind))
