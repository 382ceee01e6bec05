"""Experiment conditions written by someone who is not at the server, checked before they run.

A :class:`~valueloop.verification.service.experiment.LakeExperiment` puts its ``assignment``, ``scope`` and
``unit`` into a DuckDB query, and DuckDB can read and write files. The CLI takes them from
the person at the server; from the web (``POST /api/v1/actions/{id}/experiment``) they are
parsed with sqlglot and rebuilt from an allow-list — columns of the interaction ``i`` and its
feedback ``f``, literals, comparisons, arithmetic and a few pure functions — so no table,
file, setting or statement can be named.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from valueloop.errors import InputError
from valueloop.spec.datasets import DATASETS, FEEDBACK_KINDS
from valueloop.verification.service.experiment import LakeExperiment

TABLES = {"i": DATASETS["interactions"], "f": DATASETS["feedback"]}
"""The aliases the experiment query gives the lake's interactions and feedback."""
SAFE_NODES: tuple[type[exp.Expr], ...] = (
    exp.And, exp.Or, exp.Not, exp.Paren, exp.Boolean, exp.Null, exp.Literal, exp.Column, exp.Identifier,
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ, exp.Is, exp.In,
    exp.Between, exp.Like, exp.ILike, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg, exp.DPipe,
    exp.Cast, exp.TryCast, exp.DataType, exp.DataTypeParam, exp.Interval, exp.Var, exp.Case, exp.If,
    exp.Substring, exp.Lower, exp.Upper, exp.Length, exp.Trim, exp.Abs, exp.Coalesce, exp.MD5,
    exp.TimestampTrunc, exp.DateTrunc, exp.Extract,
)  # fmt: skip
SAFE_FUNCTIONS = frozenset({"hash"})
"""Functions sqlglot does not model (``exp.Anonymous``) that may still be called."""


def checked_experiment(assignment: str, scope: str, outcome: str, feedback_kind: str, unit: str) -> LakeExperiment:
    """The experiment with every condition checked against the allow-list and rebuilt as the SQL that will run."""
    return LakeExperiment(
        assignment=safe_condition(assignment, "assignment"), scope=safe_condition(scope, "scope"),
        outcome=_outcome(outcome), feedback_kind=_kind(feedback_kind), unit=_unit(unit),
    )  # fmt: skip


def safe_condition(text: str, what: str) -> str:
    """``text`` parsed as one DuckDB expression, checked against the allow-list, and rebuilt as SQL.

    The rebuilt text is checked again and must rebuild to itself: what runs is what was checked.
    """
    sql = _checked(text, what).sql(dialect="duckdb")
    if _checked(sql, what).sql(dialect="duckdb") != sql:
        raise InputError(f"{what}: the condition does not read back as written; simplify it")
    return sql


def _checked(text: str, what: str) -> exp.Expr:
    try:
        parsed = [x for x in sqlglot.parse(text, read="duckdb") if x is not None]
        if len(parsed) != 1:
            raise InputError(f"{what}: give one condition, not {len(parsed)} statements")
        for node in parsed[0].walk():
            _check_node(node, what)
        parsed[0].sql(dialect="duckdb")  # generating recurses too: fail here, inside the guard
        return parsed[0]
    except SqlglotError as err:
        detail = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"{what}: not an SQL condition: {detail}") from err
    except RecursionError as err:
        raise InputError(f"{what}: nested too deeply") from err


def _check_node(node: exp.Expr, what: str) -> None:
    if isinstance(node, exp.Anonymous) and node.name.lower() in SAFE_FUNCTIONS:
        return
    if not isinstance(node, SAFE_NODES):
        raise InputError(f"{what}: {node.key.upper()} is not allowed here ({node.sql(dialect='duckdb')[:80]!r}); "
                         "use columns of i / f, literals, comparisons, arithmetic and simple functions")  # fmt: skip
    if isinstance(node, exp.Column):
        _check_column(node, what)


def _check_column(node: exp.Column, what: str) -> None:
    table = TABLES.get(node.table)
    if table is None or node.args.get("db") is not None or node.args.get("catalog") is not None:
        raise InputError(f"{what}: write columns as i.<column> (interactions) or f.<column> (feedback), "
                         f"not {node.sql(dialect='duckdb')!r}")  # fmt: skip
    if not isinstance(node.this, exp.Identifier) or node.name not in table.by_name:
        raise InputError(f"{what}: {table.name} has no column {node.name!r}; it has: {', '.join(table.by_name)}")


def _unit(text: str) -> str:
    rebuilt = safe_condition(text, "unit")
    if not isinstance(sqlglot.parse_one(rebuilt, read="duckdb"), exp.Column):
        raise InputError(f"unit: a column such as i.customer_id, not {text!r}")
    return rebuilt


def _outcome(name: str) -> str:
    field = DATASETS["feedback"].by_name.get(name)
    if field is None or field.kind not in ("int", "float"):
        numeric = [f.name for f in DATASETS["feedback"].fields if f.kind in ("int", "float")]
        raise InputError(f"outcome: a numeric feedback field ({', '.join(numeric)}), not {name!r}")
    return name


def _kind(kind: str) -> str:
    if kind not in FEEDBACK_KINDS:
        raise InputError(f"feedback_kind: one of {', '.join(FEEDBACK_KINDS)}, not {kind!r}")
    return kind
