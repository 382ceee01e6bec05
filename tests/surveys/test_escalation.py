"""An overdue case escalated to its unit's manager e-mails the manager (a real SMTP server on loopback):
once, retried while the server is down, named when the manager has no address; read back in one query."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes

import pytest
import sqlalchemy as sa

from conftest import SmtpServer, free_port
from surveys.conftest import NOW, SURVEY, write_survey
from surveys.test_cases import _answer
from valueloop.store import appdb
from valueloop.store.workspace import Workspace
from valueloop.surveys.loader import load_surveys
from valueloop.surveys.service.catalog import surveys_dir
from valueloop.surveys.service.delivery import Smtp
from valueloop.surveys.service.escalation import escalate_overdue

MANAGERS = SURVEY.replace(
    'escalate_to: {"*": head}',
    'escalate_to: {"*": head, B002: boss@example.com}\n  addresses: {head: head@example.com}',
)
LATE = NOW + timedelta(hours=2)


@pytest.fixture
def overdue(sws: Workspace) -> Workspace:
    write_survey(sws, MANAGERS)
    for customer, unit in (("C1", "B001"), ("C2", "B002")):
        assert _answer(sws, customer, unit, NOW, {"q.csat": ["1"]}) is not None
    return sws


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


def _mail(server: SmtpServer) -> Smtp:
    return Smtp(f"smtp://127.0.0.1:{server.server.server_address[1]}", "cases@example.com")


def test_the_manager_is_emailed_once_per_escalated_case(overdue: Workspace, smtp: SmtpServer) -> None:
    surveys, _ = load_surveys(surveys_dir(overdue))
    done = escalate_overdue(overdue, surveys, LATE, mail=_mail(smtp), board_url="https://vl.example")
    assert [(c.entity_id, c.escalated_to) for c in done.cases] == [("B001", "head"), ("B002", "boss@example.com")]
    assert sorted(done.notified) == sorted(c.id for c in done.cases) and done.errors == []
    msgs = {str(m["To"]): m for m in map(message_from_bytes, smtp.messages)}
    assert set(msgs) == {"head@example.com", "boss@example.com"}
    head = msgs["head@example.com"]
    assert head["Message-ID"] == f"<case-{done.cases[0].id}-escalation@valueloop>"
    text = head.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "B001" in text and "csat = 1" in text and "https://vl.example/cases?state=overdue" in text
    again = escalate_overdue(overdue, surveys, LATE + timedelta(hours=1), mail=_mail(smtp))
    assert again.cases == [] and len(smtp.messages) == 2  # once


def test_a_refused_notice_is_tried_again_on_the_next_run(overdue: Workspace, smtp: SmtpServer) -> None:
    surveys, _ = load_surveys(surveys_dir(overdue))
    down = Smtp(f"smtp://127.0.0.1:{free_port()}", "cases@example.com", timeout=2)
    failed = escalate_overdue(overdue, surveys, LATE, mail=down)
    assert failed.cases == [] and len(failed.errors) == 2 and "tried again" in failed.errors[0]
    later = escalate_overdue(overdue, surveys, LATE + timedelta(minutes=5), mail=_mail(smtp))
    assert len(later.cases) == len(later.notified) == 2 and len(smtp.messages) == 2


def test_a_manager_without_an_address_is_escalated_and_named(sws: Workspace, smtp: SmtpServer) -> None:
    assert _answer(sws, "C1", "B001", NOW, {"q.csat": ["1"]}) is not None
    surveys, _ = load_surveys(surveys_dir(sws))
    done = escalate_overdue(sws, surveys, LATE, mail=_mail(smtp))
    assert [c.escalated_to for c in done.cases] == ["head"] and done.notified == [] and smtp.messages == []
    assert done.errors == [f"case {done.cases[0].id}: no e-mail address for head (follow_up.addresses)"]
    without = escalate_overdue(sws, surveys, LATE)  # no mail server: recorded, nobody told, nothing to say
    assert without.cases == [] and without.errors == []


def test_escalated_cases_are_read_back_in_one_query(sws: Workspace) -> None:
    for i in range(5):
        assert _answer(sws, f"C{i}", "B001", NOW, {"q.csat": ["1"]}) is not None
    surveys, _ = load_surveys(surveys_dir(sws))
    engine = appdb.engine(sws.database_url)
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement.split()[0].upper())

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        done = escalate_overdue(sws, surveys, LATE)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(done.cases) == 5
    assert seen.count("SELECT") == 2 and seen.count("UPDATE") == 1, seen  # the due cases, then all five back


def test_a_bad_manager_address_in_the_survey_is_named_with_its_line(ws: Workspace) -> None:
    from valueloop.errors import SpecError
    from valueloop.surveys.service.catalog import get_survey

    write_survey(ws, MANAGERS.replace("head@example.com", "head at example"))
    with pytest.raises(SpecError, match=r"after_service\.yaml:\d+: follow_up\.addresses\.head: 'head at example'"):
        get_survey(ws, "after_service")
