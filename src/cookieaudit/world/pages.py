"""Renders a shop page: the template, the shop's tag plan and its consent manager put together.

The output is what a real shop's server would send: complete HTML with the vendor snippets and the consent
manager's configuration inline. Each shop's tag plan and consent-manager markup are computed once, since
they depend only on the shop and its knobs.
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from .assets import TEMPLATES_DIR
from .catalog import SHOPS, Shop
from .cmps import CmpMarkup, cmp_markup, ungated_html
from .config import ShopKnobs
from .tags import Tag, consent_default, shop_tags
from .texts import CATEGORY_TEXTS, DECLARED_SERVICES, PRODUCTS, UI, Product

ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                         trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class ShopLayout:
    """Everything about a shop's pages that does not change from page to page."""

    shop: Shop
    knobs: ShopKnobs
    tags: list[Tag]
    cmp: CmpMarkup
    ungated: str
    consent_default: dict | None


def layout_for(shop: Shop, knobs: ShopKnobs) -> ShopLayout:
    tags = shop_tags(shop, knobs)
    return ShopLayout(shop=shop, knobs=knobs, tags=tags, cmp=cmp_markup(shop, knobs, tags),
                      ungated=ungated_html(tags, knobs.banner), consent_default=consent_default(knobs))


def render(layout: ShopLayout, page: str, product: Product | None = None) -> str:
    """HTML of one page: "home", "product", "cart", "privacy" or "not_found"."""
    shop, knobs = layout.shop, layout.knobs
    ui = UI[shop.lang]
    titles = {"home": ui["home_title"], "cart": ui["cart_title"], "privacy": ui["nav_privacy"],
              "not_found": ui["not_found"], "product": product.name[shop.lang] if product else ""}
    o3d_config = {
        "lang": shop.lang, "page": page, "google": knobs.google, "gtmId": shop.gtm_id if knobs.google else None,
        "consentMode": knobs.effective_consent_mode if layout.consent_default else None,
        "analyticsExempt": knobs.ga4_before_consent,
        "price": product.price if product else None,
        "texts": {"cart_empty": ui["cart_empty"]},
    }
    template = f"privacy_{shop.lang}.html" if page == "privacy" else f"{page}.html"
    return ENV.get_template(template).render(
        shop=shop, paths=shop.paths, lang=shop.lang, ui=ui, page=page, title=titles[page],
        product=product, products=PRODUCTS, cmp=layout.cmp, ungated_html=layout.ungated,
        consent_default=layout.consent_default, o3d_config=o3d_config,
        webfont=knobs.google_fonts_before_consent,
        shop_hosts=[s.host for s in SHOPS], declared_services=DECLARED_SERVICES[shop.lang],
        category_texts=list(CATEGORY_TEXTS[shop.lang].items()),
    )
