"""Train the default sentiment model shipped in ``src/valueloop/text/models/``.

Trains on e-commerce reviews (online_shopping_9_cats) + English UCI sentences and keeps
food-delivery reviews (waimai_10k) entirely out, so the accuracy written on the model's
card is a cross-domain figure: the model never saw a food-delivery review. The reverse
direction (waimai + UCI → e-commerce) is measured too and recorded for honesty.

    .venv/bin/python scripts/train_sentiment.py [--data /work/shared/data/sentiment]

Writes ``sentiment.npz`` (arrays only, no pickle) and ``sentiment.json`` (the card).
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from valueloop.voice.model import SentimentModel
from valueloop.voice.sentiment import NEUTRAL_BAND
from valueloop.voice.train import fit_model

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "valueloop" / "text" / "models" / "sentiment.npz"
TRAIN = ("online_shopping_9_cats.csv", "uci_sentiment_labelled_sentences.csv")
HELD_OUT = "waimai_10k.csv"
MIN_DF, C = 10, 2.0


def read(data: Path, name: str) -> pd.DataFrame:
    df = pd.read_csv(data / name, dtype={"review": str}).dropna(subset=["review", "label"])
    return df.assign(label=df["label"].astype(int))


def sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def measure(model: SentimentModel, df: pd.DataFrame) -> dict[str, float]:
    """Accuracy (sign of the score), AUC, and how the neutral band splits the texts."""
    scores = np.array([model.score(t) for t in df["review"]])
    y = df["label"].to_numpy() == 1
    band = np.abs(scores) < NEUTRAL_BAND
    return {
        "rows": len(df),
        "accuracy": round(float(((scores > 0) == y).mean()), 4),
        "auc": round(float(roc_auc_score(y, scores)), 4),
        "neutral_share": round(float(band.mean()), 4),
        "accuracy_outside_neutral": round(float(((scores > 0) == y)[~band].mean()), 4),
        "accuracy_inside_neutral": round(float(((scores > 0) == y)[band].mean()), 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data/sentiment"))
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    train = pd.concat([read(args.data, n) for n in TRAIN], ignore_index=True)
    held = read(args.data, HELD_OUT)
    t0 = time.perf_counter()
    model = fit_model(train["review"].tolist(), train["label"].tolist(), min_df=MIN_DF, c=C)
    seconds = time.perf_counter() - t0
    reverse = fit_model(
        pd.concat([held, read(args.data, TRAIN[1])])["review"].tolist(),
        pd.concat([held, read(args.data, TRAIN[1])])["label"].tolist(),
        min_df=MIN_DF,
        c=C,
    )
    card: dict[str, Any] = {
        "model": "char 1-3-gram TF-IDF (sublinear tf) + logistic regression (class_weight=balanced)",
        "params": {"min_df": MIN_DF, "C": C, "ngram": [1, 3], "neutral_band": NEUTRAL_BAND},
        "trained_on": [{"file": n, "rows": 0, "sha256": sha256(args.data / n)} for n in TRAIN],
        "train_rows": len(train),
        "vocabulary": len(model.index),
        "train_seconds": round(seconds, 1),
        "cross_domain": {f"{'+'.join(TRAIN)} -> {HELD_OUT}": measure(model, held)},
        "reverse_direction": {f"{HELD_OUT}+{TRAIN[1]} -> {TRAIN[0]}": measure(reverse, read(args.data, TRAIN[0]))},
        "source": "shared data: ChineseNlpCorpus online_shopping_10_cats without hotels; UCI sentences",
        "script": "scripts/train_sentiment.py",
    }
    for entry, name in zip(card["trained_on"], TRAIN, strict=True):
        entry["rows"] = len(read(args.data, name))
    model = SentimentModel(model.index, model.idf, model.coef, model.intercept, card)
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")
    print(card["cross_domain"], card["reverse_direction"], sep="\n")


if __name__ == "__main__":
    main()
