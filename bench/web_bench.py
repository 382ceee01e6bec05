"""Latency of the main API reads and pages over a demo workspace (in-process, no network).

Usage: python bench/web_bench.py [WORKSPACE] [--requests N]; builds a 6,000-interaction demo
when no workspace is given. Prints p50/p95 milliseconds per endpoint.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from valueloop.api.app import create_app
from valueloop.api.settings import ApiSettings
from valueloop.demo.pipeline import run_demo
from valueloop.flows.accounts import Role, add_user, create_token, list_users
from valueloop.store.workspace import open_workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PATHS = (
    "/api/v1/health",
    "/api/v1/runs/latest",
    "/api/v1/scores/B001",
    "/api/v1/findings",
    "/api/v1/actions",
    "/",
    "/rankings",
    "/actions",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace", nargs="?", type=Path)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    root = args.workspace or Path(tempfile.mkdtemp(prefix="vl-bench-")) / "ws"
    if args.workspace is None:
        run_demo(root, interactions=6_000, log=lambda _: None)
    ws = open_workspace(root)
    for role, units in ((Role.analyst, []), (Role.manager, ["R01"])):
        name = f"bench-{role.value}"
        if name not in {u["username"] for u in list_users(ws)}:
            add_user(ws, name, "bench-password", role, units)
    client = TestClient(create_app(ApiSettings(workspace=root)))
    for role in ("analyst", "manager"):
        headers = {"Authorization": f"Bearer {create_token(ws, f'bench-{role}', 'bench', [], 1)[1]}"}
        for path in PATHS:
            times = []
            for _ in range(args.requests):
                t = time.perf_counter()
                client.get(path, headers=headers)
                times.append((time.perf_counter() - t) * 1000)
            p95 = sorted(times)[int(0.95 * (len(times) - 1))]
            print(f"{role:8} {path:24} p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
