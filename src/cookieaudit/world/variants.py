"""Variant worlds: the five demo shops re-configured from a seed, the way other integrators would do it.

``WorldConfig(variant_seed=N)`` serves the same five shop hosts and the same vendors, but each shop is set
up again from ``random.Random(N)`` (independently per shop, so one shop's draw never shifts another's):

* its **consent manager** (vanilla-cookieconsent, Klaro, Orejime, tarteaucitron or a hand-made banner; the
  five shops draw a permutation, so they get other managers than in the demo);
* its **page language** (nl, de, fr, en): page texts, banner texts, category labels, link words;
* the **ids and labels** the integrator gave the manager's categories/purposes (English, Dutch, German,
  French or opaque ids), or **per-service** consent (purposes named after the vendors), or an
  **accept/decline-only** banner;
* **categories left out** (no functional, or only one optional category): the tags of a category the
  banner does not offer are not embedded at all (recorded as ``dropped``);
* the **consent storage** (the manager's cookie / localStorage key, renamed as each library allows);
* **page paths and link layout** (product, listing, cart and privacy paths in the page language, links in
  a header nav, a footer, a burger menu or cards only) and **distracting links** (logout, an order-submit
  link, a PDF, external links, ``mailto:``/``tel:``/``javascript:``, ``#`` anchors, a language switcher,
  a link that 404s).

``generate(seed)`` returns the ground truth (:class:`WorldVariant`); tests use it, the tool under test
never sees it. The scenario is "compliant" unless ``WorldConfig.scenario``/``overrides`` say otherwise:
every gated tag runs only after consent for the manager unit the variant maps its policy category to.

Nothing here refers to cookieaudit's own code: the vocabulary below is what integrators and the
managers' documentation use.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Mapping

from .catalog import CATEGORIES, SHOPS

MANAGERS: tuple[str, ...] = ("vanilla", "klaro", "orejime", "tarteaucitron", "custom")
LANGUAGES: tuple[str, ...] = ("nl", "de", "fr", "en")
GRANULARITIES: tuple[str, ...] = ("per-category", "per-service", "all-or-nothing")
CHOICES_FIXED: tuple[str, ...] = ("no-interaction", "reject-all", "accept-all", "withdraw")

# The world's tags by service (tags.py) and the policy category each belongs to (expectations/online-3d.yaml).
WORLD_SERVICES: dict[str, str] = {
    "google-analytics": "performance", "clarity": "performance", "hotjar": "performance",
    "shop-preferences": "functional", "google-ads": "targeting", "brevo": "targeting",
}
GTM_POLICY: tuple[str, ...] = ("performance", "targeting")

# --- vocabulary: category ids --------------------------------------------------------------------------------------
# English ids integrators use, ids in the page language, and opaque ids (numbered groups, OneTrust-style codes).
CATEGORY_IDS: dict[str, dict[str, tuple[str, ...]]] = {
    "performance": {
        "en": ("analytics", "statistics", "performance", "measurement", "stats", "analytics_storage"),
        "nl": ("prestaties", "analytisch", "statistieken", "analyse", "meten"),
        "de": ("statistik", "statistiken", "analyse", "leistung", "reichweitenmessung"),
        "fr": ("mesure-audience", "mesure_audience", "statistiques", "analytique", "audience"),
    },
    "functional": {
        "en": ("functional", "functionality", "preferences", "prefs", "personalization"),
        "nl": ("functioneel", "voorkeuren", "functionele", "gemak"),
        "de": ("komfort", "funktional", "praeferenzen", "funktionell", "einstellungen"),
        "fr": ("fonctionnel", "preferences", "personnalisation", "confort"),
    },
    "targeting": {
        "en": ("marketing", "ads", "advertising", "targeting", "remarketing", "ad_storage"),
        "nl": ("marketing", "advertenties", "reclame", "gerichte-advertenties"),
        "de": ("marketing", "werbung", "personalisierte-werbung", "zielgruppen"),
        "fr": ("publicite", "marketing", "ciblage", "pub"),
    },
}
OPAQUE_SCHEMES: tuple[tuple[str, ...], ...] = (
    ("cat_2", "cat_3", "cat_4"), ("C0002", "C0003", "C0004"), ("group-2", "group-3", "group-4"),
    ("c2", "c3", "c4"), ("level2", "level3", "level4"),
)

# Visible labels, per language.
CATEGORY_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "performance": {
        "nl": ("Analytische cookies", "Statistieken", "Prestatiecookies", "Analyse", "Meten en verbeteren"),
        "de": ("Statistik", "Analyse-Cookies", "Statistiken", "Leistungs-Cookies", "Reichweitenmessung"),
        "fr": ("Mesure d'audience", "Statistiques", "Cookies analytiques", "Performance"),
        "en": ("Analytics", "Statistics", "Performance cookies", "Measurement"),
    },
    "functional": {
        "nl": ("Functionele cookies", "Voorkeuren", "Voorkeurscookies", "Gebruiksgemak"),
        "de": ("Komfort", "Funktionale Cookies", "Präferenzen", "Komfortfunktionen"),
        "fr": ("Fonctionnalités", "Préférences", "Cookies fonctionnels", "Personnalisation"),
        "en": ("Functional", "Preferences", "Personalisation", "Functionality cookies"),
    },
    "targeting": {
        "nl": ("Marketing & advertenties", "Advertentiecookies", "Marketingcookies", "Gepersonaliseerde advertenties"),
        "de": ("Marketing", "Werbung", "Personalisierte Werbung", "Marketing-Cookies"),
        "fr": ("Publicité ciblée", "Marketing", "Publicité", "Cookies publicitaires"),
        "en": ("Marketing", "Advertising", "Targeted advertising", "Marketing cookies"),
    },
}
CATEGORY_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "performance": {"nl": "Helpen ons te begrijpen hoe bezoekers de webshop gebruiken.",
                    "de": "Helfen uns zu verstehen, wie Besucher den Shop nutzen.",
                    "fr": "Nous aident à comprendre comment les visiteurs utilisent la boutique.",
                    "en": "Help us understand how visitors use the shop."},
    "functional": {"nl": "Onthouden uw taal en valuta.", "de": "Merken sich Sprache und Währung.",
                   "fr": "Mémorisent votre langue et votre devise.", "en": "Remember your language and currency."},
    "targeting": {"nl": "Voor advertenties en nieuwsbrieven die bij u passen.",
                  "de": "Für Werbung und Newsletter, die zu Ihnen passen.",
                  "fr": "Pour des publicités et des newsletters adaptées.",
                  "en": "For advertising and newsletters that suit you."},
}

# --- vocabulary: service ids (per-service consent; Klaro services, vanilla services, Orejime sub-purposes) -----------
SERVICE_IDS: dict[str, tuple[str, ...]] = {
    "google-analytics": ("google-analytics", "googleAnalytics", "google_analytics", "ga4", "ga", "analytics"),
    "clarity": ("ms-clarity", "clarity", "microsoftClarity", "microsoft-clarity"),
    "hotjar": ("hotjar", "Hotjar", "hj"),
    "brevo": ("brevo", "sendinblue", "sib", "brevo-tracker"),
    "google-ads": ("google-ads", "googleAds", "adwords", "gads", "google_ads"),
    "shop-preferences": ("preferences", "shop-preferences", "site-settings", "language-currency"),
    "google-tag-manager": ("gtm", "google-tag-manager", "googleTagManager", "tagmanager"),
}
SERVICE_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "google-analytics": {"*": ("Google Analytics", "Google Analytics 4")},
    "clarity": {"*": ("Microsoft Clarity", "Clarity")},
    "hotjar": {"*": ("Hotjar",)},
    "brevo": {"*": ("Brevo", "Brevo (Sendinblue)", "Sendinblue")},
    "google-ads": {"*": ("Google Ads", "Google Ads (AdWords)")},
    "google-tag-manager": {"*": ("Google Tag Manager",)},
    "shop-preferences": {"nl": ("Taal en valuta", "Voorkeuren"), "de": ("Sprache und Währung", "Präferenzen"),
                         "fr": ("Langue et devise", "Préférences"), "en": ("Language and currency", "Preferences")},
}

# tarteaucitron's categories are its fixed service types; only these can carry our services.
TARTEAUCITRON_TYPES: dict[str, tuple[str, ...]] = {
    "performance": ("analytic",), "functional": ("support", "api", "other"), "targeting": ("ads",)}
TARTEAUCITRON_TYPE_LABELS: dict[str, dict[str, str]] = {
    "en": {"ads": "Advertising network", "analytic": "Audience measurement", "support": "Support", "api": "APIs",
           "other": "Other"},
    "fr": {"ads": "Régies publicitaires", "analytic": "Mesure d'audience", "support": "Support", "api": "APIs",
           "other": "Autre"},
    "de": {"ads": "Werbenetzwerke", "analytic": "Besucher Zähldienste", "support": "Support", "api": "APIs",
           "other": "Andere"},
    "nl": {"ads": "Advertentienetwerk", "analytic": "Bezoekers meting", "support": "Support", "api": "APIs",
           "other": "Overig"},
}
# tarteaucitron's ready-made services the world can use (service -> key) and custom keys integrators write.
TARTEAUCITRON_BUILTIN = {"clarity": "clarity", "hotjar": "hotjar"}
TARTEAUCITRON_CUSTOM_KEYS: dict[str, tuple[str, ...]] = {
    "google-analytics": ("o3dgoogleanalytics", "ga4custom", "gtmanalytics", "googleanalytics4"),
    "google-ads": ("o3dgoogleads", "adwordscustom", "gtmads", "googleadsremarketing"),
    "brevo": ("brevo", "brevotracker", "sibtracker"),
    "shop-preferences": ("shopprefs", "voorkeuren", "sitepreferences", "langcurrency"),
    "clarity": ("msclarity", "clarityproject"),
    "hotjar": ("hotjarcustom", "hjtracking"),
}

# --- vocabulary: consent storage ---------------------------------------------------------------------------------------
STORAGE_NAMES: dict[str, tuple[str, ...]] = {
    "vanilla": ("cc_cookie", "o3d_consent", "cc_prefs_v2", "site_cookie_prefs", "cookieconsent_status_v3"),
    "klaro": ("klaro", "o3d_consent", "consent_prefs", "klaro_consents", "site-consent"),
    "orejime": ("orejime", "o3d_consent", "site_cookie_prefs", "cookie_choices", "gdpr_consent"),
    "tarteaucitron": ("tarteaucitron", "o3d_tac", "cookie_consent_tac", "rgpd_consent"),
    "custom": ("o3d_consent", "cookie_prefs", "site_cookie_prefs", "consent_v2", "cookies_ok", "privacy_choices"),
}
DEFAULT_STORAGE = {"vanilla": "cc_cookie", "klaro": "klaro", "orejime": "orejime", "tarteaucitron": "tarteaucitron"}

# --- vocabulary: paths and link words -------------------------------------------------------------------------------------
PRODUCT_PREFIXES = {"nl": ("/producten", "/product", "/p", "/artikel", "/shop"),
                    "de": ("/produkte", "/produkt", "/p", "/artikel", "/shop"),
                    "fr": ("/produits", "/produit", "/p", "/article", "/boutique"),
                    "en": ("/products", "/product", "/p", "/item", "/shop")}
LISTING_PATHS = {"nl": ("/filament", "/categorie/filament", "/assortiment/filament", "/shop/filament", "/c/filament"),
                 "de": ("/filamente", "/kategorie/filament", "/sortiment/filamente", "/shop/filamente", "/c/filament"),
                 "fr": ("/filaments", "/categorie/filaments", "/boutique/filaments", "/rayon/filament", "/c/filament"),
                 "en": ("/filament", "/category/filament", "/collections/filament", "/shop/filament", "/c/filament")}
CART_PATHS = {"nl": ("/winkelwagen", "/mand", "/winkelmandje", "/kassa/winkelmand", "/cart"),
              "de": ("/warenkorb", "/cart", "/kasse/warenkorb", "/einkaufswagen"),
              "fr": ("/panier", "/mon-panier", "/commande/panier", "/cart"),
              "en": ("/cart", "/basket", "/bag", "/checkout/cart")}
PRIVACY_PATHS = {"nl": ("/privacy", "/privacybeleid", "/privacyverklaring", "/klantenservice/privacy"),
                 "de": ("/datenschutz", "/datenschutzerklaerung", "/rechtliches/datenschutz", "/privacy"),
                 "fr": ("/politique-de-confidentialite", "/confidentialite", "/vie-privee", "/mentions/donnees-personnelles"),
                 "en": ("/privacy-policy", "/privacy", "/legal/privacy", "/privacy-notice")}
LOGOUT_PATHS = ("/logout", "/account/logout", "/uitloggen", "/abmelden", "/deconnexion", "/customer/account/logout/")
SUBMIT_PATHS = ("/checkout/submit", "/bestelling/plaatsen", "/bestellung/absenden", "/commande/valider", "/order/place")
PDF_PATHS = ("/downloads/catalogus-2026.pdf", "/media/katalog.pdf", "/docs/fiche-technique-pla.pdf", "/files/datasheet.pdf")
BROKEN_PATHS = ("/aanbiedingen-2019", "/sale-2019", "/ancienne-promo", "/old-offers", "/blog/archief")

WORDS: dict[str, dict[str, str]] = {
    "nl": {"listing": "Filament", "all_products": "Alle producten", "menu": "Menu", "logout": "Uitloggen",
           "submit": "Bestelling plaatsen", "pdf": "Catalogus (PDF)", "broken": "Aanbiedingen", "contact": "Mail ons",
           "phone": "Bel ons", "top": "Naar boven", "language": "Taal", "order_placed": "Bestelling geplaatst",
           "logged_out": "U bent uitgelogd", "accept": "Accepteren", "decline": "Alleen noodzakelijk",
           "shop_by": "Winkel per categorie", "reviews": "Lees onze reviews", "compare": "Vergelijken"},
    "de": {"listing": "Filamente", "all_products": "Alle Produkte", "menu": "Menü", "logout": "Abmelden",
           "submit": "Bestellung absenden", "pdf": "Katalog (PDF)", "broken": "Angebote", "contact": "E-Mail",
           "phone": "Anrufen", "top": "Nach oben", "language": "Sprache", "order_placed": "Bestellung abgeschickt",
           "logged_out": "Sie sind abgemeldet", "accept": "Akzeptieren", "decline": "Nur notwendige",
           "shop_by": "Nach Kategorie einkaufen", "reviews": "Bewertungen lesen", "compare": "Vergleichen"},
    "fr": {"listing": "Filaments", "all_products": "Tous les produits", "menu": "Menu", "logout": "Déconnexion",
           "submit": "Valider la commande", "pdf": "Catalogue (PDF)", "broken": "Promotions", "contact": "Écrivez-nous",
           "phone": "Appelez-nous", "top": "Haut de page", "language": "Langue", "order_placed": "Commande validée",
           "logged_out": "Vous êtes déconnecté", "accept": "Accepter", "decline": "Continuer sans accepter",
           "shop_by": "Acheter par catégorie", "reviews": "Lire les avis", "compare": "Comparer"},
    "en": {"listing": "Filament", "all_products": "All products", "menu": "Menu", "logout": "Log out",
           "submit": "Place order", "pdf": "Catalogue (PDF)", "broken": "Offers", "contact": "E-mail us",
           "phone": "Call us", "top": "Back to top", "language": "Language", "order_placed": "Order placed",
           "logged_out": "You are logged out", "accept": "Accept", "decline": "Necessary only",
           "shop_by": "Shop by category", "reviews": "Read our reviews", "compare": "Compare"},
}
NAV_LAYOUTS: tuple[str, ...] = ("header", "footer", "burger", "cards")
PRODUCT_URL_STYLES: tuple[str, ...] = ("prefix-slug", "prefix-id-slug", "query-id", "slug-html", "listing-slug")
PRODUCT_IDS = {"pla-filament": 12, "petg-filament": 13, "resin-grijs": 27, "o3d-mini": 104}


# --- ground truth ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConsentStorage:
    kind: str            # "cookie" | "localStorage"
    name: str


@dataclass(frozen=True)
class Unit:
    """One thing the banner lets a visitor grant or refuse: a category/purpose, or a service shown on its own."""

    id: str
    label: str
    description: str
    policy: tuple[str, ...]            # intended policy categories
    services: tuple[str, ...] = ()     # the world's services (tags.Tag.service) gated by it


@dataclass(frozen=True)
class Service:
    """A service the manager knows inside a unit (Klaro services, vanilla services, tarteaucitron keys,
    Orejime sub-purposes)."""

    id: str
    world: str                          # the world's service name (tags.Tag.service)
    label: str
    unit: str                           # id of the unit it belongs to
    policy: tuple[str, ...]


@dataclass(frozen=True)
class VariantPaths:
    home: str
    product: str                        # the featured product page (PLA filament)
    products: Mapping[str, str]         # product slug -> path (with query, if any)
    listing: str
    cart: str
    privacy: str
    distractors: Mapping[str, str]      # kind -> href (logout, submit, pdf, broken, external, mailto, tel, ...)

    def pages(self) -> dict[str, str]:
        return {"home": self.home, "product": self.product, "listing": self.listing, "cart": self.cart,
                "privacy": self.privacy}


@dataclass(frozen=True)
class ShopVariant:
    host: str
    country: str
    manager: str                        # vanilla | klaro | orejime | tarteaucitron | custom (hand-made)
    language: str
    locale: str                         # <html lang>
    paths: VariantPaths
    nav: str                            # header | footer | burger | cards
    granularity: str                    # per-category | per-service | all-or-nothing
    id_style: str                       # en | native | opaque | vendor | tarteaucitron
    units: tuple[Unit, ...]
    services: tuple[Service, ...]
    offered: frozenset[str]             # policy optional categories the banner offers
    dropped: tuple[str, ...]            # policy categories whose tags the shop does not embed (not offered)
    storage: ConsentStorage
    options: Mapping[str, object] = field(default_factory=dict)   # manager-specific details (for describe())
    withdraw: bool = True               # the shop offers a way back (a link that reopens the banner)

    @property
    def categories(self) -> dict[str, tuple[str, ...]]:
        """The manager's unit ids (categories/purposes, or services shown on their own) -> policy categories."""
        return {u.id: u.policy for u in self.units}

    @property
    def ids(self) -> dict[str, tuple[str, ...]]:
        """Every id the manager stores or shows (units and services) -> intended policy categories."""
        out = {s.id: s.policy for s in self.services}
        out.update(self.categories)
        return out

    @property
    def labels(self) -> dict[str, str]:
        out = {s.id: s.label for s in self.services}
        out.update({u.id: u.label for u in self.units})
        return out

    def expressible(self, choice: str) -> bool:
        """Can a visitor make this choice through the banner (issue 12's rule for categories not offered)?"""
        if choice in ("no-interaction", "reject-all", "accept-all"):
            return True
        if choice == "withdraw":
            return self.withdraw
        if choice.startswith("only-"):
            category = choice[len("only-"):]
            if category not in CATEGORIES:
                raise ValueError(f"unknown choice {choice!r}")
            if self.granularity == "all-or-nothing":
                return False
            # offered: grant it alone; not offered: performed as "nothing optional"
            return True
        raise ValueError(f"unknown choice {choice!r}")

    def describe(self) -> str:
        units = ", ".join(f"{u.id}→{'+'.join(u.policy)}" for u in self.units)
        extra = "".join(f" {k}={v}" for k, v in sorted(self.options.items()))
        services = f" services[{', '.join(f'{s.id}@{s.unit}' for s in self.services)}]" if self.services else ""
        dropped = f" dropped={','.join(self.dropped)}" if self.dropped else ""
        return (f"{self.host}: {self.manager} {self.language} {self.granularity} ids={self.id_style} "
                f"storage={self.storage.kind}:{self.storage.name} nav={self.nav}\n"
                f"    units[{units}]{services}{dropped}{extra}\n"
                f"    pages {self.paths.home} {self.paths.product} {self.paths.listing} {self.paths.cart} "
                f"{self.paths.privacy}")


@dataclass(frozen=True)
class WorldVariant:
    seed: int
    shops: tuple[ShopVariant, ...]

    def shop(self, host: str) -> ShopVariant:
        for s in self.shops:
            if s.host == host:
                return s
        raise KeyError(host)

    def expressible(self, host: str, choice: str) -> bool:
        return self.shop(host).expressible(choice)

    def describe(self) -> str:
        return f"variant world seed={self.seed}\n" + "\n".join("  " + s.describe() for s in self.shops)


# --- generation --------------------------------------------------------------------------------------------------------------
def _rng(seed: int, *parts: str) -> random.Random:
    """An independent stream per (seed, shop, aspect): string seeds hash deterministically (sha512)."""
    return random.Random(f"{seed}/" + "/".join(parts))


def _managers(seed: int) -> dict[str, str]:
    """A permutation of the managers over the shops, different from the demo's assignment where possible."""
    rng = _rng(seed, "managers")
    demo = [s.cmp for s in SHOPS]
    for _ in range(50):
        perm = list(MANAGERS)
        rng.shuffle(perm)
        if rng.random() < 0.15:        # now and then two shops share a manager (one manager left out)
            i, j = rng.sample(range(len(perm)), 2)
            perm[i] = perm[j]
        if sum(a == b for a, b in zip(perm, demo)) <= 1:
            break
    return {s.host: m for s, m in zip(SHOPS, perm)}


def _language(rng: random.Random, country: str) -> str:
    native = {"NL": "nl", "BE": "nl", "AT": "de", "DE": "de"}[country]
    weights = {"nl": 1, "de": 1, "fr": 1.2, "en": 1.2}
    weights[native] += 1.5
    if country == "BE":
        weights["fr"] += 1.0
    langs = list(weights)
    return rng.choices(langs, [weights[lang] for lang in langs])[0]


def _offered(rng: random.Random) -> tuple[str, ...]:
    return rng.choices([("performance", "functional", "targeting"), ("performance", "targeting"),
                        ("performance", "functional"), ("performance",), ("targeting",)],
                       [50, 25, 8, 10, 7])[0]


def _category_ids(rng: random.Random, lang: str, offered: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    style = rng.choices(["en", "native", "opaque", "mixed"], [40, 30, 15, 15])[0]
    if style == "opaque":
        scheme = rng.choice(OPAQUE_SCHEMES)
        return style, {cat: scheme[CATEGORIES.index(cat)] for cat in offered}
    ids: dict[str, str] = {}
    for cat in offered:
        source = style if style != "mixed" else rng.choice(["en", "native"])
        pool = CATEGORY_IDS[cat]["en" if source == "en" else lang]
        choice = rng.choice(pool)
        while choice in ids.values():
            choice = rng.choice(CATEGORY_IDS[cat]["en"])
        ids[cat] = choice
    return style, ids


def _label(rng: random.Random, cat: str, lang: str) -> str:
    return rng.choice(CATEGORY_LABELS[cat][lang])


def _service_label(rng: random.Random, service: str, lang: str) -> str:
    table = SERVICE_LABELS[service]
    return rng.choice(table.get(lang) or table["*"])


def _service_ids(rng: random.Random, services: list[str]) -> dict[str, str]:
    style = rng.choice(["kebab", "camel", "any"])
    out: dict[str, str] = {}
    for service in services:
        pool = list(SERVICE_IDS[service])
        if style == "kebab":
            pool = [p for p in pool if not any(ch.isupper() for ch in p)] or pool
        elif style == "camel":
            pool = [p for p in pool if "-" not in p and "_" not in p] or pool
        choice = rng.choice(pool)
        while choice in out.values():
            choice = rng.choice(SERVICE_IDS[service])
        out[service] = choice
    return out


def _paths(rng: random.Random, lang: str) -> tuple[VariantPaths, str]:
    slash = rng.random() < 0.25                        # the shop software writes trailing slashes
    lang_prefix = f"/{lang}" if rng.random() < 0.2 else ""

    def p(path: str) -> str:
        path = lang_prefix + path
        return path + "/" if slash and not path.endswith("/") and "?" not in path and "." not in path.rsplit("/", 1)[-1] else path

    listing = p(rng.choice(LISTING_PATHS[lang]))
    style = rng.choice(PRODUCT_URL_STYLES)
    prefix = rng.choice(PRODUCT_PREFIXES[lang])
    products = {}
    for slug, pid in PRODUCT_IDS.items():
        if style == "prefix-slug":
            products[slug] = p(f"{prefix}/{slug}")
        elif style == "prefix-id-slug":
            products[slug] = p(f"{prefix}/{pid}-{slug}")
        elif style == "query-id":
            products[slug] = lang_prefix + rng.choice(["/product.php", "/index.php"]) + f"?id={pid}" \
                if slug == "pla-filament" else ""
        elif style == "slug-html":
            products[slug] = lang_prefix + f"/{slug}.html"
        else:
            products[slug] = listing.rstrip("/") + "/" + slug + ("/" if slash else "")
    if style == "query-id":
        script = products["pla-filament"].split("?")[0]
        products = {slug: f"{script}?id={pid}" for slug, pid in PRODUCT_IDS.items()}
    home = f"{lang_prefix}/" if lang_prefix else "/"
    cart = p(rng.choice(CART_PATHS[lang]))
    privacy = p(rng.choice(PRIVACY_PATHS[lang]))
    others = [lg for lg in LANGUAGES if lg != lang]
    distractors = {
        "logout": rng.choice(LOGOUT_PATHS),
        "submit": rng.choice(SUBMIT_PATHS),
        "pdf": rng.choice(PDF_PATHS),
        "broken": p(rng.choice(BROKEN_PATHS)),
        "external": rng.choice(["https://www.thuiswinkel.org/leden/online-3d", "https://www.trustedshops.de/bewertung/info_X0D3.html",
                                "https://github.com/online-3d", "https://www.youtube.com/@online3d"]),
        "mailto": "mailto:info@" + rng.choice(["online-3d.eu", "online3d.example"]),
        "tel": "tel:+31401234567",
        "javascript": "javascript:void(0)",
        "anchor": "#",
        "top": "#top",
        "language": f"?lang={rng.choice(others)}",
    }
    if rng.random() < 0.5:
        distractors["compare"] = f"{products['pla-filament'].split('?')[0]}?compare=1" if style != "query-id" \
            else f"{products['pla-filament']}&compare=1"
    paths = VariantPaths(home=home, product=products["pla-filament"], products=products, listing=listing,
                         cart=cart, privacy=privacy, distractors=distractors)
    return paths, ("lang-prefix" if lang_prefix else "") + (" slash" if slash else "") + f" {style}"


def _storage(rng: random.Random, manager: str) -> ConsentStorage:
    names = STORAGE_NAMES[manager]
    renamed = manager == "custom" or rng.random() < 0.8
    name = rng.choice([n for n in names if n != DEFAULT_STORAGE.get(manager)] if renamed else [names[0]])
    kind = "cookie"
    if manager == "klaro" and rng.random() < 0.45:
        kind = "localStorage"
    elif manager == "vanilla" and rng.random() < 0.3:
        kind = "localStorage"
    elif manager == "custom" and rng.random() < 0.4:
        kind = "localStorage"
    return ConsentStorage(kind, name)


def _granularity(rng: random.Random, manager: str) -> str:
    weights = {"vanilla": (55, 20, 25), "klaro": (45, 35, 20), "orejime": (55, 45, 0),
               "tarteaucitron": (60, 40, 0), "custom": (55, 0, 45)}[manager]
    return rng.choices(GRANULARITIES, weights)[0]


def _shop_variant(seed: int, shop, manager: str) -> ShopVariant:
    r = lambda aspect: _rng(seed, shop.host, aspect)   # noqa: E731 - one stream per aspect
    lang = _language(r("language"), shop.country)
    locale = f"{lang}-{shop.country}"
    offered = _offered(r("offered"))
    granularity = _granularity(r("granularity"), manager)
    storage = _storage(r("storage"), manager)
    paths, path_style = _paths(r("paths"), lang)
    nav = r("nav").choice(NAV_LAYOUTS)
    dropped = tuple(c for c in CATEGORIES if c not in offered)
    services = [s for s, cat in WORLD_SERVICES.items() if cat in offered]
    rl = r("labels")
    options: dict[str, object] = {"paths": path_style.strip()}
    units: list[Unit] = []
    mservices: list[Service] = []

    def category_units(ids: dict[str, str]) -> list[Unit]:
        return [Unit(ids[cat], _label(rl, cat, lang), CATEGORY_DESCRIPTIONS[cat][lang], (cat,),
                     tuple(s for s in services if WORLD_SERVICES[s] == cat)) for cat in offered]

    if manager == "tarteaucitron":
        # tarteaucitron: its own service keys, grouped under its fixed types (or listed one by one)
        rt = r("tarteaucitron")
        keys = {}
        for service in services:
            if service in TARTEAUCITRON_BUILTIN and rt.random() < 0.7:
                keys[service] = TARTEAUCITRON_BUILTIN[service]
            else:
                keys[service] = rt.choice(TARTEAUCITRON_CUSTOM_KEYS[service])
        types = {cat: rt.choice(TARTEAUCITRON_TYPES[cat]) for cat in offered}
        options["groupServices"] = granularity == "per-category"
        id_style = "tarteaucitron"
        if granularity == "per-category":
            units = [Unit(types[cat], TARTEAUCITRON_TYPE_LABELS[lang][types[cat]], "", (cat,),
                          tuple(s for s in services if WORLD_SERVICES[s] == cat)) for cat in offered]
            mservices = [Service(keys[s], s, _service_label(rl, s, lang), types[WORLD_SERVICES[s]],
                                 (WORLD_SERVICES[s],)) for s in services]
        else:
            units = [Unit(keys[s], _service_label(rl, s, lang), "", (WORLD_SERVICES[s],), (s,)) for s in services]
        options["types"] = ",".join(f"{c}:{t}" for c, t in types.items())
    elif granularity == "per-service":
        id_style = "vendor"
        rs = r("services")
        layout = manager if manager != "klaro" else rs.choice(["klaro-flat", "klaro-own-purpose"])
        gtm = "google-analytics" in services and "google-ads" in services and manager in ("klaro", "orejime") \
            and rs.random() < 0.4
        listed = (["google-tag-manager"] if gtm else []) + services
        sids = _service_ids(rs, listed)
        policy = {s: GTM_POLICY if s == "google-tag-manager" else (WORLD_SERVICES[s],) for s in listed}
        if manager == "vanilla":
            # one category per vendor
            units = [Unit(sids[s], _service_label(rl, s, lang), "", policy[s], (s,)) for s in listed]
        elif layout == "klaro-flat":
            units = [Unit(sids[s], _service_label(rl, s, lang), "", policy[s], (s,)) for s in listed]
        else:
            # Orejime purposes per vendor; Klaro: each service its own purpose (purpose id = service id or not)
            pids = _service_ids(rs, listed) if manager == "klaro" and rs.random() < 0.5 else sids
            units = [Unit(pids[s], _service_label(rl, s, lang), "", policy[s], (s,)) for s in listed]
            if manager == "klaro":
                mservices = [Service(sids[s], s, _service_label(rl, s, lang), pids[s], policy[s]) for s in listed]
        options["layout"] = layout
        if gtm:
            options["google"] = "gtm-service"
    else:
        id_style, ids = _category_ids(r("ids"), lang, offered)
        if granularity == "all-or-nothing" and manager == "custom":
            one = r("ids").choice(["optional", "all", "tracking", "cookies", "accepted"])
            units = [Unit(one, WORDS[lang]["accept"], "", tuple(offered), tuple(services))]
            id_style = "single"
        else:
            units = category_units(ids)
        rs = r("services")
        if manager == "klaro":
            sids = _service_ids(rs, services)
            mservices = [Service(sids[s], s, _service_label(rl, s, lang), ids[WORLD_SERVICES[s]],
                                 (WORLD_SERVICES[s],)) for s in services]
        elif manager == "vanilla" and rs.random() < 0.5:
            sids = _service_ids(rs, services)
            mservices = [Service(sids[s], s, _service_label(rl, s, lang), ids[WORLD_SERVICES[s]],
                                 (WORLD_SERVICES[s],)) for s in services]
            options["vanilla_services"] = True
        elif manager == "orejime" and rs.random() < 0.4:
            sids = _service_ids(rs, services)
            mservices = [Service(sids[s], s, _service_label(rl, s, lang), ids[WORLD_SERVICES[s]],
                                 (WORLD_SERVICES[s],)) for s in services]
            options["orejime_groups"] = True
    return ShopVariant(host=shop.host, country=shop.country, manager=manager, language=lang, locale=locale,
                       paths=paths, nav=nav, granularity=granularity, id_style=id_style, units=tuple(units),
                       services=tuple(mservices), offered=frozenset(offered), dropped=dropped, storage=storage,
                       options=options)


def generate(seed: int) -> WorldVariant:
    """The ground truth of variant world ``seed``: deterministic, independent per shop."""
    managers = _managers(seed)
    return WorldVariant(seed=seed, shops=tuple(_shop_variant(seed, shop, managers[shop.host]) for shop in SHOPS))


if __name__ == "__main__":   # python -m cookieaudit.world.variants 7
    import sys
    print(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 0).describe())
