"""What the site owner declares (from the privacy policy), as a validated, line-addressable model.

A wrong key or type must be reported with the file, the line and the field, so the YAML is composed into nodes
first and every value's line is remembered before pydantic validates the plain data.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError
from .yamllines import compose_with_lines, line_for

EXPECTATIONS_SCHEMA = "cookieaudit.expectations/1"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PolicySource(_Strict):
    title: str
    language: str
    url: str | None = None
    source: str | None = None
    version: str | None = None


class Category(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str
    necessary: bool = False
    description: str = ""
    ref: str


class Vendor(_Strict):
    """A declared recipient. ``categories``: the consent categories under which it may run (any of them)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    categories: list[str] = Field(min_length=1)
    purpose: str = ""
    ref: str


class Retention(_Strict):
    technical_data_days: int = Field(gt=0)
    ref: str


class Claim(_Strict):
    value: bool
    ref: str
    text: str = ""


class Claims(_Strict):
    ga_ip_anonymised: Claim
    storage_in_eea: Claim


class BannerSelectors(_Strict):
    """CSS selectors of a site's own banner; when given they win over every automatic driver."""

    accept_all: str | None = None
    reject_all: str | None = None
    settings: str | None = None
    save: str | None = None
    categories: dict[str, str] = Field(default_factory=dict)  # policy category id -> toggle selector
    frame: str | None = None   # selector of an iframe that holds the banner, if any
    withdraw: str | None = None  # the site's own way back to the choice (floating icon, footer link)


class Domain(_Strict):
    host: str = Field(pattern=r"^[a-z0-9.-]+$")
    country: Literal["NL", "BE", "DE", "AT"]
    locale: str = Field(pattern=r"^[a-z]{2}-[A-Z]{2}$")
    timezone: str
    # paths to walk, the first is where consent is given; absent or empty: discovered (browse/discover.py)
    pages: list[str] = Field(default_factory=list)
    banner: BannerSelectors | None = None
    # policy category -> the CMP's own category name(s), e.g. performance: [purpose-8, purpose-9] for TCF
    cmp_categories: dict[str, str | list[str]] = Field(default_factory=dict)
    ref: str

    @field_validator("pages")
    @classmethod
    def _paths(cls, v: list[str]) -> list[str]:
        for p in v:
            if not p.startswith("/"):
                raise ValueError(f"page {p!r} must be a path starting with '/'")
        return v

    @property
    def pages_source(self) -> str:
        """``configured`` when the expectations list pages, else ``discovered``."""
        return "configured" if self.pages else "discovered"

    def mapped_category(self, cmp_category: str) -> str | None:
        """The policy category this domain maps a consent manager's category name to (``cmp_categories``)."""
        for policy, names in self.cmp_categories.items():
            if cmp_category in ([names] if isinstance(names, str) else names):
                return policy
        return None

    def cmp_names(self) -> set[str]:
        """Every consent-manager category name ``cmp_categories`` mentions."""
        return {n for names in self.cmp_categories.values() for n in ([names] if isinstance(names, str) else names)}

    @property
    def jurisdiction(self) -> str:
        return self.country

    def url(self, page: str) -> str:
        return f"https://{self.host}{page}"


class Expectations(_Strict):
    schema_: Literal["cookieaudit.expectations/1"] = Field(alias="schema")
    policy: PolicySource
    categories: list[Category] = Field(min_length=1)
    vendors: list[Vendor]
    retention: Retention
    claims: Claims
    domains: list[Domain] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _consistent(self) -> "Expectations":
        cats = {c.id for c in self.categories}
        if not any(c.necessary for c in self.categories):
            raise ValueError("categories: one category must be marked necessary: true")
        for i, v in enumerate(self.vendors):
            for c in v.categories:
                if c not in cats:
                    raise ValueError(f"vendors[{i}] ({v.id}): unknown category {c!r}; known: {sorted(cats)}")
        named: tuple[tuple[str, list[str]], ...] = (("vendors", [v.id for v in self.vendors]),
                                                    ("categories", [c.id for c in self.categories]))
        for field_name, ids in named:
            seen: set[str] = set()
            for i, item_id in enumerate(ids):
                if item_id in seen:
                    raise ValueError(f"{field_name}[{i}]: duplicate id {item_id!r}")
                seen.add(item_id)
        hosts: set[str] = set()
        for i, d in enumerate(self.domains):
            if d.host in hosts:
                raise ValueError(f"domains[{i}]: duplicate host {d.host!r} (each domain once)")
            hosts.add(d.host)
        for i, d in enumerate(self.domains):
            for c in list(d.cmp_categories) + list(d.banner.categories if d.banner else {}):
                if c not in cats:
                    raise ValueError(f"domains[{i}] ({d.host}): unknown policy category {c!r}; known: {sorted(cats)}")
        return self

    # -- views ------------------------------------------------------------------------------------------
    @property
    def optional_categories(self) -> list[Category]:
        return [c for c in self.categories if not c.necessary]

    def choices(self) -> list[str]:
        """Every consent choice the audit runs for each domain."""
        return ["no-interaction", "reject-all", "accept-all"] + [f"only-{c.id}" for c in self.optional_categories]

    def all_choices(self) -> list[str]:
        """Every choice a full audit visits: :meth:`choices` plus ``withdraw`` (accept all, then withdraw through
        the site's own means)."""
        return self.choices() + ["withdraw"]

    def accepted_categories(self, choice: str) -> set[str]:
        """The policy categories the visitor agreed to under a choice (necessary always counts)."""
        necessary = {c.id for c in self.categories if c.necessary}
        if choice == "accept-all":
            return {c.id for c in self.categories}
        if choice.startswith("only-"):
            return necessary | {choice[len("only-"):]}
        return necessary

    def vendor(self, vendor_id: str) -> Vendor | None:
        return next((v for v in self.vendors if v.id == vendor_id), None)

    def domain(self, host: str) -> Domain | None:
        return next((d for d in self.domains if d.host == host), None)


# -- loading with line numbers ------------------------------------------------------------------------

def load_expectations(path: str | Path) -> Expectations:
    """Load and validate an expectations file; raises ConfigError naming file, line, field and fix."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: file not found", fix="pass --expectations PATH to an existing file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}: not UTF-8 text ({exc.reason})", fix="save the file as UTF-8") from None
    data, lines = compose_with_lines(text, str(p), empty_fix="start from expectations/online-3d.yaml")
    if not isinstance(data, dict):
        raise ConfigError(f"{p}:1: the top level must be a mapping", fix="see expectations/online-3d.yaml")
    try:
        return Expectations.model_validate(data)
    except ValidationError as exc:
        msgs = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = line_for(loc, lines)
            field_path = ".".join(str(x) for x in loc) or "(file)"
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key (misspelt or not allowed here)"
            if not loc:
                # model-level checks name the item as "section[index]": point at that item's line
                m = re.match(r"(\w+)(?:\[(\d+)\])?", msg)
                if m:
                    key = (m.group(1), int(m.group(2))) if m.group(2) else (m.group(1),)
                    line = lines.get(key, lines.get((m.group(1),), line))
                    field_path = f"{m.group(1)}[{m.group(2)}]" if m.group(2) else m.group(1)
            msgs.append(f"{p}:{line}: {field_path}: {msg}")
        raise ConfigError("\n".join(msgs), fix="correct the field(s) above; the schema is documented in docs/expectations.md") from None


def expectations_hash(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
