"""Use cases of the ``classifier`` check: read labelled turns, train an item's model, load models to score.

The model is the sentiment model's kind (:func:`valueloop.voice.train.fit_model`: character
1–3-gram TF-IDF + balanced logistic regression), saved as numbers and text only (``.npz`` and a
JSON card, never a pickle) in ``qa/models/<rubric>/<model>.npz``, so a shared workspace's model
file cannot run code, and scoring needs no scikit-learn. Training first fits on 80 % of the
labelled turns and measures precision and recall on the other 20 % (a fixed split, so the same
file gives the same figures), then fits the saved model on every turn.

Labelled turns: CSV (UTF-8) or JSON Lines with ``text`` and ``label`` (1/0, yes/no, true/false,
pass/fail, 是/否) and optionally ``item`` (rows of other items are skipped, so one file can
label several items). Every bad row is reported with file:line at once.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from valueloop.errors import InputError, SpecError
from valueloop.qa.checks import ProbaFn
from valueloop.qa.rubric import ClassifierCheck, Rubric
from valueloop.qa.rubric_loader import RUBRIC_DIR, load_rubric, resolve
from valueloop.store.workspace import Workspace
from valueloop.voice.model import SentimentModel, load_model
from valueloop.voice.train import fit_model, holdout

POSITIVE = frozenset({"1", "yes", "y", "true", "pass", "是", "有"})
NEGATIVE = frozenset({"0", "no", "n", "false", "fail", "否", "无"})
MAX_PROBLEMS = 20


class TrainedItem(BaseModel):
    rubric: str
    item: str
    model: str
    file: str
    turns: int
    positive: int
    held_out: int
    precision: float | None
    """Of the held-out turns the model called positive, the share labelled positive (None: it called none)."""
    recall: float | None


def model_file(ws: Workspace, rubric_id: str, model: str) -> Path:
    return ws.root / RUBRIC_DIR / "models" / rubric_id / f"{model}.npz"


def read_labels(file: Path, item: str) -> tuple[list[str], list[int]]:
    """(texts, 1/0 labels) of ``item`` from a CSV or JSONL file; every bad row as ``file:line: why``."""
    if not file.is_file():
        raise InputError(f"{file}: no such labels file")
    rows = _jsonl(file) if file.suffix.lower() in (".jsonl", ".ndjson") else _csv(file)
    texts, labels, problems = [], [], []
    for line, row in rows:
        if isinstance(row, str):
            problems.append(f"{file}:{line}: {row}")
            continue
        if row.get("item") not in (None, "", item):
            continue
        text, label = str(row.get("text") or "").strip(), str(row.get("label") or "").strip().lower()
        if not text:
            problems.append(f"{file}:{line}: no text")
        elif label not in POSITIVE | NEGATIVE:
            problems.append(f"{file}:{line}: label {label!r} is not 1/0, yes/no, true/false, pass/fail or 是/否")
        else:
            texts.append(text)
            labels.append(int(label in POSITIVE))
    if problems:
        more = f"\n… and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
        raise InputError(f"{len(problems)} problem(s) in {file}:\n" + "\n".join(problems[:MAX_PROBLEMS]) + more)
    if not texts:
        raise InputError(f"{file}: no labelled turns for item {item!r}")
    return texts, labels


def _csv(file: Path) -> Iterator[tuple[int, dict[str, object] | str]]:
    try:
        with open(file, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = {"text", "label"} - set(reader.fieldnames or ())
            if missing:
                yield 1, f"missing column(s) {', '.join(sorted(missing))} (need text and label)"
                return
            for row in reader:
                yield reader.line_num, dict(row)
    except UnicodeDecodeError as err:
        yield 1, f"not UTF-8 text at byte {err.start}; save the file as UTF-8"


def _jsonl(file: Path) -> Iterator[tuple[int, dict[str, object] | str]]:
    try:
        lines = file.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as err:
        yield 1, f"not UTF-8 text at byte {err.start}; save the file as UTF-8"
        return
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as err:
            yield number, f"not JSON at character {err.pos + 1}: {err.msg}"
            continue
        yield number, row if isinstance(row, dict) else "not a JSON object"


def _classifier(rubric: Rubric, item: str) -> ClassifierCheck:
    found = next((i for i in rubric.items if i.id == item), None)
    if found is None:
        raise InputError(f"rubric {rubric.id!r} has no item {item!r}")
    if not isinstance(found.check, ClassifierCheck):
        raise InputError(f"item {item!r} of rubric {rubric.id!r} is a {found.check.kind} check, not a classifier")
    return found.check


def train_item(ws: Workspace, rubric: str | Path, item: str, labels: Path) -> TrainedItem:
    """Fit the item's model on the labelled turns, measure it on held-out turns, save it in the workspace."""
    spec = load_rubric(resolve(rubric, ws.root))
    check = _classifier(spec, item)
    texts, y = read_labels(labels, item)
    train, test = holdout(len(texts))
    measured = fit_model([texts[i] for i in train], [y[i] for i in train], min_df=1)
    precision, recall = _precision_recall(measured, [texts[i] for i in test], [y[i] for i in test], check.threshold)
    file = model_file(ws, spec.id, check.model)
    trained = TrainedItem(
        rubric=spec.id, item=item, model=check.model, file=str(file), turns=len(texts), positive=sum(y),
        held_out=len(test), precision=precision, recall=recall,
    )  # fmt: skip
    card = {**trained.model_dump(exclude={"file"}), "labels": labels.name}
    fit_model(texts, y, min_df=1, card=card).save(file)
    return trained


def probability(model: SentimentModel) -> ProbaFn:
    """P(positive) of each text from the model's n-gram logit (the card's held-out figures were measured so)."""

    def proba(texts: Sequence[str]) -> list[float]:
        return [1.0 / (1.0 + math.exp(-model.ngram_logit(t))) for t in texts]

    return proba


def _precision_recall(
    model: SentimentModel, texts: list[str], truth: list[int], threshold: float
) -> tuple[float | None, float | None]:
    said = np.asarray(probability(model)(texts)) >= threshold
    actual = np.asarray(truth, dtype=bool)
    hits = int((said & actual).sum())
    precision = round(hits / int(said.sum()), 4) if said.any() else None
    recall = round(hits / int(actual.sum()), 4) if actual.any() else None
    return precision, recall


def load_classifiers(ws: Workspace, rubric: Rubric) -> dict[str, ProbaFn]:
    """The trained models of the rubric's classifier checks; a missing one is an error naming how to train it."""
    out: dict[str, ProbaFn] = {}
    for item in rubric.items:
        if isinstance(item.check, ClassifierCheck) and item.check.model not in out:
            file = model_file(ws, rubric.id, item.check.model)
            if not file.is_file():
                raise SpecError(
                    f"item {item.id!r} of rubric {rubric.id!r} is a classifier with no trained model "
                    f"({RUBRIC_DIR}/models/{rubric.id}/{item.check.model}.npz): "
                    f"run `valueloop qa train-item {rubric.id} {item.id} --labels FILE`"
                )
            out[item.check.model] = probability(load_model(file))
    return out
