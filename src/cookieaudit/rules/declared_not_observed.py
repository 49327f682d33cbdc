"""declared-not-observed: a vendor the policy declares that never showed up, even after "accept all" (info)."""

from __future__ import annotations

from .base import RuleMeta
from .context import Collector, Context

META = RuleMeta(
    id="declared-not-observed",
    title={"en": "Declared vendor not observed",
           "nl": "Genoemde partij niet waargenomen"},
    explanation={
        "en": "The privacy policy names this vendor, but none of its requests, cookies or storage items was seen on "
              "the domain in any visit, including after \"accept all\". The policy may be out of date, or the vendor "
              "runs only on pages or in situations the audit did not visit. Informational.",
        "nl": "De privacyverklaring noemt deze partij, maar geen van haar verzoeken, cookies of opslag werd op het "
              "domein gezien, ook niet na \"alles accepteren\". De verklaring is mogelijk verouderd, of de partij "
              "draait alleen op pagina's of in situaties die de audit niet bezocht. Ter informatie.",
    },
    severity="info",
    jurisdictions=("EU",),
    legal_basis=("GDPR art. 13(1)(e) (accurate information)",),
    evidence=("consent",),
)


def check(ctx: Context, out: Collector) -> None:
    for domain in ctx.domains:
        visits = ctx.visits_of(domain)
        accept = next((r for r in visits if r.choice == "accept-all"), None)
        if accept is None:
            continue
        seen = {it.att.vendor for r in visits for it in r.items if it.att.vendor}
        for v in ctx.expectations.vendors:
            if v.id in seen:
                continue
            out.add(
                META.id, accept, None, severity="info", subject={"kind": "visit", "name": accept.choice},
                vendor=v.id, category=v.categories[0], pointer="/consent", phase="after-choice",
                details={"declared_as": {"name": v.name, "categories": list(v.categories), "ref": v.ref},
                         "runs_checked": [r.choice for r in visits]},
                message=(f"{v.name} is declared in the privacy policy ({v.ref}) but was not observed on {domain}, "
                         f"not even after accept-all."),
                message_nl=(f"{v.name} staat in de privacyverklaring ({v.ref}) maar werd niet waargenomen op "
                            f"{domain}, ook niet na accept-all."),
            )
