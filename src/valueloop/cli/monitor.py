"""``valueloop monitor``: run a real-time anomaly detector over a recorded series.

A thin adapter over :mod:`valueloop.monitor`: read ``timestamp,value`` rows, feed them in
order through one detector from the registry, print one result per input row. The
detector sees the rows one at a time, exactly as it would live, so what ``detect`` flags
on a replay is what monitoring would have flagged then.

JSON shape: ``[{"timestamp", "value", "score", "anomaly"}]`` in input order; the
timestamp is echoed as written, a blank value is ``null`` (scored 0, never an anomaly).
Every unreadable cell is reported at once as an :class:`~valueloop.errors.InputError`.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr
from valueloop.errors import InputError
from valueloop.monitor.registry import DEFAULT, DETECTORS

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


def detect(file: SeriesArg, detector: DetectorOpt = DEFAULT, fmt: FormatOpt = Format.table) -> None:
    """Score every row of a timestamp,value series; flag the anomalies."""
    if detector not in DETECTORS:
        raise typer.BadParameter(f"{detector!r} is not one of {', '.join(DETECTORS)}", param_hint="--detector")
    from valueloop.flows.monitor_detect import detect as detect_points

    series = read_series(file)
    rows = detect_points(detector, series.stamps, [v if math.isfinite(v) else None for v in series.values])
    emit(rows, fmt, title=f"{detector}: {sum(r['anomaly'] for r in rows)} anomalies in {len(rows)} rows")


@dataclass(frozen=True)
class Series:
    """A parsed series: timestamps as written, as Unix seconds, and values (NaN when blank)."""

    stamps: list[str]
    times: list[float]
    values: list[float]


def read_series(path: Path) -> Series:
    """The timestamp and value columns of a UTF-8 CSV; naive timestamps are taken as UTC."""
    reader = csv.DictReader(io.StringIO(_read_text(path)))
    header = {name.strip().lower(): name for name in reader.fieldnames or []}
    missing = [c for c in ("timestamp", "value") if c not in header]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (found: {', '.join(header) or 'no header'})")
    series = Series([], [], [])
    problems: list[str] = []
    try:
        for row, record in enumerate(reader, start=1):
            _parse_row(row, reader.line_num, record, header, series, problems)
    except csv.Error as err:
        raise InputError(f"{path}: line {reader.line_num}: not valid CSV ({err})") from err
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise InputError(f"{path}: " + "; ".join(problems[:10]) + more)
    return series


def _parse_row(
    row: int, line: int, record: dict[str, Any], header: dict[str, str], series: Series, problems: list[str]
) -> None:
    stamp = (record.get(header["timestamp"]) or "").strip()
    cell = (record.get(header["value"]) or "").strip()
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


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise InputError(f"{path}: cannot read file ({err.strerror or err})") from err
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text (byte {err.start})") from err


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
    from valueloop.flows.monitor_replay import read_lines

    lines = read_lines(file)
    if url is not None:
        result = _replay_http(lines, url, token, speed, batch)
    else:
        from valueloop.flows.monitor import Monitor
        from valueloop.flows.monitor_replay import replay as run_replay
        from valueloop.store.workspace import open_workspace

        monitor = Monitor(open_workspace(workspace))
        try:
            with _progress(len(lines)) as tick:
                result = run_replay(monitor, lines, speed=speed, batch=batch, progress=tick).as_json()
        finally:
            monitor.close()
    emit(result, fmt, title=f"replayed {file.name}")
    if result["rejected"]:
        stderr.print(f"{result['rejected']} line(s) rejected; first: {result['rejected_lines'][0]}")


def _replay_http(lines: list[str], url: str, token: str | None, speed: float, batch: int) -> dict[str, Any]:
    import time

    import httpx

    from valueloop.flows.monitor_replay import event_time

    headers = {"Content-Type": "application/x-ndjson"} | ({"Authorization": f"Bearer {token}"} if token else {})
    totals: dict[str, Any] = {
        "lines": len(lines),
        "accepted": 0,
        "late": 0,
        "rejected": 0,
        "rejected_lines": [],
        "alerts_fired": 0,
        "alerts_resolved": 0,
    }
    began, first = time.perf_counter(), None
    with httpx.Client(timeout=60) as client:
        for i in range(0, len(lines), batch):
            chunk = lines[i : i + batch]
            head = event_time(chunk[0]) if speed > 0 else None
            if head is not None:
                first = head if first is None else first
                time.sleep(max(0.0, (head - first) / speed - (time.perf_counter() - began)))
            r = client.post(url, content="\n".join(chunk).encode(), headers=headers)
            if r.status_code >= 400:
                raise InputError(f"{url}: HTTP {r.status_code}: {r.text[:300]}")
            got = r.json()
            totals["accepted"] += got["accepted"]
            totals["late"] += got["late"]
            totals["rejected"] += len(got["rejected"])
            totals["rejected_lines"] += [{"line": x["line"] + i, "reason": x["reason"]} for x in got["rejected"]][:100]
            for a in got["alerts"]:
                totals["alerts_fired" if a["status"] == "firing" else "alerts_resolved"] += 1
    totals["seconds"] = round(time.perf_counter() - began, 3)
    return totals


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
    from zoneinfo import ZoneInfo

    from valueloop.flows.monitor_replay import export_stream
    from valueloop.store.workspace import open_workspace

    ws = open_workspace(workspace)
    tz = ZoneInfo(ws.settings.workspace.timezone)

    def when(raw: str, name: str) -> datetime:
        try:
            t = datetime.fromisoformat(raw)
        except ValueError:
            raise typer.BadParameter(f"{raw!r} is not an ISO date/time", param_hint=name) from None
        return t if t.tzinfo else t.replace(tzinfo=tz)

    lines = export_stream(ws, when(start, "--from"), when(end, "--to"))
    out.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    stderr.print(f"wrote {len(lines):,} events to {out}")


def status(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Pending and firing alerts of the monitor's saved state, and its counters."""
    from valueloop.flows.monitor import Monitor
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
