"""The one place that decides which findings fail a run, once baselines and waivers have annotated them.

Contract (top-level keys of a finding in findings.json, added after the rules ran; ``Finding.from_dict``
ignores them):

``status``          ``new`` | ``persisting`` (only when a baseline was applied; absent = new)
``waived``          ``true`` when an unexpired waiver covers the finding
``waiver``          the waiver that matched (id or match, reason, who, expires, source:line)
``waiver_expired``  ``true`` when the only matching waiver has expired (the finding counts again)

A finding counts for the exit code when it is not waived and is new (or no baseline was given). The older
``details.waived`` / ``details.baseline_status`` spelling is honoured as well; the scan core uses this same
function for the first exit code, before any gate is applied.
"""

from __future__ import annotations

from typing import Any

from ..errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from ..findings import SEVERITIES, severity_rank


def counts_for_exit(f: dict[str, Any]) -> bool:
    details = f.get("details") or {}
    if f.get("waived") or details.get("waived"):
        return False
    status = f.get("status") or details.get("baseline_status") or "new"
    return status == "new"


def recompute_summary(doc: dict[str, Any]) -> dict[str, Any]:
    """Recompute ``doc["summary"]`` (in place, also returned) from the visits and the annotated findings."""
    summary = dict(doc.get("summary") or {})
    fail_on = summary.get("fail_on", "high")
    findings = doc.get("findings", [])
    visits = doc.get("visits", [])
    incomplete = sum(1 for v in visits if v.get("status") != "complete")
    broken_rules = bool(doc.get("rule_errors"))     # a crashed rule's findings are missing: not a complete audit
    by_sev: dict[str, int] = {}
    for f in findings:
        by_sev[f["severity"]] = by_sev.get(f["severity"], 0) + 1
    failing = [f for f in findings
               if severity_rank(f["severity"]) >= severity_rank(fail_on) and counts_for_exit(f)]
    summary.update({
        "visits": len(visits), "complete": len(visits) - incomplete, "incomplete": incomplete,
        "findings": len(findings),
        "findings_by_severity": {s: by_sev[s] for s in reversed(SEVERITIES) if s in by_sev},
        "fail_on": fail_on, "failing_findings": len(failing),
        "exit_code": EXIT_INCOMPLETE if incomplete or broken_rules else (EXIT_FINDINGS if failing else EXIT_OK),
    })
    if "baseline" in doc:
        b = doc["baseline"]
        summary["baseline"] = {"run": b.get("run_id"), "new": sum(1 for f in findings if f.get("status") == "new"),
                               "persisting": sum(1 for f in findings if f.get("status") == "persisting"),
                               "resolved": len(b.get("resolved", [])), "unknown": len(b.get("unknown", []))}
    if "waivers" in doc:
        summary["waived"] = sum(1 for f in findings if f.get("waived"))
        summary["waivers_expired"] = sum(1 for f in findings if f.get("waiver_expired"))
    doc["summary"] = summary
    doc["status"] = "incomplete" if incomplete or broken_rules else "complete"
    return summary


def add_warning(doc: dict[str, Any], code: str, message: str, **extra: Any) -> None:
    """Append to ``doc["warnings"]`` (a list of {code, message, ...}) unless the same one is there already."""
    warnings = doc.setdefault("warnings", [])
    entry = {"code": code, "message": message, **extra}
    if entry not in warnings:
        warnings.append(entry)
