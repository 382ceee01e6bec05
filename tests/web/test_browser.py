"""The dashboard in a real browser: sign in, the overview charts draw, switch language, sign out."""

from __future__ import annotations

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
        kind, line = raw[pos], bytearray(raw[pos + 1: pos + 1 + stride])
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
        seen.update(bytes(line[i: i + 3]) for i in range(0, stride, channels))
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
