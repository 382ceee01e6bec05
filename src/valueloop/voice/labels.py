"""Sentiment labels of any common kind read as 1 (positive), 0 (negative) or None (neither).

Why one reader: people label reviews as 1/0, pos/neg, positive/negative, 好评/差评, or give
stars or a CSAT score; ``valueloop text train`` should learn from any of them without the
user rewriting the file. Numbers are read as binary when the column holds only 0 and 1,
else as a 1–5 rating (1–2 negative, 4–5 positive, 3 neither), as for CSAT.

>>> [binary_label(v) for v in ("pos", "差评", "Positive", "0", " 1 ")]
[1, 0, 1, 0, 1]
>>> labels_of(["5", "1", "3", "4"]), labels_of(["1", "0", "1"])
([1, 0, None, 1], [1, 0, 1])

A label column of any other kind (``happy``/``angry``, ``promoter``/``detractor``, 10-point
scores) is read by naming its positive values (``text train --positive``):

>>> labels_by_value(["Promoter", "detractor", "passive", ""], ["promoter"], ["detractor"])
[1, 0, None, None]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from valueloop.errors import InputError

Kind = Literal["auto", "binary", "rating"]
POSITIVE = frozenset(
    [
        "1",
        "pos",
        "positive",
        "good",
        "yes",
        "true",
        "+1",
        "+",
        "like",
        "thumbs-up",
        "好评",
        "好",
        "正面",
        "正",
        "积极",
        "满意",
        "推荐",
        "赞",
    ]
)
NEGATIVE = frozenset(
    [
        "0",
        "neg",
        "negative",
        "bad",
        "no",
        "false",
        "-1",
        "-",
        "dislike",
        "差评",
        "差",
        "负面",
        "负",
        "消极",
        "不满意",
        "不推荐",
        "踩",
    ]
)
NEGATIVE_RATING, POSITIVE_RATING = 2.0, 4.0
RATING_RANGE = (1.0, 5.0)
BINARY_HELP = "a label (1/0, pos/neg, positive/negative, 好评/差评)"


def binary_label(value: object) -> int | None:
    """1, 0, or None for a value that is not a binary label word."""
    v = str(value).strip().lower()
    if v in POSITIVE:
        return 1
    return 0 if v in NEGATIVE else None


def rating_label(value: object) -> int | None:
    """A 1–5 rating: ≤ 2 negative, ≥ 4 positive, None for 3 and for what is not a rating."""
    try:
        r = float(str(value).strip())
    except ValueError:
        return None
    if not RATING_RANGE[0] <= r <= RATING_RANGE[1]:
        return None
    if r <= NEGATIVE_RATING:
        return 0
    return 1 if r >= POSITIVE_RATING else None


def is_rating(value: object) -> bool:
    try:
        r = float(str(value).strip())
    except ValueError:
        return False
    return RATING_RANGE[0] <= r <= RATING_RANGE[1]


def labels_of(values: Sequence[object], kind: Kind = "auto", where: str = "labels") -> list[int | None]:
    """Every value as 1, 0 or None (a rating of 3, an empty cell).

    Raises :class:`InputError` naming the rows (``where``:row, 1-based data rows, the header
    being row 1) of up to five values that are neither a label word nor a rating.
    """
    present = [str(v).strip() for v in values if str(v).strip() not in ("", "nan", "None")]
    asked = kind
    if kind == "auto":
        kind = "binary" if all(binary_label(v) is not None for v in present) else "rating"
    read = binary_label if kind == "binary" else rating_label
    out: list[int | None] = []
    bad: list[str] = []
    for i, v in enumerate(values):
        s = str(v).strip()
        if s in ("", "nan", "None"):
            out.append(None)
            continue
        label = read(s)
        if label is None and not (kind == "rating" and is_rating(s)):
            bad.append(f"{where}:{i + 2}: {s!r}")
        out.append(label)
    if bad:
        what = {"binary": BINARY_HELP, "rating": "a 1-5 rating"}.get(asked, f"{BINARY_HELP} or a 1-5 rating")
        raise InputError(f"not {what}: " + "; ".join(bad[:5]) + (f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""))
    return out


def labels_by_value(
    values: Sequence[object], positive: Sequence[str], negative: Sequence[str] = (), where: str = "labels"
) -> list[int | None]:
    """1 for a value in ``positive``, 0 for one in ``negative`` (any other value when ``negative`` is empty),
    None for an empty cell or, when ``negative`` is given, a value in neither (compared stripped, case-folded).

    Raises :class:`InputError` when a value is in both lists, or when no row is positive or none negative,
    naming ``where`` and the values the column does hold.
    """
    pos, neg = {_key(v) for v in positive}, {_key(v) for v in negative}
    if not pos:
        raise InputError("--positive needs at least one value")
    if both := sorted(pos & neg):
        raise InputError(f"{', '.join(map(repr, both))} given as both positive and negative")
    out: list[int | None] = []
    for v in values:
        k = _key(v)
        out.append(None if k in ("", "nan", "none") else 1 if k in pos else 0 if not neg or k in neg else None)
    if 1 not in out or 0 not in out:
        held = sorted({_key(v) for v in values} - {"", "nan", "none"})
        shown = ", ".join(map(repr, held[:10])) + (" …" if len(held) > 10 else "")
        which = "positive" if 1 not in out else "negative"
        raise InputError(f"{where}: no {which} row; the label column holds {shown or 'nothing'}")
    return out


def _key(value: object) -> str:
    return str(value).strip().casefold()


def read_labels(
    values: Sequence[object],
    kind: Kind = "auto",
    positive: Sequence[str] = (),
    negative: Sequence[str] = (),
    where: str = "labels",
) -> list[int | None]:
    """:func:`labels_by_value` when positive values are named, else :func:`labels_of` with ``kind``."""
    if positive:
        return labels_by_value(values, positive, negative, where)
    if negative:
        raise InputError("--negative needs --positive: name the positive values too")
    return labels_of(values, kind, where)
