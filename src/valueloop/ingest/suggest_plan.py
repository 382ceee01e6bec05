"""The proposal ``mappings suggest`` builds: field entries, date + time pairs, the key, own fields.

Split from :mod:`valueloop.ingest.suggest` (which matches names) so each step is one method
that says what it proposes and why; the notes become comments at the top of the YAML.
"""

from __future__ import annotations

import itertools

import pyarrow as pa
import pyarrow.compute as pc

from valueloop.ingest.coerce import to_timestamp
from valueloop.ingest.profile import CLOCK, TYPE_OF_KIND, Column, field_name, looks_like_outcome, propose_key
from valueloop.spec.datasets import Dataset

SLASH_DATES = (
    ("%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S"),
    ("%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M"),
    ("%m/%d/%Y", "%d/%m/%Y"),
)
"""(month first, day first) pairs for dates that none of the default formats read (03/01/2026)."""
YES_NO = {"是": True, "否": False, "Y": True, "N": False, "有": True, "无": False}


def _date_formats(column: str, values: list[str]) -> tuple[list[str], str | None]:
    """Formats for sampled times the defaults cannot read: month or day first, told apart by the values.

    Only when the values themselves decide (a day above 12 somewhere); otherwise a note asks the
    person, because 03/01/2026 is March 1st in one export and January 3rd in another.
    """
    if not values or to_timestamp(pa.array(values, pa.string()), (), "UTC").values.null_count == 0:
        return [], None
    for pair in SLASH_DATES:
        fits = [f for f in pair if to_timestamp(pa.array(values, pa.string()), (f,), "UTC").values.null_count == 0]
        if len(fits) == 1:
            return fits, None
        if len(fits) == 2:
            return [], (
                f"{column}: dates such as {values[0]!r} can be month/day or day/month; add "
                f'formats: ["{pair[0]}"] (month first) or ["{pair[1]}"] (day first) to the field'
            )
    return [], f"{column}: dates such as {values[0]!r} match no known format; add `formats:` to the field"


SAMPLE_ROWS = 2000


def distinct(sample: pa.Table, column: str) -> list[str]:
    values = pc.unique(pc.cast(sample.column(column), pa.string())).to_pylist()
    return sorted(str(v) for v in values if v is not None)


class Plan:
    """The proposal being built: field entries, own fields, formats, the columns used and the notes."""

    def __init__(self, ds: Dataset, sample: pa.Table, columns: dict[str, Column]) -> None:
        self.ds, self.sample, self.columns = ds, sample, columns
        self.fields: dict[str, object] = {}
        self.extra: dict[str, str] = {}
        self.formats: set[str] = set()
        self.used: set[str] = set()
        self.notes: list[str] = []
        self.hashed: str | None = None
        self.dates = [c for c in columns.values() if c.kind == "date"]

    def field(self, name: str, column: str) -> None:
        """A matched field: a value map for yes/no, ``0:00:00`` as no value, a date format when needed."""
        entry: dict[str, object] = {"column": column}
        kind = self.ds.by_name[name].kind
        values = set(self.columns[column].values)
        if kind == "bool" and values & set(YES_NO):
            entry["values"] = {k: v for k, v in YES_NO.items() if k in values}
        if kind == "timestamp" and "0:00:00" in values:
            entry["null_values"] = ["0:00:00"]
        if kind == "timestamp" and self.columns[column].kind != "clock":
            formats, note = _date_formats(column, sorted(values - {"0:00:00"}))
            if formats:
                entry["formats"] = formats
            self.notes += [note] if note else []
        self.fields[name] = entry if len(entry) > 1 else column
        self.used.add(column)

    def pair_time_fields(self) -> None:
        """Time-of-day columns joined to the date column: matched timestamp fields first, then the
        dataset's time field from the first unused clock column; midnight crossings roll over."""
        if len(self.dates) != 1:
            if len(self.dates) > 1 and any(c.kind == "clock" for c in self.columns.values()):
                names = ", ".join(c.name for c in self.dates)
                self.notes.append(f"several date columns ({names}): pair each time column with its date by hand")
            return
        date = self.dates[0]
        clocks = [c for c in self.columns.values() if c.kind == "clock"]
        time_field = self.ds.time_field
        if time_field and time_field not in self.fields:
            free = [c for c in clocks if c.name not in self.used]
            if free:
                self.fields[time_field] = free[0].name
                self.used.add(free[0].name)
        paired = [(n, e if isinstance(e, str) else e.get("column") if isinstance(e, dict) else None)
                  for n, e in self.fields.items()]  # fmt: skip
        for name, column in paired:
            if isinstance(column, str) and self.columns[column].kind == "clock":
                self._pair(name, column, date)

    def _pair(self, name: str, column: str, date: Column) -> None:
        entry: dict[str, object] = {"columns": [date.name, column]}
        if "0:00:00" in self.columns[column].values:
            entry["null_values"] = ["0:00:00"]
        seconds = ":%S" if all(v.count(":") == 2 for v in self.columns[column].values) else ""
        self.formats.add(f"{date.date_format} %H:%M{seconds}")
        self.fields[name] = entry
        self.used |= {date.name, column}
        self.notes.append(f"{name}: {date.name} + {column} joined ({date.date_format} and a time of day)")

    def rollovers(self, order: list[str]) -> None:
        """``rollover: next_day`` for a paired field whose time is earlier than the paired field before it
        in some sampled row: the event crossed midnight, and the log kept the first event's date."""
        entries = {n: e for n, e in self.fields.items() if isinstance(e, dict) and "columns" in e}
        pairs = [n for n in order if n in entries]
        for before, name in itertools.pairwise(pairs):
            a, b = (self._seconds(entries[n]) for n in (before, name))
            if any(x is not None and y is not None and y < x for x, y in zip(a, b, strict=True)):
                entry = self.fields[name]
                assert isinstance(entry, dict)
                entry.update(rollover="next_day", after=before)
                self.notes.append(f"{name}: earlier than {before} in some rows (after midnight): rollover: next_day")

    def _seconds(self, entry: dict[str, object]) -> list[int | None]:
        columns = entry["columns"]
        assert isinstance(columns, list)
        text = pc.cast(self.sample.column(columns[-1]), pa.string()).to_pylist()
        return [_clock_seconds(t) for t in text]

    def key(self) -> None:
        """The dataset's key: a unique column, the smallest unique combination, or a content hash."""
        if len(self.ds.key) != 1 or self.ds.content_key is None:
            return
        key = self.ds.key[0]
        entry = self.fields.get(key)
        column = entry if isinstance(entry, str) else None
        found = propose_key(self.sample, column, self.columns)
        if found.columns == (column,) and column is not None:
            self.notes.append(f"key {key}: {found.reason}")
        elif found.columns:
            self.fields[key] = {"columns": list(found.columns), "separator": "|"}
            self.notes.append(f"key {key}: {found.reason}")
        else:
            self.fields.pop(key, None)
            self.hashed = key
            self.notes.append(f"key {key}: {found.reason}")

    def extras(self) -> None:
        """Every unused column as an own field, typed from its values (a time of day joined to the date)."""
        for column in [c for c in self.columns.values() if c.name not in self.used]:
            name = field_name(column.name)
            if name in self.ds.by_name or name in self.extra:
                self.notes.append(f"column {column.name!r} not proposed: {name} is already a field")
                continue
            self.extra[name] = TYPE_OF_KIND[column.kind]
            if column.kind == "clock" and len(self.dates) == 1:
                self._pair(name, column.name, self.dates[0])
            elif name != column.name:
                self.fields[name] = column.name
            self.used.add(column.name)
            if looks_like_outcome(column.name):
                self.notes.append(f"{name}: an outcome column, kept as an own field (filter on it in models)")
        self.rollovers([*(f.name for f in self.ds.fields), *self.extra])


def _clock_seconds(text: str | None) -> int | None:
    if text is None or not CLOCK.match(text) or text == "0:00:00":
        return None
    parts = [int(p) for p in text.split(":")]
    return parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0)
