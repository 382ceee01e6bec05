"""Every dashboard page in zh-CN speaks business language: no rule, indicator, level, role or method ids as text.

(The models page is the one place ids are part of the content: it shows what the model file says.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from valueloop.diagnosis.findings import RuleName
from valueloop.evaluation.service.directory import below, indicator_catalogue, unit_directory
from valueloop.store.workspace import Workspace

PAGES = ("/", "/rankings", "/units/B016", "/units/R01", "/units/B016/indicators/resolution_time", "/alerts", "/actions",
         "/actions/1", "/actions/2", "/experiments", "/vsm", "/accounts", "/voice", "/upload",
         "/units/B016/indicators/resolution_time/records", "/units/B016/indicators/complaint_rate/records",
         "/subscriptions", "/rankings?segment=vip:true&level=branch")  # fmt: skip
CODES = {*(r.value for r in RuleName), "welch_t", "two_proportion_z", "branch", "region", "analyst", "manager",
         "error_burst", "traffic_anomaly", "critical", "warning", "in_progress", "inhibited", "silenced"}  # fmt: skip


class _Text(HTMLParser):
    """The text a person reads: element content outside scripts and styles (no attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.mark.parametrize("path", PAGES)
def test_no_code_is_visible_in_chinese(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], demo: Workspace, path: str
) -> None:
    got = app_client.get(path, headers=as_role("admin"), params={"lang": "zh-CN"})
    assert got.status_code == 200, got.text[:300]
    text = _visible(got.text)
    codes = CODES | set(indicator_catalogue(demo))
    if path == "/accounts":  # the test users are named after their roles ("analyst", "manager")
        codes -= {"analyst", "manager"}
    found = sorted({c for c in codes if re.search(rf"(?<![\w/.-]){re.escape(c)}(?![\w/-])", text)})
    assert not found, f"{path} shows codes {found}"


def test_an_unknown_unit_is_not_found(app_client: TestClient, as_role: Callable[[str], dict[str, str]]) -> None:
    got = app_client.get("/units/NOPE", headers=as_role("analyst"))
    assert got.status_code == 404 and "NOPE" in got.text
    assert app_client.get("/units/B016/indicators/no_such", headers=as_role("analyst")).status_code == 404


def test_a_region_head_sees_the_region_through_its_branches(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], demo: Workspace
) -> None:
    """The model scores branches; the region's page lists its branches' scores and their findings, not "no results"."""
    html = app_client.get("/units/R01", headers=as_role("manager"), params={"lang": "zh-CN"}).text
    assert 'id="rollup-units"' in html and 'id="empty"' not in html
    branches = [u for u in below(unit_directory(demo), "R01") if unit_directory(demo)[u].level == "branch"]
    assert branches and all(f"/units/{b}" in html for b in branches)


def test_rankings_keep_one_region(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], demo: Workspace
) -> None:
    units = unit_directory(demo)
    html = app_client.get("/rankings", headers=as_role("analyst"), params={"region": "R01"}).text
    shown = set(re.findall(r'href="/units/(\w+)"', html))
    assert shown and shown <= below(units, "R01") and 'id="ranking-region"' in html
    every = set(re.findall(r'href="/units/(\w+)"', app_client.get("/rankings", headers=as_role("analyst")).text))
    assert shown < every


def test_a_region_heads_landing_page_is_the_regions_roll_up(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]]
) -> None:
    """The manager is bound to R01: ``/`` takes them to R01's page, and the menu's first entry is that page."""
    first = app_client.get("/", headers=as_role("manager"), follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/units/R01"
    html = app_client.get("/", headers=as_role("manager"), params={"lang": "zh-CN"}).text
    nav = html.split("<nav>")[1].split("</nav>")[0]
    assert 'id="rollup-units"' in html and 'id="nav-home" href="/units/R01"' in nav and "我的机构" in nav
    assert 'href="/"' not in nav and 'id="nav-reports"' not in nav
    assert app_client.get("/", headers=as_role("analyst"), follow_redirects=False).status_code == 200
