"""The run document: what findings.json holds, as frozen, typed values from the rules to the formats.

findings.json (schema ``cookieaudit.findings/1``) is a contract: baselines, waivers, ``cookieaudit evaluate``,
merge and history read it, and old run folders must keep loading. :meth:`RunDocument.to_dict` writes the keys, in
the order, that the scan, merge and evaluate wrote before the document was typed (the gates' sections last, as
``summary, warnings, waivers, baseline``); :meth:`RunDocument.from_dict` reads today's files and older ones (missing
keys get their defaults, keys this version does not know are kept in ``extra`` and written back, so an older file
comes back in today's order, its content kept).

The gates never change a document: they return a new one (``dataclasses.replace``), with the baseline and waiver
marks as fields of each :class:`~cookieaudit.findings.Finding` and the summary recomputed by the one summary
function (:func:`cookieaudit.gate.summary.summarize`).

Still plain mappings, on purpose: ``run`` (the provenance record the scan writes: tool, browser, host, shards …, read
by people and by merge as a whole), a domain's ``discovery`` summary (the page-discovery record's own shape) and
``rules`` (the rule catalogue, ``RuleMeta.to_dict``, read by the formats as it is).
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, TypeVar, overload

from .findings import FINDINGS_SCHEMA, Finding

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _empty() -> Mapping[str, Any]:
    return _EMPTY


def _plain(value: Any) -> Any:
    """A deep copy made of dicts and lists, so that a caller changing the JSON never changes the document."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return copy.copy(value)


def _rest(d: Mapping[str, Any], known: tuple[str, ...]) -> Mapping[str, Any]:
    """The keys of ``d`` this version does not know: kept, and written back after the known ones."""
    return MappingProxyType({k: v for k, v in d.items() if k not in known}) if any(k not in known for k in d) \
        else _EMPTY


# -- visits ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConsentSummary:
    """What became of the consent choice of one visit (the observation's ``consent``, in short)."""

    outcome: str
    method: str | None = None
    cmp: str | None = None
    reason: str = ""
    accepted_categories: tuple[str, ...] | None = None
    extra: Mapping[str, Any] = field(default_factory=_empty)

    _KEYS = ("outcome", "method", "cmp", "reason", "accepted_categories")

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "method": self.method, "cmp": self.cmp, "reason": self.reason,
                "accepted_categories": list(self.accepted_categories) if self.accepted_categories is not None
                else None, **_plain(self.extra)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ConsentSummary":
        cats = d.get("accepted_categories")
        return cls(outcome=str(d.get("outcome", "")), method=d.get("method"), cmp=d.get("cmp"),
                   reason=d.get("reason") or "", accepted_categories=tuple(cats) if cats is not None else None,
                   extra=_rest(d, cls._KEYS))


@dataclass(frozen=True)
class VisitTiming:
    """When a visit that was walked started and ended, and when its consent wall was met (UTC)."""

    started_utc: str | None
    ended_utc: str | None
    consent_wall_utc: str | None


@dataclass(frozen=True)
class VisitEntry:
    """One visit of the run: a (domain, choice) walk, its status and where its observation is stored."""

    domain: str
    choice: str
    status: str                                   # complete | incomplete
    observation: str | None = None                # relative path; None: not audited
    consent: ConsentSummary | None = None
    errors: tuple[str, ...] = ()
    counts: Mapping[str, int] = field(default_factory=_empty)   # requests, cookies, storage ({} when not audited)
    timing: VisitTiming | None = None             # None: the visit was not walked (or an older findings.json)
    not_site: Mapping[str, Any] | None = None     # the page met was not the site (bot wall, parked domain …)
    extra: Mapping[str, Any] = field(default_factory=_empty)

    _KEYS = ("domain", "choice", "status", "observation", "consent", "errors", "counts", "started_utc", "ended_utc",
             "consent_wall_utc", "not_site")

    @property
    def key(self) -> tuple[str, str]:
        return (self.domain, self.choice)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"domain": self.domain, "choice": self.choice, "status": self.status,
                               "observation": self.observation,
                               "consent": self.consent.to_dict() if self.consent is not None else None,
                               "errors": list(self.errors), "counts": dict(self.counts)}
        if self.timing is not None:
            out.update(dataclasses.asdict(self.timing))
        if self.not_site is not None:
            out["not_site"] = _plain(self.not_site)
        out.update(_plain(self.extra))
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "VisitEntry":
        timing = VisitTiming(d.get("started_utc"), d.get("ended_utc"), d.get("consent_wall_utc")) \
            if "started_utc" in d else None
        consent = d.get("consent")
        return cls(domain=d["domain"], choice=d["choice"], status=d.get("status", "complete"),
                   observation=d.get("observation"),
                   consent=ConsentSummary.from_dict(consent) if isinstance(consent, Mapping) else None,
                   errors=tuple(d.get("errors") or ()), counts=MappingProxyType(dict(d.get("counts") or {})),
                   timing=timing, not_site=d.get("not_site"), extra=_rest(d, cls._KEYS))


# -- domains and vendors ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VendorSeen:
    """A vendor of one domain: named in the privacy policy (``declared``), seen by the browser (``observed``), or
    both; with the hosts it was reached on and the choices under which it was seen."""

    id: str | None
    name: str | None
    category: str | None
    declared: bool
    observed: bool = True              # an older findings.json listed observed vendors without saying so
    hosts: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=_empty)

    _KEYS = ("id", "name", "category", "hosts", "choices", "declared", "observed")

    def to_dict(self) -> dict[str, Any]:
        head = {"id": self.id, "name": self.name, "category": self.category}
        seen = {"hosts": list(self.hosts), "choices": list(self.choices)}
        flags = {"declared": self.declared, "observed": self.observed}
        # an observed vendor is written as it was gathered (what was seen, then the flags); a declared-only one
        # flags first: the order findings.json has always had
        out = {**head, **seen, **flags} if self.observed else {**head, **flags, **seen}
        out.update(_plain(self.extra))
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "VendorSeen":
        return cls(id=d.get("id"), name=d.get("name"), category=d.get("category"), declared=bool(d.get("declared")),
                   observed=bool(d.get("observed", True)), hosts=tuple(d.get("hosts") or ()),
                   choices=tuple(d.get("choices") or ()), extra=_rest(d, cls._KEYS))


@dataclass(frozen=True)
class DeclaredVendor:
    """A vendor the privacy policy names, with its categories and the article that says so."""

    id: str | None
    name: str | None
    categories: tuple[str, ...] = ()
    ref: str | None = None
    extra: Mapping[str, Any] = field(default_factory=_empty)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "categories": list(self.categories), "ref": self.ref,
                **_plain(self.extra)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "DeclaredVendor":
        return cls(id=d.get("id"), name=d.get("name"),
                   categories=tuple(d.get("categories") or ()), ref=d.get("ref"),
                   extra=_rest(d, ("id", "name", "categories", "ref")))


@dataclass(frozen=True)
class DomainEntry:
    """One audited domain: where it is audited from, the pages every choice walked, and its vendors.

    None means the key is absent (an older findings.json, or a domain only known from its visits)."""

    host: str
    country: str | None = None
    locale: str | None = None
    timezone: str | None = None
    pages: tuple[str, ...] | None = None
    pages_source: str | None = None          # configured | discovered
    discovery: Mapping[str, Any] | None = None
    vendors: tuple[VendorSeen, ...] | None = None
    extra: Mapping[str, Any] = field(default_factory=_empty)

    _KEYS = ("host", "country", "locale", "timezone", "pages", "pages_source", "discovery", "vendors")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"host": self.host}
        for k in ("country", "locale", "timezone"):
            if getattr(self, k) is not None:
                out[k] = getattr(self, k)
        if self.pages is not None:
            out["pages"] = list(self.pages)
        if self.pages_source is not None:
            out["pages_source"] = self.pages_source
        if self.discovery is not None:
            out["discovery"] = _plain(self.discovery)
        if self.vendors is not None:
            out["vendors"] = [v.to_dict() for v in self.vendors]
        out.update(_plain(self.extra))
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "DomainEntry":
        vendors = d.get("vendors")
        return cls(host=d["host"], country=d.get("country"), locale=d.get("locale"), timezone=d.get("timezone"),
                   pages=tuple(d["pages"]) if isinstance(d.get("pages"), list) else None,
                   pages_source=d.get("pages_source"), discovery=d.get("discovery"),
                   vendors=tuple(VendorSeen.from_dict(v) for v in vendors) if isinstance(vendors, list) else None,
                   extra=_rest(d, cls._KEYS))


# -- warnings and errors --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RunWarning:
    """Something the reader of the run must know that is not a finding (an expired waiver, a sandbox off …)."""

    code: str
    message: str
    details: Mapping[str, Any] = field(default_factory=_empty)   # e.g. the waiver and the findings it covered again

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **_plain(self.details)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "RunWarning":
        return cls(code=str(d.get("code", "")), message=str(d.get("message", "")),
                   details=_rest(d, ("code", "message")))


@dataclass(frozen=True)
class RuleError:
    """A rule that raised: its findings are missing and the run is incomplete."""

    rule: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "error": self.error}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "RuleError":
        return cls(rule=str(d.get("rule", "")), error=str(d.get("error", "")))


# -- what the gates add ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GoneFinding:
    """A baseline finding that is not seen now: ``resolved`` (its visit is complete) or ``unknown`` (incomplete).

    Only what identifies it is kept; its evidence lives in the baseline run."""

    id: str
    rule: str
    severity: str
    domain: str
    choice: str
    status: str                                   # resolved | unknown
    baseline_run: str | None = None
    reason: str | None = None                     # why it is unknown
    facts: Mapping[str, Any] = field(default_factory=_empty)  # phase, jurisdiction, vendor, subject, messages …

    FACTS = ("phase", "jurisdiction", "vendor", "category", "subject", "message", "message_nl")
    KEPT = ("id", "rule", "severity", "domain", "choice", *FACTS)     # in findings.json's order

    def to_dict(self) -> dict[str, Any]:
        own = {"id": self.id, "rule": self.rule, "severity": self.severity, "domain": self.domain,
               "choice": self.choice}
        out = {k: own[k] if k in own else _plain(self.facts[k]) for k in self.KEPT if k in own or k in self.facts}
        out.update({"baseline_run": self.baseline_run, "status": self.status})
        if self.reason is not None:
            out["reason"] = self.reason
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "GoneFinding":
        return cls(id=d["id"], rule=d.get("rule", ""), severity=d.get("severity", "info"), domain=d.get("domain", ""),
                   choice=d.get("choice", ""), status=d.get("status", "resolved"), baseline_run=d.get("baseline_run"),
                   reason=d.get("reason"),
                   facts=MappingProxyType({k: d[k] for k in cls.FACTS if k in d}))

    @property
    def message(self) -> str:
        return str(self.facts.get("message") or "")

    @property
    def message_nl(self) -> str:
        return str(self.facts.get("message_nl") or "")

    @classmethod
    def of(cls, f: Finding, status: str, baseline_run: str | None, reason: str | None = None) -> "GoneFinding":
        entry = f.to_dict()
        return cls(id=f.id, rule=f.rule, severity=f.severity, domain=f.domain, choice=f.choice, status=status,
                   baseline_run=baseline_run, reason=reason,
                   facts=MappingProxyType({k: entry[k] for k in cls.FACTS if k in entry}))


@dataclass(frozen=True)
class BaselineReport:
    """The comparison with an earlier run (``--baseline``)."""

    source: str | None
    run_id: str | None
    started_utc: str | None
    expectations_sha256: str | None
    new: int
    persisting: int
    resolved: tuple[GoneFinding, ...] = ()
    unknown: tuple[GoneFinding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "run_id": self.run_id, "started_utc": self.started_utc,
                "expectations_sha256": self.expectations_sha256, "new": self.new, "persisting": self.persisting,
                "resolved": [g.to_dict() for g in self.resolved], "unknown": [g.to_dict() for g in self.unknown]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "BaselineReport":
        return cls(source=d.get("source"), run_id=d.get("run_id"), started_utc=d.get("started_utc"),
                   expectations_sha256=d.get("expectations_sha256"), new=int(d.get("new") or 0),
                   persisting=int(d.get("persisting") or 0),
                   resolved=tuple(GoneFinding.from_dict(g) for g in d.get("resolved") or ()),
                   unknown=tuple(GoneFinding.from_dict(g) for g in d.get("unknown") or ()))


@dataclass(frozen=True)
class WaiversReport:
    """Which waivers file was applied, and which of its waivers expired or matched nothing (``--waivers``)."""

    source: str
    sha256: str
    today: str
    applied: int
    expired: tuple[Mapping[str, Any], ...] = ()    # waiver descriptions (WaiverNote.to_dict)
    unused: tuple[Mapping[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "sha256": self.sha256, "today": self.today, "applied": self.applied,
                "expired": _plain(self.expired), "unused": _plain(self.unused)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "WaiversReport":
        return cls(source=str(d.get("source", "")), sha256=str(d.get("sha256", "")), today=str(d.get("today", "")),
                   applied=int(d.get("applied") or 0), expired=tuple(d.get("expired") or ()),
                   unused=tuple(d.get("unused") or ()))


# -- the summary ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BaselineCounts:
    run: str | None
    new: int
    persisting: int
    resolved: int
    unknown: int


@dataclass(frozen=True)
class Summary:
    """Counts and the exit code; computed by :func:`cookieaudit.gate.summary.summarize` and nowhere else."""

    fail_on: str = "high"
    visits: int = 0
    complete: int = 0
    incomplete: int = 0
    findings: int = 0
    findings_by_severity: Mapping[str, int] = field(default_factory=_empty)     # worst first
    failing_findings: int = 0
    exit_code: int = 0
    waived: int | None = None                           # only when waivers were applied
    waivers_expired: int | None = None
    baseline: BaselineCounts | None = None              # only when a baseline was applied
    extra: Mapping[str, Any] = field(default_factory=_empty)

    _KEYS = ("fail_on", "visits", "complete", "incomplete", "findings", "findings_by_severity", "failing_findings",
             "exit_code", "waived", "waivers_expired", "baseline")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in self._KEYS[:8]}
        out["findings_by_severity"] = dict(self.findings_by_severity)
        if self.waived is not None:
            out["waived"] = self.waived
        if self.waivers_expired is not None:
            out["waivers_expired"] = self.waivers_expired
        if self.baseline is not None:
            out["baseline"] = dataclasses.asdict(self.baseline)
        out.update(_plain(self.extra))
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Summary":
        b = d.get("baseline")
        return cls(fail_on=d.get("fail_on", "high"), visits=int(d.get("visits") or 0),
                   complete=int(d.get("complete") or 0), incomplete=int(d.get("incomplete") or 0),
                   findings=int(d.get("findings") or 0),
                   findings_by_severity=MappingProxyType(dict(d.get("findings_by_severity") or {})),
                   failing_findings=int(d.get("failing_findings") or 0), exit_code=int(d.get("exit_code") or 0),
                   waived=d.get("waived"), waivers_expired=d.get("waivers_expired"),
                   baseline=BaselineCounts(b.get("run"), int(b.get("new") or 0), int(b.get("persisting") or 0),
                                           int(b.get("resolved") or 0), int(b.get("unknown") or 0))
                   if isinstance(b, Mapping) else None,
                   extra=_rest(d, cls._KEYS))


# -- the document ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RunDocument:
    """findings.json of one run: provenance, one entry per visit, the rule catalogue, the findings and the verdict."""

    run: Mapping[str, Any]                              # provenance (id, tool, browser, expectations, …)
    visits: tuple[VisitEntry, ...] = ()
    findings: tuple[Finding, ...] = ()
    summary: Summary = field(default_factory=Summary)
    status: str = "complete"                            # complete | incomplete (set with the summary)
    missing: tuple[str, ...] = ()                       # what the run could not do, one sentence each
    rule_errors: tuple[RuleError, ...] = ()
    domains: tuple[DomainEntry, ...] = ()
    choices: tuple[str, ...] = ()
    declared_vendors: tuple[DeclaredVendor, ...] | None = None        # None: an older findings.json without it
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=_empty)   # the catalogue: rule id -> metadata
    warnings: tuple[RunWarning, ...] = ()
    waivers: WaiversReport | None = None
    baseline: BaselineReport | None = None
    schema: str = FINDINGS_SCHEMA
    extra: Mapping[str, Any] = field(default_factory=_empty)

    _KEYS = ("schema", "status", "missing", "rule_errors", "run", "domains", "choices", "declared_vendors", "visits",
             "rules", "findings", "summary", "warnings", "waivers", "baseline")

    @property
    def run_id(self) -> str | None:
        return self.run.get("id")

    @property
    def expectations_sha256(self) -> str | None:
        return (self.run.get("expectations") or {}).get("sha256")

    def visit(self, domain: str, choice: str) -> VisitEntry | None:
        return next((v for v in self.visits if v.domain == domain and v.choice == choice), None)

    def with_warning(self, code: str, message: str, **details: Any) -> "RunDocument":
        """The document with one more warning, unless the same one is there already."""
        w = RunWarning(code, message, MappingProxyType(details))
        if any(x.to_dict() == w.to_dict() for x in self.warnings):
            return self
        return dataclasses.replace(self, warnings=(*self.warnings, w))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schema": self.schema, "status": self.status, "missing": list(self.missing)}
        if self.rule_errors:
            out["rule_errors"] = [e.to_dict() for e in self.rule_errors]
        out.update({"run": _plain(self.run), "domains": [d.to_dict() for d in self.domains],
                    "choices": list(self.choices)})
        if self.declared_vendors is not None:
            out["declared_vendors"] = [v.to_dict() for v in self.declared_vendors]
        out.update({"visits": [v.to_dict() for v in self.visits], "rules": _plain(self.rules),
                    "findings": [f.to_dict() for f in self.findings], "summary": self.summary.to_dict()})
        if self.warnings:
            out["warnings"] = [w.to_dict() for w in self.warnings]
        if self.waivers is not None:
            out["waivers"] = self.waivers.to_dict()
        if self.baseline is not None:
            out["baseline"] = self.baseline.to_dict()
        out.update(_plain(self.extra))
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "RunDocument":
        """Read a findings.json document (today's or an older one); the schema is checked by the loaders."""
        dv = d.get("declared_vendors")
        return cls(
            schema=d.get("schema", FINDINGS_SCHEMA), status=d.get("status", "complete"),
            missing=tuple(d.get("missing") or ()),
            rule_errors=tuple(RuleError.from_dict(e) for e in d.get("rule_errors") or ()),
            run=MappingProxyType(dict(d.get("run") or {})),
            domains=tuple(DomainEntry.from_dict(x) for x in d.get("domains") or ()),
            choices=tuple(d.get("choices") or ()),
            declared_vendors=tuple(DeclaredVendor.from_dict(v) for v in dv if isinstance(v, Mapping))
            if isinstance(dv, list) else None,
            visits=tuple(VisitEntry.from_dict(v) for v in d.get("visits") or ()),
            rules=MappingProxyType(dict(d.get("rules") or {})),
            findings=tuple(Finding.from_dict(f) for f in d.get("findings") or ()),
            summary=Summary.from_dict(d.get("summary") or {}),
            warnings=tuple(RunWarning.from_dict(w) if isinstance(w, Mapping) else RunWarning("", str(w))
                           for w in d.get("warnings") or ()),
            waivers=WaiversReport.from_dict(d["waivers"]) if isinstance(d.get("waivers"), Mapping) else None,
            baseline=BaselineReport.from_dict(d["baseline"]) if isinstance(d.get("baseline"), Mapping) else None,
            extra=_rest(d, cls._KEYS),
        )


# a gate takes a typed document or a findings.json dict, and gives back the same kind
DocLike = TypeVar("DocLike", RunDocument, dict[str, Any])


def as_document(doc: RunDocument | Mapping[str, Any]) -> RunDocument:
    return doc if isinstance(doc, RunDocument) else RunDocument.from_dict(doc)


@overload
def same_kind(result: RunDocument, given: RunDocument) -> RunDocument: ...
@overload
def same_kind(result: RunDocument, given: dict[str, Any]) -> dict[str, Any]: ...


def same_kind(result: RunDocument, given: RunDocument | dict[str, Any]) -> RunDocument | dict[str, Any]:
    """``result`` as the kind of document the caller gave (typed, or a findings.json dict)."""
    return result if isinstance(given, RunDocument) else result.to_dict()
