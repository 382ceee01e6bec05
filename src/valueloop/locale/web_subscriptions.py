"""Words of the subscriptions page (a user's period review PDFs by e-mail or webhook), zh and en.

A section of the catalogue (:mod:`valueloop.locale.catalogue`).
"""

from __future__ import annotations

SUBSCRIPTION_MESSAGES: dict[str, dict[str, str]] = {
    "subscriptions": {"zh": "报告订阅", "en": "Subscriptions"},
    "nav_subscriptions": {"zh": "订阅", "en": "Subscribe"},
    "sub_intro": {
        "zh": "定期收到您负责范围的期间回顾（PDF），通过电子邮件或 Webhook 送达。",
        "en": "Receive the period review of your scope (PDF) regularly, by e-mail or webhook.",
    },
    "sub_scope": {"zh": "报告覆盖范围", "en": "The review covers"},
    "sub_scope_all": {"zh": "全部单位", "en": "every unit"},
    "sub_scope_below": {"zh": "及其下属单位", "en": "and the units below"},
    "sub_cadence": {"zh": "频率", "en": "Cadence"},
    "sub_monthly": {"zh": "每月（上月回顾）", "en": "Monthly (last month)"},
    "sub_weekly": {"zh": "每周（本月至今）", "en": "Weekly (this month so far)"},
    "sub_channel": {"zh": "送达方式", "en": "Delivery"},
    "sub_email": {"zh": "电子邮件", "en": "E-mail"},
    "sub_webhook": {"zh": "Webhook 网址", "en": "Webhook"},
    "sub_target": {"zh": "收件地址", "en": "Address"},
    "sub_target_help": {"zh": "邮箱或 https:// 网址", "en": "e-mail or https:// URL"},
    "sub_lang": {"zh": "报告语言", "en": "Language"},
    "sub_lang_zh": {"zh": "中文", "en": "Chinese"},
    "sub_lang_en": {"zh": "英文", "en": "English"},
    "sub_last_sent": {"zh": "上次发送", "en": "Last sent"},
    "sub_never_sent": {"zh": "尚未发送", "en": "not sent yet"},
    "sub_last_failed": {"zh": "上次发送失败，将重试", "en": "last delivery failed; will retry"},
    "sub_delete": {"zh": "取消订阅", "en": "Unsubscribe"},
    "sub_confirm_delete": {"zh": "确定取消此订阅？", "en": "End this subscription?"},
    "sub_none": {"zh": "您还没有订阅。在下方填写即可订阅。", "en": "You have no subscriptions yet. Subscribe below."},
    "sub_new": {"zh": "新建订阅", "en": "New subscription"},
    "sub_add": {"zh": "订阅", "en": "Subscribe"},
    "sub_added": {"zh": "已订阅", "en": "Subscribed"},
    "sub_deleted": {"zh": "已取消订阅", "en": "Unsubscribed"},
    "sub_help": {
        "zh": "到期的订阅由管理员配置的定时任务发送；电子邮件需要服务器配置 SMTP。",
        "en": "Due subscriptions are sent by the scheduled job your administrator runs; e-mail needs the "
        "server's SMTP settings.",
    },
    "sub_bad_email": {"zh": "这不是有效的电子邮件地址。", "en": "That is not a valid e-mail address."},
    "sub_bad_url": {"zh": "这不是有效的 http(s) 网址。", "en": "That is not a valid http(s) URL."},
    "sub_too_many": {
        "zh": "每位用户最多 {max} 个订阅，请先取消一个。",
        "en": "At most {max} subscriptions per user; end one first.",
    },
    "sub_failed": {"zh": "无法订阅，请检查填写内容。", "en": "Could not subscribe; check the form."},
    "sub_not_found": {"zh": "没有这个订阅。", "en": "No such subscription."},
}
