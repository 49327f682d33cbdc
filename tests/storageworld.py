"""``StorageWorld``: one HTTPS page that stores a value in every mechanism a browser has (issue 13).

A self-contained aiohttp server on 127.0.0.1 in a background thread (like ``tests/faultworld.py``, but its own
hosts, CA and process-independent of the demo shops), reached by Chromium through ``--resolve``.

==================================  ============================================================================
host                                role
==================================  ============================================================================
www.o3d-storage.nl                  the first party: ``/`` writes into every mechanism itself (cookie header,
                                    document.cookie, cookieStore, localStorage, sessionStorage, IndexedDB,
                                    Cache API, a service worker ``/sw.js`` that fetches a tracker beacon) and
                                    loads the tracker's script and two short-lived third-party iframes
script.hotjar.com                   a tracking vendor's script (``/st.js``) running in the first party's
                                    document: writes the first party's localStorage, IndexedDB, Cache API,
                                    cookieStore, calls the Topics API
vars.hotjar.com                     the tracking vendor's iframe (``/box.html``): local/sessionStorage, IndexedDB,
                                    Cache API and a cookie in its own partition, Shared Storage and an interest
                                    group; the page removes it as soon as it says it is done (at most 0.45 s
                                    after its document started)
in.hotjar.com                       a beacon that answers with a third-party ``__Host-`` tracking cookie
px.o3d-storage-ads.net              an unknown third party: an iframe (removed at once) and a pixel that sets
                                    ``__Host-sid`` (a name that *looks* necessary)
==================================  ============================================================================

The writes the browser refuses (a ``__Host-`` cookie with a Domain attribute by document.cookie and by
cookieStore) are attempted too: they must be recorded as refused and never listed as stored.
``EXPECTED`` is the list of what must be recorded: (mechanism, frame-origin host, partition site, writer host, key).
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import tempfile
import threading
from pathlib import Path

import trustme
from aiohttp import web

FIRST = "www.o3d-storage.nl"
SITE = "https://o3d-storage.nl"          # the partition (top-level site) of everything on the page
VSCRIPT = "script.hotjar.com"
VFRAME = "vars.hotjar.com"
VBEACON = "in.hotjar.com"
ADS = "px.o3d-storage-ads.net"
HOSTS = (FIRST, VSCRIPT, VFRAME, VBEACON, ADS)

# (mechanism, frame-origin host, partition site, writer host, key/name): every accepted write the page makes
EXPECTED: tuple[tuple[str, str, str, str, str], ...] = (
    # the first party's own inline script
    ("local", FIRST, SITE, FIRST, "fp_local"),
    ("session", FIRST, SITE, FIRST, "fp_session"),
    ("indexeddb", FIRST, SITE, FIRST, "fp_db"),
    ("cache", FIRST, SITE, FIRST, "fp_cache"),
    ("service-worker", FIRST, SITE, FIRST, f"https://{FIRST}/sw.js"),
    ("cookie", FIRST, SITE, FIRST, "fp_js"),
    ("cookie-store", FIRST, SITE, FIRST, "fp_store"),
    # the vendor's script in the first party's document (the storage is the first party's, the writer the vendor's)
    ("local", FIRST, SITE, VSCRIPT, "_hjLocal"),
    ("indexeddb", FIRST, SITE, VSCRIPT, "hj_db"),
    ("cache", FIRST, SITE, VSCRIPT, "hj_cache"),
    ("cookie-store", FIRST, SITE, VSCRIPT, "_hjStore"),
    # the vendor's short-lived iframe: its own origin, partitioned under the page's site
    ("local", VFRAME, SITE, VFRAME, "_hjFrameLocal"),
    ("session", VFRAME, SITE, VFRAME, "_hjFrameSession"),
    ("indexeddb", VFRAME, SITE, VFRAME, "hj_frame_db"),
    ("cache", VFRAME, SITE, VFRAME, "hj_frame_cache"),
    ("cookie", VFRAME, SITE, VFRAME, "_hjFrameCookie"),
    # the unknown third party's iframe
    ("local", ADS, SITE, ADS, "ads_uid"),
    ("indexeddb", ADS, SITE, ADS, "ads_db"),
)
# refused by the browser: recorded with accepted=False, never stored
REFUSED: tuple[tuple[str, str], ...] = (("cookie", "__Host-bad"), ("cookie-store", "__Host-bad2"))
SW_BEACON = f"https://{VBEACON}/sw-beacon"

FIRST_PAGE = f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Opslaglab</title></head>
<body><main><h1>Opslaglab</h1><p>Deze pagina bewaart iets in elk opslagmechanisme.</p>
<a href="/p2">Volgende pagina</a></main>
<script>
(function () {{
  localStorage.setItem('fp_local', 'l1');
  sessionStorage.setItem('fp_session', 's1');
  indexedDB.open('fp_db', 1).onupgradeneeded = function (e) {{ e.target.result.createObjectStore('kv'); }};
  caches.open('fp_cache').then(function (c) {{ return c.put('/cached', new Response('x')); }});
  document.cookie = 'fp_js=1; Max-Age=3600; Path=/; SameSite=Lax';
  document.cookie = '__Host-bad=1; Domain=o3d-storage.nl; Path=/; Secure';
  cookieStore.set('fp_store', 'c1').catch(function () {{}});
  cookieStore.set({{name: '__Host-bad2', value: '1', domain: 'o3d-storage.nl'}}).catch(function () {{}});
  navigator.serviceWorker.register('/sw.js', {{scope: '/'}});
  function frame(src) {{
    var f = document.createElement('iframe');
    f.src = src;
    document.body.appendChild(f);
    var gone = function () {{ if (f.parentNode) f.parentNode.removeChild(f); }};
    // removed once it says it is done, at the latest 0.45 s after its document started (on a loaded machine
    // the document itself may take longer than that to arrive)
    window.addEventListener('message', function (e) {{
      if (e.source !== f.contentWindow) return;
      if (e.data === 'done') gone();
      if (e.data === 'start') setTimeout(gone, 450);
    }});
  }}
  frame('https://{VFRAME}/box.html');
  frame('https://{ADS}/frame.html');
  new Image().src = 'https://{VBEACON}/hit?v=1';
  new Image().src = 'https://{ADS}/px.gif';
}})();
</script>
<script src="https://{VSCRIPT}/st.js"></script>
</body></html>
"""

P2_PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Opslaglab 2</title></head>
<body><main><h1>Pagina 2</h1><p>Niets nieuws.</p></main></body></html>"""

VENDOR_SCRIPT = """/* tracking vendor script in the first party's document */
(function () {
  localStorage.setItem('_hjLocal', 'v1');
  indexedDB.open('hj_db', 1);
  caches.open('hj_cache');
  cookieStore.set('_hjStore', 'v2').catch(function () {});
  try { if (document.browsingTopics) document.browsingTopics().catch(function () {}); } catch (e) {}
})();
"""

FRAME_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<script>
parent.postMessage('start', '*');
(async function () {
  try {
    localStorage.setItem('_hjFrameLocal', 'f1');
    sessionStorage.setItem('_hjFrameSession', 'f2');
    document.cookie = '_hjFrameCookie=f3; Max-Age=3600; Path=/; Secure; SameSite=None; Partitioned';
    await new Promise(function (ok) { var r = indexedDB.open('hj_frame_db', 1); r.onsuccess = r.onerror = ok; });
    await caches.open('hj_frame_cache');
    try { if (window.sharedStorage) await window.sharedStorage.set('hj_ss', '1'); } catch (e) {}
    try { if (navigator.joinAdInterestGroup) await navigator.joinAdInterestGroup({owner: location.origin, name: 'hj-ig'}, 3600); } catch (e) {}
  } finally { parent.postMessage('done', '*'); }
})();
</script></body></html>"""

ADS_FRAME = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<script>
parent.postMessage('start', '*');
localStorage.setItem('ads_uid', 'a1');
var r = indexedDB.open('ads_db', 1);
r.onsuccess = r.onerror = function () { parent.postMessage('done', '*'); };
</script></body></html>"""

SW_JS = f"""/* first-party service worker: it calls a tracker on install */
self.addEventListener('install', function (e) {{
  e.waitUntil(fetch('{SW_BEACON}?from=sw', {{mode: 'no-cors'}}).catch(function () {{}}).then(function () {{ return self.skipWaiting(); }}));
}});
self.addEventListener('activate', function (e) {{ e.waitUntil(self.clients.claim()); }});
"""

GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


class StorageWorld:
    def __init__(self, bind_host: str = "127.0.0.1"):
        self.bind_host = bind_host
        self.port: int | None = None
        self.ca_pem: Path | None = None
        self.log: list[tuple[str, str]] = []
        self._tempdir: str | None = None
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def resolve_args(self) -> list[str]:
        return [f"{h}={self.bind_host}:{self.port}" for h in HOSTS]

    def _tls(self) -> ssl.SSLContext:
        ca = trustme.CA(organization_name="cookieaudit storage world CA")
        leaf = ca.issue_cert(*HOSTS, organization_name="cookieaudit storage world")
        self._tempdir = tempfile.mkdtemp(prefix="cookieaudit-storageworld-")
        self.ca_pem = Path(self._tempdir) / "ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_pem))
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        leaf.configure_cert(ctx)
        return ctx

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.bind_host, 0, ssl_context=self._tls())
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._tempdir:
            shutil.rmtree(self._tempdir, ignore_errors=True)

    def __enter__(self) -> "StorageWorld":
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="cookieaudit-storage-world", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        host = (request.host or "").rsplit(":", 1)[0].lower()
        path = request.path
        self.log.append((host, path))
        nc = {"Cache-Control": "no-cache"}
        if path == "/favicon.ico":
            return web.Response(status=204)
        if host == FIRST:
            if path == "/sw.js":
                return web.Response(text=SW_JS, content_type="application/javascript", headers=nc)
            if path == "/p2":
                return web.Response(text=P2_PAGE, content_type="text/html", headers=nc)
            if path in ("/", "/privacy"):
                resp = web.Response(text=FIRST_PAGE, content_type="text/html", headers=nc)
                resp.headers.add("Set-Cookie", "fp_sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax")
                return resp
        if host == VSCRIPT and path == "/st.js":
            return web.Response(text=VENDOR_SCRIPT, content_type="application/javascript", headers=nc)
        if host == VFRAME and path == "/box.html":
            return web.Response(text=FRAME_PAGE, content_type="text/html", headers=nc)
        if host == ADS and path == "/frame.html":
            return web.Response(text=ADS_FRAME, content_type="text/html", headers=nc)
        if host == VBEACON and path == "/hit":
            resp = web.Response(body=GIF, content_type="image/gif", headers=nc)
            resp.headers.add("Set-Cookie", "__Host-_hjSessionUser_1=u1; Path=/; Secure; SameSite=None; Max-Age=31536000")
            return resp
        if host == ADS and path == "/px.gif":
            resp = web.Response(body=GIF, content_type="image/gif", headers=nc)
            resp.headers.add("Set-Cookie", "__Host-sid=t1; Path=/; Secure; SameSite=None; Max-Age=63072000")
            return resp
        if host == VBEACON and path == "/sw-beacon":
            return web.Response(body=GIF, content_type="image/gif", headers=nc)
        return web.Response(status=404, text="not found")
