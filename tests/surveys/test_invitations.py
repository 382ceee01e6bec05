"""Triggers and fatigue over real lake data: the dry run says who and why not; recording is idempotent."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from surveys.conftest import NOW
from valueloop.store.workspace import Workspace
from valueloop.surveys import tokens
from valueloop.surveys.service.catalog import secret
from valueloop.surveys.service.invitations import export_links, list_invitations, plan


def _reasons(p: object) -> dict[str, str]:
    return {r.interaction_id: r.reason for r in p.rows}  # type: ignore[attr-defined]


def test_dry_run_lists_who_and_why_not_and_records_nothing(sws: Workspace) -> None:
    p = plan(sws, "after_service", NOW, dry_run=True)
    why = _reasons(p)
    assert [r.interaction_id for r in p.rows if r.invite] == ["I1", "I2"]
    assert why["I3"].startswith("customer already asked on 2026-06-10")  # C1 again, later interaction
    assert why["I4"] == "no customer on the interaction"
    assert why["I5"].startswith("too early: due at")
    assert p.invited == 2 and p.skipped == 3
    assert list_invitations(sws) == []


def test_recording_is_idempotent_and_respects_the_once_per_days_rule(sws: Workspace) -> None:
    first = plan(sws, "after_service", NOW, dry_run=False)
    assert first.invited == 2 and len(list_invitations(sws)) == 2
    later = plan(sws, "after_service", NOW + timedelta(hours=3), dry_run=False)
    why = _reasons(later)
    assert why["I1"] == why["I2"] == "already invited to this survey"
    assert why["I3"].startswith("customer already asked")
    assert [r.interaction_id for r in later.rows if r.invite] == ["I5"]
    assert len(list_invitations(sws)) == 3


def test_quiet_hours_delay_the_send(sws: Workspace) -> None:
    night = NOW + timedelta(hours=5)  # 23:00 in Shanghai
    p = plan(sws, "after_service", night, dry_run=False)
    row = next(r for r in p.rows if r.invite)
    assert row.reason.startswith("quiet hours: sent at 2026-06-11 08:00")
    assert export_links(sws, "after_service", "https://vl.example", night) == []  # not due yet
    due = export_links(sws, "after_service", "https://vl.example", night + timedelta(hours=10))
    assert len(due) == p.invited


def test_quiet_hours_are_read_in_the_customers_own_zone(sws: Workspace, tmp_path: Path) -> None:
    """23:00 in Shanghai is 11:00 in New York: C1 (New York, from the customers dataset) is sent now, C2
    (Shanghai) at 08:00 Shanghai time, C5 (no zone) in the workspace's (Shanghai) too; the recorded
    invitations keep each one's own send time."""
    from valueloop.ingest.service.ingest import ingest

    customers = tmp_path / "customers.csv"
    customers.write_text("customer_id,timezone\nC1,America/New_York\nC2,Asia/Shanghai\n", encoding="utf-8")
    assert ingest(sws, "customers", [customers]).stored == 2
    night = NOW + timedelta(hours=5)
    p = plan(sws, "after_service", night, dry_run=False)
    sent = {r.interaction_id: (r.send_at, r.reason) for r in p.rows if r.invite}
    morning = NOW + timedelta(hours=14)  # 08:00 in Shanghai
    assert sent == {"I1": (night, "resolved, sampled, not asked lately"),
                    "I2": (morning, "quiet hours: sent at 2026-06-11 08:00 Asia/Shanghai"),
                    "I5": (morning, "quiet hours: sent at 2026-06-11 08:00 Asia/Shanghai")}  # fmt: skip
    recorded = {i.interaction_id: i.send_at for i in list_invitations(sws)}
    assert recorded == {"I1": night, "I2": morning, "I5": morning}
    assert [x.interaction_id for x in export_links(sws, "after_service", "https://vl.example", night)] == ["I1"]


def test_export_gives_signed_links_without_personal_data_once(sws: Workspace) -> None:
    plan(sws, "after_service", NOW, dry_run=False)
    rows = export_links(sws, "after_service", "https://vl.example/", NOW)
    assert len(rows) == 2 and export_links(sws, "after_service", "https://vl.example", NOW) == []
    for r in rows:
        token = r.url.removeprefix("https://vl.example/s/")
        claims = tokens.verify(secret(sws), token, NOW)
        assert claims.kind == "i" and claims.ref == r.invitation_id
        assert r.customer_id not in r.url and r.interaction_id not in r.url and r.entity_id not in r.url
    assert {i.delivery for i in list_invitations(sws)} == {"exported"}
    buf = io.StringIO()
    csv.writer(buf).writerows([[r.url] for r in rows])
    assert "https://vl.example/s/i." in buf.getvalue()


def test_scoped_listing_keeps_only_the_callers_units(sws: Workspace) -> None:
    plan(sws, "after_service", NOW, dry_run=False)
    assert [i.entity_id for i in list_invitations(sws, units=frozenset({"B002"}))] == ["B002"]


def test_the_walk_in_units_of_a_qr_sheet_come_from_the_entities_dataset(sws: Workspace, tmp_path: Path) -> None:
    """The CLI's ``qr`` asks this service (it no longer queries the lake itself)."""
    import json

    from valueloop.errors import InputError
    from valueloop.ingest.service.ingest import ingest
    from valueloop.surveys.service.links import walk_in_units

    entities = tmp_path / "entities.jsonl"
    rows = [{"entity_id": "R1", "name": "North", "type": "region"},
            {"entity_id": "S2", "name": "Mall", "type": "store", "parent_id": "R1"},
            {"entity_id": "B1", "name": "Main St", "type": "branch", "parent_id": "R1"}]  # fmt: skip
    entities.write_text("".join(json.dumps(r) + "\n" for r in rows[:1]), encoding="utf-8")
    ingest(sws, "entities", [entities])
    with pytest.raises(InputError, match="no branch or store"):
        walk_in_units(sws)
    entities.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    ingest(sws, "entities", [entities])
    assert walk_in_units(sws) == ["B1", "S2"]
