"""Password login: the rate limit holds under concurrent attempts, and unknown users cost a verification too."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from pathlib import Path

import pytest

from valueloop.accounts.service import accounts
from valueloop.accounts.service.accounts import (
    MAX_FAILURES,
    AuthError,
    RateLimited,
    Role,
    add_user,
    disable_user,
    login,
)
from valueloop.accounts.service.workspace import create_workspace
from valueloop.store.workspace import Workspace, open_workspace

PASSWORD = "correct horse battery"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    create_workspace(tmp_path / "ws", announce=lambda _: None)
    workspace = open_workspace(tmp_path / "ws")
    add_user(workspace, "ana", PASSWORD, Role.analyst)
    return workspace


def _attempt(ws: Workspace, username: str, password: str, ip: str = "10.0.0.7") -> str:
    try:
        login(ws, username, password, ip)
    except RateLimited:
        return "limited"
    except AuthError:
        return "wrong"
    return "ok"


def test_parallel_wrong_passwords_cannot_pass_the_limit(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every attempt waits at the password check for all the others: only the reserved ones get there."""
    n = 3 * MAX_FAILURES
    gate = threading.Barrier(n)
    real = accounts._verify

    def slow_verify(hashed: str, password: str) -> bool:
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait(timeout=3)  # all n meet here unless the limit stopped some before the check
        return real(hashed, password)

    monkeypatch.setattr(accounts, "_verify", slow_verify)
    outcomes: list[str] = []

    def one() -> None:
        outcomes.append(_attempt(ws, "ana", "wrong password"))

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert Counter(outcomes) == {"wrong": MAX_FAILURES, "limited": n - MAX_FAILURES}
    assert _attempt(ws, "ana", PASSWORD) == "limited"  # even the right password waits
    assert _attempt(ws, "ana", PASSWORD, ip="10.0.0.8") == "ok"  # another address is not affected


def test_a_success_clears_the_count(ws: Workspace) -> None:
    for _ in range(MAX_FAILURES - 1):
        assert _attempt(ws, "ana", "wrong password") == "wrong"
    assert _attempt(ws, "ana", PASSWORD) == "ok"
    assert [_attempt(ws, "ana", "wrong password") for _ in range(MAX_FAILURES + 1)] == ["wrong"] * MAX_FAILURES + [
        "limited"
    ]


@pytest.mark.parametrize("who", ["nobody", "disabled", "x" * 500])
def test_unknown_and_disabled_users_cost_one_verification(ws: Workspace, monkeypatch: pytest.MonkeyPatch,
                                                          who: str) -> None:  # fmt: skip
    """Timing must not tell which names exist: the argon2 check runs whatever the name."""
    add_user(ws, "disabled", PASSWORD, Role.viewer)
    disable_user(ws, "disabled")
    calls: list[str] = []
    real = accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda h, p: calls.append(h) or real(h, p))
    assert _attempt(ws, who, PASSWORD) == "wrong"
    assert _attempt(ws, "ana", "wrong password") == "wrong"
    assert len(calls) == 2 and all(h.startswith("$argon2") for h in calls)
    for _ in range(MAX_FAILURES):
        _attempt(ws, who, PASSWORD)
    assert _attempt(ws, who, PASSWORD) == "limited"  # unknown names are limited like known ones
