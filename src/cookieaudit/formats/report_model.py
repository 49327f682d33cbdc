"""Everything the HTML report shows, computed from a RunData as plain values (the template only lays it out).

Findings and their evidence are built here; inventories, visits and provenance in inventory.py; screenshots in
screenshots.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .inventory import domain_view, provenance, visit_view
from .records import cookie_row, flatten, joined, request_view, short, text
from ..findings import Evidence, Finding
from ..rundoc import GoneFinding
from .rundata import RunData, counts
from .screenshots import Shots
from .view import SEVERITY_ORDER, Labels, matrix, severity_totals, waived_count


def _phase_screenshot(obs: dict[str, Any] | None, phase: str | None) -> str | None:
    if not obs or not phase:
        return None
    return next((p.get("screenshot") for p in obs.get("pages", []) if p.get("phase") == phase and p.get("screenshot")),
                None)


# -- findings ----------------------------------------------------------------------------------------------

def evidence_view(run: RunData, f: Finding, ev: Evidence, L: Labels, shots: Shots, site: str,
                  shot_rel: str | None, caption: str) -> dict[str, Any]:
    obj = run.resolve(ev.observation, ev.pointer)
    root = ev.pointer.split("/")[1] if ev.pointer else ""
    obs = run.observation(f.domain, f.choice)
    out: dict[str, Any] = {"observation": ev.observation, "pointer": ev.pointer, "har": ev.har,
                           "note": ev.note, "kind": "none", "obj": None,
                           "shot": shots.get(shot_rel), "caption": caption}
    if ev.pointer and obj is None:
        out["kind"] = "unresolved"
    elif isinstance(obj, dict) and root == "requests":
        q = request_view(obj, L, f.choice)
        keys = {k for k, _ in q["params"]} | {k for line in q["body"] for k, _ in line["params"]}
        q["highlighted"] = bool(keys & {str(k) for k in f.details})
        out.update(kind="request", obj=q)
    elif isinstance(obj, dict) and root == "cookies":
        out.update(kind="cookie", obj=cookie_row(obj, obs, site, L, f.choice))
    elif isinstance(obj, dict) and root in ("storage", "storage_writes"):
        out.update(kind="storage", obj={"origin": obj.get("origin"), "kind": obj.get("kind") or obj.get("mechanism"),
                                        "key": obj.get("key"), "value": short(obj.get("value") or ""),
                                        "phase": L.phase(obj.get("phase")), "partition": obj.get("partition"),
                                        "frame": obj.get("frame_url"), "writer": obj.get("script_url")})
    elif isinstance(obj, dict) and root == "set_cookies":
        out.update(kind="set_cookie", obj={**obj, "time": L.time(obj.get("t"), f.choice),
                                           "blocked": ", ".join(obj.get("blocked_reasons") or [])})
    elif isinstance(obj, dict) and root == "cookie_writes":
        out.update(kind="cookie_write", obj={**obj, "time": L.time(obj.get("t"), f.choice)})
    elif isinstance(obj, dict) and root == "consent":
        out.update(kind="consent", obj=consent_view(obj, L, f.choice))
    elif obj is not None:
        out.update(kind="raw", obj=json.dumps(obj, indent=2, ensure_ascii=False)[:4000])
    return out


def consent_view(c: dict[str, Any], L: Labels, choice: str) -> dict[str, Any]:
    return {"requested": L.choice(c.get("requested") or choice), "outcome": c.get("outcome"),
            "outcome_label": L.outcome(c.get("outcome")), "method": c.get("method") or "—", "cmp": c.get("cmp") or "—",
            "accepted": ", ".join(L.category(x) for x in c.get("accepted_categories") or []) or "—",
            "reason": c.get("reason") or "",
            "steps": [{"time": L.time(st.get("t"), choice), "action": st.get("action", ""),
                       "detail": st.get("detail", ""), "ok": st.get("ok", True)} for st in c.get("steps") or []]}


_PHASE_END = re.compile(r"^end of the (\S+) phase$")


def _note(note: str, L: Labels) -> str:
    """The scan's English evidence note "end of the after-withdraw phase" in the report's language."""
    m = _PHASE_END.match(note)
    return L["phase_end"].format(phase=L.phase(m.group(1))) if m else note


def finding_evidence(run: RunData, f: Finding, L: Labels, shots: Shots, site: str) -> list[dict[str, Any]]:
    """One box per evidence record; a screenshot-only entry becomes the screenshot (and caption) of the first box.

    Each screenshot is shown once per finding; without any, the screenshot of the finding's phase is shown.
    """
    records = [e for e in f.evidence if e.observation or e.pointer]
    loose = [e for e in f.evidence if not (e.observation or e.pointer) and e.screenshot]
    phase_label = L.phase(f.phase) if f.phase else ""
    base_caption = L["screenshot"] + (f" · {phase_label}" if phase_label else "")
    pending: list[tuple[str, str]] = [(e.screenshot, _note(e.note, L)) for e in loose if e.screenshot]
    if not any(e.screenshot for e in f.evidence):
        rel = _phase_screenshot(run.observation(f.domain, f.choice), f.phase)
        if rel:
            pending.append((rel, ""))
    shown: set[str] = set()
    out = []
    for e in records:
        shot: str | None
        shot, note = (e.screenshot, "") if e.screenshot else (pending.pop(0) if pending else (None, ""))
        if shot in shown:
            shot = None
        if shot:
            shown.add(shot)
        out.append(evidence_view(run, f, e, L, shots, site, shot, base_caption + (f" · {note}" if note else "")))
    for rel, note in pending:
        if rel not in shown:
            shown.add(rel)
            out.append({"kind": "none", "obj": None, "observation": None, "pointer": None, "har": None, "note": "",
                        "shot": shots.get(rel), "caption": base_caption + (f" · {note}" if note else "")})
    return out


def named_time(run: RunData, f: Finding, L: Labels) -> str:
    """The finding's time relative to the click that matters ("3,2 s na klik op 'Alles weigeren'")."""
    from .dossier_text import text as dtext
    from .timeline import anchors, describe

    T = dtext(L.lang)
    a = anchors(run.observation(f.domain, f.choice), f.choice)
    return describe(f.t, f.phase, a, T, T.get(f"choice_{f.choice}", L.choice(f.choice)), T["choice_reject-all"])


def seen_text(seen: Any, L: Labels) -> str | None:
    """'3 of 5' / {"k": 3, "n": 5} -> 'gezien in 3 van 5 runs'."""
    if not seen:
        return None
    if isinstance(seen, dict) and "k" in seen and "n" in seen:
        return L["seen_kn"].format(k=seen["k"], n=seen["n"])
    m = re.fullmatch(r"\s*(\d+)\s*(?:of|/|van)\s*(\d+)\s*", str(seen))
    if m:
        return L["seen_kn"].format(k=m.group(1), n=m.group(2))
    return f'{L["seen"]} {L["seen_runs"].format(seen=text(seen))}'


def _waiver_fields(f: Finding) -> dict[str, Any]:
    """The waiver that covers a finding: the mark, or the older ``details.waiver`` (a record or just a reason)."""
    if f.waiver is not None:
        return f.waiver.to_dict()
    old = f.details.get("waiver")
    return old if isinstance(old, dict) else ({"reason": old} if old else {})


def finding_view(run: RunData, f: Finding, L: Labels, shots: Shots, sites: dict[str, str]) -> dict[str, Any]:
    evidence = finding_evidence(run, f, L, shots, sites.get(f.domain, f.domain))
    status = f.baseline_status
    return {
        "id": f.id, "rule": f.rule, "severity": f.severity, "sev_label": L.severity(f.severity),
        "domain": f.domain, "choice": f.choice, "choice_label": L.choice(f.choice),
        "phase": L.phase(f.phase) if f.phase else "—", "time": named_time(run, f, L),
        "message": L.message(f), "vendor": run.vendor_name(f.vendor) or "—",
        "category": L.category(f.category) if f.category else "—",
        "jurisdiction": f.jurisdiction or "—",
        "status": L.fstatus(status) if status else None, "resolved": status == "resolved",
        "first_seen_utc": f.first_seen_utc, "baseline_note": f.baseline_note,
        "waived": f.is_waived, "waiver_expired": bool(f.waiver_expired),
        "waiver": {L.s.get(f"wk_{k}", k): text(v) for k, v in _waiver_fields(f).items()},
        "seen": seen_text(f.seen, L), "counts": counts(f),
        "subject": [(k, text(v)) for k, v in f.subject.items()],
        "highlight": sorted(str(k) for k in f.details),
        "details": flatten(f.details),
        "evidence": evidence,
    }


def finding_groups(run: RunData, L: Labels, shots: Shots, sites: dict[str, str]) -> list[dict[str, Any]]:
    groups = []
    rules = run.rules
    for sev in SEVERITY_ORDER:
        fs = [f for f in run.sorted_findings() if f.severity == sev]
        if not fs:
            continue
        by_rule: dict[str, list[Finding]] = {}
        for f in fs:
            by_rule.setdefault(f.rule, []).append(f)
        groups.append({"severity": sev, "label": L.severity(sev), "count": len(fs), "rules": [{
            "id": rid, "title": L.rule_text(rules.get(rid), "title") or rid,
            "explanation": L.rule_text(rules.get(rid), "explanation"),
            "legal_basis": joined((rules.get(rid) or {}).get("legal_basis")),
            "jurisdictions": ", ".join((rules.get(rid) or {}).get("jurisdictions") or []) or "—",
            "findings": [finding_view(run, f, L, shots, sites) for f in items],
        } for rid, items in by_rule.items()]})
    return groups


def baseline_view(run: RunData, L: Labels) -> dict[str, Any] | None:
    b = run.document.baseline
    if b is None:
        return None

    def entries(gone: tuple[GoneFinding, ...]) -> list[dict[str, Any]]:
        return [{"id": e.id, "rule": e.rule, "severity": e.severity, "sev_label": L.severity(e.severity),
                 "domain": e.domain, "choice": L.choice(e.choice), "message": L.message(e)} for e in gone]

    return {"run_id": b.run_id or "—", "started": b.started_utc or "—", "new": b.new, "persisting": b.persisting,
            "resolved": entries(b.resolved), "unknown": entries(b.unknown)}


def per_rule(run: RunData, L: Labels) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for f in run.sorted_findings():
        if f.baseline_status == "resolved":
            continue
        e = out.setdefault(f.rule, {"id": f.rule, "title": L.rule_text(run.rules.get(f.rule), "title") or f.rule,
                                    "worst": f.severity, "count": 0, "domains": []})
        e["count"] += 1
        if f.domain not in e["domains"]:
            e["domains"].append(f.domain)
    for e in out.values():
        e["worst_label"] = L.severity(e["worst"])
        e["domains"] = ", ".join(e["domains"])
    return list(out.values())


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
    per_rule: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    signature: dict | None = None


def build(run: RunData, lang: str, print_mode: bool = False) -> ReportModel:
    L = Labels(lang)
    shots = Shots(run)
    sites = {d.host: d.host for d in run.domains}
    m = ReportModel(L=L, run=run, print_mode=print_mode, shots=shots)
    m.matrix = matrix(run)
    m.totals = severity_totals(run)
    m.waived = waived_count(run)
    m.groups = finding_groups(run, L, shots, sites)
    m.domains = [domain_view(run, d, L) for d in run.domains]
    m.visits = [(d.host, [vv for c in run.choices if (vv := visit_view(run, d.host, c, L, shots))])
                for d in run.domains]
    m.provenance = provenance(run, L)
    m.baseline = baseline_view(run, L)
    m.per_rule = per_rule(run, L)

    m.signature = run.signature()
    m.warnings = [w.message or w.code for w in run.document.warnings]
    return m
