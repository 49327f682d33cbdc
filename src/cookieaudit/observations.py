"""Plain, serialisable records of what the browser saw during one (domain, consent choice) visit.

Everything downstream (classification, rules, report formats) reads these and nothing else, so they must be
loadable from JSON without a browser. Times are seconds relative to the consent action of the visit
(negative = before the choice was made); ``wall`` fields are UTC ISO-8601 strings.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

OBSERVATION_SCHEMA = "cookieaudit.observation/1"

Phase = Literal["before-consent", "after-choice", "next-page", "after-reload", "after-withdraw"]
PHASES: tuple[str, ...] = ("before-consent", "after-choice", "next-page", "after-reload", "after-withdraw")

# Consent outcome of a visit: did the requested choice verifiably register?
#   verified      - the consent manager's stored state matches the requested choice and the banner is gone
#   unverified    - an action was performed but its effect could not be shown (mismatch / unreadable state)
#   not-performed - no way to perform the choice was found (no banner, no driver matched)
#   not-applicable- the no-interaction choice: nothing is to be done
ConsentOutcomeValue = Literal["verified", "unverified", "not-performed", "not-applicable"]


@dataclass(frozen=True)
class RequestRecord:
    """One network request as Chromium issued it (navigation, subresource, beacon, websocket ...)."""

    id: str                      # "r<n>", unique within the observation
    t: float                     # seconds relative to the consent action
    phase: str
    url: str
    method: str
    resource_type: str           # document, script, image, ping, fetch, xhr, websocket, ...
    frame_url: str | None = None
    page_url: str | None = None  # top-level document URL at the time of the request
    initiator: str | None = None  # URL of the script (or document) that caused the request, when known
    post_data: str | None = None  # bounded (see MAX_POST_DATA)
    status: int | None = None
    failure: str | None = None    # net::ERR_... when the request failed
    remote_address: str | None = None
    service_worker: str | None = None  # script URL of the service worker that made the request (frame_url is None)
    t_response: float | None = None    # when the response headers arrived (same clock as t; None: unknown)


@dataclass(frozen=True)
class SetCookieRecord:
    """A raw Set-Cookie response header line, stored or not (blocked_reasons from CDP say why not).

    ``t`` is when the response headers arrived (never before its request's ``t``)."""

    t: float
    phase: str
    url: str
    header: str
    blocked_reasons: tuple[str, ...] = ()
    request_id: str | None = None


@dataclass(frozen=True)
class CookieRecord:
    """A cookie in the browser's jar at the end of a phase (CDP Storage.getCookies)."""

    phase: str
    name: str
    value: str
    domain: str
    path: str
    expires: float | None        # unix seconds; None for a session cookie
    http_only: bool
    secure: bool
    same_site: str | None        # "Strict" | "Lax" | "None" | None when the site did not set the attribute
    partition_key: str | None
    size: int
    first_seen_t: float | None = None   # earliest time the cookie was seen set (header or JS write)
    set_by: str | None = None            # URL of the response or script that set it, when known


@dataclass(frozen=True)
class CookieWriteRecord:
    """A ``document.cookie = ...`` assignment (or ``cookieStore.set()``) and the script that made it."""

    t: float
    phase: str
    frame_url: str
    script_url: str | None
    cookie: str
    accepted: bool | None = None     # kept by the browser (read back at once); None: not readable (older files)
    origin: str | None = None        # the writing frame's origin
    partition: str | None = None     # top-level site of the frame (the storage partition)
    api: str = "document.cookie"     # or "cookieStore.set"


@dataclass(frozen=True)
class StorageRecord:
    """A Web Storage item at the end of a phase, per frame origin."""

    phase: str
    origin: str
    kind: Literal["local", "session"]
    key: str
    value: str
    partition: str | None = None     # top-level site of the frame whose storage this is


@dataclass(frozen=True)
class IndexedDBRecord:
    phase: str
    origin: str
    name: str
    partition: str | None = None


@dataclass(frozen=True)
class CacheStorageRecord:
    """A Cache API cache (``caches.open(name)``) present at the end of a phase, per frame origin."""

    phase: str
    origin: str
    name: str
    partition: str | None = None


STORAGE_MECHANISMS = ("local", "session", "indexeddb", "cache", "service-worker", "cookie", "cookie-store")
TRACKING_APIS = ("topics", "interest-group", "shared-storage", "attribution-reporting")


@dataclass(frozen=True)
class StorageWriteRecord:
    """One write into browser storage as it happened, in any frame (also frames removed right after), or one call
    of a Privacy Sandbox / tracking API (``tracking_api_calls``).

    ``mechanism``: local | session | indexeddb (``indexedDB.open``) | cache (``caches.open``) | service-worker
    (``navigator.serviceWorker.register``, key = script URL) | cookie (``document.cookie``) | cookie-store
    (``cookieStore.set``); for API calls: topics | interest-group | shared-storage | attribution-reporting.
    ``accepted``: the browser kept it (True), refused it (False, ``error`` says why) or the outcome never came back
    (None: e.g. the frame was removed first). ``source``: ``script`` (the hook in every frame, with the writing
    script) or ``cdp`` (a browser storage event no hook saw, e.g. a property assignment ``localStorage.k = v``)."""

    t: float
    phase: str
    mechanism: str
    key: str
    api: str = ""
    value: str | None = None
    frame_url: str | None = None
    origin: str | None = None
    partition: str | None = None      # top-level site of the frame: the storage partition
    script_url: str | None = None
    accepted: bool | None = None
    error: str | None = None
    scope: str | None = None          # service workers: the registration's scope
    source: str = "script"


@dataclass(frozen=True)
class ServiceWorkerRecord:
    """A service worker the browser ran for the visit (registration scope, script URL, its requests' ids)."""

    t: float | None
    phase: str
    script_url: str
    scope: str | None = None
    origin: str | None = None
    partition: str | None = None
    registered_by: str | None = None  # the script that called register(), when seen
    request_ids: tuple[str, ...] = () # requests the worker itself made


@dataclass(frozen=True)
class PageRecord:
    """One navigation of the visit and the screenshot taken at the end of its phase."""

    phase: str
    url: str
    final_url: str | None
    status: int | None
    title: str | None = None
    screenshot: str | None = None   # path relative to the run folder
    error: str | None = None
    t: float | None = None


@dataclass(frozen=True)
class ConsentStep:
    """One step of the consent interaction (click, API call, autoconsent message), for the interaction log."""

    t: float
    action: str
    detail: str = ""
    ok: bool = True


@dataclass(frozen=True)
class ConsentOutcome:
    requested: str                   # the choice, e.g. "only-performance"
    outcome: str                     # ConsentOutcomeValue
    method: str | None = None        # "selectors" | "autoconsent" | "cmp-api:<name>" | "text-heuristic" | None
    cmp: str | None = None           # detected consent manager
    accepted_categories: tuple[str, ...] | None = None   # as read back from the CMP's stored state
    state: dict[str, Any] | None = None                  # raw state read back (cookie value, API result)
    reason: str = ""                 # why unverified / not performed
    steps: tuple[ConsentStep, ...] = ()
    # the policy categories the choice grants *as performed* (necessary included): an only-<c> for a category the
    # manager does not offer is performed as "nothing optional"; None = as requested (older files)
    granted_categories: tuple[str, ...] | None = None
    not_offered: tuple[str, ...] = ()   # requested policy categories the consent manager offers no choice for
    expressible: bool = True            # False: the banner cannot express this choice at all (accept/decline only)


@dataclass(frozen=True)
class Observation:
    """Everything recorded in one (domain, choice) visit."""

    domain: str
    choice: str
    status: Literal["complete", "incomplete"]
    started_utc: str
    ended_utc: str
    consent_wall_utc: str | None          # wall-clock moment of the consent action (t = 0)
    consent: ConsentOutcome
    pages: tuple[PageRecord, ...] = ()
    requests: tuple[RequestRecord, ...] = ()
    set_cookies: tuple[SetCookieRecord, ...] = ()
    cookies: tuple[CookieRecord, ...] = ()
    cookie_writes: tuple[CookieWriteRecord, ...] = ()
    storage: tuple[StorageRecord, ...] = ()
    indexeddb: tuple[IndexedDBRecord, ...] = ()
    caches: tuple[CacheStorageRecord, ...] = ()                 # end-of-phase snapshot of Cache API caches
    storage_writes: tuple[StorageWriteRecord, ...] = ()         # every storage write as it happened, every frame
    service_workers: tuple[ServiceWorkerRecord, ...] = ()
    tracking_api_calls: tuple[StorageWriteRecord, ...] = ()     # Topics, Protected Audience, Shared Storage, ...
    errors: tuple[str, ...] = ()          # why the visit is incomplete, and non-fatal problems
    evidence: dict[str, str] = field(default_factory=dict)  # "har" -> relative path, ...
    browser: dict[str, Any] = field(default_factory=dict)   # per-visit browser facts (locale, tz, UA, viewport)
    banner: dict[str, Any] = field(default_factory=dict)    # first-layer measurements (browse/banner.py), no-interaction visits
    # a page that was not the site (bot challenge, parked domain, error page where consent is given): kind, reason,
    # matched phrase, phase, url, screenshot, page index (browse/notsite.py); such a visit is never judged
    not_site: dict[str, Any] | None = None
    # seconds per step of the visit (browse/visit.py: context, first page load and settle, consent, screenshots, ...);
    # plain data for the benchmark's profile, never judged (older files: empty)
    timings: dict[str, float] = field(default_factory=dict)
    schema: str = OBSERVATION_SCHEMA

    def capture_epoch(self) -> float:
        """Unix time of the end of the visit, used to turn cookie expiry into a lifetime."""
        from datetime import datetime

        return datetime.fromisoformat(self.ended_utc.replace("Z", "+00:00")).timestamp()

    # -- (de)serialisation ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return _plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Observation":
        if data.get("schema") != OBSERVATION_SCHEMA:
            raise ValueError(f"not a {OBSERVATION_SCHEMA} document (schema={data.get('schema')!r})")
        c = dict(data["consent"])
        c["steps"] = tuple(ConsentStep(**s) for s in c.get("steps", ()))
        for key in ("accepted_categories", "granted_categories"):
            if c.get(key) is not None:
                c[key] = tuple(c[key])
        c["not_offered"] = tuple(c.get("not_offered", ()))
        return cls(
            domain=data["domain"],
            choice=data["choice"],
            status=data["status"],
            started_utc=data["started_utc"],
            ended_utc=data["ended_utc"],
            consent_wall_utc=data.get("consent_wall_utc"),
            consent=ConsentOutcome(**c),
            pages=tuple(PageRecord(**p) for p in data.get("pages", ())),
            requests=tuple(_load(RequestRecord, r) for r in data.get("requests", ())),
            set_cookies=tuple(
                _load(SetCookieRecord, {**s, "blocked_reasons": tuple(s.get("blocked_reasons", ()))})
                for s in data.get("set_cookies", ())
            ),
            cookies=tuple(_load(CookieRecord, k) for k in data.get("cookies", ())),
            cookie_writes=tuple(_load(CookieWriteRecord, w) for w in data.get("cookie_writes", ())),
            storage=tuple(_load(StorageRecord, s) for s in data.get("storage", ())),
            indexeddb=tuple(_load(IndexedDBRecord, i) for i in data.get("indexeddb", ())),
            caches=tuple(_load(CacheStorageRecord, c) for c in data.get("caches", ())),
            storage_writes=tuple(_load(StorageWriteRecord, w) for w in data.get("storage_writes", ())),
            service_workers=tuple(_load(ServiceWorkerRecord, {**w, "request_ids": tuple(w.get("request_ids", ()))})
                                  for w in data.get("service_workers", ())),
            tracking_api_calls=tuple(_load(StorageWriteRecord, w) for w in data.get("tracking_api_calls", ())),
            errors=tuple(data.get("errors", ())),
            evidence=dict(data.get("evidence", {})),
            browser=dict(data.get("browser", {})),
            banner=dict(data.get("banner", {})),
            not_site=data.get("not_site"),
            timings=dict(data.get("timings", {})),
        )

    def dump(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_text(json.dumps(self.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> "Observation":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


MAX_POST_DATA = 8192


def _load(cls: type, data: dict[str, Any]) -> Any:
    """A record from its dict; fields this version does not know (a newer writer's additions) are ignored."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj
