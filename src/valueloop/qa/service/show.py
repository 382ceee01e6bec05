"""Read the stored QA results: roll-ups per agent / unit / period, weakest items, one conversation.

Everything is read from ``qa_scores`` and ``qa_items`` (what ``qa score`` stored); nothing is
re-scored here, so what a page shows is what models and scorecards count.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel

from valueloop.errors import InputError
from valueloop.qa.rubric import Item
from valueloop.qa.rubric_loader import load_rubric, resolve
from valueloop.qa.service.disputes import Dispute, list_disputes, upheld
from valueloop.qa.service.transcripts import read_turns, read_where
from valueloop.spec.datasets import DATASETS
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace

By = Literal["agent", "unit"]
Period = Literal["week", "month", "all"]
GROUP_COLUMN = {"agent": "agent_id", "unit": "entity_id"}


class ItemName(BaseModel):
    item: str
    name_zh: str
    name_en: str


def item_names(rubric: Path) -> list[ItemName]:
    """Every item of a rubric by its business names, for pages that list items by id."""
    return [ItemName(item=i.id, name_zh=i.name.zh, name_en=i.name.en) for i in load_rubric(rubric).items]


class RollupRow(BaseModel):
    group: str
    period: str
    conversations: int
    mean_score: float | None
    pass_rate: float | None
    auto_failed: int


class Example(BaseModel):
    conversation_id: str
    detail: str
    evidence: list[dict[str, object]]


class WeakItem(BaseModel):
    agent_id: str
    item: str
    name_zh: str
    name_en: str
    applicable: int
    failed: int
    fail_rate: float
    coaching: str | None
    coaching_zh: str | None = None
    bad: list[Example]
    good: list[Example]


class ItemView(BaseModel):
    item: str
    section: str
    name_zh: str
    name_en: str
    result: str
    """The automatic result (AQS), as stored in ``qa_items``."""
    upheld_result: str | None = None
    """The result an upheld dispute gave the item; the conversation's score uses it instead."""
    points: float
    detail: str
    evidence: list[dict[str, object]]


class TurnView(BaseModel):
    index: int
    speaker: str
    text: str
    start_s: float | None
    end_s: float | None


class ConversationView(BaseModel):
    conversation_id: str
    rubric: str
    agent_id: str | None
    entity_id: str | None
    score: float | None
    passed: bool | None
    auto_failed: bool | None
    turns: list[TurnView]
    items: list[ItemView]
    disputes: list[Dispute] = []


def _frame(ws: Workspace, dataset: str, rubric: str) -> pd.DataFrame:
    table = Lake(ws.lake_dir).read(dataset, DATASETS[dataset].schema)
    df = table.to_pandas()
    out: pd.DataFrame = df[df["rubric"] == rubric]
    return out


def _period(ts: pd.Series, period: Period, tz: str) -> pd.Series:
    if period == "all":
        return pd.Series(["all"] * len(ts), index=ts.index)
    local = ts.dt.tz_convert(tz).dt.tz_localize(None)
    labels: pd.Series = local.dt.to_period("W" if period == "week" else "M").astype(str)
    return labels


def rollup(ws: Workspace, rubric: str | Path, by: By = "agent", period: Period = "month") -> list[RollupRow]:
    """Mean score, pass rate and auto-fails per agent (or unit) and period, in the workspace's time zone."""
    df = _frame(ws, "qa_scores", load_rubric(resolve(rubric, ws.root)).id)
    if df.empty:
        return []
    df = df.assign(group=df[GROUP_COLUMN[by]].fillna("(none)"), period=_period(df["started_at"], period, _tz(ws)))
    out = []
    for (group, when), g in df.groupby(["group", "period"], sort=True):
        scores, passed = g["score"].dropna(), g["passed"].dropna()
        out.append(
            RollupRow(
                group=str(group),
                period=str(when),
                conversations=len(g),
                mean_score=round(float(scores.mean()), 2) if len(scores) else None,
                pass_rate=round(float(passed.astype(float).mean()), 4) if len(passed) else None,
                auto_failed=int(g["auto_failed"].fillna(False).sum()),
            )
        )
    return out


def _tz(ws: Workspace) -> str:
    return ws.settings.workspace.timezone


def weakest_items(
    ws: Workspace, rubric: str | Path, agent: str | None = None, top: int = 3, examples: int = 2
) -> list[WeakItem]:
    """Per agent, the ``top`` items failed most often (of those that applied), with failing and passing turns."""
    spec = load_rubric(resolve(rubric, ws.root))
    names = {i.id: i for i in spec.items}
    df = with_disputes(_frame(ws, "qa_items", spec.id), upheld(ws, spec.id))
    required = [i.id for i in spec.items if i.weight > 0 and not i.bonus]
    df = df[(df["result"] != "na") & df["agent_id"].notna() & df["item"].isin(required)]
    if agent is not None:
        df = df[df["agent_id"] == agent]
    out: list[WeakItem] = []
    for agent_id, g in df.groupby("agent_id", sort=True):
        stats = g.groupby("item")["result"].agg(applicable="size", failed=lambda r: int((r == "fail").sum()))
        stats = stats[stats["failed"] > 0].assign(rate=lambda s: s["failed"] / s["applicable"])
        for item, row in stats.sort_values(["rate", "failed"], ascending=False).head(top).iterrows():
            spec_item = names.get(str(item))
            rows = g[g["item"] == item].sort_values("conversation_id")
            out.append(
                WeakItem(
                    agent_id=str(agent_id),
                    item=str(item),
                    name_zh=spec_item.name.zh if spec_item else str(item),
                    name_en=spec_item.name.en if spec_item else str(item),
                    applicable=int(row["applicable"]),
                    failed=int(row["failed"]),
                    fail_rate=round(float(row["rate"]), 4),
                    coaching=spec_item.coaching.en if spec_item and spec_item.coaching else None,
                    coaching_zh=spec_item.coaching.zh if spec_item and spec_item.coaching else None,
                    bad=_examples(rows[rows["result"] == "fail"], examples),
                    good=_examples(rows[rows["result"] == "pass"], examples),
                )
            )
    return out


def with_disputes(items: pd.DataFrame, overrides: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """``qa_items`` rows with the results of upheld disputes in place of the automatic ones."""
    if not overrides or items.empty:
        return items
    keys = list(zip(items["conversation_id"], items["item"], strict=True))
    result = [overrides.get(str(c), {}).get(str(i), r) for (c, i), r in zip(keys, items["result"], strict=True)]
    return items.assign(result=result)


def _examples(rows: pd.DataFrame, n: int) -> list[Example]:
    return [
        Example(conversation_id=str(r["conversation_id"]), detail=str(r["detail"] or ""), evidence=_evidence(r))
        for r in _records(rows.head(n))
    ]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as plain dicts keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _evidence(row: dict[str, Any]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json.loads(row["evidence"] or "[]")
    return found


def conversation_view(ws: Workspace, conversation_id: str, rubric: str | Path) -> ConversationView:
    """One conversation's turns with its stored item results and their evidence."""
    spec = load_rubric(resolve(rubric, ws.root))
    turns = read_turns(ws, [conversation_id]).to_pylist()
    if not turns:
        raise InputError(f"no conversation {conversation_id!r} in the workspace")
    score = read_where(ws, "qa_scores", rubric=spec.id, conversation_id=conversation_id).to_pandas()
    items = read_where(ws, "qa_items", rubric=spec.id, conversation_id=conversation_id).to_pandas()
    names = {i.id: (i, spec.section_of(i.id).id) for i in spec.items}
    disputes = list_disputes(ws, rubric=spec.id, conversation_id=conversation_id)
    decided = {d.item: d.result for d in reversed(disputes) if d.status == "upheld"}
    first = score.iloc[0] if len(score) else None
    return ConversationView(
        conversation_id=conversation_id,
        rubric=spec.id,
        agent_id=turns[0]["agent_id"],
        entity_id=turns[0]["entity_id"],
        score=None if first is None or pd.isna(first["score"]) else float(first["score"]),
        passed=None if first is None or pd.isna(first["passed"]) else bool(first["passed"]),
        auto_failed=None if first is None else bool(first["auto_failed"]),
        turns=[
            TurnView(
                index=t["turn_index"],
                speaker=t["speaker"],
                text=t["text"] or "",
                start_s=t["start_s"],
                end_s=t["end_s"],
            )
            for t in turns
        ],
        items=[
            _item_view(r, names).model_copy(update={"upheld_result": decided.get(str(r["item"]))})
            for r in _records(items)
        ],
        disputes=disputes,
    )


def _item_view(r: dict[str, Any], names: dict[str, tuple[Item, str]]) -> ItemView:
    item = str(r["item"])
    spec, section = names.get(item, (None, ""))
    return ItemView(
        item=item,
        section=section,
        name_zh=spec.name.zh if spec else item,
        name_en=spec.name.en if spec else item,
        result=str(r["result"]),
        points=float(r["points"] or 0),
        detail=str(r["detail"] or ""),
        evidence=_evidence(r),
    )
