"""Complaint-risk model: logistic regression on standardised features, saved as plain JSON.

The model is a dict of numbers (feature names, means, scales, coefficients, intercept),
so it is stored without pickle and scored with numpy alone; scikit-learn only fits it.
A row's **reasons** are its largest positive contributions ``w_j·z_j`` to the log-odds,
where ``z_j`` is the standardised feature: what pushes this customer above average.

>>> m = {"features": ["a"], "mean": [0.0], "scale": [1.0], "coef": [2.0], "intercept": 0.0}
>>> predict(m, np.array([[0.0], [1.0]])).round(3).tolist()
[0.5, 0.881]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

from valueloop.people.risk_features import CATEGORICAL, NUMERIC

FloatArray = npt.NDArray[np.float64]
Model = dict[str, Any]


def levels(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Category levels seen in training; the first of each is the reference (dropped)."""
    return {c: sorted(frame[c].astype(str).unique()) for c in CATEGORICAL}


def design(frame: pd.DataFrame, cats: dict[str, list[str]]) -> tuple[FloatArray, list[str]]:
    """Numeric columns plus one-hot categories (unseen levels are all-zero)."""
    cols = [frame[c].to_numpy(float) for c in NUMERIC]
    names = list(NUMERIC)
    for c in CATEGORICAL:
        for level in cats[c][1:]:
            cols.append((frame[c].astype(str) == level).to_numpy(float))
            names.append(f"{c}={level}")
    return np.column_stack(cols), names


def fit(frame: pd.DataFrame, c: float = 1.0) -> Model:
    """Fit on ``frame`` (features and ``label``); returns the JSON-able model."""
    cats = levels(frame)
    xm, names = design(frame, cats)
    mean, scale = xm.mean(axis=0), xm.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    lr = LogisticRegression(C=c, max_iter=2000).fit((xm - mean) / scale, frame["label"].to_numpy(int))
    return {
        "kind": "logistic",
        "features": names,
        "categories": cats,
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": lr.coef_[0].tolist(),
        "intercept": float(lr.intercept_[0]),
    }


def contributions(model: Model, xm: FloatArray) -> FloatArray:
    z = (xm - np.asarray(model["mean"])) / np.asarray(model["scale"])
    out: FloatArray = z * np.asarray(model["coef"])
    return out


def predict(model: Model, xm: FloatArray) -> FloatArray:
    logit = contributions(model, xm).sum(axis=1) + float(model["intercept"])
    out: FloatArray = 1.0 / (1.0 + np.exp(-logit))
    return out


def reasons(model: Model, contrib: FloatArray, raw: FloatArray, top: int = 3) -> list[list[dict[str, Any]]]:
    """The ``top`` largest positive contributions of each row, with the feature's raw value."""
    names: list[str] = model["features"]
    order = np.argsort(-contrib, axis=1)[:, :top]
    return [
        [
            {"feature": names[j], "value": round(float(raw[i, j]), 3), "contribution": round(float(contrib[i, j]), 3)}
            for j in row
            if contrib[i, j] > 0
        ]
        for i, row in enumerate(order)
    ]


def calibration_bins(y: npt.NDArray[np.int64], p: FloatArray, bins: int = 10) -> list[dict[str, Any]]:
    """Equal-count bins of predicted probability: mean prediction vs observed rate."""
    order = np.argsort(p)
    return [
        {
            "bin": k + 1,
            "n": int(idx.size),
            "mean_predicted": round(float(p[idx].mean()), 4),
            "observed_rate": round(float(y[idx].mean()), 4),
        }
        for k, idx in enumerate(np.array_split(order, bins))
        if idx.size
    ]


def evaluate(y: npt.NDArray[np.int64], p: FloatArray, k: int) -> dict[str, Any]:
    """AUC, precision at ``k``, Brier score and binned calibration; AUC None with one class only."""
    top = np.argsort(-p)[: min(k, p.size)]
    both = 0 < y.sum() < y.size
    return {
        "n": int(y.size),
        "positives": int(y.sum()),
        "base_rate": round(float(y.mean()), 4) if y.size else None,
        "auc": round(float(roc_auc_score(y, p)), 4) if both else None,
        "precision_at_k": {"k": int(top.size), "precision": round(float(y[top].mean()), 4) if top.size else None},
        "brier": round(float(brier_score_loss(y, p)), 5) if y.size else None,
        "calibration": calibration_bins(y, p) if y.size else [],
    }
