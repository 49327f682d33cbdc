"""Findings, and reading findings.json (typed as :class:`cookieaudit.rundoc.RunDocument`, the input of every format).

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
from typing import Any, Mapping

from .observations import _plain

FINDINGS_SCHEMA = "cookieaudit.findings/1"

SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class WaiverNote:
    """The waiver that matched a finding, as findings.json records it (``Waivers.describe``)."""

    reason: str
    who: str
    expires: str                        # YYYY-MM-DD
    source: str                         # file:line
    id: str | None = None               # a waiver of one finding ...
    match: Mapping[str, str] | None = None   # ... or of every finding its patterns match
    ticket: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"reason": self.reason, "who": self.who, "expires": self.expires, "source": self.source}
        if self.id is not None:
            out["id"] = self.id
        if self.match is not None:
            out["match"] = dict(self.match)
        if self.ticket:
            out["ticket"] = self.ticket
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "WaiverNote":
        return cls(reason=str(d.get("reason", "")), who=str(d.get("who", "")), expires=str(d.get("expires", "")),
                   source=str(d.get("source", "")), id=d.get("id"),
                   match=dict(d["match"]) if isinstance(d.get("match"), Mapping) else None, ticket=d.get("ticket"))


MARKS: tuple[str, ...] = ("seen", "waived", "waiver_expired", "waiver", "baseline_id", "status", "first_seen_utc",
                          "baseline_note")


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
    # -- marks added after the rules ran (None = not marked; findings.json omits them then) --------------------
    seen: str | None = None             # "k of N": in how many repetitions of the visit it was seen (--repeat)
    waived: bool | None = None          # True: an unexpired waiver covers it; False with waiver_expired
    waiver_expired: bool | None = None  # the only matching waiver has expired: the finding counts again
    waiver: WaiverNote | None = None    # the waiver that matched
    baseline_id: str | None = None      # the baseline finding it was matched to without its choice (domain-scoped)
    status: str | None = None           # new | persisting, against a baseline run
    first_seen_utc: str | None = None   # a persisting finding: when the baseline (or its baseline) first saw it
    baseline_note: str | None = None    # a new finding whose visit the baseline did not audit completely

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
        if not self.id:
            object.__setattr__(self, "id", finding_id(self.rule, self.domain, self.choice, self.vendor, self.subject))

    def to_dict(self) -> dict[str, Any]:
        """The finding as findings.json writes it: the rule's fields, then only the marks that are set."""
        out = {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self) if f.name not in MARKS}
        for name in MARKS:
            value = getattr(self, name)
            if value is not None:
                out[name] = value.to_dict() if isinstance(value, WaiverNote) else value
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Finding":
        """Rebuild a finding with its marks; keys this version does not know are ignored."""
        known = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        kw["evidence"] = tuple(Evidence(**e) for e in d.get("evidence", ()))
        kw["exhibits"] = tuple(d.get("exhibits") or ())
        kw["aliases"] = tuple(d.get("aliases") or ())
        waiver = d.get("waiver")
        if waiver is not None:      # an older findings.json may give only the reason
            kw["waiver"] = WaiverNote.from_dict(waiver if isinstance(waiver, Mapping) else {"reason": str(waiver)})
        return cls(**kw)

    @property
    def all_ids(self) -> list[str]:
        """Its id and the earlier per-subject ids it stands for (``aliases``)."""
        return [self.id, *[a for a in self.aliases if a != self.id]]

    @property
    def is_waived(self) -> bool:
        """An unexpired waiver covers it (the mark, or the older ``details.waived`` spelling)."""
        return bool(self.waived or self.details.get("waived"))

    @property
    def baseline_status(self) -> str | None:
        """new | persisting | resolved against a baseline run (or the older ``details.baseline_status``)."""
        return self.status or self.details.get("baseline_status")



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


def load_findings(path: str | Path) -> dict[str, Any]:
    """Load a findings.json (or the one inside a run folder)."""
    p = Path(path)
    if p.is_dir():
        p = p / "findings.json"
    doc = json.loads(p.read_text(encoding="utf-8"))
    if doc.get("schema") != FINDINGS_SCHEMA:
        raise ValueError(f"{p}: not a {FINDINGS_SCHEMA} document (schema={doc.get('schema')!r})")
    return doc
