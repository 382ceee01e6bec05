"""Indicator values with their units, as a reader wants them: ``95 s``, ``4 min 5 s``, ``1 h 2 min``.

A duration indicator declares its unit (``unit: seconds``, or ``minutes``, ``hours``,
``days``); its value is shown in the largest whole units that keep it readable. Any other
unit is appended as written (``4.2 分``, ``12 calls``); no unit shows the bare number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from valueloop.spec.model import Duration, Indicator, Rate, Ratio

SECONDS_PER = {"seconds": 1, "s": 1, "minutes": 60, "min": 60, "hours": 3600, "h": 3600, "days": 86400, "d": 86400,
               "秒": 1, "分钟": 60, "小时": 3600, "天": 86400}  # fmt: skip
_PARTS = ((86400, "d"), (3600, "h"), (60, "min"), (1, "s"))


def show(value: float | None, unit: str, percent: float | None = None, seconds: float | None = None) -> str:
    """``value`` with ``unit``; '' when there is no value.

    ``percent`` (see :func:`percent_factor`) shows a share as a percentage: ×100 for a fraction
    (0.1726), ×1 for a ratio the model already scales to 100. ``seconds`` (see :func:`seconds_per`)
    shows a duration in whole units whatever the label written as its unit.

    >>> show(95, "seconds"), show(4.5, "minutes"), show(3725.4, "s"), show(0.4, "seconds"), show(4.25, "分")
    ('1 min 35 s', '4 min 30 s', '1 h 2 min', '0.4 s', '4.25 分')
    >>> show(0.1726, "%", 100.0), show(22.6, "%", 1.0), show(18915.0, "calls"), show(1234.56, "元")
    ('17.3 %', '22.6 %', '18,915 calls', '1,235 元')
    >>> show(2.083, "分钟"), show(2.083, "", seconds=60)
    ('2 min 5 s', '2 min 5 s')
    """
    if value is None or not math.isfinite(value):
        return ""
    if seconds is not None or unit in SECONDS_PER:
        return duration_text(value * (seconds or SECONDS_PER[unit]))
    if percent is not None:
        return f"{value * percent:.1f} %"
    number = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return f"{number} {unit}".strip()


def duration_text(seconds: float, names: Mapping[str, str] | None = None) -> str:
    """A duration in its two largest whole units (``1 h 2 min``); ``names`` words ``d``/``h``/``min``/``s``.

    >>> duration_text(125), duration_text(125, {"min": "分钟", "s": "秒"}), duration_text(-4.2)
    ('2 min 5 s', '2 分钟 5 秒', '-4.2 s')
    """
    words = names or {}
    sign, left = ("-" if seconds < 0 else ""), abs(seconds)
    if left < 59.5:
        return f"{sign}{left:.3g} {words.get('s', 's')}"
    left = round(left)
    parts = []
    for size, name in _PARTS:
        count = int(left // size)
        if count:
            parts.append(f"{count} {words.get(name, name)}")
        left -= count * size
        if len(parts) == 2:
            break
    return sign + " ".join(parts)


def seconds_per(found: Indicator) -> float | None:
    """Seconds in one unit of a duration indicator's value (its measure's unit, else a time unit it is
    labelled with); None for anything else. The API's ``shown`` and the pages both ask here."""
    if isinstance(found.measure, Duration):
        return float(SECONDS_PER[found.measure.unit])
    return float(SECONDS_PER[found.unit]) if found.unit in SECONDS_PER else None


def percent_factor(found: Indicator) -> float | None:
    """How to show a share as a percentage: ×100 for a 0–1 share, ×1 when the model already scales to 100.

    A rate is a share of rows; a unitless (or ``%``) ratio is a share of two counts or sums; a
    ratio scaled by 100 with unit ``%`` is a percentage already. Anything else keeps its unit.
    """
    measure = found.measure
    if isinstance(measure, Rate):
        return 100.0
    if isinstance(measure, Ratio) and found.unit in ("", "%"):
        if measure.scale == 1:
            return 100.0
        if measure.scale == 100 and found.unit == "%":
            return 1.0
    return None
