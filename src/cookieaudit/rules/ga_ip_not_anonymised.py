"""ga-ip-not-anonymised: Universal Analytics hits without the aip parameter. GA4 anonymises by design and is
not flagged."""

from __future__ import annotations

from .base import RuleMeta, when
from .context import Collector, Context

META = RuleMeta(
    id="ga-ip-not-anonymised",
    title={"en": "Google Analytics IP address not anonymised",
           "nl": "IP-adres niet geanonimiseerd in Google Analytics"},
    explanation={
        "en": "Universal Analytics masks the visitor's IP address only when each hit carries the aip parameter "
              "(gtag anonymize_ip, analytics.js anonymizeIp). This finding lists UA hits (GET query or POST body, "
              "one hit per line) sent without aip, which contradicts a policy that says IP addresses are "
              "anonymised and rules out the Dutch analytics exemption. GA4 hits need no parameter: Google states "
              "that GA4 does not log or store IP addresses, so they are not flagged (the full IP still reaches "
              "Google in transit). Severity: high when the policy claims anonymisation, medium otherwise.",
        "nl": "Universal Analytics maskeert het IP-adres van de bezoeker alleen als elke hit de parameter aip "
              "bevat (gtag anonymize_ip, analytics.js anonymizeIp). Deze bevinding toont UA-hits (GET-query of "
              "POST-body, één hit per regel) zonder aip; dat weerspreekt een verklaring die zegt dat IP-adressen "
              "worden geanonimiseerd en sluit de Nederlandse analytics-uitzondering uit. GA4-hits hebben geen "
              "parameter nodig: volgens Google logt of bewaart GA4 geen IP-adressen, dus die worden niet gemeld "
              "(het volledige IP bereikt Google wel). Ernst: hoog als de verklaring anonimisering belooft, anders "
              "middel.",
    },
    severity="high",
    jurisdictions=("EU",),
    legal_basis=("Telecommunicatiewet art. 11.7a lid 3 sub b (NL analytics exemption)", "privacy policy claim (ga_ip_anonymised)", "AP: Google Analytics privacyvriendelijk"),
    evidence=("requests",),
)


def check(ctx: Context, out: Collector) -> None:
    claim = ctx.expectations.claims.ga_ip_anonymised
    for visit in ctx.visits:
        for item in visit.requests():
            bad = [h for h in item.ga if h.version == "ua" and not h.aip]
            if not bad:
                continue
            tids = sorted({h.tid or "?" for h in bad})
            t_en, t_nl = when(visit, item)
            claim_en = f" although the privacy policy says IP addresses are anonymised ({claim.ref})" if claim.value else ""
            claim_nl = f", terwijl de privacyverklaring zegt dat IP-adressen worden geanonimiseerd ({claim.ref})" if claim.value else ""
            out.add(
                META.id, visit, item, severity="high" if claim.value else "medium", subject=item.subject,
                vendor="google-analytics", category="performance", scope="domain",
                details={"tracking_ids": tids, "hits_without_aip": len(bad), "hits": len(item.ga),
                         "method": item.record.method,
                         "hit_types": sorted({h.params.get("t", "?") for h in bad}),
                         "claim": {"value": claim.value, "ref": claim.ref}},
                message=(f"Universal Analytics hit(s) for {', '.join(tids)} were sent to {item.host}{item.path} "
                         f"without the aip parameter {t_en} on {visit.domain}{claim_en}."),
                message_nl=(f"Universal Analytics-hit(s) voor {', '.join(tids)} gingen naar {item.host}{item.path} "
                            f"zonder de parameter aip {t_nl} op {visit.domain}{claim_nl}."),
            )
