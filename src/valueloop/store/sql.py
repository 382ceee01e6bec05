"""Quoting for the few SQL strings valueloop writes by hand (DuckDB over lake and source files)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def ident(name: str) -> str:
    """A double-quoted identifier, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def literal(path: Path | str) -> str:
    """A single-quoted string literal, inner quotes doubled."""
    return "'" + str(path).replace("'", "''") + "'"


def path_list(paths: Iterable[Path]) -> str:
    """A DuckDB list of file paths, for ``read_parquet([...])``."""
    return "[" + ", ".join(literal(p) for p in paths) + "]"
