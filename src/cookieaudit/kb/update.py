"""``kb update``: refresh the downloadable datasets when a network is available, and record their versions.

Writes into ``dest_dir`` (never into the installed package):

    dest_dir/open-cookie-database/open-cookie-database.csv, LICENSE
    dest_dir/filterlists/adguard-tracking-protection.txt, filterlist.json, LICENSE   (via ``npm pack``)
    dest_dir/versions.json

``load_kb()`` picks the default folder up by itself; for another folder use ``load_kb(data_dir=dest_dir)`` or
set ``COOKIEAUDIT_KB_DIR=dest_dir``. A dataset that
cannot be fetched keeps its previous copy; the returned dict says what happened to each.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import httpx

from . import filterlist as _filterlist

OCD_REPO = "jkwakman/Open-Cookie-Database"
OCD_BRANCH = "master"
OCD_RAW = f"https://raw.githubusercontent.com/{OCD_REPO}/{OCD_BRANCH}"
OCD_COMMIT_API = f"https://api.github.com/repos/{OCD_REPO}/commits/{OCD_BRANCH}"
OCD_COLUMNS = ("ID", "Platform", "Category", "Cookie / Data Key name", "Domain", "Retention period",
               "Wildcard match")
MIN_OCD_ROWS = 1000


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _update_ocd(client: httpx.Client, dest: Path) -> dict[str, Any]:
    r = client.get(f"{OCD_RAW}/open-cookie-database.csv")
    r.raise_for_status()
    raw = r.content
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    missing = [c for c in OCD_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"unexpected CSV columns (missing {missing})")
    rows = sum(1 for _ in reader)
    if rows < MIN_OCD_ROWS:
        raise ValueError(f"only {rows} rows: refusing to replace the dataset")
    info: dict[str, Any] = {
        "name": "Open Cookie Database",
        "repository": f"https://github.com/{OCD_REPO}",
        "license": "Apache-2.0",
        "file": "open-cookie-database/open-cookie-database.csv",
        "sha256": hashlib.sha256(raw).hexdigest(),
        "rows": rows,
        "fetched_utc": _now(),
    }
    try:
        c = client.get(OCD_COMMIT_API, headers={"Accept": "application/vnd.github+json"})
        if c.status_code == 200:
            j = c.json()
            info["commit"] = j.get("sha")
            info["date"] = ((j.get("commit") or {}).get("committer") or {}).get("date")
    except (httpx.HTTPError, ValueError):
        info["commit"] = None
    licence = None
    try:
        lr = client.get(f"{OCD_RAW}/LICENSE")
        if lr.status_code == 200:
            licence = lr.content
    except httpx.HTTPError:
        pass
    out = dest / "open-cookie-database"
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "open-cookie-database.csv.part"
    tmp.write_bytes(raw)
    tmp.replace(out / "open-cookie-database.csv")
    if licence:
        (out / "LICENSE").write_bytes(licence)
    (out / "SOURCE.md").write_text(
        f"Open Cookie Database ({OCD_REPO} on GitHub), Apache-2.0, fetched {info['fetched_utc']}"
        f" (commit {info.get('commit') or 'unknown'}). Keep the LICENSE and this attribution with any copy.\n",
        encoding="utf-8")
    return {**info, "status": "updated"}


def update_datasets(dest_dir: str | Path | None = None, *, client: httpx.Client | None = None,
                    filterlist_installer: Callable[..., dict[str, Any]] | None = None,
                    timeout: float = 60.0) -> dict[str, Any]:
    """Refresh the Open Cookie Database and the optional filter list into ``dest_dir``; return what happened.

    ``dest_dir`` defaults to :func:`cookieaudit.kb.base.default_kb_dir` ($COOKIEAUDIT_KB_DIR or
    ~/.local/share/cookieaudit/kb), which ``load_kb()`` then uses. ``client`` and ``filterlist_installer`` exist
    for tests (an ``httpx.MockTransport`` client, a fake npm).
    """
    from .base import default_kb_dir

    dest = Path(dest_dir) if dest_dir else default_kb_dir()
    dest.mkdir(parents=True, exist_ok=True)
    vpath = dest / "versions.json"
    try:
        versions: dict[str, Any] = json.loads(vpath.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        versions = {"schema": "cookieaudit.kb.versions/1"}
    result: dict[str, Any] = {"dest": str(dest), "datasets": {}}

    own = client is None
    cl = client or httpx.Client(timeout=timeout, follow_redirects=True,
                                headers={"User-Agent": "cookieaudit-kb-update"})
    try:
        try:
            info = _update_ocd(cl, dest)
            versions["open-cookie-database"] = {k: v for k, v in info.items() if k != "status"}
            result["datasets"]["open-cookie-database"] = info
        except (httpx.HTTPError, ValueError, OSError) as exc:
            result["datasets"]["open-cookie-database"] = {
                "status": "failed", "error": f"{type(exc).__name__}: {exc}",
                "kept": versions.get("open-cookie-database")}
    finally:
        if own:
            cl.close()

    installer = filterlist_installer or _filterlist.install
    try:
        meta = installer(dest / "filterlists", version="latest", force=True)
        versions["filterlist"] = {k: v for k, v in meta.items() if k not in ("status", "path")}
        result["datasets"]["filterlist"] = meta
    except Exception as exc:  # npm missing, registry unreachable, package layout changed
        result["datasets"]["filterlist"] = {"status": "failed", "error": f"{type(exc).__name__}: {exc}",
                                            "kept": versions.get("filterlist")}

    versions["updated_utc"] = _now()
    vpath.write_text(json.dumps(versions, indent=1), encoding="utf-8")
    result["versions"] = versions
    return result
