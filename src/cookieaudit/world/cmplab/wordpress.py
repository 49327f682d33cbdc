"""The WordPress consent managers of the CMP lab: Complianz and CookieYes, both as stand-ins.

Both are best known as WordPress plugins whose front-end code is GPL but not published on npm, so the lab
serves small stand-ins written from the vendors' documentation and public source (each file's header lists
its sources and what it leaves out), wired into the page the way the vendor tells a site to:

=========================  ==========================================================================================
host                       consent manager
=========================  ==========================================================================================
complianz.o3d-lab.nl       Complianz, same-origin as the plugin is: ``/wp-content/plugins/complianz-gdpr/cookiebanner/
                           js/complianz.min.js`` after the ``var complianz = {…}`` settings and the banner markup
                           (``#cmplz-cookiebanner-container``) the plugin prints in the footer; banner stylesheet
                           from ``/wp-content/uploads/complianz/css/banner-1-optin.css``. Trackers blocked as
                           ``<script type="text/plain" data-category="statistics|marketing|preferences"
                           data-service="…">`` (external ones with ``data-cmplz-src``).
cookieyes.o3d-lab.nl       CookieYes, from the vendor host: ``https://cdn-cookieyes.com/client_data/<id>/script.js``
                           first in ``<head>`` (the install snippet); trackers blocked as ``<script type="text/plain"
                           data-cookieyes="cookieyes-analytics|cookieyes-advertisement|cookieyes-functional">``.
=========================  ==========================================================================================

The lab's trackers: GA4 + Microsoft Clarity under Complianz "statistics" / CookieYes "analytics", the Meta
Pixel under "marketing" / "advertisement", the first-party ``lab_prefs`` item under "preferences" / "functional".
The footer link "Cookie-instellingen" (``#cmplab-withdraw``) reopens the consent settings: Complianz's banner
(``cmplz_set_banner_status('show')``, what its "manage consent" tab does) and CookieYes's preference centre (the
link carries CookieYes's ``cky-banner-element`` class).

Lab knob: ``?broken=1`` on a page sets ``window.cmplabKnobs = {broken: true}``; the stand-ins then store the
marketing / advertisement category as accepted whatever the visitor chose, so that a test can show the audit
reports such a choice as unverified.
"""

from __future__ import annotations

from aiohttp import web

from ..assets import STATIC_DIR
from ..lab import LAB_GA4_ID
from .common import NO_CACHE, CmpLabSite, gated, inline_json, js_response, page

ASSETS = STATIC_DIR / "cmplab" / "wordpress"

COMPLIANZ = CmpLabSite(
    host="complianz.o3d-lab.nl", cmp="complianz", title="Complianz (stand-in)", kind="stand-in",
    source="Complianz GDPR/CCPA Cookie Consent: complianz.io docs and the plugin's GPL source "
           "(cookiebanner/templates/cookiebanner.php, cookiebanner/js/complianz.js)")
COOKIEYES_ID = "4f1d2c3b5a6e7d8c9b0a1f2e3d4c5b6a"
COOKIEYES = CmpLabSite(
    host="cookieyes.o3d-lab.nl", cmp="cookieyes", title="CookieYes (stand-in)", kind="stand-in",
    source="CookieYes docs (getCkyConsent, cookieyes_banner_load / cookieyes_consent_update, data-cookieyes) and "
           "the cookie-law-info 3.x front-end source",
    vendor_hosts=("cdn-cookieyes.com",))
SITES: tuple[CmpLabSite, ...] = (COMPLIANZ, COOKIEYES)

COMPLIANZ_JS = "/wp-content/plugins/complianz-gdpr/cookiebanner/js/complianz.min.js"
COMPLIANZ_CSS = "/wp-content/uploads/complianz/css/banner-1-optin.css"
COOKIEYES_JS = f"/client_data/{COOKIEYES_ID}/script.js"

# lab category -> the manager's own category
COMPLIANZ_CATEGORY = {"performance": "statistics", "targeting": "marketing", "functional": "preferences"}
COOKIEYES_CATEGORY = {"performance": "analytics", "targeting": "advertisement", "functional": "functional"}


def _service(code: str, src: str | None) -> str | None:
    """The Complianz service slug of a lab tracker snippet (Complianz marks scripts per service too)."""
    text = (src or "") + code
    if "clarity" in text:
        return "microsoft-clarity"
    if "fbq" in text or "facebook" in text:
        return "facebook"
    if "gtag" in text or "googletagmanager" in text:
        return "google-analytics"
    return None


def _knobs(request: web.Request) -> str:
    if request.query.get("broken") != "1":
        return ""
    return "<script>window.cmplabKnobs = {broken: true};</script>\n"


# --- Complianz ---------------------------------------------------------------------------------------------

COMPLIANZ_SETTINGS = {
    # the subset of the settings the plugin localises as `var complianz` that the stand-in reads
    "prefix": "cmplz_", "user_banner_id": "1", "consenttype": "optin", "region": "eu", "version": "7.4.0",
    "banner_version": "14", "cookie_expiry": "365", "set_cookies_on_root": "", "cookie_domain": "",
    "cookie_path": "/", "current_policy_id": "14", "store_consent": "", "tcf_active": "",
    "css_file": f"https://{COMPLIANZ.host}/wp-content/uploads/complianz/css/banner-{{banner_id}}-{{type}}.css?v=14",
    "categories": {"statistics": "statistieken", "marketing": "marketing"},
    "page_links": {"eu": {"privacy-statement": {"title": "Privacyverklaring", "url": f"https://{COMPLIANZ.host}/privacy"}}},
}

COMPLIANZ_CATEGORIES_NL = (
    ("functional", "Functioneel", "De technische opslag of toegang is strikt noodzakelijk voor het legitieme doel "
                                  "het gebruik mogelijk te maken van een specifieke dienst waarom de gebruiker "
                                  "uitdrukkelijk heeft gevraagd."),
    ("preferences", "Voorkeuren", "De technische opslag of toegang is noodzakelijk voor het legitieme doel voorkeuren "
                                  "op te slaan die niet door de abonnee of gebruiker zijn aangevraagd."),
    ("statistics", "Statistieken", "De technische opslag of toegang die uitsluitend voor statistische doeleinden "
                                   "wordt gebruikt."),
    ("marketing", "Marketing", "De technische opslag of toegang is nodig om gebruikersprofielen op te stellen voor "
                               "het verzenden van reclame, of om de gebruiker op een website of over verschillende "
                               "websites te volgen voor soortgelijke marketingdoeleinden."),
)


def complianz_banner() -> str:
    """The banner and the "manage consent" tab as the plugin prints them (class names of its template)."""
    cats = []
    for slug, title, text in COMPLIANZ_CATEGORIES_NL:
        box = (f'<input type="checkbox" id="cmplz-{slug}-optin" data-category="cmplz_{slug}" '
               f'class="cmplz-consent-checkbox cmplz-{slug}" size="40" value="1"/>'
               f'<label class="cmplz-label" for="cmplz-{slug}-optin" tabindex="0"><span>{title}</span></label>')
        if slug == "functional":
            control = (f'<span class="cmplz-always-active"><span class="cmplz-banner-checkbox">{box}</span>'
                       f'Altijd actief</span>')
        else:
            control = f'<span class="cmplz-banner-checkbox">{box}</span>'
        cats.append(f'<details class="cmplz-category cmplz-{slug}"><summary><span class="cmplz-category-header">'
                    f'<span class="cmplz-category-title">{title}</span>{control}</span></summary>'
                    f'<div class="cmplz-description"><span class="cmplz-description-{slug}">{text}</span></div>'
                    f'</details>')
    return f"""<div id="cmplz-cookiebanner-container"><div class="cmplz-cookiebanner cmplz-hidden banner-1 optin \
cmplz-bottom-right cmplz-categories-type-view-preferences" aria-modal="true" data-nosnippet="true" role="dialog" \
aria-live="polite" aria-labelledby="cmplz-header-1-optin" aria-describedby="cmplz-message-1-optin">
<div class="cmplz-header"><div class="cmplz-title" id="cmplz-header-1-optin">Beheer toestemming</div>
<button class="cmplz-close" tabindex="0" aria-label="Sluiten">&#215;</button></div>
<div class="cmplz-body"><div class="cmplz-message" id="cmplz-message-1-optin">Om de beste ervaringen te bieden,
gebruiken wij technologieën zoals cookies om informatie over je apparaat op te slaan en/of te raadplegen. Door in te
stemmen met deze technologieën kunnen wij gegevens zoals surfgedrag of unieke ID's op deze site verwerken. Als je
geen toestemming geeft of je toestemming intrekt, kan dit een nadelige invloed hebben op bepaalde functies en
mogelijkheden.</div>
<div class="cmplz-categories">{''.join(cats)}</div></div>
<div class="cmplz-buttons"><button class="cmplz-btn cmplz-accept">Accepteren</button>
<button class="cmplz-btn cmplz-deny">Weigeren</button>
<button class="cmplz-btn cmplz-view-preferences">Voorkeuren bekijken</button>
<button class="cmplz-btn cmplz-save-preferences">Voorkeuren opslaan</button></div>
<div class="cmplz-links cmplz-documents"><a class="cmplz-link privacy-statement" href="/privacy">Privacyverklaring</a>
</div></div></div>
<div id="cmplz-manage-consent" data-nosnippet="true"><button class="cmplz-btn cmplz-hidden cmplz-manage-consent \
manage-consent-1">Toestemming beheren</button></div>"""


def complianz_blocked_scripts() -> str:
    out = []
    for category, src, code in gated():
        attrs = f'type="text/plain" data-category="{COMPLIANZ_CATEGORY[category]}"'
        service = _service(code, src)
        if service:
            attrs += f' data-service="{service}"'
        if src:
            out.append(f'<script {attrs} async data-cmplz-src="{src}"></script>')
        else:
            out.append(f"<script {attrs}>\n{code}\n</script>")
    return "\n".join(out)


def complianz_page(request: web.Request) -> web.Response:
    head = (_knobs(request) + "<style>.cmplz-hidden{display:none!important;}</style>\n"
            + complianz_blocked_scripts())
    body_end = (complianz_banner()
                + f"\n<script>var complianz = {inline_json(COMPLIANZ_SETTINGS)};</script>"
                + f'\n<script src="{COMPLIANZ_JS}?ver=7.4.0" id="cmplz-cookiebanner-js"></script>'
                + "\n<script>/* the site's own link reopens the banner, as Complianz's manage-consent tab does */\n"
                  "document.getElementById('cmplab-withdraw').addEventListener('click', function (e) {\n"
                  "  e.preventDefault(); if (window.cmplz_set_banner_status) cmplz_set_banner_status('show');\n"
                  "});</script>")
    return page(COMPLIANZ, request.path, head=head, body_end=body_end)


# --- CookieYes ---------------------------------------------------------------------------------------------

def _cky_category(slug: str, name: str, description: str, necessary: bool = False, toggle: bool = True,
                  cookies: tuple[str, ...] = ()) -> dict:
    return {"slug": slug, "name": name, "description": description, "isNecessary": necessary,
            "defaultConsent": {"gdpr": necessary, "ccpa": True}, "toggle": toggle and not necessary,
            "cookies": list(cookies)}


COOKIEYES_CONFIG = {
    "id": COOKIEYES_ID, "law": "gdpr", "type": "box", "position": "bottom-left", "lang": "nl", "expiry": 365,
    "rootDomain": "", "reloadOnAccept": False, "lastRenewedDate": 1735689600000,
    "categories": [
        _cky_category("necessary", "Noodzakelijk", "Noodzakelijke cookies zijn nodig om de basisfuncties van deze "
                      "site mogelijk te maken.", necessary=True),
        _cky_category("functional", "Functioneel", "Functionele cookies onthouden uw voorkeuren, zoals taal en "
                      "valuta.", cookies=("lab_prefs",)),
        _cky_category("analytics", "Analytisch", "Analytische cookies helpen ons te begrijpen hoe bezoekers de "
                      "website gebruiken (Google Analytics, Microsoft Clarity).",
                      cookies=("_ga", f"_ga_{LAB_GA4_ID.removeprefix('G-')}", "_clck", "_clsk")),
        _cky_category("performance", "Prestaties", "Prestatiecookies meten de belangrijkste prestatie-indexen van "
                      "de website."),
        _cky_category("advertisement", "Advertentie", "Advertentiecookies tonen bezoekers gepersonaliseerde "
                      "advertenties (Meta).", cookies=("_fbp",)),
        _cky_category("other", "Overige", "Niet-gecategoriseerde cookies worden nog ingedeeld.", toggle=False),
    ],
    "texts": {
        "title": "Wij waarderen uw privacy",
        "description": "Wij gebruiken cookies om uw surfervaring te verbeteren, gepersonaliseerde advertenties of "
                       "inhoud te tonen en ons verkeer te analyseren. Door op \"Alles accepteren\" te klikken, stemt "
                       "u in met ons gebruik van cookies.",
        "customize": "Aanpassen", "reject": "Alles afwijzen", "accept": "Alles accepteren",
        "detailTitle": "Toestemmingsvoorkeuren aanpassen", "close": "Sluiten",
        "detailDescription": "Hieronder vindt u per categorie welke cookies wij gebruiken. Cookies die als "
                             "noodzakelijk zijn gecategoriseerd, worden altijd geplaatst.",
        "save": "Mijn voorkeuren opslaan", "alwaysActive": "Altijd actief", "revisit": "Toestemmingsvoorkeuren",
        "enable": "inschakelen", "disable": "uitschakelen",
    },
}


def cookieyes_script() -> str:
    config = {**COOKIEYES_CONFIG, "css": (ASSETS / "cookieyes.css").read_text(encoding="utf-8")}
    code = (ASSETS / "cookieyes.js").read_text(encoding="utf-8")
    return code.replace("__CKY_CONFIG__", inline_json(config), 1)


def cookieyes_blocked_scripts() -> str:
    out = []
    for category, src, code in gated():
        attrs = f'type="text/plain" data-cookieyes="cookieyes-{COOKIEYES_CATEGORY[category]}"'
        if src:
            out.append(f'<script {attrs} async src="{src}"></script>')
        else:
            out.append(f"<script {attrs}>\n{code}\n</script>")
    return "\n".join(out)


def cookieyes_page(request: web.Request) -> web.Response:
    head = (_knobs(request)
            + f'<script id="cookieyes" type="text/javascript" src="https://cdn-cookieyes.com{COOKIEYES_JS}"></script>\n'
            + cookieyes_blocked_scripts())
    body_end = ("<script>/* the site's own link, marked as CookieYes documents for a consent-preferences link */\n"
                "document.getElementById('cmplab-withdraw').classList.add('cky-banner-element');</script>")
    return page(COOKIEYES, request.path, head=head, body_end=body_end)


# --- routing -----------------------------------------------------------------------------------------------

async def handle(host: str, request: web.Request) -> web.StreamResponse:
    path = request.path
    if path == "/favicon.ico":
        return web.Response(status=204)
    if request.method not in ("GET", "HEAD"):
        raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
    if host == COMPLIANZ.host:
        if path == COMPLIANZ_JS:
            return js_response((ASSETS / "complianz.js").read_text(encoding="utf-8"))
        if path == COMPLIANZ_CSS:
            return web.Response(text=(ASSETS / "complianz.css").read_text(encoding="utf-8"),
                                content_type="text/css", charset="utf-8", headers=NO_CACHE)
        return complianz_page(request)
    if host == COOKIEYES.host:
        return cookieyes_page(request)
    if host == "cdn-cookieyes.com" and path == COOKIEYES_JS:
        return js_response(cookieyes_script())
    raise web.HTTPNotFound(text=f"not found: {host}{path}")


__all__ = ["COMPLIANZ", "COOKIEYES", "SITES", "handle"]
