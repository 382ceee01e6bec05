"""Comparing two model versions: rank correlations against scipy and by hand, movers, nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
import yaml
from scipy.stats import kendalltau, spearmanr
from typer.testing import CliRunner

from valueloop.cli import evaluate as evaluate_cli
from valueloop.cli import model_diff as model_diff_cli
from valueloop.evaluation.service.evaluate import EntityResult, EvaluationRun
from valueloop.evaluation.service.model_diff import compare_runs, diff_versions, rank_correlations
from valueloop.ingest.service.ingest import ingest
from valueloop.store import appdb, tables
from valueloop.store.workspace import Workspace


def test_rank_correlations_hand_example() -> None:
    # one adjacent swap in four: Σd² = 2 → rho = 1 − 6·2 / (4·15) = 0.8; 5 concordant, 1 discordant → tau = 4/6
    rho, tau = rank_correlations([1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 4.0])
    assert (rho, tau) == (pytest.approx(0.8), pytest.approx(4 / 6))


def test_rank_correlations_equal_scipy_with_ties() -> None:
    x = [3.1, 2.5, 4.0, 2.5, 1.0, 3.8, 4.0, 2.0]
    y = [3.3, 2.9, 3.9, 2.1, 1.5, 4.1, 3.2, 2.9]
    rho, tau = rank_correlations(x, y)
    assert rho == pytest.approx(spearmanr(x, y).statistic)
    assert tau == pytest.approx(kendalltau(x, y, variant="b").statistic)


def test_rank_correlations_degenerate_cases() -> None:
    assert rank_correlations([2.0, 1.0, 3.0], [20.0, 10.0, 30.0]) == (1.0, 1.0)
    assert rank_correlations([3.0, 3.0], [3.0, 3.0]) == (1.0, 1.0)  # identical, all tied
    assert rank_correlations([3.0, 3.0, 3.0], [1.0, 2.0, 3.0]) == (None, None)
    assert rank_correlations([3.0], [4.0]) == (None, None)


def _run(version: int, scores: dict[str, float | None]) -> EvaluationRun:
    ranked = sorted((s for s in scores.values() if s is not None), reverse=True)
    results = [
        EntityResult(
            entity_id=e,
            name=e.lower(),
            score=s,
            rank=None if s is None else 1 + ranked.index(s),
            percentile=None,
            change=None,
            dimensions={},
            indicators={},
            points_lost={},
        )
        for e, s in scores.items()
    ]
    return EvaluationRun(
        run_id=f"v{version}", model="m", version=version, period="2026-03", level="branch", scale="1-5", results=results
    )


def test_compare_runs_movers_and_score_changes() -> None:
    diff = compare_runs(
        _run(1, {"A": 4.0, "B": 3.0, "C": 2.0, "D": None}), _run(2, {"A": 2.5, "B": 3.5, "C": 2.0, "D": 3.0})
    )
    assert diff.compared == 3
    assert [(m.entity_id, m.rank_from, m.rank_to, m.change) for m in diff.movers] == [
        ("A", 1, 3, -2),
        ("B", 2, 1, 1),
        ("C", 3, 4, -1),
    ]
    by_id = {u.entity_id: u for u in diff.units}
    assert by_id["A"].score_change == pytest.approx(-1.5)
    assert by_id["D"].score_from is None and by_id["D"].score_change is None and by_id["D"].rank_to == 2


# Four branches, two interactions each: (answered within 5 min?, resolved?) per interaction.
OUTCOMES = {
    "B1": [(True, False), (True, False)],
    "B2": [(True, True), (False, False)],
    "B3": [(False, True), (False, True)],
    "B4": [(True, True), (True, False)],
}


def _model(version: int, weights: tuple[float, float]) -> dict[str, object]:
    def rate(ind: str, condition: str, weight: float) -> dict[str, object]:
        return {
            "id": ind,
            "name": ind,
            "dataset": "interactions",
            "measure": {"type": "rate", "condition": condition},
            "scoring": {"rule": "linear", "worst": 0, "best": 1},
            "weight": weight,
        }

    return {
        "id": "diffcase",
        "name": "diff case",
        "version": version,
        "effective_from": f"{2024 + version}-01-01",
        "level": "branch",
        "period": "month",
        "dimensions": [
            {
                "id": "d",
                "name": "d",
                "weight": 1,
                "indicators": [
                    rate("fast", "minutes(opened_at, first_response_at) <= 5", weights[0]),
                    rate("resolved", "resolved_at is not null", weights[1]),
                ],
            }
        ],
    }


def _workspace(ws: Workspace, tmp_path: Path, second: tuple[float, float]) -> Workspace:
    for f in ws.models_dir.glob("*.yaml"):
        f.unlink()
    for version, weights in ((1, (0.8, 0.2)), (2, second)):
        text = yaml.safe_dump(_model(version, weights), allow_unicode=True)
        (ws.models_dir / f"diffcase-v{version}.yaml").write_text(text, encoding="utf-8")
    entities = [{"entity_id": "C0", "type": "company"}] + [
        {"entity_id": b, "type": "branch", "parent_id": "C0"} for b in OUTCOMES
    ]
    rows = [
        {
            "interaction_id": f"{b}-{i}",
            "entity_id": b,
            "opened_at": f"2026-03-0{i + 1} 09:00:00",
            "first_response_at": f"2026-03-0{i + 1} 09:0{2 if fast else 9}:00",
            "resolved_at": f"2026-03-0{i + 1} 11:00:00" if resolved else None,
        }
        for b, outcomes in OUTCOMES.items()
        for i, (fast, resolved) in enumerate(outcomes)
    ]
    for dataset, data in (("entities", entities), ("interactions", rows)):
        src = tmp_path / f"{dataset}.jsonl"
        src.write_text("\n".join(json.dumps(r) for r in data), encoding="utf-8")
        assert ingest(ws, dataset, [src]).quarantined == 0
    return ws


def test_reweighting_reorders_the_branches(ws: Workspace, tmp_path: Path) -> None:
    # v1 (0.8, 0.2): B1 4.2, B2 3.0, B3 1.8, B4 4.6 → B4, B1, B2, B3
    # v2 (0.2, 0.8): B1 1.8, B2 3.0, B3 4.2, B4 3.4 → B3, B4, B2, B1
    # ascending ranks (3, 2, 1, 4) vs (1, 2, 4, 3): Σd² = 14 → rho = 1 − 84/60 = −0.4; 2 C, 4 D → tau = −1/3
    diff = diff_versions(_workspace(ws, tmp_path, (0.2, 0.8)), "diffcase", 1, 2, "2026-03")
    assert (diff.model, diff.period, diff.from_version, diff.to_version) == ("diffcase", "2026-03", 1, 2)
    assert diff.spearman == pytest.approx(-0.4)
    assert diff.kendall == pytest.approx(-1 / 3)
    assert [(m.entity_id, m.rank_from, m.rank_to, m.change) for m in diff.movers] == [
        ("B3", 4, 1, 3),
        ("B1", 2, 4, -2),
        ("B4", 1, 2, -1),
    ]
    with appdb.engine(ws.database_url).connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.evaluation_runs)).scalar() == 0


def test_identical_versions_agree_perfectly(ws: Workspace, tmp_path: Path) -> None:
    diff = diff_versions(_workspace(ws, tmp_path, (0.8, 0.2)), "diffcase", 1, 2, "2026-03")
    assert (diff.spearman, diff.kendall, diff.movers) == (1.0, 1.0, [])
    assert all(u.score_change == pytest.approx(0.0) for u in diff.units)


def test_cli_json_contract(ws: Workspace, tmp_path: Path) -> None:
    _workspace(ws, tmp_path, (0.2, 0.8))
    app = typer.Typer()
    evaluate_cli.register(app)
    model_diff_cli.register(app)
    args = ["models", "diff", "diffcase", "--from", "1", "--to", "2", "-p", "2026-03", "-w", str(ws.root), "-f", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"model", "period", "from", "to", "spearman", "kendall", "movers"} <= set(data)
    assert (data["from"], data["to"]) == (1, 2)
    assert set(data["movers"][0]) == {"entity_id", "name", "rank_from", "rank_to", "change"}
