"""Benchmark: the audit of the demo world with injected latency, at concurrency 1 and N, with a per-phase profile.

Modes:
- ``matrix`` (default): every domain × every consent choice incl. ``withdraw``, on the discovered pages (the
  matrix of ``cookieaudit demo``). Goals (issue 17): ≤ 40 s wall at the default concurrency, ≥ 3× faster than
  concurrency 1, peak PSS ≤ 1.2 GiB.
- ``no-interaction``: every domain × ``no-interaction`` only, on three pages per shop (the home page and the first
  two discovered pages, configured in a temporary copy of the expectations). Goal: ≤ 8 s.

Prints each run's wall time, visits, peak memory (PSS of this Python process plus every child — Chromium and
Playwright's driver — except the demo world's server process), then medians, the speed-up, whether the findings
were identical across all runs and levels, and where the seconds went: the run's own phases (browser start,
discovery, visits, policy snapshot, rules, report) and the visits' phases summed over all visits (each visit
records them in ``Observation.timings``). No test asserts timings; this script is the measurement.

    .venv/bin/python benchmarks/bench_scan.py [--mode matrix|no-interaction] [--runs 3] [--concurrency N]
        [--skip-serial] [--latency 50,150] [--vendor-latency 100,300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cookieaudit.scan import ScanOptions, default_concurrency, run_scan  # noqa: E402
from cookieaudit.world import WorldConfig  # noqa: E402
from cookieaudit.world.process import DemoWorldProcess  # noqa: E402

EXPECTATIONS = ROOT / "expectations" / "online-3d.yaml"
GOALS = {"matrix": {"wall": 40.0, "pss": 1.2 * 2**30, "speedup": 3.0},
         "no-interaction": {"wall": 8.0, "pss": 1.2 * 2**30, "speedup": None}}


def process_kind(p: psutil.Process, me: int) -> str:
    """python (this process), driver (Playwright's node), browser, renderer, gpu / utility (Chromium's --type=)."""
    if p.pid == me:
        return "python"
    try:
        cmd = p.cmdline()
    except psutil.Error:
        return "other"
    kind = next((a.split("=", 1)[1] for a in cmd if a.startswith("--type=")), None)
    if kind:
        return kind
    if cmd and "node" in Path(cmd[0]).name:
        return "driver"
    return "browser" if cmd and "chrom" in cmd[0] else "other"


class PeakPss:
    """Samples the summed PSS of this process and all its descendants every 500 ms (reading smaps costs CPU; visits
    last seconds), and each process's CPU seconds (the last sample of a process that exits is its total). The demo
    world's process is excluded: it stands in for the remote sites, not for the tool."""

    def __init__(self, exclude: int | None = None) -> None:
        self.exclude = exclude
        self.peak = 0
        self.peak_by_kind: dict[str, int] = {}
        self.cpu: dict[int, tuple[str, float]] = {}
        t = psutil.Process().cpu_times()
        self._own_before = t.user + t.system     # this process outlives the run: only its CPU during the run counts
        self._kinds: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, me: psutil.Process) -> None:
        total = 0
        by_kind: dict[str, int] = {}
        for p in [me, *me.children(recursive=True)]:
            if p.pid == self.exclude:
                continue
            try:
                kind = self._kinds.setdefault(p.pid, process_kind(p, me.pid))
                pss = p.memory_full_info().pss
                t = p.cpu_times()
                self.cpu[p.pid] = (kind, t.user + t.system)
            except (psutil.Error, AttributeError):
                continue
            total += pss
            by_kind[kind] = by_kind.get(kind, 0) + pss
        if total > self.peak:
            self.peak, self.peak_by_kind = total, by_kind

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            self._sample(me)
            self._stop.wait(0.5)

    def cpu_by_kind(self) -> dict[str, float]:
        out: dict[str, float] = {}
        me = psutil.Process().pid
        for pid, (kind, secs) in self.cpu.items():
            out[kind] = out.get(kind, 0.0) + (secs - self._own_before if pid == me else secs)
        return out

    def __enter__(self) -> "PeakPss":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample(psutil.Process())   # the Python process's own total at the end


@dataclass
class RunResult:
    wall: float
    visits: int
    incomplete: int
    peak: int
    ids: list[str]
    labels: dict[str, str]
    run_phases: dict[str, float] = field(default_factory=dict)      # the run's own phases (ScanResult.timings)
    visit_phases: dict[str, float] = field(default_factory=dict)    # summed over all visits (Observation.timings)
    visit_seconds: list[float] = field(default_factory=list)        # each visit's duration
    page_loads: int = 0                                             # navigations of all visits (bench_floor.py)
    cpu: dict[str, float] = field(default_factory=dict)             # CPU seconds per kind of process
    pss_at_peak: dict[str, int] = field(default_factory=dict)       # PSS per kind of process at the peak


def three_page_expectations(world: DemoWorldProcess, tmp: Path) -> Path:
    """A copy of the expectations with ``pages`` (home + the first two discovered pages) for every domain."""
    from cookieaudit.expectations import load_expectations

    discovered = Path(tmp) / "discover"
    exp = load_expectations(EXPECTATIONS)
    opts = ScanOptions(expectations=EXPECTATIONS, out=discovered, choices=("no-interaction",),
                       resolve=tuple(world.resolve_args()), ca_cert=world.ca_pem, formats=("json",))
    asyncio.run(run_scan(opts))
    pages = {d.host: [p["path"] for p in json.loads((discovered / "observations" / d.host / "discovery.json")
                                                    .read_text(encoding="utf-8"))["pages"]][:3] for d in exp.domains}
    text = EXPECTATIONS.read_text(encoding="utf-8")
    for dom in exp.domains:
        # "  - host: online-3d.nl" → add a pages list right after the host line, at the same indentation
        m = re.search(rf"^(\s*)(- )?host: {re.escape(dom.host)}\s*$", text, flags=re.M)
        assert m, dom.host
        indent = " " * (len(m.group(1)) + (2 if m.group(2) else 0))
        text = text[:m.end()] + f"\n{indent}pages: [{', '.join(pages[dom.host])}]" + text[m.end():]
    out = Path(tmp) / "three-pages.yaml"
    out.write_text(text, encoding="utf-8")
    load_expectations(out)   # refuses a broken copy here, not in the middle of the measurement
    return out


def one_run(world: DemoWorldProcess, concurrency: int, mode: str, expectations: Path) -> RunResult:
    with tempfile.TemporaryDirectory() as tmp, PeakPss(exclude=world.proc.pid if world.proc else None) as mem:
        choices = ("no-interaction",) if mode == "no-interaction" else ()     # () = every choice incl. withdraw
        opts = ScanOptions(expectations=expectations, out=Path(tmp) / "run", choices=choices,
                           resolve=tuple(world.resolve_args()), ca_cert=world.ca_pem, concurrency=concurrency,
                           formats=("html",))
        t = time.monotonic()
        result = asyncio.run(run_scan(opts))
        wall = time.monotonic() - t
        # the written findings.json, not the in-memory document (whose type is the finish layer's business)
        doc = json.loads((Path(tmp) / "run" / "findings.json").read_text(encoding="utf-8"))
    labels = {f["id"]: f"{f['rule']} {f['domain']} {f['choice']} {f.get('vendor') or ''} {f['subject']}"
              for f in doc["findings"]}
    visit_phases: dict[str, float] = {}
    for obs in result.observations:
        for k, v in (getattr(obs, "timings", None) or {}).items():
            visit_phases[k] = visit_phases.get(k, 0.0) + v
    return RunResult(wall, doc["summary"]["visits"], doc["summary"]["incomplete"], mem.peak,
                     sorted(f["id"] for f in doc["findings"]), labels,
                     run_phases=dict(getattr(result, "timings", None) or {}), visit_phases=visit_phases,
                     visit_seconds=[o.browser.get("duration_s", 0.0) for o in result.observations],
                     page_loads=sum(1 for o in result.observations for p in o.pages if p.status is not None or p.error),
                     cpu=mem.cpu_by_kind(), pss_at_peak=dict(mem.peak_by_kind))


def _median_dict(ds: list[dict[str, float]]) -> dict[str, float]:
    keys = list(dict.fromkeys(k for d in ds for k in d))
    return {k: statistics.median(d.get(k, 0.0) for d in ds) for k in keys}


def print_profile(c: int, rs: list[RunResult]) -> None:
    cpu = _median_dict([r.cpu for r in rs])
    wall = statistics.median(r.wall for r in rs)
    print(f"\nCPU at concurrency {c} (medians): {sum(cpu.values()):.1f} CPU-s in {wall:.1f} s wall "
          f"({100 * sum(cpu.values()) / (wall * (os.cpu_count() or 1)):.0f} % of {os.cpu_count()} cores): "
          + ", ".join(f"{k} {v:.1f}" for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])))
    peak = max(rs, key=lambda r: r.peak)
    print(f"PSS at the peak ({peak.peak / 2**20:.0f} MiB): "
          + ", ".join(f"{k} {v / 2**20:.0f} MiB" for k, v in sorted(peak.pss_at_peak.items(), key=lambda kv: -kv[1])))
    run = _median_dict([r.run_phases for r in rs])
    visit = _median_dict([r.visit_phases for r in rs])
    if not run and not visit:
        print(f"  (concurrency {c}: this version records no phase profile)")
        return
    n = rs[0].visits or 1
    print(f"\nwhere the seconds go at concurrency {c} (medians over {len(rs)} run(s)):")
    print("  the run (wall seconds, in order; visits overlap with discovery and with each other):")
    for k, v in run.items():
        print(f"    {k:<34} {v:7.2f} s")
    total = sum(visit.values())
    durations = [s for r in rs for s in r.visit_seconds]
    print(f"  the visits (seconds summed over {n} visits with {rs[0].page_loads} page loads, per visit, share; "
          f"median visit {statistics.median(durations) if durations else 0:.2f} s):")
    for k, v in sorted(visit.items(), key=lambda kv: -kv[1]):
        print(f"    {k:<34} {v:7.1f} s  {v / n:6.2f} s  {100 * v / total if total else 0:5.1f} %")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=("matrix", "no-interaction"), default="matrix")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=None, help="N to compare with 1 (default: the tool's choice)")
    ap.add_argument("--latency", default="50,150", help="shop latency ms MIN,MAX")
    ap.add_argument("--vendor-latency", default="100,300", help="vendor latency ms MIN,MAX")
    ap.add_argument("--skip-serial", action="store_true", help="only measure concurrency N")
    ap.add_argument("--findings-out", type=Path, help="write the first run's findings (one label a line) here")
    args = ap.parse_args()
    lat = tuple(int(x) for x in args.latency.split(","))
    vlat = tuple(int(x) for x in args.vendor_latency.split(","))
    n = args.concurrency or default_concurrency()
    goals = GOALS[args.mode]
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB; mode {args.mode}; "
          f"latency shop {lat} ms, vendors {vlat} ms; runs {args.runs}; N = {n}")
    results: dict[int, list[RunResult]] = {}
    with DemoWorldProcess(WorldConfig(scenario="default", latency_ms=lat, vendor_latency_ms=vlat, seed=1)) as world, \
            tempfile.TemporaryDirectory() as setup:
        expectations = EXPECTATIONS if args.mode == "matrix" else three_page_expectations(world, Path(setup))
        levels = [n] if args.skip_serial or goals["speedup"] is None else [1, n]
        for c in levels:
            results[c] = []
            for i in range(args.runs):
                r = one_run(world, c, args.mode, expectations)
                results[c].append(r)
                print(f"  concurrency {c:>2} run {i + 1}: {r.wall:6.1f} s  {r.visits} visits  {r.incomplete} incomplete  "
                      f"peak PSS {r.peak / 2**20:7.0f} MiB", flush=True)
    print()
    print(f"{'concurrency':>11} {'median wall':>12} {'visits/s':>9} {'peak PSS':>10}")
    med = {}
    for c, rs in results.items():
        med[c] = statistics.median(r.wall for r in rs)
        print(f"{c:>11} {med[c]:>10.1f} s {rs[0].visits / med[c]:>9.2f} {max(r.peak for r in rs) / 2**20:>7.0f} MiB")
    ref = results[levels[0]][0]
    if args.findings_out:
        args.findings_out.write_text("".join(f"{i} {' '.join(ref.labels[i].split()[:4])}\n" for i in ref.ids),
                                     encoding="utf-8")
    same = all(r.ids == ref.ids for rs in results.values() for r in rs)
    print(f"identical findings across all runs and concurrency levels: {same} ({len(ref.ids)} findings)")
    if not same:   # say which: a difference is either a detection miss or a timing-dependent fact
        for c, rs in results.items():
            for i, r in enumerate(rs):
                for fid in sorted(set(r.ids) ^ set(ref.ids)):
                    where = "only here" if fid in r.ids else "missing here"
                    print(f"  concurrency {c} run {i + 1}: {where}: {r.labels.get(fid) or ref.labels.get(fid)}")
    for c, rs in results.items():
        print_profile(c, rs)
    print()
    verdicts = [f"wall ≤ {goals['wall']:.0f} s: {'met' if med[n] <= goals['wall'] else 'NOT met'} ({med[n]:.1f} s)",
                f"peak PSS ≤ {goals['pss'] / 2**30:.1f} GiB: "
                f"{'met' if max(r.peak for r in results[n]) <= goals['pss'] else 'NOT met'}"]
    if goals["speedup"] and 1 in med and n != 1:
        verdicts.append(f"speed-up ≥ {goals['speedup']:.0f}x: {'met' if med[1] / med[n] >= goals['speedup'] else 'NOT met'}"
                        f" ({med[1] / med[n]:.2f}x)")
    print("goals: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
