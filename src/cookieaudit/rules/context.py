"""What every rule reads: the observations of one audit, classified once, with the consent state of each item.

A *visit* is one (domain, choice) observation. Each request, cookie and storage record of a visit becomes an
:class:`Item` carrying its :class:`~cookieaudit.kb.Attribution`, the *window* it falls in and the consent
categories the visitor had granted at that moment:

- ``pre-consent``: the before-consent phase of any visit, and every phase of the no-interaction visit
  (browsing on without answering the banner is not consent);
- ``after-choice``: after-choice / next-page / after-reload of a visit whose choice was made;
- ``after-withdraw``: after consent was withdrawn;
- ``no-choice``: after a choice that could not be performed (``not-performed``): nothing was consented to, and
  rules that presuppose a choice never judge it (``RuleMeta.needs_choice``).

The categories granted in ``after-choice`` are the choice *as performed* (``ConsentOutcome.granted_categories``):
an ``only-<c>`` for a category the manager does not offer grants nothing optional.

Cookies and storage are snapshots taken at the end of each phase; an item present in a later snapshot that was
already there in an earlier window (or whose ``first_seen_t`` is negative) and was not written again is a
*leftover*: the window where it was set reports it. A leftover after withdrawal (not deleted) is reported at
info level by ``tracking-after-reject``. The ``withdraw`` choice is accept-all followed by a withdrawal.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping, NamedTuple
from urllib.parse import urlsplit

from ..expectations import Expectations
from ..findings import Evidence, Finding, finding_id, group_key, grouped_id, severity_rank, subject_key
from ..kb import Attribution, KnowledgeBase, Parties
from ..kb.cookies import domain_matches, parse_cookie_string, requested_lifetime_seconds
from ..kb.google import ConsentSignals, GAHit, ga_hits, request_consent
from ..kb.parties import host_matches
from ..observations import Observation

WINDOW_PRE = "pre-consent"
WINDOW_AFTER = "after-choice"
WINDOW_WITHDRAW = "after-withdraw"
# after a choice that could not be performed: no consent was given, and none may be claimed
WINDOW_NO_CHOICE = "no-choice"
# choices followed by more steps: the choice that holds in their after-choice window
SCENARIO_CHOICE = {"withdraw": "accept-all"}
# for a snapshot in a window, the windows whose snapshots came earlier
_EARLIER = {WINDOW_AFTER: (WINDOW_PRE,), WINDOW_WITHDRAW: (WINDOW_PRE, WINDOW_AFTER), WINDOW_NO_CHOICE: (WINDOW_PRE,)}
_TLD_COUNTRY = {"nl": "NL", "be": "BE", "de": "DE", "at": "AT"}
_MAX_URL = 600


def _epoch(iso: str | None) -> float | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


@dataclass
class Item:
    kind: str                       # request | cookie | storage
    index: int                      # index in the observation's list
    pointer: str                    # JSON pointer into the observation
    t: float | None
    phase: str
    window: str
    permitted: frozenset[str]       # consent categories granted at that moment (necessary always)
    att: Attribution
    subject: dict[str, Any]
    record: Any
    host: str = ""
    path: str = ""
    leftover: bool = False          # cookie/storage already stored in an earlier window and not re-written
    consent: ConsentSignals | None = None
    ga: tuple[GAHit, ...] = ()
    tag_loader: bool = False        # a Google tag loader request (googletagmanager.com, first-party gtm.js)
    requested_lifetime_days: float | None = None   # cookies: from the raw Set-Cookie / document.cookie
    stored_lifetime_days: float | None = None      # cookies: from the jar's (capped) expiry

    @property
    def cookieless_ping(self) -> bool:
        return self.consent is not None and self.consent.cookieless

    @property
    def order(self) -> tuple[float, int]:
        return (self.t if self.t is not None else math.inf, self.index)


@dataclass
class Visit:
    domain: str
    choice: str
    obs: Observation
    path: str
    jurisdiction: str
    rank: int
    items: list[Item] = field(default_factory=list)

    @property
    def choice_performed(self) -> bool:
        """Whether the visit's choice was made at all (no-interaction needs no action)."""
        return self.choice == "no-interaction" or self.obs.consent.outcome != "not-performed"

    @property
    def consent_verified(self) -> bool | None:
        o = self.obs.consent.outcome
        if o == "not-applicable" or self.choice == "no-interaction":
            return None
        return o == "verified"

    def screenshot(self, phase: str) -> str | None:
        for p in self.obs.pages:
            if p.phase == phase and p.screenshot:
                return p.screenshot
        return None

    def requests(self) -> list[Item]:
        return [i for i in self.items if i.kind == "request"]


@dataclass
class Exemption:
    """The Dutch analytics exemption (Tw 11.7a lid 3 sub b) for Google Analytics on one domain."""

    domain: str
    applies: bool
    conditions: list[dict[str, Any]]
    items: list[tuple[Visit, Item]]

    def failed(self) -> list[str]:
        return [c["id"] for c in self.conditions if c["status"] == "failed"]


class _CookieSet(NamedTuple):
    """One way a cookie was set: a Set-Cookie header or a ``document.cookie`` write."""

    t: float
    by: str | None                   # the URL of the response or script
    domain: str                      # the domain it was set for
    lifetime: float | None           # seconds it asked for
    window: str


class Context:
    def __init__(self, observations: Iterable[Observation], expectations: Expectations, kb: KnowledgeBase,
                 paths: Mapping[tuple[str, str], str] | None = None):
        self.expectations = expectations
        self.kb = kb
        self.paths = dict(paths or {})
        obs_list = list(observations.values() if isinstance(observations, Mapping) else observations)
        hosts = {d.host for d in expectations.domains} | {o.domain for o in obs_list}
        self.parties = Parties(hosts)
        self.classifier = kb.classifier(self.parties)
        self.choice_order = expectations.all_choices()
        self.all_categories = frozenset(c.id for c in expectations.categories)
        self.declared_ids = {v.id for v in expectations.vendors}
        self.declared_groups = {info.group for v in expectations.vendors if (info := kb.vendor(v.id)) is not None}
        self.visits: list[Visit] = []
        for o in obs_list:
            visit = Visit(domain=o.domain, choice=o.choice, obs=o,
                      path=self.paths.get((o.domain, o.choice), f"observations/{o.domain}/{o.choice}.json"),
                      jurisdiction=self.jurisdiction(o.domain), rank=self.choice_rank(o.choice))
            visit.items = self._items(visit)
            self.visits.append(visit)
        self.visits.sort(key=lambda r: (r.domain, r.rank, r.choice))
        self.domains = sorted({r.domain for r in self.visits})
        self.exemptions = {d: self._exemption(d) for d in self.domains}

    # -- facts ------------------------------------------------------------------------------------------
    def choice_rank(self, choice: str) -> int:
        try:
            return self.choice_order.index(choice)
        except ValueError:
            return len(self.choice_order)

    def jurisdiction(self, domain: str) -> str:
        d = self.expectations.domain(domain)
        if d is not None:
            return d.country
        return _TLD_COUNTRY.get(domain.rsplit(".", 1)[-1].lower(), "EU")

    def visits_of(self, domain: str) -> list[Visit]:
        return [r for r in self.visits if r.domain == domain]

    def declared(self, vendor_id: str | None) -> bool:
        return bool(vendor_id) and vendor_id in self.declared_ids

    def allowed_categories(self, vendor_id: str | None) -> set[str]:
        """Categories under which a vendor may run: the policy's for a declared vendor, else the KB's."""
        if not vendor_id:
            return set()
        dv = self.expectations.vendor(vendor_id)
        if dv is not None:
            return set(dv.categories)
        v = self.kb.vendor(vendor_id)
        return set(v.categories) if v else set()

    def consented(self, item: Item) -> bool:
        """Did the visitor agree to what this item is, at that moment?"""
        if item.att.category == "necessary":
            return True
        allowed = self.allowed_categories(item.att.vendor)
        if not allowed:
            allowed = {item.att.category} if item.att.category else set()
        if not allowed:   # unknown purpose: only "accept all" covers it
            return item.window == WINDOW_AFTER and self.all_categories <= item.permitted
        return bool(allowed & item.permitted)

    def exemption_applies(self, domain: str) -> bool:
        ex = self.exemptions.get(domain)
        return bool(ex and ex.applies)

    def exempt(self, visit: Visit, item: Item) -> bool:
        """Google Analytics traffic covered by the Dutch analytics exemption on this domain."""
        return (self.exemption_applies(visit.domain) and item.att.vendor == "google-analytics"
                and not _ga_ad_feature(item))

    # -- building items -------------------------------------------------------------------------------
    def _window(self, visit: Visit, phase: str) -> tuple[str, frozenset[str]]:
        necessary = frozenset(c.id for c in self.expectations.categories if c.necessary) or frozenset({"necessary"})
        if visit.choice == "no-interaction" or phase == "before-consent":
            return WINDOW_PRE, necessary
        if not visit.choice_performed:
            return WINDOW_NO_CHOICE, necessary
        if phase == "after-withdraw":
            return WINDOW_WITHDRAW, necessary
        choice = SCENARIO_CHOICE.get(visit.choice, visit.choice)
        granted = visit.obs.consent.granted_categories
        if choice == visit.choice and granted is not None and choice != "accept-all":
            return WINDOW_AFTER, frozenset(granted) | necessary
        if choice in self.choice_order:
            return WINDOW_AFTER, frozenset(self.expectations.accepted_categories(choice))
        return WINDOW_AFTER, necessary

    def _items(self, visit: Visit) -> list[Item]:
        """Everything a visit stored or sent, as items the rules judge: requests, cookies, storage snapshots and
        storage writes, each with its window, attribution and pointer into the observation."""
        written = self._storage_write_items(visit)
        return [*self._request_items(visit), *self._cookie_items(visit), *self._storage_items(visit, written), *written]

    def _request_items(self, visit: Visit) -> list[Item]:
        items: list[Item] = []
        for i, r in enumerate(visit.obs.requests):
            window, permitted = self._window(visit, r.phase)
            try:
                parts = urlsplit(r.url)
                host, path = (parts.hostname or "").lower(), parts.path or "/"
            except ValueError:
                host, path = "", "/"
            att = self.classifier.request(r.url, r.resource_type, r.page_url or r.frame_url)
            first = att.party == "first"
            consent = None
            hits: tuple[GAHit, ...] = ()
            vendor = self.kb.vendor(att.vendor)
            if vendor is not None and vendor.group == "google":
                consent = request_consent(r.url, r.post_data)
                hits = tuple(ga_hits(r.url, r.post_data, first_party=first))
            elif first and att.vendor == "google-analytics":
                hits = tuple(ga_hits(r.url, r.post_data, first_party=True))
            loader = host_matches(host, "googletagmanager.com") or (first and att.vendor == "google-tag-manager")
            items.append(Item(
                kind="request", index=i, pointer=f"/requests/{i}", t=r.t, phase=r.phase, window=window,
                permitted=permitted, att=att, record=r, host=host, path=path, consent=consent, ga=hits,
                tag_loader=loader,
                subject={"kind": "request", "url": r.url[:_MAX_URL], "host": host, "path": path,
                         "resource_type": r.resource_type},
            ))
        return items

    def _cookie_setters(self, visit: Visit) -> dict[str, list[_CookieSet]]:
        """Who set each cookie and which lifetime it asked for (raw Set-Cookie header or JS assignment)."""
        o = visit.obs
        t0, start = _epoch(o.consent_wall_utc), _epoch(o.started_utc)

        def wall(t: float | None) -> float | None:
            return t0 + t if t0 is not None and t is not None else start

        setters: dict[str, list[_CookieSet]] = {}
        for sc in o.set_cookies:
            if sc.blocked_reasons:
                continue
            name, _v, attrs = parse_cookie_string(sc.header)
            setters.setdefault(name, []).append(_CookieSet(
                sc.t, sc.url, attrs.get("domain") or _host(sc.url), requested_lifetime_seconds(attrs, wall(sc.t)),
                self._window(visit, sc.phase)[0]))
        for cw in o.cookie_writes:
            name, _v, attrs = parse_cookie_string(cw.cookie)
            setters.setdefault(name, []).append(_CookieSet(
                cw.t, cw.script_url, attrs.get("domain") or _host(cw.frame_url),
                requested_lifetime_seconds(attrs, wall(cw.t)), self._window(visit, cw.phase)[0]))
        return setters

    def _cookie_items(self, visit: Visit) -> list[Item]:
        """The cookie jar: a cookie seen in an earlier window and not re-written since is a leftover."""
        o = visit.obs
        try:
            capture = o.capture_epoch()
        except (ValueError, TypeError):
            capture = None
        setters = self._cookie_setters(visit)
        seen_in: dict[str, set[tuple[str, str]]] = {}
        for c in o.cookies:
            seen_in.setdefault(self._window(visit, c.phase)[0], set()).add((c.name, c.domain))
        items: list[Item] = []
        for i, c in enumerate(o.cookies):
            window, permitted = self._window(visit, c.phase)
            cands = sorted((s for s in setters.get(c.name, ()) if _same_site_domain(s.domain, c.domain)),
                           key=lambda s: s.t)
            set_by = c.set_by or next((s.by for s in cands if s.by), None)
            lives = [s.lifetime for s in cands if s.lifetime is not None]
            t = c.first_seen_t if c.first_seen_t is not None else (cands[0].t if cands else None)
            leftover = False
            if window != WINDOW_PRE:
                existed = any((c.name, c.domain) in seen_in.get(w, ()) for w in _EARLIER[window]) or (
                    c.first_seen_t is not None and c.first_seen_t < 0)
                rewrites = [s for s in cands if s.window == window]
                leftover = existed and not rewrites
                if existed and rewrites:
                    t = rewrites[0].t       # the write in this window is what counts
            items.append(Item(
                kind="cookie", index=i, pointer=f"/cookies/{i}", t=t, phase=c.phase, window=window,
                permitted=permitted, att=self.classifier.cookie(c.name, c.domain, set_by), record=c,
                host=c.domain.lstrip("."), leftover=leftover,
                requested_lifetime_days=max(lives) / 86400 if lives else None,
                stored_lifetime_days=(c.expires - capture) / 86400 if (c.expires and capture) else None,
                subject={"kind": "cookie", "name": c.name, "domain": c.domain},
            ))
        return items

    def _storage_items(self, visit: Visit, written: list[Item]) -> list[Item]:
        """The storage snapshots, attributed to the write that put each key there (this window, else an earlier
        one), else to its origin and key."""
        first_write: dict[tuple[str, str, str, str], Item] = {}
        for it in written:
            s = it.subject
            first_write.setdefault((it.window, s["origin"], s["storage"], s["key"]), it)
        seen_s: dict[str, set[tuple[str, str, str]]] = {}
        for st in visit.obs.storage:
            seen_s.setdefault(self._window(visit, st.phase)[0], set()).add((st.origin, st.kind, st.key))
        items: list[Item] = []
        for i, st in enumerate(visit.obs.storage):
            window, permitted = self._window(visit, st.phase)
            leftover = window != WINDOW_PRE and any(
                (st.origin, st.kind, st.key) in seen_s.get(w, ()) for w in _EARLIER[window])
            writer = first_write.get((window, st.origin, st.kind, st.key)) or next(
                (first_write[k] for k in ((e, st.origin, st.kind, st.key) for e in _EARLIER.get(window, ()))
                 if k in first_write), None)
            att = writer.att if writer is not None else self.classifier.storage(st.origin, st.key, st.kind)
            subject = {"kind": "storage", "storage": st.kind, "key": st.key, "origin": st.origin}
            if st.partition:
                subject["partition"] = st.partition
            items.append(Item(
                kind="storage", index=i, pointer=f"/storage/{i}", t=None, phase=st.phase, window=window,
                permitted=permitted, att=att, record=st, host=_host(st.origin), leftover=leftover,
                subject=subject,
            ))
        return items

    def _storage_write_items(self, visit: Visit) -> list[Item]:
        """One item per storage write the browser kept (refused writes stored nothing), cookies excepted: those are
        judged from the jar. Attribution: the storage's origin and key, else the script that wrote it."""
        clf = self.classifier
        out: list[Item] = []
        for i, w in enumerate(visit.obs.storage_writes):
            if w.accepted is False or w.mechanism in ("cookie", "cookie-store"):
                continue
            origin = w.origin or "null"
            window, permitted = self._window(visit, w.phase)
            att = clf.storage(origin, w.key, w.mechanism)
            if w.script_url and w.script_url.startswith(("http:", "https:")) and (att.vendor is None or not att.tracking):
                writer = clf.request(w.script_url)
                if writer.vendor is not None and att.category != "necessary":
                    from dataclasses import replace

                    att = replace(writer, party=att.party, signature=f"written-by:{_host(w.script_url)}",
                                  confidence="medium", set_by=w.script_url, set_by_vendor=writer.vendor)
            subject = {"kind": "storage", "storage": w.mechanism, "key": w.key[:_MAX_URL], "origin": origin}
            for k, v in (("partition", w.partition), ("frame_url", w.frame_url), ("writer", w.script_url)):
                if v:
                    subject[k] = v[:_MAX_URL]
            out.append(Item(
                kind="storage", index=i, pointer=f"/storage_writes/{i}", t=w.t, phase=w.phase, window=window,
                permitted=permitted, att=att, record=w, host=_host(origin), subject=subject,
            ))
        return out

    # -- the Dutch analytics exemption ----------------------------------------------------------------
    def _exemption(self, domain: str) -> Exemption:
        """Google Analytics running without consent on a .nl domain is exempt (Tw 11.7a lid 3 sub b) only in
        the AP's privacy-friendly configuration; these are its client-side observable conditions."""
        ga_items: list[tuple[Visit, Item]] = []
        ad_signals: list[str] = []
        for visit in self.visits_of(domain):
            for it in visit.items:
                if it.leftover:
                    continue
                if "performance" in it.permitted and it.window == WINDOW_AFTER:
                    continue   # analytics was consented to: nothing to exempt
                if it.att.vendor == "google-analytics":
                    if _ga_ad_feature(it):
                        ad_signals.append(_label(it))
                    else:
                        ga_items.append((visit, it))
                elif it.kind == "cookie" and it.subject["name"].startswith(("_gcl_", "_gac_")) and "targeting" not in it.permitted:
                    ad_signals.append(_label(it))
        if self.jurisdiction(domain) != "NL" or not ga_items:
            return Exemption(domain, False, [], ga_items)
        hits = [h for _r, it in ga_items for h in it.ga]
        ua_no_aip = sorted({h.tid or "?" for h in hits if h.version == "ua" and not h.aip})
        with_uid = sorted({h.tid or "?" for h in hits if h.user_id})
        ads_granted = sorted({_label(it) for _r, it in ga_items if it.consent and
                              it.consent.states.get("ad_storage") == "granted" and "targeting" not in it.permitted})
        versions = sorted({h.version for h in hits})
        conds = [
            _cond("declared", self.declared("google-analytics"),
                  "Google Analytics is named in the privacy policy",
                  "Google Analytics wordt in de privacyverklaring genoemd"),
            _cond("ip-anonymised", not ua_no_aip,
                  "IP addresses masked: GA4 by design, UA hits carry aip" if not ua_no_aip
                  else f"UA hits without aip ({', '.join(ua_no_aip)})",
                  "IP-adressen gemaskeerd: GA4 standaard, UA-hits met aip" if not ua_no_aip
                  else f"UA-hits zonder aip ({', '.join(ua_no_aip)})",
                  evidence={"hit_versions": versions}),
            _cond("no-advertising-features", not ad_signals and not ads_granted,
                  "no advertising-feature or Google-signals traffic, no ad cookies, ad_storage not granted"
                  if not (ad_signals or ads_granted) else
                  f"advertising indicators without consent: {', '.join(sorted(set(ad_signals + ads_granted))[:5])}",
                  "geen advertentiefuncties of Google-signals-verkeer, geen advertentiecookies"
                  if not (ad_signals or ads_granted) else
                  f"advertentie-indicatoren zonder toestemming: {', '.join(sorted(set(ad_signals + ads_granted))[:5])}"),
            _cond("no-user-id", not with_uid,
                  "no User-ID parameter in the hits" if not with_uid else f"User-ID sent ({', '.join(with_uid)})",
                  "geen User-ID in de hits" if not with_uid else f"User-ID verstuurd ({', '.join(with_uid)})"),
            {"id": "processor-agreement", "status": "not verifiable",
             "en": "processor agreement with Google: not observable client-side",
             "nl": "verwerkersovereenkomst met Google: niet client-side waarneembaar"},
            {"id": "data-sharing-off", "status": "not verifiable",
             "en": "'data sharing' settings: not observable client-side",
             "nl": "instellingen 'gegevens delen': niet client-side waarneembaar"},
        ]
        applies = all(c["status"] != "failed" for c in conds)
        return Exemption(domain, applies, conds, ga_items)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _cond(cid: str, ok: bool, en: str, nl: str, evidence: dict[str, Any] | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"id": cid, "status": "met" if ok else "failed", "en": en, "nl": nl}
    if evidence:
        d["evidence"] = evidence
    return d


def _ga_ad_feature(item: Item) -> bool:
    """GA traffic that means advertising features / Google signals (AP step 4) or an ad cookie."""
    if item.kind == "request":
        return any(host_matches(item.host, h) for h in ("analytics.google.com", "stats.g.doubleclick.net"))
    if item.kind == "cookie":
        return item.att.category == "targeting"
    return False


def _label(item: Item) -> str:
    s = item.subject
    if s["kind"] == "request":
        return f"{s['host']}{s['path']}"
    if s["kind"] == "cookie":
        return f"cookie {s['name']}"
    return f"storage {s.get('key')}"


def _host(url: str | None) -> str:
    try:
        return (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        return ""


def _same_site_domain(setter_domain: str, cookie_domain: str) -> bool:
    a = (setter_domain or "").lower().lstrip(".")
    b = (cookie_domain or "").lower().lstrip(".")
    return bool(a and b) and (a == b or domain_matches(b, a) or domain_matches(a, b))


# -- collecting findings ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Statement:
    """What a rule said about one item (or visit, or banner) when it added it to the collector."""

    subject: dict[str, Any]
    message: str
    message_nl: str
    vendor: str | None
    category: str | None
    details: dict[str, Any]
    pointer: str | None
    phase: str | None
    t: float | None
    window: str | None
    grouped: bool                    # an item (cookie, request, storage) that becomes an exhibit of its group
    gkey: str                        # the group it belongs to (vendor, else host), or its subject key


@dataclass
class _Group:
    rank: tuple
    visit: Visit
    item: Item | None
    fields: _Statement
    count: int
    choices: set[str]
    severity: str
    exhibits: dict[tuple[str, str], tuple[tuple, dict[str, Any]]] = field(default_factory=dict)


_ITEM_KINDS = ("request", "cookie", "storage")
# how the summary of a grouped finding names its exhibits: kind -> (en one, en many, nl one, nl many)
_EXHIBIT_NOUNS = {"cookie": ("cookie", "cookies", "cookie", "cookies"),
                  "request": ("request", "requests", "verzoek", "verzoeken"),
                  "storage": ("storage item", "storage items", "opslagitem", "opslagitems")}


def _exhibit_summary(exhibits: list[dict[str, Any]]) -> tuple[str, str]:
    per_kind: dict[str, set[str]] = {}
    for e in exhibits:
        per_kind.setdefault(e["kind"], set()).add(subject_key(e["subject"]))
    en, nl = [], []
    for kind in ("cookie", "request", "storage"):
        n = len(per_kind.get(kind, ()))
        if n:
            one_en, many_en, one_nl, many_nl = _EXHIBIT_NOUNS[kind]
            en.append(f"{n} {one_en if n == 1 else many_en}")
            nl.append(f"{n} {one_nl if n == 1 else many_nl}")
    return ", ".join(en), ", ".join(nl)


class Collector:
    """Groups observations into one finding per (rule, domain, choice, vendor — or the unknown host).

    Every cookie, request or storage item a rule reports becomes an *exhibit* of the finding of its vendor (or,
    without a vendor, of its host): "Google Analytics after withdrawal" is one finding with the cookies ``_ga``
    and ``_ga_…`` and the collect requests as exhibits, not one finding per cookie. Findings about a visit or a
    banner (no item) stay one per subject. Each exhibit keeps its observation pointer, choice, phase, time and
    message, and the id its subject had as a finding of its own before grouping (``Finding.aliases``), so
    baselines and waivers written against those ids keep matching.

    ``scope="domain"`` merges the same vendor across the visits of a domain (for facts that do not depend on
    the choice, such as what happens before consent): the finding is filed under the first choice (in the
    audit's choice order) where it was seen, and ``details.choices`` lists all of them.
    The first occurrence (earliest choice, then earliest time) provides the time, message and evidence.
    """

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.groups: dict[tuple, _Group] = {}

    def add(self, rule: str, visit: Visit, item: Item | None, *, severity: str, subject: dict[str, Any],
            message: str, message_nl: str, vendor: str | None = None, category: str | None = None,
            details: dict[str, Any] | None = None, scope: str = "visit", tag: str = "",
            pointer: str | None = None, phase: str | None = None, t: float | None = None) -> None:
        grouped = item is not None and subject.get("kind") in _ITEM_KINDS
        gkey = group_key(vendor, subject) if grouped else subject_key(subject)
        key = (rule, visit.domain, vendor or "", gkey, tag, visit.choice if scope == "visit" else "*")
        order = item.order if item is not None else (t if t is not None else math.inf, -1)
        rank = (visit.rank, visit.choice, order) if scope == "domain" else (order,)
        fields = _Statement(
            subject=subject, message=_cap(message), message_nl=_cap(message_nl), vendor=vendor,
            category=category, details=dict(details or {}),
            pointer=pointer or (item.pointer if item is not None else None),
            phase=phase or (item.phase if item is not None else None),
            t=t if t is not None else (item.t if item is not None else None),
            window=item.window if item is not None else None,
            grouped=grouped, gkey=gkey,
        )
        g = self.groups.get(key)
        if g is None:
            g = self.groups[key] = _Group(rank, visit, item, fields, 0, set(), severity)
        else:
            if severity_rank(severity) > severity_rank(g.severity):
                g.severity = severity
            if rank < g.rank:
                g.rank, g.visit, g.item, g.fields = rank, visit, item, fields
        g.count += 1
        g.choices.add(visit.choice)
        if grouped:
            ex_key = (visit.path, fields.pointer or "")
            if ex_key not in g.exhibits or rank < g.exhibits[ex_key][0]:
                g.exhibits[ex_key] = (rank, self._exhibit(visit, fields, severity))

    @staticmethod
    def _exhibit(visit: Visit, f: _Statement, severity: str) -> dict[str, Any]:
        return {
            "kind": f.subject.get("kind"), "subject": f.subject, "choice": visit.choice,
            "observation": visit.path, "pointer": f.pointer, "phase": f.phase, "window": f.window,
            "t": _rounded(f.t), "severity": severity, "message": f.message, "message_nl": f.message_nl,
            "screenshot": visit.screenshot(f.phase) if f.phase else None,
            "details": f.details,
        }

    def findings(self) -> list[Finding]:
        out: dict[str, Finding] = {}
        for key, g in self.groups.items():
            rule = key[0]
            visit, f = g.visit, g.fields
            details = dict(f.details)
            details["count"] = g.count
            if key[-1] == "*":
                details["choices"] = sorted(g.choices, key=lambda c: (self.ctx.choice_rank(c), c))
            if f.window and "window" not in details:
                details["window"] = f.window
            if f.window in (WINDOW_AFTER, WINDOW_WITHDRAW) or f.subject.get("kind") == "visit":
                details["consent_verified"] = visit.consent_verified
                if visit.consent_verified is False:
                    details["consent_note"] = (
                        f"the {visit.choice} choice could not be shown to register "
                        f"(consent {visit.obs.consent.outcome}{': ' + visit.obs.consent.reason if visit.obs.consent.reason else ''})")
            if visit.obs.status != "complete":
                details["observation_status"] = visit.obs.status
            ev = [Evidence(observation=visit.path, pointer=f.pointer)]
            shot = visit.screenshot(f.phase) if f.phase else None
            if shot:
                ev.append(Evidence(screenshot=shot, note=f"end of the {f.phase} phase"))
            message, message_nl = f.message, f.message_nl
            exhibits: list[dict[str, Any]] = []
            aliases: list[str] = []
            fid = ""
            if f.grouped:
                ranked = sorted(g.exhibits.values(), key=lambda x: x[0])
                exhibits = [e for _r, e in ranked]
                # the id each subject had as a finding of its own: filed under its first choice
                first_choice: dict[str, str] = {}
                for e in exhibits:
                    first_choice.setdefault(subject_key(e["subject"]), e["choice"])
                old_subjects = {subject_key(e["subject"]): e["subject"] for e in exhibits}
                aliases = sorted({finding_id(rule, visit.domain, first_choice[k], f.vendor, s)
                                  for k, s in old_subjects.items()})
                fid = grouped_id(rule, visit.domain, visit.choice, f.vendor, f.gkey)
                if len(old_subjects) > 1:
                    en, nl = _exhibit_summary(exhibits)
                    message = f"{message} (in all: {en})"
                    message_nl = f"{message_nl} (in totaal: {nl})" if message_nl else ""
            finding = Finding(
                rule=rule, severity=g.severity, domain=visit.domain, choice=visit.choice, phase=f.phase,
                jurisdiction=visit.jurisdiction, vendor=f.vendor, subject=f.subject, message=message,
                message_nl=message_nl, category=f.category,
                t=_rounded(f.t),
                details=details, evidence=tuple(ev), exhibits=tuple(exhibits), aliases=tuple(aliases), id=fid,
            )
            prev = out.get(finding.id)
            # findings are frozen: a merge builds a new one with the summed count, never edits a finding in place
            if prev is None or severity_rank(finding.severity) > severity_rank(prev.severity):
                if prev is not None:
                    total = {**finding.details, "count": finding.details.get("count", 0) + prev.details.get("count", 0)}
                    finding = _merge_exhibits(dataclasses.replace(finding, details=total), prev)
                out[finding.id] = finding
            else:
                total = {**prev.details, "count": prev.details.get("count", 0) + g.count}
                out[finding.id] = _merge_exhibits(dataclasses.replace(prev, details=total), finding)
        return list(out.values())


def _rounded(t: float | None) -> float | None:
    return round(t, 3) if isinstance(t, (int, float)) and math.isfinite(t) else None


def _merge_exhibits(keep: Finding, other: Finding) -> Finding:
    """Two groups that end up with one id (same vendor, different tags): one finding with both exhibit lists."""
    if not other.exhibits and not other.aliases:
        return keep
    seen = {(e["observation"], e["pointer"]) for e in keep.exhibits}
    extra = tuple(e for e in other.exhibits if (e["observation"], e["pointer"]) not in seen)
    return dataclasses.replace(keep, exhibits=keep.exhibits + extra,
                               aliases=tuple(sorted(set(keep.aliases) | set(other.aliases))))
