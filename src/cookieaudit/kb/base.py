"""The knowledge base: curated signatures + Open Cookie Database + optional filter list, with provenance."""

from __future__ import annotations

import functools
import json
import os
import threading
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from .classify import Classifier
from .curated import CuratedData, load_curated
from .filterlist import FilterList, find_filterlist
from .model import Attribution, VendorInfo
from .ocd import OpenCookieDatabase
from .parties import Parties

DATA_DIR = Path(__file__).parent / "data"
OCD_DIR = "open-cookie-database"
OCD_FILE = "open-cookie-database.csv"
VERSIONS_FILE = "versions.json"
ENV_KB_DIR = "COOKIEAUDIT_KB_DIR"   # a folder written by `kb update` (cookieaudit.kb.update.update_datasets)


class KnowledgeBase:
    """Everything known about vendors, cookies and storage keys. Immutable after loading; thread-safe."""

    def __init__(self, curated: CuratedData, ocd: OpenCookieDatabase | None, ocd_meta: dict[str, Any],
                 filterlist_path: Path | None, filterlist_enabled: bool = True):
        self.curated = curated
        self.ocd = ocd
        self._ocd_meta = ocd_meta
        self._filterlist_path = filterlist_path if filterlist_enabled else None
        self._filterlist_enabled = filterlist_enabled
        self._filterlist: FilterList | None = None
        self._fl_lock = threading.Lock()
        self._classifiers: dict[tuple[str, ...], Classifier] = {}

    # -- vendors ---------------------------------------------------------------------------------------
    @property
    def vendors(self) -> dict[str, VendorInfo]:
        return self.curated.vendors

    def vendor(self, vendor_id: str | None) -> VendorInfo | None:
        return self.curated.vendors.get(vendor_id or "")

    def vendor_name(self, vendor_id: str | None) -> str:
        v = self.vendor(vendor_id)
        return v.name if v else (vendor_id or "unknown")

    # -- filter list (optional; its engine is built on first use, ~0.6 s) --------------------------------
    @property
    def filterlist(self) -> FilterList | None:
        if self._filterlist is None and self._filterlist_path is not None:
            with self._fl_lock:
                if self._filterlist is None and self._filterlist_path is not None:
                    try:
                        self._filterlist = FilterList.load(self._filterlist_path)
                    except OSError:
                        self._filterlist_path = None
        return self._filterlist

    # -- classification --------------------------------------------------------------------------------
    def classifier(self, parties: Parties | Iterable[str]) -> Classifier:
        p = parties if isinstance(parties, Parties) else Parties(parties)
        c = self._classifiers.get(p.key())
        if c is None:
            c = self._classifiers[p.key()] = Classifier(self, p)
        return c

    def classify_request(self, url: str, first_party_hosts: Iterable[str], resource_type: str | None = None) -> Attribution:
        return self.classifier(tuple(first_party_hosts)).request(url, resource_type)

    def classify_cookie(self, name: str, domain: str, first_party_hosts: Iterable[str],
                        set_by: str | None = None) -> Attribution:
        return self.classifier(tuple(first_party_hosts)).cookie(name, domain, set_by)

    def classify_storage(self, origin: str, key: str, first_party_hosts: Iterable[str],
                         kind: str | None = None) -> Attribution:
        return self.classifier(tuple(first_party_hosts)).storage(origin, key, kind)

    # -- provenance ------------------------------------------------------------------------------------
    def versions(self) -> dict[str, Any]:
        """Dataset versions for the report's provenance section."""
        out: dict[str, Any] = {
            "curated": {
                "version": self.curated.version,
                "sha256": self.curated.sha256,
                "vendors": len(self.curated.vendors),
                "source": "cookieaudit kb/data/vendors.yaml",
            },
            "open-cookie-database": dict(self._ocd_meta),
        }
        if self.ocd is not None:
            out["open-cookie-database"].update({"rows": len(self.ocd), "sha256": self.ocd.sha256})
        fl = self.filterlist
        if fl is not None:
            keep = ("title", "name", "version", "updated", "license", "package", "package_version", "sha256",
                    "rules", "path")
            out["filterlist"] = {"status": "present", **{k: fl.meta[k] for k in keep if fl.meta.get(k) is not None}}
        else:
            out["filterlist"] = {"status": "disabled" if not self._filterlist_enabled else "absent"}
        try:
            out["public-suffix-list"] = {"source": "tldextract bundled snapshot (offline)",
                                         "tldextract": metadata.version("tldextract")}
        except metadata.PackageNotFoundError:
            out["public-suffix-list"] = {"source": "tldextract bundled snapshot (offline)"}
        try:
            out["adblock"] = {"version": metadata.version("adblock")}
        except metadata.PackageNotFoundError:
            out["adblock"] = {"version": None}
        return out

    def notes(self) -> list[str]:
        """Limits of this knowledge base worth stating in a report."""
        notes = []
        if self._filterlist_path is None:
            notes.append(
                "No tracking filter list installed: unknown third parties were classified with the curated "
                "signatures and the Open Cookie Database only (install it with "
                "`python -m cookieaudit.kb install-filterlist`)."
                if self._filterlist_enabled else "Tracking filter list disabled for this run.")
        elif self.filterlist is not None and self.filterlist.error:
            notes.append(f"Tracking filter list present but unusable ({self.filterlist.error}).")
        if self.ocd is None:
            notes.append("Open Cookie Database not loaded.")
        return notes


def _read_json(p: Path) -> dict[str, Any]:
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def default_kb_dir() -> Path:
    """Where `kb update` writes refreshed datasets by default ($COOKIEAUDIT_KB_DIR, else the user data dir)."""
    env = os.environ.get(ENV_KB_DIR)
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cookieaudit" / "kb"


def _kb_dir(data_dir: str | Path | None | bool) -> Path | None:
    if data_dir is False:
        return None
    if data_dir:
        return Path(data_dir)  # type: ignore[arg-type]
    d = default_kb_dir()
    return d if (d / VERSIONS_FILE).is_file() else None


@functools.lru_cache(maxsize=8)
def _load(data_dir: str | None, filterlist: str | bool | None) -> KnowledgeBase:
    curated = load_curated(DATA_DIR / "vendors.yaml")
    ocd_path = DATA_DIR / OCD_DIR / OCD_FILE
    meta = dict(_read_json(DATA_DIR / VERSIONS_FILE).get("open-cookie-database", {}))
    meta["origin"] = "bundled"
    extra_dirs: tuple[Path, ...] = ()
    kd = Path(data_dir) if data_dir else None
    if kd is not None:
        cand = kd / OCD_DIR / OCD_FILE
        if cand.is_file():
            ocd_path = cand
            meta = dict(_read_json(kd / VERSIONS_FILE).get("open-cookie-database", {}))
            meta["origin"] = str(kd)
        extra_dirs = (kd / "filterlists",)
    ocd = OpenCookieDatabase.load(ocd_path) if ocd_path.is_file() else None
    if filterlist is False:
        fl_path, enabled = None, False
    elif isinstance(filterlist, str):
        fl_path, enabled = Path(filterlist), True
    else:
        fl_path, enabled = find_filterlist(extra_dirs), True
    return KnowledgeBase(curated, ocd, meta, fl_path, enabled)


def load_kb(data_dir: str | Path | None | bool = None, filterlist: str | Path | bool | None = None) -> KnowledgeBase:
    """The knowledge base (cached per arguments).

    ``data_dir``: a folder written by :func:`cookieaudit.kb.update.update_datasets`; ``None`` (default) uses
    :func:`default_kb_dir` when `kb update` has filled it, else only the bundled data; ``False`` forces the
    bundled data. ``filterlist``: ``False`` to disable the optional filter list, a path to use a specific list,
    ``None`` to look in the usual places (the kb folder, then the virtualenv where setup installs it).
    """
    kd = _kb_dir(data_dir)
    fl = str(filterlist) if isinstance(filterlist, Path) else filterlist
    return _load(str(kd) if kd else None, fl)
