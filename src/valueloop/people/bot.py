"""Bot resolution of routine questions, counting a quick return to a human as not resolved.

The policy (2(三)) asks the smart customer service to resolve at least 85 % of routine
questions. A bot that marks a chat "resolved" while the customer phones a person about
the same thing two days later has not resolved it, so:

* **routine question** = an interaction on the bot channel whose category is routine;
* **resolved** = ``resolved_by_bot`` is true, ``reopened`` is not, and the same customer
  did not contact a human (any other channel) about the same category within
  ``window_days`` after opening it.

How to use it: read the ``interactions`` dataset (columns ``interaction_id``,
``entity_id``, ``customer_id``, ``channel``, ``category``, ``opened_at``,
``resolved_by_bot``, ``reopened``) into a DataFrame and call :func:`bot_resolution`,
optionally with ``by="entity_id"`` or a period column you added. The CLI runs it as
``valueloop people bot-resolution [--period P] [--by entity_id]``.

>>> import pandas as pd
>>> t = pd.Timestamp("2026-01-05", tz="UTC")
>>> df = pd.DataFrame({"interaction_id": ["a", "b", "c"], "entity_id": "T1", "customer_id": ["u1", "u2", "u1"],
...     "channel": ["bot", "bot", "phone"], "category": "billing", "resolved_by_bot": [True, True, False],
...     "reopened": False, "opened_at": [t, t, t + pd.Timedelta(days=2)]})
>>> r = bot_resolution(df)[0]
>>> r["routine"], r["resolved"], r["returned_to_human"], r["rate"]
(2, 1, 1, 0.5)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

ROUTINE_CATEGORIES = ("inquiry", "account", "billing", "logistics")
BOT_CHANNEL = "bot"
TARGET = 0.85
WINDOW_DAYS = 7


def returned_to_human(interactions: pd.DataFrame, window_days: int = WINDOW_DAYS) -> pd.Series:
    """For every bot row: did the customer reach a human about the same category within the window?"""
    df = interactions.assign(opened_at=pd.to_datetime(interactions["opened_at"], utc=True))
    df = df.dropna(subset=["customer_id"])
    bot = df[df["channel"] == BOT_CHANNEL][["interaction_id", "customer_id", "category", "opened_at"]]
    human = df[df["channel"] != BOT_CHANNEL][["customer_id", "category", "opened_at"]]
    human = human.rename(columns={"opened_at": "human_at"}).assign(key_at=lambda h: h["human_at"])
    if bot.empty or human.empty:  # nothing to look up (and merge_asof refuses empty Arrow-backed keys)
        return pd.Series(False, index=interactions.index)
    merged = pd.merge_asof(
        bot.sort_values("opened_at"),
        human.sort_values("key_at"),
        left_on="opened_at",
        right_on="key_at",
        by=["customer_id", "category"],
        direction="forward",
        allow_exact_matches=False,
        tolerance=pd.Timedelta(days=window_days),
    )
    flags = merged.set_index("interaction_id")["human_at"].notna()
    return interactions["interaction_id"].map(flags).fillna(False).astype(bool)


def bot_resolution(
    interactions: pd.DataFrame,
    *,
    by: str | Iterable[str] | None = None,
    routine: Iterable[str] = ROUTINE_CATEGORIES,
    window_days: int = WINDOW_DAYS,
    target: float = TARGET,
    scope: pd.Series | None = None,
) -> list[dict[str, Any]]:
    """Rows ``{group…, "routine", "resolved", "returned_to_human", "rate", "target", "meets_target"}``.

    ``scope`` (a boolean mask) picks the questions to count, e.g. one period's; returns to a
    human are still looked up among all rows, so a question on the last day of a month
    reopened by phone the next week still counts as not resolved.
    """
    df = interactions.assign(returned=returned_to_human(interactions, window_days))
    if scope is not None:
        df = df[scope.to_numpy()]
    df = df[(df["channel"] == BOT_CHANNEL) & df["category"].isin(list(routine))]
    claimed = df["resolved_by_bot"].fillna(False).astype(bool) & ~df["reopened"].fillna(False).astype(bool)
    df = df.assign(claimed=claimed, resolved=claimed & ~df["returned"], back=claimed & df["returned"])
    keys = [by] if isinstance(by, str) else list(by or [])
    groups = df.groupby(keys, sort=True) if keys else [((), df)]
    out = []
    for key, g in groups:
        values = key if isinstance(key, tuple) else (key,)
        n, ok = len(g), int(g["resolved"].sum())
        rate = ok / n if n else None
        out.append(
            dict(zip(keys, values, strict=True))
            | {
                "routine": n,
                "resolved": ok,
                "returned_to_human": int(g["back"].sum()),
                "rate": rate,
                "target": target,
                "meets_target": None if rate is None else rate >= target,
            }
        )
    return out
