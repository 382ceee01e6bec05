"""``valueloop demo``: generate realistic data, or run the whole demo pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.output import Format, FormatOpt, emit, stderr

demo_app = typer.Typer(help="Synthetic but realistic demo data and the end-to-end demo.")


@demo_app.callback(invoke_without_command=True)
def demo(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="Workspace folder to create.")] = Path("demo-workspace"),
    interactions: Annotated[int, typer.Option(help="Number of interactions.")] = 150_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    serve: Annotated[bool, typer.Option("--serve", help="Then serve the dashboard for the demo workspace.")] = False,
    port: Annotated[int, typer.Option(help="Port for --serve.")] = 8600,
    fmt: FormatOpt = Format.table,
) -> None:
    """Create a workspace, generate and ingest the demo data, take it around the loop, and show what is there."""
    if ctx.invoked_subcommand is not None:
        return
    from valueloop.demo.pipeline import run_demo

    report = run_demo(out, interactions=interactions, seed=seed, log=lambda m: stderr.print(m))
    emit(report["datasets"], fmt, title=f"demo workspace {report['workspace']}")
    if serve:
        from valueloop.cli.serve import serve as run_server

        stderr.print(f"dashboard: http://127.0.0.1:{port}/  login: admin (password printed above)")
        run_server(port=port, workspace=out, secure_cookies=False)  # plain http on this machine only


@demo_app.command("generate")
def generate(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the datasets to.")],
    entities: Annotated[int, typer.Option(help="Approximate number of organisation units.")] = 200,
    interactions: Annotated[int, typer.Option(help="Number of interactions.")] = 100_000,
    months: Annotated[int, typer.Option(help="Months of history.")] = 12,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    fmt: FormatOpt = Format.table,
) -> None:
    """Write every canonical dataset as Parquet, seeded, with planted stories (see STORIES.json)."""
    from valueloop.demo.generate import generate as run_generate

    paths = run_generate(
        out, entities=entities, interactions=interactions, months=months, seed=seed, progress=lambda m: stderr.print(m)
    )
    emit([{"dataset": k, "file": str(v)} for k, v in paths.items()], fmt)


@demo_app.command("call-log")
def call_log(
    out: Annotated[Path, typer.Argument(help="The CSV file to write.")],
    month: Annotated[str, typer.Option(help="The month to simulate, YYYY-MM.")] = "1999-08",
    days: Annotated[int | None, typer.Option(help="Only the first N days of the month.")] = None,
    calls_per_day: Annotated[int, typer.Option(help="Average calls on a full weekday.")] = 1200,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    fmt: FormatOpt = Format.table,
) -> None:
    """Write a realistic bank call-centre log (one row per call, the "Anonymous Bank" columns).

    Ingest it into a ``--template call-centre`` workspace with its ``mappings/calls.yaml``.
    """
    from valueloop.demo.call_log import month_start, simulate, write_call_log
    from valueloop.errors import InputError

    try:
        first, length = month_start(month)
    except ValueError:
        raise InputError(f"--month {month!r} is not a month such as 1999-08") from None
    calls = simulate(first, min(days or length, length), calls_per_day=calls_per_day, seed=seed)
    write_call_log(out, calls)
    answered = sum(c.outcome == "AGENT" for c in calls)
    emit({"file": str(out), "calls": len(calls), "answered": answered, "month": month}, fmt)


def register(app: typer.Typer) -> None:
    app.add_typer(demo_app, name="demo")
