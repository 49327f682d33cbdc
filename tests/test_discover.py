"""Page discovery (browse/discover.py) and the not-the-site check (browse/notsite.py): pure functions, no browser."""

from __future__ import annotations

import random

import pytest

from cookieaudit.browse.discover import Link, classify, registrable, select_pages
from cookieaudit.browse.notsite import not_the_site

HOME = "https://shop.example.nl/"


def L(path: str, text: str = "", region: str = "main", **kw) -> Link:
    href = path if "://" in path or path.startswith(("mailto:", "tel:", "javascript:")) else "https://shop.example.nl" + path
    return Link(href=href, text=text, region=region, raw=kw.pop("raw", path), **kw)


def kinds(result) -> dict[str, str]:
    return {p["kind"]: p["path"] for p in result["pages"]}


SHOP_NL = [
    L("/", "Example", "header"), L("/", "Home", "nav"),
    L("/c/filament", "Filament", "nav"), L("/winkelmandje", "Mandje (0)", "header"),
    L("/artikel/pla-zwart-1kg", "PLA zwart 1 kg", "card"), L("/artikel/pla-zwart-1kg", "Bekijk", "card"),
    L("/artikel/petg-wit", "PETG wit", "card"),
    L("/klantenservice/privacyverklaring", "Privacyverklaring", "footer"),
    L("/afrekenen", "Afrekenen", "header"), L("/account/uitloggen", "Uitloggen", "header"),
    L("/downloads/catalogus.pdf", "Catalogus", "footer"), L("/voorwaarden", "Voorwaarden", "footer", download=True),
    L("https://www.instagram.com/example", "Instagram", "footer"), L("mailto:info@example.nl", "Mail ons", "footer"),
    L("tel:+31201234567", "Bel ons", "footer"), L("javascript:void(0)", "Menu", "nav"), L("#top", "Naar boven", "footer"),
    L("/fr/", "Français", "header", hreflang="fr"), L("/en/", "EN", "header"),
    L("/winkelmandje?add-to-cart=12", "In mandje", "card"),
]


def test_a_dutch_shop_gets_home_product_category_cart_privacy_in_that_order():
    r = select_pages(HOME, SHOP_NL, "nl-NL")
    assert [(p["kind"], p["path"]) for p in r["pages"]] == [
        ("home", "/"), ("product", "/artikel/pla-zwart-1kg"), ("category", "/c/filament"),
        ("cart", "/winkelmandje"), ("privacy", "/klantenservice/privacyverklaring")]
    assert all(p["reason"] for p in r["pages"])


@pytest.mark.parametrize("path,text,extra,reason", [
    ("/afrekenen", "Afrekenen", {}, "checkout"),
    ("/account/uitloggen", "Uitloggen", {}, "logout"),
    ("/downloads/catalogus.pdf", "Catalogus", {}, "download"),
    ("/voorwaarden", "Voorwaarden", {"download": True}, "download"),
    ("https://www.instagram.com/example", "Instagram", {}, "external site"),
    ("mailto:info@example.nl", "Mail ons", {}, "scheme mailto"),
    ("tel:+31201234567", "Bel ons", {}, "scheme tel"),
    ("javascript:void(0)", "Menu", {}, "scheme javascript"),
    ("#top", "Naar boven", {}, "fragment"),
    ("/fr/", "Français", {"hreflang": "fr"}, "language switch to fr"),
    ("/en/", "EN", {}, "language switch to en"),
    ("/winkelmandje?add-to-cart=12", "In mandje", {}, "state-changing action"),
    ("/", "Home", {}, "home page itself"),
    ("/logout", "Sign out", {}, "logout"), ("/abmelden", "Abmelden", {}, "logout"),
    ("/deconnexion", "Se déconnecter", {}, "logout"), ("/kasse", "Zur Kasse", {}, "checkout"),
    ("/commande", "Passer la commande", {}, "checkout"), ("/checkout/place-order", "Place order", {}, "checkout"),
])
def test_never_chosen_links_say_why(path, text, extra, reason):
    rejected, scores, _ = classify(L(path, text, **extra), HOME, "nl-NL")
    assert rejected and reason in rejected, (rejected, scores)
    r = select_pages(HOME, [L(path, text, **extra)], "nl-NL")
    assert [p["kind"] for p in r["pages"]] == ["home"]
    assert reason in r["candidates"][0]["rejected"]


def test_the_same_links_in_any_order_give_the_same_kinds_and_the_same_list_every_time():
    first = select_pages(HOME, SHOP_NL, "nl-NL")
    assert select_pages(HOME, list(SHOP_NL), "nl-NL") == first           # deterministic
    for seed in range(5):
        shuffled = list(SHOP_NL)
        random.Random(seed).shuffle(shuffled)
        got = kinds(select_pages(HOME, shuffled, "nl-NL"))
        # document order only breaks ties between equally good links: one product of two may win
        assert {k: v for k, v in got.items() if k != "product"} == \
            {k: v for k, v in kinds(first).items() if k != "product"}
        assert got["product"] in ("/artikel/pla-zwart-1kg", "/artikel/petg-wit")


@pytest.mark.parametrize("locale,links,expected", [
    ("de-DE", [L("/kategorie/filamente", "Filamente", "nav"), L("/warenkorb", "Warenkorb", "header"),
               L("/produkt/pla-schwarz", "PLA schwarz", "card"), L("/datenschutzerklaerung", "Datenschutzerklärung", "footer"),
               L("/impressum", "Impressum", "footer"), L("/en/", "English", "header")],
     {"product": "/produkt/pla-schwarz", "category": "/kategorie/filamente", "cart": "/warenkorb",
      "privacy": "/datenschutzerklaerung"}),
    ("fr-BE", [L("/boutique", "Boutique", "nav"), L("/panier", "Mon panier", "header"),
               L("/produits/pla-noir", "Voir le produit", "card"), L("/politique-de-confidentialite", "Politique de confidentialité", "footer"),
               L("/nl/", "Nederlands", "header")],
     {"product": "/produits/pla-noir", "category": "/boutique", "cart": "/panier",
      "privacy": "/politique-de-confidentialite"}),
    ("en-GB", [L("/collections/all", "Shop all", "nav"), L("/basket", "Basket", "header"),
               L("/products/pla-black", "PLA black", "card"), L("/pages/privacy-policy", "Privacy policy", "footer")],
     {"product": "/products/pla-black", "category": "/collections/all", "cart": "/basket",
      "privacy": "/pages/privacy-policy"}),
    # a product found only by its article number, a cart only by its icon's label
    ("nl-BE", [L("/pla-filament-zwart-p-10234.html", "", "card", label="PLA zwart"),
               L("/cart", "", "header", label="Winkelwagen"), L("/privacy", "Privacy", "footer")],
     {"product": "/pla-filament-zwart-p-10234.html", "cart": "/cart", "privacy": "/privacy"}),
])
def test_link_words_and_url_patterns_in_four_languages(locale, links, expected):
    r = select_pages(HOME, links, locale)
    assert {k: v for k, v in kinds(r).items() if k != "home"} == expected
    assert r["kinds_not_found"] == [k for k in ("product", "category", "cart", "privacy") if k not in expected]


def test_a_menu_word_on_a_product_url_is_a_product_not_the_listing():
    r = select_pages(HOME, [L("/producten/pla-filament", "Producten", "nav")], "nl-NL")
    assert kinds(r) == {"home": "/", "product": "/producten/pla-filament"}


def test_other_hosts_of_the_same_site_stay_out_and_subdomains_are_not_external():
    assert registrable("www.shop.example.co.uk") == "example.co.uk"
    rejected, _, _ = classify(L("https://blog.example.nl/privacy", "Privacy"), HOME, "nl-NL")
    assert rejected.startswith("another host of the site")
    assert classify(L("https://www.shop.example.nl/privacy", "Privacy"), HOME, "nl-NL")[0] is None
    assert classify(L("https://example.com/privacy", "Privacy"), HOME, "nl-NL")[0].startswith("external site")


def test_no_links_gives_the_home_page_only():
    r = select_pages("https://shop.example.nl/nl/", [], "nl-NL")
    assert r["pages"] == [{"path": "/nl/", "url": "https://shop.example.nl/nl/", "kind": "home",
                           "reason": "the home page: consent is given here"}]
    assert r["kinds_not_found"] == ["product", "category", "cart", "privacy"]


# --- not the site -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kw,kind", [
    ({"status": 403, "title": "Just a moment...", "text": "Checking if the site connection is secure"}, "bot-challenge"),
    ({"status": 503, "title": "Attention Required! | Cloudflare", "text": "Please enable cookies."}, "bot-challenge"),
    ({"status": 200, "title": "shop", "text": "Verify you are human by completing the action below."}, "bot-challenge"),
    ({"status": 200, "title": "", "text": "Een ogenblik geduld a.u.b. Uw browser wordt gecontroleerd."}, "bot-challenge"),
    ({"status": 200, "title": "Einen Moment bitte…", "text": "Bitte bestätigen Sie, dass Sie kein Roboter sind."}, "bot-challenge"),
    ({"status": 200, "title": "Vérification", "text": "Vérification de votre navigateur en cours"}, "bot-challenge"),
    ({"status": 200, "title": "x", "text": "", "html": '<form id="challenge-form" action="/?__cf_chl_tk=1">'}, "bot-challenge"),
    ({"status": 200, "title": "example.nl", "text": "This domain is for sale! Make an offer."}, "parked"),
    ({"status": 200, "title": "example.nl - domein te koop", "text": "Neem contact op."}, "parked"),
    ({"status": 200, "title": "example.de", "text": "Diese Domain kaufen? Domain kaufen bei uns"}, "parked"),
    ({"status": 200, "title": "example.fr", "text": "Ce nom de domaine est à vendre"}, "parked"),
    ({"status": 200, "title": "example.com", "text": "", "html": '<script src="https://www.sedoparking.com/x.js">'}, "parked"),
    ({"status": 404, "title": "Pagina niet gevonden", "text": "Sorry"}, "error-page"),
    ({"status": 500, "title": "500 Internal Server Error", "text": ""}, "error-page"),
    ({"status": 200, "title": "Seite nicht gefunden", "text": "Leider..."}, "error-page"),
    ({"status": 200, "title": "Boutique", "text": "...", "heading": "Page introuvable"}, "error-page"),
])
def test_not_the_site_in_four_languages(kw, kind):
    v = not_the_site(**kw)
    assert v and v["kind"] == kind, v
    assert v["reason"].startswith("not the site: ")


@pytest.mark.parametrize("kw", [
    {"status": 200, "title": "PLA filament 500 g – online-3d", "text": "Bestel nu. " * 20},
    {"status": 200, "title": "Privacybeleid", "text": "Wij gebruiken cookies. Heeft u vragen? Een ogenblik geduld "
     "is niet nodig: " + "tekst " * 400},
    {"status": 200, "title": "Filament kaufen", "text": "Unser Sortiment: PLA, PETG, ABS."},
    {"status": 200, "title": "Home", "text": "Welkom in onze winkel", "html": "<div class='g-recaptcha' data-sitekey=x>"},
])
def test_real_shop_pages_are_the_site(kw):
    assert not_the_site(**kw) is None
