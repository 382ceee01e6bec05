"""Topic precision and recall of each starter taxonomy on its hand-labelled samples: tune, held-back, extra sets.

Run: ``python -m bench.topic_eval``. The samples are ``tests/voice/labelled/<taxonomy>.jsonl``
(see the README there: which rows are real reviews and which were written, and which sets
were read while tuning). Every folder ``tests/voice/labelled/<set>/`` holding
``<taxonomy>.jsonl`` files adds a column (``fresh``, ``fresh2`` ...): a set written blind
after a tuning round measures how the keywords do on new text. This script only prints the
scores; it shows no row of any set. Target (issue 19): micro precision >= 0.85 and recall
>= 0.7 over top-level categories.
"""

from __future__ import annotations

from pathlib import Path

from valueloop.voice.taxonomy import SHIPPED, Category, load_taxonomy, shipped
from valueloop.voice.topic_eval import TopicScore, load_sample, score

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "voice" / "labelled"


def extra_sets(root: Path = SAMPLES) -> list[str]:
    """The measurement sets beside the main samples: sub-folders holding a ``<taxonomy>.jsonl``, by name."""
    if not root.is_dir():
        return []
    return sorted(d.name for d in root.iterdir() if d.is_dir() and any((d / f"{n}.jsonl").is_file() for n in SHIPPED))


def set_score(root: Path, name: str, cats: tuple[Category, ...], folder: str) -> TopicScore | None:
    """The whole of one extra set for taxonomy ``name`` (every row, whatever its split), or None if it has no file."""
    file = root / folder / f"{name}.jsonl"
    return score(load_sample(file), cats, "all") if file.is_file() else None


def _cell(s: TopicScore | None, label: str) -> str:
    width = max(len(label) + 2, 5)
    if s is None:
        return f"{'-':>{width}} {'':>6} {'':>6}"
    return f"{s.texts:>{width}} {s.precision:>6.3f} {s.recall:>6.3f}"


def table(root: Path = SAMPLES) -> list[str]:
    """The report's lines: one row per taxonomy; columns tune, held-back, then each extra set."""
    labels = ["tuned", "held-back", *extra_sets(root)]
    head = f"{'taxonomy':<11}" + "".join(f"   {lab + ' n':>{max(len(lab) + 2, 5)}} {'P':>6} {'R':>6}" for lab in labels)
    lines = ["topic matching, micro over top-level categories (P = precision, R = recall)", head]
    for name in SHIPPED:
        cats = load_taxonomy(shipped(name))
        main = root / f"{name}.jsonl"
        rows = load_sample(main) if main.is_file() else []
        scores: list[TopicScore | None] = [
            score(rows, cats, "tune") if rows else None,
            score(rows, cats, "holdout") if rows else None,
            *(set_score(root, name, cats, folder) for folder in labels[2:]),
        ]
        lines.append(f"{name:<11}" + "".join(f"   {_cell(s, lab)}" for s, lab in zip(scores, labels, strict=True)))
    return lines


def run() -> None:
    print("\n".join(table()))


if __name__ == "__main__":
    run()
