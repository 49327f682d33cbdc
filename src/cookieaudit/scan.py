"""The scan core: discovery, then every (domain, choice) visit → observation files; finish.py turns them into the run.

``run_scan`` = :func:`check_options` (bad flags and files: exit 64 before anything is browsed) → :class:`Gather`
(one browser; page discovery once per domain beside the visits; every visit, retried once if the browser died
under it; the privacy policies fetched meanwhile) → :func:`finish_gathered` (rules, gates, formats, manifest).

Observations are written the moment a visit ends, so a later failure (another domain, the browser, an
interrupt) never loses evidence already collected; the run folder is always finalised with what exists and
says what is missing. A visit holds one of the ``concurrency`` browser slots only while it needs the browser:
its records are converted and written after its context is closed, while the next visit already walks.
``ScanResult.timings`` and ``Observation.timings`` say where the seconds went (``benchmarks/bench_scan.py``).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import platform
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from . import __version__
from .errors import ConfigError, OutputError
from .expectations import Expectations, expectations_hash, load_expectations
from .findings import SEVERITIES
from .finish import (ScanOptions, build_document, build_run_document, discovery_path, domain_pages, evaluate_repeats,  # noqa: F401
                     finalize_run, judged, observation_path, observed_vendors, plan_visits)
from .observations import Observation

ProgressFn = Callable[[str, dict[str, Any]], None]


@dataclass
class ScanResult:
    run_dir: Path
    document: dict[str, Any]
    exit_code: int
    observations: list[Observation] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)   # seconds per step of the run (benchmarks/bench_scan.py)


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


@dataclass
class Checked:
    """The options, checked before anything is browsed or written (bad files and flags: exit 64 first)."""

    exp: Expectations
    planned: list[tuple[str, str]]
    visits: list[tuple[str, str]]       # this shard's (domain, choice) pairs
    executable: str
    run_dir: Path
    concurrency: int
    waivers: Any = None
    baseline: Any = None


def check_options(opts: ScanOptions) -> Checked:
    from .browse.chromium import find_chromium
    from .gate import load_baseline, load_waivers, select_shard
    from .gate.history import check_history_path

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
    waivers = load_waivers(opts.waivers) if opts.waivers else None      # bad files: exit 64 before browsing
    baseline = load_baseline(opts.baseline) if opts.baseline else None
    if opts.history:
        check_history_path(opts.history)
    planned = plan_visits(exp, opts.domains, opts.choices)
    visits = select_shard(planned, opts.shard) if opts.shard else planned
    executable = find_chromium(opts.browser)
    run_dir = opts.out or new_run_dir()
    _check_writable(run_dir)
    return Checked(exp, planned, visits, executable, run_dir, opts.concurrency or default_concurrency(),
                   waivers=waivers, baseline=baseline)


def provenance_start(opts: ScanOptions, checked: Checked, started: str) -> dict[str, Any]:
    """What the run document says about the run itself; the browser and the end are added when known."""
    return {
        "id": checked.run_dir.name,
        "tool": {"name": "cookieaudit", "version": __version__, "git_commit": _git_commit()},
        "started_utc": started,
        "command": list(opts.command),
        "expectations": {"path": str(opts.expectations), "sha256": expectations_hash(opts.expectations)},
        "host": {"name": socket.gethostname(), "os": platform.platform(), "python": platform.python_version()},
        "resolve": list(opts.resolve),
        "ca_cert": str(opts.ca_cert) if opts.ca_cert else None,
        "concurrency": checked.concurrency,
        **({"shard": opts.shard, "planned": [list(v) for v in checked.planned]} if opts.shard else {}),
    }


class Gather:
    """The gathering half of a run: one browser, discovery once per domain, every visit (retried once if the
    browser died under it), each observation written the moment its visit ends."""

    def __init__(self, opts: ScanOptions, checked: Checked, progress: ProgressFn) -> None:
        from .browse.chromium import BrowserPolicy, host_resolver_rules

        self.opts, self.checked, self.exp, self.run_dir = opts, checked, checked.exp, checked.run_dir
        self.progress = progress
        self.policy = BrowserPolicy()
        self.rules = host_resolver_rules(list(opts.resolve))
        self.host: Any = None                                    # browse.host.BrowserHost once started
        self.write_failures: list[str] = []
        self.redactions: list[tuple[str, str]] = []   # (secret, token) pairs of every visit, for the policy snapshots
        self.reps: dict[int, dict[tuple[str, str], Observation]] = {r: {} for r in range(1, opts.repeat + 1)}
        self.discovery: dict[str, dict[str, Any]] = {}
        self.timings: dict[str, float] = {}
        self._sem: asyncio.Semaphore | None = None
        self._discovery_sem: asyncio.Semaphore | None = None
        self._discovering: dict[str, asyncio.Future] = {}
        self._unstarted = 0
        self.policy_snapshot: asyncio.Future | None = None   # the privacy policies, fetched beside the visits
        # one thread converts and writes the visits' records, one after the other (bounded memory), beside the visits
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cookieaudit-records")

    def mark(self, step: str, since: float) -> None:
        self.timings[step] = round(self.timings.get(step, 0.0) + time.monotonic() - since, 3)

    async def gather(self) -> None:
        """Every visit of the shard × repeat; one that fails for a reason of its own is listed, never the run lost."""
        from playwright.async_api import async_playwright

        from .browse.host import BrowserHost

        async with async_playwright() as pw:
            t = time.monotonic()
            self.host = BrowserHost(pw, self.checked.executable, self.policy, self.rules, self.opts.ca_cert)
            await self.host.start()
            self.mark("browser start", t)
            self._sem = asyncio.Semaphore(self.checked.concurrency)
            # discovery beside the visits, one domain at a time: a visit needs its domain's further pages only after
            # the choice, so the first visits walk their home page meanwhile (a slot of its own: no visit can
            # hold the slot its discovery waits for)
            self._discovery_sem = asyncio.Semaphore(1)
            visits = self.checked.visits
            self._discovering = {d: asyncio.ensure_future(self.discover(d)) for d in dict.fromkeys(d for d, _ in visits)}
            order = [(d, c, r) for r in range(1, self.opts.repeat + 1) for d, c in visits]
            self._unstarted = len(order)
            t = time.monotonic()
            results = await asyncio.gather(*(self.visit(d, c, r) for d, c, r in order), return_exceptions=True)
            self.mark("visits (first start to last end)", t)
            for (d, c, _r), res in zip(order, results):
                if isinstance(res, Exception):   # never lose the run for one visit: it is listed as missing
                    self.write_failures.append(f"{d}/{c}: not audited ({type(res).__name__}: "
                                               f"{str(res).splitlines()[0] if str(res) else ''})")

    def snapshot_policies(self) -> None:
        """The privacy policy of every audited domain as declared at scan time (evidence)."""
        from .gate.policy_check import snapshot_policies

        t = time.monotonic()
        snapshot_policies(self.exp, self.run_dir, sorted({d for d, _ in self.checked.visits}),
                          resolve=self.opts.resolve, ca_cert=self.opts.ca_cert, redact=self.opts.redact)
        self.mark("policy snapshot (beside the visits)", t)

    async def policy_snapshot_done(self) -> bool:
        """Whether the policy snapshot taken beside the visits completed (else the finish takes it)."""
        if self.policy_snapshot is None:
            return False
        try:
            await asyncio.shield(self.policy_snapshot)
            return True
        except BaseException:  # noqa: BLE001 - failed or cancelled: taken again at the finish
            return False

    async def close(self, provenance: dict[str, Any]) -> None:
        """Record the browser in the provenance and close it (also when cancelled: never leave it running)."""
        self._io.shutdown(wait=False)
        if self.host is None:
            return
        t = time.monotonic()
        provenance["browser"] = {**self.host.describe(), "playwright": _playwright_version()}
        try:
            await asyncio.shield(self.host.close())
        except BaseException:  # noqa: BLE001 - cancelled again: the process is gone with us
            if self.host.launched is not None:
                self.host.launched.kill()
        self.mark("browser close", t)

    async def discover(self, domain_host: str) -> list[str] | None:
        """Once per domain before its visits: the discovered pages (None: the configured ones)."""
        from .browse.discover import discover_pages, fallback_record

        domain = self.exp.domain(domain_host)
        assert domain is not None and self._discovery_sem is not None
        if domain.pages:
            return None
        async with self._discovery_sem:
            t = time.monotonic()
            self.progress("discovery-start", {"domain": domain_host})
            try:
                record = await discover_pages(await self.host.ensure(), domain, self.policy, self.host.user_agent,
                                              budget=min(45.0, self.opts.visit_budget))
            except Exception as exc:  # noqa: BLE001 - never lose the domain: walk its home page
                record = fallback_record(domain, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            self.discovery[domain_host] = record
            try:
                target = self.run_dir / discovery_path(domain_host)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")
            except OSError as exc:
                self.write_failures.append(f"{domain_host}: discovery record not saved ({exc.strerror})")
            self.mark("discovery (summed over domains)", t)
        self.progress("discovery-end", {"domain": domain_host, "pages": [p["path"] for p in record["pages"]],
                                        "error": record.get("error"), "seconds": record.get("duration_s")})
        return [p["path"] for p in record["pages"]]

    async def visit(self, domain_host: str, choice: str, rep: int) -> None:
        assert self._sem is not None
        discovering = self._discovering[domain_host]
        async with self._sem:
            t = time.monotonic()
            self._unstarted -= 1
            if not self._unstarted:
                # the last visit has started: the privacy policies are fetched meanwhile (no browser needed; not
                # earlier, when the thread would slow the event loop of every starting visit)
                self.policy_snapshot = asyncio.ensure_future(asyncio.to_thread(self.snapshot_policies))
            self.progress("visit-start", {"domain": domain_host, "choice": choice, "repeat": rep})
            # the pages: known now, or still being discovered (the visit asks for them after the choice)
            walk = discovering.result() if discovering.done() else asyncio.shield(discovering)
            visit = await self.visit_with_retry(domain_host, choice, rep, walk)
        if visit is None:
            return
        # the browser's part is done and its slot free for the next visit: the records are converted and written
        # meanwhile (in a thread, so the other visits' event handling keeps running)
        obs = await asyncio.get_running_loop().run_in_executor(self._io, visit.observation)
        if await self.save(obs, rep):
            self.progress("visit-end", {"domain": domain_host, "choice": choice, "status": obs.status,
                                        "consent": obs.consent.outcome, "seconds": round(time.monotonic() - t, 2),
                                        "requests": len(obs.requests), "errors": list(obs.errors), "repeat": rep})

    async def visit_with_retry(self, domain_host: str, choice: str, rep: int, walk: Any) -> Any:
        """The visit (browsed, not yet converted); if the browser died under it, relaunched (once, whoever noticed
        first) and the visit retried. None: the browser failed twice (listed as missing)."""
        from .browse.visit import Visit

        domain = self.exp.domain(domain_host)
        assert domain is not None
        host, opts = self.host, self.opts
        tag = f"r{rep}" if rep > 1 else ""
        browser = await host.ensure(reason=f"found dead before {domain_host}/{choice}")
        gen = host.generation
        try:
            visit = Visit(browser, domain, choice, self.exp, self.run_dir, self.policy, host.user_agent, tag=tag,
                          pages=walk)
            await visit.browse(opts.visit_budget)
            # a newer generation means another visit found this browser dead and relaunched it
            if host.generation == gen and host.alive():
                return visit
            first_errors = list(visit.errors)
        except Exception as exc:  # noqa: BLE001 - the browser was gone before the visit had a context
            first_errors = [f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"]
        await host.ensure(reason=f"crashed during {domain_host}/{choice}", stale=gen)
        try:
            visit = Visit(await host.ensure(), domain, choice, self.exp, self.run_dir, self.policy, host.user_agent,
                          tag=tag, pages=walk)
            visit.first_error = ("browser crashed during the first attempt and was restarted "
                                 f"({'; '.join(first_errors[:2])})")
            await visit.browse(opts.visit_budget)
        except Exception as exc:  # noqa: BLE001
            self.write_failures.append(f"{domain_host}/{choice}: not audited: the browser failed twice "
                                       f"({'; '.join(first_errors[:1])}; {type(exc).__name__})")
            return None
        return visit

    async def save(self, obs: Observation, rep: int) -> bool:
        """Redact (if asked) and write the observation; False (listed as missing) when it could not be written."""
        from .redact import redact_har, redact_observation

        t = time.monotonic()
        if self.opts.redact:
            # CPU-bound on a big observation: in a thread, so the other visits' clocks keep running
            obs, repl = await asyncio.to_thread(redact_observation, obs)
            self.redactions.extend(repl)
            har = self.run_dir / obs.evidence["har"] if obs.evidence.get("har") else None
            if har and har.exists():
                await asyncio.to_thread(redact_har, har, repl)
        try:
            await asyncio.get_running_loop().run_in_executor(
                self._io, obs.dump, self.run_dir / observation_path(obs.domain, obs.choice, rep))
        except OSError as exc:
            self.write_failures.append(f"{obs.domain}/{obs.choice}: observation not saved ({exc.strerror})")
            return False
        finally:
            self.mark("observation writing (summed)", t)
        self.reps[rep][(obs.domain, obs.choice)] = obs
        return True


async def run_scan(opts: ScanOptions, progress: ProgressFn | None = None) -> ScanResult:
    """Check the options, gather every visit, then finish the run folder with whatever was gathered."""
    from .browse.visit import utc_now

    progress = progress or (lambda event, data: None)
    checked = check_options(opts)
    provenance = provenance_start(opts, checked, utc_now())
    gather = Gather(opts, checked, progress)
    progress("start", {"run_dir": str(checked.run_dir), "visits": len(checked.visits) * opts.repeat,
                       "concurrency": checked.concurrency})
    interrupted: str | None = None
    main_task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGTERM, lambda: main_task and main_task.cancel())
    except (NotImplementedError, RuntimeError):
        pass
    try:
        await gather.gather()
    except (asyncio.CancelledError, KeyboardInterrupt) as exc:
        interrupted = f"interrupted ({'SIGTERM/SIGINT' if isinstance(exc, asyncio.CancelledError) else 'Ctrl-C'}) before all visits finished"
    finally:
        try:
            loop.remove_signal_handler(signal.SIGTERM)
        except (NotImplementedError, RuntimeError):
            pass
        await gather.close(provenance)
    policy_done = await gather.policy_snapshot_done()
    result = finish_gathered(opts, checked, gather, provenance, interrupted, policy_done)
    progress("done", {"run_dir": str(checked.run_dir), "exit_code": result.exit_code,
                      "summary": result.document["summary"]})
    if interrupted:
        raise KeyboardInterrupt(str(checked.run_dir))
    return result


def missing_visits(gather: Gather, interrupted: str | None) -> list[str]:
    """Every planned visit without a complete first observation, with why; then what could not be written."""
    observations = gather.reps[1]
    missing: list[str] = []
    for d, c in gather.checked.visits:
        if (d, c) not in observations:
            missing.append(f"{d}/{c}: not audited" + (f" ({interrupted})" if interrupted else ""))
        elif observations[(d, c)].status != "complete":
            missing.append(f"{d}/{c}: " + "; ".join(observations[(d, c)].errors[:2]))
    return missing + gather.write_failures


def finish_gathered(opts: ScanOptions, checked: Checked, gather: Gather, provenance: dict[str, Any],
                    interrupted: str | None, policy_done: bool = False) -> ScanResult:
    """The run folder from what was gathered: policy snapshots, rules, gates, formats, manifest, history."""
    from .browse.chromium import browser_version
    from .browse.visit import utc_now
    from .gate import apply_gates
    from .gate.policy_check import snapshot_policies   # the policy as declared at scan time (evidence)

    exp, run_dir, visits, timings = checked.exp, checked.run_dir, checked.visits, gather.timings
    provenance.setdefault("browser", {"executable": checked.executable, "version": browser_version(checked.executable),
                                      "policy": gather.policy.describe()})
    provenance["ended_utc"] = utc_now()
    warnings = [f"{h}: page discovery failed ({r['error']}); its visits walked the home page only"
                for h, r in sorted(gather.discovery.items()) if r.get("error")]
    if warnings:
        provenance["warnings"] = warnings
    provenance["repeat"] = opts.repeat
    provenance["redacted"] = opts.redact
    observations = gather.reps[1]
    missing = missing_visits(gather, interrupted)
    findings = evaluate_repeats(exp, gather.reps) if opts.repeat > 1 else None
    t = time.monotonic()
    if not policy_done:
        snapshot_policies(exp, run_dir, sorted({d for d, _ in visits}), resolve=opts.resolve, ca_cert=opts.ca_cert,
                          redact=opts.redact)
    if opts.redact:
        from .redact import redact_policy_snapshots

        redact_policy_snapshots(run_dir, sorted(set(gather.redactions), key=lambda r: -len(r[0])))
    gather.mark("policy snapshot", t)
    t = time.monotonic()
    doc = build_run_document(exp, provenance, visits, observations, missing, opts.fail_on, findings=findings,
                             discovery=gather.discovery)
    gather.mark("rules (run document)", t)
    t = time.monotonic()
    doc = apply_gates(doc, baseline=checked.baseline, waivers=checked.waivers)
    sandbox = doc.run["browser"].get("policy", {}).get("sandbox", "on")
    if gather.host is not None and sandbox != "on":      # never silently: at the top of the report (warnings)
        doc = doc.with_warning("browser-sandbox-off", f"the browser ran WITHOUT its renderer sandbox: {sandbox}")
    gather.mark("gates", t)
    t = time.monotonic()
    try:
        finalize_run(run_dir, doc, opts)
    except OSError as exc:
        raise OutputError(f"{run_dir}: the run folder could not be completed ({exc.strerror}); "
                          f"{len(observations)} observation(s) were saved before that, but the folder has no "
                          "manifest and is NOT a complete audit",
                          fix="free disk space or choose another --out, then re-run (or `cookieaudit report` the folder)") from None
    gather.mark("report + manifest", t)
    if opts.history:
        from .gate.history import append_history

        append_history(doc, opts.history)
    return ScanResult(run_dir, doc.to_dict(), doc.summary.exit_code, list(observations.values()), timings=dict(timings))


def _playwright_version() -> str:
    try:
        from importlib.metadata import version

        return version("playwright")
    except Exception:  # noqa: BLE001
        return "unknown"

