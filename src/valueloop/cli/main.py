"""The ``valueloop`` command: ``valueloop <area> <verb>``.

A thin adapter: each command parses arguments, calls one use case in
:mod:`valueloop.flows` (or a pure function) and prints the result. Errors from the
domain carry their own exit code (see :mod:`valueloop.errors`); this is the one
place that turns them into a message on stderr and an exit status.

Start-up must stay instant (``--help`` and argument errors well under a second): a
command imports flows, stores and data or maths libraries inside its own body, and
parameter enums live in light modules. ``tests/cli/test_startup.py`` checks it.
"""

from __future__ import annotations

import sys

import typer

from valueloop.cli import (
    actions,
    alerts,
    allocate,
    cases,
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
    qa,
    report,
    serve,
    spc,
    subscriptions,
    surveys,
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
    loop, people, qa, ledger, surveys, cases, report, subscriptions, serve, users, demo,
)  # fmt: skip
for area in AREAS:
    area.register(app)


def main() -> None:
    """Console entry point: run the app, mapping valueloop errors to exit codes."""
    groups, commands = app.registered_groups, app.registered_commands
    try:
        _narrow(sys.argv[1:2])
        app()
    except ValueloopError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(err.exit_code)
    finally:
        app.registered_groups, app.registered_commands = groups, commands


def _narrow(first: list[str]) -> None:
    """Build only the top-level command or group the command line names.

    Typer builds the whole tree, evaluating every command's annotations, before it parses a
    word: a third of start-up with 100+ commands. When the first argument names one
    top-level group exactly, no other can run, so the others are left out; anything else
    (``--help``, a typo that wants the full list) sees the whole tree. A top-level command
    keeps its sibling commands, as typer runs a lone command as the whole app.
    """
    names = [g.name for g in app.registered_groups] + [c.name for c in app.registered_commands]
    if len(first) != 1 or first[0] not in names or None in names:
        return
    app.registered_groups = [g for g in app.registered_groups if g.name == first[0]]
    if app.registered_groups:
        app.registered_commands = []
