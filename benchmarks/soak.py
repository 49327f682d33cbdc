"""Soak (issue 16): N consecutive scans of the demo world in one process, then parallel scans in separate processes.

Shows that nothing grows from scan to scan: the tool's memory (RSS, after the scan), its open file descriptors,
its child processes, and the entries of its temp dir (a private TMPDIR, so other users of /tmp do not count) -
and that parallel processes write separate run folders and leave nothing behind. Not part of the test suite.

    .venv/bin/python benchmarks/soak.py [--scans 20] [--parallel 3] [--domain D ...] [--choice C ...]

Default subset per scan: every demo domain × ``reject-all`` and ``accept-all`` (a full matrix of 30 visits per
scan would take 20 × ~2 minutes on two cores). Exit code 1 if anything grew.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cookieaudit.scan import ScanOptions, run_scan  # noqa: E402
from cookieaudit.world import WorldConfig  # noqa: E402
from cookieaudit.world.process import DemoWorldProcess  # noqa: E402

EXPECTATIONS = ROOT / "expectations" / "online-3d.yaml"


def sample(tmp: Path) -> dict:
    gc.collect()
    me = psutil.Process()
    return {"rss_mib": round(me.memory_info().rss / 2**20, 1), "fds": me.num_fds(),
            "children": len(me.children(recursive=True)), "temp_entries": len(os.listdir(tmp)),
            "threads": me.num_threads()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scans", type=int, default=20)
    ap.add_argument("--parallel", type=int, default=3)
    ap.add_argument("--domain", action="append", default=[])
    ap.add_argument("--choice", action="append", default=[])
    ap.add_argument("--concurrency", type=int, default=None)
    args = ap.parse_args()
    choices = tuple(args.choice or ("reject-all", "accept-all"))
    tmp = Path(tempfile.mkdtemp(prefix="ca-soak", dir="/tmp"))
    tmp.chmod(0o711)
    os.environ["TMPDIR"] = str(tmp)
    tempfile.tempdir = str(tmp)
    out_base = Path(tempfile.mkdtemp(prefix="cookieaudit-soak-runs-", dir="/tmp"))
    rows = []
    failed = []
    with DemoWorldProcess(WorldConfig(scenario="default")) as world:
        base = dict(expectations=EXPECTATIONS, resolve=tuple(world.resolve_args()), ca_cert=world.ca_pem,
                    domains=tuple(args.domain), choices=choices, formats=("html",), concurrency=args.concurrency)
        world_temp = len(os.listdir(tmp))
        for i in range(1, args.scans + 1):
            t = time.monotonic()
            result = asyncio.run(run_scan(ScanOptions(out=out_base / f"run-{i:02d}", **base)))
            row = {"scan": i, "seconds": round(time.monotonic() - t, 1), "visits": result.document["summary"]["visits"],
                   "incomplete": result.document["summary"]["incomplete"],
                   "sandbox": result.document["run"]["browser"]["policy"]["sandbox"], **sample(tmp)}
            rows.append(row)
            print(json.dumps(row), flush=True)
            shutil.rmtree(out_base / f"run-{i:02d}", ignore_errors=True)   # the run folder is not the tool's memory
        # parallel: separate processes, separate run folders, one world
        procs = []
        t = time.monotonic()
        for j in range(1, args.parallel + 1):
            cmd = [sys.executable, "-m", "cookieaudit", "scan", "--plain", "--expectations", str(EXPECTATIONS),
                   "--out", str(out_base / f"parallel-{j}"), "--ca-cert", str(world.ca_pem),
                   *[a for r in world.resolve_args() for a in ("--resolve", r)],
                   *[a for c in choices for a in ("--choice", c)], *[a for d in args.domain for a in ("--domain", d)]]
            procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          env={**os.environ, "TMPDIR": str(tmp)}))
        codes = [p.wait(timeout=1800) for p in procs]
        par_seconds = round(time.monotonic() - t, 1)
        par = []
        for j, code in enumerate(codes, start=1):
            doc = json.loads((out_base / f"parallel-{j}" / "findings.json").read_text(encoding="utf-8"))
            par.append({"process": j, "exit_code": code, "run_id": doc["run"]["id"],
                        "visits": doc["summary"]["visits"], "incomplete": doc["summary"]["incomplete"],
                        "sandbox": doc["run"]["browser"]["policy"]["sandbox"]})
        after_parallel = sample(tmp)
        temp_left = sorted(set(os.listdir(tmp)))
    print(json.dumps({"parallel": par, "seconds": par_seconds, "after": after_parallel,
                      "temp_entries_left_besides_world": len(temp_left) - world_temp}), flush=True)
    # verdict: scan 2 vs the last (scan 1 warms imports and the driver); memory within 10 %
    first, last = rows[min(1, len(rows) - 1)], rows[-1]
    for key in ("fds", "children", "temp_entries"):
        if last[key] > first[key]:
            failed.append(f"{key} grew: {first[key]} → {last[key]}")
    if last["rss_mib"] > first["rss_mib"] * 1.10 + 5:
        failed.append(f"memory grew: {first['rss_mib']} → {last['rss_mib']} MiB")
    if any(r["incomplete"] for r in rows) or any(p["incomplete"] for p in par):
        failed.append("some visits were incomplete")
    if len({p["run_id"] for p in par}) != len(par) or any(p["exit_code"] not in (0, 1) for p in par):
        failed.append(f"parallel scans: {par}")
    if any(r["sandbox"] != "on" for r in rows) or any(p["sandbox"] != "on" for p in par):
        failed.append("a scan ran without its sandbox")
    leftovers = [n for n in os.listdir(tmp)]
    shutil.rmtree(out_base, ignore_errors=True)
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"scan 2 → {len(rows)}: rss {first['rss_mib']} → {last['rss_mib']} MiB, fds {first['fds']} → {last['fds']}, "
          f"children {first['children']} → {last['children']}, temp entries {first['temp_entries']} → "
          f"{last['temp_entries']}; temp dir after the world stopped: {leftovers}")
    print("OK: nothing grew" if not failed else "GREW: " + "; ".join(failed))
    return 1 if failed or leftovers else 0


if __name__ == "__main__":
    sys.exit(main())
