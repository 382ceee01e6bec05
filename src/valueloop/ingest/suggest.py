"""Propose a mapping from a source file's header and a sample of its values.

Column names are matched against Chinese and English synonyms of each canonical field
(exact match after normalisation first, then close matches); sample values suggest
value maps for yes/no columns and null sentinels such as ``0:00:00``. The result is
YAML for a person to review, not a guess applied silently.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pyarrow as pa
import yaml

from valueloop.ingest.profile import profile
from valueloop.ingest.readers import open_source
from valueloop.ingest.suggest_plan import SAMPLE_ROWS, Plan, distinct
from valueloop.spec.datasets import DATASETS
from valueloop.spec.mapping import Mapping
from valueloop.spec.registry import Datasets, lookup

SYNONYMS: dict[str, tuple[str, ...]] = {
    "interaction_id": (
        "工单编号",
        "工单号",
        "工单id",
        "服务单号",
        "会话id",
        "ticket id",
        "ticket",
        "case id",
        "call id",
        "callid",
        "call no",
    ),
    "entity_id": (
        "网点编号",
        "网点",
        "门店编号",
        "门店",
        "机构编号",
        "机构",
        "商家id",
        "branch",
        "store",
        "branch id",
        "store id",
    ),
    "opened_at": (
        "创建时间",
        "受理时间",
        "开始时间",
        "进线时间",
        "created at",
        "created",
        "opened",
        "date opened",
        "open time",
        "start time",
    ),
    "agent_id": (
        "客服工号",
        "坐席工号",
        "工号",
        "坐席",
        "员工编号",
        "agent",
        "agent id",
        "staff id",
        "server",
        "operator",
        "rep",
        "representative",
        "agent name",
        "handled by",
        "employee",
    ),
    "customer_id": (
        "客户编号",
        "客户id",
        "会员号",
        "用户id",
        "customer",
        "customer id",
        "user id",
        "member id",
        "caller",
        "caller id",
        "client id",
        "account",
    ),
    "channel": ("渠道", "来源渠道", "接入渠道", "channel", "source"),
    "category": (
        "类别",
        "分类",
        "问题类型",
        "业务类型",
        "category",
        "type of issue",
        "type",
        "call type",
        "reason",
        "topic",
    ),
    "first_response_at": ("首次响应时间", "首响时间", "first response", "first response time"),
    "resolved_at": ("解决时间", "完结时间", "关闭时间", "resolved", "closed at", "close time"),
    "steps_required": ("应完成步骤", "标准步骤数", "steps required"),
    "steps_completed": ("已完成步骤", "完成步骤数", "steps completed", "steps done"),
    "resolved_by_bot": ("机器人解决", "智能客服解决", "bot resolved"),
    "escalated": ("是否升级", "升级", "escalated"),
    "reopened": ("是否重开", "重开", "二次进线", "reopened"),
    "feedback_id": ("评价编号", "反馈编号", "回馈编号", "评价id", "feedback id", "review id", "survey id"),
    "submitted_at": ("评价时间", "反馈时间", "提交时间", "submitted", "review time"),
    "kind": ("反馈类型", "类型", "kind", "feedback type"),
    "csat": ("满意度", "满意度评分", "评分", "星级", "satisfaction", "rating", "score", "stars", "star rating"),
    "nps": ("推荐度", "净推荐值", "nps", "recommend"),
    "ces": ("费力度", "客户费力度", "effort"),
    "text": ("评价内容", "反馈内容", "内容", "留言", "备注", "comment", "comments", "review", "feedback"),
    "order_id": ("订单号", "订单编号", "order", "order no"),
    "ordered_at": ("下单时间", "订单时间", "order time", "order date"),
    "amount": ("金额", "订单金额", "实付金额", "amount", "order value", "total"),
    "returned": ("是否退货", "退货", "returned"),
    "return_requested_at": ("退货申请时间", "申请退货时间", "return requested"),
    "return_completed_at": ("退货完成时间", "退款时间", "return completed", "refund time"),
    "event_id": ("事件编号", "事件id", "event", "event id"),
    "ts": ("时间", "时间戳", "发生时间", "timestamp", "time"),
    "type": ("事件类型", "类型", "type", "event type"),
    "dwell_seconds": ("停留时长", "停留秒数", "dwell", "dwell time", "duration"),
    "name": ("名称", "机构名称", "姓名", "name"),
    "parent_id": ("上级编号", "上级机构", "parent", "parent id"),
    "industry": ("行业", "industry"),
    "region": ("区域", "地区", "大区", "region", "area"),
    "age_band": ("年龄段", "年龄", "age", "age band"),
    "spend_tier": ("消费层级", "消费等级", "spend tier", "tier"),
    "vip": ("是否vip", "vip", "会员等级"),
    "step": ("环节", "步骤", "节点", "step", "stage"),
    "started_at": ("环节开始时间", "开始时间", "started", "start"),
    "ended_at": ("环节结束时间", "结束时间", "ended", "end"),
    "department": ("部门", "责任部门", "department", "dept"),
}
TRADITIONAL = str.maketrans(
    "業會關內決淨創別務區單發號員響備實層應開戶數時來標滿點環稱類級線結編節訂評話請責貨費進長門閉問間題額饋驟齡網機構價薦體態錶總",
    "业会关内决净创别务区单发号员响备实层应开户数时来标满点环称类级线结编节订评话请责货费进长门闭问间题额馈骤龄网机构价荐体态表总",
)
"""Traditional → simplified for the characters of :data:`SYNONYMS`, so a Big5 export's header
(回饋編號, 滿意度, 網點) is matched like a GBK one."""


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-()（）:：]+", " ", name.strip().lower().translate(TRADITIONAL)).strip()


def match_columns(dataset: str, columns: tuple[str, ...], datasets: Datasets = DATASETS) -> dict[str, str]:
    """Canonical field → the source column that most likely holds it.

    Exact names and synonyms are matched for every field before any close match, so a close
    match never takes a column another field names exactly ("Opened" is ``opened_at``, not a
    near miss of ``reopened``).
    """
    ds = lookup(datasets, dataset)
    normalised = {_norm(c): c for c in columns}
    chosen: dict[str, str] = {}
    for f in ds.fields:
        names = (_norm(f.name), *(_norm(s) for s in SYNONYMS.get(f.name, ())))
        hit = next((normalised[n] for n in names if n in normalised and normalised[n] not in chosen.values()), None)
        if hit is not None:
            chosen[f.name] = hit
    for f in ds.fields:
        if f.name in chosen:
            continue
        free = [n for n, c in normalised.items() if c not in chosen.values()]
        close = difflib.get_close_matches(_norm(f.name), free, n=1, cutoff=0.85)
        if close:
            chosen[f.name] = normalised[close[0]]
    return {f.name: chosen[f.name] for f in ds.fields if f.name in chosen}


def suggest_mapping(path: Path, dataset: str, sheet: str | None = None, datasets: Datasets = DATASETS) -> str:
    """A commented YAML mapping proposal for ``path`` onto ``dataset`` (``sheet``: the XLSX sheet to read).

    Beyond matching names: a date column and time-of-day columns are proposed as pairs
    (``columns: [date, time]``, with ``0:00:00`` as no value and ``rollover: next_day`` when the
    sample crosses midnight); the key is kept only if unique in the sample, else the smallest
    unique combination or a content hash, and the header says why; every other column is
    proposed as an ``extra:`` field with the type its values suggest.
    """
    ds = lookup(datasets, dataset)
    source = open_source(path, Mapping(sheet=sheet))
    first = next(iter(source.chunks()), None)  # a header-only file still gets a proposal from its names
    sample = first.table.slice(0, SAMPLE_ROWS) if first is not None else pa.table({c: [] for c in source.columns})
    columns = {c: profile(c, distinct(sample, c)) for c in source.columns}
    matched = match_columns(dataset, source.columns, datasets)
    plan = Plan(ds, sample, columns)
    for name, column in matched.items():
        plan.field(name, column)
    plan.pair_time_fields()
    plan.key()
    plan.extras()
    missing = [f for f in ds.required if f not in plan.fields and f != plan.hashed]
    chosen = {"sheet": sheet} if sheet is not None else {}
    doc: dict[str, object] = {"dataset": dataset, "encoding": source.encoding, **chosen}
    if plan.formats:
        doc["datetime_formats"] = sorted(plan.formats)
    doc["fields"] = plan.fields
    if plan.extra:
        doc["extra"] = plan.extra
    head = f"# mapping proposed for {path.name} → {dataset}; review before use\n"
    head += "# naive times are read in the workspace's time zone; add `timezone: <IANA name>` if the file's differs\n"
    if missing:
        head += f"# REQUIRED fields not found: {', '.join(missing)}\n"
    unused = [c for c in source.columns if c not in plan.used]
    if unused:
        head += f"# source columns not used: {', '.join(unused)}\n"
    head += "".join(f"# {note}\n" for note in plan.notes)
    return head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
