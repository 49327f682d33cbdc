"""consent-category-not-offered: the consent manager has no choice for a category the policy declares (info).

Explains why an ``only-<category>`` visit was performed as "nothing optional" (or an accept-all granted fewer
categories than the policy names): the audit never pretends the visitor could pick a category the banner lacks.
"""

from __future__ import annotations

from .base import RuleMeta
from .context import Collector, Context

META = RuleMeta(
    id="consent-category-not-offered",
    title={"en": "The banner offers no choice for a declared cookie category",
           "nl": "De banner biedt geen keuze voor een vermelde cookiecategorie"},
    explanation={
        "en": "The privacy policy declares a cookie category for which the consent manager offers no switch of its "
              "own (it was read from the manager's categories, services and labels). The audit's only-<category> "
              "visit for it was therefore performed as \"nothing optional\" and judged as such: any tracking there "
              "ran without consent. Not a violation in itself; it tells the reader why that visit is a refusal, and "
              "that the banner and the policy describe different categories.",
        "nl": "De privacyverklaring noemt een cookiecategorie waarvoor de consentmanager geen eigen schakelaar biedt "
              "(vastgesteld uit de categorieën, diensten en labels van de manager). Het bezoek \"alleen <categorie>\" "
              "is daarom uitgevoerd als \"niets optioneels\" en zo beoordeeld: tracking daar gebeurde zonder "
              "toestemming. Op zich geen overtreding; het verklaart waarom dat bezoek een weigering is, en dat "
              "banner en privacyverklaring verschillende categorieën beschrijven.",
    },
    severity="info",
    jurisdictions=("EU",),
    legal_basis=("GDPR art. 4(11) (specific, informed consent)", "GDPR art. 13 (information to be provided)"),
    evidence=("consent",),
)


def check(ctx: Context, out: Collector) -> None:
    for domain in ctx.domains:
        missing: dict[str, list[str]] = {}
        visits = [r for r in ctx.visits_of(domain) if r.obs.consent.not_offered]
        for r in visits:
            for cat in r.obs.consent.not_offered:
                missing.setdefault(cat, []).append(r.choice)
        if not visits:
            continue
        first = visits[0]
        cmp = first.obs.consent.cmp or "the consent manager"
        for cat, choices in sorted(missing.items()):
            visit = next((r for r in visits if r.choice == f"only-{cat}"), first)
            out.add(
                META.id, visit, None, severity="info", subject={"kind": "banner", "name": f"category:{cat}"},
                pointer="/consent/not_offered", phase="after-choice",
                details={"category": cat, "cmp": cmp, "choices": sorted(choices, key=ctx.choice_rank),
                         "mapping": visit.obs.consent.state.mapping if visit.obs.consent.state else None},
                message=(f"On {domain} {cmp} offers no choice for '{cat}'; only-{cat} was performed and judged "
                         "as 'nothing optional'."),
                message_nl=(f"Op {domain} biedt {cmp} geen keuze voor '{cat}'; alleen-{cat} is uitgevoerd en "
                            "beoordeeld als 'niets optioneels'."),
            )
