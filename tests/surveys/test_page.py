"""The public page ``/s/{token}`` served by the app: answer on a phone, refusals as clear pages, hostile text inert."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from surveys.conftest import SURVEY, write_survey
from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace
from valueloop.surveys import tokens
from valueloop.surveys.ratelimit import RateLimit
from valueloop.surveys.service.answer_flush import flush_answers
from valueloop.surveys.service.catalog import secret
from valueloop.surveys.service.invitations import export_links, plan
from valueloop.surveys.service.links import unit_links

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def client(sws: Workspace) -> Iterator[TestClient]:
    app = create_app(ApiSettings(workspace=sws.root))
    with TestClient(app, base_url="https://testserver") as c:
        yield c


@pytest.fixture
def links(sws: Workspace) -> dict[str, str]:
    from valueloop.surveys.fatigue import Resolved

    now = datetime.now(UTC)
    fresh = [
        Resolved("I1", "B001", now - timedelta(hours=3), "C1"),
        Resolved("I2", "B002", now - timedelta(hours=3), "C2"),
    ]
    plan(sws, "after_service", now, dry_run=False, candidates=fresh)
    return {
        r.customer_id or "": "/s/" + r.url.rsplit("/s/", 1)[1]
        for r in export_links(sws, "after_service", "https://testserver", now + timedelta(hours=13))
    }


def _feedback(ws: Workspace) -> list[dict[str, object]]:
    flush_answers(ws)  # what the server's batcher does within a second
    wh = Warehouse(ws)
    rows: list[dict[str, object]] = wh.execute(wh.table("feedback")).to_dict("records")
    return rows


def test_the_page_is_in_the_browsers_language_with_labels_and_no_outside_assets(
    client: TestClient, links: dict[str, str]
) -> None:
    zh = client.get(links["C1"], headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert zh.status_code == 200 and '<html lang="zh-CN">' in zh.text and "您对本次服务满意吗" in zh.text
    en = client.get(links["C1"], headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in en.text and "How satisfied are you?" in en.text
    assert '<html lang="en">' in client.get(links["C1"] + "?lang=en", headers={"accept-language": "zh"}).text
    page = zh.text
    assert page.count('type="radio" name="q.csat"') == 5 and page.count('name="q.nps"') == 11
    assert re.search(r"<legend>您对本次服务满意吗？", page) and 'name="viewport"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from another site
    assert zh.headers["cache-control"] == "no-store" and "script-src 'self'" in zh.headers["content-security-policy"]
    assert 'data-show-question="nps" data-at-most="6"' in page


def test_answering_stores_feedback_and_a_second_answer_updates_it(
    client: TestClient, sws: Workspace, links: dict[str, str]
) -> None:
    url = links["C2"]
    ok = client.post(url + "?lang=en", data={"q.csat": "4", "q.nps": "9", "q.why": "ignored: nps is high"})
    assert ok.status_code == 200 and "Thank you" in ok.text
    again = client.post(url, data={"q.csat": "2", "q.nps": "3", "q.why": "too slow", "q.topics": ["speed", "staff"]})
    assert again.status_code == 200
    (row,) = _feedback(sws)
    assert (row["csat"], row["nps"], row["text"], row["customer_id"]) == (2, 3, "too slow", "C2")
    prefilled = client.get(url).text
    assert re.search(r'value="3" checked', prefilled) and ">too slow</textarea>" in prefilled


def test_bad_answers_are_refused_with_the_field_named_and_nothing_stored(
    client: TestClient, sws: Workspace, links: dict[str, str]
) -> None:
    bad = client.post(links["C1"] + "?lang=en", data={"q.csat": "7", "q.nps": "5", "q.why": "x" * 300})
    assert bad.status_code == 422
    assert "How satisfied are you?</a>: a whole number from 1 to 5" in bad.text
    assert "at most 200 characters (got 300)" in bad.text and 'aria-describedby="err-csat"' in bad.text
    huge = client.post(
        links["C1"], content=b"q.why=" + b"x" * 70_000, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert huge.status_code == 413
    broken = client.post(
        links["C1"], content=b"q.csat=\xff", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert broken.status_code == 422 and "not UTF-8" in broken.text
    superscript = client.post(links["C1"], data={"q.csat": "²", "q.nps": "5"})  # "²".isdigit() is True
    assert superscript.status_code == 422
    assert _feedback(sws) == []


def test_forged_expired_and_used_links_get_a_clear_page(
    client: TestClient, sws: Workspace, links: dict[str, str]
) -> None:
    url = links["C1"]
    assert client.get(url[:-4] + "AAAA").status_code == 404
    assert "not issued by this survey server" in client.get(url[:-4] + "AAAA?lang=en").text
    assert client.get("/s/not-a-token").status_code == 404
    expired = tokens.sign(secret(sws), "i", url.split(".")[1], datetime.now(UTC) - timedelta(seconds=1))
    page = client.get(f"/s/{expired}?lang=en")
    assert page.status_code == 410 and "expired" in page.text
    assert client.post(url[:-4] + "AAAA", data={"q.csat": "1"}).status_code == 404
    assert _feedback(sws) == []
    sws_survey = sws.root / "surveys" / "after_service.yaml"
    sws_survey.write_text(SURVEY.replace("edit_minutes", "x").replace("version: 1", "version: 1\nedit_minutes: 0"))
    assert client.post(url, data={"q.csat": "5"}).status_code == 200
    used = client.post(url + "?lang=en", data={"q.csat": "1"})
    assert used.status_code == 409 and "already answered" in used.text
    assert [r["csat"] for r in _feedback(sws)] == [5]


def test_a_broken_survey_file_gives_a_page_not_a_traceback(
    client: TestClient, sws: Workspace, links: dict[str, str]
) -> None:
    write_survey(sws, "id: after_service\nquestions: [oops\n")
    page = client.get(links["C1"] + "?lang=en")
    assert page.status_code == 503 and "Survey unavailable" in page.text


def test_another_surveys_broken_file_leaves_this_surveys_pages_working(
    client: TestClient, sws: Workspace, links: dict[str, str]
) -> None:
    """A YAML error (and a file that parses but is invalid) in other surveys: this survey's link still opens,
    its answer is stored, and its unit's QR form works; only the broken survey's own links answer 503."""
    write_survey(sws, "id: other\ntitle: x\nquestions: [oops\n", "other.yaml")
    write_survey(sws, "id: third\ntitle: x\nquestions: []\n", "third.yaml")
    page = client.get(links["C1"] + "?lang=en")
    assert page.status_code == 200 and "How did we do?" in page.text
    assert client.post(links["C1"], data={"q.csat": "4"}).status_code == 200
    (qr,) = unit_links(sws, "after_service", ["B002"], "https://testserver", datetime.now(UTC))
    form = client.get(qr.url.removeprefix("https://testserver"))
    action = re.search(r'action="(/s/r\.[^"?]+)', form.text)
    assert form.status_code == 200 and action
    assert client.post(action.group(1), data={"q.csat": "5"}).status_code == 200
    assert sorted(r["csat"] for r in _feedback(sws)) == [4, 5]


def test_posts_are_rate_limited_per_address(client: TestClient, links: dict[str, str]) -> None:
    client.app.state.survey_rate = RateLimit(limit=2, window=60)  # type: ignore[attr-defined]
    codes = [client.post(links["C1"], data={"q.csat": "x"}).status_code for _ in range(3)]
    assert codes == [422, 422, 429]


def test_a_unit_qr_link_opens_an_anonymous_form(client: TestClient, sws: Workspace) -> None:
    (link,) = unit_links(sws, "after_service", ["B001"], "https://testserver", datetime.now(UTC))
    page = client.get(link.url.removeprefix("https://testserver"))
    action = re.search(r'action="(/s/r\.[^"?]+)', page.text)
    assert page.status_code == 200 and action
    assert client.post(action.group(1), data={"q.csat": "5"}).status_code == 200
    (row,) = _feedback(sws)
    assert row["entity_id"] == "B001" and row["csat"] == 5


HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>\u202e"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if any(k.startswith("on") for k, _ in attrs) or (
            tag == "script" and dict(attrs).get("src") != "/static/survey.js"
        ):
            self.bad.append(tag)
        if tag == "img":
            self.bad.append(tag)


def test_hostile_text_in_a_survey_and_in_answers_is_inert(
    client: TestClient, sws: Workspace, links: dict[str, str]
) -> None:
    quoted = HOSTILE.replace('"', '\\"')
    write_survey(
        sws,
        SURVEY.replace('{zh: 服务回访, en: "How did we do?"}', f'"{quoted}"').replace(
            "{id: speed, text: {zh: 速度, en: Speed}}", f'{{id: speed, text: "{quoted}"}}'
        ),
    )
    sent = client.post(links["C1"], data={"q.csat": "2", "q.nps": "1", "q.why": HOSTILE})
    assert sent.status_code == 200
    page = client.get(links["C1"]).text
    parser = _Tags()
    parser.feed(page)
    assert parser.bad == [] and "&lt;script&gt;alert(1)" in page
    bad = client.post(links["C1"], data={"q.csat": "9", "q.why": HOSTILE}).text
    parser = _Tags()
    parser.feed(bad)
    assert parser.bad == []
