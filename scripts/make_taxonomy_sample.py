"""Write ``text/resources/labelled_sample.csv``: a synthetic labelled sample for ``valueloop text evaluate``.

Texts are composed exactly like the demo's feedback (:mod:`valueloop.demo.phrases`:
opener by mood + one theme sentence + closer), so the theme of each text is known when it
is written. The label is the taxonomy category of that theme (``THEME_LABELS``), refined
per template where one theme's sentences raise different issues (``TEMPLATE_LABELS``,
labelled by hand from the sentence's meaning, not from the classifier). Positive themes
raise no issue: empty label. Labels name the *issue raised*, so a praise text the lexicon
tags (智能客服很方便 → bot) counts as a false positive.

The sample is synthetic and in-distribution for the shipped lexicon (which was written
with the same demo phrases in view): its precision/recall are an upper bound and a
regression check, not an estimate for real feedback.

    python scripts/make_taxonomy_sample.py            # 400 rows, seed 5
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from valueloop.demo import phrases as ph

OUT = Path(__file__).resolve().parents[1] / "src" / "valueloop" / "text" / "resources" / "labelled_sample.csv"

THEME_LABELS: dict[str, str] = {
    "slow_response": "response_speed",
    "phone_queue": "response_speed/phone_queue",
    "slow_resolution": "response_speed/slow_resolution",
    "rude_staff": "attitude",
    "refund": "refund",
    "logistics": "logistics",
    "bot_wrong": "bot",
    "app_crash": "app",
    "reopened": "process/reopened",
    "transfer": "process",
    "billing": "price",
    "no_follow_up": "follow_up",
    "technical": "technical",
    "account": "account",
    "generic_negative": "",
    "refund_delay": "refund/refund_delay",
}
# (theme, language, template index) → label, where a theme's sentences differ in the issue raised
TEMPLATE_LABELS: dict[tuple[str, str, int], str] = {
    ("refund", "zh", 0): "refund/refund_process",  # 退款流程太复杂
    ("refund", "zh", 1): "refund/refund_process",  # 退款审核要好几轮
    ("refund", "zh", 2): "refund/refund_rejected",  # 申请退款被拒
    ("refund", "en", 0): "refund/refund_process",
    ("refund", "en", 1): "refund/refund_rejected",
    ("technical", "zh", 1): "technical;process/reopened",  # 维修后同样的毛病又出现了
    ("technical", "en", 1): "technical;process/reopened",  # the same fault is back
    ("generic_negative", "zh", 2): "unresolved",  # 完全没有解决我的问题
    ("generic_negative", "en", 1): "unresolved",  # My problem was not solved at all
    ("no_follow_up", "zh", 2): "follow_up",  # 流程走了一半就没人管了
}


def label(theme: ph.Theme, lang: str, template: int) -> str:
    if theme.positive:
        return ""
    return TEMPLATE_LABELS.get((theme.key, lang, template), THEME_LABELS[theme.key])


def sample(n: int, seed: int) -> list[dict[str, str]]:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        theme = ph.THEMES[int(rng.integers(len(ph.THEMES)))]
        lang = "en" if rng.random() < 0.3 else "zh"
        templates: tuple[str, ...] = getattr(theme, lang)
        k = int(rng.integers(len(templates)))
        body = ph.render(templates[k], int(rng.choice(theme.values)), lang)
        mood = ph.POSITIVE if theme.positive else int(rng.choice([ph.NEUTRAL, ph.NEGATIVE, ph.COMPLAINT]))
        opener, closer = (str(rng.choice(ph.OPENERS[lang, mood])), str(rng.choice(ph.CLOSERS[lang, mood])))
        sep = " " if lang == "en" else ""
        text = sep.join([opener, body, closer]).strip()
        rows.append({"text": text, "category": label(theme, lang, k), "theme": theme.key, "lang": lang})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=400)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    rows = sample(args.rows, args.seed)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["text", "category", "theme", "lang"])
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} rows → {args.out}")


if __name__ == "__main__":
    main()
