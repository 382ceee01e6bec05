"""Row conditions in model files: ``"channel != bot"``, ``"csat >= 4"``, ``"kind in [complaint]"``.

A condition is one comparison; a list of them means all must hold. The left side is a
column of the dataset, or a duration between two timestamp columns such as
``minutes(opened_at, first_response_at)`` (also ``seconds(...)`` and ``hours(...)``), so
"answered within 3 minutes" is ``"minutes(opened_at, first_response_at) <= 3"`` and "queued at
most 60 s" is ``"seconds(q_start, q_exit) <= 60"``. A duration is whole seconds (floored),
then divided by the unit; it is null (the condition false) when either timestamp is missing.
"""

from __future__ import annotations

import re
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

Op = Literal["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is null", "is not null", "contains"]
Scalar = str | int | float | bool | None
_PATTERN = re.compile(
    r"^\s*(?:(?P<unit>seconds|minutes|hours)\(\s*(?P<start>\w+)\s*,\s*(?P<end>\w+)\s*\)|(?P<field>\w+))\s*"
    r"(?P<op>==|!=|<=|>=|<|>|=|not in|in|is not null|is null|contains)\s*(?P<value>.*?)\s*$"
)


class Condition(BaseModel):
    model_config = ConfigDict(frozen=True)
    field: str | None = None
    unit: Literal["seconds", "minutes", "hours"] | None = None
    start: str | None = None
    end: str | None = None
    op: Op
    value: Scalar | tuple[Scalar, ...] = None

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for c in (self.field, self.start, self.end) if c)

    @property
    def text(self) -> str:
        """The condition as a model file writes it (``"csat >= 4"``, ``"kind in [complaint]"``).

        >>> parse_condition("minutes(opened_at, first_response_at) <= 3").text
        'minutes(opened_at, first_response_at) <= 3'
        """
        left = f"{self.unit}({self.start}, {self.end})" if self.unit else str(self.field)
        if self.op in ("is null", "is not null"):
            return f"{left} {self.op}"
        value = self.value
        shown = "[" + ", ".join(map(str, value)) + "]" if isinstance(value, tuple) else str(value)
        return f"{left} {self.op} {shown}"


def parse_condition(text: str) -> Condition:
    """Parse ``"field op value"``; raises ValueError with the reason."""
    m = _PATTERN.match(text)
    if not m:
        raise ValueError(f"cannot read condition {text!r} (expected e.g. 'csat >= 4' or 'kind in [complaint]')")
    op = "==" if m["op"] == "=" else m["op"]
    raw = m["value"]
    if op in ("is null", "is not null"):
        if raw:
            raise ValueError(f"condition {text!r}: nothing may follow {op!r}")
        value: Scalar | tuple[Scalar, ...] = None
    else:
        if not raw:
            raise ValueError(f"condition {text!r} has no value")
        parsed = yaml.safe_load(raw)
        if op in ("in", "not in"):
            if not isinstance(parsed, list):
                raise ValueError(f"condition {text!r}: {op!r} needs a list like [a, b]")
            value = tuple(parsed)
        else:
            value = parsed
    return Condition(field=m["field"], unit=m["unit"], start=m["start"], end=m["end"], op=op, value=value)  # type: ignore[arg-type]
