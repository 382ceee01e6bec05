"""What an invitation says, per channel: the e-mail, and the JSON body each webhook channel expects. Pure.

An invitation carries the survey's title and the link only; the one piece of personal data a
webhook body holds is the mobile number the channel needs to reach the customer (the SMS
recipient; the member a WeCom or DingTalk group robot mentions). Formats (looked up, not guessed):

- SMS: a generic JSON webhook for the user's SMS gateway, ``{"phone", "text", "invitation_id"}``
  (the sender adds ``idempotencyKey``, as for the monitor's generic webhook).
- WeCom group robot ``msgtype: text``, ``text.content`` at most 2048 UTF-8 bytes,
  ``mentioned_mobile_list`` (https://developer.work.weixin.qq.com/document/path/91770).
- DingTalk custom robot ``msgtype: text`` with ``at.atMobiles``; the content must contain
  ``@<mobile>`` for the mention to show (https://open.dingtalk.com/document/orgapp/custom-robot-access).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from valueloop.surveys.spec import Channel, Survey

ZH_MAIL = "您好！\n\n感谢您近期使用我们的服务。请花一分钟告诉我们您的感受：\n{url}\n\n链接有效期至 {expires:%Y-%m-%d}。"
EN_MAIL = (
    "Hello,\n\nThank you for using our service. Please tell us how it went (one minute):\n{url}\n\n"
    "The link is valid until {expires:%Y-%m-%d}."
)
MAIL = {"zh": ("{title}", ZH_MAIL), "en": ("{title}", EN_MAIL)}
SHORT = {
    "zh": "【{title}】感谢您使用我们的服务，请花一分钟评价：{url} （{expires:%m-%d} 前有效）",
    "en": "{title}: thank you for using our service. Please tell us how it went: {url} (valid until {expires:%d %b})",
}
"""The text of an SMS or chat invitation: one short paragraph, the link in it."""
REMINDER = {"zh": "提醒：", "en": "Reminder: "}
WECOM_MAX_BYTES = 2048


def _key(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def message(survey: Survey, url: str, expires: datetime, lang: str, reminder: bool = False) -> dict[str, str]:
    """The e-mail: ``subject`` and plain ``text``."""
    key = _key(lang)
    subject, text = MAIL[key]
    prefix = REMINDER[key] if reminder else ""
    return {
        "subject": prefix + subject.format(title=survey.title.get(lang)),
        "text": text.format(url=url, expires=expires),
    }


def short_text(title: str, url: str, expires: datetime, lang: str, reminder: bool = False) -> str:
    """The invitation as one short paragraph (SMS, chat), in ``lang``."""
    key = _key(lang)
    return (REMINDER[key] if reminder else "") + SHORT[key].format(title=title, url=url, expires=expires)


def webhook_body(channel: Channel, text: str, phone: str, invitation_id: str) -> dict[str, Any]:
    """The JSON body ``channel`` expects for ``text`` addressed to ``phone``."""
    if channel is Channel.wecom:
        content = text.encode()[:WECOM_MAX_BYTES].decode(errors="ignore")
        return {"msgtype": "text", "text": {"content": content, "mentioned_mobile_list": [phone]}}
    if channel is Channel.dingtalk:
        return {
            "msgtype": "text",
            "text": {"content": f"@{phone} {text}"},
            "at": {"atMobiles": [phone], "isAtAll": False},
        }
    if channel is Channel.sms:
        return {"phone": phone, "text": text, "invitation_id": invitation_id}
    raise ValueError(f"{channel} is not a webhook channel")
