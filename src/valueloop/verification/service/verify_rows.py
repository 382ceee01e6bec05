"""``verify ab|did|its|power|adjust`` over rows sent in a request instead of a file.

The rows are written to a temporary CSV and handed to the same file use cases as the CLI
(:mod:`valueloop.verification.files`), so the API and ``valueloop verify … --format json`` give
the same document for the same data. Errors name the request body, never the temporary file.
"""

from __future__ import annotations

import csv
import math
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from valueloop.errors import InputError
from valueloop.results import MISSING, Result
from valueloop.stats import power as pw
from valueloop.stats.multiple import adjust as adjust_p
from valueloop.verification.ab import Settings
from valueloop.verification.files import AbRun, verify_ab_file, verify_did_file, verify_its_file
from valueloop.verification.report import AbDoc, DidDoc, ItsDoc, ab_payload, did_payload, its_payload
from valueloop.verification.sufficient import Columns

Cell = float | int | str | None
Row = Mapping[str, Cell]
MetricType = Literal["proportion", "mean", "ratio", "ordinal"]
T = TypeVar("T")


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    return str(value)


@contextmanager
def rows_file(rows: Sequence[Row]) -> Iterator[Path]:
    """The rows as a CSV (columns in order of first appearance, a missing cell left blank).

    Not neutralised against formulas (:mod:`valueloop.ingest.cells`): this file is read back by
    our own reader and deleted, never opened in a spreadsheet, and a ``'`` would change values.
    """
    if not rows:
        raise InputError("rows: no rows sent")
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with tempfile.TemporaryDirectory(prefix="vl-rows-") as tmp:
        path = Path(tmp) / "rows.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(columns)
            writer.writerows([_cell(r.get(c)) for c in columns] for r in rows)
        yield path


def _on_rows(rows: Sequence[Row], use: Callable[[Path], T]) -> T:
    with rows_file(rows) as path:
        try:
            return use(path)
        except InputError as err:
            raise InputError(str(err).replace(str(path), "rows")) from err


def covariate(metric_type: MetricType, denominator_col: str | None, pre_col: str | None) -> str | None:
    if metric_type == "ratio" and denominator_col is None:
        raise InputError("metric type ratio needs a denominator column (--denominator-col / denominator_col)")
    if metric_type != "ratio" and denominator_col is not None:
        raise InputError("a denominator column (--denominator-col / denominator_col) is for metric type ratio")
    if pre_col is not None and metric_type in ("ratio", "ordinal"):
        raise InputError(
            f"a pre-period column (CUPED, --pre-col / pre_col) works with proportion and mean metrics, "
            f"not {metric_type}"
        )
    return denominator_col or pre_col


def ab_docs(run: AbRun, alpha: float) -> list[AbDoc]:
    """One document per treatment, with the rank test and the bootstrap interval when computed."""
    return [
        ab_payload(r, alpha, run.ranks.get(r.treatment_name), run.bootstrap_ci.get(r.treatment_name, MISSING))
        for r in run.results
    ]


def ab(
    rows: Sequence[Row],
    *,
    metric_type: MetricType,
    variant_col: str = "variant",
    value_col: str = "value",
    unit_col: str | None = None,
    denominator_col: str | None = None,
    pre_col: str | None = None,
    control: str | None = None,
    alpha: float = 0.05,
    control_share: float | None = None,
    lower_is_better: bool = False,
    bootstrap: int = 0,
    seed: int = 0,
) -> list[AbDoc]:
    """Treatment(s) against control: one document per treatment (p-values Holm-adjusted when several)."""
    cov = covariate(metric_type, denominator_col, pre_col)
    settings = Settings(metric_type, alpha, control_share, not lower_is_better, pre_col is not None, seed)
    cols = Columns(variant_col, value_col, unit_col, cov)
    run = _on_rows(rows, lambda p: verify_ab_file(p, cols, settings, control, bootstrap))
    return ab_docs(run, alpha)


def did(
    rows: Sequence[Row], *, unit_col: str = "unit", period_col: str = "period", treated_col: str = "treated",
    post_col: str = "post", value_col: str = "value", alpha: float = 0.05,
) -> DidDoc:  # fmt: skip
    """Difference-in-differences (cluster-robust by unit), with its assumptions."""
    result = _on_rows(rows, lambda p: verify_did_file(p, unit_col, treated_col, post_col, value_col, alpha,
                                                      period_col))  # fmt: skip
    return did_payload(result)


def its(
    rows: Sequence[Row], *, intervention: str, time_col: str = "time", value_col: str = "value", alpha: float = 0.05
) -> ItsDoc:
    """Interrupted time series: level and slope change (Newey–West errors), with its assumptions."""
    return its_payload(_on_rows(rows, lambda p: verify_its_file(p, time_col, value_col, intervention, alpha)))


class PowerSizes(Result):
    """``verify power --mde``: the units each arm needs to detect the effect."""

    metric_type: MetricType
    alpha: float
    power: float
    ratio: float
    baseline: float | MISSING = MISSING
    """The control rate (proportion metrics)."""
    sd: float | MISSING = MISSING
    """The standard deviation per unit (mean metrics)."""
    method: Literal["normal_cohen_h", "normal_standardised"]
    mde: float
    target_rate: float | MISSING = MISSING
    """The treatment rate the effect leads to (proportion metrics)."""
    effect_size: float
    n_control: int
    n_treatment: int
    n_total: int


class PowerMde(Result):
    """``verify power --n``: the smallest effect that many control units detect."""

    metric_type: MetricType
    alpha: float
    power: float
    ratio: float
    baseline: float | MISSING = MISSING
    sd: float | MISSING = MISSING
    method: Literal["normal_cohen_h", "normal_standardised"]
    n_control: int
    effect_size: float
    mde: float
    target_rate: float | MISSING = MISSING


PowerDoc = PowerSizes | PowerMde


@dataclass(frozen=True)
class _Ask:
    """What ``power`` was asked: the design, and the effect or the size to solve from."""

    metric_type: MetricType
    mde: float | None
    n: int | None
    alpha: float
    target: float
    ratio: float

    def head(self) -> dict[str, object]:
        return {"metric_type": self.metric_type, "alpha": self.alpha, "power": self.target, "ratio": self.ratio}

    def sizes(self, effect: float) -> dict[str, object]:
        n_c = math.ceil(pw.sample_size(effect, self.target, self.alpha, self.ratio))
        n_t = math.ceil(n_c * self.ratio)
        return {"effect_size": effect, "n_control": n_c, "n_treatment": n_t, "n_total": n_c + n_t}

    def smallest(self) -> float:
        return pw.min_detectable_effect(float(self.n or 0), self.target, self.alpha, self.ratio)


def power(
    metric_type: MetricType, *, mde: float | None = None, n: int | None = None, baseline: float | None = None,
    sd: float | None = None, alpha: float = 0.05, target: float = 0.8, ratio: float = 1.0,
) -> PowerDoc:  # fmt: skip
    """Sample size per group for an effect (``mde``), or the smallest effect for a size (``n``)."""
    if (mde is None) == (n is None):
        raise InputError(
            "give exactly one of the effect (--mde / mde: solve for n) or the size (--n / n: solve for the MDE)"
        )
    ask = _Ask(metric_type, mde, n, alpha, target, ratio)
    try:
        if metric_type == "proportion":
            return _power_proportion(ask, baseline)
        if metric_type == "mean":
            return _power_mean(ask, sd)
    except InputError:
        raise
    except (ValueError, ArithmeticError) as err:  # an effect so small (or a size so large) no root is found
        raise InputError(f"no finite answer for these inputs ({err})") from err
    raise InputError("power is for metric type proportion or mean")


def _power_proportion(ask: _Ask, baseline: float | None) -> PowerDoc:
    if baseline is None or not 0 < baseline < 1:
        raise InputError("metric type proportion needs a baseline rate (--baseline / baseline) between 0 and 1")
    head = ask.head() | {"baseline": baseline, "method": "normal_cohen_h"}
    if (mde := ask.mde) is not None:
        if not 0 < baseline + mde < 1 or mde == 0:
            raise InputError(f"mde {mde} from baseline {baseline} must give a rate strictly between 0 and 1")
        sizes = ask.sizes(pw.cohen_h(baseline, baseline + mde))
        return PowerSizes.model_validate(head | {"mde": mde, "target_rate": baseline + mde} | sizes)
    h = ask.smallest()
    up = pw.rate_for_h(baseline, h)
    return PowerMde.model_validate(head | {"n_control": ask.n, "effect_size": h, "mde": up - baseline,
                                           "target_rate": up})  # fmt: skip


def _power_mean(ask: _Ask, sd: float | None) -> PowerDoc:
    if sd is None or not sd > 0:
        raise InputError("metric type mean needs a positive standard deviation per unit (--sd / sd)")
    head = ask.head() | {"sd": sd, "method": "normal_standardised"}
    if (mde := ask.mde) is not None:
        if mde == 0:
            raise InputError("mde must not be 0")
        return PowerSizes.model_validate(head | {"mde": mde} | ask.sizes(mde / sd))
    d = ask.smallest()
    return PowerMde.model_validate(head | {"n_control": ask.n, "effect_size": d, "mde": d * sd})


class AdjustedP(Result):
    """One metric's p-value before and after the multiple-testing adjustment."""

    metric: int
    p_value: float
    adjusted: float
    reject: bool
    method: Literal["holm", "bh"]


def adjust(p_values: Sequence[float], method: Literal["holm", "bh"] = "holm", alpha: float = 0.05) -> list[AdjustedP]:
    """Holm (FWER) or Benjamini–Hochberg (FDR) adjusted p-values, one row per metric."""
    try:
        adjusted = adjust_p(p_values, method)
    except ValueError as err:
        raise InputError(str(err)) from err
    return [AdjustedP(metric=i + 1, p_value=p, adjusted=float(a), reject=bool(a < alpha), method=method)
            for i, (p, a) in enumerate(zip(p_values, adjusted, strict=True))]  # fmt: skip
