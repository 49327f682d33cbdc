"""cookie-wall: the site cannot be used without accepting: a blocking banner with no way to refuse."""

from __future__ import annotations

from .banner_support import WALL_COVERAGE, banner_visit, cookie_wall
from .base import RuleMeta
from .context import Collector, Context

META = RuleMeta(
    id="cookie-wall",
    title={"en": "Cookie wall: no access without accepting",
           "nl": "Cookiemuur: geen toegang zonder te accepteren"},
    explanation={
        "en": "Access to a website may not depend on accepting tracking cookies: a cookie wall gives no free "
              "choice. Reported when, in the no-interaction visit, the banner blocks the page (scrolling locked, "
              f"or fixed overlays covering at least {WALL_COVERAGE:.0%} of the viewport) and its first layer has "
              "an accept control but no reject, and no refusal is possible behind it either: the reject-all visit "
              "found no way to refuse (not even through a settings layer), or - without a reject-all visit - the "
              "first layer has no settings control. Details show whether clicking the page content was blocked. "
              "A blocking banner that does allow refusing on a second layer is reported by "
              "banner-no-reject-first-layer.",
        "nl": "Toegang tot een website mag niet afhangen van het accepteren van trackingcookies: een cookiemuur "
              "laat geen vrije keuze. Gemeld als in het bezoek zonder interactie de banner de pagina blokkeert "
              f"(scrollen geblokkeerd, of vaste overlays over minstens {WALL_COVERAGE:.0%} van het scherm) en de "
              "eerste laag wel een accepteerknop heeft maar geen weigeroptie, en er ook daarachter niet geweigerd "
              "kan worden: het bezoek \"alles weigeren\" vond geen enkele manier om te weigeren (ook niet via een "
              "instellingenlaag), of - zonder zo'n bezoek - de eerste laag heeft geen knop voor instellingen. De "
              "details tonen of klikken op de pagina-inhoud geblokkeerd was. Een blokkerende banner waarbij "
              "weigeren in een tweede laag wel kan, staat bij banner-no-reject-first-layer.",
    },
    severity="high",
    jurisdictions=("EU",),
    legal_basis=("AP 7 Mar 2019 (cookiewalls)", "EDPB Guidelines 05/2020 on consent §39-41",
                 "GBA checklist 2023", "GDPR art. 4(11), 7(4) (freely given)"),
    evidence=("banner", "screenshot", "consent"),
)


def check(ctx: Context, out: Collector) -> None:
    for domain in ctx.domains:
        wall = cookie_wall(ctx, domain)
        visit = banner_visit(ctx, domain)
        if wall is None or visit is None:
            continue
        how_en = "scrolling is locked" if wall["scroll_locked"] else f"overlays cover {wall['overlay_coverage']:.0%} of the screen"
        how_nl = ("scrollen is geblokkeerd" if wall["scroll_locked"]
                  else f"overlays bedekken {wall['overlay_coverage']:.0%} van het scherm")
        out.add(
            META.id, visit, None, severity="high", subject={"kind": "banner", "name": "wall"},
            pointer="/banner/accept", phase="before-consent", details=wall,
            message=(f"On {domain} the banner blocks the page ({how_en}) and offers only \"{wall['accept']}\": "
                     "there is no way to refuse."),
            message_nl=(f"Op {domain} blokkeert de banner de pagina ({how_nl}) en biedt alleen "
                        f"\"{wall['accept']}\": weigeren is niet mogelijk."),
        )
