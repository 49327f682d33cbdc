"""Turns what one browser context does into observation records (the only place that listens to the browser).

Everything is timestamped with ``time.monotonic()`` while the visit runs and converted to seconds relative
to the consent action when the visit ends, because the consent moment is only known part-way through.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Page, Request, Response, WebSocket

from ..observations import (
    MAX_POST_DATA,
    CookieRecord,
    CookieWriteRecord,
    IndexedDBRecord,
    RequestRecord,
    SetCookieRecord,
    StorageRecord,
)

INSTRUMENT_JS = (Path(__file__).with_name("instrument.js")).read_text(encoding="utf-8")

STORAGE_DUMP_JS = """async () => {
  const out = {origin: location.origin, local: [], session: [], idb: []};
  const cap = (v) => (v == null ? "" : String(v).slice(0, 4096));
  try { for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i); out.local.push([k, cap(localStorage.getItem(k))]); } } catch (e) {}
  try { for (let i = 0; i < sessionStorage.length; i++) { const k = sessionStorage.key(i); out.session.push([k, cap(sessionStorage.getItem(k))]); } } catch (e) {}
  try { if (indexedDB.databases) { out.idb = (await indexedDB.databases()).map(d => d.name); } } catch (e) {}
  return out;
}"""

MAX_STORAGE_ITEMS = 2000
MAX_COOKIES = 5000
MAX_REQUESTS = 20000
MAX_COOKIE_WRITES = 5000   # instrument.js stops reporting after this many per document, too
MAX_SET_COOKIES = 5000


def _is_navigation(request: Request) -> bool:
    try:
        return request.is_navigation_request()
    except Exception:  # noqa: BLE001
        return False


def _bounded(text: str | None, limit: int = MAX_POST_DATA) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[:limit] + f"…[{len(text) - limit} more bytes]"


@dataclass
class _Req:
    id: str
    mono: float
    phase: str
    url: str
    method: str
    resource_type: str
    frame_url: str | None
    page_url: str | None
    post_data: str | None
    initiator: str | None = None
    status: int | None = None
    failure: str | None = None
    remote_address: str | None = None


@dataclass
class VisitRecorder:
    """Collects raw events for one context; ``records(t0)`` turns them into observation records."""

    context: BrowserContext
    phase: str = "before-consent"
    _requests: list[_Req] = field(default_factory=list)
    _by_request: dict[int, _Req] = field(default_factory=dict)
    _set_cookies: list[tuple[float, str, str, str, str | None]] = field(default_factory=list)
    _blocked: dict[str, list[str]] = field(default_factory=dict)
    _writes: list[tuple[float, str, str, str | None, str]] = field(default_factory=list)
    _initiators: dict[str, str] = field(default_factory=dict)
    cookies: list[CookieRecord] = field(default_factory=list)
    storage: list[StorageRecord] = field(default_factory=list)
    indexeddb: list[IndexedDBRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _open: dict[int, Any] = field(default_factory=dict)   # id(request) -> its frame (None: no frame)
    last_activity: float = field(default_factory=time.monotonic)
    _tasks: set[asyncio.Task] = field(default_factory=set)
    _cdp: Any = None
    truncated: dict[str, int] = field(default_factory=dict)
    _phases: list[tuple[float, str]] = field(default_factory=lambda: [(0.0, "before-consent")])
    _wall_offset: float = field(default_factory=lambda: time.time() - time.monotonic())

    async def attach(self, page: Page) -> None:
        ctx = self.context
        await ctx.expose_binding("__cookieauditCookieWrite", self._on_cookie_write)
        await ctx.add_init_script(script=INSTRUMENT_JS)
        ctx.on("request", self._on_request)
        ctx.on("requestfinished", self._on_finished)
        ctx.on("requestfailed", self._on_failed)
        ctx.on("response", self._on_response)
        page.on("websocket", self._on_websocket)
        try:
            self._cdp = await ctx.new_cdp_session(page)
            await self._cdp.send("Network.enable")
            self._cdp.on("Network.requestWillBeSent", self._on_cdp_request)
            self._cdp.on("Network.responseReceivedExtraInfo", self._on_cdp_extra)
        except Exception as exc:  # noqa: BLE001 - CDP details are a bonus, not a requirement
            self.errors.append(f"CDP network details unavailable: {exc}")

    # -- event handlers --------------------------------------------------------------------------------
    def _touch(self) -> None:
        self.last_activity = time.monotonic()

    def _on_request(self, request: Request) -> None:
        self._touch()
        if len(self._requests) >= MAX_REQUESTS:
            self.truncated["requests"] = self.truncated.get("requests", 0) + 1
            return
        try:
            frame = request.frame
            frame_url = frame.url
            page_url = frame.page.url if frame.page else None
        except Exception:  # noqa: BLE001 - service-worker requests have no frame
            frame = frame_url = page_url = None
        if frame is not None or not _is_navigation(request):
            # a new window's first navigation has no frame yet; the visit closes such popups, so it never finishes
            self._open[id(request)] = frame
        try:
            post = request.post_data
        except Exception:  # noqa: BLE001 - binary bodies
            post = "<binary body>"
        rec = _Req(
            id=f"r{len(self._requests) + 1}", mono=time.monotonic(), phase=self.phase, url=request.url,
            method=request.method, resource_type=request.resource_type, frame_url=frame_url,
            page_url=page_url, post_data=_bounded(post),
        )
        self._requests.append(rec)
        self._by_request[id(request)] = rec

    def _done(self, request: Request) -> _Req | None:
        self._touch()
        rec = self._by_request.get(id(request))
        self._open.pop(id(request), None)
        return rec

    @property
    def inflight(self) -> int:
        """Requests still open. A frame that is gone (a popup closed mid-load) never finishes its requests: not counted."""
        return sum(1 for frame in self._open.values() if not self._gone(frame))

    @staticmethod
    def _gone(frame: Any) -> bool:
        """Detached, or its page closed (looked up now: at request time a popup's frame has no page yet)."""
        if frame is None:
            return False
        try:
            page = frame.page
            return frame.is_detached() or (page is not None and page.is_closed())
        except Exception:  # noqa: BLE001
            return True

    def _on_finished(self, request: Request) -> None:
        self._done(request)

    def _on_failed(self, request: Request) -> None:
        rec = self._done(request)
        if rec is not None:
            rec.failure = request.failure or "failed"

    def _on_response(self, response: Response) -> None:
        # no round trip per response: raw Set-Cookie lines and server addresses come from the HAR afterwards
        self._touch()
        rec = self._by_request.get(id(response.request))
        if rec is not None:
            rec.status = response.status

    def _phase_at(self, mono: float) -> str:
        phase = self._phases[0][1]
        for start, name in self._phases:
            if start <= mono:
                phase = name
        return phase

    def set_phase(self, phase: str) -> None:
        self.phase = phase
        self._phases.append((time.monotonic(), phase))

    def read_har(self, har_path: Path) -> None:
        """Raw Set-Cookie headers (also of cookies the browser then blocked) and server addresses, from the HAR."""
        import json
        from datetime import datetime

        try:
            entries = json.loads(har_path.read_text(encoding="utf-8"))["log"]["entries"]
        except Exception as exc:  # noqa: BLE001
            self.errors.append(f"HAR unreadable, Set-Cookie headers missing: {exc}")
            return
        by_url: dict[str, list[_Req]] = {}
        for r in self._requests:
            by_url.setdefault(r.url, []).append(r)
        for e in entries:
            try:
                mono = datetime.fromisoformat(e["startedDateTime"].replace("Z", "+00:00")).timestamp() - self._wall_offset
            except (KeyError, ValueError):
                continue
            url = e["request"]["url"]
            cands = by_url.get(url, [])
            rec = min(cands, key=lambda r: abs(r.mono - mono)) if cands else None
            if rec is not None and e.get("serverIPAddress"):
                port = e.get("_serverPort")
                rec.remote_address = e["serverIPAddress"] + (f":{port}" if port else "")
            for h in e.get("response", {}).get("headers", []):
                if h.get("name", "").lower() == "set-cookie":
                    for line in h["value"].split("\n"):
                        if len(self._set_cookies) >= MAX_SET_COOKIES:
                            self.truncated["set_cookies"] = self.truncated.get("set_cookies", 0) + 1
                            continue
                        self._set_cookies.append((mono, self._phase_at(mono), url, line, rec.id if rec else None))

    def _on_websocket(self, ws: WebSocket) -> None:
        self._touch()
        self._requests.append(_Req(
            id=f"r{len(self._requests) + 1}", mono=time.monotonic(), phase=self.phase, url=ws.url,
            method="GET", resource_type="websocket", frame_url=None, page_url=None, post_data=None,
        ))

    def _on_cdp_request(self, event: dict[str, Any]) -> None:
        url = event.get("request", {}).get("url")
        init = event.get("initiator") or {}
        src = init.get("url")
        if not src:
            for frame in (init.get("stack") or {}).get("callFrames", []):
                if frame.get("url"):
                    src = frame["url"]
                    break
        if url and src and url not in self._initiators:
            self._initiators[url] = src

    def _on_cdp_extra(self, event: dict[str, Any]) -> None:
        for blocked in event.get("blockedCookies", []):
            line = blocked.get("cookieLine") or ""
            self._blocked.setdefault(line, []).extend(blocked.get("blockedReasons", []))

    def _on_cookie_write(self, source: dict[str, Any], cookie: str, script: str | None, href: str) -> None:
        self._touch()
        if len(self._writes) >= MAX_COOKIE_WRITES:
            self.truncated["cookie_writes"] = self.truncated.get("cookie_writes", 0) + 1
            return
        self._writes.append((time.monotonic(), self.phase, href, script, cookie))

    # -- snapshots at the end of a phase ---------------------------------------------------------------
    async def snapshot(self, page: Page) -> None:
        """Record the cookie jar (CDP keeps 'SameSite unset' apart from Lax) and storage of every frame."""
        await self.flush()
        try:
            if self._cdp is not None:
                raw = (await self._cdp.send("Network.getAllCookies"))["cookies"]
            else:
                raw = [_pw_cookie_to_cdp(c) for c in await self.context.cookies()]
        except Exception as exc:  # noqa: BLE001
            self.errors.append(f"{self.phase}: cookie jar unreadable: {exc}")
            raw = []
        if len(raw) > MAX_COOKIES:
            self.truncated["cookies"] = len(raw) - MAX_COOKIES
            raw = raw[:MAX_COOKIES]
        for c in raw:
            pk = c.get("partitionKey")
            if isinstance(pk, dict):
                pk = pk.get("topLevelSite")
            self.cookies.append(CookieRecord(
                phase=self.phase, name=c["name"], value=c.get("value", "")[:4096], domain=c["domain"],
                path=c.get("path", "/"), expires=None if c.get("session") or c.get("expires", -1) < 0 else c["expires"],
                http_only=bool(c.get("httpOnly")), secure=bool(c.get("secure")), same_site=c.get("sameSite"),
                partition_key=pk, size=int(c.get("size", len(c["name"]) + len(c.get("value", "")))),
            ))
        seen_origins: set[tuple[str, str]] = set()
        count = 0
        for frame in page.frames:
            try:
                dump = await asyncio.wait_for(frame.evaluate(STORAGE_DUMP_JS), timeout=3)
            except Exception:  # noqa: BLE001 - detached or opaque-origin frames
                continue
            origin = dump.get("origin") or "null"
            for kind in ("local", "session"):
                if (origin, kind) in seen_origins:
                    continue
                seen_origins.add((origin, kind))
                for key, value in dump.get(kind, []):
                    count += 1
                    if count > MAX_STORAGE_ITEMS:
                        self.truncated["storage"] = self.truncated.get("storage", 0) + 1
                        continue
                    self.storage.append(StorageRecord(self.phase, origin, kind, key, value))
            for name in dump.get("idb", []):
                self.indexeddb.append(IndexedDBRecord(self.phase, origin, str(name)))

    async def flush(self) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)

    # -- conversion ------------------------------------------------------------------------------------
    def records(self, t0: float) -> tuple[list[RequestRecord], list[SetCookieRecord], list[CookieWriteRecord], list[CookieRecord]]:
        rel = lambda mono: round(mono - t0, 3)  # noqa: E731
        requests = [
            RequestRecord(
                id=r.id, t=rel(r.mono), phase=r.phase, url=r.url, method=r.method, resource_type=r.resource_type,
                frame_url=r.frame_url, page_url=r.page_url, initiator=self._initiators.get(r.url),
                post_data=r.post_data, status=r.status, failure=r.failure, remote_address=r.remote_address,
            )
            for r in self._requests
        ]
        set_cookies = [
            SetCookieRecord(t=rel(mono), phase=phase, url=url, header=line,
                            blocked_reasons=tuple(dict.fromkeys(self._blocked.get(line, ()))), request_id=rid)
            for mono, phase, url, line, rid in self._set_cookies
        ]
        writes = [CookieWriteRecord(t=rel(mono), phase=phase, frame_url=href, script_url=script, cookie=cookie)
                  for mono, phase, href, script, cookie in self._writes]
        cookies = [_with_origin(c, set_cookies, writes) for c in self.cookies]
        return requests, set_cookies, writes, cookies


def _with_origin(c: CookieRecord, set_cookies: list[SetCookieRecord], writes: list[CookieWriteRecord]) -> CookieRecord:
    """Attach the first moment a cookie of this name was set and the response/script that set it."""
    best: tuple[float, str | None] | None = None
    for s in set_cookies:
        if s.header.split("=", 1)[0].strip() == c.name and not s.blocked_reasons and _domain_matches(c.domain, s.url):
            best = (s.t, s.url) if best is None or s.t < best[0] else best
    for w in writes:
        if w.cookie.split("=", 1)[0].strip() == c.name and _domain_matches(c.domain, w.frame_url):
            cand = (w.t, w.script_url or w.frame_url)
            best = cand if best is None or cand[0] < best[0] else best
    if best is None:
        return c
    from dataclasses import replace

    return replace(c, first_seen_t=best[0], set_by=best[1])


def _domain_matches(cookie_domain: str, url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    d = cookie_domain.lstrip(".").lower()
    return not d or host == d or host.endswith("." + d)


def _pw_cookie_to_cdp(c: dict[str, Any]) -> dict[str, Any]:
    out = dict(c)
    out["httpOnly"] = c.get("httpOnly")
    out["session"] = c.get("expires", -1) < 0
    return out
