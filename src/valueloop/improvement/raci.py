"""RACI: who is Responsible, Accountable, Consulted and Informed for an action.

The policy asks for clear responsibility boundaries between departments; a RACI list
only draws one when exactly one department is accountable and at least one does the
work, so that is checked here, once, for every way an action is created.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from valueloop.errors import InputError


class Role(StrEnum):
    R = "R"
    A = "A"
    C = "C"
    I = "I"  # noqa: E741 - the letter is the standard name of the role


ROLE_NAMES = {Role.R: "responsible", Role.A: "accountable", Role.C: "consulted", Role.I: "informed"}


@dataclass(frozen=True)
class Assignment:
    department: str
    role: Role


def parse_assignment(text: str) -> Assignment:
    """``运营部:R`` → Assignment; the role letter is case-insensitive."""
    dept, sep, role = text.rpartition(":")
    if not sep or not dept.strip():
        raise InputError(f"collaborator {text!r}: expected DEPARTMENT:ROLE with ROLE one of R, A, C, I")
    try:
        return Assignment(dept.strip(), Role(role.strip().upper()))
    except ValueError as err:
        raise InputError(f"collaborator {text!r}: role must be one of R, A, C, I") from err


def raci(owner_department: str, collaborators: Iterable[Assignment]) -> list[Assignment]:
    """The full RACI list: the owning department is accountable (and responsible unless
    another department is), collaborators keep their roles; problems are raised together."""
    others = list(collaborators)
    problems = []
    seen = {owner_department}
    for a in others:
        if a.department in seen:
            problems.append(f"department {a.department!r} is listed twice")
        seen.add(a.department)
        if a.role is Role.A:
            problems.append(f"{a.department!r} cannot be accountable: the owning department {owner_department!r} is")
    if problems:
        raise InputError("; ".join(problems))
    doers = any(a.role is Role.R for a in others)
    return [Assignment(owner_department, Role.A), *([] if doers else [Assignment(owner_department, Role.R)]), *others]
