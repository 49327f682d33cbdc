"""The rules: one small module per rule (bilingual metadata + a pure check), and the two entry points.

    from cookieaudit.rules import evaluate, catalogue
    findings = evaluate(observations, expectations, kb, paths)   # paths[(domain, choice)] -> "observations/<d>/<c>.json"
    catalogue(lang=None)   # rule id -> {"id", "title", "explanation", "severity", "jurisdictions", "legal_basis", ...}

Adding a rule = one module with ``META`` and ``check(ctx, out)`` plus one line in ``RULES``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Iterable, Mapping

from ..expectations import Expectations
from ..findings import Finding, severity_rank, subject_key
from ..kb import KnowledgeBase
from ..observations import Observation
from . import (
    banner_no_granular_choice,
    banner_no_reject_first_layer,
    banner_pre_ticked,
    banner_reject_less_prominent,
    category_violation,
    consent_by_scrolling,
    consent_category_not_offered,
    consent_mode_cookieless_ping,
    consent_not_persisted,
    consent_not_verified,
    consent_signal_mismatch,
    cookie_lifetime,
    cookie_wall,
    de_gtm_before_consent,
    de_google_fonts_before_consent,
    declared_not_observed,
    ga_ip_not_anonymised,
    nl_analytics_exemption,
    non_eea_recipient,
    page_unavailable,
    pre_consent_tracking,
    tracking_after_reject,
    tracking_after_withdraw,
    undeclared_cookie,
    undeclared_tracker,
    unknown_third_party,
    tls_certificate_invalid,
)
from .base import RuleMeta
from .context import Collector, Context

RULES: tuple[ModuleType, ...] = (
    pre_consent_tracking,
    nl_analytics_exemption,
    tracking_after_reject,
    tracking_after_withdraw,
    banner_no_reject_first_layer,      # banner judging (EDPB Cookie Banner Taskforce report 2023)
    banner_reject_less_prominent,
    banner_pre_ticked,
    banner_no_granular_choice,
    cookie_wall,
    consent_by_scrolling,
    consent_not_persisted,
    category_violation,
    consent_signal_mismatch,
    consent_mode_cookieless_ping,
    ga_ip_not_anonymised,
    undeclared_tracker,
    unknown_third_party,
    undeclared_cookie,
    cookie_lifetime,
    de_gtm_before_consent,
    de_google_fonts_before_consent,
    non_eea_recipient,
    declared_not_observed,
    consent_not_verified,
    consent_category_not_offered,
    tls_certificate_invalid,
    page_unavailable,
)

_BY_ID: dict[str, ModuleType] = {m.META.id: m for m in RULES}


def rule_ids() -> list[str]:
    return [m.META.id for m in RULES]


def catalogue(lang: str | None = None) -> dict[str, dict[str, Any]]:
    """Every rule's metadata. ``lang`` ("en"/"nl") flattens title/explanation to that language."""
    return {m.META.id: m.META.to_dict(lang) for m in RULES}


_ORDER: dict[str, int] = {m.META.id: i for i, m in enumerate(RULES)}


def sort_key(f: Finding) -> tuple:
    """Domain, then severity (highest first), then rule order, choice, vendor, subject: stable across runs."""
    return (f.domain, -severity_rank(f.severity), _ORDER.get(f.rule, 99), f.rule, f.choice, f.vendor or "",
            subject_key(f.subject), f.id)


def evaluate(observations: Iterable[Observation] | Mapping[Any, Observation], expectations: Expectations,
             kb: KnowledgeBase, paths: Mapping[tuple[str, str], str] | None = None,
             rules: Iterable[str] | None = None, errors: list[dict[str, str]] | None = None) -> list[Finding]:
    """Run the rules over the observations of one audit; deterministic, sorted findings.

    ``paths`` maps (domain, choice) to the observation file relative to the run folder (used in evidence
    pointers; default ``observations/<domain>/<choice>.json``). ``rules`` restricts to some rule ids.
    A rule that crashes does not stop the others (as a crashing Lighthouse audit becomes an error result): its
    partial findings are dropped and ``{"rule", "error"}`` is appended to ``errors`` — the caller must then
    report the audit as incomplete. Without an ``errors`` list the exception propagates (tests see it).
    """
    ctx = Context(observations, expectations, kb, paths)
    selected = [(_BY_ID[r] if r in _BY_ID else _unknown(r)) for r in rules] if rules is not None else list(RULES)
    found: list[Finding] = []
    for module in selected:
        out = Collector(ctx)
        try:
            module.check(ctx, out)
            found.extend(out.findings())
        except Exception as exc:  # noqa: BLE001 - one broken rule must not lose the others' findings
            if errors is None:
                raise
            errors.append({"rule": module.META.id,
                           "error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]})
    return sorted(sound(found, ctx), key=sort_key)


_CHOICE_WINDOWS = ("after-choice", "after-withdraw")


def sound(findings: Iterable[Finding], ctx: Context) -> list[Finding]:
    """Never a claim about a choice that did not happen: on a visit whose choice was not performed, findings of
    rules that presuppose a choice, and findings placed after such a choice, are dropped (one place for every
    rule). What that visit saw before the consent moment stays reported by the rules that need no choice."""
    visits = {(r.domain, r.choice): r for r in ctx.visits}
    out = []
    for f in findings:
        visit = visits.get((f.domain, f.choice))
        if visit is not None and not visit.choice_performed:
            if _BY_ID[f.rule].META.needs_choice or f.details.get("window") in _CHOICE_WINDOWS:
                continue
        out.append(f)
    return out


def _unknown(rule_id: str) -> ModuleType:
    raise KeyError(f"unknown rule {rule_id!r}; known: {', '.join(rule_ids())}")


__all__ = ["evaluate", "catalogue", "rule_ids", "RULES", "RuleMeta", "Context", "Collector"]
