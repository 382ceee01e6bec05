"""The choices the weighting and ranking methods take, apart from the methods themselves.

These enums are command-line and HTTP parameter types, so the CLI needs them when it
builds its commands; kept here, free of numpy, ``valueloop --help`` does not load the
maths. Each method's module re-exports its own choices, so callers import them from
the method (``from valueloop.scoring.topsis import TopsisNormalisation``) as before.
"""

from __future__ import annotations

from enum import StrEnum


class PriorityMethod(StrEnum):
    """How priorities are derived from the judgement matrix."""

    eigenvector = "eigenvector"
    geometric_mean = "geometric-mean"


class RandomIndexTable(StrEnum):
    """Published tables of the mean CI of random reciprocal matrices."""

    saaty = "saaty"
    alonso_lamata = "alonso-lamata"


class Conflict(StrEnum):
    """How correlation turns into conflict between two criteria."""

    signed = "signed"
    absolute = "absolute"


class EntropyNormalisation(StrEnum):
    """How raw values become the proportions ``p_ij``."""

    proportion = "proportion"
    minmax = "min-max"


class FuzzyOperator(StrEnum):
    """The composition operator ``∘`` of ``B = A ∘ R``."""

    product_sum = "product-sum"
    min_max = "min-max"
    product_max = "product-max"
    min_bounded_sum = "min-bounded-sum"


class TopsisNormalisation(StrEnum):
    """How each column is brought to a common scale."""

    vector = "vector"
    minmax = "min-max"
