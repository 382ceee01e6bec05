"""Holm and Benjamini–Hochberg against statsmodels and the BH (1995) example."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests

from valueloop.stats.multiple import adjust, benjamini_hochberg, holm

# Benjamini & Hochberg (1995), J. R. Statist. Soc. B 57:289–300, section 4: fifteen
# p-values; at q = 0.05 BH rejects the four smallest. The same example is worked in the
# docstring of scipy.stats.false_discovery_control.
BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
           0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000]  # fmt: skip

p_lists = st.lists(st.floats(0, 1), min_size=1, max_size=30)


def test_bh_1995_example_rejects_four() -> None:
    assert list(benjamini_hochberg(BH_1995) < 0.05) == [True] * 4 + [False] * 11
    assert benjamini_hochberg(BH_1995) == pytest.approx(stats.false_discovery_control(BH_1995), rel=1e-12)


@settings(max_examples=30, deadline=None)  # statsmodels' holm takes ~60 ms a call
@given(p_lists)
def test_holm_matches_statsmodels(p: list[float]) -> None:
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1], rel=1e-12, abs=1e-15)


@given(p_lists)
def test_bh_matches_statsmodels(p: list[float]) -> None:
    assert adjust(p, "bh") == pytest.approx(multipletests(p, method="fdr_bh")[1], rel=1e-12, abs=1e-15)


def test_bad_p_values_are_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        holm([0.1, float(np.nan)])
