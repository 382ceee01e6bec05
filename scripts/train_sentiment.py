"""Train the default sentiment model shipped in ``src/valueloop/voice/models/``.

The n-gram model is fitted on every domain of the shared corpora (food delivery, nine
e-commerce categories, Amazon/IMDb/Yelp sentences); the lexicon blend on the
leave-one-domain-out logits of the same corpora (:mod:`valueloop.voice.lodo`), so its
weights are those that work on a domain the n-gram model never saw — the situation of
the shipped model in a new workspace. The card records the leave-one-domain-out accuracy
and neutral share per domain, before (n-grams alone) and after (with the lexicon blend).

    .venv/bin/python scripts/train_sentiment.py [--data /work/shared/data/sentiment] [--cache /tmp/ood.npz]

Writes ``sentiment.npz`` (arrays only, no pickle) and ``sentiment.json`` (the card).
"""

from __future__ import annotations

import argparse
import hashlib
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from valueloop.voice import lodo
from valueloop.voice.model import BLEND_ROWS, SentimentModel
from valueloop.voice.sentiment import NEUTRAL_BAND
from valueloop.voice.train import fit_model

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "valueloop" / "voice" / "models" / "sentiment.npz"
MIN_DF, C = 10, 2.0


def sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data/sentiment"))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--cache", type=Path, default=None, help="Out-of-domain logits from bench.sentiment_lodo --cache.")
    args = ap.parse_args()
    domains = lodo.read_corpora(args.data)
    if args.cache is not None and args.cache.is_file():
        ood = lodo.load_features(domains, args.cache)
    else:
        ood = lodo.out_of_domain_tfidf(domains, min_df=MIN_DF, c=C)
    scores = lodo.evaluate(ood, NEUTRAL_BAND)
    t0 = time.perf_counter()
    model = fit_model([t for d in domains for t in d.texts], [y for d in domains for y in d.labels], min_df=MIN_DF, c=C)
    seconds = time.perf_counter() - t0
    blend = lodo.fit_blend(ood)
    card: dict[str, Any] = {
        "model": "char 1-3-gram + English word 1-2-gram (negation-marked) TF-IDF (sublinear tf) + logistic regression "
        "(class_weight=balanced), "
        "blended with lexicon evidence (valueloop.voice.lexicon) per language",
        "params": {"min_df": MIN_DF, "C": C, "ngram": [1, 3], "neutral_band": NEUTRAL_BAND},
        "blend": {lang: [round(float(v), 4) for v in blend[i]] for i, lang in enumerate(BLEND_ROWS)},
        "blend_columns": ["ngram_logit", "log1p_positive", "log1p_negative", "bias"],
        "trained_on": [{"file": name, "sha256": sha256(args.data / name)} for name in lodo.CORPORA],
        "domains": {d.name: len(d.texts) for d in domains},
        "train_rows": sum(len(d.texts) for d in domains),
        "vocabulary": len(model.index),
        "train_seconds": round(seconds, 1),
        "leave_one_domain_out": [asdict(s) for s in scores],
        "source": "shared data: ChineseNlpCorpus waimai_10k and online_shopping_10_cats without hotels; "
        "UCI sentences. English lexicon: VADER (MIT) plus hand-written entries; Chinese lexicon hand-written.",
        "script": "scripts/train_sentiment.py; measured by bench/sentiment_lodo.py",
    }
    SentimentModel(model.index, model.idf, model.coef, model.intercept, card, blend).save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
