"""One mapping step from what a consent manager offers to the policy's categories.

A manager names its choices as it likes: categories (``analytics``, ``prestaties``, ``cat_2``), purposes, or one
switch per service (``google-analytics``, ``hotjar``, ``sendinblue``). Every key of a manager's stored state is
read as a set of policy categories by the first rule that applies, and the rule is recorded as the key's
``source`` (evidence of *why* a key was read as it was):

1. ``expectations``: the domain's explicit ``cmp_categories``;
2. ``adapter``: the adapter's map for standardised ids (IAB TCF purposes, OneTrust's default groups, …);
3. ``manager: required``: the manager marks the key as always on (read-only, mandatory);
4. ``synonym (id)`` / ``synonym (label)``: category words in nl/de/fr/en (:mod:`cookieaudit.category_names`);
5. ``group``: a service inherits the mapping of the manager category it sits in;
6. ``vendor <id>``: a service (or a category named after one) names a vendor the knowledge base or the
   policy knows; it gets that vendor's declared categories (the policy's wins over the knowledge base's);
7. ``services``: a category whose services map gets the union of theirs;
8. otherwise ``unmapped`` (never used to prove a choice; a refusal must not leave it granted).

Pure: no browser, testable with plain data. The browser layer gathers the keys and the offer; the rules reuse
the recorded mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from .category_names import categories_in_text, fold

ALL = "*"    # the key of all-or-nothing managers: one decision for everything
# key names that mean "every optional category at once" (a hand-made accept/decline banner's record)
ALL_WORDS = {"optional", "all", "nonessential", "non essential", "non necessary", "nonnecessary", "extra", "allow all",
             "accept all", "alle", "tous", "tout", "toutes", "alles", "optionnel", "optionnels", "optioneel", "optional cookies"}


@dataclass(frozen=True)
class OfferItem:
    """One choice a manager offers: a category (purpose, group, type) or a service in one."""

    id: str
    label: str = ""
    kind: str = "category"             # category | service | switch (a hand-made banner's switch: a candidate id)
    groups: tuple[str, ...] = ()       # a service's categories in the manager
    required: bool = False             # always on (read-only, mandatory)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], kind: str) -> "OfferItem":
        groups = d.get("groups") or d.get("categories") or ()
        if isinstance(groups, str):
            groups = (groups,)
        return cls(id=str(d.get("id")), label=str(d.get("label") or "")[:200], kind=kind,
                   groups=tuple(str(g) for g in groups), required=bool(d.get("required")))


@dataclass(frozen=True)
class Offer:
    """What the manager's live configuration offers, and where it stores the decision."""

    items: tuple[OfferItem, ...] = ()
    storage: tuple[tuple[str, str], ...] = ()      # ((kind, name), …) e.g. (("cookie", "cc_cookie"),)
    level: str = "category"                        # where the manager stores consent: category | service
    granular_ui: bool = True                       # False: the visitor can only accept or decline (no settings)

    @classmethod
    def from_js(cls, data: Mapping[str, Any] | None) -> "Offer":
        if not isinstance(data, Mapping):
            return cls()
        items = [OfferItem.from_dict(c, "category") for c in data.get("categories") or () if isinstance(c, Mapping) and c.get("id")]
        items += [OfferItem.from_dict(s, "service") for s in data.get("services") or () if isinstance(s, Mapping) and s.get("id")]
        storage = tuple((str(s.get("kind")), str(s.get("name"))) for s in data.get("storage") or ()
                        if isinstance(s, Mapping) and s.get("name"))
        level = "service" if data.get("level") == "service" else "category"
        return cls(tuple(items), storage, level, data.get("granular_ui") is not False)

    def item(self, key: str) -> OfferItem | None:
        return next((i for i in self.items if i.id == key), None)

    @property
    def services(self) -> tuple[OfferItem, ...]:
        return tuple(i for i in self.items if i.kind == "service")

    def to_dict(self) -> dict[str, Any]:
        return {"categories": [{"id": i.id, "label": i.label, "required": i.required} for i in self.items if i.kind == "category"],
                "services": [{"id": i.id, "label": i.label, "groups": list(i.groups), "required": i.required}
                             for i in self.items if i.kind == "service"],
                "storage": [{"kind": k, "name": n} for k, n in self.storage], "level": self.level,
                "granular_ui": self.granular_ui,
                **({"switches": [{"id": i.id, "label": i.label} for i in self.items if i.kind == "switch"][:40]}
                   if any(i.kind == "switch" for i in self.items) else {})}


@dataclass(frozen=True)
class VendorIndex:
    """Service names → vendor, from the knowledge base (ids, names, aliases, OCD platforms) and the policy."""

    forms: tuple[tuple[str, str], ...]                 # (normalised form, vendor id), longest first
    categories: Mapping[str, tuple[str, ...]]          # vendor id -> categories it may run under

    @classmethod
    def build(cls, kb: Any = None, expectations: Any = None) -> "VendorIndex":
        forms: dict[str, str] = {}
        cats: dict[str, tuple[str, ...]] = {}
        for v in (kb.vendors.values() if kb is not None else ()):
            for name in (v.id, v.name, *v.aliases, *v.ocd_platforms):
                forms.setdefault(_norm(name), v.id)
            cats[v.id] = tuple(v.categories)
        for v in (expectations.vendors if expectations is not None else ()):
            for name in (v.id, v.name):
                forms[_norm(name)] = v.id      # the policy's own names win
            cats[v.id] = tuple(v.categories)   # and its categories
        ordered = tuple(sorted(((f, vid) for f, vid in forms.items() if f), key=lambda x: (-len(x[0]), x[0])))
        return cls(ordered, cats)

    def match(self, text: str) -> str | None:
        """The vendor a service name or label names: an exact form, or a form of 5+ characters inside it."""
        n = _norm(text)
        if not n:
            return None
        for form, vid in self.forms:
            if form == n:
                return vid
        for form, vid in self.forms:
            if len(form) >= 5 and form in n:
                return vid
        return None


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


@dataclass(frozen=True)
class KeyMapping:
    key: str
    categories: tuple[str, ...]       # policy categories; ("*",) for an all-or-nothing decision; () unmapped
    source: str
    kind: str = "category"
    label: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"categories": list(self.categories), "source": self.source, "kind": self.kind}
        if self.label:
            d["label"] = self.label
        return d


@dataclass(frozen=True)
class CategoryMapping:
    """How each key of a manager's state reads as policy categories (see the module docstring)."""

    keys: Mapping[str, KeyMapping] = field(default_factory=dict)

    def categories(self, key: str) -> frozenset[str]:
        km = self.keys.get(key)
        return frozenset(km.categories) if km else frozenset()

    def offered(self, optional: Iterable[str], keys: Iterable[str] | None = None) -> set[str]:
        """The optional policy categories the manager lets a visitor grant on their own (``*``: none)."""
        opt = set(optional)
        out: set[str] = set()
        for k in (self.keys if keys is None else keys):
            cats = self.categories(k)
            if ALL not in cats:
                out |= set(cats) & opt
        return out

    def keys_for(self, wanted: Iterable[str], keys: Iterable[str]) -> list[str]:
        """The keys to grant for the wanted policy categories: those mapped to any of them."""
        w = set(wanted)
        return [k for k in sorted(keys) if self.categories(k) & w and ALL not in self.categories(k)]

    def all_keys(self, keys: Iterable[str]) -> list[str]:
        """Keys that stand for every optional category at once (``*`` or a key named so)."""
        return [k for k in keys if k == ALL or ALL in self.categories(k)]

    def first(self, key: str) -> str | None:
        km = self.keys.get(key)
        return km.categories[0] if km and km.categories else None

    def to_dict(self) -> dict[str, Any]:
        return {k: v.to_dict() for k, v in sorted(self.keys.items())}

    def legacy(self) -> dict[str, Any]:
        """``state["mapped"]``: key → one category, a list for a key that maps to several, ``*`` or None."""
        out: dict[str, Any] = {}
        for k, v in self.keys.items():
            if ALL in v.categories:
                out[k] = ALL
            elif len(v.categories) > 1:
                out[k] = list(v.categories)
            else:
                out[k] = v.categories[0] if v.categories else None
        return out


def build_mapping(keys: Iterable[str], offer: Offer | None = None, *,
                  explicit: Callable[[str], str | None] = lambda k: None,
                  adapter_map: Mapping[str, str] | None = None,
                  vendors: VendorIndex | None = None,
                  service_keys: Iterable[str] = ()) -> CategoryMapping:
    """Map every key (state keys plus everything the offer lists) to policy categories, recording the source."""
    offer = offer or Offer()
    adapter_map = adapter_map or {}
    service_set = set(service_keys) | {i.id for i in offer.services}
    # "switch" items (ids read from a hand-made banner's markup) only label a state key of the same name
    all_keys = list(dict.fromkeys([*keys, *(i.id for i in offer.items if i.kind != "switch")]))
    out: dict[str, KeyMapping] = {}

    def direct(key: str) -> KeyMapping | None:
        item = offer.item(key)
        kind = "service" if key in service_set else "category"
        label = item.label if item else ""
        if key == ALL:
            return KeyMapping(key, (ALL,), "manager: all-or-nothing", kind, label)
        cat = explicit(key)
        if cat:
            return KeyMapping(key, (cat,), "expectations", kind, label)
        if key in adapter_map:
            mapped = adapter_map[key]
            return KeyMapping(key, (mapped,) if mapped else (), "adapter", kind, label)
        if item is not None and item.required:
            return KeyMapping(key, ("necessary",), "manager: required", kind, label)
        if kind == "service":
            return None     # services: their group first, then the vendor (below)
        if fold(key) in ALL_WORDS:
            return KeyMapping(key, (ALL,), "synonym (all optional)", kind, label)
        for text, src in ((key, "synonym (id)"), (label, "synonym (label)")):
            cats = categories_in_text(text)
            if cats:
                return KeyMapping(key, tuple(sorted(cats)), src, kind, label)
        return None

    for key in all_keys:
        km = direct(key)
        if km is not None:
            out[key] = km
    # services: their group's mapping, else the vendor they name, else words in their own id/label
    for key in all_keys:
        if key in out or key not in service_set:
            continue
        item = offer.item(key)
        label = item.label if item else ""
        groups = [g for g in (item.groups if item else ()) if out.get(g) and out[g].categories]
        if groups:
            cats = sorted({c for g in groups for c in out[g].categories})
            out[key] = KeyMapping(key, tuple(cats), f"group {', '.join(groups)}", "service", label)
            continue
        km = _by_vendor(key, label, vendors, "service")
        if km is None:
            words = categories_in_text(key) or categories_in_text(label)
            km = KeyMapping(key, tuple(sorted(words)), "synonym (service)", "service", label) if words else None
        out[key] = km or KeyMapping(key, (), "unmapped", "service", label)
    # categories nobody could read: named after a vendor (per-service purposes), else the union of their services
    for key in all_keys:
        if key in out:
            continue
        item = offer.item(key)
        label = item.label if item else ""
        km = _by_vendor(key, label, vendors, "category")
        if km is None:
            members = [s for s in offer.services if key in s.groups and out.get(s.id) and out[s.id].categories]
            cats = sorted({c for s in members for c in out[s.id].categories})
            km = KeyMapping(key, tuple(cats), f"services {', '.join(s.id for s in members)}", "category", label) if cats else None
        out[key] = km or KeyMapping(key, (), "unmapped", "category", label)
    return CategoryMapping(out)


def _by_vendor(key: str, label: str, vendors: VendorIndex | None, kind: str) -> KeyMapping | None:
    if vendors is None:
        return None
    for text in (key, label):
        vid = vendors.match(text)
        if vid and vendors.categories.get(vid):
            return KeyMapping(key, tuple(vendors.categories[vid]), f"vendor {vid}", kind, label)
    return None
