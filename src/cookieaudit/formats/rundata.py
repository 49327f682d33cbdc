"""A run folder loaded for the formats: the typed run document, the observation files and the evidence manifest.

Formats read this and nothing else (no browser, no knowledge base). Observations stay plain dicts so that the
JSON pointers in a finding's evidence resolve exactly as a reader of the file would resolve them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..findings import SEVERITIES, Finding, load_findings, severity_rank
from ..rundoc import DeclaredVendor, DomainEntry, RunDocument, VendorSeen, VisitEntry
from ..manifest import EVIDENCE_MANIFEST_NAME, SIGNATURE_NAME, read_manifest, sha256_file, verify_evidence_manifest


@dataclass(frozen=True)
class EvidenceManifest:
    name: str
    sha256: str                      # of the manifest file itself: what the report prints
    files: dict[str, str]            # relative path -> sha256
    problems: tuple[str, ...] = ()   # evidence changed since the manifest was written


@dataclass
class RunData:
    """A loaded run folder: the typed run document, the stored observations (plain JSON) and the manifests."""

    root: Path
    document: RunDocument
    raw: dict[str, Any]              # findings.json exactly as stored: the json format hands it back unchanged
    observations: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    load_errors: list[str] = field(default_factory=list)
    evidence_manifest: EvidenceManifest | None = None

    # -- loading ----------------------------------------------------------------------------------------
    @classmethod
    def load(cls, run_dir: str | Path) -> "RunData":
        root = Path(run_dir).resolve()
        raw = load_findings(root)
        run = cls(root=root, document=RunDocument.from_dict(raw), raw=raw)
        for v in run.visits:
            rel = v.observation or f"observations/{v.domain}/{v.choice}.json"
            path = run.file(rel)
            if path is None:
                if v.status == "complete":
                    run.load_errors.append(f"{rel}: observation file not found")
                continue
            try:
                run.observations[v.key] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                run.load_errors.append(f"{rel}: {exc}")
        em = root / EVIDENCE_MANIFEST_NAME
        if em.is_file():
            try:
                files = read_manifest(em)
                problems = tuple(verify_evidence_manifest(root))
            except ValueError as exc:
                files, problems = {}, (str(exc),)
            run.evidence_manifest = EvidenceManifest(EVIDENCE_MANIFEST_NAME, sha256_file(em), files, problems)
        return run

    def signature(self) -> dict[str, Any] | None:
        """The evidence manifest's signature record (``scan --sign``), or None for an unsigned run."""
        try:
            d = json.loads((self.root / SIGNATURE_NAME).read_text(encoding="utf-8"))
            return d if isinstance(d, dict) else None
        except (OSError, ValueError):
            return None

    def file(self, rel: str | None) -> Path | None:
        """A file named relative to the run folder, only if it exists *inside* it (no ../ escapes)."""
        if not rel:
            return None
        try:
            p = (self.root / rel).resolve()
            p.relative_to(self.root)
        except (ValueError, OSError):
            return None
        return p if p.is_file() else None

    # -- the run document ---------------------------------------------------------------------------------
    @property
    def run(self) -> Mapping[str, Any]:
        return self.document.run

    @property
    def status(self) -> str:
        return self.document.status

    @property
    def missing(self) -> list[str]:
        return list(self.document.missing)

    @property
    def domains(self) -> list[DomainEntry]:
        doms = list(self.document.domains)
        known = {d.host for d in doms}
        for v in self.visits:   # tolerate a visit of a domain that is not listed
            if v.domain not in known:
                known.add(v.domain)
                doms.append(DomainEntry(host=v.domain))
        return doms

    @property
    def choices(self) -> list[str]:
        out = list(self.document.choices)
        for v in self.visits:
            if v.choice not in out:
                out.append(v.choice)
        return out

    @property
    def visits(self) -> tuple[VisitEntry, ...]:
        return self.document.visits

    @property
    def rules(self) -> dict[str, Mapping[str, Any]]:
        return dict(self.document.rules)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.document.findings

    @property
    def declared_vendors(self) -> list[DeclaredVendor]:
        """What the privacy policy names (empty for an older findings.json that did not record it)."""
        return list(self.document.declared_vendors or ())

    def vendor_name(self, vendor: str | None) -> str | None:
        """A vendor id (``google-ads``) as its name (``Google Ads``) when any vendor list knows it."""
        if not vendor:
            return vendor
        known: list[DeclaredVendor | VendorSeen] = [*self.declared_vendors,
                                                    *(v for d in self.domains for v in d.vendors or ())]
        for v in known:
            if vendor in (v.id, v.name):
                return v.name or vendor
        return vendor

    def visit(self, domain: str, choice: str) -> VisitEntry | None:
        return self.document.visit(domain, choice)

    def observation(self, domain: str, choice: str) -> dict[str, Any] | None:
        return self.observations.get((domain, choice))

    def findings_in(self, domain: str, choice: str) -> list[Finding]:
        return [f for f in self.findings if f.domain == domain and f.choice == choice]

    def sorted_findings(self) -> list[Finding]:
        """Worst first, then by rule, domain order, choice order, time."""
        dom = {d.host: i for i, d in enumerate(self.domains)}
        cho = {c: i for i, c in enumerate(self.choices)}
        return sorted(self.findings, key=lambda f: (
            -severity_rank(f.severity), f.rule, dom.get(f.domain, 99), cho.get(f.choice, 99),
            f.t if f.t is not None else 1e9, f.id))

    def resolve(self, observation_rel: str | None, pointer: str | None) -> Any:
        """Follow a JSON pointer (RFC 6901) into a loaded observation; None when it does not resolve."""
        if not observation_rel or pointer is None:
            return None
        obs = next((o for (d, c), o in self.observations.items()
                    if getattr(self.visit(d, c), "observation", None) == observation_rel
                    or f"observations/{d}/{c}.json" == observation_rel), None)
        if obs is None:
            return None
        node: Any = obs
        for part in [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]:
            try:
                node = node[int(part)] if isinstance(node, list) else node[part]
            except (KeyError, IndexError, ValueError, TypeError):
                return None
        return node


def counts(f: Finding) -> bool:
    """Does a finding count towards a visit's verdict in the report? (≥ low, not waived, not resolved).

    Persisting findings count: the report says what the browser saw, whatever an earlier run saw.
    """
    return severity_rank(f.severity) >= SEVERITIES.index("low") and not f.is_waived \
        and f.baseline_status != "resolved"


def counts_for_ci(f: Finding) -> bool:
    """Does a finding fail CI (JUnit)? As the exit code: also not when it persists from the baseline."""
    return counts(f) and f.baseline_status in (None, "new")


def worst(findings: list[Finding]) -> str | None:
    return max((f.severity for f in findings), key=severity_rank, default=None)
