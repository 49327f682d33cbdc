"""undeclared-tracker: a tracking vendor that the privacy policy does not name."""

from __future__ import annotations

from ..kb.model import VendorInfo
from .base import RuleMeta, clause
from .context import Collector, Context, Item, Visit

META = RuleMeta(
    id="undeclared-tracker",
    title={"en": "Tracker not named in the privacy policy",
           "nl": "Tracker niet genoemd in de privacyverklaring"},
    explanation={
        "en": "The privacy policy must name the recipients of personal data (GDPR art. 13(1)(e)) and, for cookies, "
              "which third parties can access them (Planet49). This finding lists a tracking vendor seen on the "
              "site that is not among the vendors the policy declares. The policy names services, not "
              "organisations: another service of a declared organisation (e.g. YouTube for Google) is still "
              "undeclared, and details.organisation_declared says so. Severity: high for advertising "
              "(targeting), medium otherwise.",
        "nl": "De privacyverklaring moet de ontvangers van persoonsgegevens noemen (AVG art. 13 lid 1 sub e) en, "
              "bij cookies, welke derden er toegang toe hebben (Planet49). Deze bevinding toont een trackende partij "
              "op de site die niet voorkomt in de lijst van partijen in de verklaring. De verklaring noemt diensten, "
              "geen organisaties: een andere dienst van een genoemde organisatie (zoals YouTube van Google) is nog "
              "steeds niet vermeld; details.organisation_declared geeft dat aan. Ernst: hoog voor advertenties "
              "(targeting), anders middel.",
    },
    severity="high",
    jurisdictions=("EU",),
    legal_basis=("GDPR art. 13(1)(e)", "CJEU C-673/17 Planet49"),
    evidence=("requests", "cookies", "storage"),
)


def check(ctx: Context, out: Collector) -> None:
    for domain in ctx.domains:
        seen: dict[str, list[tuple[Visit, Item]]] = {}
        vendors: dict[str, VendorInfo] = {}
        for visit in ctx.visits_of(domain):
            for item in visit.items:
                v = ctx.kb.vendor(item.att.vendor)
                if v is None or not v.tracking or v.category == "necessary" or ctx.declared(v.id):
                    continue
                vendors[v.id] = v
                seen.setdefault(v.id, []).append((visit, item))
        for vid, occ in sorted(seen.items()):
            v = vendors[vid]
            # the subject: the first request (else the first cookie/storage item), in choice order then time
            occ.sort(key=lambda ri: (0 if ri[1].kind == "request" else 1, ri[0].rank, ri[0].choice, ri[1].order))
            visit, item = occ[0]
            hosts = sorted({it.host for _r, it in occ if it.kind == "request"})
            cookies = sorted({it.subject["name"] for _r, it in occ if it.kind == "cookie"})
            c_en, c_nl = clause(visit, item)
            sev = "high" if v.category == "targeting" else "medium"
            out.add(
                META.id, visit, item, severity=sev, subject=item.subject, vendor=vid, category=v.category,
                scope="domain",
                details={"vendor": v.to_dict(), "hosts": hosts, "cookies": cookies,
                         "organisation_declared": v.group in ctx.declared_groups,
                         "occurrences": len(occ)},
                message=f"{v.name} ({v.organisation}) is not named in the privacy policy but is active: {c_en}.",
                message_nl=f"{v.name} ({v.organisation}) staat niet in de privacyverklaring maar is actief: {c_nl}.",
            )
