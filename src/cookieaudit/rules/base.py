"""What a rule is (metadata + a pure check function), and the wording helpers rules share.

A rule module defines ``META = RuleMeta(...)`` (id, bilingual title and explanation, severity, jurisdictions,
legal basis, the evidence it cites) and ``check(ctx, out)``, which reads :class:`~.context.Context` and adds
findings to the :class:`~.context.Collector`. It never touches a browser or the file system.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .context import WINDOW_NO_CHOICE, WINDOW_PRE, WINDOW_WITHDRAW, Context, Item, Visit


@dataclass(frozen=True)
class RuleMeta:
    id: str
    title: dict[str, str]            # {"en": ..., "nl": ...}
    explanation: dict[str, str]
    severity: str                    # the usual (highest) severity; findings may be lower (see explanation)
    jurisdictions: tuple[str, ...]   # "EU" = all; NL, BE, DE, AT
    legal_basis: tuple[str, ...]     # the named norms (articles, guidelines, decisions) the rule rests on
    evidence: tuple[str, ...]        # what the findings cite: requests, cookies, set_cookies, storage, consent
    # the rule judges what happened *because of* a consent choice: it never reports on a visit whose choice was
    # not performed (rules.evaluate drops such findings centrally; the pre-consent facts of that visit remain)
    needs_choice: bool = False

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        def pick(d: dict[str, str]) -> Any:
            return d.get(lang, d["en"]) if lang else dict(d)

        return {
            "id": self.id,
            "title": pick(self.title),
            "explanation": pick(self.explanation),
            "severity": self.severity,
            "jurisdictions": list(self.jurisdictions),
            "legal_basis": list(self.legal_basis),
            "evidence": list(self.evidence),
            "needs_choice": self.needs_choice,
        }


# -- severities -------------------------------------------------------------------------------------

def tracking_severity(item: Item) -> str:
    """high for analytics/advertising (performance, targeting) attributed by signature or the Open Cookie
    Database; medium for functional purposes and for trackers known only from a filter list or a name heuristic."""
    cat = item.att.category
    if cat in ("performance", "targeting") and item.att.source in ("curated", "ocd"):
        return "high"
    return "medium"


# -- wording ------------------------------------------------------------------------------------------

def vendor_label(ctx: Context, item: Item) -> tuple[str, str]:
    a = item.att
    if a.vendor:
        n = ctx.kb.vendor_name(a.vendor)
        return n, n
    if a.platform:
        return f"{a.platform} (Open Cookie Database)", f"{a.platform} (Open Cookie Database)"
    if a.source == "filterlist":
        return "an unattributed tracker (filter list)", "een niet-toegeschreven tracker (filterlijst)"
    if a.party == "first":
        return "the site itself (first party)", "de site zelf (first party)"
    return "an unknown third party", "een onbekende derde partij"


_NOUNS = {
    "request": ("a request to {target}", "sent", "een verzoek aan {target}", "verstuurd"),
    "cookie": ("the cookie {target}", "set", "de cookie {target}", "gezet"),
    "local": ("the localStorage key {target}", "written", "de localStorage-sleutel {target}", "geschreven"),
    "session": ("the sessionStorage key {target}", "written", "de sessionStorage-sleutel {target}", "geschreven"),
    "indexeddb": ("the IndexedDB database {target}", "opened", "de IndexedDB-database {target}", "geopend"),
    "cache": ("the Cache API cache {target}", "created", "de Cache API-cache {target}", "aangemaakt"),
    "service-worker": ("the service worker {target}", "registered", "de service worker {target}", "geregistreerd"),
}


def what(item: Item) -> tuple[str, str]:
    """The item as a noun phrase ("a request to X", "de cookie Y (domein)")."""
    en, _v, nl, _p = _parts(item)
    return en, nl


def _parts(item: Item) -> tuple[str, str, str, str]:
    s = item.subject
    if s["kind"] == "request":
        key, target = "request", f"{s['host']}{s['path']}"
    elif s["kind"] == "cookie":
        key, target = "cookie", f"{s['name']} ({s['domain']})"
    else:
        storage = s.get("storage")
        key = storage if isinstance(storage, str) and storage in _NOUNS else "session"
        target = f"{s['key']} ({s['origin']}"
        if s.get("partition") and s["partition"].split("://")[-1] not in s["origin"]:   # a third-party frame
            en, verb, nl, part = _NOUNS[key]
            return (en.format(target=f"{target}, in a frame on {s['partition']})"), verb,
                    nl.format(target=f"{target}, in een frame op {s['partition']})"), part)
        target += ")"
    en, verb, nl, part = _NOUNS[key]
    return en.format(target=target), verb, nl.format(target=target), part


def clause(visit: Visit, item: Item) -> tuple[str, str]:
    """A full clause: "the cookie _ga (...) was set 3.2 s before the consent choice on example.nl" and its Dutch
    counterpart "op example.nl werd de cookie _ga (...) 3,2 s vóór de cookiekeuze gezet"."""
    en, verb, nl, part = _parts(item)
    w_en, w_nl = when(visit, item)
    return f"{en} was {verb} {w_en} on {visit.domain}", f"op {visit.domain} werd {nl} {w_nl} {part}"


_CHOICE_WORDS = {"no-interaction": ("no interaction", "geen interactie"), "reject-all": ("reject all", "alles weigeren"),
                 "accept-all": ("accept all", "alles accepteren"),
                 "withdraw": ("accept, then withdraw", "accepteren, dan intrekken")}
_CATEGORY_NL = {"performance": "prestatie", "functional": "functioneel", "targeting": "targeting",
                "analytics": "analytisch", "marketing": "marketing", "necessary": "noodzakelijk"}


def choice_words(choice: str) -> tuple[str, str]:
    """A consent choice as the reader says it, quoted: (‘reject all’, ‘alles weigeren’) — never the raw code."""
    if choice.startswith("only-"):
        cat = choice[len("only-"):]
        return f"‘only {cat}’", f"‘alleen {_CATEGORY_NL.get(cat, cat)}’"
    en, nl = _CHOICE_WORDS.get(choice, (choice, choice))
    return f"‘{en}’", f"‘{nl}’"


def _secs(t: float, lang: str) -> str:
    v = f"{abs(t):.1f}"
    return v.replace(".", ",") if lang == "nl" else v


def when(visit: Visit, item: Item | None) -> tuple[str, str]:
    t = item.t if item is not None else None
    if item is not None and item.window == WINDOW_PRE:
        if visit.choice == "no-interaction":
            if t is not None and t >= 0:
                return ("while browsing without answering the consent banner",
                        "tijdens het surfen zonder de cookiebanner te beantwoorden")
            return ("without any interaction with the consent banner",
                    "zonder enige interactie met de cookiebanner")
        if t is not None and t < 0:
            return (f"{_secs(t, 'en')} s before the consent choice", f"{_secs(t, 'nl')} s vóór de cookiekeuze")
        return "before the consent choice", "vóór de cookiekeuze"
    if item is not None and item.window == WINDOW_WITHDRAW:
        return "after consent was withdrawn", "nadat de toestemming was ingetrokken"
    c_en, c_nl = choice_words(visit.choice)
    if item is not None and item.window == WINDOW_NO_CHOICE:
        return (f"after an attempt at {c_en} that could not be performed (no consent given)",
                f"na een poging tot {c_nl} die niet kon worden uitgevoerd (geen toestemming gegeven)")
    if t is not None and t >= 0:
        return (f"{_secs(t, 'en')} s after choosing {c_en}", f"{_secs(t, 'nl')} s na de keuze {c_nl}")
    return f"after choosing {c_en}", f"na de keuze {c_nl}"


def attribution_details(item: Item) -> dict[str, Any]:
    d: dict[str, Any] = {"attribution": item.att.to_dict()}
    if item.leftover:
        d["set_before_consent"] = True
    return d


def domain_scope(item: Item) -> str:
    """Pre-consent facts are the same in every visit of a domain: merge them per domain."""
    return "domain" if item.window == WINDOW_PRE else "visit"
