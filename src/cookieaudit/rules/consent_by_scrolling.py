"""consent-by-scrolling: scrolling or clicking elsewhere on the page was taken as consent."""

from __future__ import annotations

from .banner_support import is_necessary, policy_category, visit_of
from .base import RuleMeta
from .context import Collector, Context

META = RuleMeta(
    id="consent-by-scrolling",
    title={"en": "Consent inferred from scrolling or clicking",
           "nl": "Toestemming afgeleid uit scrollen of klikken"},
    explanation={
        "en": "Continuing to browse, scrolling or clicking somewhere on the page is not a clear affirmative act, so "
              "it cannot be consent. In the no-interaction visit the audit scrolls 1500 px and clicks page content "
              "(never the banner) right after the consent moment, reading the consent manager's stored state before "
              "and after. Reported (high) when no decision was stored before and one was stored after - the "
              "categories it granted are listed. Also reported (medium, indirect evidence) when no stored state "
              "can be read but analytics or advertising vendors start only after the probe in the no-interaction "
              "visit while never appearing in the reject-all visit: they are gated by consent, and the probe "
              "released them.",
        "nl": "Verder surfen, scrollen of ergens op de pagina klikken is geen duidelijke actieve handeling en dus "
              "geen toestemming. In het bezoek zonder interactie scrolt de audit direct na het keuzemoment 1500 px "
              "en klikt op pagina-inhoud (nooit op de banner), en leest vooraf en achteraf de opgeslagen status van "
              "de consentmanager. Gemeld (hoog) als er vooraf geen beslissing was opgeslagen en achteraf wel - met "
              "de categorieën die daarmee zijn toegestaan. Ook gemeld (middel, indirect bewijs) als geen status "
              "leesbaar is maar analyse- of advertentiediensten in het bezoek zonder interactie pas na de test "
              "starten en in het bezoek \"alles weigeren\" nooit verschijnen: ze wachten op toestemming, en de test "
              "gaf ze vrij.",
    },
    severity="high",
    jurisdictions=("EU",),
    legal_basis=("GDPR art. 4(11), recital 32", "AP Dec 2019 (verder surfen is geen toestemming)",
                 "GBA 103/2022 (Rossel)"),
    evidence=("banner", "screenshot", "requests"),
)


def check(ctx: Context, out: Collector) -> None:
    for domain in ctx.domains:
        visit = visit_of(ctx, domain, "no-interaction")
        if visit is None:
            continue
        probe = visit.obs.banner.implied_consent_probe
        if probe is None:
            continue
        actions = ", ".join(probe.actions)
        state = probe.state_after
        if probe.decided_after and not probe.decided_before:
            granted = sorted({c for name, on in (state.categories if state is not None else {}).items() if on is True
                              for c in [policy_category(ctx, domain, name)] if c and not is_necessary(ctx, c)})
            what_en = f"granting {', '.join(granted)}" if granted else "without any category granted"
            what_nl = f"met toestemming voor {', '.join(granted)}" if granted else "zonder toegestane categorie"
            out.add(
                META.id, visit, None, severity="high" if granted else "medium",
                subject={"kind": "banner", "name": "implied-consent"}, pointer="/banner/implied_consent_probe",
                phase="after-choice",
                details={"signal": "stored-state", "actions": list(probe.actions), "granted": granted,
                         "state_after": state.to_dict() if state is not None else {}},
                message=(f"On {domain} a consent decision was stored after the visitor only scrolled and clicked "
                         f"on the page ({actions}), {what_en}."),
                message_nl=(f"Op {domain} werd een cookiekeuze opgeslagen nadat de bezoeker alleen scrolde en op "
                            f"de pagina klikte, {what_nl}."),
            )
            continue
        if probe.decided_before or (state is not None and state.decided):
            continue
        reject = visit_of(ctx, domain, "reject-all")
        if reject is None:
            continue
        gated = ("performance", "targeting")
        before = {i.att.vendor for i in visit.items if i.t is not None and i.t < 0}
        in_reject = {i.att.vendor for i in reject.items}
        started = [i for i in visit.requests() if i.t is not None and i.t >= 0 and i.att.tracking
                   and i.att.vendor and i.att.category in gated
                   and i.att.vendor not in before and i.att.vendor not in in_reject]
        if not started:
            continue
        started.sort(key=lambda i: i.order)
        vendors = sorted({i.att.vendor for i in started if i.att.vendor})
        names = ", ".join(ctx.kb.vendor_name(v) for v in vendors)
        first = started[0]
        out.add(
            META.id, visit, first, severity="medium", subject={"kind": "banner", "name": "implied-consent"},
            details={"signal": "trackers-after-probe", "actions": list(probe.actions), "vendors": vendors,
                     "first_request": first.subject.get("url")},
            message=(f"On {domain} {names} started only after the visitor scrolled and clicked on the page "
                     f"({actions}) without answering the banner, and never ran after reject-all."),
            message_nl=(f"Op {domain} startte {names} pas nadat de bezoeker scrolde en op de pagina klikte zonder "
                        f"de banner te beantwoorden, en draaide nooit na \"alles weigeren\"."),
        )
