"""``DemoWorld``: one aiohttp HTTPS server answering for every shop and vendor host.

Requests are dispatched on the Host header; Chromium reaches the server through
``--host-resolver-rules`` (or ``--resolve``-style mappings), so pages, cookies and CORS behave as under the
real names. The server runs on its own event loop in a background thread (``with DemoWorld(...)``) or on
the caller's loop (``async with DemoWorld(...)``).
"""

from __future__ import annotations

import asyncio
import random
import shutil
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from .assets import find_node_modules
from .catalog import SHOPS, SHOPS_BY_HOST, all_hosts, all_vendor_hosts
from .config import WorldConfig
from .cmplab import CmpLab, cmplab_hosts
from .lab import Lab, lab_hosts
from .pages import layout_for
from .shops import ShopSite
from .variant_site import VariantShopSite, variant_container, variant_layout
from .tls import make_tls
from .vendors import Vendors


class DemoWorld:
    """The local stand-in for five webshops and their vendors.

    Attributes once started: ``port``, ``ca_pem`` (Path of the CA certificate), ``hosts``,
    ``requests_log`` (list of ``(host, method, path_qs)``; for tests only).
    """

    def __init__(self, config: WorldConfig | None = None, host: str = "127.0.0.1", port: int = 0,
                 ca_pem: Path | str | None = None):
        self.config = config or WorldConfig()
        self.knobs = self.config.knobs()
        self.bind_host = host
        self.requested_port = port
        self.hosts: list[str] = all_hosts() + lab_hosts() + cmplab_hosts()   # shops, vendors, banner lab, CMP lab
        self.requests_log: list[tuple[str, str, str]] = []
        self.port: int | None = None
        self._ca_target = Path(ca_pem) if ca_pem else None
        self.ca_pem: Path | None = None
        self._tempdir: str | None = None
        self._rng = random.Random(self.config.seed)
        self._vendor_hosts = set(all_vendor_hosts())
        node_modules = find_node_modules()
        self.variant = self.config.variant()    # ground truth of a variant world (tests only), else None
        if self.variant is None:
            self.shops = {shop.host: ShopSite(layout_for(shop, self.knobs[shop.host]), node_modules) for shop in SHOPS}
            self.vendors = Vendors(self.knobs)
        else:
            layouts = {shop.host: variant_layout(shop, self.variant.shop(shop.host), self.knobs[shop.host])
                       for shop in SHOPS}
            self.shops = {host: VariantShopSite(layout, node_modules) for host, layout in layouts.items()}
            self.vendors = Vendors(self.knobs, containers={
                layout.shop.gtm_id: variant_container(layout.shop, layout.variant, layout.knobs)
                for layout in layouts.values()})
        self.lab = Lab()
        self.cmplab = CmpLab()
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # --- what a browser needs --------------------------------------------------------------------------------
    def resolve_args(self) -> list[str]:
        """``host=ip:port`` for every host served, for a scanner's --resolve flag."""
        self._require_started()
        return [f"{h}={self.bind_host}:{self.port}" for h in self.hosts]

    def host_resolver_rules(self) -> str:
        """Chromium's --host-resolver-rules value mapping every host here and nothing else."""
        self._require_started()
        rules = [f"MAP {h} {self.bind_host}:{self.port}" for h in self.hosts]
        return ", ".join(rules + ["MAP * ~NOTFOUND"])

    def url(self, host: str, path: str = "/") -> str:
        return f"https://{host}{path}"

    # --- lifecycle -------------------------------------------------------------------------------------------------
    async def start_async(self) -> "DemoWorld":
        tls = make_tls(self.hosts)
        if self._ca_target is None:
            self._tempdir = tempfile.mkdtemp(prefix="cookieaudit-world-")
            self.ca_pem = tls.write_ca(Path(self._tempdir) / "ca.pem")
        else:
            self.ca_pem = tls.write_ca(self._ca_target)
        app = web.Application(middlewares=[self._middleware])
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.bind_host, self.requested_port, ssl_context=tls.server_context())
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop_async(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._tempdir:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    def start(self) -> "DemoWorld":
        """Start on a private event loop in a daemon thread; returns once the port is bound."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="cookieaudit-demo-world", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.start_async(), self._loop).result(timeout=30)
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        assert self._thread is not None    # start() sets the loop and its thread together
        asyncio.run_coroutine_threadsafe(self.stop_async(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> "DemoWorld":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    async def __aenter__(self) -> "DemoWorld":
        return await self.start_async()

    async def __aexit__(self, *exc) -> None:
        await self.stop_async()

    def _require_started(self) -> None:
        if self.port is None:
            raise RuntimeError("the demo world is not started; use `with DemoWorld(...)` or call start()")

    # --- request handling ---------------------------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler) -> web.StreamResponse:
        host = (request.host or "").rsplit(":", 1)[0].lower()
        self.requests_log.append((host, request.method, request.path_qs))
        is_vendor = host in self._vendor_hosts
        await self._delay(self.config.vendor_latency_ms if is_vendor else self.config.latency_ms)
        if is_vendor and request.method == "OPTIONS":
            response = web.Response(status=204)
        else:
            response = await handler(request)
        if is_vendor and not response.prepared:
            self._cors(request, response)
            if "javascript" in (response.content_type or ""):
                await self._delay(self._tracker_delay_for(request))
        return response

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        host = (request.host or "").rsplit(":", 1)[0].lower()
        if host in SHOPS_BY_HOST:
            return await self.shops[host].handle(request)
        if host in self.cmplab.hosts:   # before the vendors: stand-in consent managers use vendor host names
            return await self.cmplab.handle(host, request)
        if host in self._vendor_hosts:
            return await self.vendors.handle(host, request)
        if host in self.lab.hosts:
            return await self.lab.handle(host, request)
        raise web.HTTPNotFound(text=f"unknown host {host!r}")

    async def _delay(self, range_ms: tuple[int, int]) -> None:
        lo, hi = range_ms
        if hi > 0:
            await asyncio.sleep(self._rng.uniform(lo, hi) / 1000)

    def _tracker_delay_for(self, request: web.Request) -> tuple[int, int]:
        """The tracker_delay_ms knob of the shop whose page asked for this vendor script (by Referer)."""
        referer_host = urlsplit(request.headers.get("Referer", "")).hostname or ""
        knobs = self.knobs.get(referer_host)
        return knobs.tracker_delay_ms if knobs else (0, 0)

    @staticmethod
    def _cors(request: web.Request, response: web.StreamResponse) -> None:
        origin = request.headers.get("Origin")
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Vary"] = "Origin"
        else:
            response.headers["Access-Control-Allow-Origin"] = "*"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = request.headers.get(
                "Access-Control-Request-Headers", "Content-Type")
            response.headers["Access-Control-Max-Age"] = "600"
