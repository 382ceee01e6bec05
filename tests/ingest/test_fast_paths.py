"""The cheap paths of the ingest checks decide exactly what the general ones decide.

Plain ISO times, plain integers, ASCII booleans and ASCII lower-casing each skip work the
general path does for any input (``strptime`` per format, regexes, Unicode folding); a value
outside the cheap path's shape sends the column the general way. Each test compares both.
"""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ingest_csv import reconciles, stored

from conftest import write
from valueloop.errors import InputError
from valueloop.ingest import coerce
from valueloop.ingest.coerce import FALSE_WORDS, TRUE_WORDS, Converted, lower, to_bool, to_int, to_timestamp
from valueloop.ingest.csvscan import SCAN_BYTES
from valueloop.ingest.encoding import WINDOW_BYTES, detect_encoding
from valueloop.ingest.service.ingest import ingest
from valueloop.store.workspace import Workspace

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GENERAL_TIMES = ("%Y-%m-%d %H:%M:%S",)
"""The first default format given as the mapping's own: the same formats in the same order, the general path."""


def same(fast: Converted, general: Converted) -> None:
    assert fast.values.to_pylist() == general.values.to_pylist()
    assert fast.bad().tolist() == general.bad().tolist()


def two(lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.integers(lo, hi).map(lambda n: f"{n:02d}")


time_text = st.one_of(
    st.builds(
        lambda y, mo, d, sep, h, mi, s, size: f"{y}-{mo}-{d}{sep}{h}:{mi}:{s}"[:size],
        st.sampled_from(["0000", "1899", "1900", "2026", "2100", "2101", "9999"]),
        two(0, 13),
        two(0, 32),
        st.sampled_from([" ", "T", "x", "/"]),
        two(0, 25),
        two(0, 61),
        two(0, 61),
        st.sampled_from([10, 13, 16, 19]),
    ),
    st.sampled_from(
        [
            "2026-03-08 02:30:00",  # does not exist in New York (spring forward)
            "2026-11-01 01:30:00",  # happens twice there
            "2026-01-05 09:00:00Z",
            "2026-01-05 09:00+08",
            "2026-01-05 09:00:00.250",
            "2026/01/05 09:00:00",
            "2026-1-5 9:00:00",
            "２０２６-０１-０５ ０９:００:００",
            "2026年1月5日 09:00",
            "soon",
        ]
    ),
)


@SETTINGS
@given(
    values=st.lists(st.one_of(st.none(), time_text), min_size=1, max_size=12),
    tz=st.sampled_from(["Asia/Shanghai", "America/New_York", "UTC"]),
)
def test_plain_iso_times_read_as_the_formats_read_them(values: list[str | None], tz: str) -> None:
    text = pa.array(values, pa.string())
    same(coerce.convert(text, "timestamp", (), tz), coerce.convert(text, "timestamp", GENERAL_TIMES, tz))


def test_plain_times_take_the_cast_and_one_impossible_day_the_long_way() -> None:
    plain = pa.array(["2026-01-05 09:00:00", "2026-01-05T09:00", None, "2026-01-05"])
    assert coerce._plain_iso(plain) is not None
    mixed = pa.array(["2026-01-05 09:00:00", "2026-02-31 09:00:00"])
    assert coerce._plain_iso(mixed) is None
    assert to_timestamp(mixed, (), "UTC").bad().tolist() == [False, True]


def test_the_mappings_own_formats_come_before_the_plain_iso_cast() -> None:
    """Day-first data that happens to look like ISO is read with the mapping's format, not as ISO."""
    text = pa.array(["2026-05-01 09:00:00"])
    result = to_timestamp(text, ("%Y-%d-%m %H:%M:%S",), "UTC").values.to_pylist()
    assert result == [datetime(2026, 1, 5, 9, 0, tzinfo=UTC)]


@SETTINGS
@given(st.lists(st.one_of(st.none(), st.text("0123456789-+x,. ", max_size=22)), min_size=1, max_size=12))
def test_plain_integers_read_as_the_general_path_reads_them(values: list[str | None]) -> None:
    text = pa.array(values, pa.string())
    same(to_int(text), coerce._read_int(text))


def test_integer_text_the_cast_alone_would_misread_takes_the_long_way() -> None:
    text = pa.array(["0x10", "9223372036854775808", "5-3", "-7", "007"])
    result = to_int(text)
    assert result.values.to_pylist() == [None, None, None, -7, 7]
    assert [t for mask, t in result.problems if mask.any()] == [coerce.OUT_OF_INT64, "cannot read {!r} as int"]


@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.sampled_from([*TRUE_WORDS, *FALSE_WORDS, "TRUE", "No", "Ｙｅｓ", "ＦＡＬＳＥ"]),
            st.text(max_size=4),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_booleans_are_one_lookup_in_the_true_then_the_false_words(values: list[str | None]) -> None:
    words = [None if v is None else pc.utf8_lower(pc.utf8_normalize(pa.scalar(v), "NFKC")).as_py() for v in values]
    expected = [True if w in TRUE_WORDS else False if w in FALSE_WORDS else None for w in words]
    result = to_bool(pa.array(values, pa.string()))
    assert result.values.to_pylist() == expected
    assert result.bad().tolist() == [v is not None and e is None for v, e in zip(values, expected, strict=True)]


@given(st.lists(st.one_of(st.none(), st.text(max_size=6)), max_size=8))
def test_lower_is_unicode_lower_casing(values: list[str | None]) -> None:
    text = pa.array(values, pa.string())
    assert lower(text).to_pylist() == pc.utf8_lower(text).to_pylist()


def test_a_plain_file_stores_what_the_general_path_stores(ws: Workspace, tmp_path: Path) -> None:
    """Times with ``T`` or without seconds, integers, booleans: stored as the formats would read them."""
    f = write(
        tmp_path / "i.csv",
        "interaction_id,entity_id,opened_at,steps_required,steps_completed,escalated\n"
        "I1,B1,2026-01-05T09:00:00,3,2,TRUE\n"
        "I2,B1,2026-01-05 09:30,12,12,no\n"
        "I3,B1,2026-01-05,-1,,1\n",
    )
    s = ingest(ws, "interactions", [f])
    assert reconciles(s)
    assert [(e.row, e.field) for e in s.errors] == [(3, "steps_required")]  # -1 is below 0, read exactly
    assert [(r["interaction_id"], r["opened_at"], r["steps_required"], r["escalated"]) for r in stored(ws)] == [
        ("I1", datetime(2026, 1, 5, 1, 0, tzinfo=UTC), 3, True),  # the workspace's zone: Asia/Shanghai
        ("I2", datetime(2026, 1, 5, 1, 30, tzinfo=UTC), 12, False),
    ]


def test_a_quote_after_a_quoted_line_longer_than_the_scan_buffer_is_found(ws: Workspace, tmp_path: Path) -> None:
    """The quote scan reads a small buffer at a time; a line longer than it is read whole, not cut."""
    long_note = "x," * (SCAN_BYTES // 2 + 1000)
    f = write(
        tmp_path / "i.csv",
        "interaction_id,entity_id,opened_at,channel\n"
        f'I1,B1,2026-01-05 09:00:00,"{long_note}"\n'
        'I2,B1,2026-01-05 09:00:00,"phone\n'
        "I3,B1,2026-01-05 09:00:00,chat\n",
    )
    s = ingest(ws, "interactions", [f])
    assert reconciles(s)
    assert [(e.row, e.reason) for e in s.errors] == [(2, "unbalanced quote starting at line 3")]


def test_a_bad_byte_far_into_the_file_is_named_with_its_line(tmp_path: Path) -> None:
    """Lines are counted only for the message, but counted right across the decoding windows."""
    line = b"I1,B1,2026-01-05 09:00:00,phone\n"
    n = WINDOW_BYTES * 3 // len(line)
    f = tmp_path / "i.csv"
    f.write_bytes(b"interaction_id,entity_id,opened_at,channel\n" + line * n + "工单".encode("gbk") + b"\n")
    offset = 43 + n * len(line)
    with pytest.raises(InputError, match=rf"not utf-8 text: byte {offset} \(line {n + 2}\)"):
        detect_encoding(f, "utf-8")
    assert detect_encoding(f, "gbk") == "gb18030"
    assert codecs.lookup(detect_encoding(f)).name == "gb18030"


def test_a_nul_in_a_sliced_column_is_found() -> None:
    """The NUL pre-check reads the whole data buffer, so a slice of it is never searched short."""
    from valueloop.ingest.validate import _has_nul

    text = pa.array(["a", "b\x00", "c", "d"]).slice(1, 2)
    assert _has_nul(text).tolist() == [True, False]
    assert not np.any(_has_nul(pa.array(["a", "b"]).slice(1)))


@SETTINGS
@given(st.lists(st.one_of(st.none(), st.text(st.sampled_from("ab1- \t\x1c\x1f\x7f\u3000\xa0\x85é"), max_size=5))))
def test_trimming_is_skipped_only_where_it_changes_nothing(values: list[str | None]) -> None:
    from valueloop.ingest.validate import _may_need_trim

    text = pa.array(values, pa.string())
    assert _may_need_trim(text) or pc.utf8_trim_whitespace(text).equals(text)
    assert _may_need_trim(text.slice(1)) or pc.utf8_trim_whitespace(text.slice(1)).equals(text.slice(1))


ZONES = ["Asia/Shanghai", "America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]


@SETTINGS
@given(
    start=st.datetimes(datetime(1890, 1, 1), datetime(2110, 1, 1)),
    steps=st.lists(st.integers(0, 400 * 86_400 * 10**6), min_size=1, max_size=20),
    tz=st.sampled_from(ZONES),
    unit=st.sampled_from(["s", "us"]),
)
def test_local_times_become_the_instants_arrow_gives(start: datetime, steps: list[int], tz: str, unit: str) -> None:
    """Constant offset or not (DST, 1991 China, LMT before 1901, after the last listed rule), the same instants."""
    from valueloop.ingest.zones import localize

    base = int(pa.scalar(start, pa.timestamp("us")).value)
    ticks = pa.array([base + s for s in steps] + [None], pa.int64())
    naive = pc.cast(pc.cast(ticks, pa.timestamp("us")), pa.timestamp(unit), safe=False)
    expected = pc.assume_timezone(naive, timezone=tz, ambiguous="earliest", nonexistent="earliest")
    assert localize(naive, tz).equals(expected)


def test_a_span_without_a_change_of_offset_is_one_subtraction() -> None:
    from valueloop.ingest import zones

    spring = pa.array([datetime(2026, 1, 5, 9), datetime(2026, 4, 5, 9)], pa.timestamp("us"))
    assert zones._constant_offset(spring, "Asia/Shanghai") == 8 * 3600
    assert zones._constant_offset(spring, "America/New_York") is None  # daylight saving time in between
    assert zones._constant_offset(spring, "Mars/Olympus") is None  # no zone file: Arrow decides
    later = pa.array([datetime(2090, 1, 5, 9), datetime(2090, 7, 5, 9)], pa.timestamp("us"))
    assert zones._constant_offset(later, "America/New_York") is None  # after the list: the footer's rule
    expected = pc.assume_timezone(later, timezone="America/New_York", ambiguous="earliest", nonexistent="earliest")
    assert zones.localize(later, "America/New_York").equals(expected)


@SETTINGS
@given(
    values=st.lists(
        st.one_of(
            st.none(), st.sampled_from(["", "-", "N/A", "n/a", "null", "无", "NA ", "Nulls", "x"]), st.text(max_size=5)
        )
    ),
    extra=st.lists(st.text(min_size=1, max_size=6), max_size=2),
    start=st.integers(0, 3),
)
def test_null_sentinels_are_the_rows_a_lookup_of_every_value_finds(
    values: list[str | None], extra: list[str], start: int
) -> None:
    from valueloop.ingest.validate import _null_sentinels
    from valueloop.spec.mapping import Mapping

    nulls = (*Mapping().nulls, *extra)
    text = pa.array(values, pa.string()).slice(min(start, len(values)))
    expected = pc.is_in(text, value_set=pa.array(nulls, pa.string())).to_pylist()
    found = _null_sentinels(text, nulls)
    assert (found.to_pylist() if found is not None else [False] * len(text)) == expected


def test_a_bad_row_reported_while_a_chunk_is_out_is_in_the_next_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Arrow parses ahead: its report of a bad row can come while the reader is suspended at a yield.

    Seen as ``read`` one short (the row in no chunk) when the machine was busy.
    """
    from types import SimpleNamespace

    from valueloop.ingest import readers
    from valueloop.spec.mapping import Mapping

    f = write(tmp_path / "i.csv", "interaction_id,channel\nI1,phone\nI2,phone\n")
    handlers = []

    def open_csv(stream: object, read_options: object, parse_options: Any, **_: object) -> object:
        handlers.append(parse_options.invalid_row_handler)
        return iter([pa.record_batch({"interaction_id": ["I1"], "channel": ["phone"]})] * 2)

    monkeypatch.setattr(readers.pacsv, "open_csv", open_csv)
    chunks = readers.open_source(f, Mapping()).chunks()
    first = next(chunks)
    bad = SimpleNamespace(number=4, text="I3,x,y", expected_columns=2, actual_columns=3)
    handlers[0](bad)  # reported while the first chunk is out
    rest = list(chunks)
    assert [r.row for c in [first, *rest] for r in c.invalid] == [3]
