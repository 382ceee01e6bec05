"""Sentiment on domains held out of training: leave-one-domain-out, before and after the lexicon blend.

    .venv/bin/python -m bench.sentiment_lodo [--data /work/shared/data/sentiment] [--band 0.2]

Thirteen domains (food delivery, the nine e-commerce categories, Amazon, IMDb and Yelp
sentences). For each: the n-gram model is fitted on the twelve others ("before" is its
score alone), the lexicon blend on the twelve others' out-of-domain logits ("after").
Prints accuracy by sign and the share called neutral (|score| < band) per domain, then
the mean per language. Takes a few minutes (13 model fits).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

DATA = Path("/work/shared/data/sentiment")


def run(data: Path = DATA, band: float | None = None, cache: Path | None = None) -> None:
    from valueloop.voice import lodo
    from valueloop.voice.sentiment import NEUTRAL_BAND

    t = time.perf_counter()
    domains = lodo.read_corpora(data)
    if cache is not None and cache.is_file():
        domains = lodo.load_features(domains, cache)
    else:
        domains = lodo.out_of_domain_tfidf(domains)
        if cache is not None:
            lodo.save_features(domains, cache)
    evaluate = lodo.evaluate
    rows = evaluate(domains, NEUTRAL_BAND if band is None else band)
    print(f"{'domain':<14}{'lang':<5}{'rows':>7}  {'acc before':>10} {'neutral':>8}  {'acc after':>10} {'neutral':>8}")
    for r in rows:
        print(
            f"{r.domain:<14}{r.lang:<5}{r.rows:>7}  {r.accuracy_before:>10.4f} {r.neutral_before:>8.1%}"
            f"  {r.accuracy_after:>10.4f} {r.neutral_after:>8.1%}"
        )
    for lang in ("zh", "en"):
        mine = [r for r in rows if r.lang == lang]
        n = len(mine)
        print(
            f"{'mean ' + lang:<19}{'':>7}  {sum(r.accuracy_before for r in mine) / n:>10.4f}"
            f" {sum(r.neutral_before for r in mine) / n:>8.1%}  {sum(r.accuracy_after for r in mine) / n:>10.4f}"
            f" {sum(r.neutral_after for r in mine) / n:>8.1%}"
        )
    print(f"sentiment lodo: {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--band", type=float, default=None)
    ap.add_argument(
        "--cache", type=Path, default=None, help="Keep the out-of-domain logits here (reused when present)."
    )
    a = ap.parse_args()
    run(a.data, a.band, a.cache)
