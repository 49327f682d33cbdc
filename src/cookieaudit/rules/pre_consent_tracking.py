"""pre-consent-tracking: analytics, advertising or other non-necessary tracking before any consent.

Jurisdiction-aware: on a .nl domain, Google Analytics in the AP's privacy-friendly configuration is reported by
``nl-analytics-exemption`` (info) instead; session recording (Hotjar, Clarity) gets no exemption. On .be, .de and
.at any analytics before consent is a violation. Google tag loader scripts are left to ``de-gtm-before-consent``
and Consent Mode cookieless pings to ``consent-mode-cookieless-ping``.
"""

from __future__ import annotations

from .base import RuleMeta, attribution_details, clause, tracking_severity, vendor_label
from .context import WINDOW_PRE, Collector, Context

META = RuleMeta(
    id="pre-consent-tracking",
    title={"en": "Tracking before consent",
           "nl": "Tracking vóór toestemming"},
    explanation={
        "en": "Before the visitor answers the consent banner only strictly necessary cookies, storage and requests "
              "are allowed. This finding lists a request to a tracking endpoint, or a non-necessary cookie or "
              "storage item, seen before any consent choice (or while browsing without answering the banner). "
              "On Dutch domains privacy-friendly Google Analytics is exempt (see nl-analytics-exemption); Belgian, "
              "German and Austrian law have no analytics exemption. Severity: high for analytics and advertising, "
              "medium for functional or unattributed trackers (filter list, name heuristics).",
        "nl": "Voordat de bezoeker de cookiebanner beantwoordt, zijn alleen strikt noodzakelijke cookies, opslag en "
              "verzoeken toegestaan. Deze bevinding toont een verzoek aan een trackingadres, of een niet-noodzakelijke "
              "cookie of opslag, gezien vóór enige cookiekeuze (of tijdens het surfen zonder de banner te "
              "beantwoorden). Op Nederlandse domeinen is privacyvriendelijk ingestelde Google Analytics "
              "uitgezonderd (zie nl-analytics-exemption); België, Duitsland en Oostenrijk kennen geen "
              "analytics-uitzondering. Ernst: hoog voor analyse en advertenties, middel voor functionele of niet "
              "toegeschreven trackers (filterlijst, naamheuristiek).",
    },
    severity="high",
    jurisdictions=("EU",),
    legal_basis=("ePrivacy Directive art. 5(3)", "Telecommunicatiewet art. 11.7a", "Belgian Act of 30 July 2018 art. 10/2, ex art. 129 WEC (BE)",
                 "TDDDG §25 (DE)", "TKG 2021 §165(3) (AT)", "EDPB Guidelines 2/2023"),
    evidence=("requests", "cookies", "storage"),
)


def check(ctx: Context, out: Collector) -> None:
    for visit in ctx.visits:
        ex = ctx.exemptions.get(visit.domain)
        for item in visit.items:
            if item.window != WINDOW_PRE or not item.att.tracking:
                continue
            if item.tag_loader or item.cookieless_ping or ctx.exempt(visit, item) or ctx.consented(item):
                continue
            who_en, who_nl = vendor_label(ctx, item)
            c_en, c_nl = clause(visit, item)
            details = attribution_details(item)
            if item.att.vendor == "google-analytics" and ex is not None and ex.conditions:
                details["nl_exemption"] = {"applies": False, "failed": ex.failed()}
            out.add(
                META.id, visit, item, severity=tracking_severity(item), subject=item.subject,
                vendor=item.att.vendor, category=item.att.category, details=details, scope="domain",
                message=f"{who_en}: {c_en}.",
                message_nl=f"{who_nl}: {c_nl}.",
            )
