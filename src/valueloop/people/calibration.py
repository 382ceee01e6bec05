"""Calibration visits: several auditors score the same visit; how far do they agree?

Rows of ``audits`` sharing a ``calibration_id`` are one visit scored by different
auditors. Per group the items are the units and the auditors the coders: pass/fail is
nominal (Krippendorff's alpha, Fleiss' kappa when every auditor answered every item,
Cohen's kappa when there are exactly two auditors); 1–5 ratings, when recorded, give an
ordinal alpha. Krippendorff's rule of thumb: α ≥ 0.8 reliable, 0.667–0.8 tentative.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from valueloop.stats.agreement import Level, cohen_kappa, fleiss_kappa, krippendorff_alpha

RESULT_CODES = {"pass": 1.0, "fail": 0.0}
RELIABLE, TENTATIVE = 0.8, 0.667


def _matrix(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """auditors × items of ``column`` (NaN where not answered)."""
    return rows.pivot_table(index="auditor_id", columns="item", values=column, aggfunc="first")


def _verdict(alpha: float) -> str:
    if math.isnan(alpha):
        return "undefined"
    return "reliable" if alpha >= RELIABLE else ("tentative" if alpha >= TENTATIVE else "unreliable")


def _nan(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 4)


def group_agreement(rows: pd.DataFrame) -> dict[str, Any]:
    """Agreement of one calibration group (audit_items joined with auditor_id)."""
    codes = _matrix(rows.assign(code=rows["result"].map(RESULT_CODES)), "code")
    alpha = krippendorff_alpha(codes.to_numpy(dtype=np.float64), Level.nominal)
    out: dict[str, Any] = {"auditors": len(codes), "items": codes.shape[1], "alpha_nominal": _nan(alpha)}
    complete = codes.dropna(axis=1)
    if complete.shape[1] and len(codes) >= 2:
        counts = np.stack([(complete == 0).sum().to_numpy(), (complete == 1).sum().to_numpy()], axis=1)
        out["fleiss_kappa"] = _nan(fleiss_kappa(counts))
    if len(codes) == 2 and complete.shape[1]:
        out["cohen_kappa"] = _nan(cohen_kappa(list(complete.iloc[0]), list(complete.iloc[1])))
    if "rating" in rows and rows["rating"].notna().any():
        ratings = _matrix(rows, "rating").to_numpy(dtype=np.float64)
        out["alpha_ordinal"] = _nan(krippendorff_alpha(ratings, Level.ordinal))
    out["verdict"] = _verdict(alpha)
    return out


def calibration_report(audits: pd.DataFrame, items: pd.DataFrame) -> list[dict[str, Any]]:
    """One row per calibration group with at least two auditors."""
    calib = audits.dropna(subset=["calibration_id"])[["audit_id", "calibration_id", "auditor_id", "entity_id"]]
    rows = items.merge(calib, on="audit_id")
    out = []
    for cid, group in rows.groupby("calibration_id", sort=True):
        if group["auditor_id"].nunique() < 2:
            continue
        out.append({"calibration_id": str(cid), "entity_id": str(group["entity_id"].iloc[0]), **group_agreement(group)})
    return out
