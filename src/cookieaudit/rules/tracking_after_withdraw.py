"""tracking-after-withdraw: tracking after the visitor withdrew consent given earlier; the site's own cookies
and storage left behind are noted at info level."""

from __future__ import annotations

from .base import RuleMeta, attribution_details, clause, tracking_severity, vendor_label, what
from .context import WINDOW_WITHDRAW, Collector, Context
from .tracking_after_reject import unconsented_tracking

META = RuleMeta(
    id="tracking-after-withdraw",
    title={"en": "Tracking after consent was withdrawn",
           "nl": "Tracking nadat de toestemming was ingetrokken"},
    explanation={
        "en": "Consent can be withdrawn at any time, as easily as it was given, and withdrawal must be effective: "
              "the trackers stop. Under the withdraw choice the audit accepts everything, then withdraws through "
              "the site's own means (footer link, floating icon, or the consent manager's API). This finding lists "
              "a tracking request, or a non-necessary cookie or storage item written, after the withdrawal "
              "(severity as for tracking without consent). The site's own cookies and storage that were set while "
              "consent was given and simply left behind are listed at info level: they are not read while the "
              "vendor stays off, but a thorough withdrawal deletes them. Third-party cookies left behind are out of "
              "the site's reach and not listed.",
        "nl": "Toestemming kan op elk moment worden ingetrokken, even gemakkelijk als ze is gegeven, en de intrekking "
              "moet werken: de trackers stoppen. In het intrekkingsscenario accepteert de audit alles en trekt de "
              "toestemming daarna in via de middelen van de site zelf (link in de voettekst, zwevend icoon of de "
              "API van de consentmanager). Deze bevinding toont een trackingverzoek, of een niet-noodzakelijke cookie "
              "of opslag die na de intrekking is geschreven (ernst als bij tracking zonder toestemming). Eigen "
              "cookies en opslag van de site die tijdens de toestemming zijn gezet en na de intrekking zijn "
              "blijven staan, staan er ter informatie bij: ze worden niet uitgelezen zolang de partij uit blijft, "
              "maar een grondige intrekking verwijdert ze. Cookies van derden vallen buiten het bereik van de site "
              "en worden niet genoemd.",
    },
    severity="high",
    jurisdictions=("EU",),
    legal_basis=("GDPR art. 7(3)", "ePrivacy Directive art. 5(3)", "EDPB Cookie Banner Taskforce report 2023 §31-35",
                 "GBA 85/2022 (Roularta)", "GBA 103/2022 (Rossel)"),
    evidence=("requests", "cookies", "storage"),
    needs_choice=True,
)


def check(ctx: Context, out: Collector) -> None:
    for visit in ctx.visits:
        for item in visit.items:
            if item.window != WINDOW_WITHDRAW or not unconsented_tracking(ctx, visit, item):
                continue
            who_en, who_nl = vendor_label(ctx, item)
            if item.leftover:
                if item.att.party != "first":
                    continue
                w_en, w_nl = what(item)
                details = attribution_details(item)
                details["not_deleted_on_withdrawal"] = True
                out.add(
                    META.id, visit, item, severity="info", subject=item.subject, vendor=item.att.vendor,
                    category=item.att.category, details=details, tag="leftover",
                    message=(f"{who_en}: {w_en} was still stored on {visit.domain} after consent was withdrawn "
                             f"(not deleted; it is not read while the vendor stays off)."),
                    message_nl=(f"{who_nl}: {w_nl} stond op {visit.domain} nog opgeslagen nadat de toestemming was "
                                f"ingetrokken (niet verwijderd; niet uitgelezen zolang de partij uit blijft)."),
                )
                continue
            c_en, c_nl = clause(visit, item)
            out.add(
                META.id, visit, item, severity=tracking_severity(item), subject=item.subject,
                vendor=item.att.vendor, category=item.att.category, details=attribution_details(item),
                message=f"{who_en}: {c_en}.",
                message_nl=f"{who_nl}: {c_nl}.",
            )
