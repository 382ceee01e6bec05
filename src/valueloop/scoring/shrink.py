"""Empirical Bayes shrinkage of unit values toward the peer mean.

A unit with three 5-star reviews has a mean of 5.0 that says more about luck than about
service. The normal–normal model reads each observed value ``x_i`` as the unit's true
value plus noise of variance ``D_i = s²_i / n_i``, and the true values as spread around
the peer mean ``μ`` with between-unit variance ``τ²``. The posterior mean

    ``x̃_i = (τ² x_i + D_i μ) / (τ² + D_i) = μ + Z_i (x_i − μ)``, ``Z_i = τ² / (τ² + D_i)``

keeps a value measured on many observations and pulls a value measured on few toward
``μ``. ``μ`` is the n-weighted mean of the reference units (by default every unit with
data; :mod:`.composite` passes the well-measured ones); ``τ²`` is estimated on the same
units by the method of moments,
``τ² = max(0, Σ(x_i − x̄)² / (N − d) − mean(D_i))`` with divisor

* ``moments`` (default): ``d = 1``, the unbiased sample variance of the values;
* ``james-stein``: ``d = 3``, which makes ``D / (τ² + D)`` the unbiased estimate
  ``(N − 3) D / Σ(x_i − x̄)²`` of Efron & Morris (1973); with equal ``n`` and ``s²`` this
  is exactly the positive-part James–Stein estimator toward the grand mean, which the
  tests check against Efron & Morris's published baseball example.

Variance of one observation, ``s²``: with ``pool=True`` (default) every unit uses the
pooled within-unit variance ``Σ(n_i − 1) s²_i / Σ(n_i − 1)``, because a handful of
observations cannot estimate their own spread (three identical 5-star reviews have
variance 0 and would not be shrunk at all); ``pool=False`` uses each unit's own ``s²_i``.
Where no variance is known (NaN), the unit falls back to Bühlmann-style credibility
``Z = n / (n + k)``: the form of Bühlmann's (1967) credibility factor with ``k`` fixed
(the indicator's minimum sample size) instead of estimated as ``σ² / τ²``. Too few units
to estimate ``τ²`` also falls back to it.

Shrinkage is a best estimate, not a guarantee against luck: among equally good peers a
small sample lands at about their mean, but when the peers genuinely differ (``τ² > 0``)
its posterior mean may reach the best of them.

Pure: numpy only, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class ShrinkMethod(StrEnum):
    """How the between-unit variance ``τ²`` is estimated (see the module docstring)."""

    moments = "moments"
    james_stein = "james-stein"


_DIVISOR_OFFSET = {ShrinkMethod.moments: 1, ShrinkMethod.james_stein: 3}


@dataclass(frozen=True)
class Shrunk:
    """Posterior means and how they were obtained.

    ``weight`` is ``Z_i``, the weight of the unit's own value (1 = kept, 0 = replaced by
    the peer mean); ``credibility`` marks units that used the Bühlmann-style fallback.
    Units without data (NaN value or ``n <= 0``) get NaN everywhere.
    """

    values: FloatArray
    weight: FloatArray
    mean: float
    tau2: float
    credibility: BoolArray
    variant: str


def _floats(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64).reshape(-1)


def pooled_variance(n: FloatArray, var: FloatArray) -> float:
    """Within-unit variance pooled over the units that report one: ``Σ(n−1)s² / Σ(n−1)``.

    NaN when no unit with more than one observation reports a variance.
    """
    usable = np.isfinite(var) & (n > 1)
    dof = float((n[usable] - 1.0).sum())
    return float(((n[usable] - 1.0) * var[usable]).sum() / dof) if dof > 0 else float("nan")


def between_variance(x: FloatArray, noise: FloatArray, method: ShrinkMethod) -> float:
    """Method-of-moments ``τ² = max(0, Σ(x − x̄)² / (N − d) − mean(D))``; NaN if too few units.

    ``noise`` holds ``D_i = s²_i / n_i``; units with unknown ``D_i`` still count in the
    spread of ``x`` but not in ``mean(D)``.
    """
    dof = x.size - _DIVISOR_OFFSET[method]
    known = np.isfinite(noise)
    if dof <= 0 or not known.any():
        return float("nan")
    spread = float(((x - x.mean()) ** 2).sum() / dof)
    return max(0.0, spread - float(noise[known].mean()))


def _weights(n: FloatArray, noise: FloatArray, tau2: float, k: float) -> tuple[FloatArray, BoolArray]:
    """``Z_i = τ² / (τ² + D_i)`` where ``τ²`` and ``D_i`` are known, else ``n / (n + k)``."""
    fallback = ~np.isfinite(noise) | (not np.isfinite(tau2))
    with np.errstate(divide="ignore", invalid="ignore"):
        bayes = np.where(tau2 + noise > 0, tau2 / (tau2 + noise), 1.0)
    return np.where(fallback, n / (n + k), bayes), fallback


def shrink(
    values: npt.ArrayLike,
    n: npt.ArrayLike,
    var: npt.ArrayLike,
    *,
    k: float,
    method: ShrinkMethod = ShrinkMethod.moments,
    pool: bool = True,
    reference: npt.ArrayLike | None = None,
) -> Shrunk:
    """Shrink each unit's value toward the n-weighted peer mean (see the module docstring).

    ``var`` is the variance of one observation per unit (NaN when unknown); ``k`` is the
    credibility constant of the fallback, normally the indicator's ``min_n``.
    ``reference`` (a boolean mask; default every unit with data) picks the units that
    estimate ``μ``, ``τ²`` and the pooled variance: passing the well-measured ones keeps
    the doubtful values from moving the mean they are shrunk toward.

    Three perfect reviews among well-measured peers are pulled most of the way home:

    >>> r = shrink([5.0, 4.9, 4.5, 4.2, 4.6], [3, 400, 300, 500, 200], [0.0, 0.3, 0.5, 0.6, 0.4], k=30)
    >>> r.values.round(3).tolist(), r.weight.round(2).tolist(), r.variant
    ([4.673, 4.894, 4.5, 4.204, 4.598], [0.31, 0.98, 0.98, 0.99, 0.97], 'eb/moments/pooled')
    """
    x, size, s2, method = _floats(values), _floats(n), _floats(var), ShrinkMethod(method)
    ok = np.isfinite(x) & (size > 0)
    ref = ok if reference is None else ok & np.asarray(reference, dtype=np.bool_).reshape(-1)
    if pool:
        s2 = np.full(x.shape, pooled_variance(size[ref], s2[ref]))
    with np.errstate(divide="ignore", invalid="ignore"):
        noise = s2 / size
    mu = float(np.average(x[ref], weights=size[ref])) if ref.any() else float("nan")
    tau2 = between_variance(x[ref], noise[ref], method)
    z, fallback = _weights(size[ok], noise[ok], tau2, k)
    out, weight, credibility = np.full(x.shape, np.nan), np.full(x.shape, np.nan), np.zeros(x.shape, np.bool_)
    out[ok], weight[ok], credibility[ok] = mu + z * (x[ok] - mu), z, fallback
    variant = f"eb/{method.value}/{'pooled' if pool else 'own'}"
    return Shrunk(out, weight, mu, tau2, credibility, variant)


def shrink_rates(
    rates: npt.ArrayLike,
    n: npt.ArrayLike,
    *,
    k: float,
    method: ShrinkMethod = ShrinkMethod.moments,
    reference: npt.ArrayLike | None = None,
) -> Shrunk:
    """:func:`shrink` for proportions, with the binomial variance ``s² = p(1 − p)``.

    ``p`` is the pooled rate (the n-weighted mean over the reference units), as in Efron
    & Morris's baseball example: a unit's own ``p`` would give 3 successes out of 3 a
    variance of 0.
    """
    p, size = _floats(rates), _floats(n)
    ref = np.isfinite(p) & (size > 0)
    if reference is not None:
        ref &= np.asarray(reference, dtype=np.bool_).reshape(-1)
    pooled = float(np.average(p[ref], weights=size[ref])) if ref.any() else float("nan")
    s2 = np.full(p.shape, pooled * (1.0 - pooled))
    return shrink(p, size, s2, k=k, method=method, reference=reference)
