"""Issue 21's "done when", end to end in a real browser: the tutorial's CSAT + NPS survey is sent after
resolved interactions through a real SMTP server on loopback, answered on a 390 px phone from the link in
the received mail, lands in the lake and on the dashboard, and its detractor opens a case that is closed
with an outcome on the /cases board. Every step fails the test if it breaks.

The survey is the tutorial's own YAML, read from docs/surveys.md, so the tutorial cannot drift from what
is tested. Sending uses the service with a chosen "now" (local noon) so the tutorial's quiet hours
never hold the mail back, whatever time of day the test runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from email import message_from_bytes
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import SmtpServer
from surveys.conftest import interactions, write_survey
from valueloop.accounts.service.accounts import Role, add_user
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace
from valueloop.surveys.service.answer_flush import flush_answers
from valueloop.surveys.service.cases import list_cases
from valueloop.surveys.service.contacts import read_contacts
from valueloop.surveys.service.delivery import Smtp, deliver_due
from valueloop.surveys.service.invitations import list_invitations, plan

DOCS = Path(__file__).resolve().parents[2] / "docs" / "surveys.md"
PASSWORD = "correct horse battery"
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/s/[A-Za-z0-9._-]+)")
"""The link in the mail; its token is a random id, an expiry and a MAC, nothing personal."""
CUSTOMERS = 12


def tutorial_survey() -> str:
    """The first YAML block of docs/surveys.md: the survey the tutorial defines."""
    found = re.search(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert found, "docs/surveys.md has no YAML survey"
    return found.group(1)


def local_noon(ws: Workspace) -> datetime:
    """Today's noon in the workspace's zone: outside the tutorial's quiet hours (21:00–08:00)."""
    zone = ZoneInfo(ws.settings.workspace.timezone)
    return datetime.combine(datetime.now(zone).date(), time(12), tzinfo=zone).astimezone(UTC)


@pytest.fixture
def sws(ws: Workspace, tmp_path: Path) -> Workspace:
    """The tutorial's survey and resolved interactions of a day and a half ago (past its 24 h delay)."""
    write_survey(ws, tutorial_survey())
    now = local_noon(ws)
    rows = []
    for i in range(CUSTOMERS):
        at = now - timedelta(hours=30, minutes=i)
        rows.append({"interaction_id": f"T{i}", "entity_id": "B001" if i % 2 else "B002",
                     "customer_id": f"C{i}", "opened_at": (at - timedelta(hours=1)).isoformat(),
                     "resolved_at": at.isoformat()})  # fmt: skip
    interactions(ws, rows, tmp_path)
    add_user(ws, "carol", PASSWORD, Role.analyst)
    return ws


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


def _sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", "carol")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#who")).to_have_text("carol")


def _send(sws: Workspace, smtp: SmtpServer, base: str, tmp_path: Path) -> tuple[str, str]:
    """Invite after the resolved interactions, mail the invitations; (link, customer) of one received mail."""
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("customer_id,email\n" + "".join(f"C{i},c{i}@example.com\n" for i in range(CUSTOMERS)))
    now = local_noon(sws)
    planned = plan(sws, "after_service", now, contacts=read_contacts(contacts), dry_run=False)
    assert 0 < planned.invited < CUSTOMERS, planned  # the tutorial samples half of them
    report = deliver_due(sws, Smtp(f"smtp://127.0.0.1:{smtp.server.server_address[1]}", "survey@example.com"),
                         base, now)  # fmt: skip
    assert (report.sent, report.errors) == (planned.invited, [])
    assert len(smtp.messages) == planned.invited
    mail = message_from_bytes(smtp.messages[0])
    body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    found = LINK.search(body)
    assert found, body
    customer = str(mail["To"]).split("@")[0].upper()
    assert re.fullmatch(r"i\.[a-z0-9]{24}\.[0-9a-z]+\.[A-Za-z0-9_-]{22}", found.group(1).rsplit("/", 1)[1])
    return found.group(1), customer


def _answer_on_a_phone(browser: Browser, link: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})  # fmt: skip
    page = context.new_page()
    page.goto(link)
    expect(page.locator("h1")).to_have_text("服务满意度回访")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the survey scrolls sideways on a phone"
    page.locator('#q-csat label:has(input[value="2"])').tap()
    page.locator('#q-nps label:has(input[value="3"])').tap()  # a detractor
    page.locator("#q-why textarea").fill("排队太久，没人理")
    page.locator('#q-topics label:has(input[value="speed"])').tap()
    page.get_by_role("button", name="提交").tap()
    expect(page.locator("h1")).to_have_text("感谢您的反馈！")
    context.close()


def test_a_survey_sent_after_service_is_answered_on_a_phone_and_its_detractor_case_closed(
    browser: Browser, served: str, sws: Workspace, smtp: SmtpServer, tmp_path: Path
) -> None:
    link, customer = _send(sws, smtp, served, tmp_path)
    _answer_on_a_phone(browser, link)

    flush_answers(sws)  # what the server's batcher does within a second
    wh = Warehouse(sws)  # the lake
    (got,) = wh.execute(wh.table("feedback")).to_dict("records")
    assert (got["kind"], got["csat"], got["nps"], got["text"], got["customer_id"]) == (
        "survey",
        2,
        3,
        "排队太久，没人理",
        customer,
    )
    (answered,) = [i for i in list_invitations(sws) if i.answered_at is not None]
    assert (answered.customer_id, answered.delivery) == (customer, "sent")

    page = Browser.new_page(browser, viewport={"width": 1280, "height": 900})
    _sign_in(page, served)
    page.goto(f"{served}/surveys")  # the dashboard's response analytics
    survey = page.locator("#survey-after_service")
    expect(survey.locator(".stat-answered")).to_have_text("1")
    expect(survey.locator(".stat-delivered")).to_have_text(str(len(smtp.messages)))
    row = survey.locator(f"#answer-{answered.invitation_id}")
    expect(row).to_contain_text("nps 3")
    expect(row).to_contain_text("排队太久，没人理")
    expect(row.locator("a")).to_have_text(re.compile(r"#\d+"))  # the case the detractor opened

    (case,) = list_cases(sws, datetime.now(UTC))
    assert (case.customer_id, case.question, case.score, case.owner) == (
        customer,
        "nps",
        3,
        "bob" if answered.entity_id == "B002" else "alice",
    )
    page.click("#nav-cases")
    board = page.locator(f"#case-{case.id}")
    expect(board).to_contain_text("nps = 3")
    form = board.locator("form.case-close")
    form.locator('select[name="outcome"]').select_option("compensated")
    form.locator('select[name="root_cause"]').select_option("response_speed/phone_queue")
    form.locator('input[name="note"]').fill("回电致歉，已补偿")
    form.locator("button").click()
    expect(page.locator("#empty")).to_be_visible()  # no open case is left
    page.goto(f"{served}/cases?state=closed")
    expect(page.locator(f"#case-{case.id} .outcome")).to_have_text("已补偿")
    page.close()
    (closed,) = list_cases(sws, datetime.now(UTC), state="closed")
    assert (closed.outcome, closed.root_cause, closed.closed_by, closed.note) == (
        "compensated",
        "response_speed/phone_queue",
        "carol",
        "回电致歉，已补偿",
    )
