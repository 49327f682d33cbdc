"""Google Analytics / Google Ads hit parsing and Consent Mode decoding (research notes (legal) §9).

- UA vs GA4: ``v=1`` / ``tid=UA-…`` vs ``v=2`` / ``tid=G-…`` / path ``/g/collect``.
- IP anonymisation: UA needs ``aip`` (any value) on every hit; GA4 anonymises by design (no parameter).
- ``gcs=G1xy``: x = ad_storage, y = analytics_storage (1 granted, 0 denied).
- ``gcd`` (e.g. ``13r3r3r3r5l1``): the characters at (0-based) positions 2, 4, 6, 8 encode ad_storage,
  analytics_storage, ad_user_data and ad_personalization; each is a base64url index whose default part is
  ``(idx >> 2) & 3`` and update part ``idx & 3`` (1 = not set, 2 = denied, 3 = granted).
- ``npa=1``: non-personalised ads; ``dma=1``: EEA/DMA scope; ``dma_cps``: consent purposes (semantics unconfirmed).

A POST body may batch several hits, one per line (GA4 events; UA /batch); each line is merged over the URL's
query parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_STATE = {1: "not set", 2: "denied", 3: "granted"}
GCD_TYPES: tuple[str, ...] = ("ad_storage", "analytics_storage", "ad_user_data", "ad_personalization")

# consent type -> the shop's consent category that covers it
CONSENT_TYPE_CATEGORY: dict[str, str] = {
    "ad_storage": "targeting",
    "ad_user_data": "targeting",
    "ad_personalization": "targeting",
    "analytics_storage": "performance",
    "functionality_storage": "functional",
    "personalization_storage": "functional",
    "security_storage": "necessary",
}

UA_HIT_PATHS = ("/collect", "/r/collect", "/j/collect", "/batch", "/__utm.gif", "/r/__utm.gif")
GA4_HIT_PATHS = ("/g/collect",)
GA_HOSTS = ("google-analytics.com", "analytics.google.com", "stats.g.doubleclick.net", "googleanalytics.com")


def decode_gcs(gcs: str | None) -> dict[str, str]:
    """'G111' -> {'ad_storage': 'granted', 'analytics_storage': 'granted'}; unknown characters are left out."""
    out: dict[str, str] = {}
    if not gcs or len(gcs) < 4 or not gcs.upper().startswith("G1"):
        return out
    for name, ch in (("ad_storage", gcs[2]), ("analytics_storage", gcs[3])):
        if ch == "1":
            out[name] = "granted"
        elif ch == "0":
            out[name] = "denied"
    return out


def decode_gcd_letter(ch: str) -> tuple[str | None, str | None]:
    idx = _B64URL.find(ch)
    if idx < 0:
        return None, None
    return _STATE.get((idx >> 2) & 3), _STATE.get(idx & 3)


def decode_gcd(gcd: str | None) -> dict[str, dict[str, str | None]]:
    """'13r3r3r3r5l1' -> {type: {'default': 'denied', 'update': 'granted', 'effective': 'granted'}, ...}."""
    out: dict[str, dict[str, str | None]] = {}
    if not gcd or len(gcd) < 9:
        return out
    for name, pos in zip(GCD_TYPES, (2, 4, 6, 8)):
        default, update = decode_gcd_letter(gcd[pos])
        if default is None and update is None:
            continue
        eff = update if update in ("granted", "denied") else (default if default in ("granted", "denied") else None)
        out[name] = {"letter": gcd[pos], "default": default, "update": update, "effective": eff}
    return out


@dataclass(frozen=True)
class ConsentSignals:
    """The Consent Mode state a Google hit carried."""

    gcs: str | None = None
    gcd: str | None = None
    npa: str | None = None
    dma: str | None = None
    dma_cps: str | None = None
    states: dict[str, str] = field(default_factory=dict)     # effective: type -> granted|denied
    defaults: dict[str, str] = field(default_factory=dict)   # gcd default part: type -> granted|denied

    @property
    def present(self) -> bool:
        return bool(self.gcs or self.gcd)

    def granted(self) -> set[str]:
        return {k for k, v in self.states.items() if v == "granted"}

    def default_granted(self) -> set[str]:
        return {k for k, v in self.defaults.items() if v == "granted"}

    @property
    def cookieless(self) -> bool:
        """Both storage types denied: Advanced Consent Mode's cookieless ping (e.g. gcs=G100)."""
        return self.states.get("ad_storage") == "denied" and self.states.get("analytics_storage") == "denied"

    def to_dict(self) -> dict[str, object]:
        d: dict[str, object] = {k: v for k, v in (("gcs", self.gcs), ("gcd", self.gcd), ("npa", self.npa),
                                                  ("dma", self.dma), ("dma_cps", self.dma_cps)) if v is not None}
        d["states"] = dict(sorted(self.states.items()))
        if self.defaults:
            d["defaults"] = dict(sorted(self.defaults.items()))
        return d


def consent_signals(params: dict[str, str]) -> ConsentSignals:
    gcs, gcd = params.get("gcs"), params.get("gcd")
    states: dict[str, str] = {}
    defaults: dict[str, str] = {}
    for name, d in decode_gcd(gcd).items():
        if d["effective"]:
            states[name] = d["effective"]  # type: ignore[assignment]
        if d["default"] in ("granted", "denied"):
            defaults[name] = d["default"]  # type: ignore[assignment]
    states.update(decode_gcs(gcs))          # gcs is the state at the time of the hit
    npa = params.get("npa")
    if npa == "1":
        states.setdefault("ad_personalization", "denied")
    return ConsentSignals(gcs=gcs, gcd=gcd, npa=npa, dma=params.get("dma"), dma_cps=params.get("dma_cps"),
                          states=states, defaults=defaults)


def hit_params(url: str, post_data: str | None = None) -> list[dict[str, str]]:
    """One parameter dict per hit: the URL query alone, or merged with each line of a form-encoded POST body."""
    try:
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    except ValueError:
        query = {}
    body = (post_data or "").strip()
    if not body or body.startswith(("{", "[")):
        return [query]
    hits = []
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            hits.append({**query, **dict(parse_qsl(line, keep_blank_values=True))})
        except ValueError:
            continue
    return hits or [query]


@dataclass(frozen=True)
class GAHit:
    version: str                 # "ua" | "ga4"
    tid: str | None
    aip: bool                    # UA: the aip parameter is present
    user_id: bool                # uid / user_id parameter present
    params: dict[str, str]
    consent: ConsentSignals


def _is_hit_path(path: str, hits: tuple[str, ...]) -> bool:
    return any(path == p or path.endswith(p) for p in hits)


def ga_hits(url: str, post_data: str | None = None, first_party: bool = False) -> list[GAHit]:
    """The Google Analytics hits a request carries (empty for scripts and non-GA requests).

    ``first_party``: the request went to the shop's own host (server-side tagging); then only ``/g/collect``
    with a ``G-`` tid counts.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path or "/"
    on_ga_host = any(host == h or host.endswith("." + h) for h in GA_HOSTS)
    if not on_ga_host and not first_party:
        return []
    if not (_is_hit_path(path, UA_HIT_PATHS) or _is_hit_path(path, GA4_HIT_PATHS)):
        return []
    out = []
    for p in hit_params(url, post_data):
        tid = p.get("tid")
        if _is_hit_path(path, GA4_HIT_PATHS) or p.get("v") == "2" or (tid or "").startswith("G-"):
            version = "ga4"
        elif p.get("v") == "1" or (tid or "").startswith("UA-") or path.endswith("__utm.gif"):
            version = "ua"
        else:
            continue
        if first_party and not (on_ga_host or (version == "ga4" and (tid or "").startswith("G-"))):
            continue
        out.append(GAHit(
            version=version,
            tid=tid,
            aip="aip" in p,
            user_id=any(k in p for k in ("uid", "user_id", "_uid")),
            params=p,
            consent=consent_signals(p),
        ))
    return out


def request_consent(url: str, post_data: str | None = None) -> ConsentSignals | None:
    """The Consent Mode signals of any Google request (GA, Ads, DoubleClick); None when it carries none."""
    for p in hit_params(url, post_data):
        if any(k in p for k in ("gcs", "gcd")):
            return consent_signals(p)
    return None
