"""tracking-after-reject: tracking after the visitor rejected all non-necessary cookies, or withdrew consent
(R03, R10)."""

from __future__ import annotations

from .base import RuleMeta, attribution_details, clause, tracking_severity, vendor_label
from .context import WINDOW_AFTER, WINDOW_WITHDRAW, Collector, Context

META = RuleMeta(
    id="tracking-after-reject",
    title={"en": "Tracking after \"reject all\" or withdrawal",
           "nl": "Tracking na \"alles weigeren\" of intrekking"},
    explanation={
        "en": "After \"reject all\" (or after withdrawing consent) only strictly necessary cookies, storage and "
              "requests - such as the consent record itself - may remain. This finding lists a tracking request, "
              "or a non-necessary cookie or storage item newly set, after the refusal. Items that were already "
              "set before the choice are reported by pre-consent-tracking. Consent Mode cookieless pings are "
              "reported separately (consent-mode-cookieless-ping).",
        "nl": "Na \"alles weigeren\" (of na het intrekken van toestemming) mogen alleen strikt noodzakelijke "
              "cookies, opslag en verzoeken overblijven, zoals de vastlegging van de keuze zelf. Deze bevinding "
              "toont een trackingverzoek, of een niet-noodzakelijke cookie of opslag die na de weigering nieuw is "
              "gezet. Wat al vóór de keuze was gezet, staat bij pre-consent-tracking. Cookieloze pings van Consent "
              "Mode staan apart (consent-mode-cookieless-ping).",
    },
    severity="high",
    jurisdictions=("EU",),
    legal_basis=("R03", "R10", "ePrivacy Directive art. 5(3)", "GDPR art. 7(3)",
                 "AP 2025 (cookies placed even after refusal)", "GBA 103/2022 (Rossel)"),
    evidence=("requests", "cookies", "storage"),
)


def check(ctx: Context, out: Collector) -> None:
    for run in ctx.runs:
        for item in run.items:
            after_reject = item.window == WINDOW_AFTER and run.choice == "reject-all"
            if not (after_reject or item.window == WINDOW_WITHDRAW) or not item.att.tracking:
                continue
            if item.leftover or item.tag_loader or item.cookieless_ping or ctx.exempt(run, item):
                continue
            if ctx.consented(item):
                continue
            who_en, who_nl = vendor_label(ctx, item)
            c_en, c_nl = clause(run, item)
            out.add(
                META.id, run, item, severity=tracking_severity(item), subject=item.subject,
                vendor=item.att.vendor, category=item.att.category, details=attribution_details(item),
                message=f"{who_en}: {c_en}.",
                message_nl=f"{who_nl}: {c_nl}.",
            )
