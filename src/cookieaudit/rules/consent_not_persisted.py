"""consent-not-persisted: a refusal does not survive a reload (banner back, or categories turned on)."""

from __future__ import annotations

from ..observations import ReloadCheck
from .banner_support import is_necessary, policy_category
from .base import RuleMeta
from .context import Collector, Context, Visit

META = RuleMeta(
    id="consent-not-persisted",
    title={"en": "Refusal not remembered after a reload",
           "nl": "Weigering niet onthouden na herladen"},
    explanation={
        "en": "A refusal must be remembered like an acceptance is: a banner that comes back on every page after "
              "\"reject all\" wears the visitor down until they accept, and a stored refusal that turns into "
              "consent is no refusal at all. After a verified reject-all the audit reloads the first page and "
              "reads the consent manager's state again. Reported (high) when a non-necessary category is granted "
              "after the reload; (medium) when the decision is gone or the banner is shown again although the "
              "refusal is still stored. Runs whose refusal could not be verified are left to "
              "consent-not-verified. Whether the banner is visible is known for configured selectors and for "
              "consent managers with a visibility probe.",
        "nl": "Een weigering moet net zo goed onthouden worden als een toestemming: een banner die na \"alles "
              "weigeren\" op elke pagina terugkomt, put de bezoeker uit tot die accepteert, en een opgeslagen "
              "weigering die in toestemming verandert, is geen weigering. Na een geverifieerde weigering herlaadt "
              "de audit de eerste pagina en leest de status van de consentmanager opnieuw. Gemeld (hoog) als na het "
              "herladen een niet-noodzakelijke categorie is toegestaan; (middel) als de beslissing weg is of de "
              "banner opnieuw verschijnt terwijl de weigering nog is opgeslagen. Keuzes waarvan de weigering niet "
              "kon worden geverifieerd, staan bij consent-not-verified. Of de banner zichtbaar is, is bekend bij "
              "ingestelde selectors en bij consentmanagers met een zichtbaarheidstest.",
    },
    severity="high",
    jurisdictions=("EU",),
    legal_basis=("GDPR art. 4(11), 7(3)", "EDPB Cookie Banner Taskforce report 2023",
                 "AP cookiebanner-vuistregels (weigeren even makkelijk als accepteren)"),
    evidence=("banner", "screenshot", "consent"),
    needs_choice=True,
)


def check(ctx: Context, out: Collector) -> None:
    for visit in ctx.visits:
        if visit.choice != "reject-all" or visit.obs.consent.outcome != "verified":
            continue
        persistence = visit.obs.banner.persistence
        after = persistence.after_reload if persistence is not None else None
        if after is not None:
            _judge_reload(ctx, out, visit, after)


def _judge_reload(ctx: Context, out: Collector, visit: Visit, after: ReloadCheck) -> None:
    """What the consent manager said of a verified refusal after the page was reloaded."""
    cats = after.categories or {}
    granted = sorted({c for name, on in cats.items() if on is True
                      for c in [policy_category(ctx, visit.domain, name, after.mapped)]
                      if c and not is_necessary(ctx, c)})

    def report(severity: str, problem: str, message: str, message_nl: str) -> None:
        out.add(META.id, visit, None, severity=severity, subject={"kind": "banner", "name": "persistence"},
                pointer="/banner/persistence/after_reload", phase="after-reload",
                details={"after_reload": after.to_dict(), "granted": granted, "problem": problem},
                message=message, message_nl=message_nl)

    if granted:
        report("high", "granted",
               f"On {visit.domain} the refusal turned into consent after a reload: {', '.join(granted)} granted.",
               f"Op {visit.domain} veranderde de weigering na herladen in toestemming: {', '.join(granted)} toegestaan.")
    elif not after.decided:
        report("medium", "forgotten",
               f"On {visit.domain} the refusal was no longer stored after a reload: the visitor has to refuse again.",
               f"Op {visit.domain} was de weigering na herladen niet meer opgeslagen: de bezoeker moet opnieuw weigeren.")
    elif after.banner_visible is True:
        report("medium", "banner-back",
               f"On {visit.domain} the banner came back after a reload although the refusal was stored.",
               f"Op {visit.domain} verscheen de banner na herladen opnieuw, hoewel de weigering was opgeslagen.")
