"""Everything the HTML report shows, computed from a RunData as plain values (the template only lays it out).

Screenshots are embedded once each (as data: URIs in an SVG <defs> block) and referenced by id wherever they
are shown, so a screenshot that backs ten findings is in the file once.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .rundata import RunData, baseline_status, counts, is_waived
from .view import (SEVERITY_ORDER, Labels, body_lines, decode_query, host_of, matrix, severity_totals,
                   third_party, waived_count)

MAX_EMBED_BYTES = 60 * 1024 * 1024    # beyond this, screenshots are referenced by path and hash only
MAX_VALUE_CHARS = 120


def _short(value: Any, n: int = MAX_VALUE_CHARS) -> str:
    s = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return s if len(s) <= n else s[: n - 1] + "…"


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


# -- screenshots --------------------------------------------------------------------------------------------

@dataclass
class Shot:
    id: str
    path: str
    sha256: str | None
    data_uri: str | None = None
    width: int = 1366
    height: int = 768
    duplicate: bool = False


def _image_size(data: bytes) -> tuple[str, int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        w, h = struct.unpack(">II", data[16:24])
        return "image/png", w, h
    if data[:3] == b"\xff\xd8\xff":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return "image/jpeg", w, h
            i += 2 + length
        return "image/jpeg", 1366, 768
    return None


class Shots:
    def __init__(self, run: RunData, budget: int = MAX_EMBED_BYTES):
        self.run = run
        self.budget = budget
        self.by_path: dict[str, Shot] = {}

    def get(self, rel: str | None) -> Shot | None:
        if not rel:
            return None
        if rel in self.by_path:
            return self.by_path[rel]
        path = self.run.file(rel)
        em = self.run.evidence_manifest
        digest = em.files.get(rel) if em else None
        shot = Shot(id=f"shot{len(self.by_path) + 1}", path=rel, sha256=digest)
        if path is not None:
            data = path.read_bytes()
            shot.sha256 = hashlib.sha256(data).hexdigest()
            same = next((s for s in self.by_path.values() if s.sha256 == shot.sha256 and s.data_uri), None)
            kind = _image_size(data)
            if same:   # identical bytes under another name: embed once, show both names
                shot.id, shot.data_uri, shot.width, shot.height = same.id, same.data_uri, same.width, same.height
                shot.duplicate = True
            elif kind and len(data) <= self.budget:
                self.budget -= len(data)
                mime, shot.width, shot.height = kind
                shot.data_uri = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
        self.by_path[rel] = shot
        return shot

    @property
    def embedded(self) -> list[Shot]:
        return [s for s in self.by_path.values() if s.data_uri and not s.duplicate]


# -- observation records as rows ---------------------------------------------------------------------------

def _capture_epoch(obs: dict[str, Any] | None) -> float | None:
    try:
        return datetime.fromisoformat(obs["ended_utc"].replace("Z", "+00:00")).timestamp()  # type: ignore[index]
    except (TypeError, KeyError, ValueError, AttributeError):
        return None


def short_url(url: str | None, n: int = 70) -> str:
    """A URL without its query string, for inventory tables (the evidence shows it in full)."""
    if not url:
        return "—"
    base = url.split("?", 1)[0]
    return _short(base + ("?…" if "?" in url else ""), n)


def cookie_row(c: dict[str, Any], obs: dict[str, Any] | None, site: str, L: Labels, choice: str) -> dict[str, Any]:
    expires = c.get("expires")
    if expires is None or expires < 0:
        exp_text, life = "—", L["session"]
    else:
        exp_text = datetime.fromtimestamp(expires, timezone.utc).strftime("%Y-%m-%d %H:%M")
        epoch = _capture_epoch(obs)
        life = L["days"].format(n=L.number((expires - epoch) / 86400, 0)) if epoch else "—"
    flags = [x for x, on in (("HttpOnly", c.get("http_only")), ("Secure", c.get("secure"))) if on]
    return {
        "name": c.get("name", ""), "value": _short(c.get("value", "")), "domain": c.get("domain", ""),
        "path": c.get("path", ""), "expires": exp_text, "lifetime": life, "flags": " ".join(flags) or "—",
        "same_site": c.get("same_site") or L["not_set"], "partition": c.get("partition_key") or "—",
        "first_seen": L.time(c.get("first_seen_t"), choice) if c.get("first_seen_t") is not None else "—",
        "set_by": c.get("set_by") or "—", "set_by_short": short_url(c.get("set_by")), "phase": L.phase(c.get("phase")),
        "party": L["third_party"] if third_party(c.get("domain", ""), site) else L["first_party"],
    }


def request_view(r: dict[str, Any], L: Labels, choice: str) -> dict[str, Any]:
    return {
        "method": r.get("method", ""), "url": r.get("url", ""), "host": host_of(r.get("url")),
        "params": decode_query(r.get("url", "")), "body": body_lines(r.get("post_data")),
        "initiator": r.get("initiator"), "frame_url": r.get("frame_url"), "page_url": r.get("page_url"),
        "status": r.get("status"), "failure": r.get("failure"), "resource_type": r.get("resource_type"),
        "remote_address": r.get("remote_address"), "time": L.time(r.get("t"), choice),
        "phase": L.phase(r.get("phase")),
    }


def _phase_screenshot(obs: dict[str, Any] | None, phase: str | None) -> str | None:
    if not obs or not phase:
        return None
    return next((p.get("screenshot") for p in obs.get("pages", []) if p.get("phase") == phase and p.get("screenshot")),
                None)


# -- findings ----------------------------------------------------------------------------------------------

def evidence_view(run: RunData, f: dict[str, Any], ev: dict[str, Any], L: Labels, shots: Shots, site: str,
                  shown: set[str]) -> dict[str, Any]:
    obj = run.resolve(ev.get("observation"), ev.get("pointer"))
    root = (ev.get("pointer") or "/").split("/")[1] if ev.get("pointer") else ""
    obs = run.observation(f["domain"], f["choice"])
    out: dict[str, Any] = {"observation": ev.get("observation"), "pointer": ev.get("pointer"), "har": ev.get("har"),
                           "note": ev.get("note") or "", "kind": "none", "obj": None}
    if ev.get("pointer") and obj is None:
        out["kind"] = "unresolved"
    elif isinstance(obj, dict) and root == "requests":
        q = request_view(obj, L, f["choice"])
        keys = {k for k, _ in q["params"]} | {k for line in q["body"] for k, _ in line["params"]}
        q["highlighted"] = bool(keys & {str(k) for k in (f.get("details") or {})})
        out.update(kind="request", obj=q)
    elif isinstance(obj, dict) and root == "cookies":
        out.update(kind="cookie", obj=cookie_row(obj, obs, site, L, f["choice"]))
    elif isinstance(obj, dict) and root == "storage":
        out.update(kind="storage", obj={"origin": obj.get("origin"), "kind": obj.get("kind"), "key": obj.get("key"),
                                        "value": _short(obj.get("value", "")), "phase": L.phase(obj.get("phase"))})
    elif isinstance(obj, dict) and root == "set_cookies":
        out.update(kind="set_cookie", obj={**obj, "time": L.time(obj.get("t"), f["choice"]),
                                           "blocked": ", ".join(obj.get("blocked_reasons") or [])})
    elif isinstance(obj, dict) and root == "cookie_writes":
        out.update(kind="cookie_write", obj={**obj, "time": L.time(obj.get("t"), f["choice"])})
    elif obj is not None:
        out.update(kind="raw", obj=json.dumps(obj, indent=2, ensure_ascii=False)[:4000])
    shot_rel = ev.get("screenshot") or (None if shown else _phase_screenshot(obs, f.get("phase")))
    out["shot"] = None
    if shot_rel and shot_rel not in shown:
        shown.add(shot_rel)
        out["shot"] = shots.get(shot_rel)
    return out


def seen_text(seen: Any, L: Labels) -> str | None:
    """'3 of 5' / {"k": 3, "n": 5} -> 'gezien in 3 van 5 runs'."""
    if not seen:
        return None
    if isinstance(seen, dict) and "k" in seen and "n" in seen:
        return L["seen_kn"].format(k=seen["k"], n=seen["n"])
    m = re.fullmatch(r"\s*(\d+)\s*(?:of|/|van)\s*(\d+)\s*", str(seen))
    if m:
        return L["seen_kn"].format(k=m.group(1), n=m.group(2))
    return f'{L["seen"]} {L["seen_runs"].format(seen=_text(seen))}'


def finding_view(run: RunData, f: dict[str, Any], L: Labels, shots: Shots, sites: dict[str, str]) -> dict[str, Any]:
    shown: set[str] = set()
    site = sites.get(f["domain"], f["domain"])
    evidence = [evidence_view(run, f, ev, L, shots, site, shown) for ev in f.get("evidence", [])]
    if not shown:   # no evidence entry carried a screenshot: show the phase's one
        rel = _phase_screenshot(run.observation(f["domain"], f["choice"]), f.get("phase"))
        if rel:
            evidence.append({"kind": "none", "obj": None, "observation": None, "pointer": None, "har": None,
                             "note": "", "shot": shots.get(rel)})
    raw_waiver = f.get("waiver") or (f.get("details") or {}).get("waiver")
    waiver = raw_waiver if isinstance(raw_waiver, dict) else ({"reason": raw_waiver} if raw_waiver else {})
    status = baseline_status(f)
    return {
        "id": f["id"], "rule": f["rule"], "severity": f["severity"], "sev_label": L.severity(f["severity"]),
        "domain": f["domain"], "choice": f["choice"], "choice_label": L.choice(f["choice"]),
        "phase": L.phase(f.get("phase")) if f.get("phase") else "—", "time": L.time(f.get("t"), f["choice"]),
        "message": L.message(f), "vendor": f.get("vendor") or "—",
        "category": L.category(f.get("category")) if f.get("category") else "—",
        "jurisdiction": f.get("jurisdiction") or "—",
        "status": L.fstatus(status) if status else None, "resolved": status == "resolved",
        "first_seen_utc": f.get("first_seen_utc"), "baseline_note": f.get("baseline_note"),
        "waived": is_waived(f), "waiver_expired": bool(f.get("waiver_expired")),
        "waiver": {L.s.get(f"wk_{k}", k): _text(v) for k, v in waiver.items()},
        "seen": seen_text(f.get("seen"), L), "counts": counts(f),
        "subject": [(k, _text(v)) for k, v in (f.get("subject") or {}).items()],
        "highlight": sorted(str(k) for k in (f.get("details") or {})),
        "details": [(k, _short(v, 400)) for k, v in (f.get("details") or {}).items()],
        "evidence": evidence,
    }


def finding_groups(run: RunData, L: Labels, shots: Shots, sites: dict[str, str]) -> list[dict[str, Any]]:
    groups = []
    rules = run.rules
    for sev in SEVERITY_ORDER:
        fs = [f for f in run.sorted_findings() if f["severity"] == sev]
        if not fs:
            continue
        by_rule: dict[str, list] = {}
        for f in fs:
            by_rule.setdefault(f["rule"], []).append(f)
        groups.append({"severity": sev, "label": L.severity(sev), "count": len(fs), "rules": [{
            "id": rid, "title": L.rule_text(rules.get(rid), "title") or rid,
            "explanation": L.rule_text(rules.get(rid), "explanation"),
            "legal_basis": (rules.get(rid) or {}).get("legal_basis") or "—",
            "jurisdictions": ", ".join((rules.get(rid) or {}).get("jurisdictions") or []) or "—",
            "findings": [finding_view(run, f, L, shots, sites) for f in items],
        } for rid, items in by_rule.items()]})
    return groups


# -- per domain ---------------------------------------------------------------------------------------------

def _where(where: dict[str, list[str]], L: Labels, choices: list[str]) -> str:
    parts = []
    for c in choices:
        if c in where:
            parts.append(f"{L.choice(c)}: " + ", ".join(L.phase(p) for p in where[c]))
    return "; ".join(parts)


def vendor_by_host(run: RunData, host: str) -> dict[str, str]:
    """Request host -> vendor name: this domain's vendor list first, then other domains' and the findings'."""
    out: dict[str, str] = {}
    doms = sorted(run.domains, key=lambda d: d["host"] != host)
    for d in doms:
        for v in d.get("vendors") or []:
            for h in v.get("hosts") or []:
                out.setdefault(h, v.get("name") or v.get("id"))
    for f in sorted(run.findings, key=lambda f: f["domain"] != host):
        h = (f.get("subject") or {}).get("host")
        if h and f.get("vendor"):
            out.setdefault(h, f["vendor"])
    return out


def domain_view(run: RunData, d: dict[str, Any], L: Labels) -> dict[str, Any]:
    host = d["host"]
    choices = run.choices
    cookies: dict[tuple, dict] = {}
    storage: dict[tuple, dict] = {}
    hosts: dict[str, dict] = {}
    host_vendor = vendor_by_host(run, host)
    for c in choices:
        obs = run.observation(host, c)
        if not obs:
            continue
        for k in obs.get("cookies", []):
            key = (k.get("name"), k.get("domain"), k.get("path"))
            row = cookies.setdefault(key, {"row": cookie_row(k, obs, host, L, c), "where": {}})
            phases = row["where"].setdefault(c, [])
            if k.get("phase") not in phases:
                phases.append(k.get("phase"))
        for s in obs.get("storage", []):
            key = (s.get("origin"), s.get("kind"), s.get("key"))
            row = storage.setdefault(key, {"origin": s.get("origin"), "kind": s.get("kind"), "key": s.get("key"),
                                           "value": _short(s.get("value", "")), "where": {}})
            phases = row["where"].setdefault(c, [])
            if s.get("phase") not in phases:
                phases.append(s.get("phase"))
        for r in obs.get("requests", []):
            h = host_of(r.get("url"))
            if not h or not third_party(h, host):
                continue
            e = hosts.setdefault(h, {"host": h, "vendor": host_vendor.get(h), "total": 0, "before": 0, "choices": []})
            e["total"] += 1
            no_consent = c in ("no-interaction", "reject-all") or r.get("phase") == "before-consent" \
                or (r.get("t") is not None and r["t"] < 0)
            e["before"] += 1 if no_consent else 0
            if c not in e["choices"]:
                e["choices"].append(c)
    third = sorted(hosts.values(), key=lambda e: (e["vendor"] is None, e["vendor"] or "", e["host"]))
    for e in third:
        e["choices"] = ", ".join(L.choice(c) for c in e["choices"])
        e["vendor"] = e["vendor"] or L["unattributed"]
    if d.get("vendors"):
        vendors = [{"name": v.get("name") or v.get("id"), "category": L.category(v.get("category")) or "—",
                    "declared": L["yes"] if v.get("declared") else L["no"],
                    "observed_in": ", ".join(L.choice(c) for c in v.get("choices") or []) or L["none"],
                    "undeclared": not v.get("declared") and bool(v.get("choices"))} for v in d["vendors"]]
        derived = False
    else:
        seen: dict[str, dict] = {}
        for f in run.findings:
            if f["domain"] == host and f.get("vendor"):
                e = seen.setdefault(f["vendor"], {"category": f.get("category"), "choices": []})
                if f["choice"] not in e["choices"]:
                    e["choices"].append(f["choice"])
        vendors = [{"name": n, "category": L.category(e["category"]) or "—", "declared": L["unknown"],
                    "observed_in": ", ".join(L.choice(c) for c in choices if c in e["choices"]), "undeclared": False}
                   for n, e in sorted(seen.items())]
        derived = True
    return {
        "host": host, "country": d.get("country") or "—", "locale": d.get("locale") or "—",
        "timezone": d.get("timezone") or "—", "vendors": vendors, "vendors_derived": derived, "third": third,
        "cookies": [{**e["row"], "where": _where(e["where"], L, choices)}
                    for _, e in sorted(cookies.items(), key=lambda kv: (kv[1]["row"]["party"], str(kv[0])))],
        "storage": [{**e, "where": _where(e["where"], L, choices)}
                    for _, e in sorted(storage.items(), key=lambda kv: str(kv[0]))],
    }


# -- visits -------------------------------------------------------------------------------------------------

def visit_view(run: RunData, host: str, choice: str, L: Labels, shots: Shots) -> dict[str, Any] | None:
    v = run.visit(host, choice)
    obs = run.observation(host, choice)
    if v is None and obs is None:
        return None
    v = v or {}
    consent = (obs or {}).get("consent") or v.get("consent") or {}
    base = f"evidence/{host}/{choice}"
    banner = [(L[k], shots.get(f"{base}/{name}")) for k, name in
              (("banner_before", "banner-before.png"), ("banner_after", "banner-after.png"))
              if run.file(f"{base}/{name}")]
    cnt = v.get("counts") or {}
    if obs and not cnt:
        cnt = {"requests": len(obs.get("requests", [])), "cookies": len(obs.get("cookies", [])),
               "storage": len(obs.get("storage", []))}
    return {
        "anchor": f"v-{host}-{choice}", "host": host, "choice": choice, "choice_label": L.choice(choice),
        "complete": (v.get("status") or (obs or {}).get("status")) == "complete",
        "outcome": consent.get("outcome"), "outcome_label": L.outcome(consent.get("outcome")),
        "method": consent.get("method") or "—", "cmp": consent.get("cmp") or "—",
        "accepted": ", ".join(L.category(c) for c in consent.get("accepted_categories") or []) or "—",
        "reason": consent.get("reason") or "",
        "errors": list(dict.fromkeys(list(v.get("errors") or []) + list((obs or {}).get("errors") or []))),
        "steps": [{"time": L.time(s.get("t"), choice), "action": s.get("action", ""), "detail": s.get("detail", ""),
                   "ok": s.get("ok", True)} for s in consent.get("steps") or []],
        "banner": banner,
        "pages": [{"phase": L.phase(p.get("phase")), "url": p.get("url"), "final_url": p.get("final_url"),
                   "status": p.get("status"), "title": p.get("title"), "error": p.get("error"),
                   "shot": shots.get(p.get("screenshot"))} for p in (obs or {}).get("pages", [])],
        "counts": L["visit_counts"].format(requests=cnt.get("requests", 0), cookies=cnt.get("cookies", 0),
                                           storage=cnt.get("storage", 0)),
        "observation": v.get("observation") or (f"observations/{host}/{choice}.json" if obs else None),
        "har": (obs or {}).get("evidence", {}).get("har"),
        "started": (obs or {}).get("started_utc"), "consent_wall": (obs or {}).get("consent_wall_utc"),
    }


# -- provenance ---------------------------------------------------------------------------------------------

def provenance(run: RunData, L: Labels) -> list[tuple[str, str, bool]]:
    r = run.run
    tool = r.get("tool") or {}
    browser = r.get("browser") or {}
    policy = browser.get("policy") or {}
    exp = r.get("expectations") or {}
    rows: list[tuple[str, str, bool]] = [
        (L["run_id"], r.get("id") or "—", True),
        (L["tool"], f"{tool.get('name', 'cookieaudit')} {tool.get('version', '')}".strip(), False),
        (L["git_commit"], tool.get("git_commit") or "—", True),
        (L["command"], " ".join(r.get("command") or []) or "—", True),
        (L["machine"], r.get("host") or "—", False),
        (L["started"], r.get("started_utc") or "—", False),
        (L["ended"], r.get("ended_utc") or "—", False),
        (L["browser"], browser.get("version") or "—", False),
        (L["browser_exe"], browser.get("executable") or "—", True),
        (L["user_agent"], browser.get("user_agent") or "—", True),
        (L["third_party_cookies"], L.s.get(f"tpc_{policy.get('third_party_cookies')}", policy.get("third_party_cookies"))
         or "—", False),
        (L["policy"], "\n".join(f"{k}: {_text(v)}" for k, v in policy.items()) or "—", True),
        (L["browser_args"], "\n".join(browser.get("args") or []) or "—", True),
        (L["expectations"], f"{exp.get('path', '—')}\nSHA-256 {exp.get('sha256', '—')}", True),
        (L["knowledge_base"], "\n".join(f"{k}: {_text(v)}" for k, v in (r.get("knowledge_base") or {}).items()) or "—",
         True),
        (L["resolve"], "\n".join(r.get("resolve") or []) or "—", True),
    ]
    for d in run.domains:
        rows.append((f"{L['domain']} {d['host']}",
                     f"{L['country']} {d.get('country', '—')} · {L['locale']} {d.get('locale', '—')} · "
                     f"{L['timezone']} {d.get('timezone', '—')}", False))
    summ = run.doc.get("summary") or {}
    if summ.get("fail_on"):
        rows.append(("CI", L["fail_on"].format(code=summ.get("exit_code", "—"), sev=L.severity(summ["fail_on"])), False))
    return rows


def baseline_view(run: RunData, L: Labels) -> dict[str, Any] | None:
    b = run.doc.get("baseline")
    if not isinstance(b, dict):
        return None

    def entries(key: str) -> list[dict[str, Any]]:
        return [{"id": e.get("id", ""), "rule": e.get("rule", ""), "severity": e.get("severity", "info"),
                 "sev_label": L.severity(e.get("severity")), "domain": e.get("domain", ""),
                 "choice": L.choice(e.get("choice", "")), "message": L.message({"message": e.get("message", ""),
                                                                               "message_nl": e.get("message_nl")})}
                for e in b.get(key) or []]

    return {"run_id": b.get("run_id") or "—", "started": b.get("started_utc") or "—",
            "new": b.get("new", 0), "persisting": b.get("persisting", 0),
            "resolved": entries("resolved"), "unknown": entries("unknown")}


@dataclass
class ReportModel:
    L: Labels
    run: RunData
    print_mode: bool
    shots: Shots
    matrix: list = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    waived: int = 0
    groups: list = field(default_factory=list)
    domains: list = field(default_factory=list)
    visits: list = field(default_factory=list)
    provenance: list = field(default_factory=list)
    baseline: dict | None = None
    warnings: list = field(default_factory=list)


def build(run: RunData, lang: str, print_mode: bool = False) -> ReportModel:
    L = Labels(lang)
    shots = Shots(run)
    sites = {d["host"]: d["host"] for d in run.domains}
    m = ReportModel(L=L, run=run, print_mode=print_mode, shots=shots)
    m.matrix = matrix(run)
    m.totals = severity_totals(run)
    m.waived = waived_count(run)
    m.groups = finding_groups(run, L, shots, sites)
    m.domains = [domain_view(run, d, L) for d in run.domains]
    m.visits = [(d["host"], [vv for c in run.choices if (vv := visit_view(run, d["host"], c, L, shots))])
                for d in run.domains]
    m.provenance = provenance(run, L)
    m.baseline = baseline_view(run, L)
    m.warnings = [w.get("message") or w.get("code") or str(w) if isinstance(w, dict) else str(w)
                  for w in run.doc.get("warnings") or []]
    return m


