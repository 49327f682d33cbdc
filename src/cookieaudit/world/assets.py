"""Where the world's files come from: our own static assets, and the real consent managers from npm.

The consent managers are served straight out of ``node_modules`` at run time (never copied into the
repository: their licences stay with their packages and an upgrade is a ``package.json`` change). Each
shop serves them from its own origin under ``/assets/cmp/<package>/…``, as a shop that self-hosts its
CMP would.
"""

from __future__ import annotations

import os
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"

# The npm packages a shop may serve, by the URL segment used under /assets/cmp/.
CMP_PACKAGES: dict[str, str] = {
    "vanilla-cookieconsent": "vanilla-cookieconsent",
    "klaro": "klaro",
    "orejime": "orejime",
    "tarteaucitronjs": "tarteaucitronjs",
    "cookieconsent": "cookieconsent",            # Osano's open-source Cookie Consent 3 (MIT), CMP lab
    "iabtcf-core": "@iabtcf/core",               # IAB Tech Lab TCF v2 reference library (Apache-2.0), CMP lab
    "iabtcf-cmpapi": "@iabtcf/cmpapi",           # its __tcfapi implementation (Apache-2.0), CMP lab
}

CONTENT_TYPES: dict[str, str] = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
}


class MissingNodeModules(RuntimeError):
    """The consent managers are npm packages; without them the shops cannot show a banner."""


def find_node_modules() -> Path:
    """``$COOKIEAUDIT_NODE_MODULES``, else the first ``node_modules`` walking up from this package."""
    env = os.environ.get("COOKIEAUDIT_NODE_MODULES")
    candidates = [Path(env)] if env else [p / "node_modules" for p in Path(__file__).resolve().parents]
    for candidate in candidates:
        if all((candidate / pkg / "package.json").is_file() for pkg in CMP_PACKAGES.values()):
            return candidate
    where = env or f"any parent of {Path(__file__).parent}"
    raise MissingNodeModules(
        f"the consent managers ({', '.join(CMP_PACKAGES.values())}) were not found in node_modules "
        f"({where}). Run `make setup` (or `npm ci` in the repository) first, or point "
        "COOKIEAUDIT_NODE_MODULES at a node_modules folder that has them."
    )


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix, "application/octet-stream")


def safe_join(root: Path, relative: str) -> Path | None:
    """``root/relative`` if it stays inside root and is a file; None otherwise (path traversal, folders)."""
    target = (root / relative).resolve()
    try:
        target.relative_to(root.resolve())
    except ValueError:
        return None
    return target if target.is_file() else None
