"""Why it moved: contributions add up to the change exactly, whatever was (not) scored."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from valueloop.diagnosis.contributions import decompose, mix_shares
from valueloop.errors import InputError

side = st.dictionaries(st.sampled_from("abcdef"), st.tuples(st.floats(0.01, 1), st.floats(1, 5)), max_size=6)


def _normalised(raw: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    total = sum(w for w, _ in raw.values())
    return {k: (w / total, s) for k, (w, s) in raw.items()}


@given(side, side)
def test_contributions_sum_to_the_change(a: dict[str, tuple[float, float]], b: dict[str, tuple[float, float]]) -> None:
    before, after = _normalised(a), _normalised(b)
    t0, t1, parts = decompose(before, after)
    assert sum(p.total for p in parts) == pytest.approx(t1 - t0, abs=1e-9)


def test_only_scores_moving_is_all_score_effect() -> None:
    t0, t1, parts = decompose({"x": (0.5, 3.0), "y": (0.5, 4.0)}, {"x": (0.5, 2.0), "y": (0.5, 4.0)})
    assert t1 - t0 == pytest.approx(-0.5)
    x = next(p for p in parts if p.key == "x")
    assert x.value_effect == pytest.approx(-0.5) and x.weight_effect == pytest.approx(0.0)


def test_an_indicator_dropping_out_shows_as_a_weight_effect() -> None:
    # y (score 5) is left out for a small sample: x inherits its weight; the total falls from 4 to 3.
    t0, t1, parts = decompose({"x": (0.5, 3.0), "y": (0.5, 5.0)}, {"x": (1.0, 3.0)})
    by = {p.key: p for p in parts}
    assert t1 - t0 == pytest.approx(-1.0)
    # centred at the mean total 3.5: losing weight on an above-average 5 costs (5 − 3.5) × 0.5 ...
    assert by["y"].value_effect == 0 and by["y"].weight_effect == pytest.approx(-0.75)
    assert by["x"].weight_effect == pytest.approx(-0.25)  # ... and moving it to a below-average 3 costs more


def test_mix_versus_rate() -> None:
    before = mix_shares({"A": 50, "B": 50}, {"A": 0.9, "B": 0.5})
    after = mix_shares({"A": 20, "B": 80}, {"A": 0.9, "B": 0.5})  # same rates, volume moved to the weak child
    t0, t1, parts = decompose(before, after)
    assert t1 - t0 == pytest.approx(-0.12)
    assert all(p.value_effect == pytest.approx(0) for p in parts)
    assert sum(p.weight_effect for p in parts) == pytest.approx(-0.12)


def test_weights_must_sum_to_one() -> None:
    with pytest.raises(InputError):
        decompose({"x": (0.4, 3.0)}, {"x": (1.0, 3.0)})
