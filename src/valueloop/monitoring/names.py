"""The detector names and the default one, without importing the detectors.

The CLI lists these in ``--detector``'s help and checks the choice before any work,
so ``valueloop --help`` must not load numpy for them. :mod:`valueloop.monitoring.registry`
binds each name to its implementation; a test keeps the two lists equal. Why the tail
likelihood is the default is told in docs/monitoring.md.
"""

from __future__ import annotations

from typing import Final

NAMES: Final = ("static", "benchmark", "robust_z", "ewma", "cusum", "seasonal", "likelihood")
DEFAULT: Final = "likelihood"
