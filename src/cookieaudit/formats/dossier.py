"""The per-domain dossier a case officer reads in ten minutes: ``dossier-<domain>-<lang>.html`` / ``.pdf``.

Cover (shop, date, run id, evidence-manifest hash, tool version, signing-key fingerprint), a one-page summary in
plain language (what the policy promises, what was observed, the violations by severity), then each violation —
a grouped finding of severity ≥ low — with at most :data:`MAX_EXHIBITS` exhibits quoted, each with its time
relative to the click that matters, the banner screenshot with the clicked button outlined and the legal basis in
words. Appendices: every exhibit with its raw attribution, findings for information, the legal norms, method and
the evidence files of the domain with their SHA-256.

Self-contained and script-free like report.html (same CSP, screenshots embedded once as data: URIs). Languages:
nl (default), en, fr, de — all text from :mod:`.dossier_text` and :mod:`.legal`, never from another language.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..findings import Finding, severity_rank
from ..rundoc import RunDocument
from .dossier_text import DOSSIER_LANGUAGES, RULE_TITLES, text
from .html_report import environment
from .legal import norm, norms_for
from .records import capture_epoch
from .rundata import RunData, counts
from .screenshots import Shots
from .timeline import anchors, describe
from .view import SEVERITY_ORDER, third_party

MAX_EXHIBITS = 3
POLICY_DIR = "policy"          # evidence/policy snapshots: <run>/policy/<domain>.json (+ .txt)


def dossier_name(domain: str, lang: str, ext: str) -> str:
    return f"dossier-{domain}-{lang}.{ext}"


class DL:
    """Dossier labels for one language."""

    def __init__(self, lang: str):
        self.lang = lang
        self.T = text(lang)

    def __getitem__(self, key: str) -> str:
        return self.T[key]

    def severity(self, sev: str) -> str:
        return self.T[f"sev_{sev}"]

    def category(self, cat: str | None) -> str:
        return self.T.get(f"cat_{cat}", cat or "—")

    def choice(self, choice: str) -> str:
        if choice.startswith("only-"):
            return self.T["choice_only"].format(cat=self.category(choice[len("only-"):]))
        return self.T.get(f"choice_{choice}", choice)

    def phase(self, phase: str | None) -> str:
        return self.T.get(f"phase_{phase}", phase or "—")

    def count(self, kind: str, n: int) -> str:
        return self.T[f"n_{kind}_1"] if n == 1 else self.T[f"n_{kind}_n"].format(n=n)

    def duration(self, days: float | None) -> str:
        if days is None:
            return self.T["session"]
        if days < 2:
            return self.T["hours"].format(n=max(0, round(days * 24)))
        return self.T["days"].format(n=round(days))

    def codes(self, run: RunData, sentence: str) -> str:
        """A rule's sentence with the consent-choice codes it quotes (``reject-all``) as the reader's words."""
        for c in sorted(set(run.choices) | {"reject-all", "accept-all", "no-interaction", "withdraw"}, key=len,
                        reverse=True):
            sentence = re.sub(rf"(?<![\w/.-]){re.escape(c)}(?![\w/.-])", f"‘{self.choice(c)}’", sentence)
        return sentence

    def rule_title(self, run: RunData, rule: str) -> str:
        if self.lang in ("fr", "de"):
            return RULE_TITLES.get(rule, {}).get(self.lang, rule)
        t = (run.rules.get(rule) or {}).get("title")
        if isinstance(t, dict):
            return t.get(self.lang) or rule
        return t or rule

    def rule_explanation(self, run: RunData, rule: str) -> str:
        if self.lang in ("fr", "de"):
            return ""
        e = (run.rules.get(rule) or {}).get("explanation")
        out = (e.get(self.lang) or "") if isinstance(e, dict) else ""
        # explanations refer to other rules by id: the reader sees their titles
        for rid in sorted(run.rules, key=len, reverse=True):
            out = re.sub(rf"(?<![\w-]){re.escape(rid)}(?![\w-])", f"‘{self.rule_title(run, rid)}’", out)
        return self.codes(run, out)


# -- exhibits -----------------------------------------------------------------------------------------------

def _exhibits_of(f: Finding) -> list[dict[str, Any]]:
    """A grouped finding's exhibits; an older findings.json (one finding per subject) gives one from the finding."""
    if f.exhibits:
        return list(f.exhibits)
    ev = next((e for e in f.evidence if e.pointer), None)
    return [{"kind": f.subject.get("kind"), "subject": f.subject, "choice": f.choice,
             "observation": ev.observation if ev else None, "pointer": ev.pointer if ev else None,
             "phase": f.phase, "t": f.t, "message": f.message, "message_nl": f.message_nl, "details": f.details}]


def _short(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def exhibit_view(run: RunData, e: dict[str, Any], L: DL, site: str, anchor_cache: dict) -> dict[str, Any]:
    domain = site
    choice = e.get("choice") or ""
    obs = run.observation(domain, choice)
    key = (domain, choice)
    if key not in anchor_cache:
        anchor_cache[key] = anchors(obs, choice)
    rec = run.resolve(e.get("observation"), e.get("pointer"))
    kind = e.get("kind") or (e.get("subject") or {}).get("kind") or ""
    s = e.get("subject") or {}
    quote, extra = "", ""
    if kind == "request":
        url = (rec or {}).get("url") if isinstance(rec, dict) else None
        quote = f"{(rec or {}).get('method', 'GET') if isinstance(rec, dict) else 'GET'} {url or s.get('url') or s.get('host', '') + s.get('path', '')}"
    elif kind == "cookie":
        value = (rec or {}).get("value", "") if isinstance(rec, dict) else ""
        quote = f"{s.get('name', '')}={_short(str(value), 48)}; Domain={s.get('domain', '')}"
        exp = (rec or {}).get("expires") if isinstance(rec, dict) else None
        cap = capture_epoch(obs)
        days = (exp - cap) / 86400 if (isinstance(exp, (int, float)) and exp > 0 and cap) else None
        extra = L["lifetime"].format(d=L.duration(days))
    elif kind == "storage":
        api = {"indexeddb": "indexedDB", "cache": "caches", "service-worker": "serviceWorker"}.get(str(s.get("storage")))
        quote = (f"{api}[{s.get('key', '')!r}]" if api else f"{s.get('storage', '')}Storage[{s.get('key', '')!r}]") + \
            f" @ {s.get('origin', '')}" + (f" (partition {s['partition']})" if s.get("partition") else "")
    elif kind in ("visit", "banner"):
        quote = str(s.get("name") or e.get("pointer") or "")
    time = describe(e.get("t"), e.get("phase"), anchor_cache[key], L.T, L.choice(choice), L.choice("reject-all"))
    att = (e.get("details") or {}).get("attribution")
    if isinstance(att, dict):   # how it was attributed; vendor and category are in the violation already
        att = {k: _short(str(v), 60) for k, v in att.items() if k in ("source", "signature", "confidence", "platform")
               and v not in (None, "", [], {})}
    return {"kind": kind, "kind_label": L.T.get(f"kind_{kind}", kind), "quote": _short(quote, 170),
            "quote_short": _short(quote, 110), "extra": extra,
            "time": time, "phase": L.phase(e.get("phase")), "choice": L.choice(choice),
            "source": f"{e.get('observation') or '—'}#{e.get('pointer') or ''}",
            "attribution": "; ".join(f"{k}={v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}"
                                  for k, v in sorted(att.items())) if isinstance(att, dict) else ""}


def _appendix_rows(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every exhibit, the same record seen under several choices on one row (its choices listed, first time)."""
    rows: dict[str, dict[str, Any]] = {}
    for v in views:
        r = rows.get(v["quote"])
        if r is None:
            rows[v["quote"]] = {**v, "choices": [v["choice"]], "sources": [v["source"]]}
        else:
            if v["choice"] not in r["choices"]:
                r["choices"].append(v["choice"])
            r["sources"].append(v["source"])
    for r in rows.values():
        r["choice"] = ", ".join(r["choices"])
        r["source"] = " ".join(r["sources"])
    return list(rows.values())


def _exhibit_counts(exhibits: list[dict[str, Any]], L: DL) -> str:
    """Requests counted one by one (each was sent); a cookie or storage item once, however many visits held it."""
    per: dict[str, set[str]] = {}
    for e in exhibits:
        s = e.get("subject") or {}
        kind = e.get("kind") or ""
        key = (f"{e.get('observation')}#{e.get('pointer')}" if kind == "request" else
               json.dumps({k: s.get(k) for k in ("name", "domain", "key", "origin", "storage")}, sort_keys=True))
        per.setdefault(kind, set()).add(key)
    return ", ".join(L.count(k, len(per[k])) for k in ("cookie", "request", "storage") if per.get(k))


# -- screenshots with the clicked control outlined ------------------------------------------------------------

_CONTROL = {"reject-all": "reject", "withdraw": "accept", "accept-all": "accept"}


def banner_shot(run: RunData, domain: str, choice: str, shots: Shots) -> dict[str, Any] | None:
    """The banner before the click of this visit, with the control that was clicked (when measured) outlined."""
    obs = run.observation(domain, choice) or {}
    rel = None
    for name in ("banner-before.png", "before-consent.png"):
        cand = f"evidence/{domain}/{choice}/{name}"
        if run.file(cand) is not None:
            rel = cand
            break
    if rel is None:
        rel = next((p.get("screenshot") for p in obs.get("pages") or [] if p.get("phase") == "before-consent"
                    and p.get("screenshot")), None)
    shot = shots.get(rel)
    if shot is None or not shot.data_uri:
        return None
    banner = obs.get("banner") or {}
    if not banner.get("accept"):   # measured once per domain (no-interaction visit): the same banner
        for c in run.choices:
            b = (run.observation(domain, c) or {}).get("banner") or {}
            if b.get("accept"):
                banner = b
                break
    boxes = []
    ctl = _CONTROL.get(choice) or ("settings" if choice.startswith("only-") else None)
    controls: tuple[tuple[str | None, str], ...] = (("banner_box", "bannerbox"), (ctl, "clicked"))
    for control, css in controls:
        if control is None:      # no-interaction: nothing was clicked
            continue
        box = banner.get(control)
        if isinstance(box, dict) and isinstance(box.get("box"), dict):
            box = box["box"]
        if isinstance(box, dict) and all(isinstance(box.get(k), (int, float)) for k in ("x", "y", "width", "height")):
            boxes.append({"css": css, "x": box["x"], "y": box["y"], "w": box["width"], "h": box["height"]})
    a = anchors(obs, choice)
    api = bool(a.click and a.click.api)
    return {"shot": shot, "boxes": boxes, "clicked": any(b["css"] == "clicked" for b in boxes) and not api,
            "api": api and any(b["css"] == "clicked" for b in boxes)}


# -- the model ----------------------------------------------------------------------------------------------

def _is_item(f: Finding) -> bool:
    return f.subject.get("kind") in ("request", "cookie", "storage")


def _vendor_label(run: RunData, f: Finding, L: DL, site: str) -> str:
    if f.vendor:
        return run.vendor_name(f.vendor) or f.vendor
    s = f.subject
    host = s.get("host") or str(s.get("domain") or "").lstrip(".") or re.sub(r"^\w+://", "", str(s.get("origin") or ""))
    if host and not third_party(host, site):
        return L["site_itself"]
    return L["unknown_host"].format(host=host or "?")


def _policy(run: RunData, domain: str) -> dict[str, Any]:
    p = run.root / POLICY_DIR / f"{domain}.json"
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
        return d if isinstance(d, dict) else {}
    except (OSError, ValueError):
        return {}


@dataclass
class _DossierState:
    """What the violations of one dossier share while they are laid out: anchors, and each choice's banner shot."""

    run: RunData
    domain: str
    L: DL
    lang: str
    shots: Shots
    anchor_cache: dict = field(default_factory=dict)
    banner_shown_in: dict[str, int] = field(default_factory=dict)     # choice -> the violation that shows it
    first_of_rule: dict[str, int] = field(default_factory=dict)       # rule -> the violation that explains it


def _first_of_each_quote(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for v in views:
        if v["quote"] not in seen:
            seen.add(v["quote"])
            out.append(v)
    return out


def _what_happened(st: _DossierState, f: Finding, exhibits: list[dict[str, Any]], vendor: str) -> str:
    """The violation in one sentence: the exhibits counted for an item, else the rule's own sentence (nl, en)."""
    L, choice = st.L, st.L.choice(f.choice)
    if _is_item(f):
        return L["what_text"].format(vendor=vendor, exhibits=_exhibit_counts(exhibits, L) or "—", choice=choice)
    if st.lang in ("nl", "en"):   # the rule's own sentence, written in these two languages
        said = f.message_nl if st.lang == "nl" else f.message
        return L.codes(st.run, said or L["what_visit"].format(choice=choice))
    return L["what_visit"].format(choice=choice)


def _violation_view(st: _DossierState, f: Finding, n: int) -> dict[str, Any]:
    """Violation ``n``: what happened, its first time, the exhibits quoted, the banner shot once per choice and the
    rule's explanation and norms once per rule (later violations of the rule refer back)."""
    run, L, domain = st.run, st.L, st.domain
    repeat = st.first_of_rule.get(f.rule)
    st.first_of_rule.setdefault(f.rule, n)
    exhibits = _exhibits_of(f)
    views = [exhibit_view(run, e, L, domain, st.anchor_cache) for e in exhibits]
    # the few quoted in the violation: one per distinct record first (the same cookie under three choices is one
    # fact), in order of time; every exhibit stays in appendix A
    distinct = _first_of_each_quote(views)
    shown = (distinct + [v for v in views if v not in distinct])[:MAX_EXHIBITS]
    shot, ref = None, st.banner_shown_in.get(f.choice)
    if ref is None:
        shot = banner_shot(run, domain, f.choice, st.shots)
        if shot:
            st.banner_shown_in[f.choice] = n
    vendor = _vendor_label(run, f, L, domain) if (f.vendor or _is_item(f)) else ""
    first = views[0]["time"] if views else describe(
        f.t, f.phase, st.anchor_cache.get((domain, f.choice)) or anchors(run.observation(domain, f.choice), f.choice),
        L.T, L.choice(f.choice), L.choice("reject-all"))
    return {
        "n": n, "id": f.id, "rule": f.rule, "title": L.rule_title(run, f.rule),
        "explanation": "" if repeat else L.rule_explanation(run, f.rule), "rule_ref": repeat,
        "severity": f.severity, "sev_label": L.severity(f.severity), "vendor": vendor,
        "choice": L.choice(f.choice), "what": _what_happened(st, f, exhibits, vendor), "first": first,
        "exhibits": shown, "more": max(0, len(views) - len(shown)), "all": _appendix_rows(views),
        "norms": [norm(x, st.lang) for x in norms_for(f.rule, f.jurisdiction)],
        "shot": shot, "shot_ref": ref,
    }


def _per_choice(run: RunData, domain: str, violations: list[Finding], L: DL) -> list[dict[str, Any]]:
    """Each choice of the domain: was it walked completely, did the choice register, how many violations."""
    out = []
    for c in run.choices:
        v = run.visit(domain, c)
        state = "visit_missing" if v is None else ("visit_ok" if v.status == "complete" else "visit_incomplete")
        outcome = v.consent.outcome if v is not None and v.consent is not None else None
        out.append({"choice": L.choice(c), "state": L[state],
                    "unverified": outcome in ("unverified", "not-performed") and c != "no-interaction",
                    "n": sum(1 for f in violations if f.choice == c)})
    return out


def _evidence_files(run: RunData, domain: str) -> list[tuple[str, str]]:
    """The evidence manifest's entries of this domain: what the dossier's hash vouches for."""
    em = run.evidence_manifest
    return sorted((p, h) for p, h in (em.files.items() if em else [])
                  if p.startswith((f"observations/{domain}/", f"evidence/{domain}/", f"{POLICY_DIR}/{domain}")))


def build(run: RunData, domain: str, lang: str) -> dict[str, Any]:
    """The dossier of one shop: its violations worst first, each with its exhibits, then the appendices."""
    L = DL(lang)
    dom = next((d for d in run.domains if d.host == domain), None)
    if dom is None:
        raise ConfigError(f"--domain {domain}: not in this run",
                          fix=f"use one of: {', '.join(d.host for d in run.domains)}")
    st = _DossierState(run, domain, L, lang, Shots(run))
    fs = [f for f in run.sorted_findings() if f.domain == domain]
    violations = [f for f in fs if counts(f)]
    violations.sort(key=lambda f: (-severity_rank(f.severity), run.choices.index(f.choice)
                                   if f.choice in run.choices else 99))
    info = [f for f in fs if f not in violations and f.baseline_status != "resolved"]
    vs = [_violation_view(st, f, i) for i, f in enumerate(violations, start=1)]
    per_choice = _per_choice(run, domain, violations, L)
    observed = [v for v in dom.vendors or () if v.observed and v.choices]
    em = run.evidence_manifest
    r = run.run
    tool = r.get("tool") or {}
    return {
        "L": L, "lang": lang, "domain": domain, "dom": dom, "run": run, "shots": st.shots,
        "tool": f"{tool.get('name') or 'cookieaudit'} {tool.get('version') or ''}".strip(),
        "run_id": r.get("id") or "—", "date": r.get("started_utc") or "—",
        "manifest": em.sha256 if em else None, "manifest_problems": list(em.problems) if em else [],
        "signature": run.signature(),
        "incomplete": any(pc["state"] != L["visit_ok"] for pc in per_choice),
        "declared": [{"name": v.name or v.id, "categories": ", ".join(L.category(c) for c in v.categories)}
                     for v in run.declared_vendors],
        "policy": _policy(run, domain),
        "observed_text": L["observed_text"].format(
            visits=sum(1 for c in run.choices if run.visit(domain, c)), vendors=len(observed),
            undeclared=sum(1 for v in observed if not v.declared)),
        "by_sev": [(L.severity(s), sum(1 for f in violations if f.severity == s)) for s in SEVERITY_ORDER if s != "info"],
        "per_choice": per_choice, "violations": vs,
        "info": [{"title": L.rule_title(run, f.rule), "vendor": _vendor_label(run, f, L, domain)
                  if (f.vendor or _is_item(f)) else "", "choice": L.choice(f.choice), "id": f.id} for f in info],
        "norms": list({x["id"]: x for v in vs for x in v["norms"]}.values()),
        "files": _evidence_files(run, domain),
    }


def render_dossier(run: RunData, domain: str, lang: str = "nl", print_mode: bool = False) -> str:
    model = build(run, domain, lang)
    model["print_mode"] = print_mode
    return environment().get_template("dossier.html.j2").render(m=model)


def dossier_pdf(run: RunData, domain: str, lang: str = "nl") -> bytes:
    from .pdf_report import FOOTER, html_to_pdf
    import html as _html

    em = run.evidence_manifest
    left = f"{domain} · {run.run.get('id', '')}" + (f" · SHA-256 {em.sha256[:16]}…" if em else "")
    footer = FOOTER.format(left=_html.escape(left), page=text(lang)["page"])
    return html_to_pdf(render_dossier(run, domain, lang, print_mode=True), footer)


def write_dossiers(run_dir: str | Path, domains: list[str] | None = None, langs: list[str] | None = None,
                   formats: list[str] | None = None) -> list[Path]:
    """Write ``dossier-<domain>-<lang>.{html,pdf}`` into the run folder (derived outputs: top level)."""
    from . import _write
    from ..manifest import EVIDENCE_MANIFEST_NAME, write_evidence_manifest

    run_dir = Path(run_dir)
    langs = list(langs or ["nl"])
    formats = list(formats or ["html"])
    for lang in langs:
        text(lang)
    bad = [f for f in formats if f not in ("html", "pdf")]
    if bad:
        raise ConfigError(f"dossier format {', '.join(bad)}: unknown", fix="use html and/or pdf")
    if not (run_dir / EVIDENCE_MANIFEST_NAME).is_file():
        RunData.load(run_dir)
        write_evidence_manifest(run_dir)
    run = RunData.load(run_dir)
    domains = list(domains or [d.host for d in run.domains])
    out = []
    for d in domains:
        for lang in langs:
            if "html" in formats:
                p = run_dir / dossier_name(d, lang, "html")
                _write(p, render_dossier(run, d, lang))
                out.append(p)
            if "pdf" in formats:
                p = run_dir / dossier_name(d, lang, "pdf")
                _write(p, dossier_pdf(run, d, lang))
                out.append(p)
    return out


__all__ = ["DOSSIER_LANGUAGES", "build", "render_dossier", "dossier_pdf", "write_dossiers", "dossier_name"]


# the languages a scan writes each domain's dossier in: the report language plus the country's own
COUNTRY_LANGS = {"NL": ("nl",), "BE": ("nl", "fr"), "DE": ("de",), "AT": ("de",)}


def scan_dossiers(run_dir: str | Path, doc: RunDocument, lang: str, pdf: bool = False) -> list[Path]:
    """What ``scan`` writes: one dossier per domain (HTML; PDF too with --pdf) in the report language and the
    domain's own language(s)."""
    out: list[Path] = []
    for d in doc.domains:
        langs = list(dict.fromkeys([lang, *COUNTRY_LANGS.get(d.country or "", ())]))
        out += write_dossiers(run_dir, [d.host], langs, ["html", "pdf"] if pdf else ["html"])
    return out
