"""``cookieaudit policy check``: does the live privacy policy still say what the expectations file says?

For every domain the privacy policy page is fetched over HTTPS (``--resolve`` sends a host name to another
address while keeping it for SNI and certificate verification; ``--ca-cert`` adds a trusted CA), the named
third parties and the retention statements are read from its text, and compared with the expectations:

``policy-vendor-undeclared``  (medium) a tracking vendor named in the live policy is not declared in the expectations
``policy-vendor-missing``     (high)   a vendor declared in the expectations is no longer named in the live policy
``policy-retention-mismatch`` (medium) the policy's retention of technical data ≠ ``retention.technical_data_days``
``policy-retention-unstated`` (medium) the policy states no retention period for technical data at all

Exit code: 0 consistent, 1 drift, 2 a page could not be fetched, 64 configuration error.
"""

from __future__ import annotations

import dataclasses

import datetime as dt
import fnmatch
import hashlib
import json
import re
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, ConfigError
from ..findings import Evidence, Finding

POLICY_CHECK_SCHEMA = "cookieaudit.policy-check/1"
USER_AGENT = "cookieaudit-policy-check (+https://github.com/; privacy policy drift check)"

# Tracking vendors a privacy policy may name, by knowledge-base vendor id. Names are matched as whole words,
# case-insensitively, with any whitespace between words. Deliberately no bare "Google", "Meta" or "Clarity".
VENDOR_ALIASES: dict[str, tuple[str, ...]] = {
    "google-tag-manager": ("Google Tag Manager",),
    "google-analytics": ("Google Analytics", "Universal Analytics", "GA4"),
    "google-ads": ("Google Ads", "Google AdWords", "AdWords", "DoubleClick", "Google Marketing Platform"),
    "microsoft-clarity": ("Microsoft Clarity",),
    "brevo": ("Brevo", "Sendinblue"),
    "hotjar": ("Hotjar",),
    "meta-pixel": ("Meta Pixel", "Meta-Pixel", "Facebook Pixel", "Facebook-Pixel", "Facebook Custom Audiences"),
    "tiktok": ("TikTok Pixel", "TikTok-Pixel"),
    "linkedin": ("LinkedIn Insight Tag", "LinkedIn Insight", "LinkedIn Ads"),
    "bing-uet": ("Microsoft Advertising", "Bing Ads", "Bing UET"),
    "pinterest": ("Pinterest Tag", "Pinterest-Tag"),
    "snapchat": ("Snapchat Pixel", "Snap Pixel"),
    "twitter": ("Twitter Pixel", "X Pixel"),
    "google-adsense": ("Google AdSense",),
    "criteo": ("Criteo",),
    "matomo": ("Matomo", "Piwik"),
    "cloudflare-web-analytics": ("Cloudflare Web Analytics",),
    "mailchimp": ("Mailchimp",),
    "klaviyo": ("Klaviyo",),
    "hubspot": ("HubSpot",),
    "trustpilot": ("Trustpilot",),
    "kiyoh": ("Kiyoh", "Klantenvertellen"),
    "trusted-shops": ("Trusted Shops",),
    "youtube": ("YouTube",),
    "vimeo": ("Vimeo",),
}

_NUM_WORDS = {
    # nl
    "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9,
    "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "achttien": 18, "vierentwintig": 24,
    # de
    "ein": 1, "eine": 1, "einen": 1, "einem": 1, "eines": 1, "eins": 1, "zwei": 2, "drei": 3, "fünf": 5,
    "sechs": 6, "sieben": 7, "neun": 9, "zehn": 10, "zwölf": 12, "dreizehn": 13, "achtzehn": 18,
    "vierundzwanzig": 24,
    # en
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "twelve": 12, "thirteen": 13, "eighteen": 18, "twenty-four": 24,
}
_UNITS = [  # (regex, days per unit)
    (r"jaar|jaren|years?|jahre?n?|jahres", 365.0),
    (r"maanden|maand|months?|monate?n?|monats", 365.0 / 12),
    (r"weken|week|weeks|wochen|woche", 7.0),
    (r"dagen|dag|days?|tage?n?|tages", 1.0),
    (r"uren|uur|hours?|stunden?", 1.0 / 24),
]
_NUM = r"\d+(?:[.,]\d+)?|" + "|".join(sorted((re.escape(w) for w in _NUM_WORDS), key=len, reverse=True))
_DURATION = re.compile(rf"(?<![\w-])({_NUM})\s*(?:-\s*)?({'|'.join(u for u, _ in _UNITS)})(?![\w])", re.IGNORECASE)
_TECHNICAL = re.compile(
    r"technische\s+gegevens|technische\s+data|technische\s+daten|technical\s+data|"
    r"ip[-\s]?adres(?:sen)?|ip[-\s]?adressen?|ip[-\s]?address(?:es)?|"
    r"log\s?(?:bestanden|files?|dateien|daten)|server[-\s]?logs?|protokolldaten|"
    r"browsertype|browsertyp|browser\s+type", re.IGNORECASE)
_BLOCK = {"p", "li", "dt", "dd", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "article",
          "main", "blockquote", "pre", "caption", "figcaption", "address", "ul", "ol", "dl", "table", "tbody",
          "thead", "body", "header", "footer", "nav", "aside", "form"}
_SENTENCE = re.compile(r"(?<=[.;!?])\s+(?=[A-ZÄÖÜ])")


@dataclass
class RetentionStatement:
    text: str
    duration: str
    days: float
    technical: bool

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "duration": self.duration, "days": round(self.days, 1), "technical": self.technical}


@dataclass
class PolicyPage:
    domain: str
    url: str | None = None
    status: int | None = None
    error: str | None = None
    tried: list[str] = field(default_factory=list)
    html: bytes | None = None
    vendors: dict[str, list[str]] = field(default_factory=dict)    # vendor id -> names as written
    retention: list[RetentionStatement] = field(default_factory=list)

    @property
    def fetched(self) -> bool:
        return self.html is not None


# -- text analysis -----------------------------------------------------------------------------------------

def statements(html: str | bytes) -> list[str]:
    """The text of the page as short statements: one per leaf block element, <br> line and sentence."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for t in soup(["script", "style", "noscript", "template", "svg", "head"]):
        t.decompose()
    root = soup.find("main") or soup.find("article")
    if root is None:                      # no content element: drop the page chrome (menus, footer links)
        root = soup.body or soup
        for t in root.find_all(["nav", "footer", "header"]):
            t.decompose()
    for br in root.find_all("br"):
        br.replace_with("\n")
    out: list[str] = []

    def emit(text: str) -> None:
        for line in text.split("\n"):
            line = re.sub(r"\s+([,.;:!?)])", r"\1", re.sub(r"\s+", " ", line)).strip()
            if line:
                out.extend(s.strip() for s in _SENTENCE.split(line) if s.strip())

    def walk(el) -> None:
        name = getattr(el, "name", None)
        if name is None:
            return
        if name == "tr":
            emit(" ".join(c.get_text(" ") for c in el.find_all(["td", "th"])))
            return
        blocks = [c for c in el.find_all(True) if c.name in _BLOCK]
        if not blocks:
            emit(el.get_text(" "))
            return
        buf: list[str] = []
        for child in el.children:
            cname = getattr(child, "name", None)
            if cname in _BLOCK or (cname and child.find(_BLOCK)):
                if buf:
                    emit(" ".join(buf))
                    buf = []
                walk(child)
            else:
                buf.append(child.get_text(" ") if cname else str(child))
        if buf:
            emit(" ".join(buf))

    walk(root)
    return out


def _alias_pattern(name: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"\s+", name.strip())]
    return re.compile(r"(?<![\w-])" + r"\s+".join(words) + r"(?![\w])", re.IGNORECASE)


def vendor_aliases(declared: dict[str, str] | None = None) -> dict[str, tuple[str, ...]]:
    """The alias table, plus the names of the declared vendors and of the knowledge base's tracking vendors."""
    table = {k: list(v) for k, v in VENDOR_ALIASES.items()}
    for vid, name in _kb_vendor_names().items():
        table.setdefault(vid, [])
        if name not in table[vid]:
            table[vid].append(name)
    for vid, name in (declared or {}).items():
        table.setdefault(vid, [])
        if name not in table[vid]:
            table[vid].append(name)
    return {k: tuple(v) for k, v in table.items()}


def _kb_vendor_names() -> dict[str, str]:
    """Tracking vendors' plain names from cookieaudit.kb when it exposes them (never required)."""
    try:
        from ..kb import load_kb

        kb = load_kb()
        vendors = getattr(kb, "vendors", None)
        items = vendors.values() if isinstance(vendors, dict) else (vendors or [])
        out = {}
        for v in items:
            vid, name = getattr(v, "id", None), getattr(v, "name", None)
            if vid and name and getattr(v, "tracking", True) and re.fullmatch(r"[\w][\w .&'-]{2,40}", name):
                out[vid] = name
        return out
    except Exception:  # noqa: BLE001 - the alias table is enough
        return {}


def find_vendors(texts: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """vendor id -> the distinct spellings found. Longer names win where they overlap ("Google Ads Remarketing")."""
    text = "\n".join(texts)
    pats = sorted(((vid, name, _alias_pattern(name)) for vid, names in aliases.items() for name in names),
                  key=lambda t: -len(t[1]))
    taken: list[tuple[int, int]] = []
    found: dict[str, list[str]] = {}
    for vid, _, pat in pats:
        for m in pat.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            spelled = re.sub(r"\s+", " ", m.group(0))
            if spelled not in found.setdefault(vid, []):
                found[vid].append(spelled)
    return found


def _to_days(num: str, unit: str) -> float:
    n = float(num.replace(",", ".")) if num[0].isdigit() else float(_NUM_WORDS[num.lower()])
    for pat, per in _UNITS:
        if re.fullmatch(pat, unit, re.IGNORECASE):
            return n * per
    raise ValueError(unit)


def find_retention(texts: list[str]) -> list[RetentionStatement]:
    out = []
    for s in texts:
        technical = bool(_TECHNICAL.search(s))
        for m in _DURATION.finditer(s):
            out.append(RetentionStatement(text=s[:300], duration=re.sub(r"\s+", " ", m.group(0)),
                                          days=_to_days(m.group(1), m.group(2)), technical=technical))
    return out


def same_days(a: float, b: float) -> bool:
    """"1 jaar", "12 maanden", "52 weeks" and "365 dagen" are the same period."""
    return abs(a - b) <= max(1.0, 0.01 * b)


# -- fetching ----------------------------------------------------------------------------------------------

def parse_resolve(entries: tuple[str, ...] | list[str]) -> list[tuple[str, str, int | None]]:
    rules = []
    for e in entries:
        host, sep, addr = e.partition("=")
        host, addr = host.strip(), addr.strip()
        if not sep or not host or not addr:
            raise ConfigError(f"--resolve {e!r}: expected HOST=ADDR[:PORT]", fix="e.g. --resolve '*=10.0.0.5:443'")
        port: int | None = None
        m = re.fullmatch(r"\[([0-9a-fA-F:.]+)\](?::(\d+))?", addr) or re.fullmatch(r"([^:]+)(?::(\d+))?", addr)
        if not m:
            raise ConfigError(f"--resolve {e!r}: cannot read the address", fix="ADDR is an IPv4, [IPv6] or host name, "
                              "optionally :PORT")
        if m.group(2):
            port = int(m.group(2))
        rules.append((host.lower(), m.group(1), port))
    return rules


def _transport_class():
    import httpx

    class ResolvingTransport(httpx.HTTPTransport):
        """Connects to the --resolve address but keeps the host name for Host, SNI and certificate checks."""

        def __init__(self, rules: list[tuple[str, str, int | None]], **kw: Any):
            super().__init__(**kw)
            self.rules = rules

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            host = request.url.host
            target = next(((a, p) for pat, a, p in self.rules if fnmatch.fnmatchcase(host, pat)), None)
            if target is None:
                if self.rules:
                    raise httpx.ConnectError(f"{host}: not mapped by --resolve (unmapped names are not looked up)",
                                             request=request)
                return super().handle_request(request)
            addr, port = target
            ext = dict(request.extensions)
            ext["sni_hostname"] = host
            mapped = httpx.Request(request.method, request.url.copy_with(host=addr, port=port or request.url.port),
                                   headers=request.headers, stream=request.stream, extensions=ext)
            return super().handle_request(mapped)

    return ResolvingTransport


def _ssl_context(ca_cert: Path | None) -> ssl.SSLContext:
    try:
        import certifi

        ctx = ssl.create_default_context(cafile=certifi.where())
    except ImportError:
        ctx = ssl.create_default_context()
    if ca_cert is not None:
        try:
            ctx.load_verify_locations(cafile=str(ca_cert))
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"--ca-cert {ca_cert}: not a readable PEM certificate ({exc})",
                              fix="pass the PEM file of the CA that signed the target's certificate") from None
    return ctx


def policy_paths(domain: Any) -> list[str]:
    """Where the privacy policy lives: the domain's ``privacy_page`` when the expectations give one, otherwise
    /privacy (NL/BE) or /datenschutz (DE/AT) first, then the other one."""
    own = getattr(domain, "privacy_page", None)
    if own:
        return [own] if isinstance(own, str) else list(own)
    if getattr(domain, "country", "") in ("DE", "AT"):
        return ["/datenschutz", "/privacy"]
    return ["/privacy", "/datenschutz"]


def fetch_policy(domain: Any, client: Any) -> PolicyPage:
    import httpx

    page = PolicyPage(domain=domain.host)
    for path in policy_paths(domain):
        url = f"https://{domain.host}{path}"
        page.tried.append(url)
        try:
            r = client.get(url)
        except httpx.HTTPError as exc:
            page.error = f"{url}: {type(exc).__name__}: {exc}"
            if isinstance(exc, (httpx.ConnectError, httpx.TimeoutException)):
                break                       # same host: the other path will not fare better
            continue
        page.status = r.status_code
        if r.status_code == 200:
            page.url = str(r.url)
            page.html = r.content
            page.error = None
            return page
        page.error = f"{url}: HTTP {r.status_code}"
    return page


# -- the check -------------------------------------------------------------------------------------------

def _finding(rule: str, severity: str, domain: Any, vendor: str | None, name: str, message: str, message_nl: str,
             details: dict[str, Any], url: str | None) -> Finding:
    return Finding(rule=rule, severity=severity, domain=domain.host, choice="policy", phase=None,
                   jurisdiction=domain.country, vendor=vendor, subject={"kind": "policy", "name": name},
                   message=message, message_nl=message_nl, details=details,
                   evidence=(Evidence(note=f"privacy policy page {url}"),) if url else ())


def compare(page: PolicyPage, domain: Any, exp: Any) -> list[Finding]:
    """The drift findings of one fetched policy page against the expectations."""
    declared = {v.id: v.name for v in exp.vendors}
    names = vendor_aliases()
    found: list[Finding] = []
    for vid in sorted(set(page.vendors) - set(declared)):
        label = names.get(vid, (vid,))[0]
        found.append(_finding(
            "policy-vendor-undeclared", "medium", domain, vid, f"vendor:{vid}",
            f"The live privacy policy of {domain.host} names {label} ({', '.join(page.vendors[vid])}), which the "
            "expectations file does not declare.",
            f"Het actuele privacybeleid van {domain.host} noemt {label}, dat niet in het verwachtingenbestand staat.",
            {"url": page.url, "named_as": page.vendors[vid], "fix": f"add {vid} to vendors: in the expectations file "
             "if the policy is right, or correct the policy"}, page.url))
    for vid in sorted(set(declared) - set(page.vendors)):
        found.append(_finding(
            "policy-vendor-missing", "high", domain, vid, f"vendor:{vid}",
            f"The expectations file declares {declared[vid]}, but the live privacy policy of {domain.host} no longer "
            "names it.",
            f"Het verwachtingenbestand noemt {declared[vid]}, maar het actuele privacybeleid van {domain.host} niet meer.",
            {"url": page.url, "declared_as": declared[vid], "looked_for": list(names.get(vid, (declared[vid],))),
             "fix": "remove the vendor from the expectations file if it is gone, or restore it in the policy"},
            page.url))
    want = exp.retention.technical_data_days
    tech = [r for r in page.retention if r.technical]
    wrong = [r for r in tech if not same_days(r.days, want)]
    if not tech:
        found.append(_finding(
            "policy-retention-unstated", "medium", domain, None, "retention:technical_data",
            f"The live privacy policy of {domain.host} states no retention period for technical data "
            f"(expected {want} days, {exp.retention.ref}).",
            f"Het actuele privacybeleid van {domain.host} noemt geen bewaartermijn voor technische gegevens "
            f"(verwacht: {want} dagen).",
            {"url": page.url, "expected_days": want, "retention_statements": [r.to_dict() for r in page.retention]},
            page.url))
    elif wrong:
        found.append(_finding(
            "policy-retention-mismatch", "medium", domain, None, "retention:technical_data",
            f"The live privacy policy of {domain.host} keeps technical data for {wrong[0].duration} "
            f"(≈{round(wrong[0].days)} days); the expectations say {want} days ({exp.retention.ref}).",
            f"Het actuele privacybeleid van {domain.host} bewaart technische gegevens {wrong[0].duration}; "
            f"het verwachtingenbestand zegt {want} dagen.",
            {"url": page.url, "expected_days": want, "policy": [r.to_dict() for r in wrong]}, page.url))
    return found


def check_policies(expectations: str | Path, *, resolve: tuple[str, ...] | list[str] = (),
                   ca_cert: str | Path | None = None, domains: tuple[str, ...] | list[str] = (),
                   timeout: float = 20.0, out: str | Path | None = None) -> dict[str, Any]:
    """Fetch and compare every domain's privacy policy; returns the policy-check document (see ``summary``).

    With ``out`` the document is written to ``out/policy-check.json`` and each fetched page to
    ``out/policy/<domain>.html`` (a dated copy, hashed in the document).
    """
    import httpx

    from ..expectations import expectations_hash, load_expectations

    exp = load_expectations(expectations)
    ca = Path(ca_cert) if ca_cert else None
    if ca is not None and not ca.is_file():
        raise ConfigError(f"--ca-cert {ca}: file not found", fix="pass the PEM file of the CA that signed the target's certificate")
    rules = parse_resolve(tuple(resolve))
    known = [d.host for d in exp.domains]
    for host in domains:
        if host not in known:
            raise ConfigError(f"--domain {host}: not in the expectations file", fix=f"use one of: {', '.join(known)}")
    selected = [d for d in exp.domains if not domains or d.host in domains]
    ctx = _ssl_context(ca)
    transport_cls = _transport_class()
    declared = {v.id: v.name for v in exp.vendors}
    aliases = vendor_aliases(declared)
    pages: list[PolicyPage] = []
    findings: list[Finding] = []
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    for d in selected:
        transport = transport_cls(rules, verify=ctx, limits=httpx.Limits(max_keepalive_connections=0))
        headers = {"User-Agent": USER_AGENT, "Accept-Language": f"{d.locale},{d.locale.split('-')[0]};q=0.9"}
        with httpx.Client(transport=transport, follow_redirects=True, timeout=timeout, headers=headers,
                          max_redirects=5) as client:
            page = fetch_policy(d, client)
        if page.fetched and page.html is not None:
            texts = statements(page.html)
            page.vendors = find_vendors(texts, aliases)
            page.retention = find_retention(texts)
            findings += compare(page, d, exp)
        pages.append(page)
    failed = [p for p in pages if not p.fetched]
    exit_code = EXIT_INCOMPLETE if failed else (EXIT_FINDINGS if findings else EXIT_OK)
    doc: dict[str, Any] = {
        "schema": POLICY_CHECK_SCHEMA,
        "checked_utc": started,
        "expectations": {"path": str(expectations), "sha256": expectations_hash(expectations)},
        "resolve": list(resolve), "ca_cert": str(ca) if ca else None,
        "declared": {"vendors": sorted(declared), "technical_data_days": exp.retention.technical_data_days},
        "pages": [{
            "domain": p.domain, "url": p.url, "status": p.status, "error": p.error, "tried": p.tried,
            "sha256": hashlib.sha256(p.html).hexdigest() if p.html is not None else None,
            "vendors": {k: v for k, v in sorted(p.vendors.items())},
            "retention": [r.to_dict() for r in p.retention],
        } for p in pages],
        "findings": [f.to_dict() for f in findings],
        "summary": {"pages": len(pages), "fetched": len(pages) - len(failed), "failed": len(failed),
                    "drift": len(findings), "exit_code": exit_code},
    }
    if out is not None:
        import json

        o = Path(out)
        (o / "policy").mkdir(parents=True, exist_ok=True)
        for p, entry in zip(pages, doc["pages"]):
            if p.html is not None:
                (o / "policy" / f"{p.domain}.html").write_bytes(p.html)
                entry["copy"] = f"policy/{p.domain}.html"
        (o / "policy-check.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    return doc


def format_table(doc: dict[str, Any]) -> str:
    """The human view: one line per domain, then one per drift finding."""
    lines = [f"{'domain':<24} {'page':<8} {'vendors named':<14} {'technical data retention':<26} result"]
    by_dom: dict[str, list[dict[str, Any]]] = {}
    for f in doc["findings"]:
        by_dom.setdefault(f["domain"], []).append(f)
    for p in doc["pages"]:
        if p["url"] is None:
            lines.append(f"{p['domain']:<24} {'FAILED':<8} {'-':<14} {'-':<26} not fetched: {p['error']}")
            continue
        tech = [r["duration"] for r in p["retention"] if r["technical"]]
        n = len(by_dom.get(p["domain"], []))
        lines.append(f"{p['domain']:<24} {p['status'] or '-':<8} {len(p['vendors']):<14} "
                     f"{(', '.join(dict.fromkeys(tech)) or 'not stated'):<26} {'DRIFT (' + str(n) + ')' if n else 'ok'}")
    if doc["findings"]:
        lines.append("")
        for f in doc["findings"]:
            lines.append(f"  {f['severity']:<7} {f['rule']:<26} {f['domain']:<24} {f['message']}")
    s = doc["summary"]
    lines.append("")
    lines.append(f"{s['fetched']}/{s['pages']} policy pages fetched; {s['drift']} drift finding(s); exit code {s['exit_code']}")
    return "\n".join(lines)


# -- the policy as declared at scan time: a snapshot stored as evidence -------------------------------------------

def snapshot_policies(exp: Any, run_dir: str | Path, domains: list[str] | tuple[str, ...] = (), *,
                      resolve: tuple[str, ...] | list[str] = (), ca_cert: str | Path | None = None,
                      timeout: float = 10.0, redact: bool = False) -> dict[str, dict[str, Any]]:
    """Fetch each domain's privacy policy page and store it in the run folder as evidence of what was declared:
    ``policy/<domain>.html`` (the bytes as served), ``policy/<domain>.txt`` (its text) and ``policy/<domain>.json``
    (URL, time, HTTP status, SHA-256 of both). Offline or unreachable: the JSON records that, with the reason.
    Never raises: a scan does not fail because the policy page could not be fetched."""
    import httpx

    run_dir = Path(run_dir)
    folder = run_dir / "policy"
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, dict[str, Any]] = {}
    try:
        rules = parse_resolve(tuple(resolve))
        ctx = _ssl_context(Path(ca_cert) if ca_cert else None)
    except ConfigError as exc:
        rules, ctx = None, None
        setup_error = str(exc)
    declared_url = getattr(getattr(exp, "policy", None), "url", None)
    for d in exp.domains:
        if domains and d.host not in domains:
            continue
        rec: dict[str, Any] = {"domain": d.host, "declared_url": declared_url,
                               "fetched_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
                               .replace("+00:00", "Z")}
        if rules is None:
            rec.update(status="not-fetched", error=setup_error)
        else:
            issued: set[str] = set()
            try:
                transport = _transport_class()(rules, verify=ctx, limits=httpx.Limits(max_keepalive_connections=0))
                headers = {"User-Agent": USER_AGENT, "Accept-Language": f"{d.locale},{d.locale.split('-')[0]};q=0.9"}
                with httpx.Client(transport=transport, follow_redirects=True, timeout=timeout, headers=headers,
                                  max_redirects=5) as client:
                    page = fetch_policy(d, client)
                    # --redact: a cookie value the site gave this fetch must not appear in the stored page either
                    issued = {c.value for c in client.cookies.jar if c.value} if redact else set()
            except Exception as exc:  # noqa: BLE001 - recorded, never fatal
                page = PolicyPage(domain=d.host, error=f"{type(exc).__name__}: {exc}")
            rec["tried"] = page.tried
            if page.fetched and page.html is not None and redact and issued:
                from ..redact import _replacements, _scrub

                page = dataclasses.replace(page, html=_scrub(page.html.decode("utf-8", errors="replace"),
                                                             _replacements(issued)).encode("utf-8"))
                rec["redacted"] = True
            if page.fetched and page.html is not None:
                body = "\n".join(statements(page.html))
                (folder / f"{d.host}.txt").write_text(body + "\n", encoding="utf-8")
                rec.update(status="fetched", url=page.url, http_status=page.status,
                           sha256=hashlib.sha256(page.html).hexdigest(),
                           text_sha256=hashlib.sha256((body + "\n").encode("utf-8")).hexdigest(),
                           text=f"policy/{d.host}.txt")
                if redact:
                    # markup can carry per-visitor values (inline session ids, tokens): a redacted run keeps the
                    # policy's text and the hash of the bytes as served, not the bytes
                    rec["html"] = None
                    rec["html_withheld"] = "redacted run: only the text and the SHA-256 of the page as served are kept"
                else:
                    (folder / f"{d.host}.html").write_bytes(page.html)
                    rec["html"] = f"policy/{d.host}.html"
            else:
                rec.update(status="unreachable", url=page.tried[0] if page.tried else None,
                           http_status=page.status, error=page.error)
        (folder / f"{d.host}.json").write_text(json.dumps(rec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        out[d.host] = rec
    return out
