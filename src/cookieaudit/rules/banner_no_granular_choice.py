"""banner-no-granular-choice: the consent manager only knows "accept" or "decline" for all purposes together."""

from __future__ import annotations

from .base import RuleMeta
from .context import Collector, Context

META = RuleMeta(
    id="banner-no-granular-choice",
    title={"en": "No per-purpose choice: consent is all or nothing",
           "nl": "Geen keuze per doel: toestemming is alles of niets"},
    explanation={
        "en": "Consent must be specific: where cookies serve several purposes the visitor must be able to consent "
              "to each separately (GDPR art. 4(11) and recital 43, EDPB Guidelines 05/2020 on consent §3.2.2 "
              "granularity; the Belgian GBA's cookie checklist asks for separate consent per purpose). Reported when "
              "the page's consent manager has no per-category choice at all - the audit's adapter for it knows only "
              "accept or decline (for example Osano's open-source Cookie Consent 3) - while the privacy policy "
              "declares two or more optional categories. Evidence: the only-<category> visits, which could not be "
              "performed for that reason. Not reported for an unknown banner whose settings button the text "
              "heuristic merely failed to find.",
        "nl": "Toestemming moet specifiek zijn: dienen cookies meerdere doelen, dan moet de bezoeker per doel "
              "toestemming kunnen geven (AVG art. 4(11) en overweging 43, EDPB-richtsnoeren 05/2020 over "
              "toestemming §3.2.2 granulariteit; de checklist van de GBA vraagt afzonderlijke toestemming per doel). "
              "Gemeld wanneer de consentmanager van de pagina helemaal geen keuze per categorie kent - de adapter "
              "van de audit kent alleen accepteren of weigeren (bijvoorbeeld Osano's open-source Cookie Consent 3) - "
              "terwijl de privacyverklaring twee of meer optionele categorieën noemt. Bewijs: de bezoeken "
              "\"alleen <categorie>\", die om die reden niet konden worden uitgevoerd. Niet gemeld voor een onbekende "
              "banner waarvan de tekstheuristiek de instellingenknop alleen niet vond.",
    },
    severity="medium",
    jurisdictions=("EU",),
    legal_basis=("GDPR art. 4(11) (specific), recital 43", "EDPB Guidelines 05/2020 on consent §3.2.2",
                 "GBA cookie checklist 2023 (separate consent per purpose)"),
    evidence=("consent", "screenshot"),
)


def check(ctx: Context, out: Collector) -> None:
    optional = [c.id for c in ctx.expectations.optional_categories]
    if len(optional) < 2:
        return
    for domain in ctx.domains:
        visits = [r for r in ctx.visits_of(domain) if r.choice.startswith("only-")
                and r.obs.consent.state is not None and r.obs.consent.state.granularity == "all-or-nothing"]
        if not visits:
            continue
        # a fact about the banner, filed under the visit that showed it untouched (never under a choice that
        # could not be performed)
        shown = [r for r in ctx.visits_of(domain) if r.choice == "no-interaction"] or [
            r for r in ctx.visits_of(domain) if r.choice_performed]
        visit = shown[0] if shown else visits[0]
        cmp = visits[0].obs.consent.cmp or visit.obs.consent.cmp or "the consent manager"
        out.add(
            META.id, visit, None, severity="medium", subject={"kind": "banner", "name": "granularity"},
            pointer="/consent/state/granularity", phase="before-consent",
            details={"cmp": cmp, "choices_not_possible": sorted(r.choice for r in visits),
                     "declared_optional_categories": optional},
            message=(f"On {domain} {cmp} offers only accept or decline for everything, while the policy declares "
                     f"{len(optional)} optional categories ({', '.join(optional)}): no per-purpose choice."),
            message_nl=(f"Op {domain} biedt {cmp} alleen alles accepteren of alles weigeren, terwijl de "
                        f"privacyverklaring {len(optional)} optionele categorieën noemt ({', '.join(optional)}): "
                        "geen keuze per doel."),
        )
