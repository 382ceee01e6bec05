"""Hot spots need significance (1 → 3 is noise, 20 → 60 is news); lifecycle stages on constructed series."""

from __future__ import annotations

import pytest

from valueloop.voice.hotspots import growth_table, heatmap, rise_p_value
from valueloop.voice.lifecycle import stage_history, stage_of, transitions


def _texts(counts: list[int], n: int = 1000) -> tuple[list[str], list[list[str]]]:
    periods, items = [], []
    for i, c in enumerate(counts):
        periods += [f"p{i}"] * n
        items += [["x"]] * c + [[]] * (n - c)
    return periods, items


def test_one_to_three_is_not_a_hot_spot() -> None:
    cells = growth_table(*_texts([1, 3]))
    assert not any(c.hot for c in cells)


def test_twenty_to_sixty_is_a_hot_spot() -> None:
    cells = growth_table(*_texts([20, 60]))
    assert [c.hot for c in cells] == [False, True]
    assert cells[1].growth == pytest.approx(2.0)


def test_shares_use_the_period_volume() -> None:
    # twice the texts and twice the mentions: no rise
    periods = ["a"] * 1000 + ["b"] * 2000
    items = [["x"]] * 20 + [[]] * 980 + [["x"]] * 40 + [[]] * 1960
    assert not any(c.hot for c in growth_table(periods, items))


def test_rise_p_value_edges() -> None:
    assert rise_p_value(0, 100, 0, 100) == 1.0
    assert rise_p_value(0, 0, 5, 100) == 1.0
    assert rise_p_value(5, 1000, 50, 1000) < 1e-6


def test_heatmap_shape() -> None:
    cells = growth_table(*_texts([5, 6, 7]))
    hm = heatmap(cells, ["x", "y"], ["p0", "p1", "p2"])
    assert hm["counts"] == [[5, 6, 7], [0, 0, 0]]


@pytest.mark.parametrize(
    ("counts", "stage"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 5, 10, 20, 40], "emerging"),
        ([10, 12, 15, 19, 24, 30, 38, 48, 60, 75, 95, 120], "growing"),
        ([100, 98, 103, 101, 99, 100, 102, 97, 100, 101, 99, 100], "mature"),
        ([120, 110, 100, 90, 80, 60, 50, 40, 30, 25, 20, 15], "declining"),
        ([1, 0, 2, 1, 0, 1, 3, 1, 0, 2, 1, 3], "mature"),  # noise of a rare topic is no trend
    ],
)
def test_lifecycle_stages(counts: list[int], stage: str) -> None:
    assert stage_of(counts, [2000] * len(counts)).stage == stage


def test_lifecycle_since() -> None:
    lc = stage_of([0, 0, 0, 0, 0, 0, 0, 0, 5, 10, 20, 40], [2000] * 12)
    assert lc.since == 8
    assert lc.growth > 0.5


def test_stage_history_shows_emerging_then_growing() -> None:
    counts = [0] * 6 + [5, 10, 20, 40, 80, 160, 300, 500, 800, 1200]
    hist = stage_history(counts, [20000] * len(counts))
    assert hist[:7] == [None] * 7  # fewer than MIN_TOTAL mentions so far: not staged
    assert hist[7] == "emerging"
    assert hist[-1] == "growing"
    assert transitions(hist) == [(7, None, "emerging"), (13, "emerging", "growing")]
    assert hist[-1] == stage_of(counts, [20000] * len(counts)).stage  # the last entry is today's stage


def test_stage_history_mature_then_declining() -> None:
    counts = [100] * 8 + [90, 70, 50, 40, 30, 20]
    hist = stage_history(counts, [2000] * len(counts))
    assert [(f, t) for _, f, t in transitions(hist)] == [(None, "mature"), ("mature", "declining")]
    assert hist[-1] == "declining"


@pytest.mark.parametrize("periods", [1, 2, 4])
def test_too_few_periods_are_insufficient_history_not_mature(periods: int) -> None:
    assert stage_of([100] * periods, [1000] * periods).stage == "insufficient_history"
    assert stage_history([100] * periods, [1000] * periods) == [None] * periods


def test_min_periods_is_enough_to_stage() -> None:
    from valueloop.voice.lifecycle import MIN_PERIODS

    assert stage_of([100] * MIN_PERIODS, [1000] * MIN_PERIODS).stage == "mature"
