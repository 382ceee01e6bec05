"""Customers' addresses for the delivering channels: a file a CRM exports (``customer_id`` plus ``email``
or ``phone``).

Addresses are personal data, so they are not put in the lake: the trigger reads them when it
runs and keeps only the invited customers' addresses, on their invitations. The file is read
by the ingest readers (CSV in any encoding and delimiter, quoted multi-line cells, XLSX, JSON
Lines, Parquet), the one way valueloop reads a user's table. A file it cannot be sure of is
refused with the row named, never half-read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from valueloop.errors import InputError
from valueloop.ingest.readers import Source, open_source
from valueloop.spec.mapping import Mapping

Kind = Literal["email", "phone"]
EMAIL = re.compile(r"^[^@\s<>,;\"]{1,64}@[^@\s<>,;\"]{1,255}\.[^@\s<>,;\".]{2,63}$")
PHONE = re.compile(r"^\+?[0-9]{6,20}$")
"""A mobile number once spaces, dashes, dots and brackets are taken out: digits, an optional leading ``+``."""
MAX_ERRORS = 20
WHAT = {"email": "an e-mail address", "phone": "a mobile number"}


def read_contacts(file: Path, kind: Kind = "email") -> dict[str, str]:
    """customer_id → address (``kind`` names the column); InputError naming every bad row (up to :data:`MAX_ERRORS`)."""
    source = open_source(file, Mapping())
    missing = {"customer_id", kind} - set(source.columns)
    if missing:
        raise InputError(f"{file}:1: the header needs customer_id and {kind} (missing: {', '.join(sorted(missing))})")
    out: dict[str, str] = {}
    problems: list[str] = []
    for line, cid, raw in _rows(source, kind, problems):
        address = _normal(raw, kind)
        if not cid:
            problems.append(f"{file}:{line}: customer_id: empty")
        elif address is None:
            problems.append(f"{file}:{line}: {kind}: {raw[:80]!r} is not {WHAT[kind]}")
        elif out.get(cid, address) != address:
            problems.append(f"{file}:{line}: customer_id: {cid!r} has two addresses")
        else:
            out[cid] = address
    if problems:
        more = f"\n… and {len(problems) - MAX_ERRORS} more" if len(problems) > MAX_ERRORS else ""
        raise InputError(f"{len(problems)} problem(s) in {file}:\n" + "\n".join(problems[:MAX_ERRORS]) + more)
    return out


def _rows(source: Source, kind: Kind, problems: list[str]) -> Iterator[tuple[int, str, str]]:
    """(line, customer id, address) per data row; rows the reader could not split are added to ``problems``.

    A CSV's data row + 1 is its line (after the header); the other readers number rows as their files do
    (a sheet's row, a JSON line).
    """
    header = 1 if source.kind == "csv" else 0
    for chunk in source.chunks():
        for bad in chunk.invalid:
            problems.append(f"{source.path}:{bad.row + header}: {bad.reason}")
        ids, addresses = chunk.table.column("customer_id").to_pylist(), chunk.table.column(kind).to_pylist()
        for row, cid, address in zip(chunk.rows.tolist(), ids, addresses, strict=True):
            yield int(row) + header, str(cid or "").strip(), str(address or "").strip()


def _normal(raw: str, kind: Kind) -> str | None:
    """The address as stored, or None when it is not one."""
    if kind == "email":
        return raw if EMAIL.match(raw) else None
    digits = re.sub(r"[\s().-]", "", raw)
    return digits if PHONE.match(digits) else None
