"""consent-not-verified: the requested consent choice could not be shown to register (method caveat, and a possible
sign of a missing or broken control)."""

from __future__ import annotations

from .base import RuleMeta, choice_words
from .context import Collector, Context

META = RuleMeta(
    id="consent-not-verified",
    title={"en": "Consent choice could not be verified",
           "nl": "Cookiekeuze kon niet worden geverifieerd"},
    explanation={
        "en": "For each consent choice the audit reads the consent manager's stored state back and checks that it "
              "matches the choice and that the banner is gone. This finding records a visit where that could not be "
              "shown: the choice was made but did not verifiably register (unverified), or no way to make it was "
              "found (not performed - for \"reject all\" this may mean the banner has no reject option on the first "
              "layer). Every finding from such a visit carries details.consent_verified = false and must be read with "
              "that caveat. Severity: medium when the choice could not be performed, low when it is unverified.",
        "nl": "Bij elke cookiekeuze leest de audit de opgeslagen status van de consentmanager terug en controleert "
              "of die klopt met de keuze en of de banner weg is. Deze bevinding legt een keuze vast waarbij dat "
              "niet kon worden aangetoond: de keuze is gemaakt maar niet aantoonbaar geregistreerd (unverified), of "
              "er is geen manier gevonden om haar te maken (not performed - bij \"alles weigeren\" kan dat betekenen "
              "dat de eerste laag geen weigerknop heeft). Elke bevinding uit zo'n keuze heeft "
              "details.consent_verified = false en moet met dat voorbehoud worden gelezen. Ernst: middel als de "
              "keuze niet kon worden gemaakt, laag als ze niet geverifieerd is.",
    },
    severity="medium",
    jurisdictions=("EU",),
    legal_basis=("GDPR art. 7(1) (the controller must be able to demonstrate consent)",),
    evidence=("consent",),
)


def check(ctx: Context, out: Collector) -> None:
    for visit in ctx.visits:
        c = visit.obs.consent
        if visit.choice == "no-interaction" or c.outcome in ("verified", "not-applicable"):
            continue
        if not c.expressible:
            continue      # the banner cannot express this choice at all: banner-no-granular-choice reports that
        sev = "medium" if c.outcome == "not-performed" else "low"
        reason = c.reason or "no reason recorded"
        out.add(
            META.id, visit, None, severity=sev, subject={"kind": "visit", "name": visit.choice}, vendor=None,
            pointer="/consent", phase="after-choice",
            details={"outcome": c.outcome, "reason": c.reason, "method": c.method, "cmp": c.cmp,
                     "requested": c.requested,
                     "accepted_categories_read_back": list(c.accepted_categories) if c.accepted_categories is not None else None,
                     "steps": len(c.steps)},
            message=(f"The {choice_words(visit.choice)[0]} choice on {visit.domain} could not be verified (consent {c.outcome}: "
                     f"{reason}); findings of this run are reported with consent_verified = false."),
            message_nl=(f"De keuze {choice_words(visit.choice)[1]} op {visit.domain} kon niet worden geverifieerd (consent {c.outcome}: "
                        f"{reason}); bevindingen uit deze keuze hebben consent_verified = false."),
        )
