"""unknown-third-party: a third-party host that no knowledge-base signature attributes."""

from __future__ import annotations

from .base import RuleMeta, when
from .context import Collector, Context, Item, Visit

META = RuleMeta(
    id="unknown-third-party",
    title={"en": "Unknown third party contacted",
           "nl": "Onbekende derde partij benaderd"},
    explanation={
        "en": "Every third party that receives the visitor's requests (and with them the IP address and often "
              "identifiers) is a recipient the privacy policy should name. This finding lists a third-party host "
              "that no curated signature attributes to a vendor, so it cannot be matched to a declared vendor. "
              "Severity: medium when the optional tracking filter list flags it or it set a cookie, low otherwise.",
        "nl": "Elke derde partij die verzoeken van de bezoeker ontvangt (en daarmee het IP-adres en vaak "
              "identificatoren) is een ontvanger die de privacyverklaring hoort te noemen. Deze bevinding toont een "
              "host van een derde partij die geen enkele handtekening aan een partij toeschrijft, zodat hij niet "
              "aan een genoemde partij te koppelen is. Ernst: middel als de optionele trackingfilterlijst hem "
              "markeert of als hij een cookie zette, anders laag.",
    },
    severity="medium",
    jurisdictions=("EU",),
    legal_basis=("GDPR art. 13(1)(e)",),
    evidence=("requests", "cookies"),
)


def check(ctx: Context, out: Collector) -> None:
    for domain in ctx.domains:
        hosts: dict[str, list[tuple[Visit, Item]]] = {}
        cookie_domains: set[str] = set()
        for visit in ctx.visits_of(domain):
            for item in visit.items:
                if item.kind == "cookie" and item.att.party == "third" and item.att.vendor is None:
                    cookie_domains.add(item.host)
                if item.kind != "request" or item.att.party != "third" or item.att.vendor is not None:
                    continue
                if not item.host:
                    continue
                hosts.setdefault(item.host, []).append((visit, item))
        for host, occ in sorted(hosts.items()):
            occ.sort(key=lambda ri: (ri[0].rank, ri[0].choice, ri[1].order))
            visit, item = occ[0]
            flagged = next((it.att.signature for _r, it in occ if it.att.source == "filterlist"), None)
            sets_cookie = any(host == d or host.endswith("." + d) for d in cookie_domains)
            before = any(it.window == "pre-consent" for _r, it in occ)
            sev = "medium" if (flagged or sets_cookie) else "low"
            t_en, t_nl = when(visit, item)
            extra_en = " A tracking filter list lists it." if flagged else ""
            extra_nl = " Een trackingfilterlijst vermeldt hem." if flagged else ""
            out.add(
                META.id, visit, item, severity=sev, subject=item.subject, vendor=None, scope="domain",
                details={"host": host, "paths": sorted({it.path for _r, it in occ})[:20], "requests": len(occ),
                         "filter_list_match": flagged, "sets_cookies": sets_cookie, "before_consent": before,
                         "attribution": item.att.to_dict()},
                message=(f"{domain} contacted the unknown third party {host} ({item.path}) {t_en}; it cannot be "
                         f"matched to any vendor named in the privacy policy.{extra_en}"),
                message_nl=(f"{domain} benaderde de onbekende derde partij {host} ({item.path}) {t_nl}; die is niet "
                            f"te koppelen aan een partij uit de privacyverklaring.{extra_nl}"),
            )
