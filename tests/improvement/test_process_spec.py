"""Process definitions: the packaged template loads; every problem is reported with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write
from valueloop.errors import SpecError
from valueloop.improvement.service.vsm import grain_of, process_files, resolve_process
from valueloop.spec.model import Grain
from valueloop.spec.process import load_process
from valueloop.store.workspace import Workspace


def test_the_packaged_process_matches_the_demo_steps(ws: Workspace) -> None:
    from valueloop.demo.steps import DEPARTMENTS, STEPS

    p = resolve_process(ws, "service-request")
    assert p.step_names == list(STEPS)
    assert {s.department for s in p.steps} <= set(DEPARTMENTS)


def test_every_problem_is_listed_with_its_line(tmp_path: Path) -> None:
    f = write(
        tmp_path / "bad.yaml",
        "id: bad\nsteps:\n  - name: A\n    value_adding: false\n  - name: A\n    value_adding: false\n"
        "    standard_minutes: -1\n",
    )
    with pytest.raises(SpecError) as err:
        load_process(f)
    assert f"{f}:7: steps[1].standard_minutes" in str(err.value)
    good_structure = write(
        tmp_path / "b2.yaml", "id: b2\nsteps:\n  - {name: A, value_adding: false}\n  - {name: A, value_adding: false}\n"
    )
    with pytest.raises(SpecError) as err:
        load_process(good_structure)
    assert "2 problem(s)" in str(err.value) and f"{good_structure}:4: steps[1].name: duplicate step 'A'" in str(
        err.value
    )


def test_a_workspace_process_overrides_and_unknown_ones_are_named(ws: Workspace) -> None:
    (ws.root / "processes").mkdir()
    write(ws.root / "processes" / "returns.yaml", "id: returns\nsteps:\n  - {name: 受理, value_adding: true}\n")
    assert set(process_files(ws)) >= {"returns", "service-request"}
    with pytest.raises(ValueError, match=r"unknown process .nope.; known: .*returns"):
        resolve_process(ws, "nope")


def test_period_grains() -> None:
    assert [grain_of(x) for x in ("2026", "2026-Q3", "2026-10", "2026-W09", "2026-10-05")] == [
        Grain.year,
        Grain.quarter,
        Grain.month,
        Grain.week,
        Grain.day,
    ]
    with pytest.raises(ValueError, match="not a day, week"):
        grain_of("last month")
