"""Manual and combined weights: hand-computed references, bad input, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from valueloop.errors import InputError
from valueloop.scoring.weights import CombineMode, Weights, combine_weights, normalise_weights


def test_manual_weights_keep_their_proportions() -> None:
    w = normalise_weights([30, 50, 20], ["speed", "quality", "cost"])
    assert w.weights == pytest.approx([0.3, 0.5, 0.2])
    assert (w.criteria, w.variant) == (("speed", "quality", "cost"), "manual")


@pytest.mark.parametrize(
    ("weights", "names", "message"),
    [
        ([1, -1], None, "must not be negative: c2 = -1"),
        ([0, 0], None, "sum to 0"),
        ([], None, "non-empty"),
        ([1, 2], ["a"], "1 names given for 2 columns"),
        ([1, 2], ["a", "a"], "duplicate names: a"),
    ],
)
def test_manual_bad_input(weights: list[float], names: list[str] | None, message: str) -> None:
    with pytest.raises(InputError, match=message):
        normalise_weights(weights, names)


SUBJECTIVE = Weights(("a", "b", "c"), (0.5, 0.3, 0.2), "ahp")
OBJECTIVE = Weights(("a", "b", "c"), (0.2, 0.3, 0.5), "entropy")


def test_linear_combination_by_hand() -> None:
    # Hand-computed: 0.7 * (.5, .3, .2) + 0.3 * (.2, .3, .5) = (.41, .30, .29).
    w = combine_weights(SUBJECTIVE, OBJECTIVE, alpha=0.7)
    assert w.weights == pytest.approx([0.41, 0.30, 0.29])
    assert w.variant == "combined/linear/alpha=0.7"


def test_product_combination_by_hand() -> None:
    # Hand-computed: sqrt(.5*.2), sqrt(.3*.3), sqrt(.2*.5) = .3162, .3, .3162, scaled to 1;
    # it ranks like the classic w_s*w_o / Σ w_s*w_o = (.3448, .3103, .3448).
    w = combine_weights(SUBJECTIVE, OBJECTIVE, mode=CombineMode.product)
    raw = np.sqrt([0.1, 0.09, 0.1])
    assert w.weights == pytest.approx(raw / raw.sum())


def test_combination_bad_input() -> None:
    with pytest.raises(InputError, match="criteria differ"):
        combine_weights(SUBJECTIVE, Weights(("a", "c", "b"), (0.2, 0.3, 0.5), "x"))
    with pytest.raises(InputError, match=r"alpha must lie in \[0, 1\]"):
        combine_weights(SUBJECTIVE, OBJECTIVE, alpha=1.5)


unit_vectors = st.lists(st.floats(0.01, 1), min_size=3, max_size=3).map(lambda v: tuple(x / sum(v) for x in v))


@settings(max_examples=60, deadline=None)
@given(unit_vectors, unit_vectors, st.floats(0, 1), st.sampled_from(list(CombineMode)))
def test_combination_properties(s: tuple[float, ...], o: tuple[float, ...], alpha: float, mode: CombineMode) -> None:
    w = combine_weights(Weights(("a", "b", "c"), s, "s"), Weights(("a", "b", "c"), o, "o"), alpha, mode)
    assert sum(w.weights) == pytest.approx(1.0)
    assert all(x >= 0 for x in w.weights)
    if alpha == 1.0:
        assert w.weights == pytest.approx(s)
    if alpha == 0.0:
        assert w.weights == pytest.approx(o)
