"""E-mail invitations through a real (minimal) SMTP server on loopback: sent once, retried while it is down,
dead after the give-up age, resendable; never lost."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest

from conftest import SmtpServer, free_port
from surveys.conftest import NOW, SURVEY, write_survey
from valueloop.errors import InputError
from valueloop.store.workspace import Workspace
from valueloop.surveys.service.contacts import read_contacts
from valueloop.surveys.service.delivery import Smtp, deliver_due, resend
from valueloop.surveys.service.invitations import list_invitations, plan

TOKEN = re.compile(r"i\.[a-z0-9]{24}\.[0-9a-z]+\.[A-Za-z0-9_-]{22}")


def _subject(msg: Message) -> str:
    return str(make_header(decode_header(str(msg["Subject"]))))


@pytest.fixture
def mail_ws(sws: Workspace, tmp_path: Path) -> Workspace:
    write_survey(sws, SURVEY.replace("channel: export", "channel: email"))
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("customer_id,email\nC1,c1@example.com\nC2,c2@example.com\n", encoding="utf-8")
    plan(sws, "after_service", NOW, contacts=read_contacts(contacts), dry_run=False)
    return sws


def test_invitations_are_mailed_once_with_their_link(mail_ws: Workspace) -> None:
    server = SmtpServer()
    smtp = Smtp(f"smtp://127.0.0.1:{server.server.server_address[1]}", "survey@example.com")
    try:
        report = deliver_due(mail_ws, smtp, "https://vl.example", NOW)
        again = deliver_due(mail_ws, smtp, "https://vl.example", NOW + timedelta(minutes=5))
    finally:
        server.stop()
    assert (report.sent, again.sent) == (2, 0)
    msgs = sorted((message_from_bytes(m) for m in server.messages), key=lambda m: str(m["To"]))
    assert [str(m["To"]) for m in msgs] == ["c1@example.com", "c2@example.com"]
    body = msgs[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    (url,) = re.findall(r"https://vl\.example/s/\S+", body)
    assert TOKEN.fullmatch(url.rsplit("/", 1)[1]), url  # a random id, an expiry and a MAC: nothing personal
    assert "C1" not in body.replace(url, "") and "c1@example.com" not in body  # (a MAC may spell "C1" by chance)
    invs = {i.customer_id: i for i in list_invitations(mail_ws)}
    assert msgs[0]["Message-ID"] == f"<{invs['C1'].invitation_id}@valueloop>"
    assert {i.delivery for i in invs.values()} == {"sent"}


def test_a_server_that_is_down_delays_and_then_kills_but_never_loses(mail_ws: Workspace) -> None:
    port = free_port()
    smtp = Smtp(f"smtp://127.0.0.1:{port}", "survey@example.com", timeout=2)
    first = deliver_due(mail_ws, smtp, "https://vl.example", NOW)
    assert first.retried == 2 and all("refused" in e.lower() for e in first.errors)
    assert {(i.delivery, i.attempts) for i in list_invitations(mail_ws)} == {("queued", 1)}
    assert deliver_due(mail_ws, smtp, "https://vl.example", NOW + timedelta(seconds=30)).retried == 0  # backing off
    dead = deliver_due(mail_ws, smtp, "https://vl.example", NOW + timedelta(hours=25))
    assert dead.dead == 2 and {i.delivery for i in list_invitations(mail_ws)} == {"dead"}
    ids = [i.invitation_id for i in list_invitations(mail_ws)]
    with pytest.raises(InputError, match="no e-mail, SMS, WeCom or DingTalk invitation nope"):
        resend(mail_ws, ["nope"], NOW)
    assert sorted(resend(mail_ws, [], NOW + timedelta(hours=26))) == sorted(ids)
    server = SmtpServer(port)
    try:
        back = deliver_due(mail_ws, smtp, "https://vl.example", NOW + timedelta(hours=26))
    finally:
        server.stop()
    assert back.sent == 2 and len(server.messages) == 2


def test_a_contacts_file_is_checked_row_by_row(tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text("customer_id,email\nC1,not-an-address\n,x@y.com\nC2,a@b.cn\nC2,other@b.cn\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_contacts(f)
    text = str(err.value)
    assert f"{f}:2: email: 'not-an-address'" in text and f"{f}:3: customer_id: empty" in text
    assert f"{f}:5: customer_id: 'C2' has two addresses" in text
    f.write_text("id,mail\n", encoding="utf-8")
    with pytest.raises(InputError, match="header needs customer_id and email"):
        read_contacts(f)


def test_one_reminder_goes_to_who_has_not_answered(sws: Workspace, tmp_path: Path) -> None:
    from valueloop.surveys.service.answers import submit
    from valueloop.surveys.service.invitations import link

    write_survey(
        sws, SURVEY.replace("channel: email", "").replace("channel: export", "channel: email, reminder_hours: 48")
    )
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("customer_id,email\nC1,c1@example.com\nC2,c2@example.com\n", encoding="utf-8")
    plan(sws, "after_service", NOW, contacts=read_contacts(contacts), dry_run=False)
    server = SmtpServer()
    smtp = Smtp(f"smtp://127.0.0.1:{server.server.server_address[1]}", "survey@example.com")
    try:
        assert deliver_due(sws, smtp, "https://x", NOW).sent == 2
        answered = next(i for i in list_invitations(sws) if i.customer_id == "C1")
        token = link(sws, "https://x", answered.invitation_id, answered.expires_at).rsplit("/s/", 1)[1]
        submit(sws, token, {"q.csat": ["5"]}, "zh", NOW + timedelta(hours=1))
        assert deliver_due(sws, smtp, "https://x", NOW + timedelta(hours=47)).reminded == 0  # too early
        assert deliver_due(sws, smtp, "https://x", NOW + timedelta(hours=61)).reminded == 0  # 05:00 local: quiet hours
        assert deliver_due(sws, smtp, "https://x", NOW + timedelta(hours=49)).reminded == 1
        assert deliver_due(sws, smtp, "https://x", NOW + timedelta(hours=72)).reminded == 0  # one reminder only
    finally:
        server.stop()
    msgs = [message_from_bytes(m) for m in server.messages]
    assert len(msgs) == 3 and str(msgs[-1]["To"]) == "c2@example.com" and _subject(msgs[-1]).startswith("提醒")
    reminded = {i.customer_id: i.reminded_at for i in list_invitations(sws)}
    assert reminded["C1"] is None and reminded["C2"] == NOW + timedelta(hours=49)


def test_a_broken_survey_file_makes_its_mails_wait_not_the_pass_fail(mail_ws: Workspace) -> None:
    write_survey(mail_ws, "id: after_service\nquestions: [oops\n")
    server = SmtpServer()
    try:
        report = deliver_due(
            mail_ws, Smtp(f"smtp://127.0.0.1:{server.server.server_address[1]}", "s@x.cn"), "https://x", NOW
        )
    finally:
        server.stop()
    assert report.sent == 0 and "survey after_service" in report.errors[0]
    assert {i.delivery for i in list_invitations(mail_ws)} == {"queued"}


def test_contacts_are_read_like_any_user_table(tmp_path: Path) -> None:
    """Through the ingest readers: a quoted cell over several lines, and a spreadsheet (not only plain CSV)."""
    import openpyxl

    multi = tmp_path / "crm.csv"
    multi.write_text('customer_id,note,email\nC1,"said:\n""call me""",c1@example.com\nC2,,c2@example.com\n', "utf-8")
    assert read_contacts(multi) == {"C1": "c1@example.com", "C2": "c2@example.com"}
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["customer_id", "email"], ["C7", "c7@example.com"], ["C8", "nope"]):
        sheet.append(row)
    book.save(tmp_path / "crm.xlsx")
    with pytest.raises(InputError, match=r"crm.xlsx:3: email: 'nope' is not an e-mail address"):
        read_contacts(tmp_path / "crm.xlsx")
