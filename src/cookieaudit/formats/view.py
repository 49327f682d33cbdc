"""Presentation helpers shared by the formats: labels, times, the summary matrix, decoded request parameters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, Protocol
from urllib.parse import parse_qsl, urlsplit

from ..findings import SEVERITIES, severity_rank
from ..rundoc import DomainEntry
from .i18n import strings
from .rundata import RunData, counts, worst

SEVERITY_ORDER = tuple(reversed(SEVERITIES))   # critical first


class Said(Protocol):
    """Anything that says something in English and (maybe) Dutch: a finding, a baseline finding that is gone."""

    @property
    def message(self) -> str: ...
    @property
    def message_nl(self) -> str: ...


class Labels:
    """Translated labels for one language; unknown codes fall back to the code itself."""

    def __init__(self, lang: str):
        self.lang = lang
        self.s = strings(lang)

    def __getitem__(self, key: str) -> Any:
        return self.s[key]

    def severity(self, sev: str | None) -> str:
        return self.s.get(f"sev_{sev}", sev or "")

    def phase(self, phase: str | None) -> str:
        return self.s.get(f"phase_{phase}", phase or "")

    def category(self, cat: str | None) -> str:
        return self.s.get(f"cat_{cat}", cat or "")

    def choice(self, choice: str) -> str:
        if choice.startswith("only-"):
            return self.s["choice_only"].format(cat=self.category(choice[len("only-"):]))
        return self.s.get(f"choice_{choice}", choice)

    def outcome(self, outcome: str | None) -> str:
        return self.s.get(f"outcome_{outcome}", outcome or "")

    def fstatus(self, status: str | None) -> str:
        return self.s.get(f"fstatus_{status}", status or "")

    def n_findings(self, n: int) -> str:
        return self.s["finding_one"] if n == 1 else self.s["finding_many"].format(n=n)

    def duration(self, seconds: float) -> str:
        """A cookie lifetime: minutes below an hour, hours below two days, days above."""
        if seconds < 3600:
            return self.s["minutes"].format(n=max(0, round(seconds / 60)))
        if seconds < 2 * 86400:
            return self.s["hours"].format(n=round(seconds / 3600))
        return self.s["days"].format(n=round(seconds / 86400))

    def number(self, x: float, digits: int = 1) -> str:
        return f"{x:.{digits}f}".replace(".", self.s["decimal"])

    def time(self, t: float | None, choice: str | None = None) -> str:
        """'−2,1 s vóór toestemming' / '+0,8 s na keuze' (t relative to the consent action)."""
        if t is None:
            return self.s["t_unknown"]
        if t < 0:
            return self.s["t_before"].format(t="\u2212" + self.number(-t))
        key = "t_after_ref" if choice == "no-interaction" else "t_after"
        return self.s[key].format(t=self.number(t))

    def rule_text(self, rule: Mapping[str, Any] | None, key: str) -> str:
        """A rule's bilingual field (title/explanation) in this language, falling back to the other one."""
        val = (rule or {}).get(key)
        if isinstance(val, dict):
            return val.get(self.lang) or val.get("en") or val.get("nl") or next(iter(val.values()), "")
        return val or ""

    def message(self, f: Said) -> str:
        """What a finding says, in Dutch when the report is Dutch and the rule said it in Dutch too."""
        return (f.message_nl or f.message) if self.lang == "nl" else (f.message or f.message_nl)


# -- the summary matrix -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    domain: str
    choice: str
    state: str             # clean | findings | incomplete | missing
    count: int = 0         # findings that count (≥ low, not waived/resolved)
    worst: str | None = None
    info: int = 0          # the other findings (info, waived, resolved)
    outcome: str | None = None
    reason: str = ""       # why incomplete

    @property
    def css(self) -> str:
        return f"sev-{self.worst}" if self.state == "findings" else self.state


def cell(run: RunData, domain: str, choice: str) -> Cell:
    v = run.visit(domain, choice)
    fs = run.findings_in(domain, choice)
    counted = [f for f in fs if counts(f)]
    if v is None:
        reason = next((m.split(": ", 1)[-1] for m in run.missing if m.startswith(f"{domain}/{choice}")), "")
        return Cell(domain, choice, "missing", reason=reason)
    outcome = v.consent.outcome if v.consent is not None else None
    if v.status != "complete":
        reason = "; ".join(v.errors) or next(
            (m.split(": ", 1)[-1] for m in run.missing if m.startswith(f"{domain}/{choice}")), "")
        return Cell(domain, choice, "incomplete", len(counted), worst(counted), len(fs) - len(counted), outcome, reason)
    if counted:
        return Cell(domain, choice, "findings", len(counted), worst(counted), len(fs) - len(counted), outcome)
    return Cell(domain, choice, "clean", 0, None, len(fs), outcome)


def matrix(run: RunData) -> list[tuple[DomainEntry, list[Cell]]]:
    return [(d, [cell(run, d.host, c) for c in run.choices]) for d in run.domains]


def severity_totals(run: RunData) -> dict[str, int]:
    """Findings per severity, waived ones included (they are still findings); resolved ones left out."""
    totals = {s: 0 for s in SEVERITY_ORDER}
    for f in run.findings:
        if f.baseline_status != "resolved":
            totals[f.severity] += 1
    return totals


def waived_count(run: RunData) -> int:
    return sum(1 for f in run.findings if f.is_waived and f.baseline_status != "resolved")


# -- requests ----------------------------------------------------------------------------------------------

def host_of(url: str | None) -> str:
    try:
        return (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        return ""


def decode_query(url: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(urlsplit(url).query, keep_blank_values=True)
    except ValueError:
        return []


def body_lines(post_data: str | None) -> list[dict[str, Any]]:
    """POST body as lines; a JSON body is pretty-printed, a form/hit line is decoded into parameters."""
    if not post_data:
        return []
    try:
        parsed = json.loads(post_data)
        if isinstance(parsed, (dict, list)):
            return [{"raw": line, "params": []} for line in json.dumps(parsed, indent=2, ensure_ascii=False).split("\n")]
    except ValueError:
        pass
    out = []
    for line in post_data.split("\n"):
        params: list[tuple[str, str]] = []
        if "=" in line and " " not in line.strip():
            params = parse_qsl(line, keep_blank_values=True)
        out.append({"raw": line, "params": params})
    return out


@lru_cache(maxsize=4096)
def registrable(host: str) -> str:
    """eTLD+1 of a host from the bundled public suffix list (never fetched); IPs and odd hosts stay as they are."""
    host = host.lower().lstrip(".")
    ext = _extractor()(host)
    if ext.domain and ext.suffix:
        return f"{ext.domain}.{ext.suffix}"
    return host


@lru_cache(maxsize=1)
def _extractor():
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def third_party(host: str, site: str) -> bool:
    return registrable(host) != registrable(site)


def sev_sorted(items, key=lambda x: x):
    return sorted(items, key=lambda x: -severity_rank(key(x)))
