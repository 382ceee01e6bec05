"""The service policy's thresholds, stated once.

Policy 1(三): a response time more than 20 % over the industry benchmark raises a warning,
50 % over it is critical. Diagnosis (``diagnose/config.py`` defaults), the monitor's
benchmark detector (``monitor/threshold.py``) and alert rules (``expr: … >= benchmark *
warning`` in ``monitor.yaml``) read these constants, and the shipped templates' first-response
benchmarks are checked against :data:`FIRST_RESPONSE_BENCHMARK_SECONDS` by a test, so one
first-response time gets the same verdict in every place.

Gaps are relative and inclusive: a value exactly 20 % worse than the benchmark is a warning.
"""

from __future__ import annotations

from typing import Final

WARNING_GAP: Final = 0.20
"""Relative gap to the benchmark from which a value is a warning (0.2 = 20 % worse)."""
CRITICAL_GAP: Final = 0.50
"""Relative gap to the benchmark from which a value is critical."""
WARNING_FACTOR: Final = 1.0 + WARNING_GAP
"""``benchmark × WARNING_FACTOR``: the warning line for a lower-is-better measure."""
CRITICAL_FACTOR: Final = 1.0 + CRITICAL_GAP

FIRST_RESPONSE_BENCHMARK_SECONDS: Final = 90.0
"""The industry benchmark for the median first-response time (1.5 minutes).

It is the benchmark the default model (``three-dimension``, whose scores are the published
ones) holds non-VIP customers to; VIP customers' stricter 0.5 minutes is a differentiated
standard on top. The evaluation templates measure it in minutes (``benchmark: 1.5``), the
live monitor in seconds (``frt_p50``); both are this one number.
"""

KPI_BENCHMARKS: Final[dict[str, float]] = {"frt_p50": FIRST_RESPONSE_BENCHMARK_SECONDS}
"""The policy benchmark of each monitor KPI that has one (an alert rule's default ``benchmark``).

Only the median: the benchmark is a median, and a p90 held to it would always be late.
"""

FACTORS: Final[dict[str, float]] = {"warning": WARNING_FACTOR, "critical": CRITICAL_FACTOR}
"""Named factors an alert ``expr`` may use instead of a number: ``benchmark * warning``."""
