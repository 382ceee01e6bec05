"""Surveys (issue 21): the public answer page under 100 respondents, and the trigger over 1M resolved interactions.

    .venv/bin/python -m bench.survey_bench [--clients 100] [--seconds 10] [--interactions 1000000]

**Public page.** ``valueloop serve`` (one uvicorn process, as users run it) on a free loopback
port, behind a pretend reverse proxy (``--trusted-proxy 127.0.0.1``; each respondent has its own
``X-Forwarded-For`` address, as real phones do, so the per-address post limit applies per
respondent). 100 closed-loop clients (one keep-alive connection each, the lean client of
:mod:`bench.web_bench`) first GET their invitation pages ``/s/{token}``, then POST answers (each
one accepted in the app database, group-committed; the server's batcher ingests them into the
``feedback`` dataset about once a second); the baseline in the same run is ``GET /api/v1/health``
under the same load: what the server costs for nothing. Printed: p50 / p95 / max ms, the p95 as a
ratio to the 100 ms target and to the baseline; after the server stops, that every accepted
answer is in the lake (accepted = flushed + pending + quarantined, none pending).

Those phases send without pause: a saturation test (latency = clients / throughput), harsher than
people. A last phase is the 100 concurrent *respondents* of the target: each opens its page,
reads and taps for ``--think`` seconds (default 3, short for a person), posts, and pauses as long
again before its next invitation; its GET and POST latencies are printed against the target too.

**Trigger.** A workspace with 1,000,000 interactions resolved during the last week (built once,
cached under ``bench/.data/surveys-<n>/``): ``plan(..., dry_run=True)`` — read the candidates
from the lake, apply the fatigue rules, decide every candidate with its reason (listing the rows
for a dry run's output is timed apart) — against the
row-by-row way it was done before (a Python object per interaction, :func:`fatigue.decide`,
a validated row per decision). Both must give the same decision and reason for every
interaction before a ratio is printed. Target: ≤ 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

CLIENTS, SECONDS, INTERACTIONS, THINK = 100, 10.0, 1_000_000, 3.0
TARGET_MS, TARGET_S = 100.0, 10.0
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai, outside the survey's quiet hours
DATA_ROOT = Path(__file__).resolve().parent / ".data"
DATA_VERSION = 1
SURVEY_CHANGES: dict[str, object] = {
    "trigger": {"sample": 0.5},
    "follow_up": {"rules": [{"question": "nps", "at_most": 6}], "sla_hours": 1, "owners": {"*": "alice"}},
}
"""The shipped after-service survey, sampling half the interactions (the invitations below count on it)."""


def _workspace(root: Path) -> Any:
    from valueloop.store.workspace import init_workspace
    from valueloop.surveys.service.catalog import shipped_survey_text

    ws = init_workspace(root)
    (root / "surveys").mkdir(exist_ok=True)
    text = shipped_survey_text("after_service", SURVEY_CHANGES)
    (root / "surveys" / "after_service.yaml").write_text(text, encoding="utf-8")
    return ws


# ---------------------------------------------------------------------------------------------
# The public page under load
# ---------------------------------------------------------------------------------------------


def _tokens(ws: Any, n: int, base: str) -> list[str]:
    """``n`` fresh invitations (export channel), their page paths ``/s/{token}``."""
    from valueloop.surveys.fatigue import Resolved
    from valueloop.surveys.service.invitations import export_links, plan

    now = datetime.now(UTC)
    fresh = [Resolved(f"P{i}", f"B{i % 20:03d}", now - timedelta(hours=30), f"C{i}") for i in range(n)]
    plan(ws, "after_service", now, dry_run=False, candidates=fresh)
    return [r.url.removeprefix(base) for r in export_links(ws, "after_service", base, now + timedelta(hours=14))]


def _get(host: str, path: str, client: int) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Language: zh-CN\r\n"
            f"X-Forwarded-For: 10.9.{client // 250}.{client % 250 + 1}\r\n\r\n").encode()  # fmt: skip


def _post(host: str, path: str, client: int, k: int) -> bytes:
    body = f"q.csat={1 + k % 5}&q.nps={k % 11}&q.why=%E6%8E%92%E9%98%9F%E5%A4%AA%E4%B9%85".encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Language: zh-CN\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
            f"X-Forwarded-For: 10.9.{client // 250}.{client % 250 + 1}\r\n\r\n")  # fmt: skip
    return head.encode() + body


async def _load(base: str, requests: list[list[bytes]], seconds: float) -> tuple[list[float], int]:
    """Each client sends its requests in turn (closed loop) for ``seconds``: latencies (ms), non-200 answers."""
    from bench.web_bench import _Connection

    host, port = base.removeprefix("http://").split(":")
    conns = [_Connection(*await asyncio.open_connection(host, int(port))) for _ in requests]
    times: list[float] = []
    bad = 0
    stop = time.perf_counter() + seconds

    async def client(n: int) -> None:
        nonlocal bad
        i = 0
        while time.perf_counter() < stop:
            t = time.perf_counter()
            status, _ = await conns[n].get(requests[n][i % len(requests[n])])
            times.append((time.perf_counter() - t) * 1000)
            bad += status != 200
            i += 1

    try:
        await asyncio.gather(*(client(n) for n in range(len(requests))))
    finally:
        for c in conns:
            c.writer.close()
    return times, bad


async def _respondents(base: str, pages: list[list[tuple[bytes, bytes]]], seconds: float, think: float
                       ) -> tuple[list[float], list[float], int]:  # fmt: skip
    """Each respondent: GET its page, think, POST, think, next invitation; GET and POST latencies (ms), non-200."""
    import random

    from bench.web_bench import _Connection

    host, port = base.removeprefix("http://").split(":")
    conns = [_Connection(*await asyncio.open_connection(host, int(port))) for _ in pages]
    gets: list[float] = []
    posts: list[float] = []
    bad = 0
    stop = time.perf_counter() + seconds
    rng = random.Random(7)

    async def respondent(n: int) -> None:
        nonlocal bad
        await asyncio.sleep(rng.uniform(0, think))  # people do not arrive in step
        for get, post in pages[n]:
            for request, times in ((get, gets), (post, posts)):
                if time.perf_counter() >= stop:
                    return
                t = time.perf_counter()
                status, _ = await conns[n].get(request)
                times.append((time.perf_counter() - t) * 1000)
                bad += status != 200
                await asyncio.sleep(rng.uniform(0.5, 1.5) * think)

    try:
        await asyncio.gather(*(respondent(n) for n in range(len(pages))))
    finally:
        for c in conns:
            c.writer.close()
    return gets, posts, bad


def public_page(clients: int = CLIENTS, seconds: float = SECONDS, think: float = THINK) -> dict[str, float]:
    import contextlib
    import subprocess

    import httpx

    from bench.web_bench import VALUELOOP, free_port, pct

    tmp = Path(tempfile.mkdtemp(prefix="vl-survey-bench-"))
    ws = _workspace(tmp / "ws")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    per_client, fresh_from = 24, 12  # invitations per client; the respondents' phase answers the second half
    paths = _tokens(ws, clients * per_client * 5 // 2, base)  # the survey samples half of them
    command = [str(VALUELOOP), "serve", "-w", str(ws.root), "--host", "127.0.0.1", "--port", str(port),
               "--trusted-proxy", "127.0.0.1"]  # fmt: skip
    log = tmp / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    figures: dict[str, float] = {}
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"valueloop serve did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        host = base.removeprefix("http://")
        mine = [paths[n::clients][:per_client] for n in range(clients)]
        assert all(mine), f"{len(paths)} invitations for {clients} respondents"
        print(f"survey page: `valueloop serve` on loopback, {clients} concurrent respondents, {seconds:g} s per phase")
        asyncio.run(_load(base, [[_get(host, p, n) for p in mine[n][:1]] for n in range(clients)], 2.0))  # warm-up
        phases = {
            "GET /api/v1/health (baseline)": [[_get(host, "/api/v1/health", n)] for n in range(clients)],
            "GET /s/{token}": [[_get(host, p, n) for p in mine[n][:fresh_from]] for n in range(clients)],
            "POST /s/{token} (answer)": [[_post(host, p, n, k) for k, p in enumerate(mine[n][:fresh_from])]
                                         for n in range(clients)],
        }  # fmt: skip
        for name, requests in phases.items():
            times, bad = asyncio.run(_load(base, requests, seconds))
            p95 = pct(times, 0.95)
            figures[name] = p95
            figures[f"{name} p50"] = pct(times, 0.5)
            print(f"  {name:44} p50 {pct(times, 0.5):7.1f} ms  p95 {p95:7.1f} ms  max {max(times):7.1f} ms  "
                  f"{len(times):6,} requests  {bad} not 200")  # fmt: skip
        fresh = [[(_get(host, p, n), _post(host, p, n, k)) for k, p in enumerate(mine[n][fresh_from:])]
                 for n in range(clients)]  # fmt: skip
        gets, posts, bad = asyncio.run(_respondents(base, fresh, max(seconds, 6 * think), think))
        for name, times in ((f"GET /s/{{token}}, respondents ({think:g} s to think)", gets),
                            (f"POST /s/{{token}}, respondents ({think:g} s to think)", posts)):  # fmt: skip
            figures[name], figures[f"{name} p50"] = pct(times, 0.95), pct(times, 0.5)
            print(f"  {name:44} p50 {pct(times, 0.5):7.1f} ms  p95 {pct(times, 0.95):7.1f} ms  "
                  f"max {max(times):7.1f} ms  {len(times):6,} requests  {bad} not 200")  # fmt: skip
        base_p95 = figures["GET /api/v1/health (baseline)"]
        for name in [*list(phases)[1:], *[k for k in figures if "respondents" in k and not k.endswith("p50")]]:
            verdict = "meets" if figures[name] <= TARGET_MS else "misses"
            print(f"  {name:44} p95 {figures[name] / TARGET_MS:5.2f}× the {TARGET_MS:g} ms target ({verdict} it), "
                  f"{figures[name] / base_p95:5.1f}× the baseline")  # fmt: skip
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    try:
        _reconcile(ws)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return figures


def _reconcile(ws: Any) -> None:
    """After the server stopped: every accepted answer is in the lake (its shutdown flushed the last ones)."""
    from valueloop.store.warehouse import Warehouse
    from valueloop.surveys.service.answer_flush import answer_counts

    c = answer_counts(ws)
    wh = Warehouse(ws)
    t = wh.table("feedback")
    in_lake = int(wh.execute(t.filter(t.kind == "survey").count()))
    print(f"  answers: {c.accepted:,} accepted = {c.flushed:,} in the lake + {c.pending} pending + "
          f"{c.quarantined} quarantined; the feedback dataset holds {in_lake:,}")  # fmt: skip
    assert c.accepted == c.flushed + c.pending + c.quarantined
    assert c.pending == 0
    assert in_lake == c.flushed


# ---------------------------------------------------------------------------------------------
# The trigger over a million resolved interactions
# ---------------------------------------------------------------------------------------------


def trigger_workspace(n: int) -> Path:
    """The cached workspace: ``n`` interactions resolved during the week before :data:`NOW` (300k customers)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from valueloop.ingest.service.ingest import ingest

    root = DATA_ROOT / f"surveys-{n}-v{DATA_VERSION}"
    if (root / ".built").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    ws = _workspace(root)
    rng = np.random.default_rng(21)
    resolved = (NOW - timedelta(days=7.5)).timestamp() + rng.uniform(0, 7.5 * 86400, n)
    customers = np.array([f"C{c:06d}" for c in range(300_000)], dtype=object)[rng.integers(0, 300_000, n)]
    customers[rng.random(n) < 0.02] = None
    table = pa.table({
        "interaction_id": [f"I{i:07d}" for i in range(n)],
        "entity_id": [f"B{b:03d}" for b in rng.integers(0, 200, n)],
        "customer_id": pa.array(customers, pa.string()),
        "opened_at": pa.array(((resolved - 3600) * 1e6).astype("int64"), pa.timestamp("us", tz="UTC")),
        "resolved_at": pa.array((resolved * 1e6).astype("int64"), pa.timestamp("us", tz="UTC")),
    })  # fmt: skip
    file = root / "interactions.parquet"
    pq.write_table(table, file)
    t = time.perf_counter()
    summary = ingest(ws, "interactions", [file])
    print(f"  built {root} ({summary.stored:,} interactions ingested in {time.perf_counter() - t:.0f} s)")
    file.unlink()
    (root / ".built").touch()
    return root


def _row_by_row(ws: Any, now: datetime) -> list[Any]:
    """The trigger as it was: an object per interaction, the scalar rules, a validated row per decision."""
    from pydantic import BaseModel

    from valueloop.store.warehouse import Warehouse
    from valueloop.surveys.fatigue import Resolved, decide
    from valueloop.surveys.service.catalog import get_survey

    class PlanRow(BaseModel):  # the validated row each decision used to be
        interaction_id: str
        entity_id: str
        customer_id: str | None
        invite: bool
        reason: str
        send_at: datetime | None

    trig = get_survey(ws, "after_service").trigger
    wh = Warehouse(ws)
    t = wh.table("interactions")
    df = wh.execute(t.filter(t.resolved_at.notnull() & (t.resolved_at >= now - timedelta(days=trig.within_days)))
                    .select("interaction_id", "entity_id", "customer_id", "resolved_at"))  # fmt: skip
    cands = [
        Resolved(str(i), str(e), r.to_pydatetime().astimezone(UTC), c if isinstance(c, str) and c else None)
        for i, e, c, r in zip(df["interaction_id"], df["entity_id"], df["customer_id"], df["resolved_at"], strict=True)
    ]
    decided = decide("after_service", trig, cands, now=now, tz=ws.settings.workspace.timezone)
    return [PlanRow(**{k: getattr(d, k) for k in PlanRow.model_fields}) for d in decided]


def trigger(n: int = INTERACTIONS) -> dict[str, float]:
    from valueloop.store.workspace import open_workspace
    from valueloop.surveys.service.invitations import plan

    print(f"survey trigger: {n:,} interactions resolved during the last week, dry run of every decision")
    ws = open_workspace(trigger_workspace(n))
    plan(ws, "after_service", NOW)  # warm: the lake's files in the page cache, the modules imported
    t = time.perf_counter()
    fast = plan(ws, "after_service", NOW)
    ours = time.perf_counter() - t
    verdict = "meets" if ours <= TARGET_S else "misses"
    print(f"  valueloop plan (columns)  {ours:6.1f} s   {ours / TARGET_S:4.2f}× the ≤ {TARGET_S:g} s target "
          f"({verdict} it)")  # fmt: skip
    t = time.perf_counter()
    listed = len(fast.rows)
    print(f"  + listing all {listed:,} rows for a dry run's output: {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    slow = _row_by_row(ws, NOW)
    baseline = time.perf_counter() - t
    assert len(fast.rows) == len(slow)
    for f, s in zip(fast.rows, slow, strict=True):
        assert (f.interaction_id, f.invite, f.reason) == (s.interaction_id, s.invite, s.reason), (f, s)
    print(f"  the same {len(slow):,} decisions and reasons both ways ({fast.invited:,} invited)")
    print(f"  row by row (before)       {baseline:6.1f} s   ratio {baseline / ours:.1f}×")
    return {"ours_s": ours, "baseline_s": baseline}


def run(clients: int = CLIENTS, seconds: float = SECONDS, interactions: int = INTERACTIONS, think: float = THINK
        ) -> None:  # fmt: skip
    public_page(clients, seconds, think)
    print()
    trigger(interactions)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=CLIENTS)
    ap.add_argument("--seconds", type=float, default=SECONDS)
    ap.add_argument("--interactions", type=int, default=INTERACTIONS)
    ap.add_argument("--think", type=float, default=THINK, help="seconds a respondent reads and taps (last phase)")
    ap.add_argument("--only", choices=("page", "trigger"))
    args = ap.parse_args()
    if args.only != "trigger":
        public_page(args.clients, args.seconds, args.think)
    if args.only != "page":
        trigger(args.interactions)
