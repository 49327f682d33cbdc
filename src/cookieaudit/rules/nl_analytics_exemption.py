"""nl-analytics-exemption: Google Analytics before consent on a .nl domain, in the configuration the Dutch analytics
exemption allows (Tw 11.7a lid 3 sub b; AP "privacyvriendelijk instellen") — informational, not a violation."""

from __future__ import annotations

from .base import RuleMeta
from .context import Collector, Context

META = RuleMeta(
    id="nl-analytics-exemption",
    title={"en": "Dutch analytics exemption applies (privacy-friendly Google Analytics)",
           "nl": "Nederlandse analytics-uitzondering van toepassing (privacyvriendelijke Google Analytics)"},
    explanation={
        "en": "Dutch law (Tw art. 11.7a lid 3 sub b) allows analytics without consent when it has little or no "
              "impact on privacy. The AP accepts Google Analytics only when it is set up privacy-friendly: IP "
              "addresses masked (GA4 does this by design; Universal Analytics needs aip), no data sharing, no "
              "advertising features or Google signals, no User-ID, and GA named in the privacy statement. This "
              "finding records that Google Analytics ran without consent and that every client-side observable "
              "condition was met; the processor agreement and data-sharing settings cannot be observed and are "
              "listed as not verifiable. Session recording (Hotjar, Microsoft Clarity) is never exempt.",
        "nl": "De Telecommunicatiewet (art. 11.7a lid 3 sub b) staat analytics zonder toestemming toe als die "
              "weinig of geen gevolgen heeft voor de privacy. De AP aanvaardt Google Analytics alleen als die "
              "privacyvriendelijk is ingesteld: IP-adressen gemaskeerd (GA4 doet dat standaard; Universal "
              "Analytics vereist aip), geen gegevens delen, geen advertentiefuncties of Google-signals, geen "
              "User-ID, en GA genoemd in de privacyverklaring. Deze bevinding legt vast dat Google Analytics zonder "
              "toestemming draaide en dat aan alle client-side waarneembare voorwaarden is voldaan; de "
              "verwerkersovereenkomst en de instellingen voor gegevens delen zijn niet waarneembaar. "
              "Sessie-opnames (Hotjar, Microsoft Clarity) vallen nooit onder de uitzondering.",
    },
    severity="info",
    jurisdictions=("NL",),
    legal_basis=("Telecommunicatiewet art. 11.7a lid 3 sub b", "AP: Google Analytics privacyvriendelijk instellen"),
    evidence=("requests", "cookies"),
)


def check(ctx: Context, out: Collector) -> None:
    for domain, ex in sorted(ctx.exemptions.items()):
        if not ex.applies or not ex.items:
            continue
        # the subject: the first GA hit (else the first GA item), in choice order then time
        ordered = sorted(ex.items, key=lambda ri: (ri[0].rank, ri[0].choice, 0 if ri[1].ga else 1, ri[1].order))
        visit, item = ordered[0]
        tids = sorted({h.tid for _r, it in ex.items for h in it.ga if h.tid})
        versions = sorted({h.version for _r, it in ex.items for h in it.ga})
        kinds = sorted({it.kind for _r, it in ex.items})
        ga = "GA4" if versions == ["ga4"] else ("Google Analytics " + "/".join(v.upper() for v in versions) if versions else "Google Analytics")
        out.add(
            META.id, visit, item, severity="info", subject=item.subject, vendor="google-analytics",
            category="performance", scope="domain",
            details={"conditions": ex.conditions, "measurement_ids": tids, "hit_versions": versions,
                     "items": len(ex.items), "item_kinds": kinds,
                     "ip_anonymisation": "GA4: built in (Google statement); UA: aip on every hit"},
            message=(f"Google Analytics ({', '.join(tids) or ga}) ran without consent on {domain} in a configuration "
                     f"that meets every observable condition of the Dutch analytics exemption ({ga}, IP masked, "
                     f"no advertising features or Google signals, no User-ID)."),
            message_nl=(f"Google Analytics ({', '.join(tids) or ga}) draaide zonder toestemming op {domain} in een "
                        f"instelling die voldoet aan alle waarneembare voorwaarden van de Nederlandse "
                        f"analytics-uitzondering ({ga}, IP gemaskeerd, geen advertentiefuncties of Google-signals, "
                        f"geen User-ID)."),
        )
