"""CMP lab, SaaS family: Osano's open-source Cookie Consent (real, from npm) and stand-ins for Cookiebot, OneTrust and
Usercentrics (their scripts exist only on the vendors' servers).

Every site gates the lab's trackers (``common.gated``): GA4 + Microsoft Clarity = performance, the Meta Pixel =
targeting, the first-party ``lab_prefs`` localStorage item = functional, each in the way the manager's integration
guide tells a site to:

=========================  =============================================================================================
host                       manager, and how the trackers are gated
=========================  =============================================================================================
osano.o3d-lab.nl           ``cookieconsent@3.1.1`` (MIT) served from node_modules, configured ``type: "opt-in"`` as
                           in its ``examples/example-5-opt-in.html``; the site's own code releases every tracker in
                           ``onInitialise`` / ``onStatusChange`` once ``hasConsented()`` (the library has no categories)
cookiebot.o3d-lab.nl       stand-in ``https://consent.cookiebot.com/uc.js?cbid=…``; manual marking
                           ``<script type="text/plain" data-cookieconsent="statistics|preferences|marketing">``
onetrust.o3d-lab.nl        stand-in ``https://cdn.cookielaw.org/scripttemplates/otSDKStub.js`` (``data-domain-script``),
                           which loads ``…/scripttemplates/<version>/otBannerSdk.js``; gating
                           ``<script type="text/plain" class="optanon-category-C0002">`` (C0001-C0004 default groups)
usercentrics.o3d-lab.nl    stand-in ``https://web.cmp.usercentrics.eu/ui/loader.js`` (v3, ``data-settings-id``); gating
                           ``<script type="text/plain" data-usercentrics="<service name>">``; categories ``essential``,
                           ``functional``, ``marketing`` and a custom statistics category (``USERCENTRICS_STATS``)
=========================  =============================================================================================

The footer link ``#cmplab-withdraw`` reopens each manager the way its documentation says (``popup.revokeChoice()``,
``Cookiebot.renew()``, the ``ot-sdk-show-settings`` class, ``__ucCmp.showSecondLayer()``).

Test knob: a page requested with ``?broken=1`` loads its stand-in with ``broken=1``; the stand-in then stores the
targeting/marketing category as granted whatever was chosen (a manager whose stored state disagrees with the click),
which the consent verification must report as ``unverified``. ``?nostore=1`` (Cookiebot) hides the dialog without
writing the ``CookieConsent`` cookie; ``?scroll=1`` (Osano) turns on the library's own ``dismissOnScroll``.
"""

from __future__ import annotations

import html

from aiohttp import web

from ..assets import STATIC_DIR, content_type, find_node_modules, safe_join
from .common import NO_CACHE, CmpLabSite, gated, inline_json, js_response, page

STATIC = STATIC_DIR / "cmplab" / "saas"

OSANO_HOST = "osano.o3d-lab.nl"
COOKIEBOT_HOST = "cookiebot.o3d-lab.nl"
ONETRUST_HOST = "onetrust.o3d-lab.nl"
USERCENTRICS_HOST = "usercentrics.o3d-lab.nl"
COOKIEBOT_VENDOR = "consent.cookiebot.com"
ONETRUST_VENDOR = "cdn.cookielaw.org"
USERCENTRICS_VENDOR = "web.cmp.usercentrics.eu"

COOKIEBOT_CBID = "5f6d0c2e-8a41-4b7e-9c1d-3e2a7b9f0d14"       # the lab's "domain group id"
ONETRUST_DOMAIN_SCRIPT = "018e4c1a-7b2d-7c3e-9f10-2a5b6c7d8e9f"  # the lab's "domain script" id
ONETRUST_VERSION = "202401.1.0"
USERCENTRICS_SETTINGS_ID = "cMpLaBuC7"
# Usercentrics gives a category created in its admin interface a generated slug; the lab's statistics category is one
USERCENTRICS_STATS = "customCategory-6f8f6b1e-3c0c-4b58-9b2a-5d0f7d7c2a10"

SITES: tuple[CmpLabSite, ...] = (
    CmpLabSite(host=OSANO_HOST, cmp="osano-cookieconsent", title="Osano Cookie Consent (opt-in)", kind="npm",
               source="cookieconsent@3.1.1 (MIT, Osano)"),
    CmpLabSite(host=COOKIEBOT_HOST, cmp="cookiebot", title="Cookiebot (stand-in)", kind="stand-in",
               source="Cookiebot developer documentation (cookiebot.com/en/developer)",
               vendor_hosts=(COOKIEBOT_VENDOR,)),
    CmpLabSite(host=ONETRUST_HOST, cmp="onetrust", title="OneTrust (stand-in)", kind="stand-in",
               source="OneTrust cookie consent documentation (developer.onetrust.com, my.onetrust.com)",
               vendor_hosts=(ONETRUST_VENDOR,)),
    CmpLabSite(host=USERCENTRICS_HOST, cmp="usercentrics", title="Usercentrics (stand-in)", kind="stand-in",
               source="Usercentrics Web CMP v3 documentation (usercentrics.com/docs/web)",
               vendor_hosts=(USERCENTRICS_VENDOR,)),
)
_BY_HOST = {s.host: s for s in SITES}

# which tracker is which (the Usercentrics stand-in gates by service name)
_UC_SERVICES = {"ga4": "Google Analytics", "clarity": "Microsoft Clarity", "meta": "Facebook Pixel",
                "prefs": "Lab-voorkeuren"}
_COOKIEBOT_CATEGORY = {"performance": "statistics", "functional": "preferences", "targeting": "marketing"}
_ONETRUST_GROUP = {"performance": "C0002", "functional": "C0003", "targeting": "C0004"}


def _tracker(src: str | None, code: str) -> str:
    text = (src or "") + code
    if "googletagmanager" in text or "gtag(" in text:
        return "ga4"
    if "clarity" in text:
        return "clarity"
    if "fbq" in text or "facebook" in text:
        return "meta"
    return "prefs"


def _blocked(attrs: str, src: str | None, code: str) -> str:
    """One tracker as an inert ``<script type="text/plain" …>`` that the manager (or the site) activates."""
    src_attr = f' src="{html.escape(src)}"' if src else ""
    return f'<script type="text/plain" {attrs}{src_attr}>{code}</script>'


def _gated_markup(host: str) -> str:
    out = []
    for category, src, code in gated():
        if host == OSANO_HOST:
            attrs = f'data-cmplab-consent="{category}"'
        elif host == COOKIEBOT_HOST:
            attrs = f'data-cookieconsent="{_COOKIEBOT_CATEGORY[category]}"'
        elif host == ONETRUST_HOST:
            attrs = f'class="optanon-category-{_ONETRUST_GROUP[category]}"'
        else:
            attrs = f'data-usercentrics="{_UC_SERVICES[_tracker(src, code)]}"'
        out.append(_blocked(attrs, src, code))
    return "\n".join(out)


def _broken(request: web.Request) -> bool:
    return request.query.get("broken") == "1"


def _nostore(request: web.Request) -> bool:
    """Lab knob (Cookiebot only): the choice changes the script's memory and hides the dialog but is never
    written to the ``CookieConsent`` cookie — a banner hidden only cosmetically."""
    return request.query.get("nostore") == "1"


# --- the four sites -------------------------------------------------------------------------------------------------

def _osano(request: web.Request) -> tuple[str, str]:
    head = '<link rel="stylesheet" href="/assets/cmp/cookieconsent/build/cookieconsent.min.css">'
    options: dict[str, object] = {
        "type": "opt-in",
        "position": "bottom",
        "palette": {"popup": {"background": "#383b75"}, "button": {"background": "#f1d600"}},
        "content": {
            "message": "Wij gebruiken cookies voor bezoekersstatistieken, voorkeuren en advertenties, maar alleen "
                       "met uw toestemming.",
            "allow": "Cookies toestaan", "deny": "Weigeren", "link": "Meer informatie", "href": "/privacy",
            "policy": "Cookiebeleid",
        },
    }
    if request.query.get("scroll") == "1":
        # lab knob: the library's own dismissOnScroll option (its docs: "dismiss the popup when the user scrolls
        # N pixels"); a dismissal counts as consent (hasConsented) - consent inferred from scrolling
        options["dismissOnScroll"] = 60
    body_end = f"""{_gated_markup(OSANO_HOST)}
<script src="/assets/cmp/cookieconsent/build/cookieconsent.min.js"></script>
<script>
/* The site's own integration of Cookie Consent 3 in opt-in mode (the library has no categories and runs nothing
   itself): every tracker waits as type="text/plain" and is released once the visitor has consented. */
(function () {{
  var popup = null;
  function release() {{
    var pending = document.querySelectorAll('script[type="text/plain"][data-cmplab-consent]');
    Array.prototype.forEach.call(pending, function (el) {{
      var s = document.createElement('script');
      if (el.getAttribute('src')) {{ s.src = el.getAttribute('src'); s.async = true; }} else {{ s.text = el.text; }}
      el.parentNode.replaceChild(s, el);
    }});
  }}
  var options = {inline_json(options)};
  options.onInitialise = function (status) {{ if (this.hasConsented()) {{ release(); }} }};
  options.onStatusChange = function (status, chosenBefore) {{ if (this.hasConsented()) {{ release(); }} }};
  // already-running trackers cannot be unloaded; they stay off from the next page on
  options.onRevokeChoice = function () {{}};
  window.addEventListener('load', function () {{
    window.cookieconsent.initialise(options, function (p) {{ popup = p; }}, function (err, p) {{ popup = p; }});
  }});
  document.getElementById('cmplab-withdraw').addEventListener('click', function (e) {{
    e.preventDefault();
    if (popup) {{ popup.revokeChoice(); }}
  }});
}})();
</script>"""
    return head, body_end


def _cookiebot(request: web.Request) -> tuple[str, str]:
    knob = ("&broken=1" if _broken(request) else "") + ("&nostore=1" if _nostore(request) else "")
    head = (f'<script id="Cookiebot" src="https://{COOKIEBOT_VENDOR}/uc.js?cbid={COOKIEBOT_CBID}{knob}" '
            f'data-cbid="{COOKIEBOT_CBID}" type="text/javascript"></script>')
    body_end = f"""{_gated_markup(COOKIEBOT_HOST)}
<script>
document.getElementById('cmplab-withdraw').addEventListener('click', function (e) {{
  e.preventDefault();
  if (window.Cookiebot) {{ window.Cookiebot.renew(); }}
}});
</script>"""
    return head, body_end


def _onetrust(request: web.Request) -> tuple[str, str]:
    knob = "?broken=1" if _broken(request) else ""
    head = (f'<script src="https://{ONETRUST_VENDOR}/scripttemplates/otSDKStub.js{knob}" type="text/javascript" '
            f'charset="UTF-8" data-domain-script="{ONETRUST_DOMAIN_SCRIPT}" data-document-language="true"></script>\n'
            '<script type="text/javascript">function OptanonWrapper() { }</script>')
    body_end = f"""{_gated_markup(ONETRUST_HOST)}
<script>
/* OneTrust's "Cookie Settings" link: any element with class ot-sdk-show-settings opens the preference centre */
document.getElementById('cmplab-withdraw').classList.add('ot-sdk-show-settings');
</script>"""
    return head, body_end


def _usercentrics(request: web.Request) -> tuple[str, str]:
    knob = "?broken=1" if _broken(request) else ""
    head = (f'<script id="usercentrics-cmp" src="https://{USERCENTRICS_VENDOR}/ui/loader.js{knob}" '
            f'data-settings-id="{USERCENTRICS_SETTINGS_ID}" async></script>')
    body_end = f"""{_gated_markup(USERCENTRICS_HOST)}
<script>
document.getElementById('cmplab-withdraw').addEventListener('click', function (e) {{
  e.preventDefault();
  if (window.__ucCmp) {{ window.__ucCmp.showSecondLayer(); }}
}});
</script>"""
    return head, body_end


_PAGES = {OSANO_HOST: _osano, COOKIEBOT_HOST: _cookiebot, ONETRUST_HOST: _onetrust, USERCENTRICS_HOST: _usercentrics}


# --- the vendors' hosts (stand-ins) ---------------------------------------------------------------------------------

def _standin(name: str, config: dict) -> web.Response:
    code = (STATIC / name).read_text(encoding="utf-8")
    return js_response(code.replace("/*@CONFIG@*/null", inline_json(config), 1))


def _vendor(host: str, request: web.Request) -> web.Response:
    path = request.path
    if host == COOKIEBOT_VENDOR and path == "/uc.js":
        return _standin("cookiebot-uc.js", {"cbid": request.query.get("cbid", ""), "broken": _broken(request),
                                            "nostore": _nostore(request),
                                            "labCbid": COOKIEBOT_CBID})
    if host == ONETRUST_VENDOR and path == "/scripttemplates/otSDKStub.js":
        return _standin("onetrust-otSDKStub.js", {"version": ONETRUST_VERSION, "broken": _broken(request)})
    if host == ONETRUST_VENDOR and path == f"/scripttemplates/{ONETRUST_VERSION}/otBannerSdk.js":
        return _standin("onetrust-otBannerSdk.js", {"version": ONETRUST_VERSION, "broken": _broken(request),
                                                    "domainScript": ONETRUST_DOMAIN_SCRIPT})
    if host == USERCENTRICS_VENDOR and path == "/ui/loader.js":
        return _standin("usercentrics-loader.js", {"broken": _broken(request), "settingsId": USERCENTRICS_SETTINGS_ID,
                                                   "statisticsCategory": USERCENTRICS_STATS})
    raise web.HTTPNotFound(text="not found")


async def handle(host: str, request: web.Request) -> web.StreamResponse:
    if host not in _BY_HOST:
        return _vendor(host, request)
    path = request.path
    if path == "/favicon.ico":
        return web.Response(status=204)
    if host == OSANO_HOST and path.startswith("/assets/cmp/cookieconsent/"):
        target = safe_join(find_node_modules() / "cookieconsent", path[len("/assets/cmp/cookieconsent/"):])
        if target is None:
            raise web.HTTPNotFound(text="not found")
        return web.Response(body=target.read_bytes(), headers={**NO_CACHE, "Content-Type": content_type(target)})
    if request.method not in ("GET", "HEAD"):
        raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
    head, body_end = _PAGES[host](request)
    return page(_BY_HOST[host], path, head=head, body_end=body_end)


__all__ = ["SITES", "USERCENTRICS_STATS", "handle"]
