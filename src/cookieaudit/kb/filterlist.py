"""Optional generic tracking filter list (Adblock syntax), matched with the ``adblock`` wheel (adblock-rust).

Which list, and why this way (see docs/knowledge-base.md):
- No registry package ships EasyPrivacy. The npm package ``@adguard/dnr-rulesets`` carries the raw text of the
  *AdGuard Tracking Protection filter* inside ``dist/filters/declarative/ruleset_3/ruleset_3.json``
  (``[0].metadata.rawFilterList``). Its licence is GPL-3.0, so cookieaudit never commits or ships it: the setup
  step (``python -m cookieaudit.kb install-filterlist``) fetches the package with ``npm pack`` (the registry's
  ordinary client; ``npm install`` fails on a dependency) and extracts the list into the virtualenv
  (``<venv>/share/cookieaudit/filterlists/``). Nothing is downloaded at scan time.
- The list is optional at run time. Without it, unknown third parties are classified by the curated signatures
  and the Open Cookie Database only, and ``KnowledgeBase.notes()`` says so.
- A match is a generic "tracking (filter list)" signal for a third-party request that no curated signature
  attributes; it never names a vendor.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

PACKAGE = "@adguard/dnr-rulesets"
PACKAGE_VERSION = "3.3.20260320140136"     # pinned; `kb update` / `install --version latest` moves it
RULESET_MEMBER = "package/dist/filters/declarative/ruleset_3/ruleset_3.json"
LIST_FILE = "adguard-tracking-protection.txt"
META_FILE = "filterlist.json"
ENV_PATH = "COOKIEAUDIT_FILTERLIST"        # path of an Adblock-syntax list file to use instead

# Playwright resource types -> adblock-rust request types
_REQUEST_TYPES = {
    "document": "document", "stylesheet": "stylesheet", "image": "image", "media": "media", "font": "font",
    "script": "script", "xhr": "xhr", "fetch": "xhr", "websocket": "websocket", "ping": "ping",
    "beacon": "ping", "sub_frame": "sub_frame", "iframe": "sub_frame", "object": "object",
}


def default_dir() -> Path:
    """Where the setup step installs the list: inside the active Python environment."""
    return Path(sys.prefix) / "share" / "cookieaudit" / "filterlists"


def find_filterlist(extra_dirs: tuple[Path, ...] = ()) -> Path | None:
    env = os.environ.get(ENV_PATH)
    if env:
        p = Path(env)
        return p if p.is_file() else None
    for d in (*extra_dirs, default_dir()):
        p = Path(d) / LIST_FILE
        if p.is_file():
            return p
    return None


def parse_header(text: str) -> dict[str, str]:
    """The ``! Key: value`` lines at the top of an Adblock list (Title, Version, TimeUpdated, ...)."""
    out: dict[str, str] = {}
    for line in text.splitlines()[:40]:
        if not line.startswith("!"):
            if line.strip():
                break
            continue
        body = line[1:].strip()
        if ":" in body:
            k, v = body.split(":", 1)
            if k.strip() and " " not in k.strip():
                out.setdefault(k.strip(), v.strip())
    return out


class FilterList:
    """An Adblock-syntax list and its (lazily built) adblock-rust engine."""

    def __init__(self, text: str, meta: dict[str, Any] | None = None, path: str | None = None):
        self.text = text
        self.path = path
        header = parse_header(text)
        self.meta: dict[str, Any] = {
            "title": header.get("Title"),
            "version": header.get("Version"),
            "updated": header.get("TimeUpdated") or header.get("Last modified"),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "rules": sum(1 for ln in text.splitlines() if ln and not ln.startswith("!")),
            **(meta or {}),
        }
        self._engine: Any = None
        self._lock = threading.Lock()
        self.error: str | None = None

    @classmethod
    def load(cls, path: Path) -> "FilterList":
        meta: dict[str, Any] = {}
        mp = path.with_name(META_FILE)
        if mp.is_file():
            try:
                meta = json.loads(mp.read_text(encoding="utf-8"))
            except ValueError:
                meta = {}
        meta["path"] = str(path)
        return cls(path.read_text(encoding="utf-8", errors="replace"), meta, str(path))

    @property
    def engine(self) -> Any:
        if self._engine is None and self.error is None:
            with self._lock:
                if self._engine is None and self.error is None:
                    try:
                        import adblock

                        fs = adblock.FilterSet(debug=True)
                        fs.add_filter_list(self.text)
                        self._engine = adblock.Engine(filter_set=fs, optimize=True)
                    except Exception as exc:  # the wheel is missing or the list is unreadable
                        self.error = f"{type(exc).__name__}: {exc}"
        return self._engine

    def check(self, url: str, source_url: str, resource_type: str | None) -> str | None:
        """The matching blocking filter, or None (no match, an exception rule, or no engine)."""
        eng = self.engine
        if eng is None:
            return None
        rt = _REQUEST_TYPES.get((resource_type or "other").lower(), "other")
        try:
            res = eng.check_network_urls(url, source_url or url, rt)
        except Exception:
            return None
        if not res.matched or res.exception:
            return None
        return res.filter or "(filter list)"


# -- installation (setup time only) ------------------------------------------------------------------

def install(dest: Path | None = None, version: str = PACKAGE_VERSION, npm: str = "npm",
            force: bool = False) -> dict[str, Any]:
    """Fetch the list with ``npm pack`` and extract the raw text into ``dest``. Returns the metadata.

    Idempotent: when ``dest`` already holds the same package version, nothing is fetched.
    Raises RuntimeError with a readable message when npm or the registry is unavailable.
    """
    dest = Path(dest or default_dir())
    meta_path = dest / META_FILE
    if not force and (dest / LIST_FILE).is_file() and meta_path.is_file():
        try:
            old = json.loads(meta_path.read_text(encoding="utf-8"))
            if version != "latest" and old.get("package_version") == version:
                return {**old, "status": "present"}
        except ValueError:
            pass
    if shutil.which(npm) is None:
        raise RuntimeError(f"{npm!r} not found: install Node.js/npm to fetch the optional filter list")
    spec = f"{PACKAGE}@{version}"
    with tempfile.TemporaryDirectory(prefix="cookieaudit-filterlist-") as tmp:
        proc = subprocess.run(
            [npm, "pack", spec, "--pack-destination", tmp, "--silent", "--json"],
            capture_output=True, text=True, timeout=600, cwd=tmp,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"npm pack {spec} failed: {proc.stderr.strip()[-400:]}")
        tgzs = sorted(Path(tmp).glob("*.tgz"))
        if not tgzs:
            raise RuntimeError(f"npm pack {spec} produced no tarball")
        tgz = tgzs[0]
        tarball_sha = hashlib.sha256(tgz.read_bytes()).hexdigest()
        with tarfile.open(tgz, "r:gz") as tf:
            pkg = json.load(tf.extractfile("package/package.json"))  # type: ignore[arg-type]
            member = tf.extractfile(RULESET_MEMBER)
            if member is None:
                raise RuntimeError(f"{spec}: {RULESET_MEMBER} not in the package")
            ruleset = json.load(member)
            licence_text = None
            try:
                lic = tf.extractfile("package/LICENSE")
                licence_text = lic.read().decode("utf-8", "replace") if lic else None
            except KeyError:
                pass
    raw = _raw_list(ruleset)
    header = parse_header(raw)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / LIST_FILE).write_text(raw, encoding="utf-8")
    if licence_text:
        (dest / "LICENSE").write_text(licence_text, encoding="utf-8")
    meta = {
        "name": header.get("Title") or "AdGuard Tracking Protection filter",
        "version": header.get("Version"),
        "updated": header.get("TimeUpdated"),
        "homepage": header.get("Homepage"),
        "license": pkg.get("license") or "GPL-3.0-only",
        "package": PACKAGE,
        "package_version": pkg.get("version"),
        "tarball_sha256": tarball_sha,
        "sha256": hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        "installed_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "note": "fetched at setup time with npm pack; not redistributed with cookieaudit",
    }
    meta_path.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return {**meta, "status": "installed", "path": str(dest / LIST_FILE)}


def _raw_list(ruleset: Any) -> str:
    first = ruleset[0] if isinstance(ruleset, list) and ruleset else ruleset
    md = first.get("metadata") if isinstance(first, dict) else None
    raw = md.get("rawFilterList") if isinstance(md, dict) else None
    if not isinstance(raw, str) or not raw.strip():
        raise RuntimeError("the ruleset carries no rawFilterList")
    return raw
