"""``valueloop ledger verify|proof|anchor``: check the hash-chained ledger and export proofs.

``verify --format json`` prints ``{"ok", "records", "problems": [{"record", "kind",
"detail"}], "not_covered": [...]}`` and exits 1 when not ok (**contract**; ``not_covered``
lists rows and lake files stored before coverage began and does not make it fail).
``proof`` prints a JSON inclusion proof that ``docs/verify_ledger_proof.py`` checks;
``anchor`` prints the newest day's Merkle root to timestamp somewhere outside this database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr, to_json


def register(app: typer.Typer) -> None:
    """Add the ``ledger`` command group to ``app``."""
    group = typer.Typer(help="The tamper-evident ledger of results and changes.", no_args_is_help=True)
    group.command("verify")(verify)
    group.command("proof")(proof)
    group.command("anchor")(anchor)
    app.add_typer(group, name="ledger")


def verify(
    anchor_file: Annotated[
        Path | None, typer.Option("--anchor", help="An anchor saved from `ledger anchor --format json`.")
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Check the chain, the daily roots' inputs and every recorded row; exit 1 on any problem."""
    from valueloop.errors import InputError
    from valueloop.store.ledger_proof import load_anchor
    from valueloop.store.ledger_proof import verify as run
    from valueloop.store.workspace import open_workspace

    anchor = None
    if anchor_file is not None:
        if not anchor_file.is_file():
            raise InputError(f"no anchor file {anchor_file}")
        anchor = load_anchor(anchor_file.read_text(encoding="utf-8"))
    report = run(open_workspace(workspace), anchor)
    if fmt is Format.json:
        emit(report, fmt)
    else:
        summary = {"ok": report.ok, "records": report.records, "problems": len(report.problems)}
        emit({**summary, "not_covered": len(report.not_covered)}, fmt, title="ledger")
        if report.problems:
            emit([p.model_dump() for p in report.problems], fmt, columns=("record", "kind", "detail"))
    if not report.ok:
        raise typer.Exit(1)


def proof(
    record: Annotated[str, typer.Argument(help="The record's position (seq) or hash.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the proof to this file.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Export the record's inclusion proof (its Merkle path to the day's root) as JSON."""
    from valueloop.store.ledger_proof import proof as run
    from valueloop.store.workspace import open_workspace

    text = to_json(run(open_workspace(workspace), record))
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        stderr.print(f"proof written to {out}; check it with docs/verify_ledger_proof.py {out}")


def anchor(
    day: Annotated[str | None, typer.Option(help="UTC day YYYY-MM-DD (default: the newest day with records).")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Print a day's Merkle root (and the chain head it covers) for external timestamping."""
    from valueloop.store.ledger_proof import anchor as run
    from valueloop.store.workspace import open_workspace

    emit(run(open_workspace(workspace), day), fmt)
