"""Integrity of a run folder: SHA-256 manifests that ``sha256sum -c`` can check without this tool.

Two manifests, because the report shows a hash and cannot contain its own:

1. ``evidence-manifest.sha256`` is written *before* the report formats run. It covers the evidence:
   ``findings.json`` and every file inside a sub-folder (``observations/``, ``evidence/``, ...). The report
   prints the SHA-256 of this file (and the PDF repeats it in every page footer), so a printed copy can be
   tied to the exact evidence files.
2. ``manifest.sha256`` is written *last*. It covers every file in the run folder except itself: the evidence,
   the evidence manifest and the rendered outputs (report.html, report.pdf, junit.xml, ...).

Top-level files other than ``findings.json`` are derived outputs and are only covered by the final manifest;
evidence must therefore live in a sub-folder. Lines are ``<hex>  <relative/posix/path>``, sorted by path, in the
format of GNU ``sha256sum`` (including its backslash escaping of names with a newline or backslash).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

MANIFEST_NAME = "manifest.sha256"
EVIDENCE_MANIFEST_NAME = "evidence-manifest.sha256"
FINDINGS_NAME = "findings.json"
_MANIFESTS = (MANIFEST_NAME, EVIDENCE_MANIFEST_NAME)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_files(run_dir: Path) -> list[str]:
    """Every regular file below ``run_dir`` as a sorted relative POSIX path (symlinked folders not followed)."""
    run_dir = Path(run_dir)
    out: list[str] = []
    for root, dirs, files in os.walk(run_dir):
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]
        for name in files:
            p = Path(root) / name
            if p.is_file():
                out.append(p.relative_to(run_dir).as_posix())
    return sorted(out)


def in_final_scope(rel: str) -> bool:
    return rel != MANIFEST_NAME


def in_evidence_scope(rel: str) -> bool:
    """findings.json and everything in a sub-folder; not the manifests, not the rendered top-level outputs."""
    return rel == FINDINGS_NAME or "/" in rel


def _format_line(digest: str, rel: str) -> str:
    if "\\" in rel or "\n" in rel or "\r" in rel:   # GNU sha256sum escaping
        esc = rel.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return f"\\{digest}  {esc}\n"
    return f"{digest}  {rel}\n"


def _parse_line(line: str) -> tuple[str, str] | None:
    escaped = line.startswith("\\")
    if escaped:
        line = line[1:]
    digest, sep, rel = line.partition("  ")
    if not sep:
        digest, sep, rel = line.partition(" *")   # binary-mode marker
    if not sep or len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest):
        return None
    if escaped:
        rel = rel.replace("\\\\", "\0").replace("\\n", "\n").replace("\\r", "\r").replace("\0", "\\")
    return digest.lower(), rel


def _write(run_dir: Path, name: str, scope) -> Path:
    run_dir = Path(run_dir)
    lines = [_format_line(sha256_file(run_dir / rel), rel) for rel in run_files(run_dir) if scope(rel) and rel != name]
    target = run_dir / name
    tmp = target.with_name(target.name + ".part")
    tmp.write_text("".join(lines), encoding="utf-8", newline="\n")
    tmp.replace(target)
    return target


def read_manifest(path: Path) -> dict[str, str]:
    """Relative path -> hex digest. Raises ValueError on a malformed line."""
    entries: dict[str, str] = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").split("\n"), start=1):
        if not line:
            continue
        parsed = _parse_line(line)
        if parsed is None:
            raise ValueError(f"{Path(path).name}:{n}: not a '<sha256>  <path>' line")
        entries[parsed[1]] = parsed[0]
    return entries


def _verify(run_dir: Path, name: str, scope) -> list[str]:
    run_dir = Path(run_dir)
    path = run_dir / name
    if not path.is_file():
        return [f"{name}: not found"]
    try:
        entries = read_manifest(path)
    except ValueError as exc:
        return [str(exc)]
    problems: list[str] = []
    for rel, digest in sorted(entries.items()):
        p = run_dir / rel
        if not p.is_file():
            problems.append(f"missing: {rel}")
        elif sha256_file(p) != digest:
            problems.append(f"changed: {rel}")
    for rel in run_files(run_dir):
        if scope(rel) and rel != name and rel not in entries:
            problems.append(f"extra: {rel} (not in {name})")
    return problems


def write_evidence_manifest(run_dir: Path) -> Path:
    """Hash the evidence (findings.json + sub-folders) into evidence-manifest.sha256; call before rendering."""
    return _write(run_dir, EVIDENCE_MANIFEST_NAME, in_evidence_scope)


def verify_evidence_manifest(run_dir: Path) -> list[str]:
    return _verify(run_dir, EVIDENCE_MANIFEST_NAME, in_evidence_scope)


def write_manifest(run_dir: Path) -> Path:
    """Hash every file of the run folder into manifest.sha256; call last, after every output is written."""
    return _write(run_dir, MANIFEST_NAME, in_final_scope)


def verify_manifest(run_dir: Path) -> list[str]:
    """Problems with the run folder (changed, missing or extra files); an empty list means it is intact.

    Checks manifest.sha256 and, when present, evidence-manifest.sha256 (its problems are prefixed with its name:
    they mean the evidence changed between the evidence manifest and the rendering of the report).
    """
    problems = _verify(run_dir, MANIFEST_NAME, in_final_scope)
    if (Path(run_dir) / EVIDENCE_MANIFEST_NAME).is_file():
        problems += [f"{EVIDENCE_MANIFEST_NAME}: {p}" for p in verify_evidence_manifest(run_dir)]
    return problems
