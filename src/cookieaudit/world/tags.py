"""Which third-party tags a shop embeds, under which category, and whether the consent manager gates them.

A ``Tag`` is the vendor's own embed snippet (as the vendor documents it), cut into parts, plus the shop's
decision where it belongs. The consent-manager adapters (:mod:`cookieaudit.world.cmps`) turn a gated tag
into that manager's mechanism; an ungated tag is written into ``<head>`` as is. Planted violations are
nothing but different tag plans, which keeps them independent of each other and of the manager.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from . import catalog as c
from .catalog import Shop
from .config import ShopKnobs


@dataclass(frozen=True)
class Part:
    """One piece of a snippet: an external script, inline code, or a stylesheet link."""

    kind: str      # "script" | "inline" | "stylesheet"
    value: str     # URL for script/stylesheet, JavaScript for inline


@dataclass(frozen=True)
class Tag:
    """A third-party (or first-party optional) tag as the shop wires it."""

    service: str                    # id of the service in the consent manager, e.g. "hotjar"
    title: str                      # how the consent manager names it
    category: str | None            # shop category it is declared under; None = not in the consent manager
    gated: bool                     # False: the snippet runs on page load whatever the visitor chose
    parts: tuple[Part, ...] = ()
    cookies: tuple[str, ...] = ()   # names/patterns the consent manager should clean up on withdrawal
    # tarteaucitron ships ready-made services for some vendors; (service key, tarteaucitron.user values)
    tarteaucitron: tuple[str, dict] | None = None


def gtm_snippet(gtm_id: str) -> str:
    """Google's standard GTM snippet (the <head> part)."""
    return ("(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});"
            "var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;"
            "j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);"
            f"}})(window,document,'script','dataLayer','{gtm_id}');")


def gtag_config_snippet(ga4_id: str, settings: dict) -> str:
    return ("window.dataLayer = window.dataLayer || [];\n"
            "function gtag(){dataLayer.push(arguments);}\n"
            "gtag('js', new Date());\n"
            f"gtag('config', '{ga4_id}', {json.dumps(settings)});")


CLARITY_SNIPPET = (
    "(function(c,l,a,r,i,t,y){c[a]=c[a]||function(){(c[a].q=c[a].q||[]).push(arguments)};"
    "t=l.createElement(r);t.async=1;t.src='https://www.clarity.ms/tag/'+i;"
    "y=l.getElementsByTagName(r)[0];y.parentNode.insertBefore(t,y);"
    f"}})(window, document, 'clarity', 'script', '{c.CLARITY_PROJECT}');")

HOTJAR_SNIPPET = (
    "(function(h,o,t,j,a,r){h.hj=h.hj||function(){(h.hj.q=h.hj.q||[]).push(arguments)};"
    f"h._hjSettings={{hjid:{c.HOTJAR_SITE},hjsv:{c.HOTJAR_SV}}};a=o.getElementsByTagName('head')[0];"
    "r=o.createElement('script');r.async=1;r.src=t+h._hjSettings.hjid+j+h._hjSettings.hjsv;a.appendChild(r);"
    "})(window,document,'https://static.hotjar.com/c/hotjar-','.js?sv=');")

BREVO_SNIPPET = (
    "(function() {\n"
    f"  window.sib = {{ equeue: [], client_key: '{c.BREVO_KEY}' }};\n"
    "  window.sendinblue = {};\n"
    "  for (var j = ['track', 'identify', 'trackLink', 'page'], i = 0; i < j.length; i++) {\n"
    "    (function(k) { window.sendinblue[k] = function() { var arg = Array.prototype.slice.call(arguments);\n"
    "      (window.sib[k] || function() { var t = {}; t[k] = arg; window.sib.equeue.push(t); })(arg[0], arg[1], arg[2], arg[3]); };\n"
    "    })(j[i]);\n"
    "  }\n"
    "  var n = document.createElement('script'), f = document.getElementsByTagName('script')[0];\n"
    "  n.type = 'text/javascript'; n.id = 'sendinblue-js'; n.async = true;\n"
    "  n.src = 'https://sibautomation.com/sa.js?key=' + window.sib.client_key;\n"
    "  f.parentNode.insertBefore(n, f); window.sendinblue.page();\n"
    "})();")

META_PIXEL_SNIPPET = (
    "!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments)"
    ":n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];"
    "t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)"
    "}(window, document,'script','https://connect.facebook.net/en_US/fbevents.js');\n"
    f"fbq('init', '{c.META_PIXEL}');\nfbq('track', 'PageView');")

UA_SNIPPET = (
    "(function(i,s,o,g,r,a,m){i['GoogleAnalyticsObject']=r;i[r]=i[r]||function(){(i[r].q=i[r].q||[]).push(arguments)},"
    "i[r].l=1*new Date();a=s.createElement(o),m=s.getElementsByTagName(o)[0];a.async=1;a.src=g;m.parentNode.insertBefore(a,m)"
    "})(window,document,'script','https://www.google-analytics.com/analytics.js','ga');\n"
    f"ga('create', '{c.UA_ID}', {{cookieExpires: 31536000}});\n"
    "ga('send', 'pageview');")

GOOGLE_FONTS_CSS = "https://fonts.googleapis.com/css2?family=Inter:wght@400;600&display=swap"


def ga4_settings(knobs: ShopKnobs, privacy_friendly: bool) -> dict:
    """gtag config parameters of the shop's GA4 stream."""
    settings: dict = {}
    if knobs.ga4_cookie_days is not None:
        settings["cookie_expires"] = knobs.ga4_cookie_days * 86400
    if knobs.ga4_google_signals:
        settings.update(allow_google_signals=True, user_id="cust-20931")
    elif privacy_friendly:
        settings.update(allow_google_signals=False, allow_ad_personalization_signals=False)
    return settings


def google_container(shop: Shop, knobs: ShopKnobs) -> dict:
    """The GTM container the shop configured in Google's UI; served as gtm.js?id=<shop.gtm_id>."""
    tags: list[dict] = []
    if not knobs.ga4_before_consent:
        tags.append({"type": "ga4", "id": shop.ga4_id, "settings": ga4_settings(knobs, privacy_friendly=False)})
    tags.append({"type": "ads", "id": c.ADS_ID, "settings": {}})
    tags.append({"type": "ads_conversion", "id": c.ADS_ID, "label": c.ADS_CONVERSION_LABEL,
                 "path": shop.paths.cart, "value": 19.95, "currency": "EUR"})
    return {"consent_mode": knobs.effective_consent_mode, "tags": tags}


def consent_default(knobs: ShopKnobs) -> dict | None:
    """The page's gtag('consent', 'default', …) values, or None when the shop does not use Consent Mode."""
    if not knobs.google or knobs.effective_consent_mode == "none":
        return None
    value = "granted" if knobs.consent_default == "granted" else "denied"
    default = {"ad_storage": value, "ad_user_data": value, "ad_personalization": value, "analytics_storage": value,
               "wait_for_update": 500}
    if knobs.ga4_before_consent:
        default["analytics_storage"] = "granted"   # the shop treats its privacy-friendly GA4 as exempt
    return default


def shop_tags(shop: Shop, knobs: ShopKnobs) -> list[Tag]:
    """The shop's tag plan for the given knobs, in page order."""
    tags: list[Tag] = []
    if knobs.google_fonts_before_consent:
        tags.append(Tag("google-fonts", "Google Fonts", None, False, (Part("stylesheet", GOOGLE_FONTS_CSS),)))

    if knobs.google:
        loader: tuple[Part, ...] = (Part("inline", "O3D.loadGtm();"),)
        if knobs.gtm_before_consent:
            tags.append(Tag("google-tag-manager", "Google Tag Manager", None, False,
                            (Part("inline", gtm_snippet(shop.gtm_id)),)))
            loader = ()
        ga4_cookies = ("_ga", "_ga_" + shop.ga4_id[2:])
        if knobs.ga4_before_consent:
            tags.append(Tag("google-analytics", "Google Analytics", None, False,
                            (Part("script", f"https://www.googletagmanager.com/gtag/js?id={shop.ga4_id}"),
                             Part("inline", gtag_config_snippet(shop.ga4_id, ga4_settings(knobs, True))))))
        else:
            tags.append(Tag("google-analytics", "Google Analytics", "performance", True, loader, ga4_cookies))
        tags.append(Tag("google-ads", "Google Ads", "targeting", True, loader, ("_gcl_au",)))

    if "clarity" in knobs.vendors:
        tags.append(Tag("clarity", "Microsoft Clarity", "performance", True, (Part("inline", CLARITY_SNIPPET),),
                        ("_clck", "_clsk"), tarteaucitron=("clarity", {"clarity": c.CLARITY_PROJECT})))
    if "hotjar" in knobs.vendors:
        tags.append(Tag("hotjar", "Hotjar", "performance", not knobs.hotjar_before_consent,
                        (Part("inline", HOTJAR_SNIPPET),), (f"_hjSessionUser_{c.HOTJAR_SITE}", f"_hjSession_{c.HOTJAR_SITE}"),
                        tarteaucitron=("hotjar", {"hotjarId": c.HOTJAR_SITE, "HotjarSv": c.HOTJAR_SV})))
    if knobs.ua_without_aip:
        tags.append(Tag("universal-analytics", "Google Analytics (Universal Analytics)", "performance", True,
                        (Part("inline", UA_SNIPPET),), ("_ga", "_gid", "_gat"),
                        tarteaucitron=("analytics", {"analyticsUa": c.UA_ID,
                                                     "analyticsUaCreate": {"cookieExpires": 31536000}})))
    if "brevo" in knobs.vendors:
        tags.append(Tag("brevo", "Brevo", knobs.brevo_category, True, (Part("inline", BREVO_SNIPPET),), ("sib_cuid",)))
    if knobs.meta_pixel:
        tags.append(Tag("meta-pixel", "Meta Pixel", "targeting", True, (Part("inline", META_PIXEL_SNIPPET),),
                        ("_fbp",), tarteaucitron=("facebookpixel", {"facebookpixelId": c.META_PIXEL})))
    # First-party, optional: remembering language and currency is what the policy calls "functional".
    tags.append(Tag("shop-preferences", "Voorkeuren" if shop.lang == "nl" else "Präferenzen", "functional", True,
                    (Part("inline", "O3D.rememberPreferences();"),), ("o3d_prefs",)))
    if knobs.late_tag_ms is not None:
        # deferred "for performance" and outside the consent manager: it runs whatever the visitor chose
        late = (f"window.addEventListener('load', function () {{ if (location.pathname === '/') return; "
                f"setTimeout(function () {{ {HOTJAR_SNIPPET} }}, {int(knobs.late_tag_ms)}); }});")
        tags.append(Tag("hotjar-deferred", "Hotjar (deferred)", None, False, (Part("inline", late),)))
    if knobs.unknown_widget:
        tags.append(Tag("o3d-widget", "Reviews", None, False, (Part("script", "https://static.o3d-widgets.net/widget.js"),)))
    return tags
