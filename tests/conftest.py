"""Shared fixtures: a fresh workspace, and the CLI run as a user runs it (a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from valueloop.flows.workspace import create_workspace
from valueloop.store.workspace import Workspace, open_workspace

VALUELOOP = Path(sys.executable).with_name("valueloop")

# CI runs the same examples every time (a red CI must be reproducible); locally hypothesis explores.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    create_workspace(tmp_path / "ws")
    return open_workspace(tmp_path / "ws")


CliRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli() -> CliRun:
    def run(*args: str | Path, check: bool = False) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(VALUELOOP), *map(str, args)], capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"valueloop {args} failed ({result.returncode}): {result.stderr}")
        return result

    return run


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
