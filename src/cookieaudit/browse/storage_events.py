"""Storage writes and tracking-API calls as they happen, in every frame (issue 13).

Two sources, merged into :class:`~cookieaudit.observations.StorageWriteRecord` when the visit ends:

- ``instrument.js`` in every frame (Playwright injects it into every document before its first script, also into
  out-of-process third-party iframes that live for a fraction of a second) reports each call through the
  ``__cookieauditStore`` binding: once at the call (time on the page's clock, writing script, frame URL and origin,
  the top-level origin = the partition) and once with the browser's answer (accepted / the error). A frame removed
  before the answer leaves the call with ``accepted=None``.
- CDP on the page target: ``DOMStorage`` item events (writes no hook saw, e.g. ``localStorage.k = v``), and the
  ``Storage`` domain's Shared Storage, interest-group (Protected Audience) and Attribution Reporting tracking.

Times: hook times are the browser's wall clock (``performance.timeOrigin + performance.now()``), converted with the
browser's wall/monotonic offset once, at the end; CDP ``accessTime`` fields likewise. ``DOMStorage`` events carry
no time: they get the moment they reached the recorder.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

from ..observations import TRACKING_APIS, CookieWriteRecord, StorageWriteRecord

MAX_EVENTS = 20000
_MECH = {"local", "session", "indexeddb", "cache", "service-worker", "cookie", "cookie-store"}


@functools.lru_cache(maxsize=4096)
def site_of(origin: str | None) -> str | None:
    """The schemeful site of an origin: https://www.shop.nl -> https://shop.nl (the storage partition)."""
    from ..kb.parties import registrable_domain

    if not origin or "://" not in origin:
        return None
    p = urlsplit(origin)
    if not p.hostname:
        return None
    return f"{p.scheme}://{registrable_domain(p.hostname)}"


@dataclass
class StorageEvents:
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    cdp: list[dict[str, Any]] = field(default_factory=list)
    dropped: int = 0
    errors: list[str] = field(default_factory=list)
    _tasks: set = field(default_factory=set)

    # -- the hooks in every frame -------------------------------------------------------------------------------
    def on_script(self, ev: dict[str, Any], _wall_to_mono: Callable[[float], float], arrival: float) -> None:
        cid = str(ev.get("id") or "")
        if ev.get("overflow"):
            self.dropped += 1   # a document stopped reporting after 12000 writes
            return
        if ev.get("outcome"):
            call = self.calls.get(cid)
            if call is not None:
                call["accepted"] = ev.get("accepted")
                call["error"] = ev.get("error")
                if ev.get("scope"):
                    call["scope"] = ev["scope"]
            return
        if len(self.calls) >= MAX_EVENTS:
            self.dropped += 1
            return
        ev = dict(ev)
        ev["arrival"] = arrival
        self.calls[cid] = ev

    # -- CDP on the page target -----------------------------------------------------------------------------------
    async def attach_cdp(self, cdp: Any, _wall_to_mono: Callable[[float], float]) -> None:
        try:
            await cdp.send("DOMStorage.enable")
            cdp.on("DOMStorage.domStorageItemAdded", lambda e: self._on_dom(e, e.get("newValue")))
            cdp.on("DOMStorage.domStorageItemUpdated", lambda e: self._on_dom(e, e.get("newValue")))
        except Exception as exc:  # noqa: BLE001 - a bonus source
            self.errors.append(f"CDP DOMStorage events unavailable: {str(exc).splitlines()[0]}")
        tracking = (
            ("Storage.setSharedStorageTracking", "Storage.sharedStorageAccessed", self._on_shared),
            ("Storage.setInterestGroupTracking", "Storage.interestGroupAccessed", self._on_ig),
            ("Storage.setAttributionReportingTracking", "Storage.attributionReportingSourceRegistered", self._on_ara),
        )
        for _m, event, handler in tracking:
            cdp.on(event, handler)
        # one round trip for all three; not every Chromium build has every Privacy Sandbox API (errors ignored)
        await asyncio.gather(*(cdp.send(m, {"enable": True}) for m, _e, _h in tracking), return_exceptions=True)

    def _add_cdp(self, rec: dict[str, Any]) -> None:
        import time

        if len(self.cdp) >= MAX_EVENTS:
            self.dropped += 1
            return
        rec.setdefault("arrival", time.monotonic())
        self.cdp.append(rec)

    def _on_dom(self, e: dict[str, Any], value: Any) -> None:
        sid = e.get("storageId") or {}
        origin = sid.get("securityOrigin") or _key_origin(sid.get("storageKey"))
        self._add_cdp({"mechanism": "local" if sid.get("isLocalStorage") else "session", "key": e.get("key", ""),
                       "value": None if value is None else str(value)[:4096], "origin": origin,
                       "top": _key_top(sid.get("storageKey")) or origin, "api": "DOMStorage event"})

    def _on_shared(self, e: dict[str, Any]) -> None:
        params = e.get("params") or {}
        self._add_cdp({"mechanism": "shared-storage", "key": str(params.get("key") or e.get("type") or ""),
                       "value": params.get("value"), "origin": e.get("ownerOrigin"), "api": f"sharedStorage:{e.get('type')}",
                       "wall": e.get("accessTime")})

    def _on_ig(self, e: dict[str, Any]) -> None:
        self._add_cdp({"mechanism": "interest-group", "key": str(e.get("name") or ""), "value": e.get("type"),
                       "origin": e.get("ownerOrigin"), "api": f"interestGroup:{e.get('type')}", "wall": e.get("accessTime")})

    def _on_ara(self, e: dict[str, Any]) -> None:
        reg = e.get("registration") or {}
        self._add_cdp({"mechanism": "attribution-reporting", "key": str(reg.get("sourceOrigin") or ""),
                       "value": e.get("result"), "origin": reg.get("reportingOrigin"),
                       "api": "attributionReporting:source", "wall": reg.get("time")})

    # -- conversion -------------------------------------------------------------------------------------------
    def _all(self, wall_to_mono: Callable[[float], float], rel: Callable[[float], float],
             phase_at: Callable[[float], str]) -> tuple[list[StorageWriteRecord], list[StorageWriteRecord]]:
        writes: list[tuple[float, StorageWriteRecord]] = []
        calls: list[tuple[float, StorageWriteRecord]] = []
        seen: dict[tuple[str, str | None, str], list[float]] = {}
        for c in self.calls.values():
            try:
                mono = wall_to_mono(float(c["ts"]) / 1000)
            except (KeyError, TypeError, ValueError):
                mono = float(c.get("arrival", 0.0))
            mech = str(c.get("kind") or "")
            rec = StorageWriteRecord(
                t=rel(mono), phase=phase_at(mono), mechanism=mech, key=str(c.get("key") or ""), api=str(c.get("api") or ""),
                value=c.get("value"), frame_url=c.get("href"), origin=c.get("origin"), partition=site_of(c.get("top")),
                script_url=c.get("script"), accepted=c.get("accepted"), error=c.get("error"), scope=c.get("scope"),
            )
            (calls if mech in TRACKING_APIS else writes).append((mono, rec))
            if mech in ("local", "session"):
                seen.setdefault((mech, c.get("origin"), rec.key), []).append(mono)
        for c in self.cdp:
            mech = c["mechanism"]
            mono = wall_to_mono(float(c["wall"])) if c.get("wall") else float(c["arrival"])
            if mech in ("local", "session") and any(
                    abs(m - mono) < 5 for m in seen.get((mech, c.get("origin"), c["key"]), ())):
                continue   # the hook saw this write (with its script)
            rec = StorageWriteRecord(
                t=rel(mono), phase=phase_at(mono), mechanism=mech, key=c["key"], api=c.get("api", ""),
                value=None if c.get("value") is None else str(c["value"])[:4096], origin=c.get("origin"),
                partition=site_of(c.get("top")), accepted=True, source="cdp",
            )
            (calls if mech in TRACKING_APIS else writes).append((mono, rec))
        writes.sort(key=lambda x: x[0])
        calls.sort(key=lambda x: x[0])
        return [w for _m, w in writes], [c for _m, c in calls]

    def records(self, wall_to_mono: Callable[[float], float], rel: Callable[[float], float],
                phase_at: Callable[[float], str]) -> tuple[list[StorageWriteRecord], list[StorageWriteRecord]]:
        return self._all(wall_to_mono, rel, phase_at)

    def cookie_writes(self, wall_to_mono: Callable[[float], float], rel: Callable[[float], float],
                      phase_at: Callable[[float], str], limit: int, truncated: dict[str, int]) -> list[CookieWriteRecord]:
        out: list[tuple[float, CookieWriteRecord]] = []
        for c in self.calls.values():
            if c.get("kind") not in ("cookie", "cookie-store"):
                continue
            if len(out) >= limit:
                truncated["cookie_writes"] = truncated.get("cookie_writes", 0) + 1
                continue
            try:
                mono = wall_to_mono(float(c["ts"]) / 1000)
            except (KeyError, TypeError, ValueError):
                mono = float(c.get("arrival", 0.0))
            out.append((mono, CookieWriteRecord(
                t=rel(mono), phase=phase_at(mono), frame_url=str(c.get("href") or ""), script_url=c.get("script"),
                cookie=str(c.get("value") or ""), accepted=c.get("accepted"), origin=c.get("origin"),
                partition=site_of(c.get("top")), api=str(c.get("api") or "document.cookie"))))
        out.sort(key=lambda x: x[0])
        return [w for _m, w in out]


def _key_origin(key: str | None) -> str | None:
    """CDP storage keys: 'https://a.example/' (first party) or 'https://a.example/^0https://top.example' (partitioned)."""
    if not key:
        return None
    return key.split("^", 1)[0].rstrip("/") or None


def _key_top(key: str | None) -> str | None:
    if not key or "^0" not in key:
        return None
    return key.split("^0", 1)[1].split("^", 1)[0] or None
