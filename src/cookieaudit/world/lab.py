"""The banner lab: small pages under ``*.o3d-lab.nl``, each with one hand-made consent banner and a tracker it gates.

The five shops test the consent *drivers* on real consent managers; the lab tests what the shops cannot:
banners nobody configured (found by their texts only, also inside an open shadow root or a same-site
iframe, in Dutch, German and French) and the banner designs the EDPB Cookie Banner Taskforce and the AP
object to, each planted alone on its own host so a judging rule can be shown to fire on it and nowhere else.

Every banner is the same script (``static/lab/lab-banner.js``) with a different configuration; none of it
uses a known consent manager's markup. The state is a first-party cookie ``lab_consent`` holding
URL-encoded JSON ``{"necessary": true, "performance": bool, "functional": bool, "targeting": bool, "ts": ms}``
(plus ``"via": "scroll"`` when the scroll banner inferred it), which the generic JSON consent-cookie adapter
reads back. Gated behind it: GA4 (gtag.js) and Microsoft Clarity for *performance*, the Meta Pixel for
*targeting*, a first-party ``lab_prefs`` localStorage item for *functional*.

=========================  ==============================================================================
host                       banner
=========================  ==============================================================================
plain.o3d-lab.nl           Dutch, bottom bar: "Alles accepteren" / "Alles weigeren" / "Instellingen",
                           switches (checkbox inputs with role=switch), "Keuze opslaan"
shadow.o3d-lab.nl          the same banner inside an open shadow root (<lab-consent>)
iframe.o3d-lab.nl          the same banner inside a same-site iframe served by consent.o3d-lab.nl; the
                           cookie is written with Domain=o3d-lab.nl and the frame tells the page by
                           postMessage
de.o3d-lab.nl              German ("Alle akzeptieren" / "Alle ablehnen" / "Einstellungen", ARIA switches
                           on <button role=switch>, "Auswahl speichern")
fr.o3d-lab.nl              French ("Tout accepter" / "Tout refuser" / "Personnaliser", "Enregistrer mes choix")
noreject.o3d-lab.nl        no reject on the first layer: "Alles weigeren" only inside the settings layer
tinyreject.o3d-lab.nl      a big filled accept button; reject is a tiny light-grey text link in the paragraph
preticked.o3d-lab.nl       the settings layer (in the DOM, hidden until opened) has analytics and marketing
                           pre-ticked
wall.o3d-lab.nl            a cookie wall: full-viewport overlay, page scroll locked, only "Alles accepteren"
scroll.o3d-lab.nl          a fair-looking banner whose script stores consent for everything once the
                           visitor scrolls ("door verder te surfen…")
forget.o3d-lab.nl          the refusal is stored but not respected: the banner comes back on every page
fair.o3d-lab.nl            the negative case: equal buttons on the first layer, nothing pre-ticked, no
                           wall, no implied consent, the refusal remembered
=========================  ==============================================================================

Pages: ``/`` and ``/p2`` (plus ``/privacy``); the footer link "Toestemming wijzigen" / "Einwilligung ändern"
/ "Gestion des cookies" reopens the banner (withdrawal).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

import jinja2
from aiohttp import web

from .assets import STATIC_DIR, TEMPLATES_DIR, content_type, safe_join
from .tags import CLARITY_SNIPPET, META_PIXEL_SNIPPET, gtag_config_snippet

LAB_DOMAIN = "o3d-lab.nl"
FRAME_HOST = f"consent.{LAB_DOMAIN}"
LAB_GA4_ID = "G-O3DLAB0001"
NO_CACHE = {"Cache-Control": "no-cache"}

ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                         trim_blocks=True, lstrip_blocks=True)

TEXTS: dict[str, dict] = {
    "nl": {
        "title": "Wij gebruiken cookies",
        "text": "Met uw toestemming gebruiken wij cookies om het gebruik van deze site te meten, uw voorkeuren te "
                "onthouden en advertenties relevanter te maken. U kunt uw keuze altijd wijzigen.",
        "wall_text": "Deze website is alleen toegankelijk als u cookies accepteert.",
        "scroll_text": "Door verder te surfen gaat u akkoord met het gebruik van cookies.",
        "tiny_lead": "Liever niet?",
        "accept": "Alles accepteren", "reject": "Alles weigeren", "settings": "Instellingen",
        "save": "Keuze opslaan", "withdraw": "Toestemming wijzigen", "privacy": "Privacyverklaring",
        "necessary": ("Noodzakelijke cookies", "Altijd aan: nodig voor het winkelmandje en uw cookiekeuze."),
        "cats": {"performance": ("Analytische cookies", "Bezoekersstatistieken (Google Analytics, Microsoft Clarity)."),
                 "functional": ("Functionele cookies", "Taal en valuta onthouden."),
                 "targeting": ("Marketingcookies", "Gerichte advertenties (Meta)."), },
        "page_title": "Bannerlab", "next": "Volgende pagina",
    },
    "de": {
        "title": "Wir verwenden Cookies",
        "text": "Mit Ihrer Einwilligung verwenden wir Cookies, um die Nutzung dieser Website zu messen, Ihre "
                "Präferenzen zu speichern und Werbung relevanter zu machen. Sie können Ihre Wahl jederzeit ändern.",
        "wall_text": "Diese Website ist nur mit Cookies zugänglich.",
        "scroll_text": "Durch die weitere Nutzung der Website stimmen Sie der Verwendung von Cookies zu.",
        "tiny_lead": "Lieber nicht?",
        "accept": "Alle akzeptieren", "reject": "Alle ablehnen", "settings": "Einstellungen",
        "save": "Auswahl speichern", "withdraw": "Einwilligung ändern", "privacy": "Datenschutzerklärung",
        "necessary": ("Notwendige Cookies", "Immer aktiv: für den Warenkorb und Ihre Cookie-Auswahl."),
        "cats": {"performance": ("Statistik", "Besucherstatistiken (Google Analytics, Microsoft Clarity)."),
                 "functional": ("Funktionale Cookies", "Sprache und Währung merken."),
                 "targeting": ("Marketing", "Personalisierte Werbung (Meta)."), },
        "page_title": "Banner-Labor", "next": "Nächste Seite",
    },
    "fr": {
        "title": "Nous utilisons des cookies",
        "text": "Avec votre accord, nous utilisons des cookies pour mesurer l'utilisation de ce site, retenir vos "
                "préférences et rendre la publicité plus pertinente. Vous pouvez modifier votre choix à tout moment.",
        "wall_text": "Ce site n'est accessible qu'avec des cookies.",
        "scroll_text": "En poursuivant votre navigation, vous acceptez l'utilisation de cookies.",
        "tiny_lead": "Plutôt pas ?",
        "accept": "Tout accepter", "reject": "Tout refuser", "settings": "Personnaliser",
        "save": "Enregistrer mes choix", "withdraw": "Gestion des cookies", "privacy": "Politique de confidentialité",
        "necessary": ("Cookies nécessaires", "Toujours actifs : panier et mémorisation de votre choix."),
        "cats": {"performance": ("Mesure d'audience", "Statistiques de visite (Google Analytics, Microsoft Clarity)."),
                 "functional": ("Cookies fonctionnels", "Mémoriser la langue et la devise."),
                 "targeting": ("Publicité ciblée", "Publicités personnalisées (Meta)."), },
        "page_title": "Laboratoire de bannières", "next": "Page suivante",
    },
}


@dataclass(frozen=True)
class LabBanner:
    """One lab host: where its banner lives, what it says and which (dark) pattern it plants."""

    host: str
    title: str                         # what the page says it demonstrates
    lang: str = "nl"
    locale: str = "nl-NL"
    mount: str = "body"                # body | shadow | iframe
    layout: str = "bar"                # bar | box | modal
    switches: str = "checkbox"         # checkbox (<input type=checkbox role=switch>) | aria (<button role=switch>)
    first_layer_reject: bool = True    # False: "reject all" only inside the settings layer
    reject_style: str = "button"       # button | tinylink
    settings_button: bool = True
    preticked: tuple[str, ...] = ()    # categories ticked before the visitor touches anything
    wall: bool = False                 # full-viewport overlay, scroll locked, content blocked until accept
    scroll_consent: bool = False       # scrolling stores consent for everything
    forget_refusal: bool = False       # a stored refusal does not stop the banner from coming back
    planted: tuple[str, ...] = field(default_factory=tuple)   # rule ids expected to fire (documentation, tests)

    def config(self) -> dict:
        t = TEXTS[self.lang]
        return {
            "host": self.host, "lang": self.lang, "mount": self.mount, "layout": self.layout,
            "switches": self.switches, "firstLayerReject": self.first_layer_reject,
            "rejectStyle": self.reject_style, "settingsButton": self.settings_button,
            "preticked": list(self.preticked), "wall": self.wall, "scrollConsent": self.scroll_consent,
            "forgetRefusal": self.forget_refusal,
            "cookieDomain": LAB_DOMAIN if self.mount == "iframe" else None,
            "frameUrl": f"https://{FRAME_HOST}/frame?site={self.host}" if self.mount == "iframe" else None,
            "parentOrigin": f"https://{self.host}",
            "texts": {
                "title": t["title"],
                "text": t["wall_text"] if self.wall else (t["scroll_text"] if self.scroll_consent else t["text"]),
                "tinyLead": t["tiny_lead"], "accept": t["accept"], "reject": t["reject"],
                "settings": t["settings"], "save": t["save"], "privacy": t["privacy"],
                "necessary": list(t["necessary"]),
                "cats": {k: list(v) for k, v in t["cats"].items()},
            },
        }


_NL = LabBanner(host="plain.o3d-lab.nl", title="Hand-made banner (plain markup)")
LAB_BANNERS: tuple[LabBanner, ...] = (
    _NL,
    replace(_NL, host="shadow.o3d-lab.nl", title="Hand-made banner in an open shadow root", mount="shadow"),
    replace(_NL, host="iframe.o3d-lab.nl", title="Hand-made banner in a same-site iframe", mount="iframe"),
    replace(_NL, host="de.o3d-lab.nl", title="Deutsches Banner", lang="de", locale="de-DE", switches="aria"),
    replace(_NL, host="fr.o3d-lab.nl", title="Bannière en français", lang="fr", locale="fr-BE"),
    replace(_NL, host="noreject.o3d-lab.nl", title="No reject on the first layer", first_layer_reject=False,
            planted=("banner-no-reject-first-layer",)),
    replace(_NL, host="tinyreject.o3d-lab.nl", title="Reject as a tiny low-contrast link", reject_style="tinylink",
            planted=("banner-reject-less-prominent",)),
    replace(_NL, host="preticked.o3d-lab.nl", title="Pre-ticked categories", preticked=("performance", "targeting"),
            planted=("banner-pre-ticked",)),
    replace(_NL, host="wall.o3d-lab.nl", title="Cookie wall", layout="modal", wall=True, first_layer_reject=False,
            settings_button=False, planted=("cookie-wall",)),
    replace(_NL, host="scroll.o3d-lab.nl", title="Consent by scrolling", scroll_consent=True,
            planted=("consent-by-scrolling",)),
    replace(_NL, host="forget.o3d-lab.nl", title="Refusal not remembered", forget_refusal=True,
            planted=("consent-not-persisted",)),
    replace(_NL, host="fair.o3d-lab.nl", title="Fair banner", layout="box"),
)
LAB_BY_HOST: dict[str, LabBanner] = {b.host: b for b in LAB_BANNERS}


def lab_hosts() -> list[str]:
    """Every host name of the lab: the banner pages, then the consent frame's host."""
    return [b.host for b in LAB_BANNERS] + [FRAME_HOST]


def gated_scripts(lang: str) -> list[tuple[str, str | None, str]]:
    """(category, external src or None, inline code) of the trackers the banner releases."""
    prefs = json.dumps({"lang": lang, "currency": "EUR"})
    return [
        ("performance", f"https://www.googletagmanager.com/gtag/js?id={LAB_GA4_ID}", ""),
        ("performance", None, gtag_config_snippet(LAB_GA4_ID, {"cookie_expires": 365 * 86400})),
        ("performance", None, CLARITY_SNIPPET),
        ("targeting", None, META_PIXEL_SNIPPET),
        ("functional", None, f"localStorage.setItem('lab_prefs', {json.dumps(prefs)});"),
    ]


class Lab:
    """HTTP behaviour of every lab host (and of the consent frame's host)."""

    hosts = frozenset(lab_hosts())

    async def handle(self, host: str, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/assets/lab/"):
            target = safe_join(STATIC_DIR / "lab", path[len("/assets/lab/"):])
            if target is None:
                raise web.HTTPNotFound()
            return web.Response(body=target.read_bytes(), headers={**NO_CACHE, "Content-Type": content_type(target)})
        if path == "/favicon.ico":
            return web.Response(status=204)
        if request.method not in ("GET", "HEAD"):
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
        if host == FRAME_HOST:
            return self.frame(request)
        banner = LAB_BY_HOST[host]
        pages = {"/": "home", "/p2": "p2", "/privacy": "privacy"}
        if path not in pages:
            raise web.HTTPNotFound(text="not found")
        html = ENV.get_template("lab/page.html").render(
            banner=banner, page=pages[path], t=TEXTS[banner.lang], config=banner.config(),
            gated=gated_scripts(banner.lang))
        return web.Response(text=html, content_type="text/html", charset="utf-8", headers=NO_CACHE)

    def frame(self, request: web.Request) -> web.StreamResponse:
        """The iframe document of iframe.o3d-lab.nl's banner (same site, other origin)."""
        site = request.query.get("site", "")
        banner = LAB_BY_HOST.get(site)
        if banner is None or banner.mount != "iframe":
            raise web.HTTPNotFound(text="unknown site")
        config = {**banner.config(), "mount": "frame", "reopen": request.query.get("reopen") == "1"}
        html = ENV.get_template("lab/frame.html").render(banner=banner, t=TEXTS[banner.lang], config=config)
        response = web.Response(text=html, content_type="text/html", charset="utf-8", headers=NO_CACHE)
        # only the lab's own pages may frame the banner
        response.headers["Content-Security-Policy"] = f"frame-ancestors https://*.{LAB_DOMAIN}"
        return response


__all__ = ["FRAME_HOST", "LAB_BANNERS", "LAB_BY_HOST", "LAB_DOMAIN", "Lab", "LabBanner", "lab_hosts"]
