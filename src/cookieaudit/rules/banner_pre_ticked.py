"""banner-pre-ticked: a non-necessary category was already switched on before the visitor chose anything."""

from __future__ import annotations

import re

from .banner_support import banner_visit, is_necessary, policy_category, was_on_steps
from .base import RuleMeta
from .context import Collector, Context

META = RuleMeta(
    id="banner-pre-ticked",
    title={"en": "Pre-ticked consent categories",
           "nl": "Vooraf aangevinkte cookiecategorieën"},
    explanation={
        "en": "A pre-ticked box is not consent (Planet49; GDPR recital 32): every non-necessary category must be "
              "off until the visitor switches it on. Three observations show a category that was on before any "
              "choice: (1) a category checkbox or switch of the banner's settings layer that was checked when the "
              "page loaded (read from the DOM in the no-interaction visit, hidden settings layers included; the "
              "category comes from the toggle's label); (2) a toggle the consent driver had to switch off in a "
              "reject-all or only-<category> visit because it was already on (logged as \"(was on)\"); (3) the "
              "consent manager reporting a non-necessary category as granted before any interaction. The "
              "strictly necessary category (always on, usually disabled) is never reported. One finding per "
              "category and domain.",
        "nl": "Een vooraf aangevinkt vakje is geen toestemming (Planet49; AVG overweging 32): elke "
              "niet-noodzakelijke categorie moet uit staan tot de bezoeker haar aanzet. Drie waarnemingen tonen een "
              "categorie die vóór elke keuze aan stond: (1) een categorievakje of -schakelaar in de instellingenlaag "
              "van de banner die bij het laden al aangevinkt was (uit de DOM gelezen in het bezoek zonder "
              "interactie, ook als de instellingenlaag verborgen is; de categorie volgt uit het label); (2) een "
              "schakelaar die de consentdriver in een bezoek \"alles weigeren\" of \"alleen <categorie>\" moest "
              "uitzetten omdat hij al aan stond (gelogd als \"(was on)\"); (3) de consentmanager die een "
              "niet-noodzakelijke categorie vóór enige interactie als toegestaan meldt. De strikt noodzakelijke "
              "categorie (altijd aan, meestal uitgeschakeld) wordt nooit gemeld. Eén bevinding per categorie en "
              "domein.",
    },
    severity="high",
    jurisdictions=("EU",),
    legal_basis=("CJEU C-673/17 Planet49", "GDPR recital 32", "EDPB Cookie Banner Taskforce report 2023 "
                 "§9-10 (type B)", "AP Kruidvat 2024", "GBA 85/2022 (Roularta)"),
    evidence=("banner", "screenshot", "consent"),
)

_TOGGLE = re.compile(r"^(?P<target>.+?)\s*->\s*(?:on|off)\b")


def check(ctx: Context, out: Collector) -> None:
    for domain in ctx.domains:
        seen: set[str] = set()
        visit = banner_visit(ctx, domain)
        layer = visit.obs.banner.first_layer if visit is not None else None
        if visit is not None and layer is not None:
            for i, t in enumerate(layer.toggles):
                cat = t.category
                if not t.checked or not cat or is_necessary(ctx, cat) or cat in seen:
                    continue
                if t.always_on and cat == "functional":
                    # presented as the always-on group ("Altijd actief"): Complianz and others call their technically
                    # necessary group "functional". An always-on analytics or marketing box is still reported.
                    continue
                seen.add(cat)
                _add(out, visit, domain, cat, f"/banner/toggles/{i}", "before-consent", "settings-layer",
                     {"label": t.label, "visible": t.visible, "disabled": t.disabled, "in_banner": t.in_banner},
                     f"the settings layer's \"{t.label}\" was already ticked when the page loaded",
                     f"stond \"{t.label}\" in de instellingenlaag al aangevinkt bij het laden van de pagina")
        d = ctx.expectations.domain(domain)
        by_selector = {sel: cat for cat, sel in (d.banner.categories.items() if d and d.banner else ())}
        for r in ctx.visits_of(domain):
            if r.choice not in ("reject-all",) and not r.choice.startswith("only-"):
                continue          # withdraw: the boxes reflect the earlier accept-all
            for i, detail in was_on_steps(r):
                m = _TOGGLE.match(detail)
                target = m.group("target").strip() if m else ""
                cat = by_selector.get(target) or (target if target in ctx.all_categories else None)
                if not cat or is_necessary(ctx, cat) or cat in seen:
                    continue
                seen.add(cat)
                _add(out, r, domain, cat, f"/consent/steps/{i}", "after-choice", "toggle-log", {"step": detail},
                     f"the consent driver found \"{cat}\" already switched on in the settings layer",
                     f"trof de consentdriver \"{cat}\" al ingeschakeld aan in de instellingenlaag")
        nothing = next((r for r in ctx.visits_of(domain) if r.choice == "no-interaction"), None)
        state = nothing.obs.consent.state if nothing is not None else None
        if state is not None:
            for name, on in state.categories.items():
                cat = policy_category(ctx, domain, name, state.mapped)
                if on is not True or not cat or is_necessary(ctx, cat) or cat in seen:
                    continue
                seen.add(cat)
                how = ("stored as decided" if state.decided else "not yet decided")
                _add(out, nothing, domain, cat, "/consent/state", "before-consent", "consent-state",
                     {"cmp_category": name, "decided": bool(state.decided)},
                     f"the consent manager reported \"{name}\" as granted before any interaction ({how})",
                     f"meldde de consentmanager \"{name}\" al als toegestaan vóór enige interactie "
                     f"({'als beslist opgeslagen' if state.decided else 'nog niet beslist'})")


def _add(out: Collector, visit, domain: str, cat: str, pointer: str, phase: str, source: str, extra: dict,
         what_en: str, what_nl: str) -> None:
    out.add(
        META.id, visit, None, severity="high", subject={"kind": "banner", "name": f"toggle:{cat}"}, category=cat,
        pointer=pointer, phase=phase, details={"source": source, **extra},
        message=f"On {domain} {what_en}: the {cat} category was on before the visitor chose.",
        message_nl=f"Op {domain} {what_nl}: de categorie {cat} stond aan vóór de keuze van de bezoeker.",
    )
