"""``valueloop monitor``: run a real-time anomaly detector over a recorded series.

A thin adapter over :mod:`valueloop.monitoring`: read ``timestamp,value`` rows, feed them in
order through one detector from the registry, print one result per input row. The
detector sees the rows one at a time, exactly as it would live, so what ``detect`` flags
on a replay is what monitoring would have flagged then.

JSON shape: ``[{"timestamp", "value", "score", "anomaly"}]`` in input order; the
timestamp is echoed as written, a blank value is ``null`` (scored 0, never an anomaly).
Every unreadable cell is reported at once as an :class:`~valueloop.errors.InputError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr
from valueloop.errors import InputError
from valueloop.ingest.encoding import read_utf8
from valueloop.monitoring.names import DEFAULT
from valueloop.monitoring.names import NAMES as DETECTORS

SeriesArg = Annotated[
    Path, typer.Argument(metavar="SERIES.csv", help="CSV with columns timestamp,value.", show_default=False)
]
DetectorOpt = Annotated[
    str,
    typer.Option("--detector", "-d", help=f"Anomaly detector: {', '.join(DETECTORS)}."),
]


def register(app: typer.Typer) -> None:
    """Add the ``monitor`` command group to ``app``."""
    monitor = typer.Typer(help="Real-time monitoring: anomaly detection over KPI series.", no_args_is_help=True)
    monitor.command("detect")(detect)
    monitor.command("replay")(replay)
    monitor.command("export")(export)
    monitor.command("status")(status)
    app.add_typer(monitor, name="monitor")


ProfileOpt = Annotated[
    str,
    typer.Option(
        "--profile", help="Cost profile whose shipped threshold the likelihood uses: standard, low_fp, low_fn."
    ),
]
ExplainOpt = Annotated[
    bool,
    typer.Option("--explain", help="Show only flagged and suppressed rows, with probability, tail and reason."),
]


def detect(
    file: SeriesArg,
    detector: DetectorOpt = DEFAULT,
    fmt: FormatOpt = Format.table,
    profile: ProfileOpt = "standard",
    explain: ExplainOpt = False,
) -> None:
    """Score every row of a timestamp,value series; flag the anomalies."""
    if detector not in DETECTORS:
        raise typer.BadParameter(f"{detector!r} is not one of {', '.join(DETECTORS)}", param_hint="--detector")
    from valueloop.monitoring.service.detect import PROFILES, learning_rows
    from valueloop.monitoring.service.detect import detect as detect_points

    if profile not in PROFILES:
        raise typer.BadParameter(f"{profile!r} is not one of {', '.join(PROFILES)}", param_hint="--profile")
    series = read_series(file)
    values = [v if math.isfinite(v) else None for v in series.values]
    rows = detect_points(detector, series.stamps, values, profile=profile, explain=explain)
    title = f"{detector}: {sum(r.anomaly for r in rows)} anomalies in {len(rows)} rows"
    learning = learning_rows(detector)
    if len(rows) <= learning:
        stderr.print(
            f"note: the {detector} detector learns from the first {learning} rows and flags none of them; "
            f"this series has {len(rows)}. For a short series use --detector ewma or cusum."
        )
    if explain:
        rows = [r for r in rows if "why" in r.model_fields_set]
    emit(rows, fmt, title=title)


@dataclass(frozen=True)
class Series:
    """A parsed series: timestamps as written, as Unix seconds, and values (NaN when blank)."""

    stamps: list[str]
    times: list[float]
    values: list[float]


def read_series(path: Path) -> Series:
    """The timestamp and value columns of a small table file; naive timestamps are taken as UTC."""
    from valueloop.ingest.user_table import read_user_table

    table = read_user_table(path)
    at = table.require(("timestamp", "value"))
    series = Series([], [], [])
    problems: list[str] = []
    for row, record in enumerate(table.rows, start=1):
        _parse_row(row, record.line, record.values[at["timestamp"]], record.values[at["value"]], series, problems)
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise InputError(f"{path}: " + "; ".join(problems[:10]) + more)
    return series


def _parse_row(row: int, line: int, stamp: str, cell: str, series: Series, problems: list[str]) -> None:
    where = f"row {row} (line {line})"
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        problems.append(f"{where}, column 'timestamp': {stamp!r} is not an ISO date-time")
        return
    try:
        value = float(cell) if cell else math.nan
    except ValueError:
        problems.append(f"{where}, column 'value': {cell!r} is not a number")
        return
    series.stamps.append(stamp)
    series.times.append((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp())
    series.values.append(value)


def replay(
    file: Annotated[Path, typer.Argument(metavar="FILE.jsonl", help="Monitor events, one JSON object per line.")],
    speed: Annotated[float, typer.Option(help="Times faster than real time; 0 = as fast as possible.")] = 60.0,
    batch: Annotated[int, typer.Option(help="Events per micro-batch.")] = 1000,
    url: Annotated[str | None, typer.Option(help="POST to a running server (…/api/v1/events) instead.")] = None,
    token: Annotated[str | None, typer.Option(envvar="VALUELOOP_TOKEN", help="API token for --url.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Replay recorded events through the workspace's monitor (windows, rules, alerts)."""
    from valueloop.monitoring.service import replay as monitor_replay

    lines = read_utf8(file).splitlines()
    with _progress(len(lines)) as tick:
        if url is not None:
            with _poster(url, token) as send:
                result = monitor_replay.feed(send, lines, speed=speed, batch=batch, progress=tick)
        else:
            from valueloop.monitoring.service.monitor import Monitor
            from valueloop.store.workspace import open_workspace

            monitor = Monitor(open_workspace(workspace))
            try:
                result = monitor_replay.replay(monitor, lines, speed=speed, batch=batch, progress=tick)
            finally:
                monitor.close()
    out = result.as_json()
    if out["resumed_after_line"]:
        stderr.print(f"resumed: the first {out['resumed_after_line']:,} lines were taken by an earlier run")
    emit(out, fmt, title=f"replayed {file.name}")
    if out["rejected"]:
        stderr.print(f"{out['rejected']} line(s) rejected; first: {out['rejected_lines'][0]}")


@contextmanager
def _poster(url: str, token: str | None) -> Iterator[Callable[[list[str]], dict[str, Any]]]:
    """Send batches to a running server's ``POST /api/v1/events``; an HTTP error stops the replay."""
    import httpx

    headers = {"Content-Type": "application/x-ndjson"} | ({"Authorization": f"Bearer {token}"} if token else {})
    with httpx.Client(timeout=60) as client:

        def send(chunk: list[str]) -> dict[str, Any]:
            r = client.post(url, content="\n".join(chunk).encode(), headers=headers)
            if r.status_code >= 400:
                raise InputError(f"{url}: HTTP {r.status_code}: {r.text[:300]}")
            answer: dict[str, Any] = r.json()
            return answer

        yield send


class _progress:
    """A Rich progress bar on stderr for a replay."""

    def __init__(self, total: int) -> None:
        from rich.progress import Progress

        self._bar = Progress(console=stderr, transient=True)
        self._task = self._bar.add_task("replaying events", total=total)

    def __enter__(self) -> Any:
        self._bar.start()
        return lambda done, total: self._bar.update(self._task, completed=done)

    def __exit__(self, *_: object) -> None:
        self._bar.stop()


def export(
    start: Annotated[str, typer.Option("--from", help="Start (ISO date/time, workspace time zone if naive).")],
    end: Annotated[str, typer.Option("--to", help="End, exclusive.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="JSON Lines file to write.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Write the lake's interactions, feedback and events of a time range as monitor events."""
    from valueloop.monitoring.service.replay import export_stream, local_time
    from valueloop.store.workspace import open_workspace

    ws = open_workspace(workspace)
    lines = export_stream(ws, local_time(ws, start, "--from"), local_time(ws, end, "--to"))
    out.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    stderr.print(f"wrote {len(lines):,} events to {out}")


def status(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Pending and firing alerts of the monitor's saved state, and its counters."""
    from valueloop.monitoring.service.monitor import Monitor
    from valueloop.store.workspace import open_workspace

    monitor = Monitor(open_workspace(workspace))
    try:
        names = monitor.stream.names
        active = [
            {
                "rule": a.rule,
                "entity_id": a.entity,
                "phase": a.phase.value,
                "since": datetime.fromtimestamp(a.since, UTC).isoformat(),
                "value": a.value,
            }
            for a in monitor.engine.active(names)
        ]
        data = {
            "counters": monitor.counters,
            "active": active,
            "open_minute": None
            if monitor.stream.open_minute is None
            else datetime.fromtimestamp(monitor.stream.open_minute * 60, UTC).isoformat(),
        }
    finally:
        monitor.close()
    if fmt is Format.json:
        emit(data, fmt)
    else:
        emit(
            active,
            fmt,
            title=f"monitor: {monitor.counters['events_accepted']:,} events taken",
            columns=["rule", "entity_id", "phase", "since", "value"],
        )
