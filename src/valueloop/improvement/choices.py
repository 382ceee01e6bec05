"""The small choices an action draft takes, apart from the pydantic models that check them.

They are also command-line parameter types, so the CLI needs them when it builds its
commands; kept here, free of pydantic, ``valueloop --help`` stays fast.
:mod:`valueloop.improvement.draft` re-exports them, so callers import them from there as before.
"""

from __future__ import annotations

from enum import StrEnum


class LinkKind(StrEnum):
    finding = "finding"
    alert = "alert"
    complaint_topic = "complaint_topic"
    indicator = "indicator"
    entity = "entity"


class TargetDirection(StrEnum):
    increase = "increase"
    decrease = "decrease"
