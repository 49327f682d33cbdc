"""Plain records of the knowledge base: vendor facts, signatures, and the attribution of one observed item.

Everything here is immutable and JSON-friendly so that classifications can be copied into findings.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

CATEGORIES: tuple[str, ...] = ("necessary", "performance", "functional", "targeting")
Confidence = Literal["high", "medium", "low"]
Source = Literal["curated", "ocd", "filterlist", "heuristic"]
Party = Literal["first", "third"]


@dataclass(frozen=True)
class VendorInfo:
    """What the knowledge base knows about one vendor (one service of an organisation)."""

    id: str
    name: str
    organisation: str
    group: str                      # organisation id: "google", "microsoft", ... (entity roll-up)
    country: str | None             # ISO country of the organisation that receives the data
    outside_eea: bool
    category: str                   # the shop's scheme: necessary/performance/functional/targeting
    categories: tuple[str, ...]     # "any of": the consent categories under which it may run
    kind: str                       # analytics, advertising, session-recording, tag-manager, cmp, ...
    tracking: bool                  # False for CDNs, payments, fonts, consent managers
    source: str
    note: str = ""
    ocd_platforms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()   # service names consent managers give it (tarteaucitron keys, Klaro names)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RequestSignature:
    vendor: str
    host: str | None                # suffix; None for a first-party path signature
    path: str | None = None         # prefix of the URL path
    path_re: re.Pattern[str] | None = None
    query: tuple[tuple[str, re.Pattern[str]], ...] = ()
    first_party: bool = False
    category: str | None = None     # overrides the vendor's category for this endpoint
    confidence: str = "high"
    source: str = ""

    @property
    def label(self) -> str:
        where = self.host or "<first party>"
        path = self.path or (self.path_re.pattern if self.path_re else "")
        q = "&".join(f"{k}~{v.pattern}" for k, v in self.query)
        return f"{where}{path}" + (f"?{q}" if q else "")

    @property
    def specificity(self) -> tuple[int, int, int]:
        return (len(self.host or ""), 1 if (self.path or self.path_re) else 0, len(self.query))


@dataclass(frozen=True)
class NameSignature:
    """A cookie or storage-key signature (exact name, prefix or regex)."""

    vendor: str | None              # None for generic (vendor-less) entries
    name: str | None = None
    prefix: str | None = None
    pattern: re.Pattern[str] | None = None
    domain: str | None = None       # cookie domain suffix that must match (third-party cookies)
    kind: str | None = None         # storage: local|session|None
    category: str | None = None
    lifetime_days: float | None = None
    purpose: str = ""
    source: str = ""

    def matches(self, name: str) -> bool:
        if self.name is not None:
            return name == self.name
        if self.prefix is not None:
            return name.startswith(self.prefix)
        if self.pattern is not None:
            return self.pattern.search(name) is not None
        return False

    @property
    def label(self) -> str:
        if self.name is not None:
            base = self.name
        elif self.prefix is not None:
            base = self.prefix + "*"
        else:
            base = f"/{self.pattern.pattern}/" if self.pattern else "?"
        return base + (f"@{self.domain}" if self.domain else "")

    @property
    def specificity(self) -> tuple[int, int, int]:
        exact = 2 if self.name is not None else (1 if self.prefix is not None else 0)
        length = len(self.name or self.prefix or "")
        return (1 if self.domain else 0, exact, length)


@dataclass(frozen=True)
class Attribution:
    """Who an observed request, cookie or storage item belongs to, and how sure we are."""

    vendor: str | None              # knowledge-base vendor id, None when unknown
    category: str | None            # necessary/performance/functional/targeting; None = unknown
    party: str                      # "first" | "third"
    signature: str | None = None    # the signature that matched (human-readable)
    confidence: str = "low"         # high | medium | low
    source: str | None = None       # curated | ocd | filterlist | heuristic | None (nothing matched)
    tracking: bool = False          # a tracking signal: needs consent (non-necessary or filter-list hit)
    platform: str | None = None     # OCD platform when no curated vendor maps to it
    note: str = ""
    set_by: str | None = None       # cookies: URL of the script/response that set it, when known
    set_by_vendor: str | None = None

    @property
    def known(self) -> bool:
        return self.source is not None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}
