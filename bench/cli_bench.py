"""CLI start-up: ``valueloop --help`` wall time and peak RSS, next to a bare ``python -c pass``.

    .venv/bin/python -m bench.cli_bench [--repeat 5]

Each case runs in a fresh process, best of N; peak RSS is the child's own ``ru_maxrss``
from ``wait4``, so neither this process nor other processes count. CPU (user + system)
is printed too: on a loaded machine wall time waits for a core, CPU time does not.
Bytecode caching is left on for the children (one warm-up run writes the ``.pyc``
files), as an installed CLI has it, even when this shell sets PYTHONDONTWRITEBYTECODE. Targets (issue 16
item 6): ``--help`` and ``<group> --help`` ≤ 0.3 s and ≤ 80 MB, a command's start-up
(here: an argument error, parsed and rejected before any work) ≤ 1 s. The interpreter
baseline shows what no CLI can beat on this machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path


def _valueloop() -> list[str]:
    """The installed console script next to this interpreter, or the same entry point through -c."""
    script = Path(sys.executable).with_name("valueloop")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from valueloop.cli.main import main; main()"]


CASES: tuple[tuple[str, list[str], int], ...] = (
    ("python -c pass", [sys.executable, "-c", "pass"], 0),
    ("valueloop --help", [*_valueloop(), "--help"], 0),
    ("valueloop verify --help", [*_valueloop(), "verify", "--help"], 0),
    ("valueloop monitor detect --help", [*_valueloop(), "monitor", "detect", "--help"], 0),
    ("argument error (exit 2)", [*_valueloop(), "weights", "ahp", "--method", "nope", "m.csv"], 2),
)


def measure(argv: list[str], expected: int) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one fresh process, which must exit as expected."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == expected, (argv, child.returncode)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def run(repeat: int = 5) -> dict[str, tuple[float, float, float]]:
    results = {}
    for name, argv, expected in CASES:
        measure(argv, expected)  # warm-up: writes the bytecode caches
        runs = [measure(argv, expected) for _ in range(repeat)]
        results[name] = (min(r[0] for r in runs), min(r[1] for r in runs), min(r[2] for r in runs))
    print(f"CLI start-up, fresh process each, best of {repeat} (targets: help ≤ 0.3 s, ≤ 80 MB; command ≤ 1 s):")
    for name, (wall, cpu, mb) in results.items():
        print(f"  {name:34s} {wall:6.3f} s wall  {cpu:6.3f} s CPU  {mb:6.1f} MB")
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    run(ap.parse_args().repeat)
