"""``valueloop.toml`` overlaid by ``VALUELOOP_*`` variables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from valueloop.cli.main import app
from valueloop.settings import load_settings


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "valueloop.toml").write_text('[workspace]\nname = "shop"\ntimezone = "Asia/Shanghai"\n')
    return tmp_path


def test_the_workspace_variable_names_the_folder_not_the_section(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALUELOOP_WORKSPACE", str(root))
    assert load_settings(root).workspace.name == "shop"


def test_nested_variables_still_override_the_file(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALUELOOP_WORKSPACE", str(root))
    monkeypatch.setenv("VALUELOOP_WORKSPACE__TIMEZONE", "UTC")
    monkeypatch.setenv("VALUELOOP_DATABASE__URL", "sqlite:///other.db")
    settings = load_settings(root)
    assert (settings.workspace.name, settings.workspace.timezone) == ("shop", "UTC")
    assert settings.database.url == "sqlite:///other.db"


def test_a_command_finds_its_workspace_from_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    monkeypatch.setenv("VALUELOOP_WORKSPACE", str(ws))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["alerts", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["alerts"] == []
