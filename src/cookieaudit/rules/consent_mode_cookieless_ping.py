"""consent-mode-cookieless-ping: Google Consent Mode (Advanced) pings with storage denied, sent without consent
Legally contested: reported at a lower severity."""

from __future__ import annotations

from .base import RuleMeta, domain_scope, when
from .context import Collector, Context

META = RuleMeta(
    id="consent-mode-cookieless-ping",
    title={"en": "Consent Mode cookieless ping without consent (contested)",
           "nl": "Cookieloze Consent Mode-ping zonder toestemming (omstreden)"},
    explanation={
        "en": "In Google Consent Mode's Advanced setup the tags load before any choice and, while consent is denied "
              "(gcs=G100), send 'cookieless pings' that Google uses for modelling. They set no cookies, but the "
              "JavaScript still reads device data (user agent, screen) and sends it with the IP address. Under "
              "EDPB Guidelines 2/2023 that is access to the terminal equipment needing consent; Google's position "
              "is that no identifiers are used. The interpretation is contested, so this is reported at a lower "
              "severity: medium in Belgium, Germany and Austria (no analytics exemption; VG Hannover on GTM), low in "
              "the Netherlands (no AP statement found).",
        "nl": "In de Advanced-opzet van Google Consent Mode laden de tags vóór de keuze en sturen ze, zolang "
              "toestemming is geweigerd (gcs=G100), 'cookieloze pings' die Google gebruikt voor modellering. Ze "
              "zetten geen cookies, maar het JavaScript leest wel apparaatgegevens (user agent, scherm) en stuurt "
              "die met het IP-adres mee. Volgens EDPB-richtsnoeren 2/2023 is dat toegang tot de randapparatuur "
              "waarvoor toestemming nodig is; Google stelt dat er geen identificatoren worden gebruikt. Die "
              "uitleg is omstreden, daarom een lagere ernst: middel in België, Duitsland en Oostenrijk (geen "
              "analytics-uitzondering; VG Hannover over GTM), laag in Nederland (geen AP-standpunt gevonden).",
    },
    severity="medium",
    jurisdictions=("EU",),
    legal_basis=("EDPB Guidelines 2/2023 (contested)", "VG Hannover 10 A 5385/22 (DE)"),
    evidence=("requests",),
    needs_choice=True,
)


def check(ctx: Context, out: Collector) -> None:
    for visit in ctx.visits:
        for item in visit.requests():
            if not item.cookieless_ping or ctx.consented(item) or ctx.exempt(visit, item):
                continue
            sev = "low" if visit.jurisdiction == "NL" else "medium"
            t_en, t_nl = when(visit, item)
            sig = item.consent
            shown = f"gcs={sig.gcs}" if sig and sig.gcs else f"gcd={sig.gcd if sig else '?'}"
            out.add(
                META.id, visit, item, severity=sev, subject=item.subject, vendor=item.att.vendor,
                category=item.att.category, scope=domain_scope(item), tag=item.window,
                details={"signals": sig.to_dict() if sig else None, "contested": True,
                         "accepted_categories": sorted(item.permitted)},
                message=(f"{ctx.kb.vendor_name(item.att.vendor)} sent a cookieless Consent Mode ping ({shown}) to "
                         f"{item.host}{item.path} {t_en} on {visit.domain}; whether this needs consent is contested."),
                message_nl=(f"{ctx.kb.vendor_name(item.att.vendor)} stuurde een cookieloze Consent Mode-ping "
                            f"({shown}) naar {item.host}{item.path} {t_nl} op {visit.domain}; of daarvoor toestemming "
                            f"nodig is, is omstreden."),
            )
