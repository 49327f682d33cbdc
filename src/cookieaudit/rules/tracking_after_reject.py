"""tracking-after-reject: tracking after the visitor rejected all non-necessary cookies."""

from __future__ import annotations

from .base import RuleMeta, attribution_details, clause, tracking_severity, vendor_label
from .context import WINDOW_AFTER, Collector, Context, Item, Visit

META = RuleMeta(
    id="tracking-after-reject",
    title={"en": "Tracking after \"reject all\"",
           "nl": "Tracking na \"alles weigeren\""},
    explanation={
        "en": "After \"reject all\" only strictly necessary cookies, storage and requests - such as the consent "
              "record itself - may remain. This finding lists a tracking request, or a non-necessary cookie or "
              "storage item newly set or written again, after the refusal (also after a reload). Items that were "
              "already set before the choice and not touched again are reported by pre-consent-tracking. Consent "
              "Mode cookieless pings are reported separately (consent-mode-cookieless-ping); withdrawal by "
              "tracking-after-withdraw.",
        "nl": "Na \"alles weigeren\" mogen alleen strikt noodzakelijke cookies, opslag en verzoeken overblijven, "
              "zoals de vastlegging van de keuze zelf. Deze bevinding toont een trackingverzoek, of een "
              "niet-noodzakelijke cookie of opslag die na de weigering nieuw of opnieuw is gezet (ook na herladen). "
              "Wat al vóór de keuze was gezet en niet opnieuw is geschreven, staat bij pre-consent-tracking. "
              "Cookieloze pings van Consent Mode staan apart (consent-mode-cookieless-ping); intrekking bij "
              "tracking-after-withdraw.",
    },
    severity="high",
    jurisdictions=("EU",),
    legal_basis=("ePrivacy Directive art. 5(3)", "AP 2025 (cookies placed even after refusal)",
                 "GBA 103/2022 (Rossel)"),
    evidence=("requests", "cookies", "storage"),
    needs_choice=True,
)


def check(ctx: Context, out: Collector) -> None:
    for visit in ctx.visits:
        if visit.choice != "reject-all":
            continue
        for item in visit.items:
            if item.window != WINDOW_AFTER or item.leftover or not unconsented_tracking(ctx, visit, item):
                continue
            who_en, who_nl = vendor_label(ctx, item)
            c_en, c_nl = clause(visit, item)
            out.add(
                META.id, visit, item, severity=tracking_severity(item), subject=item.subject,
                vendor=item.att.vendor, category=item.att.category, details=attribution_details(item),
                message=f"{who_en}: {c_en}.",
                message_nl=f"{who_nl}: {c_nl}.",
            )


def unconsented_tracking(ctx: Context, visit: Visit, item: Item) -> bool:
    """A tracking item the visitor had not consented to, that no more specific rule reports."""
    if not item.att.tracking or item.tag_loader or item.cookieless_ping:
        return False
    return not (ctx.exempt(visit, item) or ctx.consented(item))
