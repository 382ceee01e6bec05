"""Control charts against published examples, Western Electric rules on built sequences."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats

from valueloop.errors import InputError
from valueloop.stats.spc import XBAR_R_CONSTANTS, ControlChart, p_chart, revise, u_chart, xbar_r_chart, xmr_chart
from valueloop.stats.western_electric import Signal, western_electric, zscores

# Montgomery, D.C., "Introduction to Statistical Quality Control": frozen orange juice
# concentrate cans, 30 trial samples of n = 50 (Example 7.1 in the 6th ed. as cited in the
# issue; pp. 152-155 of the 2nd ed., 1991, as cited by the R package qcc). The counts are
# qcc's `orangejuice` data set (github.com/luca-scr/qcc, data/orangejuice.txt, trial rows).
# Published trial limits p̄ = 0.2313, UCL = 0.4102, LCL = 0.0524; qcc prints
# centre 0.2313333, LCL 0.05242755, UCL 0.4102391 for the same data. I could not open the
# book page itself; the limits agree with both the quotation and qcc's output.
ORANGE_JUICE = [
    12,
    15,
    8,
    10,
    4,
    7,
    16,
    9,
    14,
    10,
    5,
    6,
    17,
    12,
    22,
    8,
    10,
    5,
    13,
    11,
    20,
    18,
    24,
    15,
    9,
    12,
    7,
    13,
    9,
    6,
]

# SAS/QC User's Guide, SHEWHART procedure, UCHART statement: data set Fabric (20 rolls,
# 30 m² each) and Figure 17.87 "The Data Set Fablim" (SAS/QC 13.x; support.sas.com/
# documentation/cdl/en/qcug/66114/HTML/default/qcug_shewhart_sect341.htm):
# _U_ = 0.30333, _LCLU_ = .001671271, _UCLU_ = 0.60500.
FABRIC = [12, 11, 9, 15, 7, 6, 5, 10, 8, 8, 14, 5, 9, 13, 7, 5, 8, 11, 7, 12]

# Montgomery, ISQC, dyed cloth: defects per roll and inspection units of 50 m² per roll
# (2nd ed. pp. 183-184, as cited by qcc's `dyedcloth` data set, which supplies the numbers).
# Limits not confirmed from the book: the reference below is ū = 153/107.5 with
# ū ± 3·sqrt(ū/nᵢ), computed independently of the module.
DYED_CLOTH_DEFECTS = [14, 12, 20, 11, 7, 10, 21, 16, 19, 23]
DYED_CLOTH_UNITS = [10, 8, 13, 10, 9.5, 10, 12, 10.5, 12, 12.5]

# SAS/QC User's Guide, MACONTROL procedure, Example 9.4 "Displaying Individual Measurements
# on an EWMA Chart" (support.sas.com/documentation/cdl/en/qcug/63964/HTML/default/
# qcug_macontrol_a0000000363.htm), tire belt diameters; Output 9.4.1 lists the IRCHART
# limits _LCLI_ 23.8571, _MEAN_ 24.0083, _UCLI_ 24.1596, _R_ 0.056897, _UCLR_ 0.18585,
# _STDDEV_ 0.050423. SAS uses d2 = 1.128379 where we use the textbook 2.66 and 3.267,
# so agreement is to about 1e-4.
TIRES = [
    24.05, 23.99, 23.95, 23.93, 23.97, 24.02, 24.06, 24.10, 23.98, 24.03, 23.91, 24.06, 24.06, 23.96, 23.98,
    24.06, 24.01, 24.00, 23.93, 23.92, 24.09, 24.11, 24.05, 23.98, 23.98, 24.06, 24.02, 24.06, 23.97, 23.96,
]  # fmt: skip

# Montgomery, ISQC, hard-bake flow width of photoresist (microns), Table 6.1 (25 trial samples
# of 5) and Table 6.2 (20 further samples), the X̄-R example of ch. 6 (8th ed. numbering as
# cited by the source below). Numbers as transcribed in github.com/jchester/spc-kit,
# README.md, whose worked example gives the trial X̄ UCL 1.693224336 and finds samples 43 and
# 45 above it when the Table 6.1 limits are applied to Table 6.2 (phase II).
FLOW_WIDTH = [
    [1.3235, 1.4128, 1.6744, 1.4573, 1.6914], [1.4314, 1.3592, 1.6075, 1.4666, 1.6109],
    [1.4284, 1.4871, 1.4932, 1.4324, 1.5674], [1.5028, 1.6352, 1.3841, 1.2831, 1.5507],
    [1.5604, 1.2735, 1.5265, 1.4363, 1.6441], [1.5955, 1.5451, 1.3574, 1.3281, 1.4198],
    [1.6274, 1.5064, 1.8366, 1.4177, 1.5144], [1.4190, 1.4303, 1.6637, 1.6067, 1.5519],
    [1.3884, 1.7277, 1.5355, 1.5176, 1.3688], [1.4039, 1.6697, 1.5089, 1.4627, 1.5220],
    [1.4158, 1.7667, 1.4278, 1.5928, 1.4181], [1.5821, 1.3355, 1.5777, 1.3908, 1.7559],
    [1.2856, 1.4106, 1.4447, 1.6398, 1.1928], [1.4951, 1.4036, 1.5893, 1.6458, 1.4969],
    [1.3589, 1.2863, 1.5996, 1.2497, 1.5471], [1.5747, 1.5301, 1.5171, 1.1839, 1.8662],
    [1.3680, 1.7269, 1.3957, 1.5014, 1.4449], [1.4163, 1.3864, 1.3057, 1.6210, 1.5573],
    [1.5796, 1.4185, 1.6541, 1.5116, 1.7247], [1.7106, 1.4412, 1.2361, 1.3820, 1.7601],
    [1.4371, 1.5051, 1.3485, 1.5670, 1.4880], [1.4738, 1.5936, 1.6583, 1.4973, 1.4720],
    [1.5917, 1.4333, 1.5551, 1.5295, 1.6866], [1.6399, 1.5243, 1.5705, 1.5563, 1.5530],
    [1.5797, 1.3663, 1.6240, 1.3732, 1.6877],
    # Table 6.2
    [1.4483, 1.5458, 1.4538, 1.4303, 1.6206], [1.5435, 1.6899, 1.5830, 1.3358, 1.4187],
    [1.5175, 1.3446, 1.4723, 1.6657, 1.6661], [1.5454, 1.1093, 1.4072, 1.5039, 1.5264],
    [1.4418, 1.5059, 1.5124, 1.4620, 1.6263], [1.4301, 1.2725, 1.5945, 1.5397, 1.5252],
    [1.4981, 1.4506, 1.6174, 1.5837, 1.4962], [1.3009, 1.5060, 1.6231, 1.5831, 1.6454],
    [1.4132, 1.4603, 1.5808, 1.7111, 1.7313], [1.3817, 1.3135, 1.4953, 1.4894, 1.4596],
    [1.5765, 1.7014, 1.4026, 1.2773, 1.4541], [1.4936, 1.4373, 1.5139, 1.4808, 1.5293],
    [1.5729, 1.6738, 1.5048, 1.5651, 1.7473], [1.8089, 1.5513, 1.8250, 1.4389, 1.6558],
    [1.6236, 1.5393, 1.6738, 1.8698, 1.5036], [1.4120, 1.7931, 1.7345, 1.6391, 1.7791],
    [1.7372, 1.5663, 1.4910, 1.7809, 1.5504], [1.5971, 1.7394, 1.6832, 1.6677, 1.7974],
    [1.4295, 1.6536, 1.9134, 1.7272, 1.4370], [1.6217, 1.8220, 1.7915, 1.6744, 1.9404],
]  # fmt: skip


def rows(chart_signals: tuple[Signal, ...], rule: str) -> list[int]:
    return [s.row for s in chart_signals if s.rule == rule]


# --- textbook examples ----------------------------------------------------------------------


def test_p_chart_orange_juice_matches_montgomery() -> None:
    chart = p_chart(ORANGE_JUICE, [50] * 30)
    assert chart.center == pytest.approx(0.2313333, abs=1e-6)
    assert chart.ucl == pytest.approx([0.4102391] * 30, abs=1e-6)
    assert chart.lcl == pytest.approx([0.05242755] * 30, abs=1e-7)
    assert rows(chart.signals, "WE1") == [14, 22]  # samples 15 and 23, as in the book


def test_p_chart_revision_drops_points_until_stable() -> None:
    # Montgomery drops samples 15 and 23 (assignable causes), giving p̄ = 301/1400 = 0.2150
    # (computed here, not quoted). Sample 21 (p = 0.40) then sits above the new UCL; the book
    # keeps it for lack of a cause, the automatic revision drops it too: p̄ = 281/1350.
    first = p_chart(ORANGE_JUICE, [50] * 30, exclude={14, 22})
    assert first.center == pytest.approx(301 / 1400)
    assert rows(first.signals, "WE1") == [14, 20, 22]
    final = revise(lambda ex: p_chart(ORANGE_JUICE, [50] * 30, exclude=ex))
    assert final.excluded == (14, 20, 22)
    assert final.center == pytest.approx(281 / 1350)
    assert final.ucl[0] == pytest.approx(281 / 1350 + 3 * np.sqrt(281 / 1350 * (1 - 281 / 1350) / 50))


def test_revise_stops_with_a_note_when_nothing_would_be_left() -> None:
    # Both samples sit ~30σ from p̄ = 0.5: dropping them would leave no rows for the limits.
    chart = revise(lambda ex: p_chart([0, 1000], [1000, 1000], exclude=ex))
    assert chart.excluded == ()
    assert "revision stopped with rows [1, 2] still beyond 3σ" in chart.note


def test_revise_leaves_an_in_control_chart_alone() -> None:
    chart = revise(lambda ex: xmr_chart(TIRES, exclude=ex))
    assert chart.excluded == ()
    assert chart.center == pytest.approx(xmr_chart(TIRES).center)


def test_u_chart_fabric_matches_sas() -> None:
    chart = u_chart(FABRIC, [30] * 20)
    assert chart.center == pytest.approx(0.30333, abs=5e-6)
    assert chart.ucl == pytest.approx([0.60500] * 20, abs=5e-6)
    assert chart.lcl == pytest.approx([0.001671271] * 20, abs=1e-9)
    assert chart.signals == ()


def test_u_chart_limits_vary_with_units_dyed_cloth() -> None:
    chart = u_chart(DYED_CLOTH_DEFECTS, DYED_CLOTH_UNITS)
    ubar = 153 / 107.5
    half_width = 3 * np.sqrt(ubar / np.array(DYED_CLOTH_UNITS))
    assert chart.center == pytest.approx(ubar)
    assert chart.ucl == pytest.approx(ubar + half_width)
    assert chart.lcl == pytest.approx(np.maximum(ubar - half_width, 0.0))
    assert chart.values == pytest.approx(np.array(DYED_CLOTH_DEFECTS) / np.array(DYED_CLOTH_UNITS))


def test_xmr_tires_matches_sas() -> None:
    chart = xmr_chart(TIRES)
    assert chart.center == pytest.approx(24.0083, abs=5e-5)
    assert chart.ucl == pytest.approx([24.1596] * 30, abs=2e-4)
    assert chart.lcl == pytest.approx([23.8571] * 30, abs=2e-4)
    assert chart.sigma[0] == pytest.approx(0.050423, abs=1e-4)
    mr = chart.dispersion
    assert mr is not None
    assert (mr.kind, mr.first_row, mr.lcl, mr.values.size) == ("moving_range", 1, 0.0, 29)
    assert mr.center == pytest.approx(0.056897, abs=1e-6)
    assert mr.ucl == pytest.approx(0.18585, abs=1e-4)
    assert (chart.signals, mr.signals) == ((), ())


def test_xbar_r_flow_width_trial_limits() -> None:
    chart = xbar_r_chart(FLOW_WIDTH[:25])
    assert chart.center == pytest.approx(1.5056, abs=5e-5)
    assert chart.ucl == pytest.approx([1.693224336] * 25, abs=1e-9)
    rbar = float(np.mean([max(g) - min(g) for g in FLOW_WIDTH[:25]]))  # ≈ 0.3252
    assert chart.lcl == pytest.approx([chart.center - 0.577 * rbar] * 25)
    r_chart = chart.dispersion
    assert r_chart is not None
    assert r_chart.kind == "range"
    assert (r_chart.center, r_chart.ucl, r_chart.lcl) == pytest.approx((rbar, 2.114 * rbar, 0.0))
    assert rows(chart.signals, "WE1") == []
    assert r_chart.signals == ()


def test_xbar_r_phase_two_flags_samples_43_and_45() -> None:
    chart = xbar_r_chart(FLOW_WIDTH, baseline=25)
    assert chart.ucl == pytest.approx([1.693224336] * 45, abs=1e-9)
    assert rows(chart.signals, "WE1") == [42, 44]  # 0-based rows of samples 43 and 45


def test_xbar_r_constants_match_d2_d3_computed_numerically() -> None:
    # A2 = 3/(d2·√n), D3 = max(0, 1 − 3·d3/d2), D4 = 1 + 3·d3/d2, with d2 = E[range] and
    # d3 = sd[range] of n standard normals, integrated on a grid (trapezoid rule).
    x = np.linspace(-8, 8, 1601)
    h = x[1] - x[0]
    cdf = stats.norm.cdf(x)
    lo, hi = np.meshgrid(cdf, cdf, indexing="ij")
    weight = np.triu(np.ones_like(lo), 1) + 0.5 * np.eye(x.size)
    for n, (a2, d3_const, d4_const) in XBAR_R_CONSTANTS.items():
        d2 = np.trapezoid(1 - cdf**n - (1 - cdf) ** n, x)
        range_sq = 2 * h * h * np.sum(weight * (1 - hi**n - (1 - lo) ** n + np.clip(hi - lo, 0, None) ** n))
        d3 = np.sqrt(range_sq - d2 * d2)
        assert 3 / (d2 * np.sqrt(n)) == pytest.approx(a2, abs=1e-3), n
        assert max(0.0, 1 - 3 * d3 / d2) == pytest.approx(d3_const, abs=1e-3), n
        assert 1 + 3 * d3 / d2 == pytest.approx(d4_const, abs=1e-3), n


# --- Western Electric rules on constructed z-scores --------------------------------------------


def fired(z: list[float]) -> list[tuple[int, str]]:
    return [(s.row, s.rule) for s in western_electric(np.array(z))]


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        ([3.0, 0, 0, -3.0, 0, 0, 3.01, 0, 0, -3.5], [(6, "WE1"), (9, "WE1")]),  # exactly 3σ is not beyond
        ([0, 2.5, 0.5, 2.5, 0], [(3, "WE2")]),  # 2 of 3 above +2σ
        ([0, -2.5, -2.5, 0], [(2, "WE2")]),  # 2 in a row below −2σ
        ([2.5, 2.5, 0], [(1, "WE2")]),  # the window is clipped at the start of the series
        ([2.5, 0, 0, 2.5], []),  # 2 of 4: too far apart
        ([2.5, -2.5, 0.5], []),  # beyond 2σ but on opposite sides
        ([2.0, 2.0, 2.0], []),  # exactly 2σ is not beyond
        ([1.5, 1.5, -0.5, 1.5, 1.5], [(4, "WE3")]),  # 4 of 5 above +1σ
        ([1.5, 1.5, 0.5, 0.5, 1.5, 1.5], []),  # only 3 of any 5
        ([-1.2, -1.2, -1.2, -1.2], [(3, "WE3")]),
        ([1.0, 1.0, 1.0, 1.0, 1.0], []),  # exactly 1σ is not beyond
        ([0.1] * 8, [(7, "WE4")]),
        ([-0.1] * 9, [(7, "WE4"), (8, "WE4")]),
        ([0.1] * 7 + [0.0] + [0.1], []),  # a point on the centre line breaks the run
        ([0.1, -0.1] * 6, []),
    ],
)
def test_western_electric_rules(z: list[float], expected: list[tuple[int, str]]) -> None:
    assert fired(z) == expected


def test_rules_combine_and_sort_by_row() -> None:
    assert fired([2.5, 3.5, 1.5, 1.5, 0.5, 0.5, 0.5, 0.5]) == [(1, "WE1"), (1, "WE2"), (3, "WE3"), (7, "WE4")]


def test_zero_sigma_puts_off_centre_points_at_infinity() -> None:
    z = zscores(np.array([5.0, 5.0, 6.0, 4.0]), 5.0, np.zeros(4))
    assert z.tolist() == [0.0, 0.0, np.inf, -np.inf]


def test_varying_limits_judge_each_point_by_its_own_sigma() -> None:
    # Baseline p̄ = 0.1 (n = 100). Later, p = 0.2 at n = 100 is 3.3σ out; at n = 25, 1.7σ.
    chart = p_chart([10] * 10 + [20, 5], [100] * 10 + [100, 25], baseline=10)
    assert chart.center == pytest.approx(0.1)
    assert rows(chart.signals, "WE1") == [10]
    assert chart.ucl[10] == pytest.approx(chart.ucl[0])
    assert chart.ucl[11] > chart.ucl[10]


# --- phase II: limits from a baseline window -----------------------------------------------------


def test_phase_two_limits_come_only_from_the_baseline_rows() -> None:
    later = [30.0, 24.0, 24.1]
    chart = xmr_chart(TIRES[:10] + later, baseline=10)
    reference = xmr_chart(TIRES[:10])
    assert chart.center == pytest.approx(reference.center)
    assert chart.ucl == pytest.approx(np.full(13, reference.ucl[0]))
    assert (chart.baseline, chart.ucl.size) == (10, 13)
    assert rows(chart.signals, "WE1") == [10]
    assert chart.dispersion is not None
    assert [s.row for s in chart.dispersion.signals] == [10, 11]  # the jump up and back down
    assert xmr_chart([*TIRES[:10], 99.0, 0.0, 5.0], baseline=10).center == chart.center


def test_phase_two_p_chart_uses_baseline_totals() -> None:
    chart = p_chart(ORANGE_JUICE, [50] * 30, baseline=12)
    assert chart.center == pytest.approx(sum(ORANGE_JUICE[:12]) / 600)
    assert chart.ucl.size == chart.lcl.size == 30


# --- degenerate input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: p_chart([], []), "no rows"),
        (lambda: p_chart([1, 2], [10, 0]), "row 2, column 'n': must be positive"),
        (lambda: p_chart([1, 12], [10, 10]), "row 2, column 'nonconforming': exceeds"),
        (lambda: p_chart([1, 2, 3], [10, 10]), "differ in length"),
        (lambda: u_chart([1, -1], [1, 1]), "row 2, column 'defects': must not be negative"),
        (lambda: u_chart([1, float("nan")], [1, 1]), "not a finite number"),
        (lambda: xmr_chart([3.0]), "at least 2"),
        (lambda: xmr_chart([1.0, 2.0, 3.0], baseline=4), "baseline must be between 1 and"),
        (lambda: p_chart([1, 2], [10, 10], baseline=0), "baseline must be between 1 and"),
        (lambda: xmr_chart([1.0, 2.0, 3.0], exclude={1}), "no two consecutive"),
        (lambda: p_chart([1, 2], [10, 10], baseline=1, exclude={1}), "outside the baseline"),
        (lambda: xbar_r_chart([[1.0, 2.0], [1.0, 2.0, 3.0]]), "same size|one size"),
        (lambda: xbar_r_chart([[1.0], [2.0]]), "one size between 2 and 25"),
        (lambda: xbar_r_chart([]), "no subgroups"),
    ],
)
def test_bad_input_raises_a_clear_input_error(build: Callable[[], ControlChart], message: str) -> None:
    with pytest.raises(InputError, match=message):
        build()


def test_every_bad_cell_is_reported_at_once() -> None:
    with pytest.raises(InputError, match=r"row 1, .*row 3, ") as info:
        p_chart([-1, 1, 5], [10, 10, 0])
    assert "row 2" not in str(info.value)


@pytest.mark.parametrize(
    "chart",
    [
        pytest.param(lambda: p_chart([0, 0, 0, 2], [50, 50, 50, 50], baseline=3), id="p-no-defects"),
        pytest.param(lambda: u_chart([0, 0, 0, 1], [5, 5, 5, 5], baseline=3), id="u-no-defects"),
        pytest.param(lambda: xmr_chart([7.0, 7.0, 7.0, 8.0], baseline=3), id="xmr-constant"),
        pytest.param(lambda: xbar_r_chart([[2.0, 2.0], [2.0, 2.0], [2.0, 3.0]], baseline=2), id="xbar-r-flat"),
    ],
)
def test_zero_variance_baseline_gives_a_clear_result(chart: Callable[[], ControlChart]) -> None:
    result = chart()
    assert "no variation" in result.note
    assert np.isfinite(result.ucl).all()
    assert np.isfinite(result.lcl).all()
    assert (result.ucl == result.center).all()
    last = 2 if result.chart == "xbar_r" else 3
    assert rows(result.signals, "WE1") == [last]


def test_chart_is_frozen_and_its_arrays_are_read_only() -> None:
    chart = xmr_chart(TIRES)
    with pytest.raises(dataclasses.FrozenInstanceError):
        chart.center = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        chart.ucl[0] = 0.0
