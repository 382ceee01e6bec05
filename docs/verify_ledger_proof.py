"""Check a valueloop ledger inclusion proof with nothing but the Python standard library.

    valueloop ledger proof 42 --out proof.json
    python verify_ledger_proof.py proof.json [--root HEX]

Recomputes the record's hash from its content, walks the Merkle path to the day's root
and compares it with the proof's root (and with ``--root``, a root you timestamped
earlier with ``valueloop ledger anchor``). Prints ``ok`` and exits 0, or says what
does not match and exits 1. The rules are in docs/ledger.md.
"""

import hashlib
import json
import sys


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def record_hash(record):
    body = {k: record[k] for k in ("at", "kind", "ref", "payload", "prev")}
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def root_from(record_hex, path):
    node = hashlib.sha256(b"\x00" + bytes.fromhex(record_hex)).digest()
    for step in path:
        other = bytes.fromhex(step["hash"])
        pair = other + node if step["side"] == "left" else node + other
        node = hashlib.sha256(b"\x01" + pair).digest()
    return node.hex()


def check(proof, expected_root=None):
    """Every reason the proof fails (empty when it holds)."""
    problems = []
    digest = record_hash(proof["record"])
    if digest != proof["hash"]:
        problems.append(f"the record's content hashes to {digest}, not {proof['hash']}")
    root = root_from(digest, proof["path"])
    if root != proof["root"]:
        problems.append(f"the path leads to {root}, not the proof's root {proof['root']}")
    if expected_root is not None and root != expected_root.lower():
        problems.append(f"the path leads to {root}, not the anchored root {expected_root}")
    if proof["record"]["at"][:10] != proof["day"]:
        problems.append(f"the record is from {proof['record']['at'][:10]}, not {proof['day']}")
    return problems


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--root"):
        print("usage: python verify_ledger_proof.py PROOF.json [--root HEX]", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        proof = json.load(f)
    problems = check(proof, argv[3] if len(argv) == 4 else None)
    for p in problems:
        print(p)
    if not problems:
        print(f"ok: record {proof['record'].get('seq')} is in the root {proof['root']} of {proof['day']}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
