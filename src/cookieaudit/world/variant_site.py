"""HTTP and HTML of a variant shop: its tag plan, its consent manager, its pages, paths and distracting links.

Built from the ground truth (:class:`~cookieaudit.world.variants.ShopVariant`) and the shop's knobs. The
pages are the demo shop's pages in another layout (``templates/variant/``); the privacy page is the same
policy text in the page language.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from .catalog import SHOPS, Shop, ShopPaths
from .cmps import ungated_html
from .config import ShopKnobs
from .pages import ENV, ShopLayout
from .shops import NO_STORE, ShopSite
from .tags import Part, Tag, consent_default, google_container, shop_tags
from .texts import CATEGORY_TEXTS, DECLARED_SERVICES, PRODUCTS, PRODUCTS_BY_SLUG, UI, Product
from .variant_cmps import variant_cmp_markup
from .variants import WORDS, ShopVariant

# A tiny but valid PDF (the catalogue download a page discoverer must not treat as a page).
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
             b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
LISTING_SLUGS = ("pla-filament", "petg-filament")


def variant_shop(shop: Shop, variant: ShopVariant) -> Shop:
    """The catalog shop with the variant's language, manager and paths (ids and hosts unchanged)."""
    p = variant.paths
    products = p.product.split("?")[0].rsplit("/", 1)[0] or "/"
    return replace(shop, lang=variant.language, locale=variant.locale, cmp=variant.manager,
                   cmp_categories={c: u.id for u in variant.units for c in u.policy},
                   paths=ShopPaths(home=p.home, products=products, product=p.product, cart=p.cart, privacy=p.privacy))


def variant_tags(shop: Shop, variant: ShopVariant, knobs: ShopKnobs) -> list[Tag]:
    """The shop's tag plan, minus the categories the banner does not offer, in the variant's wiring."""
    tags = [t for t in shop_tags(shop, knobs) if t.category is None or t.category in variant.offered]
    labels = {s.world: s.label for s in variant.services}
    tags = [replace(t, title=labels.get(t.service, t.title)) for t in tags]
    if variant.options.get("google") == "gtm-service" and knobs.google and not knobs.gtm_before_consent:
        # GTM is a service of its own; GA4 and Google Ads are consent-only services (Consent Mode signals)
        tags = [replace(t, parts=()) if t.service in ("google-analytics", "google-ads") and t.gated else t
                for t in tags]
        tags.insert(0, Tag("google-tag-manager", "Google Tag Manager", "performance", True,
                           (Part("inline", "O3D.loadGtm();"),)))
    return tags


def variant_container(shop: Shop, variant: ShopVariant, knobs: ShopKnobs) -> dict:
    """The GTM container without the tags of a category the shop does not use."""
    container = google_container(shop, knobs)
    drop = set()
    if "targeting" not in variant.offered:
        drop |= {"ads", "ads_conversion"}
    if "performance" not in variant.offered:
        drop.add("ga4")
    return {**container, "tags": [t for t in container["tags"] if t["type"] not in drop]}


@dataclass(frozen=True)
class VariantLayout(ShopLayout):
    """A shop layout in a variant's wiring, with the variant it was built from."""

    variant: ShopVariant


def variant_layout(shop: Shop, variant: ShopVariant, knobs: ShopKnobs) -> VariantLayout:
    vshop = variant_shop(shop, variant)
    tags = variant_tags(vshop, variant, knobs)
    if not any(t.service in ("google-analytics", "google-ads") for t in tags):
        knobs = replace(knobs, vendors=knobs.vendors - {"google"})
    return VariantLayout(shop=vshop, variant=variant, knobs=knobs, tags=tags,
                         cmp=variant_cmp_markup(vshop, variant, knobs, tags),
                         ungated=ungated_html(tags, knobs.banner), consent_default=consent_default(knobs))


def render_variant(layout: VariantLayout, page: str, product: Product | None = None, title: str | None = None) -> str:
    """HTML of one page: home, listing, product, cart, privacy, not_found or message."""
    shop, knobs, variant = layout.shop, layout.knobs, layout.variant
    lang = variant.language
    ui, words = UI[lang], WORDS[lang]
    titles = {"home": ui["home_title"], "cart": ui["cart_title"], "privacy": ui["privacy_link"],
              "not_found": ui["not_found"], "listing": words["listing"],
              "product": product.name[lang] if product else "", "message": title or ""}
    o3d_config = {
        "lang": lang, "page": "product" if page == "product" else page, "google": knobs.google,
        "gtmId": shop.gtm_id if knobs.google else None,
        "consentMode": knobs.effective_consent_mode if layout.consent_default else None,
        "analyticsExempt": knobs.ga4_before_consent,
        "price": product.price if product else None,
        "texts": {"cart_empty": ui["cart_empty"]},
    }
    template = f"privacy_{lang}.html" if page == "privacy" else f"variant/{'not_found' if page == 'not_found' else page}.html"
    if page == "not_found":
        template = "variant/message.html"
    return ENV.get_template(template).render(
        base_template="variant/base.html", shop=shop, variant=variant, paths=variant.paths, lang=lang, ui=ui,
        words=words, page=page, title=titles[page], product=product, products=PRODUCTS,
        product_urls=variant.paths.products, listing_products=[PRODUCTS_BY_SLUG[s] for s in LISTING_SLUGS],
        cmp=layout.cmp, ungated_html=layout.ungated, consent_default=layout.consent_default,
        o3d_config=o3d_config, webfont=knobs.google_fonts_before_consent,
        shop_hosts=[s.host for s in SHOPS], declared_services=DECLARED_SERVICES[lang],
        category_texts=list(CATEGORY_TEXTS[lang].items()),
    )


class VariantShopSite(ShopSite):
    """One variant shop host: routes by the variant's paths, serves the distractors."""

    layout: VariantLayout

    def __init__(self, layout: VariantLayout, node_modules: Path):
        super().__init__(layout, node_modules)
        self.variant = layout.variant
        p = self.variant.paths
        self.pages: dict[str, tuple[str, Product | None]] = {p.home: ("home", None), p.listing: ("listing", None),
                                                             p.cart: ("cart", None), p.privacy: ("privacy", None)}
        self.product_pages: dict[str, Product] = {url: PRODUCTS_BY_SLUG[slug] for slug, url in p.products.items()}

    def route(self, path: str) -> tuple[str, Product | None] | None:   # path may carry a query
        split = urlsplit(path)
        if path in self.product_pages:
            return "product", self.product_pages[path]
        if split.query:
            query = parse_qs(split.query)
            for url, product in self.product_pages.items():      # /product.php?id=12&compare=1, ?utm_…
                u = urlsplit(url)
                if u.path == split.path and (not u.query or parse_qs(u.query).get("id") == query.get("id")):
                    return "product", product
        return self.pages.get(split.path)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith(("/assets/", "/favicon.ico", "/robots.txt")):
            return await super().handle(request)
        if request.method not in ("GET", "HEAD"):
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
        p = self.variant.paths
        words = WORDS[self.variant.language]
        if path == "/" and p.home != "/":
            raise web.HTTPFound(p.home)
        if path == p.distractors["logout"]:
            redirect = web.HTTPFound(p.home)
            redirect.headers.add("Set-Cookie", "PHPSESSID=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax")
            raise redirect
        if path == p.distractors["pdf"]:
            return web.Response(body=PDF_BYTES, headers={**NO_STORE, "Content-Type": "application/pdf",
                                                         "Content-Disposition": "attachment"})
        route = self.route(request.path_qs)
        status = 200
        if path == p.distractors["submit"]:
            route, title = ("message", None), words["order_placed"]
        else:
            title = None
        if route is None:
            for alternative in (path + "/", path.rstrip("/")):
                if alternative != path and self.route(alternative + (f"?{request.query_string}" if request.query_string else "")):
                    raise web.HTTPMovedPermanently(alternative)
            route, status = ("not_found", None), 404
        page, product = route
        response = web.Response(text=render_variant(self.layout, page, product, title), status=status,
                                content_type="text/html", charset="utf-8", headers=NO_STORE)
        self.set_shop_cookies(request, response)
        return response
