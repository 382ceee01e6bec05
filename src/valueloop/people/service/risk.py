"""Use cases for complaint-risk prediction: train, score a day, build the intervention queue.

The model lives in ``<workspace>/people/risk-model.json`` (coefficients, no pickle). The
split is by time: the model learns from interactions whose label window closed before the
cutoff and is tested on those predicted after it whose window closed before the data end,
so neither features nor labels of the test months leak into training.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from valueloop.errors import InputError
from valueloop.people import risk
from valueloop.people.results import QueuedCustomer, RiskModel, RiskQueue, RiskScores
from valueloop.people.risk_features import build
from valueloop.people.service.audits import out_dir, read
from valueloop.store.workspace import Workspace

MODEL_FILE = "risk-model.json"


def _features(ws: Workspace, horizon_days: int) -> pd.DataFrame:
    return build(read(ws, "interactions"), read(ws, "feedback"), read(ws, "customers"), horizon_days)


def _default_cutoff(f: pd.DataFrame, tz: str, test_months: int) -> pd.Timestamp:
    last = pd.Period(f["tau"].max().tz_convert(tz).strftime("%Y-%m"), "M")
    return pd.Timestamp(str(last - (test_months - 1)), tz=tz).tz_convert("UTC")


def train(
    ws: Workspace, *, horizon_days: int = 14, cutoff: str | None = None, test_months: int = 3, k: int = 100
) -> RiskModel:
    """Fit on the months before ``cutoff`` (local date; default: the last ``test_months`` are test)."""
    tz = ws.settings.workspace.timezone
    f = _features(ws, horizon_days)
    if f.empty:
        raise InputError("no interactions with a customer to learn from")
    cut = pd.Timestamp(cutoff, tz=tz).tz_convert("UTC") if cutoff else _default_cutoff(f, tz, test_months)
    horizon, end = pd.Timedelta(days=horizon_days), f["tau"].max()
    tr, te = f[f["tau"] + horizon <= cut], f[(f["tau"] >= cut) & (f["tau"] + horizon <= end)]
    if tr["label"].nunique() < 2:
        raise InputError(f"training rows before {cut} need both outcomes; got {len(tr)} rows")
    model = risk.fit(tr)
    xm, _ = risk.design(te, model["categories"])
    test = risk.evaluate(te["label"].to_numpy(np.int64), risk.predict(model, xm), k)
    split = {
        "cutoff": cut.isoformat(),
        "train_rows": len(tr),
        "train_positives": int(tr["label"].sum()),
        "train_until": (cut - horizon).isoformat(),
        "test_from": cut.isoformat(),
        "test_until": (end - horizon).isoformat(),
    }
    model |= {"horizon_days": horizon_days, "split": split, "test": test, "trained_at": datetime.now(UTC).isoformat()}
    file = out_dir(ws) / MODEL_FILE
    file.write_text(json.dumps(model, ensure_ascii=False, indent=1), encoding="utf-8")
    coefficients = sorted(zip(model["features"], model["coef"], strict=True), key=lambda kv: -abs(kv[1]))
    return RiskModel.model_validate(
        {"file": str(file), "horizon_days": horizon_days, "split": split, "test": test,
         "coefficients": dict(coefficients)}
    )  # fmt: skip


def load_model(ws: Workspace) -> risk.Model:
    file = out_dir(ws) / MODEL_FILE
    if not file.exists():
        raise InputError(f"no complaint-risk model at {file}; run `valueloop risk train` first")
    model: risk.Model = json.loads(file.read_text(encoding="utf-8"))
    return model


def _day(f: pd.DataFrame, date: str | None, tz: str) -> tuple[str, pd.DataFrame]:
    local = f["tau"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d")
    day = date or str(local.max())
    return day, f[local == day]


def score(ws: Workspace, *, date: str | None = None) -> RiskScores:
    """Probability of a complaint within the model's horizon for every interaction predicted on ``date``."""
    model = load_model(ws)
    day, rows = _day(_features(ws, int(model["horizon_days"])), date, ws.settings.workspace.timezone)
    xm, _ = risk.design(rows, model["categories"])
    contrib = risk.contributions(model, xm)
    p = risk.predict(model, xm) if len(rows) else np.zeros(0)
    why = risk.reasons(model, contrib, xm)
    out = [
        {"interaction_id": i, "customer_id": c, "probability": round(float(q), 4), "reasons": r}
        for i, c, q, r in zip(rows["interaction_id"], rows["customer_id"], p, why, strict=True)
    ]
    out.sort(key=lambda r: -float(r["probability"]))
    return RiskScores.model_validate({"date": day, "horizon_days": model["horizon_days"], "n": len(out), "scores": out})


def queue(ws: Workspace, *, date: str | None = None, top: int = 20) -> RiskQueue:
    """The day's proactive-intervention queue: the ``top`` customers by risk, with their reasons."""
    doc = score(ws, date=date)
    seen: set[str] = set()
    picked: list[QueuedCustomer] = []
    for r in doc.scores:
        if r.customer_id not in seen and len(picked) < top:
            seen.add(r.customer_id)
            picked.append(QueuedCustomer(rank=len(picked) + 1, **r.model_dump()))
    return RiskQueue(date=doc.date, horizon_days=doc.horizon_days, candidates=doc.n, queue=picked)
