"""The morning dashboard in a real browser: business names, fix-first, the score explanation, 404, one clock.

Screenshots go to /tmp/shots (outside the repository) to look at what a person sees, zh-CN and en.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from web.conftest import PASSWORD

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(
        "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning"
    ),
]
SHOTS = Path("/tmp/shots")
RAW_IDS = re.compile(r"\b(first_response|resolution_time|complaint_rate|peer_bottom_decile|deterioration|welch_t)\b")


@pytest.fixture(autouse=True)
def no_csp_violations(page: Page) -> Iterator[None]:
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    yield
    assert not blocked, blocked


def _sign_in(page: Page, base: str, user: str = "ana") -> None:
    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#who")).to_have_text(user)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_overview_and_unit_speak_business_and_rank_what_to_fix(page: Page, server: str) -> None:
    _sign_in(page, server)
    expect(page.locator("#run-info")).to_contain_text("UTC+8")  # the evaluation time on the workspace's clock
    expect(page.locator("#findings-period")).to_contain_text("以下问题属于")
    table = page.locator("#findings")
    expect(table).to_contain_text("问题解决时长")
    expect(table.locator("a.has-action").first).to_be_visible()  # an action already exists for a finding
    assert not RAW_IDS.search(page.locator("main").inner_text()), "a raw id is visible in zh-CN"
    expect(page.locator("#chart-trend")).to_have_attribute("data-rendered", "1")
    _shot(page, "dashboard-overview-zh-CN")

    page.goto(f"{server}/units/B016")
    expect(page.locator("#unit-findings")).to_contain_text("较自身历史恶化")
    expect(page.locator("#unit-findings a.has-action").first).to_have_attribute("href", re.compile(r"^/actions/\d+$"))
    _shot(page, "dashboard-unit-zh-CN")
    page.locator("#indicators a", has_text="问题解决时长").first.click()
    expect(page).to_have_url(f"{server}/units/B016/indicators/resolution_time")
    expect(page.locator("#explain-value")).to_contain_text("小时")
    expect(page.locator("#explain-rule")).to_contain_text("线性")
    expect(page.locator("#change-parts")).to_be_visible(timeout=60_000)  # the move since last period, loaded after
    expect(page.locator("#change-children")).to_have_count(0)  # a median does not split into the teams' parts
    _shot(page, "dashboard-explain-zh-CN")
    page.goto(f"{server}/units/B016/indicators/professionalism")  # a rate: its move splits into the teams below
    expect(page.locator("#change-children")).to_be_visible(timeout=60_000)
    expect(page.locator("#change-children")).to_contain_text("%")
    page.click("#back-to-unit")
    expect(page).to_have_url(f"{server}/units/B016")

    page.click("#lang-en")
    expect(page.locator("#unit-findings")).to_contain_text("Worse than own history")
    expect(page.locator("#indicators")).to_contain_text("Resolution time")
    _shot(page, "dashboard-unit-en")


def test_unknown_unit_is_404_and_rankings_pick_a_period(page: Page, server: str) -> None:
    _sign_in(page, server)
    response = page.goto(f"{server}/units/NOPE")
    assert response is not None and response.status == 404
    expect(page.locator("#not-found")).to_contain_text("NOPE")
    page.goto(f"{server}/rankings")
    page.select_option("#ranking-period", index=1)
    page.click("#ranking-show")
    expect(page).to_have_url(re.compile(r"period=2026-09"))
    expect(page.locator("#ranking-info")).to_contain_text("2026年9月")
    expect(page.locator("#ranking-info")).to_contain_text("分支机构")
    _shot(page, "dashboard-rankings-zh-CN")


def test_a_scoped_manager_is_not_offered_pages_that_are_empty_for_them(page: Page, server: str) -> None:
    _sign_in(page, server, "mia")
    expect(page.locator("header")).to_contain_text("经理")
    expect(page.locator("#nav-reports")).to_have_count(0)
    expect(page.locator("#nav-alerts")).to_have_count(1)
    assert page.goto(f"{server}/units/B001") is not None
    expect(page.locator("#not-found")).to_be_visible()  # another branch answers as if it did not exist
    page.goto(f"{server}/units/B016/indicators/resolution_time")
    expect(page.locator("#explain-value")).to_contain_text("小时")  # their own branch explains itself
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (("/", "overview"), ("/units/B016", "unit")):
        page.goto(f"{server}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{path} scrolls sideways on a phone"
        _shot(page, f"dashboard-{name}-manager-phone-zh-CN")


def test_english_overview_and_alerts_name_things(page: Page, server: str) -> None:
    _sign_in(page, server)
    page.click("#lang-en")
    expect(page.locator("#fix-first-title")).to_contain_text("Fix this first")
    expect(page.locator("#findings")).to_contain_text("Resolution time")
    expect(page.locator("#run-info")).to_contain_text("Branch")
    _shot(page, "dashboard-overview-en")
    page.goto(f"{server}/alerts")
    expect(page.locator("#alerts")).to_contain_text("Burst of error events")
    expect(page.locator("#alerts")).to_contain_text("UTC+8")
    expect(page.locator("#alerts button.ack")).to_have_count(0)  # every demo alert has resolved: nothing to take on
    _shot(page, "dashboard-alerts-en")


def test_a_reviewer_scores_a_sampled_conversation_in_the_review_form(page: Page, server: str) -> None:
    _sign_in(page, server)
    page.goto(f"{server}/qa/review")
    first = page.locator("#qa-review-queue a").first
    expect(first).to_be_visible()
    first.click()
    form = page.locator("#qa-review-form")
    expect(form).to_be_visible()
    radios = form.locator("input[type=radio][value=pass]")
    for i in range(min(radios.count(), 3)):
        radios.nth(i).check()
    page.click("#qa-review-submit")
    expect(page.locator("#review-saved")).to_contain_text("已保存")
    _shot(page, "qa-review-zh-CN")
    page.goto(f"{server}/qa/calibration?lang=en")
    expect(page.locator("#calibration-counts")).to_contain_text("reviews of")


def test_drill_down_from_the_overview_to_the_records_and_back(page: Page, server: str, tmp_path: Path) -> None:
    """Overview → unit → indicator explanation → the records behind the value → CSV → back, in zh-CN."""
    _sign_in(page, server)
    page.locator("#findings a[href='/units/B016']").first.click()
    expect(page).to_have_url(f"{server}/units/B016")
    page.locator("#indicators a", has_text="问题解决时长").first.click()
    expect(page).to_have_url(f"{server}/units/B016/indicators/resolution_time")
    n = page.locator("#explain-facts .card").nth(3).locator(".big").inner_text()
    page.click("#see-records")
    expect(page).to_have_url(f"{server}/units/B016/indicators/resolution_time/records")
    expect(page.locator("#records")).to_be_visible()
    expect(page.locator("#records-count")).to_contain_text(f"共 {n} 条")
    expect(page.locator("#records tr").first).to_contain_text("受理时间")
    expect(page.locator("#records-range")).to_contain_text("UTC+8")
    assert not RAW_IDS.search(page.locator("main").inner_text()), "a raw id is visible in zh-CN"
    _shot(page, "dashboard-records-zh-CN")
    with page.expect_download() as info:
        page.click("#records-export")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("interaction_id,") and len(lines) == 1 + int(n.replace(",", ""))
    page.click("#back-to-explain")
    expect(page).to_have_url(f"{server}/units/B016/indicators/resolution_time")
    page.click("#see-records")
    page.click("#back-to-unit")
    expect(page).to_have_url(f"{server}/units/B016")
    page.goto(f"{server}/units/B016/indicators/complaint_rate/records")  # a ratio: numerator and denominator
    page.click("#part-denominator")
    expect(page).to_have_url(re.compile(r"records\?part=denominator$"))
    expect(page.locator("#part-denominator")).to_have_class(re.compile("on"))
    expect(page.locator("#records")).to_be_visible()


def test_a_region_heads_landing_page_is_the_region(page: Page, server: str) -> None:
    _sign_in(page, server, "rex")
    expect(page).to_have_url(f"{server}/units/R04")
    expect(page.locator("#rollup-units")).to_contain_text("成都武侯电商服务中心")
    expect(page.locator("#nav-home")).to_have_text("我的机构")
    expect(page.locator("#nav-reports")).to_have_count(0)
    _shot(page, "dashboard-region-head-landing-zh-CN")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "dashboard-region-head-landing-phone-zh-CN")


MAIN_PAGES = {
    "overview": "/", "rankings": "/rankings", "unit": "/units/B016", "region": "/units/R04",
    "explain": "/units/B016/indicators/resolution_time", "records": "/units/B016/indicators/resolution_time/records",
    "alerts": "/alerts", "actions": "/actions", "experiments": "/experiments", "voice": "/voice", "vsm": "/vsm",
    "models": "/models", "reports": "/reports", "upload": "/upload", "cases": "/cases", "qa": "/qa",
}  # fmt: skip
SHOWS_IDS = {"models"}  # the models page shows what the model file says, ids included
ENGLISH = re.compile(r"\b(Overview|Rankings|Findings|Score|Records|Indicator|Benchmark|Severity|critical|warning|"
                     r"branch|region|analyst|welch_t|peer_bottom_decile|deterioration|benchmark)\b")  # fmt: skip


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_main_page_at_desktop_and_phone_width(page: Page, server: str, lang: str) -> None:
    """Each main page at 1440 px and 390 px: no sideways scroll; in zh-CN no English words or raw ids."""
    _sign_in(page, server)
    if lang == "en":
        page.click("#lang-en")
    wide: list[str] = []
    for width, device in ((1440, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
        for name, path in MAIN_PAGES.items():
            page.goto(f"{server}{path}")
            page.wait_for_load_state("networkidle")
            if page.evaluate("document.documentElement.scrollWidth") > width:
                wide.append(f"{path} at {width}px")
            if lang == "zh-CN" and width == 1440 and name not in SHOWS_IDS:
                text = page.locator("main").inner_text()
                assert not RAW_IDS.search(text) and not ENGLISH.search(text), f"{path}: {ENGLISH.search(text)}"
            _shot(page, f"main-{name}-{lang}-{device}")
    assert not wide, f"pages that scroll sideways: {wide}"
