"""``valueloop weights …`` / ``valueloop rank …`` on a local app: JSON contracts, formats, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from valueloop.cli.mcda import register
from valueloop.errors import InputError

AHP_KEYS = {"criteria", "weights", "lambda_max", "ci", "cr", "threshold", "consistent", "variant"}


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    register(app)
    return app


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def invoke(app: typer.Typer, *args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def run_json(app: typer.Typer, *args: str | Path) -> Any:
    result = invoke(app, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def input_error(result: Result) -> InputError:
    """InputError propagates out of the command; the main entry point maps it to exit 2."""
    assert isinstance(result.exception, InputError), result.output
    assert result.exception.exit_code == 2
    return result.exception


@pytest.fixture
def decision(tmp_path: Path) -> Path:
    return write(tmp_path, "dm.csv", "id,c1,c2,c3\na1,7,9,9\na2,8,7,8\na3,9,6,8\na4,6,7,8\n")


def test_ahp_json_contract(app: typer.Typer, tmp_path: Path) -> None:
    out = run_json(app, "weights", "ahp", write(tmp_path, "ahp.csv", "a,b,c\n1,3,5\n1/3,1,2\n1/5,1/2,1\n"))
    assert set(out) == AHP_KEYS | {"worst_judgement"}
    assert out["criteria"] == ["a", "b", "c"]
    assert sum(out["weights"]) == pytest.approx(1.0)
    assert out["weights"] == sorted(out["weights"], reverse=True)
    assert out["consistent"] is True
    assert out["worst_judgement"] is None


def test_ahp_reads_bom_labels_and_options(app: typer.Typer, tmp_path: Path) -> None:
    text = "criterion,a,b,c\na,1,3,5\nb,1/3,1,2\nc,1/5,1/2,1\n"
    path = write(tmp_path, "bom.csv", "\ufeff" + text)
    out = run_json(app, "weights", "ahp", path, "--method", "geometric-mean", "--random-index", "alonso-lamata")
    assert out["criteria"] == ["a", "b", "c"]
    assert out["cr"] == pytest.approx(out["ci"] / 0.5245)


def test_inconsistent_ahp_names_the_worst_judgement(app: typer.Typer, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", "a,b,c\n1,9,1/9\n1/9,1,9\n9,1/9,1\n")
    result = invoke(app, "weights", "ahp", path, "--format", "json")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["consistent"] is False
    assert set(out["worst_judgement"]) == {"row", "col", "given", "implied"}
    assert "inconsistent" in result.stderr


def test_group_ahp_from_several_files(app: typer.Typer, tmp_path: Path) -> None:
    one = write(tmp_path, "e1.csv", "a,b\n1,2\n1/2,1\n")
    two = write(tmp_path, "e2.csv", "a,b\n1,8\n1/8,1\n")
    out = run_json(app, "weights", "ahp", one, two)
    assert out["weights"] == pytest.approx([0.8, 0.2])  # geometric mean of 2 and 8 is 4


def test_ahp_non_reciprocal_cell_is_named(app: typer.Typer, tmp_path: Path) -> None:
    path = write(tmp_path, "ahp.csv", "a,b,c\n1,3,5\n1/3,1,0.5\n1/5,3,1\n")
    err = input_error(invoke(app, "weights", "ahp", path, "--format", "json"))
    assert str(path) in str(err)
    assert "cell (row 2, col 3) = 0.5 is not the reciprocal of cell (row 3, col 2) = 3" in str(err)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n1,0\n1,1\n", r"cell \(row 1, col 2\) = 0 is not positive"),
        ("a,b\n1,x\n1,1\n", r"line 2, column 'b': 'x' is not a number"),
        ("a,b\n1,2\n", r"2 criteria in the header but 1 rows"),
        ("a,b\n1,2,3\n1/2,1,1\n", r"line 2 has 3 values"),
    ],
)
def test_ahp_bad_files(app: typer.Typer, tmp_path: Path, text: str, message: str) -> None:
    err = input_error(invoke(app, "weights", "ahp", write(tmp_path, "m.csv", text)))
    assert re.search(message, str(err))


@pytest.mark.parametrize("method", ["entropy", "critic"])
def test_objective_weights_json_contract(app: typer.Typer, decision: Path, method: str) -> None:
    out = run_json(app, "weights", method, decision, "--cost", "c2")
    assert set(out) == {"criteria", "weights", "variant"}
    assert out["criteria"] == ["c1", "c2", "c3"]
    assert sum(out["weights"]) == pytest.approx(1.0)


def test_entropy_minmax_option(app: typer.Typer, decision: Path) -> None:
    plain = run_json(app, "weights", "entropy", decision)
    minmax = run_json(app, "weights", "entropy", decision, "--normalisation", "min-max")
    assert plain["weights"] != pytest.approx(minmax["weights"])


@pytest.mark.parametrize("method", ["entropy", "critic"])
def test_unknown_cost_column_is_named(app: typer.Typer, decision: Path, method: str) -> None:
    err = input_error(invoke(app, "weights", method, decision, "--cost", "c9"))
    assert "dm.csv" in str(err)
    assert "c9" in str(err)


def test_topsis_json_contract_and_published_example(app: typer.Typer, tmp_path: Path) -> None:
    # Hwang & Yoon (1981) fighter aircraft, see tests/scoring/test_topsis.py.
    rows = ["2.0,1500,20000,5.5,5,9", "2.5,2700,18000,6.5,3,5", "1.8,2000,21000,4.5,7,7", "2.2,1800,20000,5.0,5,5"]
    text = "plane,speed,range,payload,cost,reliability,agility\n"
    text += "".join(f"A{i + 1},{r}\n" for i, r in enumerate(rows))
    path = write(tmp_path, "aircraft.csv", text)
    out = run_json(app, "rank", "topsis", path, "--weights", "0.2,0.1,0.1,0.1,0.2,0.3", "--cost", "cost")
    assert set(out) == {"alternatives", "closeness", "rank", "variant"}
    assert out["alternatives"] == ["A1", "A2", "A3", "A4"]
    assert out["closeness"] == pytest.approx([0.643, 0.268, 0.613, 0.312], abs=1e-3)
    assert out["rank"] == [1, 4, 2, 3]


def test_topsis_bad_weights(app: typer.Typer, decision: Path) -> None:
    err = input_error(invoke(app, "rank", "topsis", decision, "--weights", "0.5,0.5"))
    assert "2 weights given for 3 criteria" in str(err)
    err = input_error(invoke(app, "rank", "topsis", decision, "--weights", "a,b,c"))
    assert "--weights" in str(err)


@pytest.fixture
def membership(tmp_path: Path) -> Path:
    return write(tmp_path, "fz.csv", "factor,g1,g2,g3\nf1,0.2,0.5,0.3\nf2,0.6,0.3,0.1\n")


def test_fuzzy_json_contract(app: typer.Typer, membership: Path) -> None:
    out = run_json(app, "rank", "fuzzy", membership, "--weights", "0.6,0.4")
    assert set(out) == {"grades", "membership", "grade", "variant"}
    assert out["membership"] == pytest.approx([0.36, 0.42, 0.22])
    assert out["grade"] == "g2"


def test_fuzzy_operator_and_grade_scores(app: typer.Typer, membership: Path) -> None:
    args = ("rank", "fuzzy", membership, "--weights", "0.6,0.4", "--grade-scores", "90,70,50")
    out = run_json(app, *args, "--operator", "min-max")
    assert set(out) == {"grades", "membership", "grade", "score", "variant"}
    assert out["membership"] == pytest.approx([0.4, 0.5, 0.3])
    assert out["score"] == pytest.approx((36 + 35 + 15) / 1.2)


def test_fuzzy_reads_gb18030(app: typer.Typer, tmp_path: Path) -> None:
    path = write(tmp_path, "gbk.csv", "因素,好,差\n服务,0.7,0.3\n", encoding="gb18030")
    out = run_json(app, "rank", "fuzzy", path, "--weights", "1")
    assert out["grades"] == ["好", "差"]


def test_fuzzy_membership_out_of_range(app: typer.Typer, tmp_path: Path) -> None:
    path = write(tmp_path, "fz.csv", "factor,g1,g2\nf1,0.2,1.5\n")
    err = input_error(invoke(app, "rank", "fuzzy", path, "--weights", "1"))
    assert "fz.csv" in str(err)
    assert "cell (row 1, col 2) = 1.5" in str(err)


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_people_and_csv_formats(app: typer.Typer, decision: Path, membership: Path, fmt: str) -> None:
    for args in (
        ("weights", "entropy", decision),
        ("weights", "critic", decision),
        ("rank", "topsis", decision, "--weights", "1,1,1"),
        ("rank", "fuzzy", membership, "--weights", "1,1", "--grade-scores", "1,2,3"),
    ):
        result = invoke(app, *args, "--format", fmt)
        assert result.exit_code == 0, result.output
        assert any(name in result.stdout for name in ("c1", "a1", "g1"))


def test_missing_file_is_input_error(app: typer.Typer, tmp_path: Path) -> None:
    err = input_error(invoke(app, "weights", "entropy", tmp_path / "nope.csv"))
    assert "nope.csv" in str(err)
