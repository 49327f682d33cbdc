"""de-gtm-before-consent: Google Tag Manager / the Google tag loaded without consent. Unlawful in Germany
(VG Hannover 10 A 5385/22); informational elsewhere."""

from __future__ import annotations

from .base import RuleMeta, domain_scope, when
from .context import Collector, Context

META = RuleMeta(
    id="de-gtm-before-consent",
    title={"en": "Google Tag Manager loaded before consent",
           "nl": "Google Tag Manager geladen vóór toestemming"},
    explanation={
        "en": "Loading Google Tag Manager (gtm.js) or the Google tag (gtag.js) from googletagmanager.com sends the "
              "visitor's IP address and device data to Google and runs Google's code on the device. The "
              "Administrative Court of Hannover (VG Hannover, 19 March 2025, 10 A 5385/22) held that GTM is not "
              "technically necessary and needs consent. This finding lists such a load (or a first-party gtm.js) "
              "before consent, after a refusal, or in a visit where none of the tag's categories was accepted. "
              "Severity: medium on German domains; informational elsewhere (a third-party script load that "
              "discloses the IP address).",
        "nl": "Het laden van Google Tag Manager (gtm.js) of de Google-tag (gtag.js) vanaf googletagmanager.com "
              "stuurt het IP-adres en apparaatgegevens van de bezoeker naar Google en voert code van Google uit op "
              "het apparaat. Het Verwaltungsgericht Hannover (19 maart 2025, 10 A 5385/22) oordeelde dat GTM niet "
              "technisch noodzakelijk is en toestemming vereist. Deze bevinding toont zo'n laadactie (of een "
              "gtm.js op het eigen domein) vóór toestemming, na een weigering, of in een keuze waarin geen van de "
              "categorieën van de tag was geaccepteerd. Ernst: middel op Duitse domeinen; elders ter informatie "
              "(het laden van een script van een derde, waarbij het IP-adres wordt gedeeld).",
    },
    severity="medium",
    jurisdictions=("DE",),
    legal_basis=("TDDDG §25 (DE)", "VG Hannover 10 A 5385/22"),
    evidence=("requests",),
)


def check(ctx: Context, out: Collector) -> None:
    for visit in ctx.visits:
        for item in visit.requests():
            if not item.tag_loader or ctx.consented(item) or ctx.exempt(visit, item):
                continue
            de = visit.jurisdiction == "DE"
            t_en, t_nl = when(visit, item)
            tid = _tag_id(item.subject["url"])
            label = f"{item.host}{item.path}" + (f"?id={tid}" if tid else "")
            note_en = "" if de else " (unlawful in Germany; informational here)"
            note_nl = "" if de else " (onrechtmatig in Duitsland; hier ter informatie)"
            out.add(
                META.id, visit, item, severity="medium" if de else "info", subject=item.subject,
                vendor=item.att.vendor, category=item.att.category, scope=domain_scope(item), tag=item.window,
                details={"tag_id": tid, "attribution": item.att.to_dict(), "german_case_law": de},
                message=f"The Google tag loader {label} was requested {t_en} on {visit.domain}{note_en}.",
                message_nl=f"De Google-tagloader {label} werd opgevraagd {t_nl} op {visit.domain}{note_nl}.",
            )


def _tag_id(url: str) -> str | None:
    from urllib.parse import parse_qsl, urlsplit

    try:
        return dict(parse_qsl(urlsplit(url).query)).get("id")
    except ValueError:
        return None
