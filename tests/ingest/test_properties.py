"""Property: whatever mix of valid and corrupted rows, counts reconcile and exactly the valid rows are stored."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valueloop.accounts.service.workspace import create_workspace
from valueloop.ingest.service.ingest import ingest
from valueloop.store.lake import Lake
from valueloop.store.workspace import open_workspace

VALID = "{id},B{b},2026-02-{d:02d} 10:{m:02d}:00,{csat},{nps}"
UNDATED = "{id},B1,,3,5"
"""Feedback may have no date (a review export without one): a valid row."""
CORRUPTIONS = {
    "missing_id": ",B1,2026-02-01 10:00:00,3,5",
    "bad_date": "{id},B1,2026-02-31 10:00:00,3,5",
    "garbage_date": "{id},B1,soon,3,5",
    "csat_out_of_range": "{id},B1,2026-02-01 10:00:00,6,5",
    "nps_not_a_number": "{id},B1,2026-02-01 10:00:00,3,ten",
    "too_many_columns": "{id},B1,2026-02-01 10:00:00,3,5,extra",
    "too_few_columns": "{id},B1",
}

row_strategy = st.one_of(
    st.tuples(
        st.just("valid"),
        st.integers(1, 9),
        st.integers(1, 28),
        st.integers(0, 59),
        st.integers(1, 5),
        st.integers(0, 10),
    ),
    st.tuples(
        st.sampled_from(sorted([*CORRUPTIONS, "undated"])), st.just(0), st.just(0), st.just(0), st.just(0), st.just(0)
    ),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row_strategy, max_size=40), encoding=st.sampled_from(["utf-8", "gbk"]))
def test_counts_reconcile_and_only_valid_rows_are_stored(
    rows: list[tuple[str, int, int, int, int, int]], encoding: str
) -> None:
    lines, valid_ids = [], set()
    for i, (kind, b, d, m, csat, nps) in enumerate(rows):
        fid = f"反馈{i}"
        template = VALID if kind == "valid" else UNDATED if kind == "undated" else CORRUPTIONS[kind]
        lines.append(template.format(id=fid, b=b, d=d, m=m, csat=csat, nps=nps))
        if kind in ("valid", "undated"):
            valid_ids.add(fid)
    with tempfile.TemporaryDirectory() as tmp:
        create_workspace(Path(tmp) / "ws")
        ws = open_workspace(Path(tmp) / "ws")
        src = Path(tmp) / "fb.csv"
        src.write_bytes(("feedback_id,entity_id,submitted_at,csat,nps\n" + "\n".join(lines) + "\n").encode(encoding))
        s = ingest(ws, "feedback", [src])
        assert s.read == len(rows)
        assert s.read == s.stored + s.duplicates + s.quarantined
        assert s.quarantined == len(rows) - len(valid_ids)
        assert {e.row for e in s.errors} == {i + 1 for i, r in enumerate(rows) if r[0] not in ("valid", "undated")}
        stored_ids = set(
            Lake(ws.lake_dir).read("feedback", None if valid_ids else _schema())["feedback_id"].to_pylist()
        )
        assert stored_ids == valid_ids


def _schema():  # type: ignore[no-untyped-def]
    from valueloop.spec.datasets import DATASETS

    return DATASETS["feedback"].schema
