"""SMS, WeCom and DingTalk invitations through a real webhook receiver on loopback: each channel's body,
retried while the receiver fails, dead after the give-up age with the reason, resendable; never lost.
``surveys test-webhook`` posts a sample so a user can check their endpoint."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import CliRun, Webhook, free_port
from surveys.conftest import NOW, SURVEY, write_survey
from valueloop.errors import InputError
from valueloop.store.workspace import Workspace
from valueloop.surveys.service.contacts import read_contacts
from valueloop.surveys.service.delivery import Webhook as Hook
from valueloop.surveys.service.delivery import deliver_due, resend
from valueloop.surveys.service.invitations import list_invitations, plan
from valueloop.surveys.spec import Channel


def _invite(ws: Workspace, tmp_path: Path, channel: str) -> None:
    write_survey(ws, SURVEY.replace("channel: export", f"channel: {channel}"))
    contacts = tmp_path / "phones.csv"
    contacts.write_text('customer_id,note,phone\nC1,"called\ntwice",+86 138-0013-8000\nC2,,13900139000\n', "utf-8")
    plan(ws, "after_service", NOW, contacts=read_contacts(contacts, "phone"), dry_run=False)


@pytest.mark.parametrize("channel", ["sms", "wecom", "dingtalk"])
def test_each_channel_posts_its_own_body_once(sws: Workspace, tmp_path: Path, hook: Webhook, channel: str) -> None:
    _invite(sws, tmp_path, channel)
    hooks = {Channel(channel): Hook(hook.url, {"Authorization": "Bearer t0k"})}
    report = deliver_due(sws, None, "https://vl.example", NOW, webhooks=hooks)
    again = deliver_due(sws, None, "https://vl.example", NOW + timedelta(minutes=5), webhooks=hooks)
    assert (report.sent, again.sent, len(hook.bodies)) == (2, 0, 2)
    invs = {i.customer_id: i for i in list_invitations(sws)}
    assert {i.delivery for i in invs.values()} == {"sent"}
    body = next(b for b in hook.bodies if "8613800138000" in json.dumps(b))
    text = json.dumps(body, ensure_ascii=False)
    assert "https://vl.example/s/i." in text and "服务回访" in text and "C1" not in text  # no customer id
    assert hook.headers[0]["Authorization"] == "Bearer t0k" and hook.headers[0]["Idempotency-Key"]
    if channel == "sms":
        assert body["phone"] == "+8613800138000" and body["invitation_id"] == invs["C1"].invitation_id
        assert body["idempotencyKey"] == invs["C1"].invitation_id and "https://" in body["text"]
    elif channel == "wecom":
        assert body["msgtype"] == "text" and body["text"]["mentioned_mobile_list"] == ["+8613800138000"]
    else:
        assert body["msgtype"] == "text" and body["at"] == {"atMobiles": ["+8613800138000"], "isAtAll": False}
        assert body["text"]["content"].startswith("@+8613800138000 ")


def test_a_failing_receiver_delays_then_kills_but_never_loses(sws: Workspace, tmp_path: Path, hook: Webhook) -> None:
    _invite(sws, tmp_path, "sms")
    hooks = {Channel.sms: Hook(hook.url)}
    hook.status = 503
    first = deliver_due(sws, None, "https://x", NOW, webhooks=hooks)
    assert first.retried == 2 and all("HTTP 503" in e for e in first.errors)
    assert {(i.delivery, i.attempts, i.last_error) for i in list_invitations(sws)} == {("queued", 1, "HTTP 503: ")}
    assert deliver_due(sws, None, "https://x", NOW + timedelta(seconds=30), webhooks=hooks).retried == 0  # back-off
    dead = deliver_due(sws, None, "https://x", NOW + timedelta(hours=25), webhooks=hooks)
    assert dead.dead == 2 and {i.delivery for i in list_invitations(sws, delivery="dead")} == {"dead"}
    hook.status = 200
    assert len(resend(sws, [], NOW + timedelta(hours=26))) == 2
    back = deliver_due(sws, None, "https://x", NOW + timedelta(hours=26), webhooks=hooks)
    assert back.sent == 2 and {i.delivery for i in list_invitations(sws)} == {"sent"}


def test_nobody_listening_is_a_retry_and_an_unconfigured_channel_waits(sws: Workspace, tmp_path: Path) -> None:
    _invite(sws, tmp_path, "wecom")
    assert deliver_due(sws, None, "https://x", NOW).sent == 0  # no webhook for wecom: nothing tried
    assert {(i.delivery, i.attempts) for i in list_invitations(sws)} == {("queued", 0)}
    down = {Channel.wecom: Hook(f"http://127.0.0.1:{free_port()}/hook", timeout=2)}
    report = deliver_due(sws, None, "https://x", NOW, webhooks=down)
    assert report.retried == 2 and all("Connect" in e for e in report.errors)


def test_a_webhook_survey_invites_only_customers_with_a_mobile_number(sws: Workspace, tmp_path: Path) -> None:
    write_survey(sws, SURVEY.replace("channel: export", "channel: dingtalk"))
    decided = plan(sws, "after_service", NOW, contacts={"C1": "13800138000"})
    assert {r.customer_id: r.reason for r in decided.rows if not r.invite}.get(
        "C2"
    ) == "no mobile number for the customer"


def test_a_phone_contacts_file_is_checked_row_by_row(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text("customer_id,phone\nC1,12\nC2,(021) 5555-0101\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"p.csv:2: phone: '12' is not a mobile number"):
        read_contacts(f, "phone")
    f.write_text("customer_id,email\nC1,a@b.cn\n", encoding="utf-8")
    with pytest.raises(InputError, match="header needs customer_id and phone"):
        read_contacts(f, "phone")


def test_test_webhook_sends_a_sample_and_says_when_it_is_refused(cli: CliRun, hook: Webhook) -> None:
    ok = cli("surveys", "test-webhook", "dingtalk", "--webhook", hook.url, "--lang", "en", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["accepted"] is True
    assert hook.bodies[0]["msgtype"] == "text" and "/s/test" in hook.bodies[0]["text"]["content"]
    hook.status = 500
    refused = cli("surveys", "test-webhook", "sms", "--webhook", hook.url, "--webhook-header", "X-Token: s3")
    assert refused.returncode == 1 and "HTTP 500" in refused.stderr and "Traceback" not in refused.stderr
    assert hook.bodies[1]["phone"] == "13800000000" and hook.headers[1]["X-Token"] == "s3"
    missing = cli("surveys", "test-webhook", "wecom")
    assert missing.returncode == 2 and "VALUELOOP_WECOM_WEBHOOK" in missing.stderr
