"""Use cases that train a workspace sentiment model: from a labelled file, the workspace's ratings or a label field.

Moved out of :mod:`valueloop.voice.service.text` (same behaviour). Every path fits the same
kind of model as the shipped default (:func:`valueloop.voice.train.fit_model`), measures it
and the default on the same held-out rows — a ``--test`` file or a reproducible 20 % — and
saves it to the workspace only when it is better (or with ``force``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from valueloop.errors import InputError
from valueloop.store.workspace import Workspace
from valueloop.voice.labels import Kind as LabelKind
from valueloop.voice.labels import read_labels
from valueloop.voice.sentiment import default_model
from valueloop.voice.service.results import SentimentTraining
from valueloop.voice.service.text import _sha256, column, feedback_texts, read_table, workspace_model_path
from valueloop.voice.train import accuracy, fit_model, holdout


def train_from_ratings(
    ws: Workspace,
    *,
    force: bool = False,
    test: Path | None = None,
    text_column: str = "text",
    label_column: str = "label",
) -> SentimentTraining:
    """Learn a model from rated feedback (CSAT 1–2 negative, 4–5 positive, 3 dropped); keep it when it wins.

    Held out: ``test`` (a labelled file, read as :func:`train_from_file` reads one) when given,
    else a reproducible 20 % of the rated feedback.
    """
    df = feedback_texts(ws)
    df = df[df["csat"].notna() & (df["csat"] != 3)]
    texts, labels = df["text"].tolist(), (df["csat"] >= 4).astype(int).tolist()
    card = {"trained_on": "workspace feedback with CSAT", "labels": "csat 1-2 → 0, 4-5 → 1"}
    return _train_and_keep(ws, _split(texts, labels, test, text_column, label_column), card, force)


def train_from_file(
    ws: Workspace,
    file: Path,
    text_column: str = "text",
    label_column: str = "label",
    *,
    kind: LabelKind = "auto",
    test: Path | None = None,
    force: bool = False,
    positive: Sequence[str] = (),
    negative: Sequence[str] = (),
) -> SentimentTraining:
    """Learn a model from a labelled file: binary labels (1/0, pos/neg, 好评/差评 …) or 1–5 ratings,
    or any labels when ``positive`` names the positive values (``negative`` the negative ones; else
    every other value is negative).

    Rows whose label is neither (a rating of 3, an empty cell) are dropped; held out as in
    :func:`train_from_ratings`. Saved only when it beats the default model on the held-out
    rows (or with ``force``).
    """
    labelling = (kind, tuple(positive), tuple(negative))
    texts, labels = labelled_texts(file, text_column, label_column, *labelling)
    said = f"positive: {', '.join(positive)}" + (f"; negative: {', '.join(negative)}" if negative else "")
    card = {
        "trained_on": f"{file.name} (sha256 {_sha256(file)[:12]})",
        "labels": f"{label_column} ({said if positive else kind})",
    }
    return _train_and_keep(ws, _split(texts, labels, test, text_column, label_column, *labelling), card, force)


def labelled_texts(
    file: Path,
    text_column: str,
    label_column: str,
    kind: LabelKind = "auto",
    positive: Sequence[str] = (),
    negative: Sequence[str] = (),
) -> tuple[list[str], list[int]]:
    """The texts of ``file`` that have a positive or negative label, and those labels (1/0)."""
    df = read_table(file)
    raw_texts = column(df, text_column, file)
    read = read_labels(column(df, label_column, file), kind, positive, negative, where=str(file))
    keep = [i for i, y in enumerate(read) if y is not None and str(raw_texts[i]).strip()]
    return [str(raw_texts[i]) for i in keep], [int(read[i] or 0) for i in keep]


Split = tuple[list[str], list[int], list[str], list[int], str]


def _split(
    texts: list[str],
    labels: list[int],
    test: Path | None,
    text_column: str,
    label_column: str,
    kind: LabelKind = "auto",
    positive: Sequence[str] = (),
    negative: Sequence[str] = (),
) -> Split:
    """(train texts, train labels, test texts, test labels, what the test set is)."""
    if test is not None:
        test_texts, test_labels = labelled_texts(test, text_column, label_column, kind, positive, negative)
        if not test_texts:
            raise InputError(f"{test}: no row with a positive or negative label in {label_column!r}")
        return texts, labels, test_texts, test_labels, f"{test.name}"
    train, held = holdout(len(texts))
    return (
        [texts[i] for i in train],
        [labels[i] for i in train],
        [texts[i] for i in held],
        [labels[i] for i in held],
        "20 % held out",
    )


def train_from_labels(
    ws: Workspace,
    field: str,
    *,
    force: bool = False,
    test: Path | None = None,
    text_column: str = "text",
    positive: Sequence[str] = (),
    negative: Sequence[str] = (),
) -> SentimentTraining:
    """Learn a model from feedback whose own field ``field`` says the sentiment (a ``label,review``
    export kept with ``extra: {label: integer}``): the label words of :func:`labels_of` (1/0, pos/neg,
    好评/差评 …) or 1–5 ratings; anything else is left out. Kept only when it wins on held-out rows."""
    df = feedback_texts(ws)
    if field not in df.columns or field in ("text", "feedback_id"):
        raise InputError(f"feedback has no label field {field!r}; keep the export's column with "
                         f"`extra: {{{field}: integer}}` in the ingest mapping")  # fmt: skip
    said = [None if v is None or v != v else str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
            for v in df[field].tolist()]  # fmt: skip
    read = read_labels(said, "auto", positive, negative, where="feedback")
    keep = [i for i, y in enumerate(read) if y is not None and str(df["text"].iloc[i]).strip()]
    texts, labels = [str(df["text"].iloc[i]) for i in keep], [int(read[i] or 0) for i in keep]
    card = {"trained_on": f"workspace feedback labelled by {field}", "labels": f"{field} (auto)"}
    split = _split(texts, labels, test, text_column, field, "auto", positive, negative)
    return _train_and_keep(ws, split, card, force)


def _train_and_keep(ws: Workspace, split: Split, card: dict[str, Any], force: bool) -> SentimentTraining:
    train_texts, train_labels, test_texts, test_labels, test_set = split
    model = fit_model(train_texts, train_labels, min_df=2, card=card | {"train_rows": len(train_texts)})
    ours, default = (accuracy(m, test_texts, test_labels) for m in (model, default_model()))
    better = ours > default
    if better or force:
        model.card.update(
            held_out_accuracy=round(ours, 4), default_accuracy=round(default, 4), held_out_rows=len(test_texts)
        )
        model.save(workspace_model_path(ws))
    labels = train_labels + test_labels
    return SentimentTraining(
        rows=len(labels), train_rows=len(train_texts), test_rows=len(test_texts), test_set=test_set,
        positive_share=round(sum(labels) / max(len(labels), 1), 4), accuracy=round(ours, 4),
        default_accuracy=round(default, 4), saved=better or force,
        path=str(workspace_model_path(ws)) if better or force else None,
    )  # fmt: skip
