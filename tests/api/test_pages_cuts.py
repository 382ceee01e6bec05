"""Every level and cut (issue 20): rankings by level and region with the parent's roll-up, field-level unit pages."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from valueloop.evaluation.service.directory import below, unit_directory
from valueloop.evaluation.service.evaluate import evaluate
from valueloop.evaluation.service.models import load_versions
from valueloop.evaluation.service.scores import run_levels, run_results
from valueloop.people.service.attribution import controllable_model
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]
FIELD = "field:agent_id"


@pytest.fixture(scope="module")
def agents(demo: Workspace) -> dict[str, object]:
    """The demo model also evaluated per agent (a field level): the run the level selector offers; then per
    branch again, so the latest run does not hold the agents."""
    branch = run_results(demo, None).model_dump()
    versions = [controllable_model(m) for m in load_versions(demo, branch["model"])]  # what an agent controls
    run = evaluate(demo, branch["model"], branch["period"], FIELD, versions=versions)
    assert run.results
    evaluate(demo, branch["model"], branch["period"])  # the latest run is the branch run again
    region = below(unit_directory(demo), "R01")  # the manager's region: pick an agent outside it
    agent = next(r.entity_id for r in run.results if r.entity_id not in region)
    return {"model": branch["model"], "period": branch["period"], "agent": agent}


def _units(html: str) -> set[str]:
    return set(re.findall(r'href="/units/([\w-]+)"', html.split('id="ranking"', 1)[-1]))


def test_the_level_selector_offers_the_models_levels_and_ranks_the_field_level(
    app_client: TestClient, as_role: Headers, agents: dict[str, object], demo: Workspace
) -> None:
    model = str(agents["model"])
    assert run_levels(demo)[model] == ["branch", FIELD]
    params = {"model": model, "level": FIELD, "lang": "zh-CN"}
    html = app_client.get("/rankings", headers=as_role("analyst"), params=params).text
    assert 'id="ranking-level"' in html and f'<option value="{FIELD}" selected>坐席</option>' in html
    branches = {u.entity_id for u in unit_directory(demo).values() if u.level == "branch"}
    assert agents["agent"] in _units(html) and not _units(html) & branches
    branch = app_client.get("/rankings", headers=as_role("analyst"), params={**params, "level": "branch"}).text
    assert _units(branch) <= branches and agents["agent"] not in _units(branch)


def test_rankings_show_the_parents_roll_up(
    app_client: TestClient, as_role: Headers, agents: dict[str, object], demo: Workspace
) -> None:
    run = run_results(demo, None, str(agents["period"]), str(agents["model"]), "branch").model_dump()
    under = below(unit_directory(demo), "R01")
    mine = [r["score"] for r in run["results"] if r["entity_id"] in under and r["score"] is not None]
    every = [r["score"] for r in run["results"] if r["score"] is not None]
    params = {"model": agents["model"], "level": "branch", "lang": "en"}
    region = app_client.get("/rankings", headers=as_role("analyst"), params={**params, "region": "R01"}).text
    company = app_client.get("/rankings", headers=as_role("analyst"), params=params).text
    for html, scores in ((region, mine), (company, every)):
        rollup = html.split('id="ranking-rollup"', 1)[1].split("</div>", 1)[0]
        assert f"Scores of the {len(scores)} units below" in rollup
        assert f"<b>{sum(scores) / len(scores):,.2f}</b>" in rollup


def test_a_scoped_manager_cannot_pick_another_region(
    app_client: TestClient, as_role: Headers, agents: dict[str, object], demo: Workspace
) -> None:
    units = unit_directory(demo)
    other = next(u for u in units.values() if u.level == "region" and u.entity_id != "R01").entity_id
    params = {"model": agents["model"], "level": "branch", "region": other}
    html = app_client.get("/rankings", headers=as_role("manager"), params=params).text
    assert f'value="{other}"' not in html
    assert _units(html) and _units(html) <= below(units, "R01")
    got = app_client.get("/rankings.csv", headers=as_role("manager"), params=params).text
    ids = {row["entity_id"] for row in csv.DictReader(io.StringIO(got.lstrip("\ufeff")))}
    assert ids and ids <= below(units, "R01")


def test_exports_take_the_level_and_region(
    app_client: TestClient, as_role: Headers, agents: dict[str, object], demo: Workspace
) -> None:
    params = {"model": agents["model"], "level": "branch", "region": "R01"}
    got = app_client.get("/rankings.csv", headers=as_role("analyst"), params=params).text
    ids = {row["entity_id"] for row in csv.DictReader(io.StringIO(got.lstrip("\ufeff")))}
    assert ids and ids <= below(unit_directory(demo), "R01")
    field = app_client.get("/rankings.csv", headers=as_role("analyst"), params={**params, "level": FIELD}).text
    assert str(agents["agent"]) in {row["entity_id"] for row in csv.DictReader(io.StringIO(field.lstrip("\ufeff")))}


def test_a_field_level_member_has_a_unit_page(
    app_client: TestClient, as_role: Headers, agents: dict[str, object]
) -> None:
    got = app_client.get(f"/units/{agents['agent']}", headers=as_role("analyst"), params={"lang": "en"})
    assert got.status_code == 200 and 'id="unit-score"' in got.text and 'id="indicators"' in got.text
    assert 'id="empty"' not in got.text
    indicator = re.findall(rf'href="/units/{agents["agent"]}/indicators/(\w+)"', got.text)[0]
    explained = app_client.get(f"/units/{agents['agent']}/indicators/{indicator}", headers=as_role("analyst"))
    assert explained.status_code == 200  # the indicator rows of a field-level page open, as a branch's do
    assert app_client.get("/units/A_NOBODY", headers=as_role("analyst")).status_code == 404
    # a region head's scope is the tree: an agent id is not theirs
    assert app_client.get(f"/units/{agents['agent']}", headers=as_role("manager")).status_code == 404


def _svgs(html: str) -> list[str]:
    return re.findall(r'<svg class="sparkline".*?</svg>', html, re.S)


def test_fix_first_rows_carry_an_inert_trend_sparkline(app_client: TestClient, as_role: Headers) -> None:
    html = app_client.get("/units/B016", headers=as_role("analyst"), params={"lang": "en"}).text
    table = html.split('id="unit-findings"', 1)[1].split("</table>", 1)[0]
    svgs = _svgs(table)
    assert svgs and "Recent trend" in table
    for svg in svgs:
        assert re.search(r'role="img" focusable="false"\s+aria-label="[^"<>]*Recent trend: [^"]*\d', svg)
        assert "<polyline" in svg and not re.search(r"<(script|image|use|a|foreignObject)\b|\son\w+=|href", svg)
    overview = app_client.get("/", headers=as_role("analyst")).text
    assert _svgs(overview.split('id="findings"', 1)[1].split("</table>", 1)[0])


def test_a_hostile_unit_name_stays_text_in_the_sparkline() -> None:
    from valueloop.http.web.i18n import Translator
    from valueloop.http.web.render import templates
    from valueloop.http.web.sparkline import spark

    hostile = '"><script>alert(1)</script><svg onload=alert(2)>'

    class Names:
        def unit(self, uid: str) -> str:
            return hostile

        def ind(self, ind: str) -> str:
            return hostile

        def value(self, ind: str, v: float | None) -> str:
            return f"{v}"

    tr = Translator("en", None)
    s = spark([("2026-08", 1.0), ("2026-09", None), ("2026-10", 3.0)])
    html = templates.env.get_template("_sparkline.html").render(s=s, uid="x", ind="y", lb=Names(), tr=tr, t=tr.t)
    assert "script" not in html and "onload" not in html and html.count("<svg") == 1  # names stay in the row
    assert "1.0; " in html and "—; " in html and "3.0" in html  # the gap is said, not drawn as 0
    assert s.points.count(",") == 2


def test_findings_are_grouped_per_indicator_and_stale_ones_say_their_period(
    app_client: TestClient, as_role: Headers, demo: Workspace
) -> None:
    html = app_client.get("/units/R01", headers=as_role("analyst"), params={"lang": "en"}).text
    section = html.split('id="findings-by-indicator"', 1)[1].split("</section>", 1)[0]
    groups = re.findall(r'data-indicator="(\w+)"', section)
    assert groups and len(groups) == len(set(groups))
    latest = run_results(demo, None).period
    stale = re.findall(r'<span class="stale">Earlier finding · ([^<]+)</span>', section)
    assert stale  # the demo's findings are of June and May, its latest run of October
    assert all(label.strip() and latest not in label for label in stale)
