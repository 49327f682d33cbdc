"""The IAB TCF v2.2 family of the CMP lab: our own TCF CMP on the IAB reference library, and a Didomi stand-in.

=====================  ===========  ================================================================================
host                   kind         consent manager
=====================  ===========  ================================================================================
tcf.o3d-lab.nl         npm          a small TCF v2.2 CMP of our own (``static/cmplab/tcf/o3d-tcf-cmp.js``) whose TCF
                                    machinery is ``@iabtcf/core`` + ``@iabtcf/cmpapi`` 1.5.6 (IAB Tech Lab,
                                    Apache-2.0), served from ``node_modules`` under ``/assets/cmp/iabtcf-*/``; the
                                    bare specifier ``@iabtcf/core`` inside cmpapi is resolved by an import map.
                                    ``?broken=1`` stores every choice as "accept all" (negative control).
didomi.o3d-lab.nl      stand-in     Didomi Web SDK stand-in (``static/cmplab/tcf/didomi-sdk.js``), loaded the way
                                    Didomi's embed snippet does from ``sdk.privacy-center.org/<api-key>/loader.js``;
                                    its ``__tcfapi`` and TC string come from the same @iabtcf libraries, served by
                                    the vendor host under ``/sdk/iabtcf/…`` (cmpapi's bare import rewritten to that
                                    path, as a bundler would).
=====================  ===========  ================================================================================

Both sites gate the lab's trackers on TCF purposes (GA4 + Clarity, Meta Pixel, the ``lab_prefs`` item):
the TCF CMP with ``<script type="text/plain" data-tcf-purposes="…">`` released on ``__tcfapi`` events, the
Didomi stand-in with Didomi's documented ``<script type="didomi/javascript" data-purposes|data-vendor="…">`` tags.

Purposes per tracker (TCF ids; Didomi's own purpose ids in brackets):
GA4 and Clarity 1, 8, 9 (cookies, measure_content_performance, market_research); Meta Pixel 1, 2, 3, 4, 7
(Didomi: the custom vendor ``c:meta-pixel`` and all its purposes); lab_prefs 1, 11 (cookies,
use_limited_data_to_select_content).

The vendor list both serve (``static/cmplab/tcf/vendor-list.json``) is a TEST FIXTURE in GVL v3 shape, not the
IAB Global Vendor List.
"""

from __future__ import annotations

import html
import re

from aiohttp import web

from ..assets import CMP_PACKAGES, STATIC_DIR, content_type, find_node_modules, safe_join
from ..lab import LAB_DOMAIN
from .common import NO_CACHE, CmpLabSite, gated, inline_json, page

TCF_HOST = f"tcf.{LAB_DOMAIN}"
DIDOMI_HOST = f"didomi.{LAB_DOMAIN}"
DIDOMI_SDK_HOST = "sdk.privacy-center.org"
DIDOMI_API_KEY = "o3d-lab-didomi-api-key"   # a lab value in the place of a Didomi public API key
TCF_DIR = STATIC_DIR / "cmplab" / "tcf"

SITES: tuple[CmpLabSite, ...] = (
    CmpLabSite(host=TCF_HOST, cmp="tcf", title="TCF v2.2-CMP (IAB-referentiebibliotheek)", kind="npm",
               source="@iabtcf/core@1.5.6 + @iabtcf/cmpapi@1.5.6 (Apache-2.0) with our own banner"),
    CmpLabSite(host=DIDOMI_HOST, cmp="didomi", title="Didomi (stand-in)", kind="stand-in",
               source="Didomi Web SDK documentation (developers.didomi.io), TCF via @iabtcf 1.5.6",
               vendor_hosts=(DIDOMI_SDK_HOST,)),
)
SITES_BY_HOST = {s.host: s for s in SITES}

# TCF purposes each lab tracker needs (category as in common.gated()).
TCF_PURPOSES = {"performance": "1,8,9", "functional": "1,11", "targeting": "1,2,3,4,7"}
# The same gate as Didomi tags: data-purposes for the first-party and analytics tags, data-vendor for Meta.
DIDOMI_GATE = {"performance": ("data-purposes", "cookies,measure_content_performance,market_research"),
               "functional": ("data-purposes", "cookies,use_limited_data_to_select_content"),
               "targeting": ("data-vendor", "c:meta-pixel")}

IMPORT_MAP = {"imports": {"@iabtcf/core": "/assets/cmp/iabtcf-core/lib/mjs/index.js",
                          "@iabtcf/cmpapi": "/assets/cmp/iabtcf-cmpapi/lib/mjs/index.js"}}
_BARE_CORE = re.compile(rb"""from\s+(['"])@iabtcf/core\1""")
CORS = {"Access-Control-Allow-Origin": "*"}


def _stub() -> str:
    return (TCF_DIR / "tcf-stub.js").read_text(encoding="utf-8")


def _static(name: str, extra: dict[str, str] | None = None) -> web.Response:
    target = safe_join(TCF_DIR, name)
    if target is None:
        raise web.HTTPNotFound()
    return web.Response(body=target.read_bytes(),
                        headers={**NO_CACHE, **(extra or {}), "Content-Type": content_type(target)})


def _npm(package_key: str, rest: str, extra: dict[str, str] | None = None,
         rewrite_core: str | None = None) -> web.Response:
    """A file of @iabtcf/core or @iabtcf/cmpapi from node_modules (never copied into the repository)."""
    target = safe_join(find_node_modules() / CMP_PACKAGES[package_key], rest)
    if target is None:
        raise web.HTTPNotFound()
    body = target.read_bytes()
    if rewrite_core and target.suffix == ".js":
        body = _BARE_CORE.sub(b"from '" + rewrite_core.encode() + b"'", body)
    return web.Response(body=body, headers={**NO_CACHE, **(extra or {}), "Content-Type": content_type(target)})


def _tcf_page(site: CmpLabSite, request: web.Request) -> web.Response:
    config = {"cmpId": 4095, "cmpVersion": 1, "broken": request.query.get("broken") == "1"}
    head = (f"<script>{_stub()}</script>\n"
            f"<script>window.O3D_TCF = {inline_json(config)};</script>\n"
            f'<script type="importmap">{inline_json(IMPORT_MAP)}</script>\n'
            '<script type="module" src="/assets/cmplab/tcf/o3d-tcf-cmp.js"></script>')
    tags = []
    for category, src, code in gated():
        attrs = f'type="text/plain" data-tcf-purposes="{TCF_PURPOSES[category]}" data-lab-category="{category}"'
        if src:
            attrs += f' data-src="{html.escape(src)}"'
        tags.append(f"<script {attrs}>{code}</script>")
    return page(site, request.path, head=head, body_end="\n".join(tags))


def _didomi_page(site: CmpLabSite, request: web.Request) -> web.Response:
    config = {"app": {"name": "O3D Didomi-lab", "apiKey": DIDOMI_API_KEY},
              "languages": {"enabled": ["nl"], "default": "nl"},
              "broken": request.query.get("broken") == "1"}
    # Didomi's embed: the TCF stub, window.didomiConfig, then the loader script#spcloader from the SDK host
    loader = (f"https://{DIDOMI_SDK_HOST}/{DIDOMI_API_KEY}/loader.js?target=")
    head = (f"<script>window.gdprAppliesGlobally = true;\n{_stub()}</script>\n"
            f"<script>window.didomiConfig = {inline_json(config)};</script>\n"
            "<script>(function () { var s = document.createElement('script'); s.id = 'spcloader'; "
            "s.type = 'text/javascript'; s.async = true; s.charset = 'utf-8'; "
            f"s.src = {inline_json(loader)} + document.location.hostname; "
            "document.head.appendChild(s); })();</script>")
    tags = []
    for category, src, code in gated():
        attr, value = DIDOMI_GATE[category]
        attrs = f'type="didomi/javascript" {attr}="{value}" data-lab-category="{category}"'
        if src:
            attrs += f' src="{html.escape(src)}"'
        tags.append(f"<script {attrs}>{code}</script>")
    # the footer link opens Didomi's preferences, as Didomi's docs tell a site to offer
    tags.append("<script>document.getElementById('cmplab-withdraw').addEventListener('click', function (e) {"
                " e.preventDefault(); window.didomiOnReady = window.didomiOnReady || [];"
                " window.didomiOnReady.push(function (Didomi) { Didomi.preferences.show(); }); });</script>")
    return page(site, request.path, head=head, body_end="\n".join(tags))


async def _site(host: str, request: web.Request) -> web.StreamResponse:
    site = SITES_BY_HOST[host]
    path = request.path
    if path == "/favicon.ico":
        return web.Response(status=204)
    if host == TCF_HOST:
        for key in ("iabtcf-core", "iabtcf-cmpapi"):
            prefix = f"/assets/cmp/{key}/"
            if path.startswith(prefix):
                return _npm(key, path[len(prefix):])
        if path.startswith("/assets/cmplab/tcf/"):
            return _static(path[len("/assets/cmplab/tcf/"):])
        if path == "/cmp/vendor-list.json":
            return _static("vendor-list.json")
    if request.method not in ("GET", "HEAD"):
        raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
    return _tcf_page(site, request) if host == TCF_HOST else _didomi_page(site, request)


async def _didomi_sdk(request: web.Request) -> web.StreamResponse:
    """sdk.privacy-center.org: the loader, the stand-in SDK module, its GVL copy and the @iabtcf modules."""
    path = request.path
    if request.method == "OPTIONS":
        return web.Response(status=204, headers={**CORS, "Access-Control-Allow-Methods": "GET, OPTIONS"})
    if re.fullmatch(r"/[A-Za-z0-9-]+/loader\.js", path):
        return _static("didomi-loader.js", CORS)
    if path == "/sdk/o3d-standin/sdk.js":
        return _static("didomi-sdk.js", CORS)
    if path == "/sdk/o3d-standin/vendor-list.json":
        return _static("vendor-list.json", CORS)
    if path.startswith("/sdk/iabtcf/core/"):
        return _npm("iabtcf-core", path[len("/sdk/iabtcf/core/"):], CORS)
    if path.startswith("/sdk/iabtcf/cmpapi/"):
        return _npm("iabtcf-cmpapi", path[len("/sdk/iabtcf/cmpapi/"):], CORS,
                    rewrite_core="/sdk/iabtcf/core/lib/mjs/index.js")
    raise web.HTTPNotFound(text="not found", headers=CORS)


async def handle(host: str, request: web.Request) -> web.StreamResponse:
    if host in SITES_BY_HOST:
        return await _site(host, request)
    if host == DIDOMI_SDK_HOST:
        return await _didomi_sdk(request)
    raise web.HTTPNotFound(text=f"unknown host {host!r}")


__all__ = ["DIDOMI_HOST", "DIDOMI_SDK_HOST", "SITES", "TCF_HOST", "handle"]
