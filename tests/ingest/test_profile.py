"""Mapping suggestion judges a column's type with the converters ingest reads with."""

from __future__ import annotations

import pyarrow as pa
import pytest

from valueloop.ingest.coerce import convert
from valueloop.ingest.profile import profile
from valueloop.spec.datasets import FieldKind


@pytest.mark.parametrize(
    ("values", "kind", "reads_as"),
    [
        (["1,234", "56"], "integer", "int"),
        (["１２", "3"], "integer", "int"),
        ([" 7 ", "8"], "integer", "int"),
        (["1.5", "２.５"], "number", "float"),
        (["nan", "1.5"], "string", None),
        (["yes", "no"], "boolean", "bool"),
        (["是", "否"], "boolean", "bool"),
        (["2026-03-01T09:00:00+08:00", "2026-03-01 10:00"], "timestamp", "timestamp"),
        (["12,5x", "3"], "string", None),
    ],
)
def test_a_proposed_type_is_one_ingest_reads(values: list[str], kind: str, reads_as: FieldKind | None) -> None:
    assert profile("col", values).kind == kind
    if reads_as is not None:
        text = pa.array([v.strip() for v in values])
        assert not convert(text, reads_as, (), "UTC").bad().any()


def test_durations_need_a_duration_name() -> None:
    assert profile("talk_secs", ["75", "120"]).kind == "duration"
    assert profile("wait", ["1:02:03", "0:00:10"]).kind == "duration"
    assert profile("count", ["75", "120"]).kind == "integer"
