"""The curated vendor signatures (``kb/data/vendors.yaml``): validated on load, indexed for matching."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import ConfigError
from .model import CATEGORIES, NameSignature, RequestSignature, VendorInfo

VENDORS_SCHEMA = "cookieaudit.kb.vendors/1"
_Cat = Field(default=None, pattern="^(necessary|performance|functional|targeting)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Request(_Strict):
    host: str | None = None
    path: str | None = None
    path_re: str | None = None
    query: dict[str, str] = Field(default_factory=dict)
    first_party: bool = False
    category: str | None = _Cat
    confidence: str = Field(default="high", pattern="^(high|medium|low)$")
    source: str

    @model_validator(mode="after")
    def _where(self) -> "_Request":
        if self.first_party == bool(self.host):
            raise ValueError("a request signature has either a host or first_party: true")
        if self.first_party and not (self.path or self.path_re):
            raise ValueError("a first-party request signature needs a path or path_re")
        return self


class _Name(_Strict):
    name: str | None = None
    key: str | None = None          # storage spelling of "name"
    prefix: str | None = None
    pattern: str | None = None
    domain: str | None = None
    kind: str | None = Field(default=None, pattern="^(local|session)$")
    category: str | None = _Cat
    lifetime_days: float | None = None
    purpose: str = ""
    source: str

    @model_validator(mode="after")
    def _one(self) -> "_Name":
        given = [x for x in (self.name, self.key, self.prefix, self.pattern) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of name/key, prefix, pattern")
        return self


class _Vendor(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    organisation: str
    group: str
    country: str | None
    outside_eea: bool
    category: str = Field(pattern="^(necessary|performance|functional|targeting)$")
    categories: list[str] = Field(default_factory=list)
    kind: str
    tracking: bool = True
    source: str
    note: str = ""
    ocd_platforms: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)   # service names consent managers use for it
    requests: list[_Request] = Field(default_factory=list)
    cookies: list[_Name] = Field(default_factory=list)
    storage: list[_Name] = Field(default_factory=list)


class _Generic(_Strict):
    cookies: list[_Name] = Field(default_factory=list)
    storage: list[_Name] = Field(default_factory=list)


class _File(_Strict):
    schema_: str = Field(alias="schema")
    version: str
    generic: _Generic
    vendors: list[_Vendor]
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _unique(self) -> "_File":
        seen: set[str] = set()
        for v in self.vendors:
            if v.id in seen:
                raise ValueError(f"duplicate vendor id {v.id!r}")
            seen.add(v.id)
            for c in v.categories:
                if c not in CATEGORIES:
                    raise ValueError(f"vendor {v.id}: unknown category {c!r}")
        return self


@dataclass(frozen=True)
class CuratedData:
    version: str
    sha256: str
    path: str
    vendors: dict[str, VendorInfo]
    requests: tuple[RequestSignature, ...]
    cookies: tuple[NameSignature, ...]
    storage: tuple[NameSignature, ...]
    ocd_platform_vendor: dict[str, str]     # OCD platform (lower case) -> vendor id


def _name_sig(vendor: str | None, n: _Name) -> NameSignature:
    return NameSignature(
        vendor=vendor,
        name=n.name if n.name is not None else n.key,
        prefix=n.prefix,
        pattern=re.compile(n.pattern) if n.pattern else None,
        domain=(n.domain or "").lstrip(".").lower() or None,
        kind=n.kind,
        category=n.category,
        lifetime_days=n.lifetime_days,
        purpose=n.purpose,
        source=n.source,
    )


def load_curated(path: Path) -> CuratedData:
    raw = path.read_bytes()
    try:
        data: Any = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: YAML error: {exc}", fix="repair the knowledge-base file") from None
    if not isinstance(data, dict) or data.get("schema") != VENDORS_SCHEMA:
        raise ConfigError(f"{path}: not a {VENDORS_SCHEMA} document", fix="restore kb/data/vendors.yaml")
    try:
        doc = _File.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: invalid vendor signatures:\n{exc}", fix="correct kb/data/vendors.yaml") from None

    vendors: dict[str, VendorInfo] = {}
    requests: list[RequestSignature] = []
    cookies: list[NameSignature] = []
    storage: list[NameSignature] = []
    platforms: dict[str, str] = {}
    for v in doc.vendors:
        cats = tuple(v.categories) or (v.category,)
        if v.category not in cats:
            cats = (v.category,) + cats
        vendors[v.id] = VendorInfo(
            id=v.id, name=v.name, organisation=v.organisation, group=v.group, country=v.country,
            outside_eea=v.outside_eea, category=v.category, categories=cats, kind=v.kind,
            tracking=v.tracking, source=v.source, note=v.note, ocd_platforms=tuple(v.ocd_platforms),
            aliases=tuple(v.aliases),
        )
        for p in v.ocd_platforms:
            platforms[p.lower()] = v.id
        for r in v.requests:
            requests.append(RequestSignature(
                vendor=v.id,
                host=(r.host or "").lstrip("*.").lower() or None,
                path=r.path,
                path_re=re.compile(r.path_re) if r.path_re else None,
                query=tuple(sorted((k, re.compile(q)) for k, q in r.query.items())),
                first_party=r.first_party,
                category=r.category,
                confidence=r.confidence,
                source=r.source,
            ))
        cookies.extend(_name_sig(v.id, c) for c in v.cookies)
        storage.extend(_name_sig(v.id, s) for s in v.storage)
    cookies.extend(_name_sig(None, c) for c in doc.generic.cookies)
    storage.extend(_name_sig(None, s) for s in doc.generic.storage)
    return CuratedData(
        version=doc.version,
        sha256=hashlib.sha256(raw).hexdigest(),
        path=str(path),
        vendors=vendors,
        requests=tuple(requests),
        cookies=tuple(cookies),
        storage=tuple(storage),
        ocd_platform_vendor=platforms,
    )
