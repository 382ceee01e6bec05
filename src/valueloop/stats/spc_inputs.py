"""Validation shared by the control charts: turn user data into clean numpy arrays.

Kept apart from the chart maths so each chart reads as its formula. Every problem
found in one pass is reported in a single :class:`~valueloop.errors.InputError`
(rows counted from 1), because a user fixing a file wants the whole list.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from valueloop.errors import InputError
from valueloop.stats.western_electric import BoolArray, FloatArray

MAX_PROBLEMS = 10
Problem = tuple[int, str]  # (0-based row, message) so problems sort by row


@dataclass(frozen=True)
class Rows:
    """The rows that feed the limits: the first ``baseline`` minus ``excluded``."""

    baseline: int
    excluded: tuple[int, ...]
    use: BoolArray


def vector(data: npt.ArrayLike, column: str) -> FloatArray:
    """A 1-D float array, or an error naming the column that could not become one."""
    try:
        out = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InputError(f"column '{column}': expected numbers ({err})") from err
    if out.ndim != 1:
        raise InputError(f"column '{column}': expected one value per row, got shape {out.shape}")
    return out


def same_length(a: FloatArray, b: FloatArray, name_a: str, name_b: str) -> None:
    """Paired columns (count and size) must line up row by row."""
    if a.size != b.size:
        raise InputError(f"columns '{name_a}' and '{name_b}' differ in length ({a.size} vs {b.size})")


def count_problems(
    count: FloatArray,
    size: FloatArray,
    count_name: str,
    size_name: str,
    *,
    at_most_size: bool,
) -> list[Problem]:
    """Every bad cell at once, so a user fixes the file in one pass."""
    found = cell_problems(count_name, ~np.isfinite(count), "is not a finite number")
    found += cell_problems(size_name, ~np.isfinite(size), "is not a finite number")
    found += cell_problems(count_name, count < 0, "must not be negative")
    found += cell_problems(size_name, size <= 0, "must be positive")
    if at_most_size:
        found += cell_problems(count_name, count > size, f"exceeds the sample size '{size_name}'")
    return found


def cell_problems(column: str, bad: BoolArray, what: str) -> list[Problem]:
    """One message per flagged row of ``column``."""
    return [(int(i), f"row {i + 1}, column '{column}': {what}") for i in np.flatnonzero(bad)]


def raise_if(found: list[Problem]) -> None:
    """Raise once, listing problems in row order (the first ten, then a count)."""
    if found:
        texts = [text for _, text in sorted(found)]
        more = len(texts) - MAX_PROBLEMS
        tail = f" (and {more} more)" if more > 0 else ""
        raise InputError("; ".join(texts[:MAX_PROBLEMS]) + tail)


def baseline_rows(count: int, baseline: int | None, exclude: Collection[int], minimum: int) -> Rows:
    """Which rows feed the limits; rejects baselines and exclusions that make no sense."""
    if count == 0:
        raise InputError("no rows: a control chart needs data")
    if count < minimum:
        raise InputError(f"{count} row(s): this chart needs at least {minimum}")
    n_base = count if baseline is None else baseline
    if not 1 <= n_base <= count:
        raise InputError(f"baseline must be between 1 and the number of rows ({count}), got {baseline}")
    outside = sorted(r + 1 for r in exclude if not 0 <= r < n_base)
    if outside:
        raise InputError(f"excluded rows {outside} are outside the baseline (rows 1-{n_base})")
    use = np.zeros(count, dtype=np.bool_)
    use[:n_base] = True
    use[np.asarray(sorted(exclude), dtype=np.intp)] = False
    if int(use.sum()) < minimum:
        raise InputError(f"only {int(use.sum())} baseline row(s) left for the limits, need {minimum}")
    return Rows(n_base, tuple(sorted(set(exclude))), use)


def subgroup_array(subgroups: Iterable[npt.ArrayLike], allowed: Collection[int]) -> FloatArray:
    """Stack subgroups into a (k, n) array, insisting on one size in ``allowed``."""
    groups = [np.asarray(g, dtype=np.float64).ravel() for g in subgroups]
    sizes = sorted({g.size for g in groups})
    if not groups:
        raise InputError("no subgroups: an X̄-R chart needs at least one")
    if len(sizes) != 1 or sizes[0] not in allowed:
        span = f"{min(allowed)} and {max(allowed)}"
        raise InputError(f"subgroups must all have one size between {span}, got sizes {sizes}")
    stacked = np.vstack(groups)
    bad = np.flatnonzero(~np.isfinite(stacked).all(axis=1))
    raise_if([(int(i), f"subgroup {i + 1}: has a value that is not a finite number") for i in bad])
    return stacked
