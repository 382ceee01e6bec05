"""Source mappings: how a CRM / ticket-system export's columns become canonical fields.

A mapping is YAML, validated into frozen pydantic models. Every field not named in the
mapping is taken from a source column of the same name when one exists, so a file
already in canonical shape needs no mapping at all. Example::

    dataset: interactions
    encoding: auto            # or utf-8, gbk, gb18030
    timezone: Asia/Shanghai   # naive timestamps are local time there (default: the workspace's)
    datetime_formats: ["%Y/%m/%d %H:%M"]
    null_values: ["未知", "0000"]  # added to DEFAULT_NULLS ("", "-", "N/A", "无", ...), never replacing them
    sheet: 工单明细           # XLSX: the sheet to read (needed when several sheets have data)
    fields:
      interaction_id: 工单编号                 # shorthand: one source column
      opened_at: {columns: [日期, 时间]}       # joined with a space, then parsed
      resolved_by_bot: {column: 机器人解决, values: {是: true, 否: false}}
      first_response_at: {column: 首次响应时间, null_values: ["0:00:00"]}
      channel: {constant: phone}
      ser_exit: {columns: [date, ser_exit], rollover: next_day, after: ser_start}
    extra: {outcome: string, q_time: duration_s}   # own fields kept beyond the dataset's

Null sentinels apply to each source column before joined columns are put together, and a
joined timestamp with any part missing is missing (``0:00:00`` in a time column is no time,
not midnight). ``rollover: next_day`` moves a time-only value that is earlier than the field
named by ``after`` on the same date to the next day (a call that crosses midnight).
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from valueloop.spec.datasets import FieldKind
from valueloop.spec.registry import kind_of, valid_name
from valueloop.spec.yamlsource import Problem, load_yaml

DEFAULT_NULLS = ("", "-", "--", "—", "N/A", "n/a", "NA", "null", "NULL", "None", "无", "空")
ScalarValue = str | int | float | bool | None


class FieldMapping(BaseModel):
    """Where one canonical field comes from: a column, several joined columns, or a constant."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    column: str | None = None
    columns: tuple[str, ...] = ()
    separator: str = " "
    constant: ScalarValue = None
    values: dict[str, ScalarValue] = Field(default_factory=dict)
    null_values: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    rollover: Literal["next_day"] | None = None
    after: str | None = None
    """With ``rollover``: the field this one must not be earlier than (its start)."""

    @model_validator(mode="after")
    def _one_source(self) -> FieldMapping:
        given = sum([self.column is not None, bool(self.columns), self.constant is not None])
        if given != 1:
            raise ValueError("give exactly one of column, columns, constant")
        if (self.rollover is None) != (self.after is None):
            raise ValueError("rollover: next_day needs after: <the start field>, and after needs rollover")
        return self

    @property
    def sources(self) -> tuple[str, ...]:
        if self.column is not None:
            return (self.column,)
        return self.columns


class TurnsMapping(BaseModel):
    """A one-row-per-conversation export: the column holding a JSON list of turns, and the keys of a turn.

    Each key list is tried in order (``role`` for ``speaker`` and ``content`` for ``text`` are common);
    without ``index`` a turn is numbered by its position in the list, from 0.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    column: str = "turns"
    speaker: tuple[str, ...] = ("speaker", "role")
    text: tuple[str, ...] = ("text", "content")
    start: tuple[str, ...] = ("start", "start_s")
    end: tuple[str, ...] = ("end", "end_s")
    index: tuple[str, ...] = ()


class Mapping(BaseModel):
    """A whole mapping file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    dataset: str | None = None
    encoding: str = "auto"
    timezone: str | None = None
    datetime_formats: tuple[str, ...] = ()
    null_values: tuple[str, ...] = ()
    """Extra null sentinels for every field, on top of :data:`DEFAULT_NULLS` (see :attr:`nulls`)."""
    sheet: str | None = None
    delimiter: str | None = None
    fields: dict[str, FieldMapping] = Field(default_factory=dict)
    turns: TurnsMapping | None = None
    """Expand a JSON list of turns per row (``conversations``; see :mod:`valueloop.ingest.turns`)."""
    extra: dict[str, str] = Field(default_factory=dict)
    """Own fields kept beyond the dataset's: name → type (string, integer, number, boolean,
    timestamp, duration_s); each from the ``fields:`` entry of that name or the same-named column."""

    @field_validator("extra")
    @classmethod
    def _typed(cls, value: dict[str, str]) -> dict[str, str]:
        for name, type_name in value.items():
            valid_name(name)
            kind_of(type_name)
        return value

    @property
    def extra_kinds(self) -> dict[str, FieldKind]:
        return {name: kind_of(t) for name, t in self.extra.items()}

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        """The CSV readers split on one ASCII character; a quote or line break cannot be one."""
        if value is not None and (len(value) != 1 or not value.isascii() or value in '"\r\n'):
            raise ValueError(f"delimiter must be one ASCII character other than a quote or line break, not {value!r}")
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        if value != "auto":
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding {value!r} (e.g. auto, utf-8, gb18030, big5)") from None
        return value

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("fields"), dict):
            fields = {k: {"column": v} if isinstance(v, str) else v for k, v in data["fields"].items()}
            data = {**data, "fields": fields}
        return data

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str | None) -> str | None:
        if name is not None:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError) as err:
                raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Asia/Shanghai or UTC)") from err
        return name

    @property
    def nulls(self) -> tuple[str, ...]:
        """Every null sentinel: the defaults plus the mapping's own (a mapping adds, so "" stays null)."""
        return (*DEFAULT_NULLS, *self.null_values)

    def for_field(self, name: str, source_columns: tuple[str, ...]) -> FieldMapping | None:
        """The mapping of field ``name``: explicit, or the same-named source column, or none."""
        if name in self.fields:
            return self.fields[name]
        if name in source_columns:
            return FieldMapping(column=name)
        return None


def load_mapping(path: Path) -> Mapping:
    """Parse and validate a mapping file; every problem is reported at once with file:line and YAML path."""
    doc = load_yaml(path)
    try:
        return Mapping.model_validate(doc.data or {})
    except ValidationError as err:
        doc.fail([Problem(tuple(e["loc"]), e["msg"]) for e in err.errors()])
        raise AssertionError("unreachable") from err
