"""undeclared-cookie: a non-necessary cookie that cannot be traced to a vendor the policy declares."""

from __future__ import annotations

from .base import RuleMeta, vendor_label
from .context import Collector, Context, Item, Visit

META = RuleMeta(
    id="undeclared-cookie",
    title={"en": "Cookie not covered by the privacy policy",
           "nl": "Cookie niet gedekt door de privacyverklaring"},
    explanation={
        "en": "Visitors must be told what each cookie is for and who can read it. This finding lists a cookie that "
              "is not strictly necessary (or whose purpose is unknown) and that belongs to no vendor the policy "
              "declares: a cookie of an undeclared vendor, of an Open Cookie Database platform, or an unknown "
              "first-party cookie. Severity: low when the cookie is known or presumed to be non-necessary, info "
              "when its purpose is simply unknown (the site owner has to show it is necessary).",
        "nl": "Bezoekers moeten horen waarvoor elke cookie dient en wie die kan lezen. Deze bevinding toont een "
              "cookie die niet strikt noodzakelijk is (of waarvan het doel onbekend is) en die bij geen enkele in "
              "de verklaring genoemde partij hoort: een cookie van een niet-vermelde partij, van een platform uit "
              "de Open Cookie Database, of een onbekende eigen cookie. Ernst: laag als de cookie bekend of "
              "vermoedelijk niet-noodzakelijk is, info als alleen het doel onbekend is (de site-eigenaar moet "
              "aantonen dat hij noodzakelijk is).",
    },
    severity="low",
    jurisdictions=("EU",),
    legal_basis=("Telecommunicatiewet art. 11.7a lid 1", "CJEU C-673/17 Planet49", "EDPB Cookie Banner Taskforce report 2023 §26-30"),
    evidence=("cookies",),
)


def check(ctx: Context, out: Collector) -> None:
    for domain in ctx.domains:
        seen: dict[tuple[str, str], list[tuple[Visit, Item]]] = {}
        for visit in ctx.visits_of(domain):
            for item in visit.items:
                if item.kind != "cookie" or item.att.category == "necessary":
                    continue
                if ctx.declared(item.att.vendor):
                    continue
                seen.setdefault((item.subject["name"], item.subject["domain"]), []).append((visit, item))
        for (name, cdom), occ in sorted(seen.items()):
            occ.sort(key=lambda ri: (ri[0].rank, ri[0].choice, ri[1].order))
            visit, item = occ[0]
            att = item.att
            known = att.tracking or att.category is not None
            sev = "low" if known else "info"
            who_en, who_nl = vendor_label(ctx, item)
            if att.category:
                why_en, why_nl = f"a {att.category} cookie of {who_en}", f"een {att.category}-cookie van {who_nl}"
            else:
                why_en, why_nl = "a cookie whose purpose is unknown", "een cookie met onbekend doel"
            out.add(
                META.id, visit, item, severity=sev, subject=item.subject, vendor=att.vendor, category=att.category,
                scope="domain",
                details={"attribution": att.to_dict(), "party": att.party,
                         "lifetime_days": _lifetime(item)},
                message=(f"The cookie {name} ({cdom}) on {domain} is {why_en}, which the privacy policy does not "
                         f"cover."),
                message_nl=(f"De cookie {name} ({cdom}) op {domain} is {why_nl}, die de privacyverklaring niet "
                            f"dekt."),
            )


def _lifetime(item: Item) -> float | None:
    vals = [v for v in (item.requested_lifetime_days, item.stored_lifetime_days) if v is not None]
    return round(max(vals), 1) if vals else None
