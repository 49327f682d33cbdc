"""category-violation: a vendor of a category the visitor did not accept was active in an only-<category> visit."""

from __future__ import annotations

from .base import RuleMeta, attribution_details, clause, tracking_severity, vendor_label
from .context import WINDOW_AFTER, Collector, Context

META = RuleMeta(
    id="category-violation",
    title={"en": "Vendor active outside the accepted category",
           "nl": "Partij actief buiten de geaccepteerde categorie"},
    explanation={
        "en": "Consent must be specific: accepting one category (for example only performance cookies) covers "
              "only the vendors of that category. This finding lists a vendor that was active after an "
              "only-<category> choice although none of its categories was accepted. A vendor that the policy "
              "places in several categories (a tag manager) is allowed when any of them is accepted; undeclared "
              "vendors are judged by the knowledge base's category. Severity: high, medium for a tracker known only from a "
              "name heuristic.",
        "nl": "Toestemming moet specifiek zijn: wie één categorie accepteert (bijvoorbeeld alleen "
              "prestatiecookies) stemt alleen in met de partijen van die categorie. Deze bevinding toont een partij "
              "die actief was na een keuze voor alleen één categorie, terwijl geen van haar categorieën was "
              "geaccepteerd. Een partij die het beleid onder meerdere categorieën plaatst (een tagmanager) mag "
              "draaien als een daarvan is geaccepteerd; niet-vermelde partijen worden beoordeeld op de categorie "
              "uit de kennisbank. Ernst: hoog, middel voor een tracker die alleen uit een naamheuristiek bekend is.",
    },
    severity="high",
    jurisdictions=("EU",),
    legal_basis=("GDPR art. 4(11) (specific consent)", "ePrivacy Directive art. 5(3)"),
    evidence=("requests", "cookies", "storage"),
    needs_choice=True,
)


def check(ctx: Context, out: Collector) -> None:
    for visit in ctx.visits:
        if not visit.choice.startswith("only-"):
            continue
        for item in visit.items:
            if item.window != WINDOW_AFTER or not item.att.tracking:
                continue
            if item.att.vendor is None and item.att.category is None:
                continue            # unknown purpose: cannot be placed in a category
            if item.leftover or item.tag_loader or item.cookieless_ping or ctx.exempt(visit, item):
                continue
            if ctx.consented(item):
                continue
            allowed = sorted(ctx.allowed_categories(item.att.vendor)
                             or ({item.att.category} if item.att.category else set()))
            if not allowed:
                continue            # a known vendor without any category: its purpose is unknown as well
            accepted = sorted(item.permitted)
            who_en, who_nl = vendor_label(ctx, item)
            c_en, c_nl = clause(visit, item)
            details = attribution_details(item)
            details.update({"vendor_categories": allowed, "accepted_categories": accepted,
                            "declared": ctx.declared(item.att.vendor)})
            out.add(
                META.id, visit, item, severity=tracking_severity(item), subject=item.subject, vendor=item.att.vendor,
                category=item.att.category, details=details,
                message=(f"{who_en} ({'/'.join(allowed)}) was active although the visitor accepted only "
                         f"{' + '.join(accepted)}: {c_en}."),
                message_nl=(f"{who_nl} ({'/'.join(allowed)}) was actief terwijl de bezoeker alleen "
                            f"{' + '.join(accepted)} had geaccepteerd: {c_nl}."),
            )
