"""Customers' e-mail addresses for the e-mail channel: a CSV a CRM exports (``customer_id,email``).

Addresses are personal data, so they are not put in the lake: the trigger reads them when it
runs and keeps only the invited customers' addresses, on their invitations. A file it cannot
be sure of is refused with the row named, never half-read.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from valueloop.errors import InputError
from valueloop.spec.yamlsource import read_text

EMAIL = re.compile(r"^[^@\s<>,;\"]{1,64}@[^@\s<>,;\"]{1,255}\.[^@\s<>,;\".]{2,63}$")
MAX_ERRORS = 20


def read_contacts(file: Path) -> dict[str, str]:
    """customer_id → e-mail address; InputError naming every bad row (up to :data:`MAX_ERRORS`)."""
    try:
        text = read_text(file)
    except OSError as err:
        raise InputError(f"{file}: cannot read: {err}") from err
    except ValueError as err:
        raise InputError(str(err)) from err
    reader = csv.DictReader(text.splitlines())
    missing = {"customer_id", "email"} - set(reader.fieldnames or ())
    if missing:
        raise InputError(f"{file}:1: the header needs customer_id and email (missing: {', '.join(sorted(missing))})")
    out: dict[str, str] = {}
    problems = []
    for n, row in enumerate(reader, start=2):
        cid, email = (row.get("customer_id") or "").strip(), (row.get("email") or "").strip()
        if not cid or not EMAIL.match(email):
            problems.append(
                f"{file}:{n}: email: {email[:80]!r} is not an e-mail address"
                if cid
                else f"{file}:{n}: customer_id: empty"
            )
        elif out.get(cid, email) != email:
            problems.append(f"{file}:{n}: customer_id: {cid!r} has two addresses")
        else:
            out[cid] = email
    if problems:
        more = f"\n… and {len(problems) - MAX_ERRORS} more" if len(problems) > MAX_ERRORS else ""
        raise InputError(f"{len(problems)} problem(s) in {file}:\n" + "\n".join(problems[:MAX_ERRORS]) + more)
    return out
