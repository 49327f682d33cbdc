"""Knowledge-base maintenance from the command line (setup time; the cookieaudit CLI wires `kb update` itself).

    python -m cookieaudit.kb install-filterlist [--dest DIR] [--version V|latest] [--force]
    python -m cookieaudit.kb status                 # dataset versions and notes, as JSON
    python -m cookieaudit.kb update DEST_DIR        # refresh OCD + filter list into DEST_DIR (needs a network)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from . import filterlist
from .base import load_kb


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cookieaudit.kb", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p_in = sub.add_parser("install-filterlist", help="fetch the optional tracking filter list with npm pack")
    p_in.add_argument("--dest", type=Path, default=None, help=f"target folder (default {filterlist.default_dir()})")
    p_in.add_argument("--version", default=filterlist.PACKAGE_VERSION, help=f"{filterlist.PACKAGE} version or 'latest'")
    p_in.add_argument("--force", action="store_true")
    sub.add_parser("status", help="print dataset versions and notes")
    p_up = sub.add_parser("update", help="refresh the downloadable datasets into a folder")
    p_up.add_argument("dest", type=Path)
    args = ap.parse_args(argv)

    if args.cmd == "install-filterlist":
        try:
            meta = filterlist.install(args.dest, args.version, force=args.force)
        except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
            print(f"filter list not installed: {exc}", file=sys.stderr)
            print("cookieaudit works without it (curated signatures + Open Cookie Database only).", file=sys.stderr)
            return 1
        print(f"filter list {meta['status']}: {meta.get('name')} {meta.get('version')} "
              f"({meta.get('package')}@{meta.get('package_version')}, {meta.get('license')})")
        return 0
    if args.cmd == "status":
        kb = load_kb()
        print(json.dumps({"versions": kb.versions(), "notes": kb.notes()}, indent=1))
        return 0
    from .update import update_datasets

    result = update_datasets(args.dest)
    print(json.dumps(result["datasets"], indent=1, default=str))
    return 0 if all(d.get("status") != "failed" for d in result["datasets"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
