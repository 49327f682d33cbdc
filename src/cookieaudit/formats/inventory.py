"""Per-domain inventories (declared versus observed vendors, third-party hosts, cookies, storage), the per-visit
consent log and the provenance table of the report."""

from __future__ import annotations

from typing import Any

from ..observations import PHASES as PHASE_ORDER
from ..rundoc import DomainEntry
from .records import cookie_row, flatten, short, text
from .rundata import RunData
from .screenshots import Shots
from .view import Labels, host_of, registrable, third_party


def choices_text(cs: list[str], all_choices: list[str], L: Labels) -> str:
    """Choices in report order; 'alle keuzes' when it is every one of them."""
    ordered = [c for c in all_choices if c in cs] + [c for c in cs if c not in all_choices]
    if len(all_choices) > 1 and set(all_choices) <= set(cs):
        return L["all_choices"]
    return ", ".join(L.choice(c) for c in ordered)


def _where(where: dict[str, list[str]], L: Labels, choices: list[str]) -> str:
    """'geen interactie, alles weigeren: vóór toestemming, na keuze' — choices with the same phases grouped."""
    groups: dict[tuple, list[str]] = {}
    for c in choices:
        if c in where:
            groups.setdefault(tuple(p for p in PHASE_ORDER if p in where[c]) +
                              tuple(sorted(p for p in where[c] if p not in PHASE_ORDER)), []).append(c)
    parts = []
    for phases, cs in groups.items():
        who = L["all_choices"] if len(cs) == len(choices) and len(choices) > 1 else ", ".join(L.choice(c) for c in cs)
        parts.append(f"{who}: " + ", ".join(L.phase(p) for p in phases))
    return "; ".join(parts)


def vendor_by_host(run: RunData, host: str) -> dict[str, str]:
    """Request host -> vendor name: this domain's vendor list first, then other domains' and the findings'."""
    out: dict[str, str] = {}
    doms = sorted(run.domains, key=lambda d: d.host != host)
    for d in doms:
        for v in d.vendors or ():
            label = v.name or v.id
            if label:
                for h in v.hosts:
                    out.setdefault(h, label)
    for f in sorted(run.findings, key=lambda f: f.domain != host):
        requested = f.subject.get("host")
        if requested and f.vendor:
            out.setdefault(requested, run.vendor_name(f.vendor) or f.vendor)
    return out


def attribute(host: str, known: dict[str, str]) -> tuple[str | None, bool]:
    """(vendor, exact) of a request host: an exact match, else — a presumption, shown as such — the vendor of a
    known host with the same registrable domain (k.clarity.ms like www.clarity.ms)."""
    if host in known:
        return known[host], True
    reg = registrable(host)
    return next((v for h, v in sorted(known.items()) if registrable(h) == reg), None), False


def vendor_table(run: RunData, d: DomainEntry, L: Labels,
                 by_hosts: dict[str, list[str]]) -> tuple[list[dict[str, Any]], bool]:
    """Declared versus observed vendors of a domain. Sources, best first: the domain's own ``vendors`` list;
    else the run's ``declared_vendors``, observed = named in a finding with request/cookie/storage evidence, or
    owner of a requested host (``by_hosts``: vendor name -> choices). ``derived`` is True when the declared side
    is unknown."""
    choices = run.choices
    if d.vendors:
        return [{"name": v.name or v.id, "category": L.category(v.category) or "—",
                 "declared": L["yes"] if v.declared else L["no"],
                 "observed_in": choices_text(list(v.choices), choices, L) or L["declared_not_observed"],
                 "undeclared": not v.declared and bool(v.choices)} for v in d.vendors], False
    seen: dict[str, dict] = {}
    for f in run.findings:
        observed = any((e.pointer or "").split("/")[1:2] in (["requests"], ["cookies"], ["storage"],
                                                                      ["set_cookies"], ["cookie_writes"])
                       for e in f.evidence)
        if f.domain == d.host and f.vendor and observed:
            name = run.vendor_name(f.vendor) or f.vendor
            e = seen.setdefault(name, {"category": f.category, "choices": []})
            if f.choice not in e["choices"]:
                e["choices"].append(f.choice)
    for name, cs in by_hosts.items():
        e = seen.setdefault(name, {"category": None, "choices": []})
        e["choices"] += [c for c in cs if c not in e["choices"]]
    declared = run.declared_vendors
    rows = []
    for v in declared:
        seen_as = seen.pop(str(v.name or v.id), None)
        rows.append({"name": v.name or v.id,
                     "category": ", ".join(L.category(c) for c in v.categories) or "—",
                     "declared": L["yes"], "undeclared": False,
                     "observed_in": choices_text(seen_as["choices"] if seen_as else [], choices, L)
                     or L["declared_not_observed"]})
    for vid, e in sorted(seen.items()):
        rows.append({"name": vid, "category": L.category(e["category"]) or "—",
                     "declared": L["no"] if declared else L["unknown"], "undeclared": bool(declared),
                     "observed_in": choices_text(e["choices"], choices, L)})
    return rows, not declared


def domain_view(run: RunData, d: DomainEntry, L: Labels) -> dict[str, Any]:
    host = d.host
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
                                           "value": short(s.get("value", "")), "where": {}})
            phases = row["where"].setdefault(c, [])
            if s.get("phase") not in phases:
                phases.append(s.get("phase"))
        for r in obs.get("requests", []):
            h = host_of(r.get("url"))
            if not h or not third_party(h, host):
                continue
            vendor, exact = attribute(h, host_vendor)
            e = hosts.setdefault(h, {"host": h, "vendor": vendor, "exact": exact, "total": 0, "before": 0,
                                     "choices": []})
            e["total"] += 1
            no_consent = c in ("no-interaction", "reject-all") or r.get("phase") == "before-consent" \
                or (r.get("t") is not None and r["t"] < 0)
            e["before"] += 1 if no_consent else 0
            if c not in e["choices"]:
                e["choices"].append(c)
    by_hosts: dict[str, list[str]] = {}
    for e in hosts.values():
        if e["vendor"] and e["exact"]:
            by_hosts.setdefault(e["vendor"], [])
            by_hosts[e["vendor"]] += [c for c in e["choices"] if c not in by_hosts[e["vendor"]]]
    vendors, derived = vendor_table(run, d, L, by_hosts)
    third = sorted(hosts.values(), key=lambda e: (e["vendor"] is None, e["vendor"] or "", e["host"]))
    for e in third:
        e["choices"] = choices_text(e["choices"], choices, L)
        e["vendor"] = (e["vendor"] if e["exact"] else L["presumably"].format(vendor=e["vendor"])) if e["vendor"] \
            else L["unattributed"]
    return {
        "host": host, "country": d.country or "—", "locale": d.locale or "—",
        "timezone": d.timezone or "—", "vendors": vendors, "vendors_derived": derived, "third": third,
        "pages": [{"path": p.get("path", ""), "kind": p.get("kind", "")}
                  for p in (d.discovery or {}).get("pages") or []]
        or [{"path": p, "kind": ""} for p in d.pages or ()],
        "pages_source": d.pages_source or "configured",
        "discovery_error": (d.discovery or {}).get("error"),
        "cookies": [{**e["row"], "where": _where(e["where"], L, choices)}
                    for _, e in sorted(cookies.items(), key=lambda kv: (kv[1]["row"]["party"], str(kv[0])))],
        "storage": [{**e, "where": _where(e["where"], L, choices)}
                    for _, e in sorted(storage.items(), key=lambda kv: str(kv[0]))],
    }


# -- visits -------------------------------------------------------------------------------------------------

def mapping_rows(consent: dict[str, Any], L: Labels) -> list[dict[str, Any]]:
    """How the consent manager's keys were read as policy categories, and why (state.mapping)."""
    state = consent.get("state") or {}
    if "mapping" not in state:   # withdraw: the state of the withdrawal, else of the accept
        state = (state.get("withdraw") or state.get("accept") or {}) if isinstance(state, dict) else {}
    rows = []
    for key, m in sorted((state.get("mapping") or {}).items()):
        cats = [c for c in m.get("categories") or [] if c != "*"]
        shown = "*" if "*" in (m.get("categories") or []) else (", ".join(L.category(c) for c in cats) or L["mapping_unmapped"])
        rows.append({"key": key, "label": m.get("label") or "", "categories": shown, "source": m.get("source") or ""})
    return rows[:40]


def visit_view(run: RunData, host: str, choice: str, L: Labels, shots: Shots) -> dict[str, Any] | None:
    entry = run.visit(host, choice)
    obs = run.observation(host, choice)
    if entry is None and obs is None:
        return None
    # the observation's own consent record (with its steps and mapping) wins over the run document's summary
    consent = (obs or {}).get("consent") or (entry.consent.to_dict() if entry and entry.consent else {})
    base = f"evidence/{host}/{choice}"
    banner = [(L[k], shots.get(f"{base}/{name}")) for k, name in
              (("banner_before", "banner-before.png"), ("banner_after", "banner-after.png"))
              if run.file(f"{base}/{name}")]
    cnt = dict(entry.counts) if entry is not None else {}
    if obs and not cnt:
        cnt = {"requests": len(obs.get("requests", [])), "cookies": len(obs.get("cookies", [])),
               "storage": len(obs.get("storage", []))}
    return {
        "anchor": f"v-{host}-{choice}", "host": host, "choice": choice, "choice_label": L.choice(choice),
        "complete": (entry.status if entry is not None else (obs or {}).get("status")) == "complete",
        "outcome": consent.get("outcome"), "outcome_label": L.outcome(consent.get("outcome")),
        "method": consent.get("method") or "—", "cmp": consent.get("cmp") or "—",
        "accepted": ", ".join(L.category(c) for c in consent.get("accepted_categories") or []) or "—",
        "reason": consent.get("reason") or "",
        "errors": list(dict.fromkeys(list(entry.errors if entry is not None else ())
                                     + list((obs or {}).get("errors") or []))),
        "steps": [{"time": L.time(s.get("t"), choice), "action": s.get("action", ""), "detail": s.get("detail", ""),
                   "ok": s.get("ok", True)} for s in consent.get("steps") or []],
        "mapping": mapping_rows(consent, L),
        "not_offered": ", ".join(L.category(c) for c in consent.get("not_offered") or []),
        "banner": banner,
        "pages": [{"phase": L.phase(p.get("phase")), "url": p.get("url"), "final_url": p.get("final_url"),
                   "status": p.get("status"), "title": p.get("title"), "error": p.get("error"),
                   "shot": shots.get(p.get("screenshot"))} for p in (obs or {}).get("pages", [])],
        "counts": L["visit_counts"].format(requests=cnt.get("requests", 0), cookies=cnt.get("cookies", 0),
                                           storage=cnt.get("storage", 0)),
        "observation": (entry.observation if entry is not None else None)
        or (f"observations/{host}/{choice}.json" if obs else None),
        "har": (obs or {}).get("evidence", {}).get("har"),
        "started": (obs or {}).get("started_utc"), "consent_wall": (obs or {}).get("consent_wall_utc"),
    }


# -- provenance ---------------------------------------------------------------------------------------------

def _or_dash(value: str | None) -> str:
    return "—" if value is None else value


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
        (L["machine"], "\n".join(f"{k}: {v}" for k, v in flatten(r["host"])) if isinstance(r.get("host"), dict)
         else (r.get("host") or "—"), isinstance(r.get("host"), dict)),
        (L["started"], r.get("started_utc") or "—", False),
        (L["ended"], r.get("ended_utc") or "—", False),
        (L["browser"], browser.get("version") or "—", False),
        (L["browser_exe"], browser.get("executable") or "—", True),
        (L["user_agent"], browser.get("user_agent") or "—", True),
        (L["third_party_cookies"], L.s.get(f"tpc_{policy.get('third_party_cookies')}", policy.get("third_party_cookies"))
         or "—", False),
        (L["policy"], "\n".join(f"{k}: {text(v)}" for k, v in policy.items()) or "—", True),
        (L["browser_args"], "\n".join(browser.get("args") or []) or "—", True),
        (L["expectations"], f"{exp.get('path', '—')}\nSHA-256 {exp.get('sha256', '—')}", True),
        (L["knowledge_base"], "\n".join(f"{k}: {v}" for k, v in flatten(r.get("knowledge_base") or {})) or "—", True),
        (L["resolve"], "\n".join(r.get("resolve") or []) or "—", True),
    ]
    known = {"id", "tool", "command", "host", "started_utc", "ended_utc", "browser", "expectations", "knowledge_base",
             "resolve"}
    other = {k: v for k, v in r.items() if k not in known}
    other.update({f"browser.{k}": v for k, v in browser.items()
                  if k not in ("version", "executable", "user_agent", "policy", "args")})
    if other:
        rows.append((L["other"], "\n".join(f"{k}: {v}" for k, v in flatten(other)), True))
    for d in run.domains:
        rows.append((f"{L['domain']} {d.host}",
                     f"{L['country']} {_or_dash(d.country)} · {L['locale']} {_or_dash(d.locale)} · "
                     f"{L['timezone']} {_or_dash(d.timezone)}", False))
    summary = run.document.summary
    rows.append(("CI", L["fail_on"].format(code=summary.exit_code, sev=L.severity(summary.fail_on)), False))
    return rows


# -- the cookie inventory a shop publishes next to its privacy policy ------------------------------------------

INVENTORY_FORMATS = ("html", "csv", "md")


def cookie_inventory(run: RunData, domain: str, lang: str = "nl") -> dict[str, Any]:
    """Every cookie and web storage item observed on ``domain`` across all choices, with vendor, purpose, the
    policy's category, first/third party, the stored lifetime and the choices under which it appeared; items the
    policy does not declare yet are marked (``declared`` False). Vendor and purpose come from the knowledge base."""
    from ..kb import load_kb
    from .dossier_text import PURPOSES, text as dtext
    from .records import capture_epoch

    T = dtext(lang)
    if domain not in {d.host for d in run.domains}:
        from ..errors import ConfigError

        raise ConfigError(f"--domain {domain}: not in this run",
                          fix=f"use one of: {', '.join(d.host for d in run.domains)}")
    kb = load_kb()
    clf = kb.classifier([d.host for d in run.domains])
    declared = {v.id: v for v in run.declared_vendors}
    rows: dict[tuple, dict[str, Any]] = {}

    def choice_label(c: str) -> str:
        if c.startswith("only-"):
            return T["choice_only"].format(cat=T.get(f"cat_{c[5:]}", c[5:]))
        return T.get(f"choice_{c}", c)

    for c in run.choices:
        obs = run.observation(domain, c)
        if not obs:
            continue
        cap = capture_epoch(obs)
        items: list[tuple[str, tuple[Any, ...], Any, str, Any, float | None]] = [
                 ("cookie", (ck.get("name"), ck.get("domain")), ck.get("name"), ck.get("domain") or "",
                  clf.cookie(ck.get("name") or "", ck.get("domain") or "", ck.get("set_by")),
                  ((ck["expires"] - cap) / 86400) if (ck.get("expires") and ck.get("expires", 0) > 0 and cap) else None)
                 for ck in obs.get("cookies") or []]
        items += [(f"{st.get('kind')}Storage", (st.get("origin"), st.get("kind"), st.get("key")), st.get("key"),
                   st.get("origin") or "", clf.storage(st.get("origin") or "", st.get("key") or "", st.get("kind")),
                   None) for st in obs.get("storage") or []]
        for kind, key, name, where, att, days in items:
            r = rows.get((kind, key))
            if r is None:
                v = kb.vendor(att.vendor) if att.vendor else None
                dv = declared.get(att.vendor or "")
                cats = list(dv.categories) if dv else ([att.category] if att.category == "necessary" else [])
                is_declared = bool(dv) or (att.category == "necessary" and att.party == "first")
                purpose = (PURPOSES.get(v.kind, {}).get(lang) if v else None) or (
                    T.get(f"cat_{att.category}") if att.category else T["unknown"])
                r = rows[(kind, key)] = {
                    "name": name or "", "kind": kind if kind != "cookie" else T["kind_cookie"], "where": where,
                    "vendor": (v.name if v else (att.platform or T["unknown"])), "purpose": purpose,
                    "category": ", ".join(T.get(f"cat_{x}", x) for x in cats) if cats else T["not_declared"],
                    "party": T["first_party"] if att.party == "first" else T["third_party"],
                    "lifetime_days": days, "choices": [], "declared": is_declared,
                }
            if days is not None and (r["lifetime_days"] is None or days > r["lifetime_days"]):
                r["lifetime_days"] = days
            if choice_label(c) not in r["choices"]:
                r["choices"].append(choice_label(c))
    out = sorted(rows.values(), key=lambda r: (r["declared"], r["party"], r["vendor"], r["name"]))
    for r in out:
        d = r["lifetime_days"]
        r["lifetime"] = T["session"] if d is None else (T["hours"].format(n=max(0, round(d * 24))) if d < 2
                                                        else T["days"].format(n=round(d)))
        r["choices_text"] = ", ".join(r["choices"])
        r["declared_text"] = T["yes"] if r["declared"] else T["not_declared"]
    return {"domain": domain, "lang": lang, "T": T, "rows": out}


def _inventory_columns(T: dict[str, str]) -> list[tuple[str, str]]:
    return [("name", T["inv_name"]), ("kind", T["inv_kind"]), ("where", T["inv_where"]), ("vendor", T["inv_vendor"]), ("purpose", T["inv_purpose"]),
            ("category", T["inv_category"]), ("party", T["inv_party"]), ("lifetime", T["inv_lifetime"]),
            ("choices_text", T["inv_choices"]), ("declared_text", T["inv_declared"])]


def inventory_csv(inv: dict[str, Any]) -> str:
    import csv
    import io

    cols = _inventory_columns(inv["T"])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([h for _k, h in cols])
    for r in inv["rows"]:
        w.writerow([_csv_safe(str(r[k])) for k, _h in cols])
    return "\ufeff" + buf.getvalue()


def _csv_safe(v: str) -> str:
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v


def inventory_markdown(inv: dict[str, Any]) -> str:
    T = inv["T"]
    cols = _inventory_columns(T)

    def cell(v: Any) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    lines = [f"# {T['inv_title']}: {inv['domain']}", "", T["inv_intro"].format(domain=inv["domain"]), "",
             "| " + " | ".join(h for _k, h in cols) + " |", "|" + "---|" * len(cols)]
    for r in inv["rows"]:
        vals = [cell(r[k]) for k, _h in cols]
        if not r["declared"]:
            vals = [f"**{v}**" for v in vals]
        lines.append("| " + " | ".join(vals) + " |")
    return "\n".join(lines) + "\n"


def inventory_html(inv: dict[str, Any]) -> str:
    from html import escape

    T = inv["T"]
    cols = _inventory_columns(T)
    head = "".join(f"<th>{escape(h)}</th>" for _k, h in cols)
    body = "".join(
        f'<tr class="{"" if r["declared"] else "undeclared"}">' + "".join(f"<td>{escape(str(r[k]))}</td>" for k, _h in cols)
        + "</tr>" for r in inv["rows"])
    title = f"{T['inv_title']}: {inv['domain']}"
    return ("<!DOCTYPE html>\n"
            f'<html lang="{inv["lang"]}"><head><meta charset="utf-8">'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{escape(title)}</title><style>body{{font:14px/1.4 system-ui,sans-serif;margin:24px}}"
            "table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;"
            "vertical-align:top}th{background:#f5f6f8}tr.undeclared td{background:#fff3e0;font-weight:600}</style>"
            f"</head><body><h1>{escape(title)}</h1><p>{escape(T['inv_intro'].format(domain=inv['domain']))}</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>\n")


def write_inventory(run_dir, domain: str, lang: str = "nl", formats: tuple[str, ...] = INVENTORY_FORMATS) -> list:
    """``inventory-<domain>-<lang>.{html,csv,md}`` in the run folder (derived outputs)."""
    from pathlib import Path

    from . import _write

    run = RunData.load(run_dir)
    inv = cookie_inventory(run, domain, lang)
    out = []
    for f in formats:
        content = {"html": inventory_html, "csv": inventory_csv, "md": inventory_markdown}[f](inv)
        p = Path(run_dir) / f"inventory-{domain}-{lang}.{f}"
        _write(p, content)
        out.append(p)
    return out
