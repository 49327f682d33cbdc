"""Open Cookie Database (jkwakman/Open-Cookie-Database, Apache-2.0): cookie and storage-key names beyond the
curated set.

Rows with ``Wildcard match = 1`` are name prefixes (``_ga_``, ``_hjSession_``). Very short prefixes ("SR", "_s")
would swallow unrelated names, so a prefix is used only when it is at least 4 characters long, or 3 characters
ending in a separator (``mp_``, ``cc-``).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

# OCD category -> the shop's categories (the team's research notes on trackers, "Conventions")
OCD_CATEGORY_MAP: dict[str, str] = {
    "functional": "functional",
    "personalization": "functional",
    "analytics": "performance",
    "marketing": "targeting",
    "necessary": "necessary",
    "security": "necessary",
}

_UNITS = {
    "second": 1 / 86400, "sec": 1 / 86400, "minute": 1 / 1440, "min": 1 / 1440, "hour": 1 / 24,
    "day": 1.0, "week": 7.0, "month": 30.44, "year": 365.25,
}


@dataclass(frozen=True)
class OcdRow:
    id: str
    platform: str
    category: str | None          # mapped to the shop's scheme
    ocd_category: str
    name: str
    domain: str | None            # cleaned (first domain, no "(3rd party)"), None when empty
    description: str
    retention: str
    retention_days: float | None  # None for session/unknown
    controller: str
    wildcard: bool


def parse_retention(text: str) -> float | None:
    """'2 years' -> 730.5, '13 months' -> 395.7, 'session' -> None. Free text, best effort."""
    t = (text or "").strip().lower()
    if not t or "session" in t or t in ("unknown", "undefined", "varies", "local storage"):
        return None
    if t in ("forever", "unlimited", "persistent"):
        return float("inf")
    m = re.match(r"^(\d+(?:[.,]\d+)?)\s*([a-z]+)", t)
    if not m:
        return None
    n = float(m.group(1).replace(",", "."))
    unit = m.group(2).rstrip("s")
    for key, days in _UNITS.items():
        if unit.startswith(key):
            return n * days
    return None


def _clean_domain(text: str) -> str | None:
    t = (text or "").strip().lower()
    if not t:
        return None
    t = t.split(" or ")[0].split(",")[0]
    t = re.sub(r"\(.*?\)", "", t).strip().lstrip(".")
    t = re.sub(r"^https?://", "", t).split("/")[0]
    return t or None


def _prefix_usable(prefix: str) -> bool:
    return len(prefix) >= 4 or (len(prefix) == 3 and prefix[-1] in "_-.:")


class OpenCookieDatabase:
    def __init__(self, rows: list[OcdRow], sha256: str = "", path: str = ""):
        self.rows = rows
        self.sha256 = sha256
        self.path = path
        self._exact: dict[str, list[OcdRow]] = {}
        self._prefixes: list[OcdRow] = []
        for r in rows:
            if r.wildcard:
                if _prefix_usable(r.name):
                    self._prefixes.append(r)
            else:
                self._exact.setdefault(r.name, []).append(r)
        self._prefixes.sort(key=lambda r: (-len(r.name), r.name, r.id))

    @classmethod
    def load(cls, path: Path) -> "OpenCookieDatabase":
        import hashlib

        raw = path.read_bytes()
        rows: list[OcdRow] = []
        for rec in csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))):
            name = (rec.get("Cookie / Data Key name") or "").strip()
            if not name:
                continue
            wildcard = (rec.get("Wildcard match") or "0").strip() == "1"
            if name.endswith("*"):
                name, wildcard = name.rstrip("*"), True
            ocd_cat = (rec.get("Category") or "").strip()
            rows.append(OcdRow(
                id=(rec.get("ID") or "").strip(),
                platform=(rec.get("Platform") or "").strip(),
                category=OCD_CATEGORY_MAP.get(ocd_cat.lower()),
                ocd_category=ocd_cat,
                name=name,
                domain=_clean_domain(rec.get("Domain") or ""),
                description=(rec.get("Description") or "").strip(),
                retention=(rec.get("Retention period") or "").strip(),
                retention_days=parse_retention(rec.get("Retention period") or ""),
                controller=(rec.get("Data Controller") or "").strip(),
                wildcard=wildcard,
            ))
        return cls(rows, hashlib.sha256(raw).hexdigest(), str(path))

    def lookup(self, name: str, domain: str | None = None) -> tuple[OcdRow, str] | None:
        """The best row for a cookie/key name and (optional) cookie domain, with the confidence.

        Exact names beat prefixes; a row whose Domain matches the cookie's domain beats one without a domain,
        which beats a row naming some other domain (OCD's Domain column is often wrong for first-party cookies).
        """
        dom = (domain or "").lstrip(".").lower()

        def rank(r: OcdRow) -> int:
            if r.domain and dom and (dom == r.domain or dom.endswith("." + r.domain) or r.domain.endswith("." + dom)):
                return 0
            return 1 if not r.domain else 2

        exact = self._exact.get(name)
        if exact:
            best = min(exact, key=lambda r: (rank(r), r.id))
            if rank(best) == 2 and len(name) <= 3:
                return None           # a very short generic name that OCD knows only on another domain
            return best, ("medium" if rank(best) < 2 else "low")
        for r in self._prefixes:
            if name.startswith(r.name) and len(name) > len(r.name) - 1:
                return r, "low" if rank(r) == 2 else "medium"
        return None

    def __len__(self) -> int:
        return len(self.rows)
