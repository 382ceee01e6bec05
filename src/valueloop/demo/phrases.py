"""What customers write about: themes with Chinese and English sentence templates.

A feedback text is an opener (by mood) + one theme sentence + a closer. Templates take
``{t}`` (a duration, rendered idiomatically per language) or ``{n}`` (a count or an
amount), so the same theme yields many distinct sentences and the number can echo
what actually happened (the minutes really waited). The emerging-topic theme
(``refund_delay``) always contains one of ``stories.TOPIC_KEYWORDS`` and no other
theme does, so the story can be counted exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Unit = Literal["duration", "count"]

MOODS: Final = ("positive", "neutral", "negative", "complaint")
POSITIVE, NEUTRAL, NEGATIVE, COMPLAINT = range(4)
LANGS: Final = ("zh", "en")

#: Minutes a ``{t}`` can say; the value closest above the real wait is used.
DURATIONS: Final = (1, 2, 3, 5, 8, 10, 15, 20, 30, 45, 60, 120, 180, 300, 480, 720, 1440, 2880, 4320, 7200, 10080)


@dataclass(frozen=True)
class Theme:
    key: str
    zh: tuple[str, ...]
    en: tuple[str, ...]
    values: tuple[int, ...] = (0,)
    unit: Unit = "count"
    positive: bool = False


def _t(
    key: str, *, zh: tuple[str, ...], en: tuple[str, ...], values: tuple[int, ...] = (0,), positive: bool = False
) -> Theme:
    """A theme; one that mentions a duration ``{t}`` can say any of :data:`DURATIONS`."""
    unit: Unit = "duration" if any("{t}" in s for s in zh) else "count"
    return Theme(key, zh, en, DURATIONS if unit == "duration" else values, unit, positive)


THEMES: Final = (
    _t(
        "slow_response",
        zh=("等了{t}才有人回复", "客服响应太慢，足足等了{t}", "提交问题后{t}都没人理", "排队等了{t}，效率太低"),
        en=(
            "I waited {t} before anyone replied",
            "Response was painfully slow, {t} before I heard back",
            "Nobody answered for {t}",
        ),
    ),
    _t(
        "phone_queue",
        zh=("热线电话排队{t}才接通", "打客服电话一直占线，等了{t}", "电话转人工要等{t}，一直在听音乐"),
        en=("I was stuck in the phone queue for {t}", "Hold time on the hotline was {t}"),
    ),
    _t(
        "slow_resolution",
        zh=("问题拖了{t}才解决", "前后花了{t}才处理完", "一个简单的问题折腾了{t}"),
        en=("It took {t} to get this sorted", "A simple issue dragged on for {t}"),
    ),
    _t(
        "rude_staff",
        zh=(
            "客服态度很差，说话很不耐烦",
            "工作人员爱答不理，问什么都说不知道",
            "接待人员语气生硬，感觉被敷衍了",
            "柜台人员一直在玩手机，态度冷淡",
        ),
        en=(
            "The agent was rude and impatient",
            "Staff were dismissive and clearly didn't care",
            "I felt brushed off by the person who served me",
        ),
    ),
    _t(
        "refund",
        zh=("退款流程太复杂，要填一堆资料", "退款审核要好几轮，太麻烦了", "申请退款被拒也不说明原因"),
        en=("The refund process is far too complicated", "My refund request was rejected without any explanation"),
    ),
    _t(
        "logistics",
        zh=("快递比承诺的晚了{n}天", "物流信息{n}天没更新了", "包裹送错了地址，来回折腾了{n}天"),
        en=("Delivery was {n} days late", "Tracking hasn't updated for {n} days"),
        values=(2, 3, 4, 5, 7),
    ),
    _t(
        "bot_wrong",
        zh=("智能客服答非所问", "机器人客服一直重复同样的话，转不了人工", "智能助手给的答案是错的，害我白跑一趟"),
        en=("The chatbot kept giving wrong answers", "The bot went round in circles and wouldn't let me reach a human"),
    ),
    _t(
        "app_crash",
        zh=("APP老是闪退", "APP一提交就报错，试了{n}次都不行", "APP登录不上，一直提示网络异常"),
        en=("The app keeps crashing", "The app threw an error every time I submitted, I tried {n} times"),
        values=(3, 4, 5, 6),
    ),
    _t(
        "reopened",
        zh=("同一个问题反复出现，已经是第{n}次联系你们了", "说好解决了，结果问题又来了，前后找了{n}次"),
        en=("The same problem came back, I have contacted you {n} times about it",),
        values=(2, 3, 4, 5),
    ),
    _t(
        "transfer",
        zh=("被转了好几个部门，每次都要重新说一遍", "转接了{n}次还没找到负责的人"),
        en=(
            "I was passed between departments and had to repeat myself every time",
            "Transferred {n} times and still nobody owned the problem",
        ),
        values=(2, 3, 4),
    ),
    _t(
        "billing",
        zh=("账单金额不对，多扣了{n}元", "莫名其妙被扣了{n}元费用", "费用说明不清楚，实际收了{n}元"),
        en=("I was overcharged {n} yuan", "There was an unexplained charge of {n} yuan on my bill"),
        values=(20, 50, 88, 100, 199, 300),
    ),
    _t(
        "no_follow_up",
        zh=("说好的回访一直没有", "处理完也没人跟进结果", "流程走了一半就没人管了"),
        en=("Nobody followed up as promised", "The case was left half-finished"),
    ),
    _t(
        "technical",
        zh=("网络故障报修{n}天了还没修好", "设备维修后同样的毛病又出现了", "系统故障导致业务办不了，等了{n}天"),
        en=("The fault I reported {n} days ago still isn't fixed", "The repair didn't last, the same fault is back"),
        values=(2, 3, 5, 7),
    ),
    _t(
        "account",
        zh=("账户被冻结也没人说明原因", "改个手机号要跑好几趟", "账户信息修改流程太繁琐"),
        en=("My account was frozen and nobody explained why", "Updating my details took several visits"),
    ),
    _t(
        "generic_negative",
        zh=("整体体验很差", "服务质量越来越差了", "完全没有解决我的问题"),
        en=("Overall a poor experience", "My problem was not solved at all"),
    ),
    _t(
        "helpful_staff",
        zh=(
            "客服很耐心，讲解得很清楚",
            "工作人员非常专业，一次就帮我解决了",
            "接待的工作人员态度特别好",
            "经理亲自跟进，很负责",
        ),
        en=("The agent was patient and explained everything clearly", "Very professional staff, sorted it first time"),
        positive=True,
    ),
    _t(
        "fast",
        zh=("响应很快，{t}就有人回复", "处理效率很高，{t}就搞定了"),
        en=("Quick response, someone got back to me within {t}", "Efficient service, all done in {t}"),
        positive=True,
    ),
    _t(
        "bot_good",
        zh=("智能客服很方便，半夜也能办", "机器人客服几秒钟就解决了问题"),
        en=(
            "The chatbot solved it instantly, even late at night",
            "The virtual assistant answered my question right away",
        ),
        positive=True,
    ),
    _t(
        "store_env",
        zh=("网点环境干净整洁，等候时间短", "营业厅排队不久，指引很清楚"),
        en=("The branch was clean and the wait was short", "Clear signs in the store and hardly any queue"),
        positive=True,
    ),
    _t(
        "overall_good",
        zh=("整体体验不错", "服务越来越好了", "问题解决得很彻底"),
        en=("Great experience overall", "The issue was fully resolved"),
        positive=True,
    ),
    _t(
        "refund_delay",
        zh=(
            "退款到账太慢了，申请{n}天了钱还没退回来",
            "换了新的支付渠道后退款到账特别慢，等了{n}天",
            "退款到账要{n}天？客服只说是第三方支付在处理",
            "又是退款到账慢，已经{n}天了，新合作的支付公司到底行不行",
        ),
        en=(
            "My refund has not arrived after {n} days, apparently the new payment partner is slow",
            "{n} days later my refund has not arrived",
            "Still waiting: my refund has not arrived ({n} days), support blames the new payment provider",
        ),
        values=(3, 5, 7, 10, 12, 15, 20, 30),
    ),
)
THEME_INDEX: Final = {t.key: i for i, t in enumerate(THEMES)}

OPENERS: Final[dict[tuple[str, int], tuple[str, ...]]] = {
    ("zh", POSITIVE): ("", "很满意！", "点赞，", "这次体验不错，", "必须好评，", "非常感谢，"),
    ("zh", NEUTRAL): ("总体还行，但是", "一般般，", "还可以吧，不过", "马马虎虎，", "中规中矩，"),
    ("zh", NEGATIVE): ("", "非常失望，", "体验很差，", "说实话，", "太糟糕了！", "真的无语，"),
    ("zh", COMPLAINT): ("投诉：", "我要投诉！", "实名投诉，", "再次投诉，", "", "强烈投诉，"),
    ("en", POSITIVE): ("", "Very happy.", "Great service!", "Thanks a lot."),
    ("en", NEUTRAL): ("It was OK.", "Average experience.", "Not bad, not great."),
    ("en", NEGATIVE): ("", "Very disappointed.", "Terrible experience.", "Honestly not good enough."),
    ("en", COMPLAINT): ("Formal complaint:", "I want to complain.", "", "Complaining again."),
}
CLOSERS: Final[dict[tuple[str, int], tuple[str, ...]]] = {
    ("zh", POSITIVE): ("", "谢谢！", "会推荐给朋友。", "继续保持！", "五星好评。", "下次还来。"),
    ("zh", NEUTRAL): ("", "希望改进。", "还有提升空间。", "凑合吧。"),
    ("zh", NEGATIVE): ("", "希望尽快改进。", "很不满意。", "以后不会再用了。", "请给个说法！", "建议加强培训。"),
    ("zh", COMPLAINT): (
        "请尽快处理并回复。",
        "要求给个说法！",
        "如果不解决我会向监管部门反映。",
        "希望有专人跟进。",
        "",
        "已经忍无可忍了。",
    ),
    ("en", POSITIVE): ("", "Thank you!", "Would recommend.", "Keep it up!"),
    ("en", NEUTRAL): ("", "Room for improvement.", "Could be better."),
    ("en", NEGATIVE): ("", "Please fix this.", "I'm not happy.", "I won't use this service again."),
    ("en", COMPLAINT): (
        "Please respond as soon as possible.",
        "I expect a proper explanation.",
        "",
        "I will escalate this to the regulator if it is not resolved.",
    ),
}


def duration(minutes: int, lang: str) -> str:
    """A wait as people say it: 15分钟 / 3个小时 / 2天, 15 minutes / 3 hours / 2 days."""
    if minutes < 60:
        return f"{minutes}分钟" if lang == "zh" else f"{minutes} minute{'s' * (minutes > 1)}"
    hours, days = minutes // 60, minutes // 1440
    if days == 0:
        return f"{hours}个小时" if lang == "zh" else ("an hour" if hours == 1 else f"{hours} hours")
    return f"{days}天" if lang == "zh" else ("a day" if days == 1 else f"{days} days")


def render(template: str, value: int, lang: str) -> str:
    """One sentence with its number filled in and the language's full stop."""
    text = template.replace("{t}", duration(value, lang)).replace("{n}", str(value))
    return text + ("。" if lang == "zh" else ".")
