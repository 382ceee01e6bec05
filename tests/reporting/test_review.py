"""The period review on one demo workspace: sections in both languages, XLSX numbers, PDF text, goals."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from statistics import fmean
from typing import Any

import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from valueloop.cli.report import register
from valueloop.evaluation.service.scores import entity_scores
from valueloop.metrics.periods import label_of
from valueloop.reporting.data import ReviewData
from valueloop.reporting.html import render_html
from valueloop.reporting.labels import LABELS, SECTIONS, label
from valueloop.reporting.pdf import render_pdf
from valueloop.reporting.service.review import build_review, goal_attainment
from valueloop.reporting.xlsx import render_xlsx
from valueloop.spec.model import Grain
from valueloop.store.workspace import Workspace, open_workspace

# The demo scores 2026-05 … 2026-10; findings are for 05–06 (Q2); the A/B verification is recorded today.


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    from valueloop.demo.pipeline import run_demo

    root = tmp_path_factory.mktemp("review") / "ws"
    run_demo(root, interactions=8_000, log=lambda _: None)
    return open_workspace(root)


@pytest.fixture(scope="module")
def q2(demo: Workspace) -> ReviewData:
    return build_review(demo, "2026-Q2")


@pytest.fixture(scope="module")
def q3(demo: Workspace) -> ReviewData:
    return build_review(demo, "2026-Q3")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_has_every_section_heading(q2: ReviewData, lang: str) -> None:
    page = render_html(q2, lang)  # type: ignore[arg-type]
    for key in SECTIONS:
        assert f"<h2>{label(key, lang)}</h2>" in page  # type: ignore[arg-type]
    assert "<svg" in page
    assert any(f.actions for f in q2.findings), "the demo's action shows against its finding"


def test_one_month_review_repeats_the_stored_run(demo: Workspace) -> None:
    data = build_review(demo, "2026-10")
    [month] = data.summary.months
    assert month.source == "stored"
    unit = data.summary.units[0]
    stored = entity_scores(demo, unit.entity_id, "2026-10", None)
    assert stored.run_id == month.run_id
    assert unit.score == pytest.approx(stored.score, abs=1e-12)
    assert unit.rank == stored.rank
    assert unit.dimensions == pytest.approx(stored.dimensions)


def test_quarter_scores_are_the_mean_of_its_monthly_runs(demo: Workspace, q3: ReviewData) -> None:
    assert [m.period for m in q3.summary.months] == ["2026-07", "2026-08", "2026-09"]
    assert {m.source for m in q3.summary.months} == {"stored"}
    unit = q3.summary.units[1]
    monthly = [entity_scores(demo, unit.entity_id, p, None).score for p in ("2026-07", "2026-08", "2026-09")]
    assert unit.score == pytest.approx(fmean(monthly))
    assert unit.score is not None and unit.previous_score is not None
    assert unit.change == pytest.approx(unit.score - unit.previous_score)
    ranks = [u.rank or 0 for u in q3.summary.units if u.score is not None]
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_xlsx_has_a_sheet_per_section_with_real_numbers(demo: Workspace) -> None:
    data = build_review(demo, "2026-10")
    book = load_workbook(io.BytesIO(render_xlsx(data, "en")))
    assert book.sheetnames == [LABELS[k]["en"] for k in SECTIONS]
    rows = list(book["Executive summary"].iter_rows(values_only=True))
    header, first = rows[0], rows[1]
    entity, score = first[header.index("Unit")], first[header.index("Composite")]
    assert isinstance(score, float)
    assert score == pytest.approx(entity_scores(demo, str(entity), "2026-10", None).score, abs=1e-12)
    zh = load_workbook(io.BytesIO(render_xlsx(data, "zh")))
    assert zh.sheetnames[0] == "执行摘要"


def test_pdf_is_valid_and_carries_chinese_text(q2: ReviewData, tmp_path: Path) -> None:
    pdf = render_pdf(q2, "zh")
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:]
    if shutil.which("pdftotext") is None:
        return  # the text check needs poppler-utils; the PDF itself was checked above
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True)
    for key in SECTIONS:
        assert label(key, "zh") in text.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sections_without_data_say_so(q3: ReviewData, lang: str) -> None:
    assert not q3.findings and not q3.verification and q3.roi is not None and not q3.roi.rows and not q3.goals.rows
    page = render_html(q3, lang)  # type: ignore[arg-type]
    for key in ("empty_findings", "empty_verification", "empty_roi", "empty_goals", "no_model_change"):
        assert label(key, lang) in page  # type: ignore[arg-type]
    sheet = load_workbook(io.BytesIO(render_xlsx(q3, lang)))[label("findings", lang)]  # type: ignore[arg-type]
    assert sheet["A2"].value == label("empty_findings", lang)  # type: ignore[arg-type]


def test_verification_recorded_this_quarter(demo: Workspace) -> None:
    """The demo verifies its A/B test now, so the review of the current quarter carries it."""
    today = build_review(demo, label_of(datetime.now(UTC).date(), Grain.quarter))
    assert today.verification, "the demo's verification is stamped with the current time"
    v = today.verification[0]
    assert v.verdict == "effective" and v.ci_low is not None and v.ci_high is not None and v.ci_low < v.ci_high
    assert today.roi is not None and v.action_id in today.roi.without_valuation


def test_goal_attainment_in_the_review(demo: Workspace, q3: ReviewData) -> None:
    best = q3.summary.units[0]
    (demo.root / "goals.yaml").write_text(
        f"- {{indicator: score, entity: '*', period: 2026-Q3, target: 3.5}}\n"
        f"- {{indicator: resolution_time, entity: {best.entity_id}, period: 2026-Q3, target: 0.2}}\n"
        f"- {{indicator: csat, entity: {best.entity_id}, period: 2026-Q4, target: 4.5}}\n",
        encoding="utf-8",
    )
    try:
        goals = goal_attainment(demo, "2026-Q3")
    finally:
        (demo.root / "goals.yaml").unlink()
    assert goals.other_periods == 1
    composite = [g for g in goals.rows if g.indicator.id == "score"]
    assert len(composite) == len(q3.summary.units)
    mine = next(g for g in composite if g.entity_id == best.entity_id)
    assert mine.value == pytest.approx(best.score)
    assert mine.attainment == pytest.approx(100 * best.score / 3.5)  # type: ignore[operator]
    [speed] = [g for g in goals.rows if g.indicator.id == "resolution_time"]
    assert speed.direction == "lower" and speed.value is not None
    assert speed.attainment == pytest.approx(100 * 0.2 / speed.value)
    assert speed.met is (speed.value <= 0.2)


def test_cli_writes_each_format(demo: Workspace, tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    for fmt in ("html", "xlsx"):
        out = tmp_path / f"r.{fmt}"
        args = ["report", "-p", "2026-Q3", "-f", fmt, "--lang", "en", "--out", str(out), "-w", str(demo.root)]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    assert "Executive summary" in (tmp_path / "r.html").read_text(encoding="utf-8")
    result = runner.invoke(app, ["goals", "show", "--period", "2026-Q3", "-w", str(demo.root), "-f", "json"])
    assert result.exit_code == 0 and result.stdout.strip() == "[]"


def test_schedule_run_renders_and_posts(demo: Workspace) -> None:
    from valueloop.reporting.service.schedule import run_schedules

    (demo.root / "schedule.yaml").write_text(
        "- {name: q-review, cron: '0 8 1 10 *', webhook: 'http://hook.example/x', period: previous-quarter, "
        "format: xlsx, lang: en}\n",
        encoding="utf-8",
    )
    posted: list[dict[str, Any]] = []
    try:
        at = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai, after the 08:00 firing
        results = run_schedules(demo, at, lambda url, payload: posted.append(payload))
    finally:
        (demo.root / "schedule.yaml").unlink()
    assert [r.status for r in results] == ["sent"], results
    [payload] = posted
    assert payload["period"] == "2026-Q3" and payload["format"] == "xlsx"
    book = load_workbook(io.BytesIO(base64.b64decode(payload["content_base64"])))
    assert book.sheetnames[0] == "Executive summary"
    assert json.loads((demo.root / ".schedule-state.json").read_text())["q-review"].startswith("2026-10-01T09:00")
