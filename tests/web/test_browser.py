"""The dashboard in a real browser: sign in, the overview charts draw, switch language, sign out."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from web.conftest import PASSWORD

pytestmark = [
    pytest.mark.slow,
    # pytest-base-url (pulled in by pytest-playwright) defines a session fixture pytest 9 deprecates
    pytest.mark.filterwarnings(
        "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning"
    ),
]


@pytest.fixture(autouse=True)
def no_csp_violations(page: Page) -> Iterator[None]:
    """Every page runs under the server's CSP (script-src 'self'): nothing it needs may be blocked."""
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    yield
    assert not blocked, blocked


def _sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/login?next=/")
    page.fill("#username", "ana")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#who")).to_have_text("ana")


def _distinct_colours(png: bytes) -> int:
    """How many distinct colours a screenshot has (a blank canvas has one)."""
    import struct
    import zlib

    # Minimal PNG reader for 8-bit RGB(A) screenshots: enough to tell an empty canvas from a chart.
    data = BytesIO(png)
    data.read(8)
    width = height = channels = 0
    idat = b""
    while chunk := data.read(8):
        length, kind = struct.unpack(">I4s", chunk)
        body = data.read(length)
        data.read(4)
        if kind == b"IHDR":
            width, height, _depth, colour = struct.unpack(">IIBB", body[:10])
            channels = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    seen: set[bytes] = set()
    prev = bytearray(stride)
    pos = 0
    for _ in range(height):
        kind, line = raw[pos], bytearray(raw[pos + 1 : pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, ul = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else ul)) & 255
        seen.update(bytes(line[i : i + 3]) for i in range(0, stride, channels))
        prev = line
    return len(seen)


def test_login_chart_language_logout(page: Page, server: str, tmp_path: Path) -> None:
    _sign_in(page, server)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    radar = page.locator("#chart-radar")
    expect(radar).to_have_attribute("data-rendered", "1")
    expect(radar.locator("canvas")).to_have_count(1)
    shot = radar.screenshot(path=str(tmp_path / "radar.png"))
    assert _distinct_colours(shot) > 20, "the radar canvas is blank"
    hist = page.locator("#chart-distribution").screenshot(path=str(tmp_path / "distribution.png"))
    assert _distinct_colours(hist) > 5
    page.screenshot(path=str(tmp_path / "overview-zh.png"), full_page=True)

    page.click("#lang-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Overview")
    page.goto(f"{server}/rankings")
    expect(page.locator("#ranking")).to_be_visible()
    page.screenshot(path=str(tmp_path / "rankings-en.png"), full_page=True)
    page.click("#lang-zh")
    expect(page.locator("h1")).to_have_text("排名")

    page.click("#logout")
    expect(page).to_have_url(f"{server}/login")
    page.goto(f"{server}/")
    expect(page).to_have_url(f"{server}/login?next=/")
    page.screenshot(path=str(tmp_path / "signed-out.png"))
    assert (tmp_path / "radar.png").stat().st_size > 0


NEW_PAGES = {
    "/models": ("评估模型", "Models"),
    "/voice": ("客户之声", "Voice of customer"),
    "/experiments": ("实验验证", "Experiments"),
    "/reports": ("报告", "Reports"),
}


def test_new_pages_in_both_languages(page: Page, server: str, tmp_path: Path) -> None:
    _sign_in(page, server)
    for path, (zh, en) in NEW_PAGES.items():
        page.click(f"#nav-{path.strip('/')}")
        expect(page).to_have_url(f"{server}{path}")
        expect(page.locator("h1")).to_have_text(zh)
        expect(page.locator("#empty")).to_have_count(1 if path == "/reports" else 0)  # no report written yet
        page.click("#lang-en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("h1")).to_have_text(en)
        page.screenshot(path=str(tmp_path / f"{path.strip('/')}-en.png"), full_page=True)
        page.click("#lang-zh")
        expect(page.locator("h1")).to_have_text(zh)
    page.goto(f"{server}/voice")
    heat = page.locator("#chart-heatmap")
    expect(heat).to_have_attribute("data-rendered", "1")
    assert _distinct_colours(heat.screenshot(path=str(tmp_path / "heatmap.png"))) > 5, "the heat map is blank"
    expect(page.locator("#lifecycle tr")).not_to_have_count(1)
    page.goto(f"{server}/experiments")
    expect(page.locator("#experiments")).to_contain_text("A/B")


def test_ahp_editor_shows_cr_as_you_type(page: Page, server: str, tmp_path: Path) -> None:
    _sign_in(page, server)
    page.goto(f"{server}/models")
    expect(page.locator("#model-list")).to_contain_text("three-dimension")
    cr = page.locator("#ahp-cr")
    expect(cr).to_have_text("0.000")
    expect(page.locator("#ahp-weights tr")).to_have_count(4)
    page.fill("#ahp-0-1", "3")  # a = 3b, but b = c and a = c: not consistent
    expect(page.locator("#ahp-1-0")).to_have_text("1/3")
    expect(cr).to_have_class("bad")
    assert float(cr.inner_text()) > 0.1
    page.screenshot(path=str(tmp_path / "ahp-inconsistent.png"), full_page=True)
    page.fill("#ahp-0-2", "3")  # a = 3b = 3c: perfectly consistent again
    expect(cr).to_have_text("0.000")
    expect(cr).not_to_have_class("bad")
    expect(page.locator("#ahp-weights")).to_contain_text("60.0%")
    page.fill("#ahp-1-2", "abc")
    expect(page.locator("#ahp-error")).to_be_visible()


def test_board_moves_an_action_and_shows_refusals(page: Page, server: str, tmp_path: Path) -> None:
    _sign_in(page, server)
    page.goto(f"{server}/actions")
    ticket = page.locator('.ticket[data-status="in_progress"]').first
    ticket_id = ticket.get_attribute("id")
    for step in ("implemented", "verifying"):
        page.click(f'#{ticket_id} button[data-to="{step}"]')
        page.get_by_role("dialog").get_by_label("变更原因").fill("browser test")  # the reason, asked in the page
        page.get_by_role("dialog").get_by_role("button", name="确认变更").click()
        expect(page.locator(f"#{ticket_id}")).to_have_attribute("data-status", step)
    page.click(f'#{ticket_id} button[data-to="effective"]')  # no verification verdict yet: refused
    page.get_by_role("dialog").get_by_label("变更原因").fill("browser test")
    page.get_by_role("dialog").get_by_role("button", name="确认变更").click()
    refusal = page.get_by_role("dialog").get_by_role("alert")  # shown in the dialog, the reason typed kept
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("verif")
    page.keyboard.press("Escape")
    expect(page.locator(f"#{ticket_id}")).to_have_attribute("data-status", "verifying")
    page.screenshot(path=str(tmp_path / "board.png"), full_page=True)


def test_downloads_rankings_xlsx_and_generates_a_report(page: Page, server: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    _sign_in(page, server)
    page.goto(f"{server}/rankings")
    with page.expect_download() as info:
        page.click("#export-xlsx")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert target.suffix == ".xlsx" and rows[0][0] == "排名" and len(rows) > 5
    page.goto(f"{server}/reports")
    page.select_option("#report-format", "html")
    page.click("#report-generate")
    link = page.locator("#report-list a.report-link").first
    expect(link).to_contain_text(".html", timeout=60_000)  # the review is built on the server first
    with page.expect_download() as report:
        link.click()
    assert report.value.suggested_filename.endswith(".html")
    page.screenshot(path=str(tmp_path / "reports.png"), full_page=True)


def test_alerts_page_updates_live_acks_and_silences(page: Page, server: str, tmp_path: Path) -> None:
    import json

    _sign_in(page, server)
    page.click("#nav-alerts")
    expect(page.locator("h1")).to_have_text("实时告警")
    expect(page.locator("#live")).to_be_visible()  # the event stream is connected
    expect(page.locator("#alerts")).to_contain_text("故障/错误事件突增")  # the demo's replayed incidents, by rule name
    # an error burst arrives over the API while the page is open: the page shows the new alert by itself
    start = int(time.time() // 60 * 60) - 6 * 3600  # after the demo's replayed weeks, inside the live window
    lines = [{"type": "error", "ts": start + k, "entity_id": "B002"} for k in range(12)]
    lines += [{"type": "interaction_opened", "ts": start + 60 * m + 5, "entity_id": "B002"} for m in range(1, 5)]
    body = "\n".join(json.dumps(x) for x in lines)
    got = page.evaluate(
        """(body) => fetch('/api/v1/events', {method: 'POST', credentials: 'same-origin', body: body,
             headers: {'X-CSRF-Token': vl.csrf(), 'Content-Type': 'application/x-ndjson'}}).then(r => r.json())""",
        body,
    )
    fired = [a for a in got["alerts"] if a["status"] == "firing"]
    assert [(a["rule"], a["entity_id"]) for a in fired] == [("error_burst", "B002")]
    row = page.locator(f"#alert-{fired[0]['id']}")
    expect(row).to_be_visible(timeout=10_000)
    row.locator("button.ack").click()
    page.get_by_role("dialog").get_by_label("处理说明（可选）").fill("网点排查中")
    page.get_by_role("dialog").get_by_role("button", name="确认").click()
    expect(page.locator(f"#alert-{fired[0]['id']} td.acked")).to_contain_text("ana")
    page.fill("#silence-form input[name=matchers]", "alertname=traffic_anomaly")
    page.fill("#silence-form input[name=days]", "sat,sun")
    page.fill("#silence-form input[name=comment]", "周末")
    page.click("#silence-form button[type=submit]")
    expect(page.locator("#silences")).to_contain_text("alertname=traffic_anomaly")
    page.screenshot(path=str(tmp_path / "alerts-zh.png"), full_page=True)
    page.click("#lang-en")
    expect(page.locator("h1")).to_have_text("Alerts")


def test_create_an_action_from_a_finding(page: Page, server: str, tmp_path: Path) -> None:
    _sign_in(page, server)
    page.locator("#findings a").first.click()  # a top finding's unit
    expect(page).to_have_url(re.compile(r"/units/\w+$"))
    button = page.locator("button.from-finding").first
    finding = button.get_attribute("data-finding")
    button.click()
    expect(page.locator("#finding-dialog")).to_be_visible()
    expect(page.locator("#finding-owner")).to_have_value("ana")
    page.fill("#finding-department", "运营部")
    page.screenshot(path=str(tmp_path / "from-finding-form.png"), full_page=True)
    page.click("#finding-submit")
    expect(page).to_have_url(re.compile(r"/actions/\d+$"))
    expect(page.locator("#action-status")).to_have_attribute("data-status", "proposed")
    expect(page.locator("#action-links a.link-finding")).to_have_text(str(finding))
    expect(page.locator("#action-history")).to_contain_text("ana")
    page.screenshot(path=str(tmp_path / "action-detail.png"), full_page=True)
    page.click("#action-links a.link-finding")  # back to the unit, at the finding
    expect(page.locator(f"#finding-{finding}")).to_be_visible()


def test_value_stream_chart(page: Page, server: str, tmp_path: Path) -> None:
    _sign_in(page, server)
    page.click("#nav-vsm")
    expect(page.locator("h1")).to_have_text("价值流")
    chart = page.locator("#chart-vsm")
    expect(chart).to_have_attribute("data-rendered", "1")
    assert _distinct_colours(chart.screenshot(path=str(tmp_path / "vsm.png"))) > 5, "the VSM chart is blank"
    expect(page.locator("#vsm-bottleneck")).not_to_have_text("—")
    expect(page.locator("#vsm-steps tr.bottleneck")).to_have_count(1)
    expect(page.locator("#vsm-handoffs")).to_contain_text("运营部")
    last = page.locator("#vsm-period option").nth(1)
    page.select_option("#vsm-period", last.get_attribute("value"))
    page.click("#vsm-show")
    expect(page).to_have_url(re.compile(r"period=\d{4}-\d{2}"))
    expect(page.locator("#chart-vsm")).to_have_attribute("data-rendered", "1")
    page.click("#lang-en")
    expect(page.locator("h1")).to_have_text("Value streams")
    expect(page.locator("#vsm-steps")).to_contain_text("Intake")
    page.screenshot(path=str(tmp_path / "vsm-en.png"), full_page=True)


def test_upload_refuses_a_wrong_type_and_summarises_a_csv(page: Page, server: str, tmp_path: Path) -> None:
    _sign_in(page, server)
    page.click("#nav-upload")
    expect(page.locator("h1")).to_have_text("数据上传")
    page.select_option("#upload-dataset", "customers")
    wrong = tmp_path / "customers.txt"
    wrong.write_text("customer_id\nU1\n", encoding="utf-8")
    page.set_input_files("#upload-files", str(wrong))
    page.click("#upload-submit")
    expect(page.locator("#upload-error")).to_be_visible()
    expect(page.locator("#upload-error-message")).to_contain_text("unsupported file type")
    expect(page.locator("#upload-result")).to_be_hidden()
    page.screenshot(path=str(tmp_path / "upload-refused.png"), full_page=True)
    good = tmp_path / "customers.csv"
    good.write_text(
        "customer_id,industry,age_band,spend_tier,region,vip\nUX9001,retail,25-34,high,east,true\n,retail,25-34,low,east,false\n",
        encoding="utf-8",
    )
    page.set_input_files("#upload-files", str(good))
    page.click("#upload-submit")
    expect(page.locator("#upload-result")).to_be_visible()
    expect(page.locator("#upload-error")).to_be_hidden()
    expect(page.locator("#result-read")).to_have_text("2")
    expect(page.locator("#result-stored")).to_have_text("1")
    expect(page.locator("#result-quarantined")).to_have_text("1")
    expect(page.locator("#result-error-rows tr")).to_have_count(1)
    expect(page.locator("#result-error-rows")).to_contain_text("customer_id")
    page.screenshot(path=str(tmp_path / "upload-done.png"), full_page=True)


def test_voice_shows_sentiment_trend_and_quotes(page: Page, server: str, tmp_path: Path) -> None:
    _sign_in(page, server)
    page.goto(f"{server}/voice")
    chart = page.locator("#chart-sentiment")
    expect(chart).to_have_attribute("data-rendered", "1")
    assert _distinct_colours(chart.screenshot(path=str(tmp_path / "sentiment.png"))) > 5, "the sentiment chart is blank"
    topics = page.locator("#quotes .quote-topic")
    expect(topics.first).to_be_visible()
    assert topics.count() >= 3
    quotes = page.locator("#quotes blockquote.quote")
    assert quotes.count() >= 2 * topics.count() - 1
    assert all(m.strip() for m in page.locator("#quotes blockquote.quote mark").all_inner_texts())
    page.screenshot(path=str(tmp_path / "voice-quotes.png"), full_page=True)


def test_overview_shows_live_alerts(page: Page, server: str, tmp_path: Path) -> None:
    import json

    _sign_in(page, server)
    expect(page.locator("#live-alerts")).to_be_visible()  # the demo replayed alerts: the panel is there
    start = int(time.time() // 60 * 60) - 5 * 3600  # after the demo's replayed weeks and the alerts test's burst
    lines = [{"type": "error", "ts": start + k, "entity_id": "B003"} for k in range(12)]
    lines += [{"type": "interaction_opened", "ts": start + 60 * m + 5, "entity_id": "B003"} for m in range(1, 5)]
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    got = page.evaluate(
        """([body, csrf]) => fetch('/api/v1/events', {method: 'POST', credentials: 'same-origin', body: body,
             headers: {'X-CSRF-Token': csrf, 'Content-Type': 'application/x-ndjson'}}).then(r => r.json())""",
        ["\n".join(json.dumps(x) for x in lines), csrf],
    )
    assert any(a["status"] == "firing" and a["entity_id"] == "B003" for a in got["alerts"])
    page.reload()
    rows = page.locator("#live-alert-rows")
    expect(rows).to_contain_text("上海闵行支行 (B003)")
    expect(rows).to_contain_text("故障/错误事件突增")  # the rule's summary in the page's language, not its id
    assert page.locator("#live-alert-rows tr").count() <= 6  # header + top 5
    page.screenshot(path=str(tmp_path / "overview-live-alerts.png"), full_page=True)
    page.click("#all-alerts")
    expect(page).to_have_url(f"{server}/alerts")
