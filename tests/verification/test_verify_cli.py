"""``valueloop verify``: the ab contract, power, did, its, adjust and input errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from statsmodels.stats.power import zt_ind_solve_power
from statsmodels.stats.proportion import proportion_effectsize, proportions_ztest
from typer.testing import CliRunner

from valueloop.cli.verify import register
from valueloop.errors import InputError

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def run_json(app: typer.Typer, *args: str) -> Any:
    result = runner.invoke(app, ["verify", *args, "--format", "json"])
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def ab_csv(tmp_path: Path, arms: dict[str, tuple[int, int]]) -> Path:
    rows = [f"{v}{i},{v},{int(i < k)}" for v, (k, n) in arms.items() for i in range(n)]
    path = tmp_path / "ab.csv"
    path.write_text("unit,variant,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_ab_contract_shape_and_numbers(app: typer.Typer, tmp_path: Path) -> None:
    path = ab_csv(tmp_path, {"control": (20, 200), "treatment": (35, 200)})
    out = run_json(app, "ab", str(path), "--metric-type", "proportion", "--unit-col", "unit",
                   "--variant-col", "variant", "--value-col", "value")  # fmt: skip
    assert {"metric_type", "control", "treatment", "diff", "lift", "ci", "p_value", "srm_p_value", "verdict"} <= set(
        out
    )
    assert {"n", "mean", "var"} <= set(out["control"])
    assert out["control"]["n"] == 200 and out["treatment"]["mean"] == pytest.approx(0.175)
    assert out["p_value"] == pytest.approx(proportions_ztest([35, 20], [200, 200])[1], rel=1e-9)
    assert out["lift"] == pytest.approx(0.75) and out["verdict"] == "effective" and len(out["ci"]) == 2


def test_ab_three_variants_without_control_is_exit_2(app: typer.Typer, tmp_path: Path) -> None:
    path = ab_csv(tmp_path, {"a": (1, 5), "b": (2, 5), "c": (3, 5)})
    result = runner.invoke(app, ["verify", "ab", str(path), "--metric-type", "proportion"])
    assert isinstance(result.exception, InputError) and result.exception.exit_code == 2
    assert "--control" in str(result.exception)
    out = run_json(app, "ab", str(path), "--metric-type", "proportion", "--control", "a")
    assert [d["treatment"]["name"] for d in out] == ["b", "c"] and "p_value_unadjusted" in out[0]


def test_ab_degenerate_groups_give_no_verdict(app: typer.Typer, tmp_path: Path) -> None:
    path = ab_csv(tmp_path, {"control": (0, 30), "treatment": (0, 30)})
    out = run_json(app, "ab", str(path), "--metric-type", "mean")
    assert out["verdict"] == "no_verdict" and out["p_value"] is None and "zero variance" in out["reason"]


def test_ab_cuped_ordinal_and_bootstrap(app: typer.Typer, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    pre = rng.normal(50, 10, 400)
    arm = np.repeat(["control", "treatment"], 200)
    post = pre + rng.normal(0, 3, 400) + np.where(arm == "treatment", 2.0, 0.0)
    stars = np.clip(np.round(post / 20), 1, 5)
    lines = [f"u{i},{a},{p},{y},{s}" for i, (a, p, y, s) in enumerate(zip(arm, pre, post, stars, strict=True))]
    path = tmp_path / "m.csv"
    path.write_text("unit,variant,pre,value,stars\n" + "\n".join(lines) + "\n", encoding="utf-8")
    out = run_json(app, "ab", str(path), "--metric-type", "mean", "--pre-col", "pre", "--bootstrap", "500")
    assert out["method"] == "welch_t_cuped" and out["cuped"]["variance_reduction"] > 0.8
    assert out["verdict"] == "effective" and len(out["bootstrap_ci"]) == 2
    ordinal = run_json(app, "ab", str(path), "--metric-type", "ordinal", "--value-col", "stars")
    assert ordinal["method"] == "mann_whitney_u" and -1 <= ordinal["rank_test"]["rank_biserial"] <= 1


def test_ab_ratio_needs_a_denominator(app: typer.Typer, tmp_path: Path) -> None:
    path = ab_csv(tmp_path, {"control": (1, 5), "treatment": (2, 5)})
    result = runner.invoke(app, ["verify", "ab", str(path), "--metric-type", "ratio"])
    assert isinstance(result.exception, InputError) and "--denominator-col" in str(result.exception)


def test_power_matches_statsmodels(app: typer.Typer) -> None:
    out = run_json(app, "power", "--metric-type", "proportion", "--baseline", "0.1", "--mde", "0.02")
    ref = zt_ind_solve_power(effect_size=proportion_effectsize(0.12, 0.1), alpha=0.05, power=0.8)
    assert out["n_control"] == int(np.ceil(ref)) and out["n_total"] == 2 * out["n_control"]
    back = run_json(app, "power", "--metric-type", "proportion", "--baseline", "0.1", "--n", str(out["n_control"]))
    assert back["mde"] == pytest.approx(0.02, abs=1e-4)
    mean = run_json(app, "power", "--metric-type", "mean", "--sd", "10", "--mde", "1", "--power", "0.9")
    assert mean["n_control"] == int(np.ceil(zt_ind_solve_power(effect_size=0.1, alpha=0.05, power=0.9)))
    bad = runner.invoke(app, ["verify", "power", "--metric-type", "proportion", "--mde", "0.02"])
    assert isinstance(bad.exception, InputError)


def test_did_and_its_print_assumptions(app: typer.Typer, tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    rows = [f"u{u},{p},{int(u < 10)},{int(p >= 2)},{50 + u + p + 4 * (u < 10) * (p >= 2) + rng.normal():.4f}"
            for u in range(20) for p in range(4)]  # fmt: skip
    did_path = tmp_path / "did.csv"
    did_path.write_text("unit,period,treated,post,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    did = run_json(app, "did", str(did_path), "--unit-col", "unit", "--period-col", "period",
                   "--treated-col", "treated", "--post-col", "post", "--value-col", "value")  # fmt: skip
    assert did["ci"][0] < 4 < did["ci"][1] and did["assumptions"]
    days = [f"2026-01-{d:02d},{10 + 0.1 * d + 3 * (d >= 15) + rng.normal(0, 0.2):.4f}" for d in range(1, 31)]
    its_path = tmp_path / "its.csv"
    its_path.write_text("day,value\n" + "\n".join(days) + "\n", encoding="utf-8")
    its = run_json(
        app, "its", str(its_path), "--time-col", "day", "--value-col", "value", "--intervention", "2026-01-15"
    )
    assert its["level_change"]["estimate"] == pytest.approx(3, abs=0.5) and its["n_pre"] == 14


def test_adjust(app: typer.Typer) -> None:
    out = run_json(app, "adjust", "0.01", "0.04", "0.03", "--method", "bh")
    assert [r["adjusted"] for r in out] == pytest.approx([0.03, 0.04, 0.04])
