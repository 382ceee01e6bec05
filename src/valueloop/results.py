"""What every result model shares, so the CLI's ``--format json`` and the API print one document.

A use case returns a pydantic model; the CLI prints ``model_dump(mode="json")`` and FastAPI
serialises the same model, so the two cannot drift apart and ``/openapi.json`` documents
the answer. Three conventions keep those documents what they were when they were dicts:

* a moment is written as ``datetime.isoformat()`` (``+00:00``), not pydantic's ``Z``
  (:data:`Instant`);
* a number that does not exist is ``null``, never NaN, which JSON has not (:func:`finite`);
* a key that only some answers carry is left out, not ``null``, when it does not apply: such a
  field defaults to :data:`MISSING` (pydantic omits it from the dump and from ``required``).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated

from pydantic import MISSING, BaseModel, ConfigDict, PlainSerializer, WithJsonSchema

__all__ = ["MISSING", "Instant", "Result", "finite", "pair"]


def _iso(value: datetime) -> str:
    return value.isoformat()


Instant = Annotated[
    datetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]
"""A datetime written as ``isoformat()``, as the dicts these models replace were written."""


class Result(BaseModel):
    """A use case's answer: immutable, and its fields in the order the JSON shows them."""

    model_config = ConfigDict(frozen=True)


def finite(value: float | None) -> float | None:
    """A finite float or None (JSON has no NaN)."""
    return float(value) if value is not None and math.isfinite(value) else None


def pair(values: tuple[float, float] | None) -> list[float | None] | None:
    """An interval as ``[low, high]`` with non-finite ends as ``null``."""
    return None if values is None else [finite(values[0]), finite(values[1])]
