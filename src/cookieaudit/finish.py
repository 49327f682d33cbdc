"""Finishing a run: observations → rules → findings.json document → gates → formats → manifest.

Below the scan (which only gathers) and shared with ``merge`` (shards) and ``evaluate`` (re-judging stored
observations with the current knowledge base and rules): one path from evidence to a sealed run folder.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError
from .expectations import Expectations
from .findings import SEVERITIES, Finding
from .gate.summary import summarize
from .observations import ConsentOutcome, Observation
from .rundoc import (ConsentSummary, DeclaredVendor, DomainEntry, RuleError, RunDocument, Summary, VendorSeen,
                     VisitEntry, VisitTiming, as_document)


# the outputs a scan writes unless told otherwise (scan, merge and evaluate share them)
DEFAULT_FORMATS: tuple[str, ...] = ("html", "junit", "markdown", "csv")


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
    formats: tuple[str, ...] = DEFAULT_FORMATS
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


def plan_visits(exp: Expectations, domains: tuple[str, ...], choices: tuple[str, ...]) -> list[tuple[str, str]]:
    known_domains = [d.host for d in exp.domains]
    known_choices = exp.all_choices()
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


def build_document(exp: Expectations, provenance: dict[str, Any], visits: list[tuple[str, str]],
                   observations: dict[tuple[str, str], Observation], missing: list[str], fail_on: str,
                   findings: list[Finding] | None = None,
                   discovery: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """:func:`build_run_document` as a findings.json dict (for callers that still pass dicts)."""
    return build_run_document(exp, provenance, visits, observations, missing, fail_on, findings=findings,
                              discovery=discovery).to_dict()


def build_run_document(exp: Expectations, provenance: Mapping[str, Any], visits: list[tuple[str, str]],
                       observations: dict[tuple[str, str], Observation], missing: list[str], fail_on: str,
                       findings: list[Finding] | None = None,
                       discovery: dict[str, dict[str, Any]] | None = None) -> RunDocument:
    """The run document: provenance, one entry per visit, the rule catalogue, the findings and the summary.

    ``findings``: already judged (``--repeat``: :func:`evaluate_repeats`); otherwise the rules judge the
    observations here. ``discovery``: the page-discovery record of each domain without configured pages.
    """
    from .kb import load_kb
    from .rules import catalogue, evaluate

    kb = load_kb()
    run = {**provenance, "knowledge_base": {**kb.versions(), **({"notes": list(kb.notes())} if kb.notes() else {})}}
    obs_list = [observations[v] for v in visits if v in observations]
    paths = {v: observation_path(*v) for v in observations}
    rule_errors: list[dict[str, str]] = []
    if findings is None:
        findings = evaluate(judged(obs_list), exp, kb, paths, errors=rule_errors)
    # a crashed rule leaves the audit incomplete: its findings are missing, and the run says which rule and why
    missing = list(missing) + [f"rule {e['rule']} crashed ({e['error']}); its findings are missing" for e in rule_errors]
    doc = RunDocument(
        run=run, status="complete", missing=tuple(missing),
        rule_errors=tuple(RuleError.from_dict(e) for e in rule_errors),
        domains=tuple(DomainEntry(host=d.host, country=d.country, locale=d.locale, timezone=d.timezone,
                                  **domain_pages(d, (discovery or {}).get(d.host), obs_list),
                                  vendors=tuple(observed_vendors(exp, kb, d.host, obs_list)))
                      for d in exp.domains if any(v[0] == d.host for v in visits)),
        choices=tuple(sorted({c for _, c in visits}, key=exp.all_choices().index)),
        declared_vendors=tuple(DeclaredVendor(id=v.id, name=v.name, categories=tuple(v.categories), ref=v.ref)
                               for v in exp.vendors),
        visits=tuple(visit_entry(d, c, observations.get((d, c))) for d, c in visits),
        rules=catalogue(),
        findings=tuple(_with_seen(f) for f in findings),
        summary=Summary(fail_on=fail_on),
    )
    return summarize(doc)     # the one summary / exit-code function (gate.summary), also after the gates


def visit_entry(domain: str, choice: str, o: Observation | None) -> VisitEntry:
    """What the run document says of one visit; ``o`` None: the visit was not audited."""
    if o is None:
        return VisitEntry(domain=domain, choice=choice, status="incomplete", observation=None,
                          consent=_consent_summary(ConsentOutcome(requested=choice, outcome="not-performed",
                                                                  reason="not audited")),
                          errors=("not audited",))
    return VisitEntry(
        domain=domain, choice=choice, status=o.status, observation=observation_path(domain, choice),
        consent=_consent_summary(o.consent), errors=tuple(o.errors),
        counts={"requests": len(o.requests), "cookies": len({(k.name, k.domain) for k in o.cookies}),
                "storage": len({(s.origin, s.kind, s.key) for s in o.storage})},
        timing=VisitTiming(o.started_utc, o.ended_utc, o.consent_wall_utc),
        not_site={k: o.not_site.get(k) for k in ("kind", "reason", "phase", "url", "screenshot")}
        if o.not_site else None)


def domain_pages(domain: Any, record: dict[str, Any] | None, observations: list[Observation]) -> dict[str, Any]:
    """``pages`` (the walk every choice of the domain used), ``pages_source`` and the discovery summary, as the
    keyword arguments of :class:`DomainEntry`."""
    from .browse.discover import discovery_summary

    if domain.pages:
        return {"pages": tuple(domain.pages), "pages_source": "configured"}
    if record is not None:
        return {"pages": tuple(p["path"] for p in record.get("pages", [])), "pages_source": "discovered",
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
    return {"pages": tuple(seen), "pages_source": "discovered", "discovery": {"record": discovery_path(domain.host)}}


def observed_vendors(exp: Expectations, kb: Any, host: str, observations: list[Observation]) -> list[VendorSeen]:
    """Declared versus observed vendors of one domain: what the policy names and what the browser saw."""
    from urllib.parse import urlsplit

    clf = kb.classifier([d.host for d in exp.domains])
    seen: dict[str, dict[str, Any]] = {}
    for o in observations:
        if o.domain != host:
            continue
        items: list[tuple[Any, str | None]] = [
            (clf.request(r.url, r.resource_type, r.initiator), urlsplit(r.url).hostname or "") for r in o.requests]
        items += [(clf.cookie(c.name, c.domain, c.set_by), None) for c in o.cookies]
        items += [(clf.storage(s.origin, s.key, s.kind), None) for s in o.storage]
        for att, req_host in items:
            if not att.vendor:
                continue
            v = seen.setdefault(att.vendor, {"name": kb.vendor_name(att.vendor), "category": att.category,
                                             "hosts": set(), "choices": set()})
            if req_host:
                v["hosts"].add(req_host)
            v["choices"].add(o.choice)
    declared = {v.id for v in exp.vendors}
    out = [VendorSeen(id=vid, name=v["name"], category=v["category"], declared=vid in declared, observed=True,
                      hosts=tuple(sorted(v["hosts"])), choices=tuple(sorted(v["choices"], key=exp.all_choices().index)))
           for vid, v in seen.items()]
    out += [VendorSeen(id=v.id, name=v.name, category=v.categories[0], declared=True, observed=False)
            for v in exp.vendors if v.id not in seen]
    return sorted(out, key=lambda v: (not v.declared, v.id or ""))


def _with_seen(f: Finding) -> Finding:
    """A finding of repeated visits marked "k of N" (the repetitions it was seen in are in ``details.seen``)."""
    seen = f.details.get("seen")
    return dataclasses.replace(f, seen=f"{seen['k']} of {seen['n']}") if seen else f


def _consent_summary(c: ConsentOutcome) -> ConsentSummary:
    return ConsentSummary(outcome=c.outcome, method=c.method, cmp=c.cmp, reason=c.reason,
                          accepted_categories=tuple(c.accepted_categories) if c.accepted_categories is not None
                          else None)


def finalize_run(run_dir: Path, doc: RunDocument | dict[str, Any], opts: ScanOptions) -> None:
    """Write findings.json, render the formats, and seal the folder with the manifest (always last)."""
    import json

    from .formats import render
    from .manifest import write_manifest

    data = doc.to_dict() if isinstance(doc, RunDocument) else doc
    target = run_dir / "findings.json"
    tmp = target.with_suffix(".json.part")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(target)
    formats = list(opts.formats) + (["pdf"] if opts.pdf else [])
    if opts.sign is not None:   # before the outputs, so the report and the dossiers show the key fingerprint
        from .manifest import sign_evidence_manifest

        sign_evidence_manifest(run_dir, opts.sign)
    render(run_dir, formats, lang=opts.lang)
    from .formats.dossier import scan_dossiers

    scan_dossiers(run_dir, as_document(doc), opts.lang, pdf=opts.pdf)
    write_manifest(run_dir)


def reevaluate(run_dir: Path, out: Path, *, expectations: Path | None = None, fail_on: str = "high",
               lang: str = "nl", formats: tuple[str, ...] = DEFAULT_FORMATS,
               baseline: Path | None = None, waivers: Path | None = None) -> RunDocument:
    """Judge a run's stored observations again with the current knowledge base and rules, without a browser.

    The evidence (every sub-folder: observations, screenshots, HARs, policy snapshots) is copied to ``out``, a new
    run folder; the original stays as it was sealed. The new findings.json records where it came from
    (``run.evaluation``) and which expectations, knowledge base and tool version judged it."""
    from .expectations import load_expectations
    from .gate.apply import apply_gates

    run_dir, out = Path(run_dir), Path(out)
    old = _stored_document(run_dir)
    if fail_on not in SEVERITIES:
        raise ConfigError(f"--fail-on {fail_on}: unknown severity", fix=f"use one of: {', '.join(SEVERITIES)}")
    recorded = old.run.get("expectations") or {}
    exp_path = Path(expectations or recorded.get("path") or "")
    if not exp_path.is_file():
        raise ConfigError(f"{exp_path}: the expectations file this run was judged with is not here",
                          fix="pass --expectations PATH")
    exp = load_expectations(exp_path)
    if out.resolve() == run_dir.resolve() or out.exists():
        raise ConfigError(f"--out {out}: must be a new folder", fix="choose a folder that does not exist yet")
    _copy_evidence(run_dir, out)
    observations, missing = _stored_observations(old, out)
    discovery = _stored_discovery(out, {v.domain for v in old.visits})
    doc = build_run_document(exp, _evaluation_provenance(old, out, exp_path), [v.key for v in old.visits],
                             observations, missing, fail_on, discovery=discovery)
    doc = apply_gates(doc, baseline=baseline, waivers=waivers)
    finalize_run(out, doc, ScanOptions(expectations=exp_path, out=out, fail_on=fail_on, lang=lang, formats=formats))
    return doc


def _stored_document(run_dir: Path) -> RunDocument:
    import json

    try:
        return RunDocument.from_dict(json.loads((run_dir / "findings.json").read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{run_dir}/findings.json: cannot be read ({exc})",
                          fix="pass a run folder written by `cookieaudit scan`") from None


def _copy_evidence(run_dir: Path, out: Path) -> None:
    """Every sub-folder of the sealed run into the new one (the top-level files are outputs: written anew)."""
    import shutil

    from .errors import OutputError

    try:
        out.mkdir(parents=True)
        for sub in sorted(p for p in run_dir.iterdir() if p.is_dir()):
            shutil.copytree(sub, out / sub.name)
    except OSError as exc:
        raise OutputError(f"{out}: the evidence could not be copied ({exc.strerror})",
                          fix="free disk space or choose another --out") from None


def _stored_observations(old: RunDocument, out: Path) -> tuple[dict[tuple[str, str], Observation], list[str]]:
    """The observations the stored run recorded, and what is missing (a crashed rule is judged again)."""
    observations: dict[tuple[str, str], Observation] = {}
    missing = [m for m in old.missing if "crashed" not in m]
    for v in old.visits:
        if not v.observation:
            continue
        try:
            observations[v.key] = Observation.load(out / v.observation)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            missing.append(f"{v.domain}/{v.choice}: stored observation unreadable ({type(exc).__name__})")
    return observations, missing


def _stored_discovery(out: Path, hosts: set[str]) -> dict[str, dict[str, Any]]:
    import json

    discovery: dict[str, dict[str, Any]] = {}
    for host in hosts:
        p = out / discovery_path(host)
        if p.is_file():
            try:
                discovery[host] = json.loads(p.read_text(encoding="utf-8"))
            except ValueError:
                pass
    return discovery


def _evaluation_provenance(old: RunDocument, out: Path, exp_path: Path) -> dict[str, Any]:
    """The stored run's provenance, with where this evaluation came from and what judged it (``evaluation``)."""
    from datetime import datetime, timezone

    from . import __version__
    from .expectations import expectations_hash

    provenance = dict(old.run)
    sha = expectations_hash(exp_path)
    provenance["evaluation"] = {
        "from_run": provenance.get("id"), "utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "tool": {"name": "cookieaudit", "version": __version__},
        "expectations": {"path": str(exp_path), "sha256": sha,
                         "same_as_recorded": sha == (old.run.get("expectations") or {}).get("sha256")},
    }
    provenance["id"] = out.name
    return provenance
