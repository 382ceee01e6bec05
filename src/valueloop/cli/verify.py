"""``valueloop verify``: did an improvement action work? Prove it with statistics.

A thin adapter over :mod:`valueloop.verification` (file → sufficient statistics → tests) and
:mod:`valueloop.stats.power`. Commands:

* ``ab FILE`` — a randomised test, one row per unit. JSON: ``{"metric_type", "control":
  {"name", "n", "mean", "var"}, "treatment": {...}, "diff", "lift", "ci", "lift_ci",
  "p_value", "srm_p_value", "verdict", "reason", "method", "alpha", "prob_better", ...}``
  (a list of those with more than two variants and ``--control``; p-values Holm-adjusted);
* ``power`` — sample size per group, or the MDE for a given size;
* ``did FILE`` / ``its FILE`` — without randomisation, each with its assumptions;
* ``adjust P...`` — Holm or Benjamini–Hochberg adjusted p-values over several metrics.

File and argument problems are :class:`~valueloop.errors.InputError` (exit code 2).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.loop import verify_action
from valueloop.cli.output import Format, FormatOpt, emit, stderr


class MetricType(StrEnum):
    proportion = "proportion"
    mean = "mean"
    ratio = "ratio"
    ordinal = "ordinal"


class Correction(StrEnum):
    holm = "holm"
    bh = "bh"


FileArg = Annotated[Path, typer.Argument(metavar="DATA", help="CSV or Parquet file.", show_default=False)]
AlphaOpt = Annotated[float, typer.Option("--alpha", min=1e-6, max=0.5, help="Significance level (two-sided).")]
Col = Annotated[str, typer.Option()]


def register(app: typer.Typer) -> None:
    """Add the ``verify`` command group to ``app``."""
    verify = typer.Typer(help="Verify that an improvement action worked.", no_args_is_help=True)
    verify.command("ab")(ab)
    verify.command("power")(power)
    verify.command("did")(did)
    verify.command("its")(its)
    verify.command("adjust")(adjust)
    verify.command("action")(verify_action)
    app.add_typer(verify, name="verify")


def ab(
    file: FileArg,
    metric_type: Annotated[MetricType, typer.Option("--metric-type", help="proportion (0/1), mean, ratio, ordinal.")],
    unit_col: Annotated[str | None, typer.Option("--unit-col", help="Unit id: checked one row per unit.")] = None,
    variant_col: Annotated[str, typer.Option("--variant-col")] = "variant",
    value_col: Annotated[str, typer.Option("--value-col", help="Outcome (ratio: numerator).")] = "value",
    denominator_col: Annotated[str | None, typer.Option("--denominator-col", help="Ratio metrics.")] = None,
    control: Annotated[str | None, typer.Option("--control", help="Control variant name.")] = None,
    pre_col: Annotated[str | None, typer.Option("--pre-col", help="Pre-period covariate: CUPED.")] = None,
    alpha: AlphaOpt = 0.05,
    control_share: Annotated[
        float | None, typer.Option("--control-share", min=0.0, max=1.0, help="Designed control share (SRM).")
    ] = None,
    lower_is_better: Annotated[bool, typer.Option("--lower-is-better", help="A decrease is the improvement.")] = False,
    bootstrap: Annotated[int, typer.Option("--bootstrap", min=0, help="Also a percentile bootstrap CI (N).")] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed for bootstrap and Monte Carlo.")] = 0,
    fmt: FormatOpt = Format.table,
) -> None:
    """Compare treatment with control in a randomised test and give a verdict."""
    from valueloop.verification.ab import Settings
    from valueloop.verification.files import verify_ab_file
    from valueloop.verification.service import verify_rows as rows_flow
    from valueloop.verification.sufficient import Columns

    covariate = rows_flow.covariate(metric_type.value, denominator_col, pre_col)
    settings = Settings(metric_type.value, alpha, control_share, not lower_is_better, pre_col is not None, seed)
    run = verify_ab_file(file, Columns(variant_col, value_col, unit_col, covariate), settings, control, bootstrap)
    docs = rows_flow.ab_docs(run, alpha)
    emit(docs[0] if len(docs) == 1 else docs, fmt, title=f"verify ab: {file.name}")


def power(
    metric_type: Annotated[MetricType, typer.Option("--metric-type", help="proportion or mean.")],
    mde: Annotated[float | None, typer.Option("--mde", help="Absolute effect to detect.")] = None,
    n: Annotated[int | None, typer.Option("--n", min=2, help="Control units: solve for the MDE instead.")] = None,
    baseline: Annotated[float | None, typer.Option("--baseline", help="Control rate (proportion).")] = None,
    sd: Annotated[float | None, typer.Option("--sd", help="Standard deviation per unit (mean).")] = None,
    alpha: AlphaOpt = 0.05,
    target: Annotated[float, typer.Option("--power", min=0.01, max=0.999, help="Target power.")] = 0.8,
    ratio: Annotated[float, typer.Option("--ratio", min=0.01, help="Treatment units per control unit.")] = 1.0,
    fmt: FormatOpt = Format.table,
) -> None:
    """Sample size per group for an effect (--mde), or the smallest effect for a size (--n)."""
    from valueloop.verification.service import verify_rows as rows_flow

    doc = rows_flow.power(metric_type.value, mde=mde, n=n, baseline=baseline, sd=sd, alpha=alpha, target=target,
                          ratio=ratio)  # fmt: skip
    emit(doc, fmt, title="verify power")


def did(
    file: FileArg,
    unit_col: Annotated[str, typer.Option("--unit-col")] = "unit",
    period_col: Annotated[str, typer.Option("--period-col", help="Period label (kept for the record).")] = "period",
    treated_col: Annotated[
        str, typer.Option("--treated-col", help="1 for units the action reached, else 0.")
    ] = "treated",
    post_col: Annotated[str, typer.Option("--post-col", help="1 for periods after the action, else 0.")] = "post",
    value_col: Annotated[str, typer.Option("--value-col")] = "value",
    alpha: AlphaOpt = 0.05,
    fmt: FormatOpt = Format.table,
) -> None:
    """Difference-in-differences against comparable units (cluster-robust by unit)."""
    from valueloop.verification.files import verify_did_file
    from valueloop.verification.report import did_payload

    result = verify_did_file(file, unit_col, treated_col, post_col, value_col, alpha, period_col)
    doc = did_payload(result)
    _assumptions(doc.assumptions, fmt)
    emit(doc, fmt, title="verify did")


def its(
    file: FileArg,
    intervention: Annotated[str, typer.Option("--intervention", help="First period of the action (date or number).")],
    time_col: Annotated[str, typer.Option("--time-col")] = "time",
    value_col: Annotated[str, typer.Option("--value-col")] = "value",
    alpha: AlphaOpt = 0.05,
    fmt: FormatOpt = Format.table,
) -> None:
    """Interrupted time series: level and slope change (Newey–West errors)."""
    from valueloop.verification.files import verify_its_file
    from valueloop.verification.report import its_payload

    doc = its_payload(verify_its_file(file, time_col, value_col, intervention, alpha))
    _assumptions(doc.assumptions, fmt)
    emit(doc, fmt, title="verify its")


def adjust(
    p_values: Annotated[list[float], typer.Argument(metavar="P...", help="One p-value per metric.")],
    method: Annotated[Correction, typer.Option("--method", help="holm (FWER) or bh (FDR).")] = Correction.holm,
    alpha: AlphaOpt = 0.05,
    fmt: FormatOpt = Format.table,
) -> None:
    """Adjust several metrics' p-values for multiple testing."""
    from valueloop.verification.service import verify_rows as rows_flow

    emit(rows_flow.adjust(p_values, method.value, alpha), fmt, title=f"{method.value} adjusted p-values")


def _assumptions(items: list[str], fmt: Format) -> None:
    """People reading a table see the assumptions on stderr; JSON carries them as a key."""
    if fmt is not Format.json:
        for item in items:
            stderr.print(f"assumes: {item}")
