"""Non-response bias: responders vs invited non-responders, chi-square for categories and Mann–Whitney for
numbers, checked by hand and against scipy; the CLI and the API say which attributes differ, in plain words."""

from __future__ import annotations

import json
import math
import warnings
from datetime import timedelta
from pathlib import Path

import pytest
from scipy import stats

from conftest import CliRun
from surveys.conftest import NOW, interactions
from valueloop.accounts.service.accounts import Role, add_user, create_token
from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.store.workspace import Workspace
from valueloop.surveys.bias import categorical, compare, numeric, warning
from valueloop.surveys.service.answers import submit
from valueloop.surveys.service.bias import bias_check
from valueloop.surveys.service.invitations import export_links, plan

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_chi_square_on_a_known_table() -> None:
    """Responders A 30, B 10; non-responders A 20, B 40 (n = 100). Expected 20/30 in each row, so
    χ² = 10²/20 + 10²/30 + 10²/20 + 10²/30 = 16.667, df 1, V = √(16.667/100) = 0.408."""
    values = ["A"] * 50 + ["B"] * 50
    answered = [True] * 30 + [False] * 20 + [True] * 10 + [False] * 40
    got = categorical("type", values, answered)
    assert got.statistic == pytest.approx(50 / 3) and got.effect == pytest.approx(math.sqrt(1 / 6))
    chi2, p, dof, _ = stats.chi2_contingency([[30, 20], [10, 40]], correction=False)
    assert (got.statistic, got.p_value, dof) == (pytest.approx(chi2), pytest.approx(p), 1)
    assert got.p_value == pytest.approx(stats.chi2.sf(50 / 3, 1)) and got.magnitude == "medium"
    assert [(lv.value, lv.responder_share, lv.non_responder_share) for lv in got.levels] == [
        ("A", 0.75, pytest.approx(1 / 3)),
        ("B", 0.25, pytest.approx(2 / 3)),
    ]


def test_mann_whitney_matches_scipy_and_missing_values_are_left_out() -> None:
    hours = [1.0, 2.0, 2.5, 3.0, None, 8.0, 9.0, 10.0, 12.0, float("nan")]
    answered = [True] * 5 + [False] * 5
    got = numeric("handle time (h)", hours, answered)
    ref = stats.mannwhitneyu([1.0, 2.0, 2.5, 3.0], [8.0, 9.0, 10.0, 12.0], alternative="two-sided")
    assert (got.statistic, got.p_value) == (pytest.approx(ref.statistic), pytest.approx(ref.pvalue))
    assert got.effect == pytest.approx(-1.0) and (got.responders, got.non_responders) == (4, 4)
    assert (got.responder_median, got.non_responder_median) == (2.25, 9.5)


def test_holm_adjustment_small_effects_and_untestable_attributes() -> None:
    answered = [True, False] * 2000
    tiny = ["y" if (i // 2) % 50 == 0 else "x" for i in range(4000)]  # each value as often among both groups
    tests = compare(answered, {"unit": ["B1"] * 4000, "noise": tiny}, {"empty": [None] * 4000})
    by = {t.attribute: t for t in tests}
    assert by["unit"].note == "one value only: nothing to compare" and by["unit"].p_value is None
    assert by["empty"].note == "no responders or no non-responders with a value"
    assert by["noise"].p_adjusted == pytest.approx(by["noise"].p_value) and not by["noise"].differs
    assert warning(tests) is None


@pytest.fixture
def biased(sws: Workspace, tmp_path: Path) -> Workspace:
    """40 invited customers: phone interactions are long and mostly answered, chat ones short and mostly not."""
    rows = []
    for i in range(40):
        phone = i < 20
        at = NOW - timedelta(hours=5)
        rows.append({"interaction_id": f"P{i}", "entity_id": "B001" if i % 2 else "B002", "customer_id": f"K{i}",
                     "channel": "phone" if phone else "chat", "category": "billing",
                     "opened_at": (at - timedelta(hours=(6 + i % 5) if phone else 0.5 + (i % 5) / 10)).isoformat(),
                     "resolved_at": at.isoformat()})  # fmt: skip
    interactions(sws, rows, tmp_path)
    plan(sws, "after_service", NOW, dry_run=False)
    links = {r.interaction_id: r.url.rsplit("/s/", 1)[1] for r in export_links(sws, "after_service", "https://x", NOW)}
    answering = [f"P{i}" for i in range(18)] + ["P20", "P21", "P22"]
    for iid in answering:
        submit(sws, links[iid], {"q.csat": ["4"]}, "zh", NOW)
    return sws


def test_the_check_finds_the_channel_and_handle_time_bias(biased: Workspace) -> None:
    report = bias_check(biased, "after_service")
    assert (report.responders, report.invited) == (21, 42)  # 40 + the fixture's own I1 and I2
    by = {a.attribute: a for a in report.attributes}
    assert by["interaction channel"].differs and by["interaction channel"].magnitude == "large"
    assert by["handle time (h)"].differs and by["handle time (h)"].effect is not None
    assert by["handle time (h)"].effect > 0.5  # responders' handle times rank higher
    assert not by["unit"].differs and by["invitation channel"].note == "one value only: nothing to compare"
    assert (
        report.warning is not None
        and "interaction channel (chat: 14% of responders vs 89% of non-responders" in report.warning
    )
    assert "handle time (h) (median" in report.warning
    zh = bias_check(biased, "after_service", lang="zh").warning
    assert zh is not None and zh.startswith("回答者与未回答者在以下方面不同")
    scoped = bias_check(biased, "after_service", frozenset({"B001"}))
    assert scoped.invited == 21  # B001's: the 20 odd P*, and the fixture's I1


def test_cli_and_api(biased: Workspace, cli: CliRun) -> None:
    out = cli("surveys", "bias", "after_service", "-w", biased.root, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["warning"].startswith("Those who answered differ")
    table = cli("surveys", "bias", "after_service", "-w", biased.root)
    assert table.returncode == 0 and "Those who answered differ" in table.stderr
    missing = cli("surveys", "bias", "nope", "-w", biased.root)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    add_user(biased, "ana", "correct horse battery", Role.analyst, [])
    head = {"Authorization": f"Bearer {create_token(biased, 'ana', 'tests', [])[1]}"}
    with TestClient(create_app(ApiSettings(workspace=biased.root)), base_url="https://testserver") as client:
        got = client.get("/api/v1/surveys/after_service/bias?lang=zh", headers=head)
        assert got.status_code == 200 and got.json()["warning"].startswith("回答者")
        assert client.get("/api/v1/surveys/after_service/bias?alpha=2", headers=head).status_code == 422
