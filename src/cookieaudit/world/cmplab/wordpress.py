"""(filled in by its family's work)"""

from __future__ import annotations

from aiohttp import web

from .common import CmpLabSite

SITES: tuple[CmpLabSite, ...] = ()


async def handle(host: str, request: web.Request) -> web.StreamResponse:
    raise web.HTTPNotFound(text=f"unknown host {host!r}")
