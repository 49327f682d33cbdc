"""The vendors' endpoints, answered under their real host names.

Only what the browser can observe is reproduced: the scripts (stubs in ``static/vendor``), the collection
endpoints and their status codes, the third-party cookies their responses set (IDE, test_cookie, MUID,
CLID, fr) and CORS headers that let the stubs' fetches succeed without console errors. The GTM container
for an id comes from the shop that owns it, as configured by that shop's knobs.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Awaitable, Callable, Iterable

from aiohttp import WSMsgType, web

from . import catalog as c
from .assets import STATIC_DIR
from .catalog import SHOPS_BY_GTM_ID
from .config import ShopKnobs
from .tags import google_container

GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
       b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
JS = "application/javascript; charset=utf-8"
# Not "no-store": Playwright (1.65, Chromium 156) never reports a cross-origin fetch answered with
# no-store as finished, so pages would never reach network idle. "no-cache" still forces a refetch.
NO_STORE = {"Cache-Control": "no-cache"}

Handler = Callable[[web.Request, re.Match], Awaitable[web.StreamResponse]]


def _stub(name: str) -> str:
    return (STATIC_DIR / "vendor" / name).read_text(encoding="utf-8")


def js_response(text: str) -> web.Response:
    return web.Response(text=text, headers={**NO_STORE, "Content-Type": JS})


def gif(cookies: Iterable[str] = ()) -> web.Response:
    response = web.Response(body=GIF, headers={**NO_STORE, "Content-Type": "image/gif"})
    for cookie in cookies:
        response.headers.add("Set-Cookie", cookie)
    return response


def no_content(cookies: Iterable[str] = ()) -> web.Response:
    response = web.Response(status=204, headers=NO_STORE)
    for cookie in cookies:
        response.headers.add("Set-Cookie", cookie)
    return response


def font_bytes() -> bytes:
    """Bytes served as the Inter web font. Any small payload will do: the page falls back to system fonts."""
    return b"wOF2" + bytes(60)


@dataclass
class Route:
    host: str
    pattern: re.Pattern
    handler: Handler


class Vendors:
    """Routes requests for vendor hosts to the right stub or endpoint."""

    def __init__(self, knobs: dict[str, ShopKnobs], containers: dict[str, dict] | None = None):
        self.knobs = knobs
        self.containers = containers    # variant worlds: GTM id -> container (else from the catalog shop)
        self.stubs = {name: _stub(name) for name in (
            "google-tag.js", "analytics.js", "clarity-tag.js", "clarity.js", "hotjar-loader.js",
            "hotjar-modules.js", "brevo-sa.js", "fbevents.js", "o3d-widget.js")}
        r = self._add
        self.routes: list[Route] = []
        r("www.googletagmanager.com", r"/gtm\.js", self.gtm)
        r("www.googletagmanager.com", r"/gtag/js", self.gtag)
        r("www.googletagmanager.com", r"/ns\.html", self.gtm_noscript)
        r("region1.google-analytics.com", r"/g/collect", self.accepted)
        r("region1.analytics.google.com", r"/g/collect", self.accepted)
        r("www.google-analytics.com", r"/analytics\.js", self.script("analytics.js"))
        r("www.google-analytics.com", r"/(r/|j/)?collect", self.pixel)
        r("www.google-analytics.com", r"/g/collect", self.accepted)
        r("googleads.g.doubleclick.net", r"/pagead/viewthroughconversion/\d+/?", self.ads_remarketing)
        r("www.googleadservices.com", r"/pagead/conversion/\d+/?", self.pixel)
        r("www.clarity.ms", r"/tag/(?P<project>[a-z0-9]+)", self.clarity_tag)
        r("scripts.clarity.ms", r"/[0-9.]+/clarity\.js", self.script("clarity.js"))
        r("k.clarity.ms", r"/collect", self.clarity_collect)
        r("static.hotjar.com", r"/c/hotjar-(?P<site>\d+)\.js", self.hotjar_loader)
        r("script.hotjar.com", r"/modules\.[0-9a-f]+\.js", self.script("hotjar-modules.js"))
        r("content.hotjar.io", r"/", self.hotjar_content)
        r("ws.hotjar.com", r"/api/v2/client/ws", self.hotjar_ws)
        r("sibautomation.com", r"/sa\.js", self.script("brevo-sa.js"))
        r("in-automate.brevo.com", r"/p", self.pixel)
        r("connect.facebook.net", r"/[a-z]{2}_[A-Z]{2}/fbevents\.js", self.script("fbevents.js"))
        r("connect.facebook.net", r"/signals/config/(?P<pixel>\d+)", self.meta_config)
        r("www.facebook.com", r"/tr/?", self.meta_event)
        r("fonts.googleapis.com", r"/css2?", self.fonts_css)
        r("fonts.gstatic.com", r"/s/.+\.woff2", self.font_file)
        r("static.o3d-widgets.net", r"/widget\.js", self.script("o3d-widget.js"))

    def _add(self, host: str, pattern: str, handler: Handler) -> None:
        self.routes.append(Route(host, re.compile(pattern + r"\Z"), handler))

    async def handle(self, host: str, request: web.Request) -> web.StreamResponse:
        for route in self.routes:
            if route.host == host:
                match = route.pattern.match(request.path)
                if match:
                    return await route.handler(request, match)
        raise web.HTTPNotFound()

    # --- generic --------------------------------------------------------------------------------------------
    def script(self, name: str) -> Handler:
        async def handler(request: web.Request, match: re.Match) -> web.StreamResponse:
            return js_response(self.stubs[name])
        return handler

    async def accepted(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        await request.read()
        return no_content()

    async def pixel(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        await request.read()
        return gif()

    # --- Google ---------------------------------------------------------------------------------------------
    def google_tag(self, boot: dict) -> web.Response:
        return js_response(self.stubs["google-tag.js"].replace("/*BOOT*/{}", json.dumps(boot)))

    async def gtm(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        container_id = request.query.get("id", "")
        shop = SHOPS_BY_GTM_ID.get(container_id)
        if shop is None:
            raise web.HTTPNotFound()
        if self.containers is not None:
            container = self.containers[container_id]
        else:
            container = google_container(shop, self.knobs[shop.host])
        return self.google_tag({"loader": "gtm", "id": container_id, "container": container})

    async def gtag(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        tag_id = request.query.get("id", "")
        if not re.fullmatch(r"(G|AW|GT|DC)-[A-Z0-9]+", tag_id):
            raise web.HTTPBadRequest()
        return self.google_tag({"loader": "gtag", "id": tag_id})

    async def gtm_noscript(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        return web.Response(text="<!doctype html><title>ns</title>", content_type="text/html")

    async def ads_remarketing(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        ide = secrets.token_urlsafe(30)
        return gif([
            f"IDE={ide}; Domain=.doubleclick.net; Path=/; Max-Age=34128000; HttpOnly; Secure; SameSite=None",
            "test_cookie=CheckForPermission; Domain=.doubleclick.net; Path=/; Max-Age=900; Secure; SameSite=None",
        ])

    async def fonts_css(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        family = request.query.get("family", "Inter").split(":")[0]
        blocks = []
        for weight, file in (("400", "UcC73FwrK3iLTeHuS_nVMrMxCp50SjIa1ZL7W0Q5nw"),
                             ("600", "UcC73FwrK3iLTeHuS_nVMrMxCp50SjIa1ZL7W0Q5nw")):
            blocks.append(
                f"/* latin */\n@font-face {{\n  font-family: '{family}';\n  font-style: normal;\n"
                f"  font-weight: {weight};\n  font-display: swap;\n"
                f"  src: url(https://fonts.gstatic.com/s/inter/v18/{file}.woff2) format('woff2');\n"
                "  unicode-range: U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+2000-206F;\n}")
        return web.Response(text="\n".join(blocks), headers={"Content-Type": "text/css; charset=utf-8",
                                                             "Cache-Control": "private, max-age=86400"})

    async def font_file(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        return web.Response(body=font_bytes(), headers={"Content-Type": "font/woff2",
                                                        "Cache-Control": "public, max-age=31536000"})

    # --- Microsoft Clarity ----------------------------------------------------------------------------------
    async def clarity_tag(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        text = (self.stubs["clarity-tag.js"].replace("/*PROJECT*/", match["project"])
                .replace("/*VERSION*/", c.CLARITY_VERSION))
        return js_response(text)

    async def clarity_collect(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        await request.read()
        cookies = []
        if "MUID" not in request.cookies:
            cookies.append(f"MUID={secrets.token_hex(16).upper()}; Domain=.clarity.ms; Path=/; Max-Age=31536000; Secure; SameSite=None")
        if "CLID" not in request.cookies:
            cookies.append(f"CLID={secrets.token_hex(16)}.20261126.{c.CLARITY_PROJECT}; Domain=.clarity.ms; Path=/; Max-Age=31536000; Secure; SameSite=None")
        return no_content(cookies)

    # --- Hotjar ----------------------------------------------------------------------------------------------------
    async def hotjar_loader(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        text = self.stubs["hotjar-loader.js"].replace("/*SITE*/", match["site"]).replace("/*MODULES*/", c.HOTJAR_MODULES)
        return js_response(text)

    async def hotjar_content(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        await request.read()
        return web.json_response({"success": True}, headers=NO_STORE)

    async def hotjar_ws(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                await ws.send_str(json.dumps({"type": "ack", "received": len(message.data)}))
            elif message.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
                break
        return ws

    # --- Meta ------------------------------------------------------------------------------------------------------
    async def meta_config(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        return js_response(f"/* Meta Pixel configuration for {match['pixel']} */\n"
                           "window.fbq && (window.fbq.o3dConfig = window.fbq.o3dConfig || {});\n")

    async def meta_event(self, request: web.Request, match: re.Match) -> web.StreamResponse:
        cookies = []
        if "fr" not in request.cookies:
            cookies.append(f"fr=0{secrets.token_urlsafe(24)}..{secrets.token_urlsafe(8)}; Domain=.facebook.com; Path=/; "
                           "Max-Age=7776000; HttpOnly; Secure; SameSite=None")
        return gif(cookies)
