"""Benchmark: the full audit matrix on the demo world with injected latency, at concurrency 1 and N.

Prints median wall time, visits per second, peak memory (PSS of this Python process plus every child —
Chromium and Playwright's driver — except the demo world's server process) and the speed-up ratio. Goals (issue 8): ≤ 60 s wall, ≤ 1.5 GiB peak PSS,
≥ 1.6× faster than concurrency 1. No test asserts timings; this script is the measurement.

    .venv/bin/python benchmarks/bench_scan.py [--runs 3] [--concurrency N] [--latency 50,150] [--vendor-latency 100,300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cookieaudit.expectations import load_expectations  # noqa: E402
from cookieaudit.scan import ScanOptions, default_concurrency, run_scan  # noqa: E402
from cookieaudit.world import WorldConfig  # noqa: E402
from cookieaudit.world.process import DemoWorldProcess  # noqa: E402


class PeakPss:
    """Samples the summed PSS of this process and all its descendants every 500 ms (reading smaps costs CPU; visits
    last seconds). The demo world's process is excluded: it stands in for the remote sites, not for the tool."""

    def __init__(self, exclude: int | None = None) -> None:
        self.exclude = exclude
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                if p.pid == self.exclude:
                    continue
                try:
                    total += p.memory_full_info().pss
                except (psutil.Error, AttributeError):
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(0.5)

    def __enter__(self) -> "PeakPss":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def one_run(world: DemoWorldProcess, concurrency: int) -> tuple[float, int, int, int, dict]:
    with tempfile.TemporaryDirectory() as tmp, PeakPss(exclude=world.proc.pid if world.proc else None) as mem:
        exp = ROOT / "expectations" / "online-3d.yaml"
        # the matrix of issue 8: every consent choice (withdraw is an extra scenario, not part of it) × 3 pages
        opts = ScanOptions(expectations=exp, out=Path(tmp) / "run", choices=tuple(load_expectations(exp).choices()),
                           resolve=tuple(world.resolve_args()), ca_cert=world.ca_pem, concurrency=concurrency,
                           formats=("html",))
        t = time.monotonic()
        result = asyncio.run(run_scan(opts))
        wall = time.monotonic() - t
    findings = sorted((f["id"]) for f in result.document["findings"])
    labels = {f["id"]: f"{f['rule']} {f['domain']} {f['choice']} {f.get('vendor') or ''} {f['subject']}"
              for f in result.document["findings"]}
    return wall, result.document["summary"]["visits"], result.document["summary"]["incomplete"], mem.peak, {"ids": findings, "labels": labels}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=None, help="N to compare with 1 (default: the tool's choice)")
    ap.add_argument("--latency", default="50,150", help="shop latency ms MIN,MAX")
    ap.add_argument("--vendor-latency", default="100,300", help="vendor latency ms MIN,MAX")
    ap.add_argument("--skip-serial", action="store_true", help="only measure concurrency N")
    args = ap.parse_args()
    lat = tuple(int(x) for x in args.latency.split(","))
    vlat = tuple(int(x) for x in args.vendor_latency.split(","))
    n = args.concurrency or default_concurrency()
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB; "
          f"latency shop {lat} ms, vendors {vlat} ms; runs {args.runs}; N = {n}")
    results: dict[int, list[tuple[float, int, int, int, dict]]] = {}
    with DemoWorldProcess(WorldConfig(scenario="default", latency_ms=lat, vendor_latency_ms=vlat, seed=1)) as world:
        levels = [n] if args.skip_serial else [1, n]
        for c in levels:
            results[c] = []
            for i in range(args.runs):
                r = one_run(world, c)
                results[c].append(r)
                print(f"  concurrency {c:>2} run {i + 1}: {r[0]:6.1f} s  {r[1]} visits  {r[2]} incomplete  "
                      f"peak PSS {r[3] / 2**20:7.0f} MiB", flush=True)
    print()
    print(f"{'concurrency':>11} {'median wall':>12} {'visits/s':>9} {'peak PSS':>10}")
    med = {}
    for c, rs in results.items():
        med[c] = statistics.median(r[0] for r in rs)
        visits = rs[0][1]
        print(f"{c:>11} {med[c]:>10.1f} s {visits / med[c]:>9.2f} {max(r[3] for r in rs) / 2**20:>7.0f} MiB")
    if 1 in med and n in med and n != 1:
        print(f"speed-up at N={n}: {med[1] / med[n]:.2f}x")
        same = all(r[4]["ids"] == results[1][0][4]["ids"] for rs in results.values() for r in rs)
        print(f"identical findings across all runs and concurrency levels: {same}")
        if not same:   # say which: a difference is either a detection miss or a timing-dependent fact
            ref = results[1][0][4]
            for c, rs in results.items():
                for i, r in enumerate(rs):
                    for fid in sorted(set(r[4]["ids"]) ^ set(ref["ids"])):
                        where = "only here" if fid in r[4]["ids"] else "missing here"
                        print(f"  concurrency {c} run {i + 1}: {where}: {r[4]['labels'].get(fid) or ref['labels'].get(fid)}")
    goal_wall = med[n] <= 60
    goal_mem = max(r[3] for r in results[n]) <= 1.5 * 2**30
    print(f"goals: wall ≤ 60 s: {'met' if goal_wall else 'NOT met'}; peak PSS ≤ 1.5 GiB: {'met' if goal_mem else 'NOT met'}"
          + (f"; speed-up ≥ 1.6x: {'met' if med[1] / med[n] >= 1.6 else 'NOT met'}" if 1 in med and n != 1 else ""))


if __name__ == "__main__":
    main()
