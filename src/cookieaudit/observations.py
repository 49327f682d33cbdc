"""Plain, serialisable records of what the browser saw during one (domain, consent choice) visit.

Everything downstream (classification, rules, report formats) reads these and nothing else, so they must be
loadable from JSON without a browser. Times are seconds relative to the consent action of the visit
(negative = before the choice was made); ``wall`` fields are UTC ISO-8601 strings.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, ClassVar, Literal, Self, TypeVar

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


# -- typed parts of free-form JSON objects (the banner measurement, the consent state) ---------------------------

@dataclass(frozen=True)
class JsonPart:
    """Base of the typed views of JSON objects whose keys grew over the versions (or come from a page's script).

    Known keys are fields; keys this version does not know are kept in ``extra`` as read. ``json_keys`` are the keys
    a loaded object had, in their order: writing it back gives the same bytes (an older file without a newer key
    stays without it; ``None`` for a record built by this version, which writes every field except the ones in
    ``_OMIT_NONE`` that are None). A field not in ``json_keys`` is written only once set to a non-default value."""

    extra: dict[str, Any] = field(default_factory=dict, kw_only=True)
    json_keys: tuple[str, ...] | None = field(default=None, kw_only=True, compare=False, repr=False)

    _OMIT_NONE: ClassVar[frozenset[str]] = frozenset()   # fields a new record writes only when not None
    _FLATTEN: ClassVar[frozenset[str]] = frozenset()     # record fields whose keys are written in the parent object

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Known keys as fields, the rest as ``extra``, the keys' order as ``json_keys`` (a part with nested records
        overrides this to read them)."""
        return _read(cls, data)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name in ("extra", "json_keys"):
                continue
            value = getattr(self, f.name)
            if f.name in self._FLATTEN:
                out.update(value.to_dict() if value is not None else {})
            elif self._writes(f, value):
                out[f.name] = _plain(value)
        out.update(_plain(self.extra))
        if self.json_keys is not None:
            out = {**{k: out[k] for k in self.json_keys if k in out}, **out}
        return out

    def _writes(self, f: dataclasses.Field, value: Any) -> bool:
        """A loaded record writes the keys it was read with and what was set since; a new one all but empty extras."""
        if f.name in self.extra:
            return False      # kept as read: a value of a shape this version does not take for that field
        if self.json_keys is None:
            return value is not None or f.name not in self._OMIT_NONE
        return f.name in self.json_keys or value != _default(f)


_P = TypeVar("_P", bound=JsonPart)


def _default(f: dataclasses.Field) -> Any:
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default  # type: ignore[misc]


def _read(cls: type[_P], data: dict[str, Any], **convert: Callable[[Any], Any]) -> _P:
    """A :class:`JsonPart` from its JSON object: known keys as fields (through ``convert`` where given), the rest
    as ``extra``, the keys' order as ``json_keys``."""
    names = {f.name for f in dataclasses.fields(cls)} - {"extra", "json_keys"} - cls._FLATTEN
    known = {k: (convert[k](v) if k in convert else v) for k, v in data.items() if k in names}
    return cls(**known, extra={k: v for k, v in data.items() if k not in names}, json_keys=tuple(data))


def _opt(load: Callable[[dict[str, Any]], _P]) -> Callable[[Any], _P | None]:
    return lambda v: None if v is None else load(v)


@dataclass(frozen=True)
class ConsentState(JsonPart):
    """The consent state as the page's consent manager stores it, read back after (or without) a choice, plus what
    the driver made of it. Typed so the rules read its parts by name; ``raw`` stays the manager's own free-form
    answer (cookie value, API result: a different shape per manager), kept as evidence: no rule reads it (only the
    driver's TCF check reads its ``tcString``). ``mapping``, ``offer`` and ``tc_string_decoded`` stay the plain
    records of the mapping step and the TCF decoder (``CategoryMapping.to_dict()``, ``Offer.to_dict()``), shown as
    evidence; the rules read ``mapped``.

    Built from the reading (:meth:`from_dict`): the keys a manager's reader returned are written back as read."""

    decided: bool = False                  # the manager stores a decision (not just defaults)
    categories: dict[str, Any] = field(default_factory=dict)   # manager key -> its stored answer (True: granted)
    level: str | None = None               # "service": the keys are services, not categories
    raw: Any = None                        # free-form: the manager's own record / API result (evidence only)
    tc_string_decoded: dict[str, Any] | None = None   # the TCF string decoded in Python (browse/consent/tcf.py)
    mapped: dict[str, Any] | None = None   # key -> policy category, list of them, "*" or None (consent_map legacy())
    mapping: dict[str, Any] | None = None  # key -> how it was mapped, with the source (CategoryMapping.to_dict())
    offer: dict[str, Any] | None = None    # what the manager's configuration offered (Offer.to_dict())
    granularity: str | None = None         # "all-or-nothing": the banner has no per-category choice
    accept: ConsentState | None = None     # withdraw visits: the state after the accept-all ...
    withdraw: ConsentState | None = None   # ... and after the withdrawal

    _OMIT_NONE: ClassVar[frozenset[str]] = frozenset(
        {"level", "raw", "tc_string_decoded", "mapped", "mapping", "offer", "granularity", "accept", "withdraw"})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ConsentState":
        state = _read(cls, data, accept=_opt(cls.from_dict), withdraw=_opt(cls.from_dict))
        if not isinstance(state.categories, dict):   # hand-written / foreign files: a list is not a manager's record
            state = replace(state, categories={}, extra={**state.extra, "categories": data["categories"]})
        return state

    @property
    def categories_read(self) -> bool:
        """The reading has a record of the manager's keys (older or hand-written files may lack it or hold a list)."""
        return "categories" not in self.extra and (self.json_keys is None or "categories" in self.json_keys)

    @classmethod
    def withdrawal(cls, accept: ConsentState | None, withdraw: ConsentState | None = None,
                   performed: bool = True) -> "ConsentState":
        """A withdraw visit's state: the one after accepting and, once the withdrawal was performed, the one after
        withdrawing (either may be None: not read)."""
        return cls(accept=accept, withdraw=withdraw, json_keys=("accept", "withdraw") if performed else ("accept",))

    @classmethod
    def all_or_nothing(cls, state: ConsentState | None) -> "ConsentState":
        """The state read (or nothing read), marked as that of a banner with no per-category choice."""
        return replace(state if state is not None else cls(json_keys=()), granularity="all-or-nothing")

@dataclass(frozen=True)
class ConsentOutcome:
    requested: str                   # the choice, e.g. "only-performance"
    outcome: str                     # ConsentOutcomeValue
    method: str | None = None        # "selectors" | "autoconsent" | "cmp-api:<name>" | "text-heuristic" | None
    cmp: str | None = None           # detected consent manager
    accepted_categories: tuple[str, ...] | None = None   # as read back from the CMP's stored state
    state: ConsentState | None = None                    # the state read back (cookie value, API result, mapping)
    reason: str = ""                 # why unverified / not performed
    steps: tuple[ConsentStep, ...] = ()
    # the policy categories the choice grants *as performed* (necessary included): an only-<c> for a category the
    # manager does not offer is performed as "nothing optional"; None = as requested (older files)
    granted_categories: tuple[str, ...] | None = None
    not_offered: tuple[str, ...] = ()   # requested policy categories the consent manager offers no choice for
    expressible: bool = True            # False: the banner cannot express this choice at all (accept/decline only)


@dataclass(frozen=True)
class BannerControl(JsonPart):
    """An accept / reject / settings control as measured on the page (browse/banner.py): what it says, its box in
    top-page coordinates and how it looks, with the WCAG contrasts the prominence rule compares."""

    text: str | None = None
    tag: str | None = None
    role: str | None = None
    x: float | None = None
    y: float | None = None
    width: float | None = None
    height: float | None = None
    font_size: float | None = None
    font_weight: str | None = None
    color: str | None = None
    background: str | None = None          # the effective background (the first opaque one up the tree)
    surround: str | None = None            # what is behind that background
    own_background: str | None = None      # the control's own fill ("image"), None when transparent
    behind: str | None = None              # the first opaque background behind the control itself
    border: str | None = None              # top border: "<width> <style>"
    border_color: str | None = None
    text_decoration: str | None = None
    frame: str | None = None               # URL of the iframe the control is in (None: the page itself)
    area: float | None = None
    text_contrast: float | None = None     # WCAG ratio of text and background
    background_contrast: float | None = None   # WCAG ratio of background and surround
    filled: bool = False                   # an own fill that stands out from what is behind it
    bordered: bool = False
    in_banner: bool = False                # inside the overlay that holds the accept control


@dataclass(frozen=True)
class BannerBox(JsonPart):
    """The banner overlay's box (top-page coordinates) and its share of the viewport."""

    x: float | None = None
    y: float | None = None
    width: float | None = None
    height: float | None = None
    frame: str | None = None               # URL of the iframe the accept control is in
    viewport_share: float | None = None    # None: the viewport was not measured

    _OMIT_NONE: ClassVar[frozenset[str]] = frozenset({"viewport_share"})


@dataclass(frozen=True)
class BannerToggle(JsonPart):
    """A category checkbox / switch in the DOM (hidden settings layers included) before anyone touched it."""

    label: str = ""
    category: str | None = None            # performance / functional / targeting / necessary, from the label
    role: str | None = None
    checked: bool = False
    disabled: bool = False
    visible: bool = False
    always_on: bool = False                # marked "always active" next to it (older files: not recorded)
    in_banner: bool = False


@dataclass(frozen=True)
class FirstLayer(JsonPart):
    """The banner's first layer as a visitor sees it (browse/banner.py ``measure_banner``): the controls on it
    (None when absent), matching controls outside the overlay, the category toggles and whether the page behind is
    blocked. Written flat into ``Observation.banner``; ``accept`` is always written with it, so its key marks a
    measured first layer."""

    accept: BannerControl | None = None
    reject: BannerControl | None = None
    settings: BannerControl | None = None
    reject_elsewhere: BannerControl | None = None      # a reject control outside the banner overlay
    settings_elsewhere: BannerControl | None = None
    banner_box: BannerBox | None = None                # None: the accept control is in no overlay
    toggles: tuple[BannerToggle, ...] = ()
    scroll_locked: bool | None = None                  # None (also the three below): the page was not measured
    overlay_coverage: float | None = None              # share of a 9x9 viewport grid covered by fixed/sticky elements
    page_height: int | None = None
    viewport: tuple[int, int] | None = None
    visible: bool = False                              # an accept control was found
    screenshot: str | None = None                      # the first page's screenshot (path relative to the run)

    _OMIT_NONE: ClassVar[frozenset[str]] = frozenset({"reject_elsewhere", "settings_elsewhere", "banner_box",
                                                      "scroll_locked", "overlay_coverage", "page_height", "viewport"})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FirstLayer":
        control = _opt(BannerControl.from_dict)
        return _read(cls, data, accept=control, reject=control, settings=control, reject_elsewhere=control,
                     settings_elsewhere=control, banner_box=_opt(BannerBox.from_dict),
                     toggles=lambda ts: tuple(BannerToggle.from_dict(t) for t in ts),
                     viewport=lambda v: None if v is None else tuple(v))


@dataclass(frozen=True)
class ImpliedConsentProbe(JsonPart):
    """The no-interaction visitor scrolled and clicked page content (never the banner): did consent follow?"""

    actions: tuple[str, ...] = ()
    decided_before: bool = False
    decided_after: bool = False
    state_after: ConsentState | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ImpliedConsentProbe":
        return _read(cls, data, actions=tuple, state_after=_opt(ConsentState.from_dict))


@dataclass(frozen=True)
class ReloadCheck(JsonPart):
    """After a reload of the reject-all visit: is the stored decision still there, is the banner shown again?"""

    decided: bool = False
    banner_visible: bool | None = None             # None: unknown
    categories: dict[str, Any] | None = None       # the manager's keys as read again (ConsentState.categories)
    mapped: dict[str, Any] | None = None           # how they map to policy categories (older files: not recorded)


@dataclass(frozen=True)
class PersistenceCheck(JsonPart):
    after_reload: ReloadCheck | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PersistenceCheck":
        return _read(cls, data, after_reload=_opt(ReloadCheck.from_dict))


@dataclass(frozen=True)
class BannerMeasurement(JsonPart):
    """``Observation.banner``: the first layer measured in the no-interaction visit (with its implied-consent
    probe), the persistence check of the reject-all visit; empty in the other visits."""

    first_layer: FirstLayer | None = None          # None: not measured (its keys are written flat)
    implied_consent_probe: ImpliedConsentProbe | None = None
    persistence: PersistenceCheck | None = None

    _OMIT_NONE: ClassVar[frozenset[str]] = frozenset({"implied_consent_probe", "persistence"})
    _FLATTEN: ClassVar[frozenset[str]] = frozenset({"first_layer"})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "BannerMeasurement":
        layer_keys = {f.name for f in dataclasses.fields(FirstLayer)} - {"extra", "json_keys"} if "accept" in data else set()
        rest = _read(cls, {k: v for k, v in data.items() if k not in layer_keys},
                     implied_consent_probe=_opt(ImpliedConsentProbe.from_dict),
                     persistence=_opt(PersistenceCheck.from_dict))
        layer = FirstLayer.from_dict({k: v for k, v in data.items() if k in layer_keys}) if layer_keys else None
        return replace(rest, first_layer=layer, json_keys=tuple(data))


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
    banner: BannerMeasurement = field(default_factory=BannerMeasurement)   # first layer (no-interaction), persistence (reject-all)
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
        if c.get("state") is not None:
            c["state"] = ConsentState.from_dict(c["state"])
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
            banner=BannerMeasurement.from_dict(data.get("banner", {})),
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
    if isinstance(obj, JsonPart):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj
