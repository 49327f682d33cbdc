"""Classification: every request, cookie and storage item -> an :class:`Attribution` (pure, cached).

Order of evidence (most to least specific):

requests  1. curated host/path/query signatures (longest host suffix, then path, then query wins);
             first-party path signatures (server-side GTM, self-hosted Matomo) only on first-party hosts
          2. third party without a curated match: the optional filter list ("tracking (filter list)")
          3. nothing: first party = the site itself; third party = unknown
cookies   1. curated name signatures (a third-party cookie signature also needs its domain to match)
          2. the script or response that set it (``set_by``): "cookies set by a vendor's script are that
             vendor's"
          3. a third-party cookie's domain matched against the curated hosts
          4. Open Cookie Database (exact name, then wildcard prefix)
          5. name heuristics (consent records and sessions are necessary; affiliate/campaign ids are targeting)
storage   as cookies, with the frame origin in place of the cookie domain.

Cookie-name prefixes ``__Host-`` / ``__Secure-`` are security attributes (RFC 6265bis §4.1.3), not purposes: names
are matched without them. A third-party cookie (or third-party storage) is never "necessary" because of its name
alone: a name-based necessary verdict (a name signature without a domain condition, the Open Cookie Database, the
heuristics) becomes "unknown purpose" for a third party, so a tracker cannot evade the rules by renaming.
"""

from __future__ import annotations

import re
from typing import Protocol, TypedDict
from urllib.parse import parse_qsl, urlsplit

from .curated import CuratedData
from .filterlist import FilterList
from .model import Attribution, NameSignature, RequestSignature
from .ocd import OpenCookieDatabase
from .parties import Parties, host_of, host_matches


class KnowledgeSources(Protocol):
    """What classification reads from the knowledge base (kb.base.KnowledgeBase provides it)."""

    curated: CuratedData
    ocd: OpenCookieDatabase | None

    @property
    def filterlist(self) -> FilterList | None: ...


class _CookieSetter(TypedDict):
    """Who set a cookie, as Attribution's keyword arguments."""

    set_by: str | None
    set_by_vendor: str | None


_CONSENT_HINT = re.compile(r"consent|cookie_?(notice|policy|banner|law|choice|pref)|gdpr", re.I)
_TRACKING_HINT = re.compile(
    r"affiliate|(^|_)aff(_|$)|partner_?id|utm_|campaign|gclid|fbclid|msclkid|(^|_)track|tracker|"
    r"visitor_?id|fingerprint|(^|_)ref(errer)?(_|$)", re.I)
_NECESSARY_HINT = re.compile(
    r"sess(ion)?(id)?$|^sess|^sid$|csrf|xsrf|cart|basket|winkelwagen|warenkorb|checkout|^lang(uage)?$|"
    r"locale|currency", re.I)
_SECURITY_PREFIX = re.compile(r"^__(host|secure)-", re.I)


def unprefixed(name: str) -> str:
    """The cookie name without its security prefix (``__Host-sid`` -> ``sid``)."""
    return _SECURITY_PREFIX.sub("", name or "", count=1)


def _not_necessary_by_name(att: Attribution) -> Attribution:
    """Third party: a purpose taken from the name only may not be "necessary"."""
    from dataclasses import replace

    if att.party != "third" or att.category != "necessary":
        return att
    return replace(att, category=None, confidence="low",
                   note=f"a third-party item is not strictly necessary because of its name ({att.signature})")


def _suffixes(host: str) -> list[str]:
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


class Classifier:
    """Classifies items for one set of first-party sites. Results are cached (items repeat a lot)."""

    def __init__(self, kb: KnowledgeSources, parties: Parties):
        self.kb = kb
        self.parties = parties
        self._by_host: dict[str, list[RequestSignature]] = {}
        self._first_party: list[RequestSignature] = []
        for sig in kb.curated.requests:
            if sig.first_party:
                self._first_party.append(sig)
            else:
                self._by_host.setdefault(sig.host or "", []).append(sig)
        self._req: dict[tuple[str, str | None], Attribution] = {}
        self._cookie: dict[tuple[str, str, str | None], Attribution] = {}
        self._storage: dict[tuple[str, str, str | None], Attribution] = {}

    # -- requests -------------------------------------------------------------------------------------
    def _match_request(self, host: str, path: str, query: dict[str, str], first: bool) -> RequestSignature | None:
        cands: list[RequestSignature] = []
        for suf in _suffixes(host):
            cands.extend(self._by_host.get(suf, ()))
        if first:
            cands.extend(self._first_party)
        best: RequestSignature | None = None
        for sig in cands:
            if sig.path is not None and not path.startswith(sig.path):
                continue
            if sig.path_re is not None and not sig.path_re.search(path):
                continue
            if any(not (k in query and rx.search(query[k])) for k, rx in sig.query):
                continue
            if best is None or sig.specificity > best.specificity:
                best = sig
        return best

    def host_vendor(self, host: str) -> RequestSignature | None:
        """The curated signature that owns a host as a whole (no path or query condition)."""
        best: RequestSignature | None = None
        for suf in _suffixes(host.lower().lstrip(".")):
            for sig in self._by_host.get(suf, ()):
                if sig.path or sig.path_re or sig.query:
                    continue
                if best is None or sig.specificity > best.specificity:
                    best = sig
        return best

    def _from_signature(self, sig: RequestSignature, party: str, confidence: str | None = None,
                        signature: str | None = None) -> Attribution:
        v = self.kb.curated.vendors[sig.vendor]
        cat = sig.category or v.category
        return Attribution(
            vendor=v.id, category=cat, party=party, signature=signature or sig.label,
            confidence=confidence or sig.confidence, source="curated",
            tracking=v.tracking and cat != "necessary",
        )

    def request(self, url: str, resource_type: str | None = None, source_url: str | None = None) -> Attribution:
        key = (url, resource_type)
        hit = self._req.get(key)
        if hit is not None:
            return hit
        att = self._classify_request(url, resource_type, source_url)
        if len(self._req) < 200_000:
            self._req[key] = att
        return att

    def _classify_request(self, url: str, resource_type: str | None, source_url: str | None) -> Attribution:
        if not url.startswith(("http:", "https:", "ws:", "wss:")):
            return Attribution(vendor=None, category=None, party="first", note="non-network URL")
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            query: dict[str, str] = {}
            for k, v in parse_qsl(parts.query, keep_blank_values=True):
                query.setdefault(k, v)
        except ValueError:
            return Attribution(vendor=None, category=None, party="third", note="unparsable URL")
        party = self.parties.party(host)
        sig = self._match_request(host, parts.path or "/", query, party == "first")
        if sig is not None:
            return self._from_signature(sig, party)
        if party == "first":
            return Attribution(vendor=None, category=None, party="first")
        fl = self.kb.filterlist
        if fl is not None:
            rule = fl.check(url, source_url or "", resource_type)
            if rule:
                return Attribution(vendor=None, category=None, party="third", signature=f"filter:{rule}",
                                   confidence="medium", source="filterlist", tracking=True,
                                   note="tracking (filter list)")
        return Attribution(vendor=None, category=None, party="third")

    # -- names (cookies, storage keys) ---------------------------------------------------------------
    @staticmethod
    def _best_name(sigs: tuple[NameSignature, ...], name: str, domain: str, kind: str | None) -> NameSignature | None:
        best: NameSignature | None = None
        for s in sigs:
            if not s.matches(name):
                continue
            if s.domain and not host_matches(domain, s.domain):
                continue
            if kind and s.kind and s.kind != kind:
                continue
            if best is None or s.specificity > best.specificity:
                best = s
        return best

    def _from_name(self, s: NameSignature, party: str, what: str) -> Attribution:
        if s.vendor is None:
            cat = s.category or "necessary"
            return Attribution(vendor=None, category=cat, party=party, signature=f"{what}:{s.label}",
                               confidence="high", source="curated", tracking=cat != "necessary",
                               note=s.purpose)
        v = self.kb.curated.vendors[s.vendor]
        cat = s.category or v.category
        return Attribution(vendor=v.id, category=cat, party=party, signature=f"{what}:{s.label}",
                           confidence="high", source="curated", tracking=v.tracking and cat != "necessary")

    def _from_ocd(self, name: str, domain: str, party: str) -> Attribution | None:
        found = self.kb.ocd.lookup(name, domain) if self.kb.ocd is not None else None
        if found is None:
            return None
        row, conf = found
        vendor = self.kb.curated.ocd_platform_vendor.get(row.platform.lower())
        return Attribution(
            vendor=vendor, category=row.category, party=party,
            signature=f"ocd:{row.name}{'*' if row.wildcard else ''} ({row.platform}, {row.ocd_category})",
            confidence=conf, source="ocd", tracking=row.category not in (None, "necessary"),
            platform=None if vendor else row.platform,
        )

    @staticmethod
    def _heuristic(name: str, party: str) -> Attribution | None:
        if _CONSENT_HINT.search(name):
            return Attribution(vendor=None, category="necessary", party=party, signature="heuristic:consent-record",
                               confidence="low", source="heuristic", note="consent record")
        if _TRACKING_HINT.search(name):
            return Attribution(vendor=None, category="targeting", party=party, signature="heuristic:tracking-name",
                               confidence="low", source="heuristic", tracking=True,
                               note="name suggests an attribution/tracking identifier")
        if _NECESSARY_HINT.search(name):
            return Attribution(vendor=None, category="necessary", party=party, signature="heuristic:session-or-basket",
                               confidence="low", source="heuristic", note="session, basket or preference state")
        return None

    def cookie(self, name: str, domain: str, set_by: str | None = None) -> Attribution:
        key = (name, domain, set_by)
        hit = self._cookie.get(key)
        if hit is None:
            hit = self._classify_cookie(unprefixed(name), (domain or "").lower().lstrip("."), set_by)
            if len(self._cookie) < 100_000:
                self._cookie[key] = hit
        return hit

    def _classify_cookie(self, name: str, domain: str, set_by: str | None) -> Attribution:
        party = self.parties.party(domain)
        setter: Attribution | None = None
        if set_by and set_by.startswith(("http:", "https:")):
            s = self.request(set_by)
            if s.vendor is not None:
                setter = s
        extra: _CookieSetter = {"set_by": set_by, "set_by_vendor": setter.vendor if setter else None}

        sig = self._best_name(self.kb.curated.cookies, name, domain, None)
        if sig is not None:
            att = _with(self._from_name(sig, party, "cookie"), **extra)
            return att if sig.domain else _not_necessary_by_name(att)
        if setter is not None:
            v = self.kb.curated.vendors[setter.vendor]  # type: ignore[index]
            cat = v.category
            return Attribution(vendor=v.id, category=cat, party=party,
                               signature=f"set-by:{host_of(set_by or '')}", confidence="medium",
                               source="curated", tracking=v.tracking and cat != "necessary", **extra)
        if party == "third":
            hs = self.host_vendor(domain)
            if hs is not None:
                return _with(self._from_signature(hs, party, "medium", f"cookie-domain:{hs.host}"), **extra)
        ocd = self._from_ocd(name, domain, party)
        if ocd is not None:
            return _not_necessary_by_name(_with(ocd, **extra))
        heur = self._heuristic(name, party)
        if heur is not None and not (party == "third" and heur.category == "necessary"):
            return _with(heur, **extra)
        if party == "third" and self.kb.filterlist is not None:
            rule = self.kb.filterlist.check(f"https://{domain}/", "", "other")
            if rule:
                return Attribution(vendor=None, category=None, party=party, signature=f"filter:{rule}",
                                   confidence="low", source="filterlist", tracking=True,
                                   note="cookie domain is listed as a tracker", **extra)
        if heur is not None:
            return _with(_not_necessary_by_name(heur), **extra)
        return Attribution(vendor=None, category=None, party=party, **extra)

    def storage(self, origin: str, key: str, kind: str | None = None) -> Attribution:
        ck = (origin, key, kind)
        hit = self._storage.get(ck)
        if hit is None:
            hit = self._classify_storage(origin, key, kind)
            if len(self._storage) < 100_000:
                self._storage[ck] = hit
        return hit

    def _classify_storage(self, origin: str, key: str, kind: str | None) -> Attribution:
        host = host_of(origin) if "://" in origin else origin.lower()
        party = self.parties.party(host)
        sig = self._best_name(self.kb.curated.storage, key, host, kind)
        if sig is not None:
            att = self._from_name(sig, party, "storage")
            return att if sig.domain else _not_necessary_by_name(att)
        if party == "third":
            hs = self.host_vendor(host)
            if hs is not None:
                return self._from_signature(hs, party, "medium", f"storage-origin:{hs.host}")
        ocd = self._from_ocd(key, host, party)
        if ocd is not None:
            return _not_necessary_by_name(ocd)
        heur = self._heuristic(key, party)
        if heur is not None:
            return _not_necessary_by_name(heur)
        return Attribution(vendor=None, category=None, party=party)


def _with(att: Attribution, **kw) -> Attribution:
    from dataclasses import replace

    return replace(att, **{k: v for k, v in kw.items() if v is not None})
