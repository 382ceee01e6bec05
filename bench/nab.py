"""Load the NAB development subset from ``shared/data/nab`` for the scorer.

Kept out of the product: :mod:`valueloop.monitoring.nab` scores arrays and reads no files.
Each window's timestamps map to row indices by exact match (the README's rule); a
timestamp that is not a row would be a data error, so it raises rather than rounds.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from valueloop.monitoring.base import FloatArray
from valueloop.monitoring.nab import Labels


def _nab_dir() -> Path:
    """``$VALUELOOP_NAB_DIR``, else the nearest ``shared/data/nab`` above the checkout (worktrees sit deeper)."""
    if os.environ.get("VALUELOOP_NAB_DIR"):
        return Path(os.environ["VALUELOOP_NAB_DIR"])
    here = Path(__file__).resolve()
    found = (p / "shared" / "data" / "nab" for p in here.parents)
    return next((d for d in found if d.is_dir()), here.parents[2] / "shared" / "data" / "nab")


NAB_DIR = _nab_dir()


@dataclass(frozen=True)
class Series:
    """One NAB file: name, Unix-second timestamps, values and labelled windows."""

    name: str
    times: FloatArray
    values: FloatArray
    labels: Labels


def _row(stamps: pd.DatetimeIndex, when: str, name: str) -> int:
    hits = np.flatnonzero(stamps == pd.Timestamp(when))
    if len(hits) != 1:
        raise ValueError(f"{name}: window bound {when} is not exactly one row")
    return int(hits[0])


def load(root: Path = NAB_DIR) -> list[Series]:
    """Every labelled file under ``root``, in name order."""
    windows = json.loads((root / "combined_windows.json").read_text())
    out = []
    for name in sorted(windows):
        frame = pd.read_csv(root / "data" / name)
        stamps = pd.DatetimeIndex(pd.to_datetime(frame["timestamp"]))
        bounds = tuple((_row(stamps, lo, name), _row(stamps, hi, name)) for lo, hi in windows[name])
        times = stamps.as_unit("s").asi8.astype(np.float64)
        out.append(Series(name, times, frame["value"].to_numpy(np.float64), Labels(len(frame), bounds)))
    return out
