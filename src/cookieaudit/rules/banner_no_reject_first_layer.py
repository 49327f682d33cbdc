"""banner-no-reject-first-layer: the banner's first layer offers "accept" but no equivalent "reject"."""

from __future__ import annotations

from .banner_support import cookie_wall, measured_banner, reject_route, text
from .base import RuleMeta
from .context import Collector, Context

META = RuleMeta(
    id="banner-no-reject-first-layer",
    title={"en": "No reject option on the banner's first layer",
           "nl": "Geen weigeroptie in de eerste laag van de cookiebanner"},
    explanation={
        "en": "Wherever the banner offers \"accept (all)\", refusing must be possible on that same layer with an "
              "equivalent control; a \"settings\" button next to \"accept all\" is not enough. The audit measures "
              "the first layer in the no-interaction visit: the banner is the overlay (fixed or sticky element, or "
              "dialog) that holds the accept control, and only buttons and links inside it count. Button texts are "
              "matched in Dutch, German, French and English (\"Alles weigeren\", \"Alle ablehnen\", \"Tout "
              "refuser\", \"Reject all\", \"Alleen noodzakelijke\" ...). The finding gives the accept text, whether "
              "a reject control exists elsewhere on the page (outside the banner frame does not count), and how "
              "the reject-all visit reached a refusal (clicks, via settings). A banner that also blocks the page "
              "and offers no refusal at all is reported as cookie-wall instead. Text matching can miss unusual "
              "wording (an \"X\" close icon is not a reject): review the screenshot.",
        "nl": "Waar de banner \"(alles) accepteren\" aanbiedt, moet weigeren in dezelfde laag mogelijk zijn met een "
              "gelijkwaardige knop; een knop \"instellingen\" naast \"alles accepteren\" is niet genoeg. De audit "
              "meet de eerste laag in het bezoek zonder interactie: de banner is de overlay (fixed of sticky "
              "element, of dialoog) waarin de accepteerknop staat, en alleen knoppen en links daarbinnen tellen. "
              "Knopteksten worden herkend in het Nederlands, Duits, Frans en Engels (\"Alles weigeren\", \"Alle "
              "ablehnen\", \"Tout refuser\", \"Reject all\", \"Alleen noodzakelijke\" ...). De bevinding noemt de "
              "accepteertekst, of er elders op de pagina een weigerknop staat (buiten de banner telt niet) en hoe "
              "het bezoek \"alles weigeren\" tot een weigering kwam (klikken, via instellingen). Een banner die ook "
              "de pagina blokkeert en helemaal geen weigering toelaat, staat bij cookie-wall. Tekstherkenning kan "
              "ongebruikelijke formuleringen missen (een sluitkruisje is geen weigerknop): bekijk de "
              "schermafbeelding.",
    },
    severity="high",
    jurisdictions=("EU",),
    legal_basis=("EDPB Cookie Banner Taskforce report 2023 §6-8 (type A)", "GBA checklist 2023",
                 "GBA 113/2024 (Mediahuis)", "AP cookiebanner-vuistregels (alle keuzes op één laag)"),
    evidence=("banner", "screenshot", "consent"),
)


def check(ctx: Context, out: Collector) -> None:
    for domain in ctx.domains:
        found = measured_banner(ctx, domain)
        if found is None:
            continue
        visit, b = found
        if b.accept is None or b.reject is not None:
            continue
        if cookie_wall(ctx, domain):
            continue          # cookie-wall reports a blocking banner without any refusal
        route = reject_route(ctx, domain)
        if route and route["direct_reject"] and b.reject_elsewhere is None:
            continue          # the reject-all visit clicked a reject right away: the measurement missed it
        accept, settings, elsewhere = text(b.accept), text(b.settings), text(b.reject_elsewhere)
        en = f"On {domain} the banner's first layer offers \"{accept}\" but no way to reject"
        nl = f"Op {domain} biedt de eerste laag van de banner \"{accept}\" maar geen manier om te weigeren"
        if elsewhere:
            en += f" (\"{elsewhere}\" exists only outside the banner)"
            nl += f" (\"{elsewhere}\" staat alleen buiten de banner)"
        if route and route["outcome"] == "verified" and route["via_settings"]:
            en += f"; refusing took {route['clicks']} clicks via \"{settings or 'settings'}\""
            nl += f"; weigeren kostte {route['clicks']} klikken via \"{settings or 'instellingen'}\""
        elif route and route["outcome"] == "not-performed":
            en += "; the reject-all visit found no way to refuse at all"
            nl += "; het bezoek \"alles weigeren\" vond helemaal geen manier om te weigeren"
        out.add(
            META.id, visit, None, severity="high", subject={"kind": "banner", "name": "reject"},
            pointer="/banner/accept", phase="before-consent",
            details={"accept": accept, "settings": settings, "reject_elsewhere": elsewhere,
                     "reject_all_run": route, "banner_box": b.banner_box.to_dict() if b.banner_box else None},
            message=en + ".", message_nl=nl + ".",
        )
