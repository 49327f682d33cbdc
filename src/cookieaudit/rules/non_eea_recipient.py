"""non-eea-recipient: data goes to a vendor established outside the EEA while the policy says all personal data is
stored in the EEA (informational)."""

from __future__ import annotations

from ..kb.model import VendorInfo
from .base import RuleMeta, clause
from .context import Collector, Context, Item, Visit

META = RuleMeta(
    id="non-eea-recipient",
    title={"en": "Recipient outside the EEA despite an \"EEA only\" claim",
           "nl": "Ontvanger buiten de EER ondanks de belofte \"alleen in de EER\""},
    explanation={
        "en": "The privacy policy says all personal data is stored inside the European Economic Area. Where data is "
              "stored cannot be verified from the browser, but the recipient can: this finding lists a vendor that "
              "received requests (and with them at least the IP address) and that is established, or whose parent "
              "is, outside the EEA. Transfers to certified US companies can be lawful under the EU-US Data Privacy "
              "Framework; this is a claim to check, not a violation. Informational.",
        "nl": "De privacyverklaring zegt dat alle persoonsgegevens binnen de Europese Economische Ruimte worden "
              "opgeslagen. Waar gegevens worden opgeslagen is vanuit de browser niet te controleren, de ontvanger "
              "wel: deze bevinding toont een partij die verzoeken ontving (en daarmee minstens het IP-adres) en die "
              "buiten de EER is gevestigd, of waarvan het moederbedrijf dat is. Doorgifte aan gecertificeerde "
              "Amerikaanse bedrijven kan rechtmatig zijn onder het EU-VS Data Privacy Framework; dit is een bewering "
              "om na te gaan, geen overtreding. Ter informatie.",
    },
    severity="info",
    jurisdictions=("EU",),
    legal_basis=("privacy policy claim (storage_in_eea)", "GDPR art. 44-45", "Decision (EU) 2023/1795 (DPF)"),
    evidence=("requests",),
)


def check(ctx: Context, out: Collector) -> None:
    claim = ctx.expectations.claims.storage_in_eea
    if not claim.value:
        return
    for domain in ctx.domains:
        seen: dict[str, list[tuple[Visit, Item]]] = {}
        vendors: dict[str, VendorInfo] = {}
        for visit in ctx.visits_of(domain):
            for item in visit.items:
                if item.kind != "request" or item.att.party != "third":
                    continue
                v = ctx.kb.vendor(item.att.vendor)
                if v is None or not v.outside_eea:
                    continue
                vendors[v.id] = v
                seen.setdefault(v.id, []).append((visit, item))
        for vid, occ in sorted(seen.items()):
            v = vendors[vid]
            occ.sort(key=lambda ri: (ri[0].rank, ri[0].choice, ri[1].order))
            visit, item = occ[0]
            hosts = sorted({it.host for _r, it in occ})
            addrs = sorted({it.record.remote_address for _r, it in occ if it.record.remote_address})[:10]
            c_en, c_nl = clause(visit, item)
            out.add(
                META.id, visit, item, severity="info", subject=item.subject, vendor=vid, category=v.category,
                scope="domain",
                details={"organisation": v.organisation, "country": v.country, "hosts": hosts,
                         "remote_addresses": addrs, "declared": ctx.declared(vid), "vendor_note": v.note or None,
                         "claim": {"value": claim.value, "ref": claim.ref, "text": claim.text}},
                message=(f"{v.name} ({v.organisation}, {v.country}) received data ({c_en}) "
                         f"while the privacy policy says all personal data stays in the EEA ({claim.ref})."),
                message_nl=(f"{v.name} ({v.organisation}, {v.country}) ontving gegevens ({c_nl}) "
                            f"terwijl de privacyverklaring zegt dat alle persoonsgegevens in de EER blijven "
                            f"({claim.ref})."),
            )
