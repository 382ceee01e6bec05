"""The public answer page ``/s/{token}``: no login, one tap per question, Chinese or English.

GET shows the form of a genuine, unexpired, unused link; POST checks and stores the answer
(:mod:`valueloop.surveys.service.answers`). Every refusal is a page a respondent understands,
with a status a machine does too: 404 for a link that is not ours, 410 expired, 409 used up,
422 with each refused field named next to its question, 413 for an oversized form, 429 past
the per-address rate limit, 503 while the survey file is broken. Token-bearing pages are
never cached and send no referrer.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from valueloop.errors import SpecError
from valueloop.http.answer_batcher import AnswerBatcher
from valueloop.http.deps import Public, WorkspaceDep
from valueloop.http.web.render import templates
from valueloop.surveys.answers import MAX_FIELDS, PREFIX, SERVQUAL_PARTS, Answer
from valueloop.surveys.language import pick_language
from valueloop.surveys.ratelimit import RateLimit
from valueloop.surveys.service.answers import AnswerError, Form, open_form, submit
from valueloop.surveys.spec import CHOICES, LANGUAGES, SCALES, SERVQUAL_SCALE, Language, QuestionType, Survey
from valueloop.surveys.tokens import MAX_TOKEN, TokenError

router = APIRouter(include_in_schema=False)
MAX_FORM_BYTES = 64 * 1024
HTML_LANG = {"zh": "zh-CN", "en": "en"}
NO_STORE = {"cache-control": "no-store", "referrer-policy": "no-referrer"}

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "submit": "提交",
        "fix": "请修改以下回答：",
        "required": "必答",
        "language": "语言",
        "switch": "English",
        "thanks": "感谢您的反馈！",
        "thanks_text": "您的回答已收到。如需修改，可在短时间内再次打开此链接。",
        "low_nps": "完全不可能",
        "high_nps": "非常可能",
        "low_csat": "非常不满意",
        "high_csat": "非常满意",
        "low_ces": "非常困难",
        "high_ces": "非常容易",
        "servqual_e": "您的期望",
        "servqual_p": "实际感受",
        "low_servqual": "完全不同意",
        "high_servqual": "完全同意",
        "malformed": "链接无效",
        "forged": "链接无效",
        "expired": "链接已过期",
        "used": "已经回答过了",
        "malformed_text": "这不是有效的问卷链接，可能复制时被截断了。",
        "forged_text": "此链接不是本系统发出的。",
        "expired_text": "此问卷链接已过期，感谢您的关注。",
        "used_text": "此链接的问卷已经回答过了，感谢您的反馈！",
        "too_large": "回答过长",
        "too_large_text": "提交的内容超过了允许的大小，请缩短后重试。",
        "too_many": "提交过于频繁",
        "too_many_text": "请稍后再试。",
        "unavailable": "问卷暂不可用",
        "unavailable_text": "此问卷正在维护，请稍后再试。",
        "form": "表单",
    },
    "en": {
        "submit": "Send",
        "fix": "Please correct these answers:",
        "required": "required",
        "language": "Language",
        "switch": "中文",
        "thanks": "Thank you for your feedback!",
        "thanks_text": "Your answer was received. You may open this link again shortly to change it.",
        "low_nps": "Not at all likely",
        "high_nps": "Extremely likely",
        "low_csat": "Very dissatisfied",
        "high_csat": "Very satisfied",
        "low_ces": "Very difficult",
        "high_ces": "Very easy",
        "servqual_e": "What you expected",
        "servqual_p": "What you experienced",
        "low_servqual": "Strongly disagree",
        "high_servqual": "Strongly agree",
        "malformed": "Invalid link",
        "forged": "Invalid link",
        "expired": "Link expired",
        "used": "Already answered",
        "malformed_text": "This is not a valid survey link; it may have been cut off when copied.",
        "forged_text": "This link was not issued by this survey server.",
        "expired_text": "This survey link has expired. Thank you for your interest.",
        "used_text": "This survey was already answered with this link. Thank you!",
        "too_large": "Answer too large",
        "too_large_text": "The form sent is larger than allowed; please shorten it.",
        "too_many": "Too many answers",
        "too_many_text": "Please try again later.",
        "unavailable": "Survey unavailable",
        "unavailable_text": "This survey is being fixed; please try again later.",
        "form": "form",
    },
}
STATUS = {"malformed": 404, "forged": 404, "expired": 410, "used": 409}


def _lang(request: Request, offered: tuple[Language, ...] = LANGUAGES) -> Language:
    return pick_language(request.query_params.get("lang"), request.headers.get("accept-language", ""), offered)


def _message(request: Request, lang: str, key: str, status: int, ok: bool = False) -> HTMLResponse:
    w = WORDS[lang]
    ctx = {"html_lang": HTML_LANG[lang], "heading": w[key], "message": w[f"{key}_text"], "ok": ok}
    return templates.TemplateResponse(request, "survey_message.html", ctx, status_code=status, headers=NO_STORE)


def _refusal(request: Request, err: TokenError | SpecError) -> HTMLResponse:
    lang = _lang(request)
    if isinstance(err, SpecError):
        return _message(request, lang, "unavailable", 503)
    return _message(request, lang, err.reason, STATUS[err.reason])


def _questions(survey: Survey, lang: Language, previous: dict[str, Answer], problems: dict[str, str]) -> list[Any]:
    w = WORDS[lang]
    out = []
    for q in survey.questions:
        prev = previous.get(q.id)
        scale = SERVQUAL_SCALE if q.type is QuestionType.servqual else SCALES.get(q.type)
        out.append(
            {
                "id": q.id,
                "text": q.text.get(lang),
                "required": q.required,
                "show_if": q.show_if,
                "scale": list(range(scale[0], scale[1] + 1)) if scale else None,
                "low": w.get(f"low_{q.type.value}", ""),
                "high": w.get(f"high_{q.type.value}", ""),
                "options": [{"id": o.id, "text": o.text.get(lang)} for o in q.options] if q.type in CHOICES else [],
                "multiple": q.type is QuestionType.multiple,
                "chosen": set(prev) if isinstance(prev, tuple) else {prev} if isinstance(prev, str) else set(),
                "previous": prev,
                "max_length": q.max_length,
                "problem": problems.get(PREFIX + q.id),
                "servqual": _servqual(prev, w) if q.type is QuestionType.servqual else None,
            }
        )
    return out


def _servqual(prev: Answer | None, w: dict[str, str]) -> list[dict[str, Any]]:
    """The two ratings of a SERVQUAL item: what the customer expected, what they got (with the earlier answer)."""
    rated = prev if isinstance(prev, dict) else {}
    return [{"part": k, "label": w[f"servqual_{k}"], "previous": rated.get(k)} for k in SERVQUAL_PARTS]


def _form(
    request: Request,
    form: Form,
    lang: Language,
    status: int = 200,
    problems: dict[str, str] | None = None,
    sent: dict[str, Answer] | None = None,
) -> HTMLResponse:
    survey, problems = form.survey, problems or {}
    ids = {PREFIX + q.id: q for q in survey.questions}
    listed = [
        {
            "anchor": f"q-{ids[f].id}" if f in ids else None,
            "label": ids[f].text.get(lang) if f in ids else (WORDS[lang]["form"] if f == "form" else f),
            "message": m,
        }
        for f, m in problems.items()
    ]
    others = [x for x in survey.languages if x != lang]
    ctx = {
        "html_lang": HTML_LANG[lang],
        "lang": lang,
        "w": WORDS[lang],
        "title": survey.title.get(lang),
        "intro": survey.intro.get(lang) if survey.intro else None,
        "post_token": form.post_token,
        "questions": _questions(survey, lang, sent if sent is not None else form.previous, problems),
        "problems": listed,
        "other_lang": others[0] if others else None,
    }
    return templates.TemplateResponse(request, "survey.html", ctx, status_code=status, headers=NO_STORE)


@router.get("/s/{token}", response_class=HTMLResponse)
def survey_page(_: Public, ws: WorkspaceDep, request: Request, token: str) -> Response:
    try:
        form = open_form(ws, token, datetime.now(UTC))
    except (TokenError, SpecError) as err:
        return _refusal(request, err)
    return _form(request, form, _lang(request, form.survey.languages))


def rate_limit(request: Request) -> RateLimit:
    """The app's survey post limiter (one per app; tests may replace it on ``app.state``)."""
    limiter = getattr(request.app.state, "survey_rate", None)
    if limiter is None:
        limiter = request.app.state.survey_rate = RateLimit()
    assert isinstance(limiter, RateLimit)
    return limiter


@router.post("/s/{token}", response_class=HTMLResponse)
async def survey_answer(_: Public, ws: WorkspaceDep, request: Request, token: str) -> Response:
    lang = _lang(request)
    client = request.client.host if request.client else "unknown"
    if not rate_limit(request).allow(client, time.monotonic()):
        return _message(request, lang, "too_many", 429)
    body = await _body(request)
    if body is None:
        return _message(request, lang, "too_large", 413)
    fields, problem = _decode(body)
    now = datetime.now(UTC)
    try:
        if problem:
            raise AnswerError({"form": problem})
        await run_in_threadpool(submit, ws, token[: MAX_TOKEN + 1], fields, lang, now)
        _batcher(request).accepted()
    except (TokenError, SpecError) as err:
        return _refusal(request, err)
    except AnswerError as err:
        try:
            form = await run_in_threadpool(open_form, ws, token, now)
        except (TokenError, SpecError) as again:
            return _refusal(request, again)
        sent = _sent(form.survey, fields)
        return _form(request, form, lang, 422, err.problems, sent)
    return _message(request, lang, "thanks", 200, ok=True)


def _batcher(request: Request) -> AnswerBatcher:
    """The app's flush of accepted answers to the lake (one per app, like the rate limiter)."""
    batcher = getattr(request.app.state, "answers", None)
    if batcher is None:
        batcher = request.app.state.answers = AnswerBatcher(request.app.state.workspace)
    assert isinstance(batcher, AnswerBatcher)
    return batcher


async def _body(request: Request) -> bytes | None:
    """The request body, or None once it passes :data:`MAX_FORM_BYTES` (the rest is not read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes) -> tuple[dict[str, list[str]], str | None]:
    """Form fields of a URL-encoded UTF-8 body, or why it cannot be read."""
    try:
        text = body.decode("utf-8")
        return parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, strict_parsing=False), None
    except UnicodeDecodeError:
        return {}, "not UTF-8 text"
    except ValueError:
        return {}, f"more than {MAX_FIELDS} fields"


def _sent(survey: Survey, fields: dict[str, list[str]]) -> dict[str, Answer]:
    """What the respondent sent, to show it again beside the problems (bad values are simply not re-checked)."""
    out: dict[str, Answer] = {}
    for q in survey.questions:
        if q.type is QuestionType.servqual:
            rated = {k: fields.get(f"{PREFIX}{q.id}.{k}", [""])[0] for k in SERVQUAL_PARTS}
            out[q.id] = {k: int(v) for k, v in rated.items() if v.isascii() and v.isdigit() and len(v) < 3}
            continue
        values = fields.get(PREFIX + q.id, [])
        if not values:
            continue
        if q.type in SCALES:
            if values[0].isascii() and values[0].isdigit():  # "²".isdigit() is True, int("²") fails
                out[q.id] = int(values[0])
        elif q.type is QuestionType.multiple:
            out[q.id] = tuple(values)
        else:
            out[q.id] = values[0]
    return out
