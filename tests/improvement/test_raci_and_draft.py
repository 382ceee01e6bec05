"""RACI lists and action drafts: one accountable department, complete targets, readable errors."""

from __future__ import annotations

import pytest

from valueloop.errors import InputError
from valueloop.improvement.draft import make_draft, parse_doc_ref, parse_link
from valueloop.improvement.raci import Assignment, Role, parse_assignment, raci


def test_the_owner_is_accountable_and_responsible_unless_someone_else_does_the_work() -> None:
    assert raci("客服部", []) == [Assignment("客服部", Role.A), Assignment("客服部", Role.R)]
    ops = parse_assignment("运营部:r")
    assert raci("客服部", [ops]) == [Assignment("客服部", Role.A), ops]


def test_raci_problems_are_reported_together() -> None:
    with pytest.raises(InputError, match=r"listed twice.*cannot be accountable"):
        raci("客服部", [Assignment("客服部", Role.C), Assignment("技术部", Role.A)])
    with pytest.raises(InputError, match="DEPARTMENT:ROLE"):
        parse_assignment("运营部")
    with pytest.raises(InputError, match="R, A, C, I"):
        parse_assignment("运营部:X")


def test_links_documents_and_targets() -> None:
    assert parse_link("complaint_topic:退款慢").ref == "退款慢"
    assert parse_doc_ref("script-refund@2").version == 2
    for bad in ("nope:1", "finding:", "finding"):
        with pytest.raises(InputError):
            parse_link(bad)
    with pytest.raises(InputError, match="DOC_ID@VERSION"):
        parse_doc_ref("script@0")
    with pytest.raises(InputError, match="together"):
        make_draft(title="t", owner="o", department="d", target_indicator="csat")
    with pytest.raises(InputError, match="cost"):
        make_draft(title="t", owner="o", department="d", cost=-1)
