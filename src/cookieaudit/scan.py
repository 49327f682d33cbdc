"""The scan core: every (domain, choice) visit → observation files → rules → findings.json → formats → manifest.

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
from .errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, ConfigError, OutputError
from .expectations import Expectations, expectations_hash, load_expectations
from .findings import FINDINGS_SCHEMA, SEVERITIES, Finding, severity_rank
from .gate.summary import counts_for_exit
from .observations import ConsentOutcome, Observation

ProgressFn = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class ScanOptions:
    expectations: Path = Path("expectations/online-3d.yaml")
    out: Path | None = None
    domains: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    resolve: tuple[str, ...] = ()
    ca_cert: Path | None = None
    concurrency: int | None = None
    fail_on: str = "high"
    browser: str | None = None
    lang: str = "nl"
    formats: tuple[str, ...] = ("html", "junit", "markdown", "csv")
    pdf: bool = False
    visit_budget: float = 90.0
    repeat: int = 1
    redact: bool = False
    baseline: Path | None = None
    waivers: Path | None = None
    history: Path | None = None
    shard: str | None = None
    command: tuple[str, ...] = ()
    sign: Path | None = None            # Ed25519 private key: sign evidence-manifest.sha256 (manifest.py)


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


def plan_visits(exp: Expectations, domains: tuple[str, ...], choices: tuple[str, ...]) -> list[tuple[str, str]]:
    known_domains = [d.host for d in exp.domains]
    known_choices = exp.scenarios()
    for d in domains:
        if d not in known_domains:
            raise ConfigError(f"--domain {d}: not in the expectations file", fix=f"use one of: {', '.join(known_domains)}")
    for c in choices:
        if c not in known_choices:
            raise ConfigError(f"--choice {c}: unknown consent choice", fix=f"use one of: {', '.join(known_choices)}")
    return [(d, c) for d in known_domains if not domains or d in domains
            for c in known_choices if not choices or c in choices]


def observation_path(domain: str, choice: str, repeat: int = 1) -> str:
    return f"observations/{domain}/{choice}.json" if repeat == 1 else f"observations/{domain}/{choice}.r{repeat}.json"


def discovery_path(domain: str) -> str:
    return f"observations/{domain}/discovery.json"


def judged(observations: list[Observation]) -> list[Observation]:
    """The observations the rules may judge: a visit that met a page which is not the site is never judged."""
    return [o for o in observations if not o.not_site]


def evaluate_repeats(exp: Expectations, reps: dict[int, dict[tuple[str, str], Observation]]) -> list[Finding]:
    """Findings of N repetitions: each repetition judged on its own, merged by stable id with "seen in k of N"."""
    from .kb import load_kb
    from .rules import evaluate

    kb = load_kb()
    n = len(reps)
    merged: dict[str, Finding] = {}
    seen: dict[str, set[int]] = {}
    for rep, observations in sorted(reps.items()):
        paths = {v: observation_path(*v, rep) for v in observations}
        for f in evaluate(judged(list(observations.values())), exp, kb, paths):
            merged.setdefault(f.id, f)
            seen.setdefault(f.id, set()).add(rep)
    out = []
    for fid, f in merged.items():
        k = len(seen[fid])
        out.append(dataclasses.replace(f, details={**f.details, "seen": {"k": k, "n": n, "repeats": sorted(seen[fid])}}))
    return sorted(out, key=lambda f: (f.domain, f.choice, f.rule, f.id))


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
            for (d, c, r), res in zip(order, results):
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

    snapshot_policies(exp, run_dir, sorted({d for d, _ in visits}), resolve=opts.resolve, ca_cert=opts.ca_cert)
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


def build_document(exp: Expectations, provenance: dict[str, Any], visits: list[tuple[str, str]],
                   observations: dict[tuple[str, str], Observation], missing: list[str], fail_on: str,
                   findings: list[Finding] | None = None,
                   discovery: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """findings.json: provenance, one entry per visit, the rule catalogue and the findings.

    ``discovery``: the page-discovery record of each domain without configured pages (``discover_pages``).
    """
    from .kb import load_kb
    from .rules import catalogue, evaluate

    kb = load_kb()
    provenance["knowledge_base"] = {**kb.versions(), **({"notes": list(kb.notes())} if kb.notes() else {})}
    obs_list = [observations[v] for v in visits if v in observations]
    paths = {v: observation_path(*v) for v in observations}
    rule_errors: list[dict[str, str]] = []
    if findings is None:
        findings = evaluate(judged(obs_list), exp, kb, paths, errors=rule_errors)
    visit_entries = []
    for d, c in visits:
        o = observations.get((d, c))
        if o is None:
            visit_entries.append({"domain": d, "choice": c, "status": "incomplete", "observation": None,
                                  "consent": _consent_summary(ConsentOutcome(requested=c, outcome="not-performed",
                                                                             reason="not audited")),
                                  "errors": ["not audited"], "counts": {}})
            continue
        visit_entries.append({
            "domain": d, "choice": c, "status": o.status, "observation": observation_path(d, c),
            "consent": _consent_summary(o.consent), "errors": list(o.errors),
            "counts": {"requests": len(o.requests), "cookies": len({(k.name, k.domain) for k in o.cookies}),
                       "storage": len({(s.origin, s.kind, s.key) for s in o.storage})},
            "started_utc": o.started_utc, "ended_utc": o.ended_utc, "consent_wall_utc": o.consent_wall_utc,
            **({"not_site": {k: o.not_site.get(k) for k in ("kind", "reason", "phase", "url", "screenshot")}}
               if o.not_site else {}),
        })
    incomplete = sum(1 for v in visit_entries if v["status"] != "complete")
    # a crashed rule leaves the audit incomplete: its findings are missing, and the run says which rule and why
    missing = list(missing) + [f"rule {e['rule']} crashed ({e['error']}); its findings are missing" for e in rule_errors]
    by_sev: dict[str, int] = {}
    for f in findings:
        by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
    failing = [f for f in findings
               if severity_rank(f.severity) >= severity_rank(fail_on) and counts_for_exit(_finding_entry(f))]
    exit_code = EXIT_INCOMPLETE if incomplete or rule_errors else (EXIT_FINDINGS if failing else EXIT_OK)
    return {
        "schema": FINDINGS_SCHEMA,
        "status": "incomplete" if incomplete or rule_errors else "complete",
        "missing": missing,
        **({"rule_errors": rule_errors} if rule_errors else {}),
        "run": provenance,
        "domains": [{"host": d.host, "country": d.country, "locale": d.locale, "timezone": d.timezone,
                     **domain_pages(d, (discovery or {}).get(d.host), obs_list),
                     "vendors": observed_vendors(exp, kb, d.host, obs_list)}
                    for d in exp.domains if any(v[0] == d.host for v in visits)],
        "choices": sorted({c for _, c in visits}, key=exp.scenarios().index),
        "declared_vendors": [{"id": v.id, "name": v.name, "categories": v.categories, "ref": v.ref} for v in exp.vendors],
        "visits": visit_entries,
        "rules": catalogue(),
        "findings": [_finding_entry(f) for f in findings],
        "summary": {"visits": len(visit_entries), "complete": len(visit_entries) - incomplete,
                    "incomplete": incomplete, "findings": len(findings),
                    "findings_by_severity": {s: by_sev[s] for s in reversed(SEVERITIES) if s in by_sev},
                    "fail_on": fail_on, "failing_findings": len(failing), "exit_code": exit_code},
    }


def domain_pages(domain: Any, record: dict[str, Any] | None, observations: list[Observation]) -> dict[str, Any]:
    """``pages`` (the walk every choice of the domain used), ``pages_source`` and the discovery summary."""
    from .browse.discover import discovery_summary

    if domain.pages:
        return {"pages": list(domain.pages), "pages_source": "configured"}
    if record is not None:
        return {"pages": [p["path"] for p in record.get("pages", [])], "pages_source": "discovered",
                "discovery": {**discovery_summary(record), "record": discovery_path(domain.host)}}
    # no record at hand (e.g. merged shards): the walk as the observations show it
    from urllib.parse import urlsplit

    seen: list[str] = []
    for o in observations:
        if o.domain == domain.host:
            for p in o.pages:
                if p.phase in ("before-consent", "next-page", "after-withdraw"):
                    path = urlsplit(p.url).path or "/"
                    if path not in seen:
                        seen.append(path)
            break
    return {"pages": seen, "pages_source": "discovered", "discovery": {"record": discovery_path(domain.host)}}


def observed_vendors(exp: Expectations, kb: Any, host: str, observations: list[Observation]) -> list[dict[str, Any]]:
    """Declared versus observed vendors of one domain: what the policy names and what the browser saw."""
    from urllib.parse import urlsplit

    clf = kb.classifier([d.host for d in exp.domains])
    seen: dict[str, dict[str, Any]] = {}
    for o in observations:
        if o.domain != host:
            continue
        items = [(clf.request(r.url, r.resource_type, r.initiator), urlsplit(r.url).hostname or "") for r in o.requests]
        items += [(clf.cookie(c.name, c.domain, c.set_by), None) for c in o.cookies]
        items += [(clf.storage(s.origin, s.key, s.kind), None) for s in o.storage]
        for att, req_host in items:
            if not att.vendor:
                continue
            v = seen.setdefault(att.vendor, {"id": att.vendor, "name": kb.vendor_name(att.vendor),
                                             "category": att.category, "hosts": set(), "choices": set()})
            if req_host:
                v["hosts"].add(req_host)
            v["choices"].add(o.choice)
    declared = {v.id for v in exp.vendors}
    out = [{**v, "declared": v["id"] in declared, "observed": True, "hosts": sorted(v["hosts"]),
            "choices": sorted(v["choices"], key=exp.scenarios().index)} for v in seen.values()]
    out += [{"id": v.id, "name": v.name, "category": v.categories[0], "declared": True, "observed": False,
             "hosts": [], "choices": []} for v in exp.vendors if v.id not in seen]
    return sorted(out, key=lambda v: (not v["declared"], v["id"]))


def _finding_entry(f: Finding) -> dict[str, Any]:
    entry = f.to_dict()
    seen = f.details.get("seen")
    if seen:
        entry["seen"] = f"{seen['k']} of {seen['n']}"
    return entry


def _consent_summary(c: ConsentOutcome) -> dict[str, Any]:
    return {"outcome": c.outcome, "method": c.method, "cmp": c.cmp, "reason": c.reason,
            "accepted_categories": list(c.accepted_categories) if c.accepted_categories is not None else None}


def finalize_run(run_dir: Path, doc: dict[str, Any], opts: ScanOptions) -> None:
    """Write findings.json, render the formats, and seal the folder with the manifest (always last)."""
    import json

    from .formats import render
    from .manifest import write_manifest

    target = run_dir / "findings.json"
    tmp = target.with_suffix(".json.part")
    tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(target)
    formats = list(opts.formats) + (["pdf"] if opts.pdf else [])
    if opts.sign is not None:   # before the outputs, so the report and the dossiers show the key fingerprint
        from .manifest import sign_evidence_manifest

        sign_evidence_manifest(run_dir, opts.sign)
    render(run_dir, formats, lang=opts.lang)
    from .formats.dossier import scan_dossiers

    scan_dossiers(run_dir, doc, opts.lang, pdf=opts.pdf)
    write_manifest(run_dir)
