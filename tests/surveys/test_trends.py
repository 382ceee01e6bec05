"""Survey trends per day/week/month, in all and per unit and channel (counted by hand), through the CLI, the
API and the survey analytics page (chart, bias check, SERVQUAL gaps)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from conftest import CliRun
from surveys.conftest import NOW, write_survey
from surveys.test_servqual import QUALITY
from valueloop.accounts.service.accounts import Role, add_user, create_token
from valueloop.errors import InputError
from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.store.workspace import Workspace
from valueloop.surveys.fatigue import Resolved
from valueloop.surveys.service.answers import open_form, submit
from valueloop.surveys.service.invitations import export_links, plan
from valueloop.surveys.service.links import unit_links
from valueloop.surveys.service.trends import survey_trends

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

LATER = NOW + timedelta(days=7)  # NOW is Wednesday 2026-06-10; LATER is in the week of Monday 2026-06-15


def _token(url: str) -> str:
    return url.rsplit("/s/", 1)[1]


@pytest.fixture
def answered(sws: Workspace) -> Workspace:
    """Week 1: I1 (C1, B001) and I2 (C2, B002) invited and delivered; C1 answers CSAT 4, NPS 10 at once.
    Week 2: X1 (C9, B001) invited and delivered, never answered; C2 answers late (CSAT 2, NPS 3); a walk-in
    answer through B001's QR code (CSAT 5, NPS 9)."""
    plan(sws, "after_service", NOW, dry_run=False)
    links = {r.customer_id: _token(r.url) for r in export_links(sws, "after_service", "https://x", NOW)}
    submit(sws, links["C1"], {"q.csat": ["4"], "q.nps": ["10"]}, "zh", NOW)
    plan(
        sws,
        "after_service",
        LATER,
        dry_run=False,
        candidates=[Resolved("X1", "B001", LATER - timedelta(hours=3), "C9")],
    )
    export_links(sws, "after_service", "https://x", LATER)
    submit(sws, links["C2"], {"q.csat": ["2"], "q.nps": ["3"], "q.why": ["slow"]}, "zh", LATER + timedelta(days=1))
    (qr,) = unit_links(sws, "after_service", ["B001"], "https://x", LATER)
    submit(sws, open_form(sws, _token(qr.url), LATER).post_token, {"q.csat": ["5"], "q.nps": ["9"]}, "en", LATER)
    return sws


def _rows(points: list) -> list[tuple]:  # type: ignore[type-arg]
    return [(p.period, p.entity_id, p.channel, p.invited, p.delivered, p.answered, p.response_rate, p.responses,
             p.csat, p.nps) for p in points]  # fmt: skip


def test_weekly_and_monthly_totals_match_the_hand_count(answered: Workspace) -> None:
    week = survey_trends(answered, "after_service", "week")
    assert _rows(week.points) == [
        (date(2026, 6, 8), "*", "*", 2, 2, 2, 1.0, 1, 4.0, 100.0),  # C2's late answer counts for its invitation
        (date(2026, 6, 15), "*", "*", 1, 1, 0, 0.0, 2, 3.5, 0.0),  # … and as an answer received in week 2
    ]
    (month,) = survey_trends(answered, "after_service", "month").points
    assert (month.invited, month.answered, month.responses) == (3, 2, 3)
    assert month.response_rate == pytest.approx(2 / 3) and month.csat == pytest.approx(11 / 3)
    assert month.nps == pytest.approx(100 / 3)  # promoters 10, 9; detractor 3
    days = survey_trends(answered, "after_service", "day").points
    assert [p.period for p in days] == [date(2026, 6, 10), date(2026, 6, 17), date(2026, 6, 18)]


def test_per_unit_and_channel(answered: Workspace) -> None:
    got = survey_trends(answered, "after_service", "week", ["unit", "channel"])
    assert got.by == ["unit", "channel"]
    week2 = [r for r in _rows(got.points) if r[0] == date(2026, 6, 15)]
    assert week2 == [
        (date(2026, 6, 15), "B001", "export", 1, 1, 0, 0.0, 0, None, None),
        (date(2026, 6, 15), "B001", "walk-in", 0, 0, 0, None, 1, 5.0, 100.0),
        (date(2026, 6, 15), "B002", "export", 0, 0, 0, None, 1, 2.0, -100.0),
    ]
    scoped = survey_trends(answered, "after_service", "month", [], frozenset({"B002"}))
    assert [(p.invited, p.responses) for p in scoped.points] == [(1, 1)]
    assert survey_trends(answered, "after_service", "week", since=LATER).points[0].invited == 1
    with pytest.raises(InputError, match="unknown period 'year'"):
        survey_trends(answered, "after_service", "year")
    with pytest.raises(InputError, match="cannot group by 'agent'"):
        survey_trends(answered, "after_service", "week", ["agent"])


def test_cli_and_api(answered: Workspace, cli: CliRun) -> None:
    out = cli("surveys", "trends", "after_service", "--period", "month", "--by", "unit", "-w", answered.root,
              "--format", "json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["period"] == "month" and [p["entity_id"] for p in got["points"]] == ["B001", "B002"]
    bad = cli("surveys", "trends", "after_service", "--period", "year", "-w", answered.root)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    add_user(answered, "mgr", "correct horse battery", Role.manager, ["B002"])
    head = {"Authorization": f"Bearer {create_token(answered, 'mgr', 'tests', [])[1]}"}
    with TestClient(create_app(ApiSettings(workspace=answered.root)), base_url="https://testserver") as client:
        api = client.get("/api/v1/surveys/after_service/trends?period=week&by=channel", headers=head).json()
        assert [(p["period"], p["channel"], p["invited"], p["responses"]) for p in api["points"]] == [
            ("2026-06-08", "export", 1, 0),
            ("2026-06-15", "export", 0, 1),
        ]  # a manager of B002 sees B002's only
        stats = client.get("/api/v1/surveys/after_service/stats", headers=head).json()
        assert stats["total"]["invited"] == 1 and stats["walk_in"] == 0


@pytest.fixture
def dashboard(answered: Workspace) -> Iterator[tuple[TestClient, dict[str, str]]]:
    add_user(answered, "ana", "correct horse battery", Role.analyst, [])
    head = {"Authorization": f"Bearer {create_token(answered, 'ana', 'tests', [])[1]}"}
    with TestClient(create_app(ApiSettings(workspace=answered.root)), base_url="https://testserver") as client:
        yield client, head


def test_the_analytics_page_shows_figures_trend_bias_and_servqual(
    answered: Workspace, dashboard: tuple[TestClient, dict[str, str]]
) -> None:
    client, head = dashboard
    page = client.get("/surveys?lang=en&period=week", headers=head)
    assert page.status_code == 200, page.text
    html = page.text
    chart = json.loads(html.split('id="chart-data"', 1)[1].split(">", 1)[1].split("</script>", 1)[0])
    assert chart["surveytrend"]["invited"] == [2, 1] and chart["surveytrend"]["rate"] == [100.0, 0.0]
    assert 'data-chart="surveytrend"' in html and 'id="trend"' in html and 'id="nav-surveys"' in html
    assert 'id="response-rate">66.7%' in html and 'id="bias"' in html and "<td>unit</td><td>chi-square</td>" in html
    write_survey(answered, QUALITY, "quality.yaml")
    write_survey(answered, "id: broken\ntitle: <b>x</b>\nquestions: []\n", "broken.yaml")
    other = client.get("/surveys?survey=quality&lang=zh", headers=head).text
    assert 'id="servqual"' in other and "SERVQUAL 差距" in other and "broken.yaml" in other
    assert "<b>x</b>" not in other  # escaped like every page
    assert client.get("/surveys?survey=nope&period=year", headers=head).status_code == 200  # the first survey
