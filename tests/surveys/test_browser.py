"""On a phone, in Chinese: open an invitation, tap the scores, the "why" question appears for a detractor,
send, and the answer is in the lake with a case opened. Debian's Chromium through Playwright."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, expect

from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace
from valueloop.surveys.fatigue import Resolved
from valueloop.surveys.service.answer_flush import flush_answers
from valueloop.surveys.service.cases import list_cases
from valueloop.surveys.service.invitations import export_links, plan


def test_a_detractor_answers_on_a_phone_and_a_case_opens(browser: Browser, served: str, sws: Workspace) -> None:
    now = datetime.now(UTC)
    plan(sws, "after_service", now, dry_run=False, candidates=[Resolved("P1", "B001", now - timedelta(hours=3), "C9")])
    (row,) = export_links(sws, "after_service", served, now + timedelta(hours=13))
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})  # fmt: skip
    page = context.new_page()
    page.goto(row.url)
    expect(page.locator("h1")).to_have_text("服务回访")
    why = page.locator("#q-why")
    expect(why).to_be_hidden()  # asked only below an NPS of 7
    page.locator('#q-csat input[value="2"]').focus()
    page.keyboard.press("Space")  # keyboard works: the radio under focus is chosen
    expect(page.locator('#q-csat input[value="2"]')).to_be_checked()
    page.locator("#q-nps label").filter(has_text="3").first.tap()
    expect(why).to_be_visible()
    page.locator('#q-nps label:has(input[value="9"])').tap()
    expect(why).to_be_hidden()
    page.locator('#q-nps label:has(input[value="3"])').tap()
    why.locator("textarea").fill("等了太久")
    page.get_by_role("button", name="提交").tap()
    expect(page.locator("h1")).to_have_text("感谢您的反馈！")
    context.close()
    flush_answers(sws)  # what the server's batcher does within a second
    wh = Warehouse(sws)
    (got,) = wh.execute(wh.table("feedback")).to_dict("records")
    assert (got["csat"], got["nps"], got["text"], got["customer_id"]) == (2, 3, "等了太久", "C9")
    (case,) = list_cases(sws, now)
    assert (case.question, case.score, case.owner) == ("nps", 3, "alice")
