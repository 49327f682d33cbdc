"""Compare a run with a previous one: which findings are new, which persist, which were resolved.

Findings are matched by their stable ``id`` (rule | domain | choice | vendor | subject key, see
:func:`cookieaudit.findings.finding_id`). Only the scope of the current run is compared: a baseline finding
of a (domain, choice) that was not scanned now is neither resolved nor persisting, and one whose visit is
incomplete now is ``unknown`` (the browser did not get to see whether it is still there).

With a baseline only ``new`` findings count for ``--fail-on`` and the exit code.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..errors import ConfigError
from ..findings import FINDINGS_SCHEMA, Finding, subject_key
from ..rundoc import BaselineReport, DocLike, GoneFinding, RunDocument, as_document, same_kind
from .summary import summarize


@dataclass(frozen=True)
class Baseline:
    """An earlier run to compare with, and where it was read from (printed in the report)."""

    document: RunDocument
    source: str


BaselineLike = Baseline | RunDocument | Mapping[str, Any] | str | Path


def _domain_scoped(f: Finding) -> bool:
    return isinstance(f.details.get("choices"), list)


def _loose_key(f: Finding) -> tuple[str, str, str, str]:
    return (f.rule, f.domain, f.vendor or "-", subject_key(f.subject))


def load_baseline(source: BaselineLike) -> Baseline:
    """A previous findings.json, given as the document, the file or the run folder that holds it."""
    if isinstance(source, Baseline):
        return source
    if isinstance(source, RunDocument):
        return Baseline(source, str(source.run_id or "(document)"))
    if isinstance(source, Mapping):
        doc: Any = source
        origin = str((source.get("run") or {}).get("id", "(document)"))
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
    if not isinstance(doc, Mapping) or doc.get("schema") != FINDINGS_SCHEMA:
        got = doc.get("schema") if isinstance(doc, Mapping) else type(doc).__name__
        raise ConfigError(f"--baseline {origin}: not a {FINDINGS_SCHEMA} document (schema={got!r})",
                          fix="pass the findings.json written by `cookieaudit scan` or `cookieaudit merge`")
    return Baseline(RunDocument.from_dict(doc), origin)


@dataclass
class _BaselineIndex:
    """The baseline's findings, found by id, by the ids they stood for before grouping, and without their choice."""

    by_id: dict[str, Finding] = field(default_factory=dict)
    by_alias: dict[str, Finding] = field(default_factory=dict)
    by_loose_key: dict[tuple[str, str, str, str], Finding] = field(default_factory=dict)
    visit_status: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def of(cls, base: RunDocument) -> "_BaselineIndex":
        index = cls(visit_status={v.key: v.status for v in base.visits})
        for f in base.findings:
            if f.status not in ("resolved", "unknown"):
                index.by_id.setdefault(f.id, f)
        for f in index.by_id.values():
            # Rules that report a fact once per domain file it under the first choice where it was seen
            # (details.choices lists all); when that first choice changes between runs the id changes too, so
            # such findings are also matched without their choice.
            if _domain_scoped(f):
                index.by_loose_key.setdefault(_loose_key(f), f)
            # grouped findings carry the per-subject ids they replaced (``aliases``): a baseline written before
            # grouping (one finding per cookie/request) or after it matches either way
            for a in f.all_ids[1:]:
                index.by_alias.setdefault(a, f)
        return index

    def earlier(self, f: Finding) -> tuple[Finding | None, bool]:
        """The baseline finding ``f`` continues, and whether it was found only without its choice."""
        prev = self.by_id.get(f.id)
        for a in f.all_ids:
            if prev is not None:
                break
            prev = self.by_id.get(a) or self.by_alias.get(a)
        if prev is None:
            prev = self.by_alias.get(f.id)
        if prev is None and _domain_scoped(f):
            loose = self.by_loose_key.get(_loose_key(f))
            return loose, loose is not None
        return prev, False


def _new_finding_note(f: Finding, index: _BaselineIndex, visits: dict[tuple[str, str], str]) -> str | None:
    """Why a new finding may be new only because the baseline did not look (its visit was not complete there)."""
    status = index.visit_status.get((f.domain, f.choice))
    if status is None and (f.domain, f.choice) in visits:
        return "this domain and choice was not audited in the baseline run"
    if status is not None and status != "complete":
        return "this visit was incomplete in the baseline run"
    return None


def _mark_findings(doc: RunDocument, index: _BaselineIndex, started_utc: str | None) -> tuple[list[Finding], set[str]]:
    """Every current finding marked new or persisting; also the baseline ids that are matched (not resolved)."""
    visits = {v.key: v.status for v in doc.visits}
    marked: list[Finding] = []
    matched: set[str] = set()
    for f in doc.findings:
        prev, loosely = index.earlier(f)
        if prev is None:
            marked.append(dataclasses.replace(f, status="new", first_seen_utc=None,
                                              baseline_note=_new_finding_note(f, index, visits)))
            continue
        # every pre-grouping finding this one stands for is matched, not resolved
        matched.update(a for a in f.all_ids if a in index.by_id)
        matched.add(prev.id)
        marked.append(dataclasses.replace(f, status="persisting", first_seen_utc=prev.first_seen_utc or started_utc,
                                          baseline_id=prev.id if loosely else f.baseline_id))
    return marked, matched


def _gone_findings(doc: RunDocument, index: _BaselineIndex, seen: set[str],
                   run_id: str | None) -> tuple[list[GoneFinding], list[GoneFinding]]:
    """Baseline findings not seen now, within this run's scope: resolved (visit complete) or unknown."""
    visits = {v.key: v.status for v in doc.visits}
    resolved: list[GoneFinding] = []
    unknown: list[GoneFinding] = []
    for fid, f in index.by_id.items():
        key = (f.domain, f.choice)
        if fid in seen or key not in visits:
            continue                                   # still there, or outside the scope of this run
        if visits[key] == "complete":
            resolved.append(GoneFinding.of(f, "resolved", run_id))
        else:
            unknown.append(GoneFinding.of(f, "unknown", run_id, reason="the visit is incomplete in this run, so it "
                                          "cannot be said whether it is gone"))
    return resolved, unknown


def _comparison_warnings(doc: RunDocument, base: RunDocument) -> RunDocument:
    """Warn when the comparison says less than it seems: other declarations, or the run compared with itself."""
    if base.expectations_sha256 and doc.expectations_sha256 and base.expectations_sha256 != doc.expectations_sha256:
        doc = doc.with_warning(
            "baseline-expectations-changed",
            "the baseline run used a different expectations file: findings that depend on the declarations "
            "may show up as new or resolved because of that change, not because the site changed",
            baseline_sha256=base.expectations_sha256, sha256=doc.expectations_sha256)
    if base.run_id and base.run_id == doc.run_id and base.run.get("started_utc") == doc.run.get("started_utc"):
        doc = doc.with_warning("baseline-is-this-run", "the baseline is this run itself: nothing can be new")
    return doc


def apply_baseline(doc: DocLike, baseline: BaselineLike) -> DocLike:
    """A new document whose findings carry ``status`` new|persisting, with a ``baseline`` report listing the
    baseline findings that are ``resolved`` (gone from a complete visit) or ``unknown`` (visit incomplete now),
    and a summary whose exit code counts new findings only."""
    base = load_baseline(baseline)
    current = as_document(doc)
    index = _BaselineIndex.of(base.document)
    started = base.document.run.get("started_utc")
    marked, matched = _mark_findings(current, index, started)
    resolved, unknown = _gone_findings(current, index, {f.id for f in marked} | matched, base.document.run_id)
    out = _comparison_warnings(dataclasses.replace(current, findings=tuple(marked)), base.document)
    report = BaselineReport(source=base.source, run_id=base.document.run_id, started_utc=started,
                            expectations_sha256=base.document.expectations_sha256,
                            new=sum(1 for f in marked if f.status == "new"),
                            persisting=sum(1 for f in marked if f.status == "persisting"),
                            resolved=tuple(resolved), unknown=tuple(unknown))
    return same_kind(summarize(dataclasses.replace(out, baseline=report)), doc)
