"""The pure part: canonical JSON, Merkle roots and paths, and naming chain damage (table-driven)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace

import pytest

from valueloop.store.ledger_chain import check_chain
from valueloop.store.ledger_hash import (
    GENESIS,
    LedgerRecord,
    canonical,
    fold_path,
    merkle_path,
    merkle_root,
    record_hash,
)


def test_canonical_json_is_sorted_compact_utf8_with_repr_floats() -> None:
    assert canonical({"b": 0.1, "a": {"z": 1, "y": [1.0, 1e-07, 2.5e20]}, "c": "服务"}) == (
        '{"a":{"y":[1.0,1e-07,2.5e+20],"z":1},"b":0.1,"c":"服务"}'
    )
    assert canonical([float("nan"), float("inf"), -float("inf")]) == '["NaN","Infinity","-Infinity"]'


def test_the_hash_covers_time_kind_ref_payload_and_the_previous_hash() -> None:
    base = ("2026-10-01T00:00:00.000000+00:00", "findings", "findings/m/l/p", '{"state":null}', GENESIS)
    digest = record_hash(*base)
    assert (
        digest
        == hashlib.sha256(
            b'{"at":"2026-10-01T00:00:00.000000+00:00","kind":"findings","payload":{"state":null},'
            b'"prev":"' + GENESIS.encode() + b'","ref":"findings/m/l/p"}'
        ).hexdigest()
    )
    for i in range(len(base)):
        changed = list(base)
        changed[i] = "1" * 64 if i == 4 else ('{"state":1}' if i == 3 else base[i] + "x")
        assert record_hash(*changed) != digest


@pytest.mark.parametrize("n", range(1, 12))
def test_every_leaf_path_folds_to_the_root(n: int) -> None:
    leaves = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]
    root = merkle_root(leaves)
    for i, leaf in enumerate(leaves):
        assert fold_path(leaf, merkle_path(leaves, i)) == root
    assert fold_path(leaves[0], merkle_path(leaves, n - 1)) != root or n == 1


def test_leaves_and_nodes_are_domain_separated() -> None:
    a, b = "aa" * 32, "bb" * 32
    leaf = hashlib.sha256(b"\x00" + bytes.fromhex(a)).digest()
    right = hashlib.sha256(b"\x00" + bytes.fromhex(b)).digest()
    assert merkle_root([a, b]) == hashlib.sha256(b"\x01" + leaf + right).hexdigest()


def _chain(n: int) -> list[LedgerRecord]:
    out: list[LedgerRecord] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        at, payload = f"2026-10-01T00:00:{seq:02d}.000000+00:00", canonical({"state": {"status": str(seq)}})
        digest = record_hash(at, "action_transition", f"action/{seq}", payload, prev)
        out.append(LedgerRecord(seq, at, "action_transition", f"action/{seq}", payload, prev, digest))
        prev = digest
    return out


def _drop(*seqs: int) -> Callable[[list[LedgerRecord]], list[LedgerRecord]]:
    return lambda rs: [r for r in rs if r.seq not in seqs]


def _edit(seq: int, rehash: bool) -> Callable[[list[LedgerRecord]], list[LedgerRecord]]:
    def go(rs: list[LedgerRecord]) -> list[LedgerRecord]:
        r = rs[seq - 1]
        forged = replace(r, payload=canonical({"state": {"status": "closed"}}))
        if rehash:
            forged = replace(forged, hash=record_hash(forged.at, forged.kind, forged.ref, forged.payload, forged.prev))
        return [forged if x.seq == seq else x for x in rs]

    return go


def _swap(a: int, b: int) -> Callable[[list[LedgerRecord]], list[LedgerRecord]]:
    return lambda rs: [replace(r, seq=b if r.seq == a else a if r.seq == b else r.seq) for r in rs]


def _renumber_after_deleting(seq: int) -> Callable[[list[LedgerRecord]], list[LedgerRecord]]:
    return lambda rs: [replace(r, seq=r.seq - 1 if r.seq > seq else r.seq) for r in rs if r.seq != seq]


CASES: dict[str, tuple[Callable[[list[LedgerRecord]], list[LedgerRecord]], set[tuple[int, str]]]] = {
    "intact": (lambda rs: rs, set()),
    "payload edited": (_edit(3, rehash=False), {(3, "modified")}),
    "payload edited and rehashed": (_edit(3, rehash=True), {(4, "deleted")}),
    "first deleted": (_drop(1), {(1, "deleted")}),
    "two deleted": (_drop(2, 5), {(2, "deleted"), (5, "deleted")}),
    "two in a row deleted": (_drop(3, 4), {(3, "deleted"), (4, "deleted")}),
    "deleted and renumbered": (_renumber_after_deleting(3), {(3, "deleted")}),
    "adjacent swapped": (_swap(3, 4), {(3, "reordered"), (4, "reordered")}),
    "distant swapped": (_swap(2, 5), {(2, "reordered"), (3, "reordered"), (4, "reordered"), (5, "reordered")}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_chain_damage_is_named(case: str) -> None:
    tamper, expected = CASES[case]
    records = tamper(_chain(6))
    _, problems = check_chain(records)
    assert {(p.record, p.kind) for p in problems} == expected


def test_a_branch_beside_the_chain_is_inserted_and_the_chain_order_is_kept() -> None:
    records = _chain(5)
    payload = canonical({"state": None})
    at = "2026-10-01T00:00:10.000000+00:00"
    forged = LedgerRecord(
        99,
        at,
        "findings",
        "findings/x",
        payload,
        records[1].hash,
        record_hash(at, "findings", "findings/x", payload, records[1].hash),
    )
    chain, problems = check_chain([*records, forged])
    assert [(p.record, p.kind) for p in problems] == [(99, "inserted")]
    assert [r.seq for r in chain] == [1, 2, 3, 4, 5]


def test_a_cycle_is_not_followed_forever() -> None:
    a, b = _chain(2)
    loop = [replace(a, prev=b.hash, hash="1" * 64), replace(b, prev="1" * 64)]
    _, problems = check_chain(loop)
    assert {p.kind for p in problems} >= {"modified", "inserted"}
