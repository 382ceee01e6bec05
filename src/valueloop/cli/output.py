"""How the CLI prints results: a table for people, JSON or CSV for machines.

Results go to stdout, everything else (progress, logs, errors) to stderr, so
``valueloop ... --format json | jq`` always works.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from valueloop.ingest.cells import neutralise

stderr = Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output: table, json or csv.")]
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        envvar="VALUELOOP_WORKSPACE",
        help="Workspace folder (default: the current folder).",
        show_default=False,
    ),
]


def _default(obj: object) -> object:
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if hasattr(obj, "item"):  # numpy scalars
        return obj.item()
    return str(obj)


def to_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, default=_default, indent=2)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 0.1 or value == 0 else f"{value:.3g}"
    if isinstance(value, Mapping | list):
        return json.dumps(value, ensure_ascii=False, default=_default)
    return str(value)


def _is_model(data: object) -> bool:
    """A pydantic result model, told without importing pydantic (``--help`` must stay light)."""
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(data, pydantic.BaseModel)


def _plain(data: Any) -> Any:
    """A result model (or a list of them) as the dict(s) a table shows; anything else as is."""
    if _is_model(data):
        return data.model_dump()
    if isinstance(data, list):
        return [_plain(x) for x in data]
    return data


def emit(data: Any, fmt: Format, *, title: str | None = None, columns: Sequence[str] | None = None) -> None:
    """Print ``data`` (a result model, a dict, or a list of either) in the requested format.

    JSON is the model's ``model_dump(mode="json")``: the document the API answers for the same call.
    """
    if fmt is Format.json:
        sys.stdout.write(to_json(data) + "\n")
        return
    data = _plain(data)
    rows: list[Mapping[str, Any]] = data if isinstance(data, list) else [data]
    cols = list(columns) if columns else _columns(rows)
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow([neutralise(c) for c in cols])  # CSV is opened in spreadsheets: no formulas
        writer.writerows([_cell(neutralise(r.get(c))) for c in cols] for r in rows)
        return
    if not isinstance(data, list) and columns is None:
        table = Table("field", "value", title=title)
        for key, value in data.items():
            table.add_row(Text(str(key)), Text(_cell(value)))
    else:
        table = Table(*cols, title=title)
        for r in rows:  # cells are data, never markup: "[/b]" in a transcript must print, not raise
            table.add_row(*(Text(_cell(r.get(c))) for c in cols))
    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console = Console(soft_wrap=False, width=200)  # a pipe or file gets whole columns, not 80
    console.print(table)


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    return list(cols)
