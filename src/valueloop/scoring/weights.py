"""Criterion weights given by hand, combined subjective/objective weights, and the
input checks every weighting and ranking method shares.

Pure: numpy only, no I/O. Every method returns a :class:`Weights` that names its
variant, because published variants of the same method give different numbers and a
reader of a result must be able to tell which one produced it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from valueloop.errors import InputError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Weights:
    """Weights that sum to 1, one per criterion, and the variant that produced them."""

    criteria: tuple[str, ...]
    weights: tuple[float, ...]
    variant: str


class CombineMode(StrEnum):
    """How :func:`combine_weights` mixes subjective and objective weights."""

    linear = "linear"
    product = "product"


def criterion_names(names: Sequence[str] | None, count: int, prefix: str = "c") -> tuple[str, ...]:
    """Return ``names`` checked against ``count``, or ``c1..cN`` when none are given.

    Names must be unique because results and ``cost`` lists refer to criteria by name.
    """
    if names is None:
        return tuple(f"{prefix}{i + 1}" for i in range(count))
    out = tuple(str(n) for n in names)
    if len(out) != count:
        raise InputError(f"{len(out)} names given for {count} columns")
    duplicates = sorted({n for n in out if out.count(n) > 1})
    if duplicates:
        raise InputError(f"duplicate names: {', '.join(duplicates)}")
    return out


def as_matrix(values: npt.ArrayLike, what: str = "decision matrix", min_rows: int = 1) -> FloatArray:
    """Return ``values`` as a 2-D float array, rejecting empty, ragged or non-finite input."""
    try:
        matrix = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InputError(f"{what} is not a numeric table: {err}") from err
    if matrix.ndim != 2 or matrix.shape[1] == 0:
        raise InputError(f"{what} must be a non-empty table (got shape {matrix.shape})")
    if matrix.shape[0] < min_rows:
        raise InputError(f"{what} needs at least {min_rows} rows (got {matrix.shape[0]})")
    bad = np.argwhere(~np.isfinite(matrix))
    if bad.size:
        cells = ", ".join(f"(row {r + 1}, col {c + 1})" for r, c in bad[:5])
        raise InputError(f"{what} has missing or infinite values at {cells}")
    return matrix


def as_vector(values: npt.ArrayLike, what: str = "weights") -> FloatArray:
    """Return ``values`` as a 1-D finite float array."""
    vector = np.asarray(values, dtype=np.float64).reshape(-1)
    if vector.size == 0 or not np.all(np.isfinite(vector)):
        raise InputError(f"{what} must be a non-empty list of finite numbers")
    return vector


def sized(values: npt.ArrayLike, count: int, of_what: str) -> FloatArray:
    """``values`` as a vector of exactly ``count`` numbers (one per ``of_what``)."""
    vector = as_vector(values)
    if vector.size != count:
        raise InputError(f"{vector.size} weights given for {count} {of_what}")
    return vector


def cost_mask(criteria: Sequence[str], cost: Iterable[str]) -> BoolArray:
    """Boolean mask of the criteria named in ``cost`` (smaller is better).

    An unknown name is an error rather than ignored: a typo would otherwise silently
    turn a cost criterion into a benefit criterion.
    """
    wanted = list(cost)
    unknown = [c for c in wanted if c not in criteria]
    if unknown:
        raise InputError(f"unknown cost criteria {', '.join(unknown)}; criteria are {', '.join(criteria)}")
    return np.array([c in wanted for c in criteria], dtype=np.bool_)


def normalise_weights(weights: npt.ArrayLike, criteria: Sequence[str] | None = None) -> Weights:
    """Manual weights scaled to sum to 1 (variant ``manual``).

    People state weights as percentages, points or ratios; dividing by the total keeps
    their proportions. Negative weights and an all-zero list have no meaning and are
    rejected.
    """
    vector = as_vector(weights)
    names = criterion_names(criteria, vector.size)
    negative = [f"{n} = {w:g}" for n, w in zip(names, vector, strict=True) if w < 0]
    if negative:
        raise InputError(f"weights must not be negative: {', '.join(negative)}")
    total = float(vector.sum())
    if total <= 0:
        raise InputError("weights sum to 0; at least one must be positive")
    return Weights(names, tuple(float(w) for w in vector / total), "manual")


def combine_weights(
    subjective: Weights,
    objective: Weights,
    alpha: float = 0.5,
    mode: CombineMode = CombineMode.linear,
) -> Weights:
    """Mix subjective (e.g. AHP) and objective (e.g. entropy) weights.

    ``linear`` (default): ``w = alpha * subjective + (1 - alpha) * objective``, the
    additive synthesis; ``alpha`` is the share of the experts' view.
    ``product``: ``w ∝ subjective**alpha * objective**(1 - alpha)``, the multiplicative
    synthesis; with ``alpha = 0.5`` it ranks like the common ``w_s * w_o / Σ w_s * w_o``
    and equals its normalised square root. Both inputs must name the same criteria in
    the same order so a mix-up of columns cannot pass unnoticed.
    """
    if subjective.criteria != objective.criteria:
        raise InputError(f"criteria differ: {', '.join(subjective.criteria)} vs {', '.join(objective.criteria)}")
    if not 0.0 <= alpha <= 1.0:
        raise InputError(f"mixing factor alpha must lie in [0, 1] (got {alpha:g})")
    s = np.asarray(subjective.weights)
    o = np.asarray(objective.weights)
    mixed = alpha * s + (1.0 - alpha) * o if mode is CombineMode.linear else s**alpha * o ** (1.0 - alpha)
    total = float(mixed.sum())
    if total <= 0:
        raise InputError("the combined weights are all 0 (the two weight vectors share no criterion)")
    return Weights(
        subjective.criteria, tuple(float(w) for w in mixed / total), f"combined/{mode.value}/alpha={alpha:g}"
    )
