"""The drill-down's last step: the records behind an indicator value, as JSON, a page and a CSV download.

The rows are the ones the value was computed from (their count is the explanation's ``n``),
come in a stable order across pages, stay inside the caller's units, and download inert.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from api.conftest import MANAGER_UNIT
from valueloop.diagnosis.service.drill import RecordPage
from valueloop.evaluation.service.directory import below, unit_directory
from valueloop.evaluation.service.scores import entity_scores
from valueloop.http.web import drill_page
from valueloop.store.workspace import Workspace

API = "/api/v1/scores/{unit}/indicators/{ind}/records"
PAGE = "/units/{unit}/indicators/{ind}/records"


def _n(ws: Workspace, unit: str, indicator: str) -> int:
    rows = entity_scores(ws, unit, None, None).indicator_rows
    return int(next(r for r in rows if r["indicator"] == indicator)["n"])


@pytest.mark.parametrize("indicator", ["resolution_time", "professionalism", "first_response", "csat"])
def test_the_records_are_the_ones_the_value_counts(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], demo: Workspace, indicator: str
) -> None:
    """A duration, a rate, a filtered duration and a filtered mean: as many rows as the stored ``n``."""
    got = app_client.get(API.format(unit="B016", ind=indicator), headers=as_role("analyst"), params={"limit": 500})
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["total"] == len(body["rows"]) == _n(demo, "B016", indicator)
    assert body["period"] == entity_scores(demo, "B016", None, None).period
    times = [r[body["columns"].index("opened_at" if "opened_at" in body["columns"] else "submitted_at")]
             for r in body["rows"]]  # fmt: skip
    assert times == sorted(times, reverse=True) and all(body["start"] <= t < body["end"] for t in times)


def test_a_ratio_has_its_numerator_and_denominator(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]]
) -> None:
    url = API.format(unit="B016", ind="complaint_rate")
    num = app_client.get(url, headers=as_role("analyst")).json()
    den = app_client.get(url, headers=as_role("analyst"), params={"part": "denominator"}).json()
    assert [p["name"] for p in num["parts"]] == ["numerator", "denominator"]
    assert (num["dataset"], den["dataset"]) == ("feedback", "interactions")
    assert num["filters"] == ["kind == complaint"]
    kinds = {r[num["columns"].index("kind")] for r in num["rows"]}
    assert kinds <= {"complaint"}
    bad = app_client.get(url, headers=as_role("analyst"), params={"part": "rows"})
    assert bad.status_code == 400 and "numerator, denominator" in bad.text
    derived = app_client.get(API.format(unit="B016", ind="nps"), headers=as_role("analyst"))
    assert derived.status_code == 400 and "derived" in derived.text


def test_pages_are_stable_and_do_not_overlap(app_client: TestClient, as_role: Callable[[str], dict[str, str]]) -> None:
    url = API.format(unit="B016", ind="resolution_time")
    whole = app_client.get(url, headers=as_role("analyst"), params={"limit": 6}).json()["rows"]
    first = app_client.get(url, headers=as_role("analyst"), params={"limit": 3}).json()["rows"]
    second = app_client.get(url, headers=as_role("analyst"), params={"limit": 3, "offset": 3}).json()["rows"]
    assert first + second == whole and len(whole) == 6
    assert app_client.get(url, headers=as_role("analyst"), params={"limit": 0}).status_code == 422


def test_a_scoped_manager_gets_only_own_rows(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], demo: Workspace
) -> None:
    """The manager is bound to R01: its branches answer, another region's branch is a missing unit."""
    h = as_role("manager")
    own = app_client.get(API.format(unit="B001", ind="resolution_time"), headers=h, params={"limit": 500}).json()
    seen = below(unit_directory(demo), MANAGER_UNIT)
    assert own["rows"] and {r[own["columns"].index("entity_id")] for r in own["rows"]} <= seen
    other = "B016"
    for path in (API, PAGE, PAGE + ".csv"):
        got = app_client.get(path.format(unit=other, ind="resolution_time"), headers=h)
        assert got.status_code == 404, path
        assert "成都" not in got.text and "<td" not in got.text


def test_the_page_words_the_rows_and_links_back(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]]
) -> None:
    html = app_client.get(PAGE.format(unit="B016", ind="resolution_time"), headers=as_role("analyst"),
                          params={"lang": "zh-CN"}).text  # fmt: skip
    assert 'href="/units/B016/indicators/resolution_time"' in html and 'id="back-to-unit" href="/units/B016"' in html
    assert "受理时间" in html and "成都武侯" in html and 'id="records-export"' in html
    explain = app_client.get("/units/B016/indicators/resolution_time", headers=as_role("analyst")).text
    assert 'href="/units/B016/indicators/resolution_time/records"' in explain
    ratio = app_client.get(PAGE.format(unit="B016", ind="complaint_rate"), headers=as_role("analyst"),
                           params={"lang": "zh-CN", "part": "denominator"}).text  # fmt: skip
    assert 'id="part-numerator"' in ratio and "分母" in ratio
    derived = app_client.get(PAGE.format(unit="B016", ind="nps"), headers=as_role("analyst"))
    assert derived.status_code == 200 and 'id="records-derived"' in derived.text
    assert app_client.get(PAGE.format(unit="B016", ind="no_such"), headers=as_role("analyst")).status_code == 404


def test_the_csv_is_every_row_and_inert(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = PAGE.format(unit="B016", ind="resolution_time") + ".csv"
    got = app_client.get(url, headers=as_role("analyst"))
    assert got.status_code == 200 and got.text.startswith("\ufeffinteraction_id,")
    assert len(got.text.strip().splitlines()) == 1 + app_client.get(
        API.format(unit="B016", ind="resolution_time"), headers=as_role("analyst")).json()["total"]  # fmt: skip
    real = drill_page.record_export

    def hostile(*args: object, **kwargs: object) -> RecordPage:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        return found.model_copy(update={"rows": [['=HYPERLINK("http://x")', "+SUM(1)", "@SUM(A1)", "-2+3", 1.5]]})

    monkeypatch.setattr(drill_page, "record_export", hostile)
    text = app_client.get(url, headers=as_role("analyst")).text
    row = text.splitlines()[1]
    assert row.startswith("\"'=HYPERLINK") and ",'+SUM(1),'@SUM(A1),'-2+3,1.5" in row


def test_fix_first_is_one_service_for_the_page_and_the_api(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], demo: Workspace
) -> None:
    """``/api/v1/findings/priorities`` answers what the overview's panel shows, scoped like it."""
    got = app_client.get("/api/v1/findings/priorities", headers=as_role("analyst"))
    assert got.status_code == 200, got.text
    body = got.json()
    ids = [p["finding"]["id"] for p in body["priorities"]]
    assert ids and len(ids) <= 8 and {p["finding"]["period"] for p in body["priorities"]} == {body["period"]}
    overview = app_client.get("/", headers=as_role("analyst")).text.split('id="findings"')[1].split("</table>")[0]
    assert [row.split('"')[0] for row in overview.split('<tr id="finding-')[1:]] == ids
    severities = [p["finding"]["severity"] for p in body["priorities"]]
    assert severities == sorted(severities)  # critical before warning
    mine = app_client.get("/api/v1/findings/priorities", headers=as_role("manager"), params={"limit": 500}).json()
    assert {p["finding"]["entity_id"] for p in mine["priorities"]} <= below(unit_directory(demo), MANAGER_UNIT)
    one = app_client.get("/api/v1/findings/priorities", headers=as_role("analyst"), params={"entity": "R01"}).json()
    assert {p["finding"]["entity_id"] for p in one["priorities"]} <= below(unit_directory(demo), "R01")
    assert app_client.get("/api/v1/findings/priorities", headers=as_role("manager"),
                          params={"entity": "B016"}).status_code == 404  # fmt: skip
