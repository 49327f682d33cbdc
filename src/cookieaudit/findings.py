"""Findings and the findings.json document: the single input of every output format.

A finding is a statement about what the browser saw, tied to evidence (a pointer into an observation file,
a screenshot). Its ``id`` is stable across runs (it hashes what the finding is about, never timings), so
baselines and waivers can refer to it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .observations import _plain

FINDINGS_SCHEMA = "cookieaudit.findings/1"

SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Evidence:
    """Where to see the proof: an observation file plus a JSON pointer, and/or a screenshot or HAR."""

    observation: str | None = None     # path relative to the run folder
    pointer: str | None = None         # JSON pointer into the observation, e.g. "/requests/12"
    screenshot: str | None = None
    har: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    domain: str
    choice: str
    phase: str | None
    jurisdiction: str
    vendor: str | None
    subject: dict[str, Any]             # {"kind": "request"|"cookie"|"storage"|"visit"|"banner", ...}
    message: str                        # one specific English sentence: what was seen
    message_nl: str = ""                # the same in Dutch, when the rule provides it
    category: str | None = None
    t: float | None = None              # seconds relative to the consent action
    details: dict[str, Any] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    # grouped findings: every record that proves it (one per cookie, request or storage item, with its own
    # observation, pointer, choice, phase, t and message); the first is the one shown in ``subject``/``t``
    exhibits: tuple[dict[str, Any], ...] = ()
    # the ids the same facts had before findings were grouped (one per exhibit subject): baselines and waivers
    # written against those ids keep matching (cookieaudit.gate)
    aliases: tuple[str, ...] = ()
    id: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
        if not self.id:
            object.__setattr__(self, "id", finding_id(self.rule, self.domain, self.choice, self.vendor, self.subject))

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Finding":
        """Rebuild a finding; annotations added later (baseline status, waivers, repeat counts) are ignored."""
        known = {f.name for f in dataclasses.fields(cls)}
        d = {k: v for k, v in d.items() if k in known}
        d["evidence"] = tuple(Evidence(**e) for e in d.get("evidence", ()))
        d["exhibits"] = tuple(d.get("exhibits") or ())
        d["aliases"] = tuple(d.get("aliases") or ())
        return cls(**d)


def subject_key(subject: dict[str, Any]) -> str:
    """The part of a subject that identifies it across runs (no values, no query strings with ids)."""
    kind = subject.get("kind", "")
    if kind == "request":
        return f"request:{subject.get('host', '')}{subject.get('path', '')}"
    if kind == "cookie":
        return f"cookie:{subject.get('name', '')}@{subject.get('domain', '')}"
    if kind == "storage":
        return f"storage:{subject.get('storage', '')}:{subject.get('key', '')}@{subject.get('origin', '')}"
    return f"{kind}:{subject.get('name', '')}"


def finding_id(rule: str, domain: str, choice: str, vendor: str | None, subject: dict[str, Any]) -> str:
    raw = "|".join([rule, domain, choice, vendor or "-", subject_key(subject)])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def group_key(vendor: str | None, subject: dict[str, Any]) -> str:
    """What a grouped finding is about besides its rule and visit: the vendor, else the (unknown) host."""
    if vendor:
        return f"vendor:{vendor}"
    kind = subject.get("kind", "")
    if kind == "request":
        host = subject.get("host", "")
    elif kind == "cookie":
        host = str(subject.get("domain", "")).lstrip(".")
    elif kind == "storage":
        origin = str(subject.get("origin", ""))
        host = origin.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    else:
        return subject_key(subject)
    return f"host:{host.lower()}"


def grouped_id(rule: str, domain: str, choice: str, vendor: str | None, key: str) -> str:
    """Id of a grouped finding: rule, domain, choice, vendor and the group key (never one exhibit)."""
    raw = "|".join([rule, domain, choice, vendor or "-", "group", key])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def all_ids(f: dict[str, Any]) -> list[str]:
    """A finding's id and the earlier per-subject ids it stands for (``aliases``)."""
    return [f["id"], *[a for a in f.get("aliases") or () if a != f["id"]]]


def load_findings(path: str | Path) -> dict[str, Any]:
    """Load a findings.json (or the one inside a run folder)."""
    p = Path(path)
    if p.is_dir():
        p = p / "findings.json"
    doc = json.loads(p.read_text(encoding="utf-8"))
    if doc.get("schema") != FINDINGS_SCHEMA:
        raise ValueError(f"{p}: not a {FINDINGS_SCHEMA} document (schema={doc.get('schema')!r})")
    return doc
