"""HTTP behaviour of a shop host: pages, the shop's own cookies, its assets and the self-hosted CMP files.

Every HTML page starts a PHP-style session (``PHPSESSID``, a strictly necessary cookie) when the request
does not carry one, and, when the knob is set, the shop software's affiliate cookie ``o3d_affiliate``.
Consent-manager files are read from ``node_modules`` on each request (they are small and this keeps an
``npm ci`` visible without a restart).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from aiohttp import web

from .assets import CMP_PACKAGES, STATIC_DIR, content_type, safe_join
from .catalog import AFFILIATE_PARTNER
from .pages import ShopLayout, render
from .texts import PRODUCTS_BY_SLUG, Product

# markup in a cookie value: the report must show it as text (a hostile site must not script the report)
HOSTILE_COOKIE = "o3d_ref=<img/src=x/onerror=window.__pwned=1>"

# Not "no-store": Playwright (1.65, Chromium 156) never reports a cross-origin fetch answered with
# no-store as finished, so pages would never reach network idle. "no-cache" still forces a refetch.
NO_STORE = {"Cache-Control": "no-cache"}
ASSET_CACHE = {"Cache-Control": "public, max-age=300"}


class ShopSite:
    """One shop host."""

    def __init__(self, layout: ShopLayout, node_modules: Path):
        self.layout = layout
        self.shop = layout.shop
        self.knobs = layout.knobs
        self.node_modules = node_modules

    def route(self, path: str) -> tuple[str, Product | None] | None:
        """(page, product) for a page path, or None."""
        paths = self.shop.paths
        if path == paths.home:
            return "home", None
        if path == paths.cart:
            return "cart", None
        if path == paths.privacy or path in paths.privacy_aliases:
            return "privacy", None
        if path.startswith(paths.products + "/"):
            product = PRODUCTS_BY_SLUG.get(path[len(paths.products) + 1:].rstrip("/"))
            if product:
                return "product", product
        return None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/assets/cmp/"):
            return self.cmp_file(path[len("/assets/cmp/"):])
        if path.startswith("/assets/shop/"):
            return self.shop_file(path[len("/assets/shop/"):])
        if path == "/favicon.ico":
            raise web.HTTPFound("/assets/shop/logo.svg")
        if path == "/robots.txt":
            return web.Response(text="User-agent: *\nAllow: /\n", content_type="text/plain")
        if request.method not in ("GET", "HEAD"):
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
        route = self.route(path)
        status = 200
        if route is None:
            route, status = ("not_found", None), 404
        page, product = route
        response = web.Response(text=render(self.layout, page, product), status=status,
                                content_type="text/html", charset="utf-8", headers=NO_STORE)
        self.set_shop_cookies(request, response)
        return response

    def set_shop_cookies(self, request: web.Request, response: web.Response) -> None:
        if "PHPSESSID" not in request.cookies:
            response.headers.add("Set-Cookie", f"PHPSESSID={secrets.token_hex(13)}; Path=/; HttpOnly; Secure; SameSite=Lax")
        if self.knobs.affiliate_cookie_days:
            max_age = self.knobs.affiliate_cookie_days * 86400
            response.headers.add("Set-Cookie", f"o3d_affiliate={AFFILIATE_PARTNER}; Max-Age={max_age}; Path=/; Secure; SameSite=Lax")
        if self.knobs.hostile_cookie:
            response.headers.add("Set-Cookie", f"{HOSTILE_COOKIE}; Path=/; Secure; SameSite=Lax")

    def cmp_file(self, relative: str) -> web.StreamResponse:
        package, _, rest = relative.partition("/")
        if package not in CMP_PACKAGES:
            raise web.HTTPNotFound()
        target = safe_join(self.node_modules / CMP_PACKAGES[package], rest)
        if target is None:
            raise web.HTTPNotFound()
        return web.Response(body=target.read_bytes(), headers={**ASSET_CACHE, "Content-Type": content_type(target)})

    def shop_file(self, relative: str) -> web.StreamResponse:
        target = safe_join(STATIC_DIR / "shop", relative)
        if target is None:
            raise web.HTTPNotFound()
        body = target.read_bytes()
        if target.name == "o3d-banner.js":
            # The banner's save handler reads the functional checkbox by id; the planted bug is a wrong id.
            box = "o3d-cat-functionality" if self.knobs.functional_not_saved else "o3d-cat-functional"
            body = body.replace(b"/*FUNCTIONAL_CHECKBOX*/", box.encode())
            return web.Response(body=body, headers={**NO_STORE, "Content-Type": content_type(target)})
        return web.Response(body=body, headers={**ASSET_CACHE, "Content-Type": content_type(target)})
