"""The ``valueloop`` command: ``valueloop <area> <verb>``.

A thin adapter: each command parses arguments, calls one use case in
:mod:`valueloop.flows` (or a pure function) and prints the result. Errors from the
domain carry their own exit code (see :mod:`valueloop.errors`); this is the one
place that turns them into a message on stderr and an exit status.
"""

from __future__ import annotations

import sys

import typer

from valueloop.cli import (
    actions,
    alerts,
    allocate,
    demo,
    diagnose,
    evaluate,
    ingest,
    ledger,
    loop,
    mcda,
    model_diff,
    monitor,
    people,
    report,
    serve,
    spc,
    text,
    users,
    verify,
    workspace,
)
from valueloop.errors import ValueloopError

app = typer.Typer(
    name="valueloop",
    help="Service value evaluation and continuous improvement.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Order matters once: `model_diff` adds to the `models` group that `evaluate` mounts.
AREAS = (
    workspace, ingest, evaluate, model_diff, allocate, diagnose, mcda, spc, monitor, alerts, text, verify, actions,
    loop, people, ledger, report, serve, users, demo,
)  # fmt: skip
for area in AREAS:
    area.register(app)


def main() -> None:
    """Console entry point: run the app, mapping valueloop errors to exit codes."""
    try:
        app()
    except ValueloopError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(err.exit_code)
