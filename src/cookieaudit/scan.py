"""The scan core: discovery, then every (domain, choice) visit → observation files; finish.py turns them into the run.

Observations are written the moment a visit ends, so a later failure (another domain, the browser, an
interrupt) never loses evidence already collected; the run folder is always finalised with what exists and
says what is missing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import platform
import socket
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from . import __version__
from .errors import ConfigError, OutputError
from .expectations import expectations_hash, load_expectations
from .findings import SEVERITIES
from .finish import (ScanOptions, build_document, discovery_path, domain_pages, evaluate_repeats,  # noqa: F401
                     finalize_run, judged, observation_path, observed_vendors, plan_visits)
from .observations import Observation

ProgressFn = Callable[[str, dict[str, Any]], None]


@dataclass
class ScanResult:
    run_dir: Path
    document: dict[str, Any]
    exit_code: int
    observations: list[Observation] = field(default_factory=list)


def default_concurrency() -> int:
    """Parallel visits: bounded by cores (CPU-bound renderer work) and memory (~300 MiB per context)."""
    cores = os.cpu_count() or 1
    try:
        import psutil

        mem_slots = int(psutil.virtual_memory().available / (300 * 2**20))
    except Exception:  # noqa: BLE001
        mem_slots = 4
    # visits mostly wait (network, settle windows): measured on 2 cores, 5 in parallel use both cores without
    # exceeding ~1.4 GiB PSS (benchmarks/bench_scan.py)
    return max(1, min(2 * cores + 1, mem_slots, 8))


def new_run_dir(base: Path = Path("reports")) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    candidate = base / f"run-{stamp}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = base / f"run-{stamp}-{n}"
    return candidate


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent)
        return out.stdout.strip() or None
    except Exception:  # noqa: BLE001
        return None


def _check_writable(run_dir: Path) -> None:
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        probe = run_dir / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"{run_dir}: output folder not writable ({exc.strerror})",
                          fix="choose another folder with --out DIR or fix its permissions/free space") from None


async def run_scan(opts: ScanOptions, progress: ProgressFn | None = None) -> ScanResult:
    from playwright.async_api import async_playwright

    from .browse.chromium import BrowserPolicy, browser_version, find_chromium, host_resolver_rules
    from .browse.host import BrowserHost
    from .browse.discover import discover_pages
    from .browse.visit import run_visit, utc_now
    from .redact import redact_har, redact_observation

    progress = progress or (lambda event, data: None)
    exp = load_expectations(opts.expectations)
    if opts.repeat < 1:
        raise ConfigError(f"--repeat {opts.repeat}: must be at least 1", fix="e.g. --repeat 3")
    if opts.fail_on not in SEVERITIES:
        raise ConfigError(f"--fail-on {opts.fail_on}: unknown severity", fix=f"use one of: {', '.join(SEVERITIES)}")
    if opts.ca_cert and not opts.ca_cert.is_file():
        raise ConfigError(f"--ca-cert {opts.ca_cert}: file not found", fix="pass the PEM file of the CA that signed the target's certificate")
    for entry in opts.resolve:
        if "=" not in entry or not entry.split("=", 1)[0] or not entry.split("=", 1)[1]:
            raise ConfigError(f"--resolve {entry!r}: expected HOST=ADDR[:PORT]", fix="e.g. --resolve '*=10.0.0.5:443'")
    from .gate import apply_gates, load_baseline, load_waivers, select_shard
    from .gate.history import check_history_path

    waivers = load_waivers(opts.waivers) if opts.waivers else None      # bad files: exit 64 before browsing
    baseline = load_baseline(opts.baseline) if opts.baseline else None
    if opts.history:
        check_history_path(opts.history)
    planned = plan_visits(exp, opts.domains, opts.choices)
    visits = select_shard(planned, opts.shard) if opts.shard else planned
    executable = find_chromium(opts.browser)
    run_dir = opts.out or new_run_dir()
    _check_writable(run_dir)
    concurrency = opts.concurrency or default_concurrency()
    policy = BrowserPolicy()
    rules = host_resolver_rules(list(opts.resolve))
    started = utc_now()
    observations: dict[tuple[str, str], Observation] = {}
    missing: list[str] = []
    provenance: dict[str, Any] = {
        "id": run_dir.name,
        "tool": {"name": "cookieaudit", "version": __version__, "git_commit": _git_commit()},
        "started_utc": started,
        "command": list(opts.command),
        "expectations": {"path": str(opts.expectations), "sha256": expectations_hash(opts.expectations)},
        "host": {"name": socket.gethostname(), "os": platform.platform(), "python": platform.python_version()},
        "resolve": list(opts.resolve),
        "ca_cert": str(opts.ca_cert) if opts.ca_cert else None,
        "concurrency": concurrency,
        **({"shard": opts.shard, "planned": [list(v) for v in planned]} if opts.shard else {}),
    }
    progress("start", {"run_dir": str(run_dir), "visits": len(visits) * opts.repeat, "concurrency": concurrency})
    interrupted: str | None = None
    write_failures: list[str] = []
    redactions: list[tuple[str, str]] = []   # (secret, token) pairs of every visit, for the policy snapshots
    reps: dict[int, dict[tuple[str, str], Observation]] = {r: {} for r in range(1, opts.repeat + 1)}
    discovery: dict[str, dict[str, Any]] = {}
    host: BrowserHost | None = None
    main_task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGTERM, lambda: main_task and main_task.cancel())
    except (NotImplementedError, RuntimeError):
        pass
    try:
        async with async_playwright() as pw:
            host = BrowserHost(pw, executable, policy, rules, opts.ca_cert)
            await host.start()
            sem = asyncio.Semaphore(concurrency)

            async def discover(domain_host: str) -> list[str] | None:
                """Once per domain before its visits: the discovered pages (None: the configured ones)."""
                domain = exp.domain(domain_host)
                assert domain is not None
                if domain.pages:
                    return None
                async with sem:
                    progress("discovery-start", {"domain": domain_host})
                    try:
                        record = await discover_pages(await host.ensure(), domain, policy, host.user_agent,
                                                      budget=min(45.0, opts.visit_budget))
                    except Exception as exc:  # noqa: BLE001 - never lose the domain: walk its home page
                        record = {"schema": "cookieaudit.discovery/1", "domain": domain_host,
                                  "pages": [{"path": "/", "url": domain.url("/"), "kind": "home",
                                             "reason": "the home page: consent is given here"}],
                                  "candidates": [], "fallback": "the home page only",
                                  "error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}
                discovery[domain_host] = record
                try:
                    target = run_dir / discovery_path(domain_host)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")
                except OSError as exc:
                    write_failures.append(f"{domain_host}: discovery record not saved ({exc.strerror})")
                progress("discovery-end", {"domain": domain_host, "pages": [p["path"] for p in record["pages"]],
                                           "error": record.get("error"), "seconds": record.get("duration_s")})
                return [p["path"] for p in record["pages"]]

            discovering = {d: asyncio.ensure_future(discover(d)) for d in dict.fromkeys(d for d, _ in visits)}

            async def one(domain_host: str, choice: str, rep: int) -> None:
                walk = await discovering[domain_host]
                async with sem:
                    domain = exp.domain(domain_host)
                    assert domain is not None
                    progress("visit-start", {"domain": domain_host, "choice": choice, "repeat": rep})
                    t = time.monotonic()
                    tag = f"r{rep}" if rep > 1 else ""
                    browser = await host.ensure(reason=f"found dead before {domain_host}/{choice}")
                    gen = host.generation
                    first_errors: list[str] = []
                    try:
                        obs = await run_visit(browser, domain, choice, exp, run_dir, policy, host.user_agent,
                                              budget=opts.visit_budget, tag=tag, pages=walk)
                        # a newer generation means another visit found this browser dead and relaunched it
                        crashed = host.generation != gen or not host.alive()
                        first_errors = list(obs.errors)
                    except Exception as exc:  # noqa: BLE001 - the browser was gone before the visit had a context
                        crashed = True
                        first_errors = [f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"]
                    if crashed:
                        # the browser died under this visit: relaunch (unless another visit already did), retry once
                        await host.ensure(reason=f"crashed during {domain_host}/{choice}", stale=gen)
                        try:
                            obs = await run_visit(await host.ensure(), domain, choice, exp, run_dir, policy,
                                                  host.user_agent, budget=opts.visit_budget, tag=tag, pages=walk)
                        except Exception as exc:  # noqa: BLE001
                            write_failures.append(f"{domain_host}/{choice}: not audited: the browser failed twice "
                                                  f"({'; '.join(first_errors[:1])}; {type(exc).__name__})")
                            return
                        obs = dataclasses.replace(obs, errors=(
                            f"browser crashed during the first attempt and was restarted ({'; '.join(first_errors[:2])})",
                            *obs.errors))
                    if opts.redact:
                        # CPU-bound on a big observation: in a thread, so the other visits' clocks keep running
                        obs, repl = await asyncio.to_thread(redact_observation, obs)
                        redactions.extend(repl)
                        har = run_dir / obs.evidence.get("har", "") if obs.evidence.get("har") else None
                        if har and har.exists():
                            await asyncio.to_thread(redact_har, har, repl)
                    try:
                        obs.dump(run_dir / observation_path(domain_host, choice, rep))
                    except OSError as exc:
                        write_failures.append(f"{domain_host}/{choice}: observation not saved ({exc.strerror})")
                        return
                    reps[rep][(domain_host, choice)] = obs
                    progress("visit-end", {"domain": domain_host, "choice": choice, "status": obs.status,
                                           "consent": obs.consent.outcome, "seconds": round(time.monotonic() - t, 2),
                                           "requests": len(obs.requests), "errors": list(obs.errors), "repeat": rep})

            order = [(d, c, r) for r in range(1, opts.repeat + 1) for d, c in visits]
            results = await asyncio.gather(*(one(d, c, r) for d, c, r in order), return_exceptions=True)
            for (d, c, _r), res in zip(order, results):
                if isinstance(res, Exception):   # never lose the run for one visit: it is listed as missing
                    write_failures.append(f"{d}/{c}: not audited ({type(res).__name__}: "
                                          f"{str(res).splitlines()[0] if str(res) else ''})")
    except (asyncio.CancelledError, KeyboardInterrupt) as exc:
        interrupted = f"interrupted ({'SIGTERM/SIGINT' if isinstance(exc, asyncio.CancelledError) else 'Ctrl-C'}) before all visits finished"
    finally:
        try:
            loop.remove_signal_handler(signal.SIGTERM)
        except (NotImplementedError, RuntimeError):
            pass
        if host is not None:
            provenance["browser"] = {**host.describe(), "playwright": _playwright_version()}
            try:
                await asyncio.shield(host.close())
            except BaseException:  # noqa: BLE001 - cancelled again: the process is gone with us
                if host.launched is not None:
                    host.launched.kill()
    provenance.setdefault("browser", {"executable": executable, "version": browser_version(executable),
                                      "policy": policy.describe()})
    provenance["ended_utc"] = utc_now()
    warnings = [f"{h}: page discovery failed ({r['error']}); its visits walked the home page only"
                for h, r in sorted(discovery.items()) if r.get("error")]
    if warnings:
        provenance["warnings"] = warnings
    provenance["repeat"] = opts.repeat
    provenance["redacted"] = opts.redact
    observations = reps[1]
    for d, c in visits:
        if (d, c) not in observations:
            missing.append(f"{d}/{c}: not audited" + (f" ({interrupted})" if interrupted else ""))
        elif observations[(d, c)].status != "complete":
            missing.append(f"{d}/{c}: " + "; ".join(observations[(d, c)].errors[:2]))
    missing.extend(write_failures)
    findings = None
    if opts.repeat > 1:
        findings = evaluate_repeats(exp, reps)
    from .gate.policy_check import snapshot_policies   # the policy as declared at scan time (evidence)

    snapshot_policies(exp, run_dir, sorted({d for d, _ in visits}), resolve=opts.resolve, ca_cert=opts.ca_cert,
                      redact=opts.redact)
    if opts.redact:
        from .redact import redact_policy_snapshots

        redact_policy_snapshots(run_dir, sorted(set(redactions), key=lambda r: -len(r[0])))
    doc = build_document(exp, provenance, visits, observations, missing, opts.fail_on, findings=findings,
                         discovery=discovery)
    if write_failures and not doc["summary"]["incomplete"]:
        doc["status"] = "incomplete"
    doc = apply_gates(doc, baseline=baseline, waivers=waivers)
    sandbox = doc["run"]["browser"].get("policy", {}).get("sandbox", "on")
    if host is not None and sandbox != "on":      # never silently: at the top of the report (warnings)
        from .gate.summary import add_warning

        add_warning(doc, "browser-sandbox-off", f"the browser ran WITHOUT its renderer sandbox: {sandbox}")
    try:
        finalize_run(run_dir, doc, opts)
    except OSError as exc:
        raise OutputError(f"{run_dir}: the run folder could not be completed ({exc.strerror}); "
                          f"{len(observations)} observation(s) were saved before that, but the folder has no "
                          "manifest and is NOT a complete audit",
                          fix="free disk space or choose another --out, then re-run (or `cookieaudit report` the folder)") from None
    if opts.history:
        from .gate.history import append_history

        append_history(doc, opts.history)
    progress("done", {"run_dir": str(run_dir), "exit_code": doc["summary"]["exit_code"], "summary": doc["summary"]})
    if interrupted:
        raise KeyboardInterrupt(str(run_dir))
    return ScanResult(run_dir, doc, doc["summary"]["exit_code"], list(observations.values()))


def _playwright_version() -> str:
    try:
        from importlib.metadata import version

        return version("playwright")
    except Exception:  # noqa: BLE001
        return "unknown"

