"""Compare a run with a previous one: which findings are new, which persist, which were resolved.

Findings are matched by their stable ``id`` (rule | domain | choice | vendor | subject key, see
:func:`cookieaudit.findings.finding_id`). Only the scope of the current run is compared: a baseline finding
of a (domain, choice) that was not scanned now is neither resolved nor persisting, and one whose visit is
incomplete now is ``unknown`` (the browser did not get to see whether it is still there).

With a baseline only ``new`` findings count for ``--fail-on`` and the exit code.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..findings import FINDINGS_SCHEMA, all_ids, subject_key
from .summary import add_warning, recompute_summary

BaselineLike = dict[str, Any] | str | Path

# what is kept of a baseline finding that is listed as resolved/unknown (its evidence lives in the old run)
_KEEP = ("id", "rule", "severity", "domain", "choice", "phase", "jurisdiction", "vendor", "category", "subject",
         "message", "message_nl")


def _domain_scoped(f: dict[str, Any]) -> bool:
    return isinstance((f.get("details") or {}).get("choices"), list)


def _loose_key(f: dict[str, Any]) -> tuple:
    return (f["rule"], f["domain"], f.get("vendor") or "-", subject_key(f.get("subject") or {}))


def load_baseline(source: BaselineLike) -> dict[str, Any]:
    """A previous findings.json, given as the document, the file or the run folder that holds it."""
    if isinstance(source, dict):
        doc = source
        origin = str(source.get("run", {}).get("id", "(document)"))
    else:
        p = Path(source)
        origin = str(p)
        if p.is_dir():
            p = p / "findings.json"
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"--baseline {source}: no findings.json there",
                              fix="pass the findings.json of an earlier run, or its run folder") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"--baseline {p}: not valid JSON ({exc})",
                              fix="pass the findings.json of an earlier run, or its run folder") from None
    if not isinstance(doc, dict) or doc.get("schema") != FINDINGS_SCHEMA:
        got = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
        raise ConfigError(f"--baseline {origin}: not a {FINDINGS_SCHEMA} document (schema={got!r})",
                          fix="pass the findings.json written by `cookieaudit scan` or `cookieaudit merge`")
    doc = dict(doc)
    doc.setdefault("_source", origin)
    return doc


def apply_baseline(doc: dict[str, Any], baseline: BaselineLike) -> dict[str, Any]:
    """Return a copy of ``doc`` whose findings carry ``status`` new|persisting, with ``doc["baseline"]`` listing
    the baseline findings that are ``resolved`` (gone from a complete visit) or ``unknown`` (visit incomplete
    now), and a summary whose exit code counts new findings only."""
    base = load_baseline(baseline)
    out = copy.deepcopy(doc)
    base_run = base.get("run", {})
    base_findings: dict[str, dict[str, Any]] = {}
    for f in base.get("findings", []):
        if f.get("status") in ("resolved", "unknown"):
            continue
        base_findings.setdefault(f["id"], f)
    base_visits = {(v["domain"], v["choice"]): v.get("status") for v in base.get("visits", [])}
    visits = {(v["domain"], v["choice"]): v.get("status") for v in out.get("visits", [])}

    # Rules that report a fact once per domain file it under the first choice where it was seen
    # (details.choices lists all); when that first choice changes between runs the id changes too, so such
    # findings are also matched without their choice.
    base_by_key: dict[tuple, dict[str, Any]] = {}
    for f in base_findings.values():
        if _domain_scoped(f):
            base_by_key.setdefault(_loose_key(f), f)

    # grouped findings carry the per-subject ids they replaced (``aliases``): a baseline written before grouping
    # (one finding per cookie/request) or after it matches either way
    base_by_alias: dict[str, dict[str, Any]] = {}
    for f in base_findings.values():
        for a in all_ids(f)[1:]:
            base_by_alias.setdefault(a, f)

    current_ids = set()
    matched_base: set[str] = set()
    for f in out.get("findings", []):
        current_ids.add(f["id"])
        prev = base_findings.get(f["id"])
        for a in all_ids(f):
            if prev is not None:
                break
            prev = base_findings.get(a) or base_by_alias.get(a)
        if prev is None:
            prev = base_by_alias.get(f["id"])
        if prev is not None:
            # every pre-grouping finding this one stands for is matched, not resolved
            for a in all_ids(f):
                if a in base_findings:
                    matched_base.add(a)
        if prev is None and _domain_scoped(f):
            prev = base_by_key.get(_loose_key(f))
            if prev is not None:
                f["baseline_id"] = prev["id"]
        if prev is not None:
            matched_base.add(prev["id"])
        if prev is not None:
            f["status"] = "persisting"
            f["first_seen_utc"] = prev.get("first_seen_utc") or base_run.get("started_utc")
        else:
            f["status"] = "new"
            f.pop("first_seen_utc", None)
            bv = base_visits.get((f["domain"], f["choice"]))
            if bv is None and (f["domain"], f["choice"]) in visits:
                f["baseline_note"] = "this domain and choice was not audited in the baseline run"
            elif bv is not None and bv != "complete":
                f["baseline_note"] = "this visit was incomplete in the baseline run"
            else:
                f.pop("baseline_note", None)

    resolved: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = []
    for fid, f in base_findings.items():
        if fid in current_ids or fid in matched_base:
            continue
        key = (f["domain"], f["choice"])
        if key not in visits:
            continue                                   # outside the scope of this run
        entry = {k: f.get(k) for k in _KEEP if k in f}
        entry["baseline_run"] = base_run.get("id")
        if visits[key] == "complete":
            entry["status"] = "resolved"
            resolved.append(entry)
        else:
            entry["status"] = "unknown"
            entry["reason"] = "the visit is incomplete in this run, so it cannot be said whether it is gone"
            unknown.append(entry)

    base_exp = (base_run.get("expectations") or {}).get("sha256")
    cur_exp = (out.get("run", {}).get("expectations") or {}).get("sha256")
    if base_exp and cur_exp and base_exp != cur_exp:
        add_warning(out, "baseline-expectations-changed",
                    "the baseline run used a different expectations file: findings that depend on the declarations "
                    "may show up as new or resolved because of that change, not because the site changed",
                    baseline_sha256=base_exp, sha256=cur_exp)
    if base_run.get("id") and base_run.get("id") == out.get("run", {}).get("id") and \
            base_run.get("started_utc") == out.get("run", {}).get("started_utc"):
        add_warning(out, "baseline-is-this-run", "the baseline is this run itself: nothing can be new")

    out["baseline"] = {
        "source": base.get("_source"),
        "run_id": base_run.get("id"),
        "started_utc": base_run.get("started_utc"),
        "expectations_sha256": base_exp,
        "new": sum(1 for f in out.get("findings", []) if f["status"] == "new"),
        "persisting": sum(1 for f in out.get("findings", []) if f["status"] == "persisting"),
        "resolved": resolved,
        "unknown": unknown,
    }
    recompute_summary(out)
    return out
