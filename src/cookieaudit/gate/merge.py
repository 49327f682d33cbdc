"""``cookieaudit merge``: shard run folders → one run folder, as if the whole matrix had run at once.

Each shard's sub-folders (observations/, evidence/, …) are copied as they are; the rules are evaluated again
over the union of the observations (rules may compare visits, e.g. across choices of one domain), and
findings.json, the formats and the manifests are written by the scan's own functions
(:func:`cookieaudit.finish.build_run_document`, :func:`cookieaudit.finish.finalize_run`).

Shards must have been scanned against the same expectations file (same SHA-256), and no (domain, choice)
may come from two shards.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import ConfigError
from ..expectations import Expectations
from ..findings import SEVERITIES, load_findings
from ..finish import DEFAULT_FORMATS
from ..observations import Observation
from ..rundoc import RunDocument, VisitEntry
from .baseline import BaselineLike
from .waivers import Waivers, stderr_warning

Visit = tuple[str, str]          # (domain, choice)


@dataclass(frozen=True)
class Shard:
    """One shard run folder and its run document."""

    root: Path
    doc: RunDocument


@dataclass(frozen=True)
class VisitPlan:
    """Which visits the merged run holds: the shard that owns each, and the expected ones no shard holds."""

    visits: list[Visit]                             # in the order of the expectations file
    owner: dict[Visit, tuple[Shard, VisitEntry]]
    absent: list[Visit]


def _load_shard(path: Path) -> Shard:
    root = path.parent if path.is_file() and path.name == "findings.json" else path
    if not (root / "findings.json").is_file():
        raise ConfigError(f"{path}: not a run folder (no findings.json)",
                          fix="pass the folders written by `cookieaudit scan --shard I/N --out DIR`")
    try:
        return Shard(root, RunDocument.from_dict(load_findings(root)))
    except ValueError as exc:
        raise ConfigError(f"{root}/findings.json: {exc}", fix="pass run folders written by cookieaudit scan") from None


def _resolve_expectations(shards: list[Shard], given: Path | None) -> tuple[Path, str]:
    from ..expectations import expectations_hash

    hashes: dict[str, list[str]] = {}
    for shard in shards:
        hashes.setdefault(shard.doc.expectations_sha256 or "(none recorded)", []).append(str(shard.root))
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
    for shard in shards:
        rec = (shard.doc.run.get("expectations") or {}).get("path")
        if rec:
            candidates += [Path(rec), shard.root / rec]
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


def _expected_from_shard_specs(shards: list[Shard], planned: list[Visit]) -> set[Visit]:
    """Shards made with ``scan --shard I/N`` record it as ``run.shard`` (with ``run.planned``, the visit list
    they were cut from, when the scan was filtered): the visits of the parts that did not arrive are expected."""
    from .shard import parse_shard, shard_assignment

    out: set[Visit] = set()
    for shard in shards:
        spec = shard.doc.run.get("shard")
        if not spec:
            continue
        try:
            _, n = parse_shard(str(spec))
        except ConfigError:
            continue
        base: list[Visit] = [(v[0], v[1]) for v in shard.doc.run.get("planned") or planned]
        for part in shard_assignment(base, n):
            out.update(part)
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load_shards(shard_dirs: list[Path], out: Path) -> list[Shard]:
    """The shards, each once, none of them the output folder, which must be new or empty."""
    if not shard_dirs:
        raise ConfigError("merge: no shard run folders given", fix="cookieaudit merge RUN_DIR... --out DIR")
    shards = [_load_shard(Path(p)) for p in shard_dirs]
    roots = [s.root.resolve() for s in shards]
    if len(set(roots)) != len(roots):
        raise ConfigError("merge: the same shard was given twice", fix="list each shard run folder once")
    if out.resolve() in roots:
        raise ConfigError(f"--out {out}: is one of the shards", fix="write the merged run into a new folder")
    if out.exists() and any(out.iterdir()):
        raise ConfigError(f"--out {out}: exists and is not empty", fix="choose a new folder for the merged run")
    return shards


def _plan_visits(shards: list[Shard], exp: Expectations, expect_domains: tuple[str, ...] | list[str],
                 expect_all: bool) -> VisitPlan:
    """Who owns which visit (a visit from two shards is an error), and which expected visits never arrived."""
    from ..finish import plan_visits

    owner: dict[Visit, tuple[Shard, VisitEntry]] = {}
    for shard in shards:
        for v in shard.doc.visits:
            if v.key in owner:
                raise ConfigError(f"{v.domain}/{v.choice} was audited by two shards: {owner[v.key][0].root} and "
                                  f"{shard.root}", fix="merge shards of disjoint --shard I/N or --domain selections")
            owner[v.key] = (shard, v)
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
    return VisitPlan(visits=[k for k in planned if k in owner or k in expected], owner=owner,
                     absent=[k for k in planned if k in expected and k not in owner])


def _gather_shards(shards: list[Shard], out: Path, plan: VisitPlan) -> dict[Visit, Observation]:
    """Copy every shard's evidence into ``out`` and load the observations of the planned visits.

    On a conflict nothing half-merged is left behind (a folder this call created is removed)."""
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out {out}: cannot create it ({exc.strerror})", fix="choose a writable folder") from None
    observations: dict[Visit, Observation] = {}
    try:
        origin: dict[str, Path] = {}
        for shard in shards:
            _copy_tree(shard.root, out, origin)
        for key in plan.visits:
            if key not in plan.owner:
                continue
            shard, v = plan.owner[key]
            rel = v.observation or f"observations/{key[0]}/{key[1]}.json"
            if (out / rel).is_file():
                try:
                    observations[key] = Observation.load(out / rel)
                except (ValueError, KeyError, TypeError) as exc:
                    raise ConfigError(f"{shard.root}/{rel}: not a readable observation ({exc})",
                                      fix="re-run that shard") from None
    except ConfigError:
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return observations


def _merged_missing(shards: list[Shard], plan: VisitPlan, observations: dict[Visit, Observation]) -> list[str]:
    """What the shards missed, plus every planned visit that no shard holds or whose observation is gone."""
    missing: list[str] = []
    for shard in shards:
        missing += [m for m in shard.doc.missing if m not in missing]
    for key in plan.visits:
        if key in plan.absent:
            missing.append(f"{key[0]}/{key[1]}: not audited (no shard run folder holds this visit)")
        elif key not in observations and not any(m.startswith(f"{key[0]}/{key[1]}:") for m in missing):
            missing.append(f"{key[0]}/{key[1]}: observation file missing in shard {plan.owner[key][0].root}")
    return missing


def _merged_provenance(shards: list[Shard], out: Path, command: tuple[str, ...], exp_path: Path,
                       exp_sha: str) -> dict[str, Any]:
    """The first shard's provenance, with the whole run's times and command and a record of every shard."""
    runs = [s.doc.run for s in shards]
    prov: dict[str, Any] = {k: v for k, v in runs[0].items()
                            if k not in ("concurrency", "command", "shard", "planned", "shards")}
    prov["id"] = out.name
    prov["started_utc"] = min((str(r["started_utc"]) for r in runs if r.get("started_utc")), default=None)
    prov["ended_utc"] = max((str(r["ended_utc"]) for r in runs if r.get("ended_utc")), default=None)
    prov["command"] = list(command)
    prov["expectations"] = {"path": str(exp_path), "sha256": exp_sha}
    prov["shards"] = [{
        "id": r.get("id"), "path": str(s.root), "started_utc": r.get("started_utc"), "ended_utc": r.get("ended_utc"),
        "status": s.doc.status, "visits": [f"{v.domain}/{v.choice}" for v in s.doc.visits],
        "host": r.get("host"), "tool": r.get("tool"), "browser_version": (r.get("browser") or {}).get("version"),
        "concurrency": r.get("concurrency"), "resolve": r.get("resolve"), "knowledge_base": r.get("knowledge_base"),
        "shard": r.get("shard"),
        "findings_sha256": _sha256(s.root / "findings.json"),
    } for s, r in zip(shards, runs)]
    return prov


def _shard_warnings(doc: RunDocument) -> RunDocument:
    """Warn when the shards were not made alike: other knowledge base, tool or browser versions."""
    kb_now = doc.run.get("knowledge_base")
    shards = doc.run["shards"]
    for s in shards:
        if s["knowledge_base"] and kb_now and s["knowledge_base"] != kb_now:
            doc = doc.with_warning("merge-kb-differs", f"shard {s['id']} was scanned with other knowledge-base "
                                   "versions than the merge used to evaluate the rules", shard=s["id"])
    tools = {(s["tool"] or {}).get("git_commit") or (s["tool"] or {}).get("version") for s in shards}
    if len(tools) > 1:
        doc = doc.with_warning("merge-tool-differs", "the shards ran different cookieaudit versions: "
                               + ", ".join(sorted(str(t) for t in tools)))
    browsers = {s["browser_version"] for s in shards if s["browser_version"]}
    if len(browsers) > 1:
        doc = doc.with_warning("merge-browser-differs",
                               "the shards ran different browser versions: " + ", ".join(sorted(browsers)))
    return doc


def merge_runs(shard_dirs: list[Path], out: Path, expectations: Path | None = None, *, fail_on: str | None = None,
               formats: tuple[str, ...] = DEFAULT_FORMATS, lang: str = "nl", pdf: bool = False,
               baseline: BaselineLike | None = None, waivers: Waivers | str | Path | None = None,
               history: Path | None = None, command: tuple[str, ...] = (),
               warn: Callable[[str], None] | None = stderr_warning,
               expect_domains: tuple[str, ...] | list[str] = (), expect_all: bool = False) -> RunDocument:
    """Merge shard run folders into ``out`` and return the merged run document.

    ``baseline``/``waivers``/``history`` are applied as in a scan (see :func:`cookieaudit.gate.apply_gates`).
    A shard that never arrived must not make the audit look complete: every visit of ``expect_domains`` (or of
    every domain with ``expect_all``), and of the missing parts of a ``--shard I/N`` set recorded by the shards
    (``run.shard``), that no shard holds is listed as not audited, so the merged run is incomplete (exit 2).
    Raises ConfigError (exit 64) for mismatched or overlapping shards.
    """
    from ..expectations import load_expectations
    from ..finish import ScanOptions, build_run_document, finalize_run
    from .apply import apply_gates

    if fail_on is not None and fail_on not in SEVERITIES:
        raise ConfigError(f"--fail-on {fail_on}: unknown severity", fix=f"use one of: {', '.join(SEVERITIES)}")
    out = Path(out)
    shards = _load_shards(shard_dirs, out)
    exp_path, exp_sha = _resolve_expectations(shards, Path(expectations) if expectations else None)
    exp = load_expectations(exp_path)
    shards.sort(key=lambda s: (s.doc.run.get("started_utc") or "", str(s.root)))
    plan = _plan_visits(shards, exp, expect_domains, expect_all)
    observations = _gather_shards(shards, out, plan)
    fail_on = fail_on or next((s.doc.summary.fail_on for s in shards if s.doc.summary.fail_on), "high")
    doc = build_run_document(exp, _merged_provenance(shards, out, command, exp_path, exp_sha), plan.visits,
                             observations, _merged_missing(shards, plan, observations), fail_on)
    doc = apply_gates(_shard_warnings(doc), baseline=baseline, waivers=waivers, warn=warn)
    finalize_run(out, doc, ScanOptions(expectations=exp_path, out=out, formats=tuple(formats), lang=lang, pdf=pdf,
                                       fail_on=fail_on))
    if history is not None:
        from .history import append_history

        append_history(doc, history)
    return doc
