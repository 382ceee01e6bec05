"""`text train` learns from a label column of any common kind and can be measured on a separate test file."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from valueloop.accounts.service.workspace import create_workspace
from valueloop.cli.text import register
from valueloop.errors import InputError
from valueloop.store.workspace import Workspace, open_workspace
from valueloop.voice.labels import binary_label, labels_of, rating_label
from valueloop.voice.service import sentiment_training as st

POS = ["味道很好，送餐很快", "服务热情周到，下次还来", "Great food and fast delivery", "Loved it, will order again"]
NEG = ["等了两个小时，饭都凉了", "客服态度很差，再也不点了", "Cold food and rude driver", "Terrible, never again"]


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("1", 1), ("0", 0), ("pos", 1), ("NEG", 0), ("positive", 1), ("Negative", 0),
        ("好评", 1), ("差评", 0), ("正面", 1), ("负面", 0), (" true ", 1), ("maybe", None), ("", None),
    ],
)  # fmt: skip
def test_binary_label_words(value: str, want: int | None) -> None:
    assert binary_label(value) == want


@pytest.mark.parametrize(
    ("value", "want"), [("1", 0), ("2", 0), ("2.5", None), ("3", None), ("4", 1), ("5", 1), ("6", None)]
)
def test_rating_labels(value: str, want: int | None) -> None:
    assert rating_label(value) == want


@pytest.mark.parametrize(
    ("values", "kind", "want"),
    [
        (["1", "0", "1"], "auto", [1, 0, 1]),
        (["5", "1", "3", "4"], "auto", [1, 0, None, 1]),
        (["好评", "差评", ""], "auto", [1, 0, None]),
        (["1", "5"], "rating", [0, 1]),
        (["1", "0"], "binary", [1, 0]),
    ],
)
def test_labels_of_reads_a_column(values: list[str], kind: Any, want: list[int | None]) -> None:
    assert labels_of(values, kind) == want


def test_unknown_labels_name_their_rows() -> None:
    with pytest.raises(InputError, match=r"f\.csv:3: 'meh'.*f\.csv:4: 'ok'"):
        labels_of(["pos", "meh", "ok"], where="f.csv")


def _write(path: Path, rows: list[tuple[str, str]], label: str = "label") -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", label])
        w.writerows(rows)
    return path


def _labelled(n: int, pos: str = "pos", neg: str = "neg") -> list[tuple[str, str]]:
    return [(f"{POS[i % 4]} {i}", pos) for i in range(n)] + [(f"{NEG[i % 4]} {i}", neg) for i in range(n)]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    create_workspace(tmp_path / "ws")
    return open_workspace(tmp_path / "ws")


@pytest.mark.parametrize(
    ("pos", "neg"), [("pos", "neg"), ("1", "0"), ("positive", "negative"), ("好评", "差评"), ("5", "1")]
)
def test_train_from_a_file_with_any_label_kind(ws: Workspace, tmp_path: Path, pos: str, neg: str) -> None:
    report = st.train_from_file(ws, _write(tmp_path / "l.csv", _labelled(40, pos, neg)), force=True)
    assert report.rows == 80 and report.test_rows == 16 and report.test_set == "20 % held out"
    assert report.accuracy == 1.0 and report.saved


def test_a_separate_test_file_is_the_held_out_set(ws: Workspace, tmp_path: Path) -> None:
    train = _write(tmp_path / "train.csv", _labelled(30))
    test = _write(tmp_path / "test.csv", [("味道很好，送餐很快", "好评"), ("客服态度很差", "差评"), ("一般", "")])
    report = st.train_from_file(ws, train, test=test, force=True)
    assert report.train_rows == 60 and report.test_rows == 2 and report.test_set == "test.csv"


def test_a_bad_label_is_an_input_error(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"l\.csv:3: 'meh'"):
        st.train_from_file(ws, _write(tmp_path / "l.csv", [("好", "pos"), ("差", "meh")]))


def _cli(*args: str | Path) -> Any:
    app = typer.Typer()
    register(app)
    return CliRunner().invoke(app, ["text", *map(str, args)])


def test_cli_train_with_label_column_and_test_file(ws: Workspace, tmp_path: Path) -> None:
    train = _write(tmp_path / "train.csv", _labelled(30, "1", "0"), label="y")
    test = _write(tmp_path / "test.csv", _labelled(3, "1", "0"), label="y")
    out = _cli(
        "train", train, "--label-column", "y", "--test", test, "--force", "--workspace", ws.root, "--format", "json"
    )
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["test_rows"] == 6 and report["saved"] and "held-out accuracy" in out.stderr


def test_cli_train_bad_label_exits_2(ws: Workspace, tmp_path: Path) -> None:
    out = _cli("train", _write(tmp_path / "l.csv", [("好", "meh")]), "--workspace", ws.root)
    assert isinstance(out.exception, InputError) and out.exception.exit_code == 2
    assert "l.csv:2: 'meh'" in str(out.exception) and "or a 1-5 rating" in str(out.exception)


@pytest.mark.parametrize(
    ("pos", "neg", "positive", "negative"),
    [("happy", "angry", ["happy"], []), ("Promoter", "detractor", ["promoter"], ["DETRACTOR"]),
     ("10", "3", ["9", "10"], [])],
)  # fmt: skip
def test_train_with_named_positive_values(
    ws: Workspace, tmp_path: Path, pos: str, neg: str, positive: list[str], negative: list[str]
) -> None:
    """Labels of any kind: the user names the positive values (and optionally the negative ones)."""
    rows = [*_labelled(30, pos, neg), ("一般般", "passive")] if negative else _labelled(30, pos, neg)
    file = _write(tmp_path / "l.csv", rows)
    report = st.train_from_file(ws, file, positive=positive, negative=negative, force=True)
    assert report.rows == 60 and report.accuracy == 1.0 and report.saved


def test_named_positive_values_that_match_nothing_say_what_the_column_holds(ws: Workspace, tmp_path: Path) -> None:
    file = _write(tmp_path / "l.csv", _labelled(25, "happy", "angry"))
    with pytest.raises(InputError, match=r"l\.csv: no positive row; the label column holds 'angry', 'happy'"):
        st.train_from_file(ws, file, positive=["glad"])
    with pytest.raises(InputError, match="both positive and negative"):
        st.train_from_file(ws, file, positive=["happy"], negative=["Happy"])


def test_cli_train_label_positive_and_test_file(ws: Workspace, tmp_path: Path) -> None:
    train = _write(tmp_path / "train.csv", _labelled(30, "happy", "angry"), label="mood")
    test = _write(tmp_path / "test.csv", _labelled(3, "happy", "angry"), label="mood")
    args = ("train", train, "--label", "mood", "--positive", "happy", "--test", test, "--workspace", ws.root)
    out = _cli(*args, "--format", "json", "--force")
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["test_set"] == "test.csv" and report["test_rows"] == 6 and report["saved"]
    bad = _cli("train", train, "--label", "mood", "--positive", "glad", "--workspace", ws.root)
    assert isinstance(bad.exception, InputError) and bad.exception.exit_code == 2


def test_cli_train_keeps_the_default_when_the_new_model_measures_worse(ws: Workspace, tmp_path: Path) -> None:
    """Labels that contradict the texts make a model worse than the default on a truthful test file: not saved."""
    train = _write(tmp_path / "train.csv", _labelled(30, "angry", "happy"), label="mood")
    test = _write(tmp_path / "test.csv", _labelled(5, "happy", "angry"), label="mood")
    out = _cli("train", train, "--label", "mood", "--positive", "happy", "--test", test, "--workspace", ws.root,
               "--format", "json")  # fmt: skip
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["accuracy"] < report["default_accuracy"] and not report["saved"]
    assert not (ws.root / "text" / "sentiment.npz").exists() and "nothing saved" in out.stderr
