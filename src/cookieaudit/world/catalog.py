"""The fixed facts of the demo world: the five shops, the vendors' real host names and the tracking ids.

Everything here is plain data. Behaviour that can be switched (planted violations, the consent banner,
latency) lives in :mod:`cookieaudit.world.config`; how the pieces are rendered lives elsewhere. Keeping the
ids in one place lets the server (which hands out the GTM container for an id), the page renderer (which
writes the snippets) and the tests agree without repeating literals.
"""

from __future__ import annotations

from dataclasses import dataclass

# The shop's own category ids (privacy policy art. 15; expectations/online-3d.yaml). Every consent
# manager names them differently; see ``Shop.cmp_categories``.
CATEGORIES: tuple[str, ...] = ("performance", "functional", "targeting")


@dataclass(frozen=True)
class ShopPaths:
    """URL paths of the pages every shop serves; the language decides the words."""

    home: str
    products: str          # prefix of product pages, e.g. "/producten"
    product: str           # the featured product page (the one listed in the expectations)
    cart: str
    privacy: str
    privacy_aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shop:
    """One of the company's webshops: domain, language, consent manager and its Google ids."""

    host: str
    country: str
    lang: str                                   # "nl" or "de": page language, CMP language
    locale: str                                 # html lang attribute
    cmp: str                                    # vanilla | klaro | custom | orejime | tarteaucitron
    cmp_categories: dict[str, str]              # shop category -> the CMP's own category/purpose/type name
    paths: ShopPaths
    gtm_id: str
    ga4_id: str
    brand: str

    @property
    def origin(self) -> str:
        return f"https://{self.host}"


NL_PATHS = ShopPaths(home="/", products="/producten", product="/producten/pla-filament",
                     cart="/winkelwagen", privacy="/privacy")
DE_PATHS = ShopPaths(home="/", products="/produkte", product="/produkte/pla-filament",
                     cart="/warenkorb", privacy="/datenschutz", privacy_aliases=("/privacy",))

SHOPS: tuple[Shop, ...] = (
    Shop(host="online-3d-printen.nl", country="NL", lang="nl", locale="nl-NL", cmp="vanilla",
         cmp_categories={"performance": "analytics", "functional": "functionality", "targeting": "marketing"},
         paths=NL_PATHS, gtm_id="GTM-O3DNL01", ga4_id="G-O3D1234567", brand="Online 3D Printen"),
    Shop(host="online-3d-winkel.nl", country="NL", lang="nl", locale="nl-NL", cmp="klaro",
         cmp_categories={"performance": "performance", "functional": "functional", "targeting": "marketing"},
         paths=NL_PATHS, gtm_id="GTM-O3DNL02", ga4_id="G-O3D2345678", brand="Online 3D Winkel"),
    Shop(host="online-3d-printen.be", country="BE", lang="nl", locale="nl-BE", cmp="custom",
         cmp_categories={"performance": "performance", "functional": "functional", "targeting": "targeting"},
         paths=NL_PATHS, gtm_id="GTM-O3DBE01", ga4_id="G-O3D3456789", brand="Online 3D Printen België"),
    Shop(host="online-3d-drucken.at", country="AT", lang="de", locale="de-AT", cmp="orejime",
         cmp_categories={"performance": "performance", "functional": "functional", "targeting": "marketing"},
         paths=DE_PATHS, gtm_id="GTM-O3DAT01", ga4_id="G-O3D4567890", brand="Online 3D Drucken Österreich"),
    Shop(host="online-3d-drucken.de", country="DE", lang="de", locale="de-DE", cmp="tarteaucitron",
         cmp_categories={"performance": "analytic", "functional": "support", "targeting": "ads"},
         paths=DE_PATHS, gtm_id="GTM-O3DDE01", ga4_id="G-O3D5678901", brand="Online 3D Drucken"),
)

SHOPS_BY_HOST: dict[str, Shop] = {s.host: s for s in SHOPS}
SHOPS_BY_GTM_ID: dict[str, Shop] = {s.gtm_id: s for s in SHOPS}

# --- vendor ids (one company, one account per vendor) -------------------------------------------
ADS_ID = "AW-123456789"
ADS_CONVERSION_LABEL = "x7Yp3CJv1k8ZEK2m4OAD"
UA_ID = "UA-12345678-1"
CLARITY_PROJECT = "o3dpk7x2qa"
CLARITY_VERSION = "0.8.17"
HOTJAR_SITE = 3456789
HOTJAR_SV = 6
HOTJAR_MODULES = "modules.6f3b2a1c9d8e7f60a5b4.js"
BREVO_KEY = "o3d7k2m9x4q8w1e5r6t3y0u2"
META_PIXEL = "481516234200042"
FBEVENTS_VERSION = "2.9.174"
AFFILIATE_PARTNER = "printbox-blog"

# --- the vendors' real host names, grouped by what answers there ----------------------------------
VENDOR_HOSTS: dict[str, tuple[str, ...]] = {
    "google-tag-manager": ("www.googletagmanager.com",),
    "google-analytics": ("region1.google-analytics.com", "www.google-analytics.com",
                         "region1.analytics.google.com"),
    "google-ads": ("googleads.g.doubleclick.net", "www.googleadservices.com"),
    "microsoft-clarity": ("www.clarity.ms", "scripts.clarity.ms", "k.clarity.ms"),
    "hotjar": ("static.hotjar.com", "script.hotjar.com", "content.hotjar.io", "ws.hotjar.com"),
    "brevo": ("sibautomation.com", "in-automate.brevo.com"),
    "meta-pixel": ("connect.facebook.net", "www.facebook.com"),
    "google-fonts": ("fonts.googleapis.com", "fonts.gstatic.com"),
    "o3d-widgets": ("static.o3d-widgets.net",),
}


def all_vendor_hosts() -> list[str]:
    return [h for hosts in VENDOR_HOSTS.values() for h in hosts]


def all_hosts() -> list[str]:
    """Every host name the world answers for: the shops first, then the vendors."""
    return [s.host for s in SHOPS] + all_vendor_hosts()
