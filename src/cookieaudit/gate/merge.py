"""``cookieaudit merge``: shard run folders → one run folder, as if the whole matrix had run at once.

Each shard's sub-folders (observations/, evidence/, …) are copied as they are; the rules are evaluated again
over the union of the observations (rules may compare visits, e.g. across choices of one domain), and
findings.json, the formats and the manifests are written by the scan's own functions
(:func:`cookieaudit.finish.build_document`, :func:`cookieaudit.finish.finalize_run`).

Shards must have been scanned against the same expectations file (same SHA-256), and no (domain, choice)
may come from two shards.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import shutil
from pathlib import Path
from typing import Any, Callable

from ..errors import ConfigError
from ..findings import SEVERITIES, load_findings
from ..finish import DEFAULT_FORMATS
from .summary import add_warning, recompute_summary
from .waivers import stderr_warning


def _load_shard(path: Path) -> tuple[Path, dict[str, Any]]:
    root = path.parent if path.is_file() and path.name == "findings.json" else path
    if not (root / "findings.json").is_file():
        raise ConfigError(f"{path}: not a run folder (no findings.json)",
                          fix="pass the folders written by `cookieaudit scan --shard I/N --out DIR`")
    try:
        return root, load_findings(root)
    except ValueError as exc:
        raise ConfigError(f"{root}/findings.json: {exc}", fix="pass run folders written by cookieaudit scan") from None


def _resolve_expectations(shards: list[tuple[Path, dict[str, Any]]], given: Path | None) -> tuple[Path, str]:
    from ..expectations import expectations_hash

    hashes: dict[str, list[str]] = {}
    for root, doc in shards:
        sha = (doc.get("run", {}).get("expectations") or {}).get("sha256")
        hashes.setdefault(sha or "(none recorded)", []).append(str(root))
    if len(hashes) > 1:
        lines = "\n".join(f"  {sha[:16]}…  {', '.join(roots)}" for sha, roots in hashes.items())
        raise ConfigError("the shards were scanned against different expectations files; their findings cannot be "
                          f"merged into one audit:\n{lines}",
                          fix="re-run the odd shard(s) with the same --expectations file (same commit) as the others")
    sha = next(iter(hashes))
    if given is not None:
        if not given.is_file():
            raise ConfigError(f"--expectations {given}: file not found", fix="pass the file the shards were scanned with")
        got = expectations_hash(given)
        if got != sha:
            raise ConfigError(f"--expectations {given} (sha256 {got[:16]}…) is not the file the shards were scanned "
                              f"with (sha256 {sha[:16]}…)",
                              fix="pass the expectations file of the commit the shards ran on")
        return given, sha
    candidates = []
    for root, doc in shards:
        rec = (doc.get("run", {}).get("expectations") or {}).get("path")
        if rec:
            candidates += [Path(rec), root / rec]
    for c in candidates:
        if c.is_file() and expectations_hash(c) == sha:
            return c, sha
    raise ConfigError("cannot find the expectations file the shards were scanned with "
                      f"(recorded path {candidates[0] if candidates else '?'}, sha256 {sha[:16]}…)",
                      fix="pass it with --expectations PATH")


def _copy_tree(src_root: Path, out: Path, origin: dict[str, Path]) -> None:
    """Copy every file inside a sub-folder of ``src_root`` to the same place under ``out``."""
    for dirpath, dirnames, filenames in os.walk(src_root):
        d = Path(dirpath)
        dirnames[:] = [n for n in dirnames if not (d / n).is_symlink()]
        if d == src_root:
            continue                      # top-level files are outputs of the shard: regenerated
        for name in filenames:
            if name.endswith(".part"):
                continue
            src = d / name
            rel = src.relative_to(src_root)
            dst = out / rel
            if rel.parts[0] == "policy" and len(rel.parts) == 2:
                # each shard snapshots the policy of its domains; two shards of one domain: the earlier one's
                # snapshot (shards come sorted by start time) is kept whole
                first = origin.get(f"policy/{rel.name.rsplit('.', 1)[0]}.json")
                if first is not None and first != src_root:
                    continue
            if dst.exists():
                if filecmp.cmp(src, dst, shallow=False):
                    continue
                raise ConfigError(f"{rel.as_posix()}: present in both {origin[rel.as_posix()]} and {src_root} with "
                                  "different content", fix="merge only shards of disjoint domains/choices")
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
            origin[rel.as_posix()] = src_root


def _expected_from_shard_specs(shards: list[tuple[Path, dict[str, Any]]], planned: list[tuple[str, str]]) -> set:
    """Shards made with ``scan --shard I/N`` record it as ``run.shard`` (with ``run.planned``, the visit list
    they were cut from, when the scan was filtered): the visits of the parts that did not arrive are expected."""
    from .shard import parse_shard, shard_assignment

    out: set = set()
    for _, doc in shards:
        spec = doc.get("run", {}).get("shard")
        if not spec:
            continue
        try:
            _, n = parse_shard(str(spec))
        except ConfigError:
            continue
        base = [tuple(v) for v in doc["run"].get("planned") or planned]
        for part in shard_assignment(base, n):
            out.update(part)
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def merge_runs(shard_dirs: list[Path], out: Path, expectations: Path | None = None, *, fail_on: str | None = None,
               formats: tuple[str, ...] = DEFAULT_FORMATS, lang: str = "nl", pdf: bool = False,
               baseline: Any = None, waivers: Any = None, history: Path | None = None,
               command: tuple[str, ...] = (), warn: Callable[[str], None] | None = stderr_warning,
               expect_domains: tuple[str, ...] | list[str] = (), expect_all: bool = False) -> dict[str, Any]:
    """Merge shard run folders into ``out`` and return the merged findings.json document.

    ``baseline``/``waivers``/``history`` are applied as in a scan (see :func:`cookieaudit.gate.apply_gates`).
    A shard that never arrived must not make the audit look complete: every visit of ``expect_domains`` (or of
    every domain with ``expect_all``), and of the missing parts of a ``--shard I/N`` set recorded by the shards
    (``run.shard``), that no shard holds is listed as not audited, so the merged run is incomplete (exit 2).
    Raises ConfigError (exit 64) for mismatched or overlapping shards.
    """
    from ..expectations import load_expectations
    from ..observations import Observation
    from ..finish import ScanOptions, build_document, finalize_run, plan_visits

    if not shard_dirs:
        raise ConfigError("merge: no shard run folders given", fix="cookieaudit merge RUN_DIR... --out DIR")
    if fail_on is not None and fail_on not in SEVERITIES:
        raise ConfigError(f"--fail-on {fail_on}: unknown severity", fix=f"use one of: {', '.join(SEVERITIES)}")
    shards = [_load_shard(Path(p)) for p in shard_dirs]
    roots = [r.resolve() for r, _ in shards]
    if len(set(roots)) != len(roots):
        raise ConfigError("merge: the same shard was given twice", fix="list each shard run folder once")
    out = Path(out)
    if out.resolve() in roots:
        raise ConfigError(f"--out {out}: is one of the shards", fix="write the merged run into a new folder")
    if out.exists() and any(out.iterdir()):
        raise ConfigError(f"--out {out}: exists and is not empty", fix="choose a new folder for the merged run")
    exp_path, exp_sha = _resolve_expectations(shards, Path(expectations) if expectations else None)
    exp = load_expectations(exp_path)
    shards.sort(key=lambda s: (s[1].get("run", {}).get("started_utc") or "", str(s[0])))

    # which shard owns which visit
    owner: dict[tuple[str, str], tuple[Path, dict[str, Any]]] = {}
    for root, doc in shards:
        for v in doc.get("visits", []):
            key = (v["domain"], v["choice"])
            if key in owner:
                raise ConfigError(f"{key[0]}/{key[1]} was audited by two shards: {owner[key][0]} and {root}",
                                  fix="merge shards of disjoint --shard I/N or --domain selections")
            owner[key] = (root, v)
    planned = plan_visits(exp, (), ())
    unknown = [k for k in owner if k not in planned]
    if unknown:
        raise ConfigError(f"shard visits not in the expectations file: {', '.join('/'.join(k) for k in unknown)}",
                          fix="pass the expectations file the shards were scanned with")
    known_domains = {d for d, _ in planned}
    for d in expect_domains:
        if d not in known_domains:
            raise ConfigError(f"--expect-domain {d}: not in the expectations file",
                              fix=f"use one of: {', '.join(sorted(known_domains))}")
    expected = {k for k in planned if expect_all or k[0] in expect_domains}
    expected |= _expected_from_shard_specs(shards, planned)
    absent = [k for k in planned if k in expected and k not in owner]
    visits = [k for k in planned if k in owner or k in expected]

    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out {out}: cannot create it ({exc.strerror})", fix="choose a writable folder") from None
    observations: dict[tuple[str, str], Observation] = {}
    try:
        origin: dict[str, Path] = {}
        for root, _ in shards:
            _copy_tree(root, out, origin)
        for key in visits:
            if key not in owner:
                continue
            _, v = owner[key]
            rel = v.get("observation") or f"observations/{key[0]}/{key[1]}.json"
            p = out / rel
            if p.is_file():
                try:
                    observations[key] = Observation.load(p)
                except (ValueError, KeyError, TypeError) as exc:
                    raise ConfigError(f"{owner[key][0]}/{rel}: not a readable observation ({exc})",
                                      fix="re-run that shard") from None
    except ConfigError:
        if created:                      # leave no half-merged folder behind
            shutil.rmtree(out, ignore_errors=True)
        raise
    missing: list[str] = []
    for _, doc in shards:
        for m in doc.get("missing", []):
            if m not in missing:
                missing.append(m)
    for key in visits:
        if key in absent:
            missing.append(f"{key[0]}/{key[1]}: not audited (no shard run folder holds this visit)")
        elif key not in observations and not any(m.startswith(f"{key[0]}/{key[1]}:") for m in missing):
            missing.append(f"{key[0]}/{key[1]}: observation file missing in shard {owner[key][0]}")

    runs = [doc.get("run", {}) for _, doc in shards]
    prov: dict[str, Any] = {k: v for k, v in runs[0].items()
                            if k not in ("concurrency", "command", "shard", "planned", "shards")}
    prov["id"] = out.name
    prov["started_utc"] = min((r.get("started_utc") for r in runs if r.get("started_utc")), default=None)
    prov["ended_utc"] = max((r.get("ended_utc") for r in runs if r.get("ended_utc")), default=None)
    prov["command"] = list(command)
    prov["expectations"] = {"path": str(exp_path), "sha256": exp_sha}
    prov["shards"] = [{
        "id": r.get("id"), "path": str(root), "started_utc": r.get("started_utc"), "ended_utc": r.get("ended_utc"),
        "status": doc.get("status"), "visits": [f"{v['domain']}/{v['choice']}" for v in doc.get("visits", [])],
        "host": r.get("host"), "tool": r.get("tool"), "browser_version": (r.get("browser") or {}).get("version"),
        "concurrency": r.get("concurrency"), "resolve": r.get("resolve"), "knowledge_base": r.get("knowledge_base"),
        "shard": r.get("shard"),
        "findings_sha256": _sha256(root / "findings.json"),
    } for (root, doc), r in zip(shards, runs)]
    fail_on = fail_on or next((d.get("summary", {}).get("fail_on") for _, d in shards
                               if d.get("summary", {}).get("fail_on")), "high")

    doc = build_document(exp, prov, visits, observations, missing, fail_on)

    kb_now = doc["run"].get("knowledge_base")
    for s in prov["shards"]:
        if s["knowledge_base"] and kb_now and s["knowledge_base"] != kb_now:
            add_warning(doc, "merge-kb-differs", f"shard {s['id']} was scanned with other knowledge-base versions "
                        "than the merge used to evaluate the rules", shard=s["id"])
    tools = {(s["tool"] or {}).get("git_commit") or (s["tool"] or {}).get("version") for s in prov["shards"]}
    if len(tools) > 1:
        add_warning(doc, "merge-tool-differs", "the shards ran different cookieaudit versions: "
                    + ", ".join(sorted(str(t) for t in tools)))
    browsers = {s["browser_version"] for s in prov["shards"] if s["browser_version"]}
    if len(browsers) > 1:
        add_warning(doc, "merge-browser-differs", "the shards ran different browser versions: " + ", ".join(sorted(browsers)))

    from . import apply_gates

    doc = apply_gates(doc, baseline=baseline, waivers=waivers, warn=warn)
    recompute_summary(doc)
    finalize_run(out, doc, ScanOptions(expectations=exp_path, out=out, formats=tuple(formats), lang=lang, pdf=pdf,
                                       fail_on=fail_on))
    if history is not None:
        from .history import append_history

        append_history(doc, history)
    return doc
