"""Turns what one browser context does into observation records (the only place that listens to the browser).

One clock: every event is placed on the monotonic clock (CLOCK_MONOTONIC, which is also Chromium's TimeTicks, the
clock of CDP ``timestamp`` fields) and converted to seconds relative to the consent action when the visit ends,
because the consent moment is only known part-way through. Browser-side times come from the browser, not from when
an event reached Python (which lags under load): requests and Set-Cookie lines from the HAR (request start, and
request start + the response-header timings), storage writes from the page's own clock
(``performance.timeOrigin + performance.now()``). Wall times are turned into monotonic ones with one offset, the
browser's own (``wallTime - timestamp`` of CDP ``Network.requestWillBeSent``); its distance from Python's offset is
recorded as ``browser.clock.skew_ms``.

Storage: ``instrument.js`` reports every write in every frame (also short-lived third-party iframes, which
Playwright instruments before their first script) through the ``__cookieauditStore`` binding, once at the call and
once with the browser's answer; CDP ``DOMStorage`` events add writes no hook saw, and CDP ``Storage`` tracking
(IndexedDB / Cache Storage per storage key, Shared Storage, interest groups, Attribution Reporting) confirms writes
whose frame was removed before it could report the outcome. The end-of-phase snapshot (what is still there) is kept.
"""

from __future__ import annotations

import dataclasses

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Cookie, Frame, Page, Request, Response, WebSocket

from ..observations import (
    MAX_POST_DATA,
    CacheStorageRecord,
    CookieRecord,
    CookieWriteRecord,
    IndexedDBRecord,
    RequestRecord,
    ServiceWorkerRecord,
    SetCookieRecord,
    StorageRecord,
    StorageWriteRecord,
)
from .storage_events import StorageEvents, site_of
from .frames import searchable_frames

INSTRUMENT_JS = (Path(__file__).with_name("instrument.js")).read_text(encoding="utf-8")

STORAGE_DUMP_JS = """async () => {
  const anc = Array.from(location.ancestorOrigins || []);
  const out = {origin: location.origin, top: anc.length ? anc[anc.length - 1] : location.origin, local: [], session: [], idb: [], caches: []};
  const cap = (v) => (v == null ? "" : String(v).slice(0, 4096));
  try { for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i); out.local.push([k, cap(localStorage.getItem(k))]); } } catch (e) {}
  try { for (let i = 0; i < sessionStorage.length; i++) { const k = sessionStorage.key(i); out.session.push([k, cap(sessionStorage.getItem(k))]); } } catch (e) {}
  try { if (indexedDB.databases) { out.idb = (await indexedDB.databases()).map(d => d.name); } } catch (e) {}
  try { out.caches = await caches.keys(); } catch (e) {}
  return out;
}"""

MAX_STORAGE_ITEMS = 2000
MAX_COOKIES = 5000
MAX_REQUESTS = 20000
MAX_COOKIE_WRITES = 5000   # instrument.js stops reporting after this many per document, too
MAX_SET_COOKIES = 5000
MAX_STORAGE_WRITES = 5000   # write events kept per visit (the end-of-phase snapshots keep what is stored)
MAX_WRITE_VALUE = 1024      # characters of a written value kept in the event (the snapshot keeps 4096)


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
    service_worker: str | None = None
    mono_response: float | None = None
    timed: bool = False          # mono is the browser's request start (HAR), not the arrival in Python


@dataclass
class VisitRecorder:
    """Collects raw events for one context; ``records(t0)`` turns them into observation records."""

    context: BrowserContext
    phase: str = "before-consent"
    _requests: list[_Req] = field(default_factory=list)
    _by_request: dict[int, _Req] = field(default_factory=dict)
    _set_cookies: list[tuple[float, str, str, str, str | None]] = field(default_factory=list)
    _blocked: dict[str, list[str]] = field(default_factory=dict)
    _initiators: dict[str, str] = field(default_factory=dict)
    cookies: list[CookieRecord] = field(default_factory=list)
    storage: list[StorageRecord] = field(default_factory=list)
    indexeddb: list[IndexedDBRecord] = field(default_factory=list)
    caches: list[CacheStorageRecord] = field(default_factory=list)
    store: StorageEvents = field(default_factory=StorageEvents)
    _workers: dict[str, float] = field(default_factory=dict)          # service-worker script URL -> first seen
    _clock: list[float] = field(default_factory=list)                 # browser (wallTime - timestamp) samples
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
        ctx.on("serviceworker", self._on_service_worker)
        ctx.on("request", self._on_request)
        ctx.on("requestfinished", self._on_finished)
        ctx.on("requestfailed", self._on_failed)
        ctx.on("response", self._on_response)
        page.on("websocket", self._on_websocket)
        # side by side (one round trip, not four): all of it is in place before the first navigation
        await asyncio.gather(ctx.expose_binding("__cookieauditStore", self._on_store),
                             ctx.add_init_script(script=INSTRUMENT_JS), self._attach_cdp(page))

    async def _attach_cdp(self, page: Page) -> None:
        try:
            self._cdp = await self.context.new_cdp_session(page)
            self._cdp.on("Network.requestWillBeSent", self._on_cdp_request)
            self._cdp.on("Network.responseReceivedExtraInfo", self._on_cdp_extra)
            await self._cdp.send("Network.enable")
        except Exception as exc:  # noqa: BLE001 - CDP details are a bonus, not a requirement
            self.errors.append(f"CDP network details unavailable: {exc}")
        if self._cdp is not None:
            await self.store.attach_cdp(self._cdp, self._wall_to_mono)

    @property
    def cdp(self) -> Any:
        """The visit's own DevTools session on its page (None when it could not be opened)."""
        return self._cdp

    # -- event handlers --------------------------------------------------------------------------------
    def _touch(self) -> None:
        self.last_activity = time.monotonic()

    def _on_request(self, request: Request) -> None:
        self._touch()
        if len(self._requests) >= MAX_REQUESTS:
            self.truncated["requests"] = self.truncated.get("requests", 0) + 1
            return
        frame: Frame | None
        frame_url: str | None
        try:
            frame = request.frame
            frame_url = frame.url
            page_url = frame.page.url if frame.page else None
        except Exception:  # noqa: BLE001 - service-worker requests have no frame
            frame = frame_url = page_url = None
        try:
            worker = request.service_worker
            worker_url = worker.url if worker is not None else None
        except Exception:  # noqa: BLE001
            worker_url = None
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
            page_url=page_url, post_data=_bounded(post), service_worker=worker_url,
        )
        if worker_url:
            self._workers.setdefault(worker_url, rec.mono)
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

    def _wall_to_mono(self, wall: float) -> float:
        """A browser wall time (s) on the monotonic clock, with the browser's own offset (one conversion)."""
        return wall - self.clock_offset

    @property
    def clock_offset(self) -> float:
        if self._clock:
            ordered = sorted(self._clock)
            return ordered[len(ordered) // 2]
        return self._wall_offset

    def clock_facts(self) -> dict[str, Any]:
        skew = (self.clock_offset - self._wall_offset) * 1000 if self._clock else None
        return {"source": "browser (CDP wallTime - timestamp)" if self._clock else "python (no CDP samples)",
                "samples": len(self._clock), "skew_ms": round(skew, 3) if skew is not None else None}

    def read_har(self, har_path: Path) -> None:
        """Request start and response-header times, raw Set-Cookie headers (also of cookies the browser then blocked)
        and server addresses, from the HAR (browser times)."""
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
        timed: list[tuple[float, dict]] = []
        for e in entries:
            try:
                timed.append((self._wall_to_mono(
                    datetime.fromisoformat(e["startedDateTime"].replace("Z", "+00:00")).timestamp()), e))
            except (KeyError, ValueError):
                continue
        timed.sort(key=lambda x: x[0])
        for mono, e in timed:
            url = e["request"]["url"]
            cands = [r for r in by_url.get(url, []) if not r.timed] or by_url.get(url, [])
            # Python sees a request after the browser started it: the nearest arrival at or after the start
            rec = min(cands, key=lambda r: (r.mono < mono - 0.05, abs(r.mono - mono))) if cands else None
            tm = e.get("timings") or {}
            head = sum(max(0.0, float(tm.get(k) or 0)) for k in ("blocked", "dns", "connect", "send", "wait")) / 1000
            resp_mono = mono + head
            if rec is not None and not rec.timed:
                rec.mono, rec.mono_response, rec.timed = mono, resp_mono, True
                rec.phase = self._phase_at(mono)
            if rec is not None and e.get("serverIPAddress"):
                port = e.get("_serverPort")
                rec.remote_address = e["serverIPAddress"] + (f":{port}" if port else "")
            for h in e.get("response", {}).get("headers", []):
                if h.get("name", "").lower() == "set-cookie":
                    for line in h["value"].split("\n"):
                        if len(self._set_cookies) >= MAX_SET_COOKIES:
                            self.truncated["set_cookies"] = self.truncated.get("set_cookies", 0) + 1
                            continue
                        # the header arrived with the response: never before its own request
                        at = max(resp_mono, rec.mono) if rec is not None else resp_mono
                        self._set_cookies.append((at, self._phase_at(at), url, line, rec.id if rec else None))

    def _on_websocket(self, ws: WebSocket) -> None:
        self._touch()
        self._requests.append(_Req(
            id=f"r{len(self._requests) + 1}", mono=time.monotonic(), phase=self.phase, url=ws.url,
            method="GET", resource_type="websocket", frame_url=None, page_url=None, post_data=None,
        ))

    def _on_cdp_request(self, event: dict[str, Any]) -> None:
        if len(self._clock) < 200 and event.get("wallTime") and event.get("timestamp"):
            self._clock.append(float(event["wallTime"]) - float(event["timestamp"]))
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

    def _on_store(self, source: dict[str, Any], events: Any) -> None:
        arrival = time.monotonic()
        for event in events if isinstance(events, list) else [events]:
            if isinstance(event, dict):
                self.store.on_script(event, self._wall_to_mono, arrival)
                if event.get("kind") == "cookie":
                    self.last_activity = arrival   # as before: cookie writes count as activity for settle

    def _on_service_worker(self, worker: Any) -> None:
        self._touch()
        try:
            self._workers.setdefault(worker.url, time.monotonic())
        except Exception:  # noqa: BLE001
            pass

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
        async def dump_of(frame: Any) -> Any:
            try:
                return await asyncio.wait_for(frame.evaluate(STORAGE_DUMP_JS), timeout=3)
            except Exception:  # noqa: BLE001 - detached or opaque-origin frames
                return None

        # every frame at once (one round trip, not one per frame), read in the frames' order
        # (frames that never committed a document have no storage and would only wait out the time-out)
        for dump in await asyncio.gather(*(dump_of(f) for f in searchable_frames(page))):
            if not isinstance(dump, dict):
                continue
            origin = dump.get("origin") or "null"
            part = site_of(dump.get("top"))
            for kind in ("local", "session"):
                if (origin, kind) in seen_origins:
                    continue
                seen_origins.add((origin, kind))
                for key, value in dump.get(kind, []):
                    count += 1
                    if count > MAX_STORAGE_ITEMS:
                        self.truncated["storage"] = self.truncated.get("storage", 0) + 1
                        continue
                    self.storage.append(StorageRecord(self.phase, origin, kind, key, value, partition=part))
            if (origin, "idb") in seen_origins:
                continue
            seen_origins.add((origin, "idb"))
            for name in dump.get("idb", []):
                self.indexeddb.append(IndexedDBRecord(self.phase, origin, str(name), partition=part))
            for name in dump.get("caches", [])[:200]:
                self.caches.append(CacheStorageRecord(self.phase, origin, str(name), partition=part))

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
                service_worker=r.service_worker,
                t_response=rel(r.mono_response) if r.mono_response is not None else None,
            )
            for r in self._requests
        ]
        set_cookies = [
            SetCookieRecord(t=rel(mono), phase=phase, url=url, header=line,
                            blocked_reasons=tuple(dict.fromkeys(self._blocked.get(line, ()))), request_id=rid)
            for mono, phase, url, line, rid in self._set_cookies
        ]
        writes = self.store.cookie_writes(self._wall_to_mono, rel, self._phase_at, MAX_COOKIE_WRITES, self.truncated)
        cookies = [_with_origin(c, set_cookies, writes) for c in self.cookies]
        return requests, set_cookies, writes, cookies


    def storage_records(self, t0: float) -> tuple[list[StorageWriteRecord], list[StorageWriteRecord], list[ServiceWorkerRecord]]:
        """Storage writes, tracking-API calls and service workers, on the same clock as ``records``."""
        rel = lambda mono: round(mono - t0, 3)  # noqa: E731
        writes, calls = self.store.records(self._wall_to_mono, rel, self._phase_at)
        dropped = self.store.dropped + max(0, len(writes) - MAX_STORAGE_WRITES)
        writes = [w if w.value is None or len(w.value) <= MAX_WRITE_VALUE else dataclasses.replace(w, value=w.value[:MAX_WRITE_VALUE])
                  for w in writes[:MAX_STORAGE_WRITES]]
        if dropped:
            self.truncated["storage_writes"] = dropped
        workers: list[ServiceWorkerRecord] = []
        regs = [w for w in writes if w.mechanism == "service-worker"]
        for url, mono in self._workers.items():
            reg = next((w for w in regs if w.key == url), None)
            ids = tuple(r.id for r in self._requests if r.service_worker == url)
            workers.append(ServiceWorkerRecord(
                t=reg.t if reg else rel(mono), phase=reg.phase if reg else self._phase_at(mono), script_url=url,
                scope=reg.scope if reg else None, origin=reg.origin if reg else _origin(url),
                partition=reg.partition if reg else None, registered_by=reg.script_url if reg else None,
                request_ids=ids))
        for reg in regs:   # registered but never seen running (refused, or the visit ended first)
            if reg.key not in self._workers and reg.accepted:
                workers.append(ServiceWorkerRecord(t=reg.t, phase=reg.phase, script_url=reg.key, scope=reg.scope,
                                                   origin=reg.origin, partition=reg.partition,
                                                   registered_by=reg.script_url))
        return writes, calls, workers


def _with_origin(c: CookieRecord, set_cookies: list[SetCookieRecord], writes: list[CookieWriteRecord]) -> CookieRecord:
    """Attach the first moment a cookie of this name was set and the response/script that set it."""
    best: tuple[float, str | None] | None = None
    for s in set_cookies:
        if s.header.split("=", 1)[0].strip() == c.name and not s.blocked_reasons and _domain_matches(c.domain, s.url):
            best = (s.t, s.url) if best is None or s.t < best[0] else best
    for w in writes:
        if w.accepted is False:
            continue   # the browser refused it: it set nothing
        if w.cookie.split("=", 1)[0].strip() == c.name and _domain_matches(c.domain, w.frame_url):
            cand = (w.t, w.script_url or w.frame_url)
            best = cand if best is None or cand[0] < best[0] else best
    if best is None:
        return c
    from dataclasses import replace

    return replace(c, first_seen_t=best[0], set_by=best[1])


def _origin(url: str) -> str | None:
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc}" if p.scheme and p.netloc else None


def _domain_matches(cookie_domain: str, url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    d = cookie_domain.lstrip(".").lower()
    return not d or host == d or host.endswith("." + d)


def _pw_cookie_to_cdp(c: Cookie) -> dict[str, Any]:
    out: dict[str, Any] = dict(c)
    out["httpOnly"] = c.get("httpOnly")
    out["session"] = c.get("expires", -1) < 0
    return out
