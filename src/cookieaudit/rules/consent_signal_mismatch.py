"""consent-signal-mismatch: Google Consent Mode signals (gcs/gcd/npa) say "granted" for something the visitor did
not consent to."""

from __future__ import annotations

from ..kb.google import CONSENT_TYPE_CATEGORY
from .base import RuleMeta, domain_scope, when
from .context import Collector, Context

META = RuleMeta(
    id="consent-signal-mismatch",
    title={"en": "Consent Mode signal does not match the visitor's choice",
           "nl": "Consent Mode-signaal klopt niet met de keuze van de bezoeker"},
    explanation={
        "en": "Google tags report the consent state in every hit: gcs=G1xy (x = ad_storage, y = analytics_storage; "
              "1 granted, 0 denied) and gcd (per consent type: default and update, e.g. 't' = granted by default). "
              "This finding lists a Google hit that reports a consent type as granted while the visitor had not "
              "agreed to its category (ad_* = targeting, analytics_storage = performance): before any choice this "
              "works like a pre-ticked box; after a refusal the CMP does not pass the choice on to the tags. On a "
              "Dutch domain where Google Analytics qualifies for the analytics exemption, analytics_storage "
              "granted is not counted.",
        "nl": "Google-tags melden de toestemmingsstatus in elke hit: gcs=G1xy (x = ad_storage, y = "
              "analytics_storage; 1 verleend, 0 geweigerd) en gcd (per toestemmingstype: standaard en update, "
              "bijv. 't' = standaard verleend). Deze bevinding toont een Google-hit die een toestemmingstype als "
              "verleend meldt terwijl de bezoeker niet had ingestemd met de bijbehorende categorie (ad_* = "
              "targeting, analytics_storage = prestatie): vóór de keuze werkt dat als een vooraf aangevinkt vakje; "
              "na een weigering geeft de CMP de keuze niet door aan de tags. Op een Nederlands domein waar Google "
              "Analytics onder de analytics-uitzondering valt, telt analytics_storage verleend niet mee.",
    },
    severity="high",
    jurisdictions=("EU",),
    legal_basis=("GDPR recital 32 (no pre-ticked consent)", "CJEU C-673/17 Planet49"),
    evidence=("requests",),
    needs_choice=True,
)


def check(ctx: Context, out: Collector) -> None:
    for visit in ctx.visits:
        for item in visit.requests():
            sig = item.consent
            if sig is None or not sig.present:
                continue
            permitted = set(item.permitted)
            if ctx.exemption_applies(visit.domain):
                permitted.add("performance")   # consent-free analytics: analytics_storage may be granted page-wide
            wrong = sorted(t for t in sig.granted() if CONSENT_TYPE_CATEGORY.get(t, "targeting") not in permitted)
            if not wrong:
                continue
            defaults = sorted(t for t in sig.default_granted() if CONSENT_TYPE_CATEGORY.get(t, "targeting") not in permitted)
            t_en, t_nl = when(visit, item)
            shown = f"gcs={sig.gcs}" if sig.gcs else f"gcd={sig.gcd}"
            out.add(
                META.id, visit, item, severity="high", subject=item.subject, vendor=item.att.vendor,
                category=item.att.category, scope=domain_scope(item), tag=item.window,
                details={"signals": sig.to_dict(), "granted_without_consent": wrong,
                         "default_granted": defaults, "accepted_categories": sorted(item.permitted)},
                message=(f"A {ctx.kb.vendor_name(item.att.vendor)} hit to {item.host}{item.path} {t_en} on "
                         f"{visit.domain} reported {', '.join(wrong)} as granted ({shown}) although the visitor had "
                         f"not consented to it."),
                message_nl=(f"Een {ctx.kb.vendor_name(item.att.vendor)}-hit naar {item.host}{item.path} {t_nl} op "
                            f"{visit.domain} meldde {', '.join(wrong)} als verleend ({shown}) terwijl de bezoeker daar "
                            f"geen toestemming voor had gegeven."),
            )
