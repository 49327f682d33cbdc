"""The one place that decides which findings fail a run, once baselines and waivers have marked them.

The marks are fields of :class:`~cookieaudit.findings.Finding` (written as top-level keys of a finding in
findings.json, only when set):

``status``          ``new`` | ``persisting`` (only when a baseline was applied; absent = new)
``waived``          ``true`` when an unexpired waiver covers the finding
``waiver``          the waiver that matched (id or match, reason, who, expires, source:line)
``waiver_expired``  ``true`` when the only matching waiver has expired (the finding counts again)

A finding counts for the exit code when it is not waived and is new (or no baseline was given). The older
``details.waived`` / ``details.baseline_status`` spelling is honoured as well. :func:`summarize` is used by the
finish layer for the first exit code, before any gate, and by every gate after it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from ..findings import SEVERITIES, Finding, severity_rank
from ..rundoc import BaselineCounts, RunDocument, RunWarning, Summary


def counts_for_exit(f: Finding) -> bool:
    return not f.is_waived and (f.baseline_status or "new") == "new"


def summarize(doc: RunDocument) -> RunDocument:
    """The document with its summary and status computed from the visits, the marked findings and the gates."""
    fail_on = doc.summary.fail_on
    incomplete = sum(1 for v in doc.visits if v.status != "complete")
    broken_rules = bool(doc.rule_errors)     # a crashed rule's findings are missing: not a complete audit
    # anything the run could not do (an observation or discovery record not written, a visit not audited) leaves it
    # incomplete even when every visit it did record is complete
    unfinished = bool(incomplete or broken_rules or doc.missing)
    by_sev: dict[str, int] = {}
    for f in doc.findings:
        by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
    failing = [f for f in doc.findings if severity_rank(f.severity) >= severity_rank(fail_on) and counts_for_exit(f)]
    baseline = None
    if doc.baseline is not None:
        statuses = [f.status for f in doc.findings]
        baseline = BaselineCounts(run=doc.baseline.run_id, new=statuses.count("new"),
                                  persisting=statuses.count("persisting"), resolved=len(doc.baseline.resolved),
                                  unknown=len(doc.baseline.unknown))
    waivers = doc.waivers is not None
    summary = Summary(
        fail_on=fail_on, visits=len(doc.visits), complete=len(doc.visits) - incomplete, incomplete=incomplete,
        findings=len(doc.findings), findings_by_severity={s: by_sev[s] for s in reversed(SEVERITIES) if s in by_sev},
        failing_findings=len(failing),
        exit_code=EXIT_INCOMPLETE if unfinished else (EXIT_FINDINGS if failing else EXIT_OK),
        waived=sum(1 for f in doc.findings if f.waived) if waivers else None,
        waivers_expired=sum(1 for f in doc.findings if f.waiver_expired) if waivers else None,
        baseline=baseline, extra=doc.summary.extra)
    return dataclasses.replace(doc, summary=summary, status="incomplete" if unfinished else "complete")


def recompute_summary(doc: dict[str, Any]) -> dict[str, Any]:
    """:func:`summarize` for a findings.json dict: ``doc["summary"]`` and ``doc["status"]`` set in place."""
    done = summarize(RunDocument.from_dict(doc))
    doc["summary"] = done.summary.to_dict()
    doc["status"] = done.status
    return doc["summary"]


def add_warning(doc: dict[str, Any], code: str, message: str, **extra: Any) -> None:
    """Append to ``doc["warnings"]`` of a findings.json dict unless the same one is there already
    (:meth:`RunDocument.with_warning` for the typed document)."""
    warnings = doc.setdefault("warnings", [])
    entry = RunWarning(code, message, extra).to_dict()
    if entry not in warnings:
        warnings.append(entry)
