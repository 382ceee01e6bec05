"""Real-time monitor speed: in-process throughput vs pandas, HTTP intake, alert latency.

Run: ``.venv/bin/python -m bench.monitor_bench [--events N] [--skip-http]`` (about a minute
and a half; the latency part waits for a minute boundary on the wall clock).

1. **In-process** — a day of synthetic traffic (3M events; 500 agents under 50 branches
   under 5 regions, so every event also counts for its branch, region and overall) in
   micro-batches of 100k through :class:`KpiStream` (1/15/60-minute windows, all KPIs,
   exact quantiles) and :class:`RuleEngine` (the shipped rules: thresholds, an EWMA
   bank, ``for``/``keep_firing_for``). The baseline is pandas on the same events: minute
   buckets with ``resample``-style grouping, 15/60-minute sliding sums with ``rolling``,
   and per-minute quantiles; the bench checks the two agree on every count and on the
   1-minute quantiles before it prints a ratio. (Target: ≥ 500k events/s.)
2. **HTTP** — ``valueloop serve`` in a subprocess on loopback, 4 client threads posting
   JSON Lines batches of 1,000 to ``POST /api/v1/events`` (write-ahead log fsync'd per
   batch). (Target: ≥ 50k events/s.)
3. **Alert latency** — events stamped with the wall clock, an error burst in the current
   minute, a webhook receiver in this process: time from the end of the breaching minute to
   the webhook's arrival. (Target: ≤ 1 s.)
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import numpy as np
import pandas as pd

from valueloop.monitoring.alerting import RuleEngine
from valueloop.monitoring.events import EventBatch, Kind
from valueloop.monitoring.kpis import COUNT_KPIS, WINDOWS, column
from valueloop.monitoring.service.monitor import DEFAULT_SPEC
from valueloop.monitoring.stream import KpiStream
from valueloop.spec.alerts import load_monitor_spec

AGENTS, BRANCHES, REGIONS = 500, 50, 5
MIX = np.array([0.25, 0.2, 0.15, 0.03, 0.07, 0.03, 0.02, 0.002, 0.248])


def synthetic(n: int, seed: int = 0) -> tuple[EventBatch, dict[str, list[str]]]:
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, 86_400, n)) + 1_790_000_000
    kind = rng.choice(len(MIX), n, p=MIX / MIX.sum())
    value = np.where(
        kind == Kind.first_response,
        np.round(rng.lognormal(4, 1, n), 1),
        np.where(kind == Kind.feedback, rng.integers(1, 6, n), np.nan),
    )
    agents = np.array([f"A{i:04d}" for i in range(AGENTS)])
    entity = agents[rng.integers(0, AGENTS, n)]
    rollup = {a: [f"B{i % BRANCHES:03d}", f"R{i % REGIONS}"] for i, a in enumerate(agents)}
    rollup |= {f"B{b:03d}": [f"R{b % REGIONS}"] for b in range(BRANCHES)}
    return EventBatch(t, entity, kind.astype(np.int64), value), rollup


def run_stream(
    batch: EventBatch, rollup: dict[str, list[str]], size: int, detector: str | None = None
) -> tuple[float, dict[str, np.ndarray], int]:
    """The shipped rules over the batch; ``detector`` swaps the detector of the rules that have one."""
    spec = load_monitor_spec(DEFAULT_SPEC)
    if detector is not None:
        swapped = [
            r.model_copy(update={"detector": detector, "detector_params": {}}) if r.detector else r for r in spec.rules
        ]
        spec = spec.model_copy(update={"rules": swapped})
    kinds = {a: "agent" for a in rollup} | {f"B{b:03d}": "branch" for b in range(BRANCHES)}
    rules = RuleEngine(spec, kinds.get)
    stream = KpiStream(rollup, lambda col, keys: rules.watches(col, keys, stream.names))
    frames, fired = [], 0
    began = time.perf_counter()
    for i in range(0, len(batch), size):
        frame, _ = stream.update(batch.take(np.arange(i, min(i + size, len(batch)))))
        fired += sum(t.status == "firing" for t in rules.evaluate(frame, stream.names))
        frames.append(frame)
    seconds = time.perf_counter() - began
    names = np.array(stream.names)
    out = {"minute": np.concatenate([f.minute for f in frames]), "key": names[np.concatenate([f.key for f in frames])]}
    for col in frames[0].values:
        out[col] = np.concatenate([f.values[col] for f in frames])
    return seconds, out, fired


def run_pandas(batch: EventBatch, rollup: dict[str, list[str]]) -> tuple[float, pd.DataFrame, pd.Series]:
    """The same minute buckets and sliding sums with pandas: group by key and minute, then rolling."""
    began = time.perf_counter()
    df = pd.DataFrame(
        {
            "minute": np.floor(batch.t / 60).astype(np.int64),
            "entity": batch.entity,
            "kind": batch.kind,
            "value": batch.value,
        }
    )
    up = pd.DataFrame([(a, p) for a, ps in rollup.items() for p in ps], columns=["entity", "parent"])
    rolled = df.merge(up, on="entity").drop(columns="entity").rename(columns={"parent": "entity"})
    allev = pd.concat([df, rolled, df.assign(entity="*")], ignore_index=True)
    allev["when"] = pd.to_datetime(allev.minute * 60, unit="s")
    counts = pd.crosstab([allev.entity, allev.when], allev.kind)
    per_key = []
    for key, g in counts.groupby(level=0):
        g = g.droplevel(0).resample("1min").sum()  # empty minutes included, as the stream reports them
        for w, m in WINDOWS.items():
            sums = g.rolling(f"{m}min").sum()
            per_key.append(
                pd.DataFrame(
                    {
                        "key": key,
                        "minute": sums.index,
                        "window": w,
                        "volume": sums.get(int(Kind.opened), 0).to_numpy(),
                        "events": sums.sum(axis=1).to_numpy(),
                    }
                )
            )
    frt = allev[allev.kind == Kind.first_response].groupby(["entity", "minute"]).value.quantile(0.9)
    seconds = time.perf_counter() - began
    return seconds, pd.concat(per_key, ignore_index=True), frt


def check(ours: dict[str, np.ndarray], theirs: pd.DataFrame, frt: pd.Series) -> int:
    """Compare volume and event counts over every window, and the 1-minute p90, on the rows both have."""
    mine = pd.DataFrame(ours)
    mine["minute"] = pd.to_datetime(mine.minute * 60, unit="s")
    compared = 0
    for window in WINDOWS:
        part = theirs[theirs.window == window]
        joined = mine.merge(part, on=["key", "minute"], how="inner")
        for kpi in ("volume", "events"):
            if not np.array_equal(joined[column(kpi, window)].to_numpy(), joined[kpi].to_numpy()):
                raise SystemExit(f"monitor bench: {kpi}[{window}] differs from pandas")
            compared += len(joined)
    got = pd.Series(ours[column("frt_p90", "1m")], index=pd.MultiIndex.from_arrays([ours["key"], ours["minute"]]))
    common = frt.index.intersection(got.index)
    if not np.allclose(got.loc[common].to_numpy(), frt.loc[common].to_numpy(), rtol=1e-12, atol=0):
        raise SystemExit("monitor bench: frt_p90[1m] differs from pandas")
    return compared + len(common)


def in_process(n: int) -> None:
    batch, rollup = synthetic(n)
    seconds, ours, fired = run_stream(batch, rollup, 100_000)
    base, theirs, frt = run_pandas(batch, rollup)
    compared = check(ours, theirs, frt)
    rate = n / seconds
    print(
        f"in-process: {n:,} events, {len(ours['minute']):,} key×minute rows × {len(WINDOWS)} windows × "
        f"{len(COUNT_KPIS) + 6} KPIs, {fired} alerts fired"
    )
    print(
        f"  valueloop windows+detectors+rules: {seconds:6.2f} s  {rate:>10,.0f} events/s  (target ≥ 500,000: "
        f"{rate / 500_000:.2f}×)"
    )
    lk_seconds, _, lk_fired = run_stream(batch, rollup, 100_000, detector="likelihood")
    print(
        f"  same with `detector: likelihood` rules: {lk_seconds:6.2f} s  {n / lk_seconds:>10,.0f} events/s  "
        f"({lk_fired} alerts fired)"
    )
    print(
        f"  pandas resample/rolling (fewer KPIs): {base:6.2f} s  {n / base:>10,.0f} events/s  → valueloop is "
        f"{base / seconds:.1f}× pandas; {compared:,} values checked equal"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Hook(BaseHTTPRequestHandler):
    arrivals: ClassVar[list[tuple[float, dict[str, object]]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
        _Hook.arrivals.append((time.time(), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


def _server(root: Path, hook_url: str) -> tuple[subprocess.Popen[bytes], str, str]:
    exe = Path(sys.executable).with_name("valueloop")
    env = os.environ | {"VALUELOOP_ADMIN_PASSWORD": "bench-password"}
    subprocess.run([exe, "init", str(root)], check=True, env=env, capture_output=True)
    spec = (
        f"rules:\n  - {{name: burst, expr: 'errors[1m] >= 5', by: entity, severity: critical}}\n"
        f"channels:\n  - {{name: hook, kind: webhook, url: '{hook_url}', min_severity: info}}\n"
    )
    (root / "monitor.yaml").write_text(spec, encoding="utf-8")
    token = (
        subprocess.run(
            [exe, "tokens", "create", "admin", "--name", "bench", "-w", str(root)],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .split()[-1]
    )
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "serve", "-w", str(root), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return proc, url, token


def over_http(batches: int = 200, size: int = 1000, clients: int = 4) -> None:
    hook = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{hook.server_address[1]}/hook"
    with tempfile.TemporaryDirectory(prefix="vl-monitor-bench-") as tmp:
        proc, url, token = _server(Path(tmp) / "ws", hook_url)
        try:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
            start = time.time() - 3600  # a past hour, so the live clock does not close minutes under us
            bodies = []
            for b in range(batches):
                ts = start + np.sort(np.random.default_rng(b).uniform(b * 10, b * 10 + 10, size))
                bodies.append(
                    "\n".join(
                        json.dumps({"type": "interaction_opened", "ts": float(x), "entity_id": f"B{i % 50:03d}"})
                        for i, x in enumerate(ts)
                    )
                )
            with httpx.Client(timeout=60) as c:
                c.post(f"{url}/api/v1/events", content=bodies[0], headers=headers).raise_for_status()

            def post(chunk: list[str]) -> int:
                n = 0
                with httpx.Client(timeout=60) as c:
                    for body in chunk:
                        r = c.post(f"{url}/api/v1/events", content=body, headers=headers)
                        r.raise_for_status()
                        n += r.json()["accepted"] + r.json()["late"]
                return n

            rest = bodies[1:]
            parts = [rest[i::clients] for i in range(clients)]
            began = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                taken = sum(pool.map(post, parts))
            seconds = time.perf_counter() - began
            rate = taken / seconds
            print(
                f"HTTP: {taken:,} events in batches of {size:,} from {clients} clients: {seconds:.2f} s, "
                f"{rate:,.0f} events/s (target ≥ 50,000: {rate / 50_000:.2f}×)"
            )
            latency(url, headers)
        finally:
            proc.terminate()
            proc.wait(10)
            hook.shutdown()
            hook.server_close()


def latency(url: str, headers: dict[str, str]) -> None:
    """Errors now, at one branch; the alert must reach the webhook within a second of the minute's end."""
    now = time.time()
    if now % 60 > 50:  # too close to the boundary to post a whole burst inside this minute
        time.sleep(61 - now % 60)
        now = time.time()
    minute_end = (now // 60 + 1) * 60
    burst = "\n".join(json.dumps({"type": "error", "ts": now + k * 0.01, "entity_id": "B777"}) for k in range(10))
    httpx.post(f"{url}/api/v1/events", content=burst, headers=headers, timeout=10).raise_for_status()
    _Hook.arrivals.clear()
    deadline = minute_end + 10
    while not _Hook.arrivals and time.time() < deadline:
        time.sleep(0.01)
    if not _Hook.arrivals:
        print("alert latency: no notification within 10 s of the minute's end (FAILED)")
        return
    lag = _Hook.arrivals[0][0] - minute_end
    print(
        f"alert latency: {lag * 1000:.0f} ms from the close of the breaching minute to the webhook "
        f"(target ≤ 1,000 ms: {lag:.2f}×)"
    )


def run(events: int = 3_000_000, http: bool = True) -> None:
    print("== issue 4: real-time monitor ==")
    in_process(events)
    if http:
        over_http()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=3_000_000)
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    run(args.events, not args.skip_http)


if __name__ == "__main__":
    main()
