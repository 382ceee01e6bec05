"""Topic precision and recall of each starter taxonomy on its hand-labelled sample: tuned vs held-back rows.

Run: ``python -m bench.topic_eval``. The samples are ``tests/voice/labelled/<taxonomy>.jsonl``
(see the README there: which rows are real reviews and which were written). The starter
taxonomies were tuned on the ``tune`` rows; the ``holdout`` third was not read while tuning,
so its column is the honest estimate for new text. Target (issue 19): micro precision
>= 0.85 and recall >= 0.7 over top-level categories.
"""

from __future__ import annotations

from pathlib import Path

from valueloop.voice.taxonomy import SHIPPED, load_taxonomy, shipped
from valueloop.voice.topic_eval import load_sample, score

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "voice" / "labelled"


def run() -> None:
    print("topic matching, micro over top-level categories (P = precision, R = recall)")
    print(f"{'taxonomy':<11} {'tuned n':>7} {'P':>6} {'R':>6}   {'held-back n':>11} {'P':>6} {'R':>6}")
    for name in SHIPPED:
        rows, cats = load_sample(SAMPLES / f"{name}.jsonl"), load_taxonomy(shipped(name))
        tune, held = score(rows, cats, "tune"), score(rows, cats, "holdout")
        print(
            f"{name:<11} {tune.texts:>7} {tune.precision:>6.3f} {tune.recall:>6.3f}"
            f"   {held.texts:>11} {held.precision:>6.3f} {held.recall:>6.3f}"
        )


if __name__ == "__main__":
    run()
