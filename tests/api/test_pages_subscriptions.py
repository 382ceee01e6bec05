"""The subscriptions page (issue 20): a signed-in user lists, adds and ends their own subscriptions in the page."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from api.conftest import sign_in
from valueloop.accounts.service.subscriptions import list_subscriptions, subscribe
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]


def _text(html: str) -> str:
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    return re.sub(r"<script.*?</script>|<[^>]+>", " ", main, flags=re.S)


def test_the_menu_links_the_page_and_it_names_the_scope(app_client: TestClient, as_role: Headers) -> None:
    html = app_client.get("/subscriptions", headers=as_role("manager"), params={"lang": "zh-CN"}).text
    assert 'id="nav-subscriptions" href="/subscriptions"' in html
    scope = html.split('id="sub-scope"', 1)[1].split("</p>", 1)[0]
    assert 'title="R01"' in scope and "华东大区" in scope and "及其下属单位" in scope
    assert 'id="no-subscriptions"' in html and 'id="sub-form"' in html and "prompt(" not in html
    every = app_client.get("/subscriptions", headers=as_role("analyst"), params={"lang": "zh-CN"}).text
    assert "全部单位" in every.split('id="sub-scope"', 1)[1].split("</p>", 1)[0]
    assert app_client.get("/subscriptions", follow_redirects=False).status_code == 303  # signed out: to the login


def test_a_user_subscribes_and_unsubscribes_in_the_page(app_client: TestClient, demo: Workspace) -> None:
    csrf = sign_in(app_client, "manager", "/subscriptions")
    h = {"X-CSRF-Token": csrf}
    try:
        form = {"csrf_token": csrf, "channel": "email", "target": "head@example.com", "cadence": "weekly"}
        assert app_client.post("/subscriptions/new", data=form).status_code == 403  # no CSRF header
        made = app_client.post("/subscriptions/new", data=form, headers=h, params={"lang": "zh-CN"})
        assert made.status_code == 200 and 'id="sub-notice"' in made.text and "已订阅" in made.text
        mine = list_subscriptions(demo, "manager")
        assert [(s.cadence, s.channel, s.target, s.lang) for s in mine] == [
            ("weekly", "email", "head@example.com", "zh")
        ]
        row = made.text.split(f'id="sub-{mine[0].subscription_id}"', 1)[1].split("</tr>", 1)[0]
        assert "每周（本月至今）" in row and "电子邮件" in row and "尚未发送" in row
        sid = mine[0].subscription_id
        gone = app_client.post(f"/subscriptions/{sid}/delete", data={"csrf_token": csrf}, headers=h)
        assert gone.status_code == 200 and 'id="sub-notice"' in gone.text and not list_subscriptions(demo, "manager")
    finally:
        app_client.cookies.clear()


def test_a_refusal_is_in_the_pages_language_and_keeps_the_form(app_client: TestClient, demo: Workspace) -> None:
    csrf = sign_in(app_client, "analyst", "/subscriptions")
    try:
        form = {"csrf_token": csrf, "channel": "email", "target": "not an address"}
        got = app_client.post("/subscriptions/new", data=form, headers={"X-CSRF-Token": csrf}, params={"lang": "zh-CN"})
        assert got.status_code == 200 and "这不是有效的电子邮件地址" in got.text and "is not an e-mail" not in got.text
        assert 'value="not an address"' in got.text and not list_subscriptions(demo, "analyst")
    finally:
        app_client.cookies.clear()


def test_another_users_subscription_is_neither_shown_nor_ended(app_client: TestClient, demo: Workspace) -> None:
    theirs = subscribe(demo, "analyst", "monthly", "webhook", "https://hooks.example/<b>x</b>")
    csrf = sign_in(app_client, "viewer", "/subscriptions")
    try:
        html = app_client.get("/subscriptions").text
        assert "hooks.example" not in html
        h = {"X-CSRF-Token": csrf}
        got = app_client.post(f"/subscriptions/{theirs.subscription_id}/delete", data={"csrf_token": csrf}, headers=h)
        assert 'id="sub-error"' in got.text and any(s.subscription_id == theirs.subscription_id
                                                   for s in list_subscriptions(demo, "analyst"))  # fmt: skip
        csrf = sign_in(app_client, "analyst", "/subscriptions")
        own = app_client.get("/subscriptions").text
        assert "https://hooks.example/&lt;b&gt;x&lt;/b&gt;" in own and "<b>x</b>" not in own  # user-set text is inert
    finally:
        app_client.cookies.clear()


def test_the_chinese_page_shows_no_codes(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    subscribe(demo, "admin", "monthly", "webhook", "https://hooks.example/review", "en")
    text = _text(app_client.get("/subscriptions", headers=as_role("admin"), params={"lang": "zh-CN"}).text)
    for code in ("monthly", "weekly", "email", "webhook", "Subscribe", "Delivery", " en ", " zh "):
        assert code not in text, code
