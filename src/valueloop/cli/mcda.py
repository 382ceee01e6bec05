"""``valueloop weights …`` and ``valueloop rank …``: multi-criteria weighting and ranking.

A thin adapter over :mod:`valueloop.evaluation.service.mcda` (the maths is
:mod:`valueloop.scoring`'s): read the CSV, call one use case, print its result model —
``--format json`` is the document ``/api/v1/weights/*`` and ``/api/v1/rank/*`` answer. An
:class:`~valueloop.errors.InputError` from the maths is re-raised with the file name in
front and left to propagate; the main entry point turns it into exit code 2.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from valueloop.cli.mcda_csv import Table, parse_list, read_labelled, read_pairwise, split_names
from valueloop.cli.output import Format, FormatOpt, emit, stderr
from valueloop.errors import InputError
from valueloop.scoring.options import (
    Conflict,
    EntropyNormalisation,
    FuzzyOperator,
    PriorityMethod,
    RandomIndexTable,
    TopsisNormalisation,
)

if TYPE_CHECKING:
    from valueloop.evaluation.service.mcda import AhpWeights, CriterionWeights, FuzzyGrade, TopsisRanking
    from valueloop.scoring.weights import FloatArray

weights_app = typer.Typer(help="Criterion weights: AHP, entropy, CRITIC.", no_args_is_help=True)
rank_app = typer.Typer(help="Rank alternatives: TOPSIS, fuzzy comprehensive evaluation.", no_args_is_help=True)

MatrixArg = Annotated[Path, typer.Argument(help="CSV: first column the alternative id, then one column per criterion.")]
CostOpt = Annotated[
    str | None, typer.Option("--cost", help="Comma-separated criteria where smaller is better.", show_default=False)
]
WeightsOpt = Annotated[
    str, typer.Option("--weights", help="Comma-separated weights, one per column (scaled to sum 1).")
]


def register(app: typer.Typer) -> None:
    """Add the ``weights`` and ``rank`` command groups to ``app``."""
    app.add_typer(weights_app, name="weights")
    app.add_typer(rank_app, name="rank")


@contextmanager
def _about(source: Path | str) -> Iterator[None]:
    """Prefix an input error from the maths with the file it came from."""
    try:
        yield
    except InputError as err:
        raise InputError(f"{source}: {err}") from err


@weights_app.command("ahp")
def ahp_command(
    matrices: Annotated[
        list[Path],
        typer.Argument(
            help="Pairwise judgements CSV: header row = criteria, one row per criterion (1/3 allowed). "
            "Several files = group AHP, geometric mean of the experts' matrices."
        ),
    ],
    method: Annotated[PriorityMethod, typer.Option(help="Priority vector.")] = PriorityMethod.eigenvector,
    random_index: Annotated[
        RandomIndexTable, typer.Option("--random-index", help="Random-index table for CR.")
    ] = RandomIndexTable.saaty,
    fmt: FormatOpt = Format.table,
) -> None:
    """AHP weights, λmax, CI and CR (CR > 0.10 = inconsistent)."""
    from valueloop.evaluation.service.mcda import ahp_weights

    criteria, judgements = _read_judgements(matrices)
    with _about(" + ".join(str(p) for p in matrices)):
        result = ahp_weights(judgements, criteria, method, random_index)
    _warn_if_inconsistent(result)
    _emit_ahp(result, fmt)


def _read_judgements(paths: Sequence[Path]) -> tuple[tuple[str, ...], list[FloatArray]]:
    """Read and check each expert's matrix, so an error names the file it is in."""
    from valueloop.scoring.ahp import check_pairwise

    tables = [read_pairwise(path) for path in paths]
    for path, table in zip(paths, tables, strict=True):
        if table.columns != tables[0].columns:
            raise InputError(f"{path}: criteria {', '.join(table.columns)} differ from {paths[0]}'s")
        with _about(path):
            check_pairwise(table.values)
    return tables[0].columns, [t.values for t in tables]


def _warn_if_inconsistent(result: AhpWeights) -> None:
    worst = result.worst_judgement
    if worst is not None:
        stderr.print(
            f"warning: CR = {result.cr:.3f} > 0.10, the judgements are inconsistent; the most inconsistent is "
            f"{worst.row} over {worst.col} = {worst.given:.4g} (the weights imply {worst.implied:.3g})",
            markup=False,
            highlight=False,
        )


def _emit_ahp(result: AhpWeights, fmt: Format) -> None:
    if fmt is Format.json:
        emit(result, fmt)
        return
    _emit_weight_rows(result.criteria, result.weights, fmt, "AHP weights")
    worst = result.worst_judgement
    summary = {
        "variant": result.variant,
        "lambda_max": result.lambda_max,
        "CI": result.ci,
        "CR": result.cr,
        "consistent": result.consistent,
        "most inconsistent": None if worst is None else f"{worst.row} over {worst.col} = {worst.given:.4g}",
    }
    _summary(summary, fmt)


def _summary(data: dict[str, Any], fmt: Format) -> None:
    """Scalars that belong with a result table; people get them, CSV stays one table."""
    if fmt is Format.table:
        emit(data, fmt)


def _emit_weight_rows(criteria: Sequence[str], weights: Sequence[float | None], fmt: Format, title: str) -> None:
    rows = [{"criterion": c, "weight": w} for c, w in zip(criteria, weights, strict=True)]
    emit(rows, fmt, title=title, columns=["criterion", "weight"])


def _emit_weights(result: CriterionWeights, fmt: Format) -> None:
    if fmt is Format.json:
        emit(result, fmt)
    else:
        _emit_weight_rows(result.criteria, result.weights, fmt, "weights")
        _summary({"variant": result.variant}, fmt)


@weights_app.command("entropy")
def entropy_command(
    matrix: MatrixArg,
    cost: CostOpt = None,
    normalisation: Annotated[
        EntropyNormalisation, typer.Option(help="proportion: p = x / Σx (raw values); min-max: rescale first.")
    ] = EntropyNormalisation.proportion,
    fmt: FormatOpt = Format.table,
) -> None:
    """Entropy weights: criteria that vary more across alternatives weigh more."""
    from valueloop.evaluation.service.mcda import entropy

    table = read_labelled(matrix)
    with _about(matrix):
        result = entropy(table.values.tolist(), table.columns, split_names(cost), normalisation)
    _emit_weights(result, fmt)


@weights_app.command("critic")
def critic_command(
    matrix: MatrixArg,
    cost: CostOpt = None,
    conflict: Annotated[
        Conflict, typer.Option(help="signed: Σ(1 - r) as Diakoulaki et al.; absolute: Σ(1 - |r|).")
    ] = Conflict.signed,
    fmt: FormatOpt = Format.table,
) -> None:
    """CRITIC weights: contrast (standard deviation) times conflict (low correlation)."""
    from valueloop.evaluation.service.mcda import critic

    table = read_labelled(matrix)
    with _about(matrix):
        result = critic(table.values.tolist(), table.columns, split_names(cost), conflict)
    _emit_weights(result, fmt)


@rank_app.command("topsis")
def topsis_command(
    matrix: MatrixArg,
    weights: WeightsOpt,
    cost: CostOpt = None,
    normalisation: Annotated[
        TopsisNormalisation, typer.Option(help="vector (Hwang & Yoon) or min-max.")
    ] = TopsisNormalisation.vector,
    fmt: FormatOpt = Format.table,
) -> None:
    """TOPSIS: closeness to the ideal alternative; rank 1 = best."""
    from valueloop.evaluation.service.mcda import rank_topsis

    table = read_labelled(matrix)
    given = parse_list(weights, "--weights")
    with _about(matrix):
        result = rank_topsis(table.values.tolist(), given, table.labels, table.columns, split_names(cost),
                             normalisation)  # fmt: skip
    _emit_topsis(result, fmt)


def _emit_topsis(result: TopsisRanking, fmt: Format) -> None:
    if fmt is Format.json:
        emit(result, fmt)
        return
    rows = [
        {"alternative": a, "closeness": c, "rank": r}
        for a, c, r in zip(result.alternatives, result.closeness, result.rank, strict=True)
    ]
    emit(rows, fmt, title="TOPSIS", columns=["alternative", "closeness", "rank"])
    _summary({"variant": result.variant}, fmt)


@rank_app.command("fuzzy")
def fuzzy_command(
    membership: Annotated[
        Path, typer.Argument(help="CSV: one row per factor (first column its id), one column per grade.")
    ],
    weights: WeightsOpt,
    operator: Annotated[
        FuzzyOperator, typer.Option(help="Composition: product-sum is the weighted average.")
    ] = FuzzyOperator.product_sum,
    grade_scores: Annotated[
        str | None, typer.Option("--grade-scores", help="Comma-separated score per grade.", show_default=False)
    ] = None,
    normalise: Annotated[bool, typer.Option("--normalise", help="Rescale the membership to sum 1.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Fuzzy comprehensive evaluation (模糊综合评价): grade of maximum membership."""
    from valueloop.evaluation.service.mcda import rank_fuzzy

    table: Table = read_labelled(membership)
    scores = None if grade_scores is None else parse_list(grade_scores, "--grade-scores")
    given = parse_list(weights, "--weights")
    with _about(membership):
        result = rank_fuzzy(table.values.tolist(), given, table.labels, table.columns, operator, scores, normalise)
    _emit_fuzzy(result, fmt)


def _emit_fuzzy(result: FuzzyGrade, fmt: Format) -> None:
    if fmt is Format.json:
        emit(result, fmt)
        return
    rows = [{"grade": g, "membership": b} for g, b in zip(result.grades, result.membership, strict=True)]
    emit(rows, fmt, title="membership", columns=["grade", "membership"])
    score = result.model_dump().get("score")  # absent when no grade scores were given
    _summary({"variant": result.variant, "grade": result.grade, "score": score}, fmt)
