"""Benchmark: what Chromium itself costs per visit on this machine, apart from anything cookieaudit does.

A visit needs a fresh browser context (an empty cookie jar and storage: the only sound way to start a consent
choice), and a fresh context means a fresh renderer process. This script measures, with the tool's own Chromium
switches, sandbox and user, against the demo world with the benchmark's latency, five shops side by side:

- ``context``: five contexts, each with one blank page (no navigation): the price of a renderer start;
- ``bare``: five contexts, each loading three shop pages (the home page and its first two same-site links) and
  resting 1.5 s on each, without any instrumentation;
- ``instrumented``: the same with what a visit adds: HAR recording, the storage/timer init script and its binding,
  request listeners, the DevTools network and storage session, one screenshot per page.

It prints CPU seconds (all processes of the tool, Chromium and Playwright's driver; the world's server is excluded)
per variant, per context and per page load, and the lower bound they put on a whole run: ``--visits`` contexts
and ``--page-loads`` page loads (``benchmarks/bench_scan.py`` prints both for the matrix) need at least that much
CPU in Chromium alone, so on ``os.cpu_count()`` cores no schedule can finish faster. No test asserts timings.

    .venv/bin/python benchmarks/bench_floor.py [--runs 3] [--visits 35] [--page-loads 196]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cookieaudit.browse.chromium import BrowserPolicy, find_chromium, host_resolver_rules  # noqa: E402
from cookieaudit.browse.host import BrowserHost  # noqa: E402
from cookieaudit.browse.recorder import INSTRUMENT_JS  # noqa: E402
from cookieaudit.expectations import load_expectations  # noqa: E402
from cookieaudit.world import WorldConfig  # noqa: E402
from cookieaudit.world.process import DemoWorldProcess  # noqa: E402

EXPECTATIONS = ROOT / "expectations" / "online-3d.yaml"
VARIANTS = ("context", "bare", "instrumented")
REST_S = 1.5


def cpu_seconds(exclude: int | None) -> dict[int, float]:
    """CPU seconds so far of this process and every descendant (a process that ended is gone: sample before)."""
    me = psutil.Process()
    out: dict[int, float] = {}
    for p in [me, *me.children(recursive=True)]:
        if p.pid == exclude:
            continue
        try:
            t = p.cpu_times()
        except psutil.Error:
            continue
        out[p.pid] = t.user + t.system
    return out


async def shop_pages(browser, host: str) -> list[str]:
    """The home page and its first two same-site links: three pages found without any configuration."""
    ctx = await browser.new_context()
    try:
        page = await ctx.new_page()
        await page.goto(f"https://{host}/", wait_until="load", timeout=20000)
        hrefs = await page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
    finally:
        await ctx.close()
    home = f"https://{host}/"
    links = [urljoin(home, h) for h in hrefs if h and not h.startswith(("#", "mailto:", "tel:", "javascript:"))]
    same = [u.split("#")[0] for u in links if urlsplit(u).hostname == host and u.split("#")[0] != home]
    return [home, *list(dict.fromkeys(same))[:2]]


async def one_visit(browser, pages: list[str], variant: str, har_dir: Path) -> object:
    """One context through ``pages`` as ``variant``; returned open (closing it ends its processes' accounting)."""
    instrumented = variant == "instrumented"
    kw = {"record_har_path": str(har_dir / f"{urlsplit(pages[0]).hostname}.har"), "record_har_content": "omit"} \
        if instrumented else {}
    ctx = await browser.new_context(**kw)
    if instrumented:
        await asyncio.gather(ctx.expose_binding("__cookieauditStore", lambda source, *a: None),
                             ctx.add_init_script(script=INSTRUMENT_JS))
        for event in ("request", "requestfinished", "requestfailed", "response"):
            ctx.on(event, lambda r: None)
    page = await ctx.new_page()
    if variant == "context":
        return ctx
    cdp = None
    if instrumented:
        cdp = await ctx.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", lambda e: None)
        cdp.on("Network.responseReceivedExtraInfo", lambda e: None)
        await asyncio.gather(cdp.send("Network.enable"), cdp.send("DOMStorage.enable"))
    for url in pages:
        await page.goto(url, wait_until="load", timeout=20000)
        await asyncio.sleep(REST_S)
        if cdp is not None:
            await cdp.send("Page.captureScreenshot", {"format": "png", "optimizeForSpeed": True})
    return ctx


async def measure(world: DemoWorldProcess, runs: int) -> dict[str, list[float]]:
    from playwright.async_api import async_playwright

    exp = load_expectations(EXPECTATIONS)
    exclude = world.proc.pid if world.proc else None
    async with async_playwright() as pw:
        host = BrowserHost(pw, find_chromium(), BrowserPolicy(), host_resolver_rules(list(world.resolve_args())),
                           world.ca_pem)
        await host.start()
        browser = host.browser
        try:
            walks = await asyncio.gather(*[shop_pages(browser, d.host) for d in exp.domains])   # also warms up
            out: dict[str, list[float]] = {v: [] for v in VARIANTS}
            with tempfile.TemporaryDirectory() as har_dir:
                for _ in range(runs):
                    for variant in VARIANTS:
                        before = cpu_seconds(exclude)
                        ctxs = await asyncio.gather(*[one_visit(browser, w, variant, Path(har_dir)) for w in walks])
                        after = cpu_seconds(exclude)
                        out[variant].append(sum(s - before.get(pid, 0.0) for pid, s in after.items()))
                        await asyncio.gather(*[c.close() for c in ctxs])
            out["_pages"] = [float(sum(len(w) for w in walks))]
            return out
        finally:
            await host.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--visits", type=int, default=35, help="contexts of the run to bound (the demo matrix: 35)")
    ap.add_argument("--page-loads", type=int, default=None, help="page loads of that run (bench_scan.py prints it)")
    ap.add_argument("--latency", default="50,150", help="shop latency ms MIN,MAX")
    ap.add_argument("--vendor-latency", default="100,300", help="vendor latency ms MIN,MAX")
    args = ap.parse_args()
    lat = tuple(int(x) for x in args.latency.split(","))
    vlat = tuple(int(x) for x in args.vendor_latency.split(","))
    cfg = WorldConfig(scenario="default", latency_ms=lat, vendor_latency_ms=vlat, seed=1)
    t = time.monotonic()
    with DemoWorldProcess(cfg) as world:
        res = asyncio.run(measure(world, args.runs))
    pages = res.pop("_pages")[0]
    med = {v: statistics.median(xs) for v, xs in res.items()}
    n = len(load_expectations(EXPECTATIONS).domains)
    print(f"machine: {os.cpu_count()} cores; {n} shops side by side, {pages:.0f} page loads per variant; "
          f"runs {args.runs}; {time.monotonic() - t:.0f} s in all")
    for v in VARIANTS:
        print(f"  {v:<13} CPU {med[v]:6.2f} s (runs: {', '.join(f'{x:.2f}' for x in res[v])})")
    per_context = med["context"] / n
    per_page_bare = (med["bare"] - med["context"]) / pages
    per_page_tool = (med["instrumented"] - med["context"]) / pages
    print(f"per fresh context (renderer start): {per_context:.2f} CPU-s")
    print(f"per page load incl. {REST_S} s rest: bare {per_page_bare:.2f} CPU-s, instrumented {per_page_tool:.2f} CPU-s "
          f"(the tool adds {100 * (per_page_tool / per_page_bare - 1):.0f} %)")
    if args.page_loads:
        floor = args.visits * per_context + args.page_loads * per_page_bare
        print(f"floor for {args.visits} visits with {args.page_loads} page loads: {floor:.0f} CPU-s in bare Chromium "
              f"= at least {floor / (os.cpu_count() or 1):.0f} s wall on {os.cpu_count()} cores at 100 % use")


if __name__ == "__main__":
    main()
