"""What every CMP-lab site shares: its record, its page, and the trackers its consent manager gates."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Awaitable, Callable

from aiohttp import web

from ..lab import LAB_DOMAIN, gated_scripts

NO_CACHE = {"Cache-Control": "no-cache"}
Handler = Callable[[str, web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class CmpLabSite:
    """One lab host running one consent manager, wired the way that manager's integration guide says."""

    host: str                          # e.g. cookiebot.o3d-lab.nl
    cmp: str                           # the adapter name that must recognise it (browse/consent)
    title: str
    kind: str                          # "npm": the manager's own code from npm | "stand-in": written from vendor docs
    source: str                        # package@version (licence) or the documentation it follows
    vendor_hosts: tuple[str, ...] = ()  # the vendor's real host names the manager's files come from
    lang: str = "nl"


def gated(category: str | None = None) -> list[tuple[str, str | None, str]]:
    """(category, external src or None, inline code) of the lab's trackers: GA4 + Clarity (performance),
    Meta Pixel (targeting), a first-party ``lab_prefs`` localStorage item (functional)."""
    items = gated_scripts("nl")
    return [i for i in items if category is None or i[0] == category]


def page(site: CmpLabSite, path: str, head: str = "", body_end: str = "") -> web.Response:
    """A small shop-like page: ``/`` and ``/p2`` link to each other; a footer link reopens the consent settings
    (its ``id="cmplab-withdraw"``; the family module wires what it does)."""
    if path not in ("/", "/p2", "/privacy"):
        raise web.HTTPNotFound(text="not found")
    title = html.escape(site.title)
    nxt = "/p2" if path == "/" else "/"
    doc = f"""<!doctype html>
<html lang="{site.lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:sans-serif;margin:0}} main{{max-width:46rem;margin:2rem auto;padding:0 1rem;min-height:120vh}}
footer{{padding:1rem;border-top:1px solid #ccc}}</style>
{head}
</head><body>
<main><h1>{title}</h1>
<p>Consent-manager lab ({html.escape(site.kind)}: {html.escape(site.source)}). Page {html.escape(path)}.</p>
<p><a href="{nxt}" id="cmplab-next">Volgende pagina</a> · <a href="/privacy">Privacyverklaring</a></p>
</main>
<footer><a href="#" id="cmplab-withdraw">Cookie-instellingen</a></footer>
{body_end}
</body></html>"""
    return web.Response(text=doc, content_type="text/html", charset="utf-8", headers=NO_CACHE)


def js_response(code: str) -> web.Response:
    return web.Response(text=code, content_type="text/javascript", charset="utf-8", headers=NO_CACHE)


def inline_json(value) -> str:
    """JSON safe to place inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c")


__all__ = ["CmpLabSite", "Handler", "LAB_DOMAIN", "NO_CACHE", "gated", "inline_json", "js_response", "page"]
