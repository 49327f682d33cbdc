"""Helpers shared by the rule tests: load the hand-written observation fixtures and run the rules.

Fixtures live in tests/data/observations/<domain>/<choice>.json (the run-folder layout). Tests that need a
variant load the raw JSON, change it and build the Observation from the dict.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any, Iterable

from cookieaudit.expectations import Expectations, load_expectations
from cookieaudit.findings import Finding, severity_rank
from cookieaudit.kb import KnowledgeBase, load_kb
from cookieaudit.observations import Observation
from cookieaudit.rules import evaluate

TESTS = Path(__file__).parent
OBS_DIR = TESTS / "data" / "observations"
EXPECTATIONS = TESTS.parent / "expectations" / "online-3d.yaml"

NL_COMPLIANT = "online-3d-printen.nl"
NL_WINKEL = "online-3d-winkel.nl"
BE = "online-3d-printen.be"
AT = "online-3d-drucken.at"
DE = "online-3d-drucken.de"


@functools.lru_cache(maxsize=1)
def expectations() -> Expectations:
    return load_expectations(EXPECTATIONS)


def kb() -> KnowledgeBase:
    """The knowledge base without the optional filter list, so results do not depend on the machine."""
    return load_kb(data_dir=False, filterlist=False)


def raw(domain: str, choice: str) -> dict[str, Any]:
    return copy.deepcopy(_raw(domain, choice))


@functools.lru_cache(maxsize=None)
def _raw(domain: str, choice: str) -> dict[str, Any]:
    return json.loads((OBS_DIR / domain / f"{choice}.json").read_text(encoding="utf-8"))


def observations(domain: str | None = None, choices: Iterable[str] | None = None) -> list[Observation]:
    out = []
    for p in sorted(OBS_DIR.glob("*/*.json")):
        d, c = p.parent.name, p.stem
        if domain is not None and d != domain:
            continue
        if choices is not None and c not in set(choices):
            continue
        out.append(Observation.from_dict(_raw(d, c)))
    return out


def obs(data: dict[str, Any]) -> Observation:
    return Observation.from_dict(data)


def run(observations_: Iterable[Observation], rules: Iterable[str] | None = None,
        exp: Expectations | None = None) -> list[Finding]:
    obs_list = list(observations_)
    paths = {(o.domain, o.choice): f"observations/{o.domain}/{o.choice}.json" for o in obs_list}
    return evaluate(obs_list, exp or expectations(), kb(), paths, rules=rules)


def exhibits(findings: list[Finding]) -> list[Finding]:
    """Findings are grouped per (rule, domain, choice, vendor or unknown host); this expands each grouped finding
    into one view per distinct subject among its exhibits (first occurrence: its choice, time, phase, message,
    details and pointer; ``count``/``choices`` over that subject's exhibits), i.e. what the findings were before
    grouping. Findings about a visit or a banner are returned as they are."""
    import dataclasses

    from cookieaudit.findings import Evidence, subject_key

    out: list[Finding] = []
    for f in findings:
        if not f.exhibits:
            out.append(f)
            continue
        per: dict[str, list[dict[str, Any]]] = {}
        for e in f.exhibits:
            per.setdefault(subject_key(e["subject"]), []).append(e)
        for es in per.values():
            e = es[0]
            details = {**e["details"], "count": len(es)}
            if "choices" in f.details:
                details["choices"] = [c for c in f.details["choices"] if any(x["choice"] == c for x in es)]
            out.append(dataclasses.replace(
                f, subject=e["subject"], choice=e["choice"], t=e["t"], phase=e["phase"], severity=e["severity"],
                message=e["message"], message_nl=e["message_nl"], details=details,
                evidence=(Evidence(observation=e["observation"], pointer=e["pointer"]),)))
    return out


def only(findings: list[Finding], rule: str, **match: Any) -> list[Finding]:
    out = [f for f in findings if f.rule == rule]
    for k, v in match.items():
        out = [f for f in out if _get(f, k) == v]
    return out


def _get(f: Finding, key: str) -> Any:
    if key.startswith("subject_"):
        return f.subject.get(key[len("subject_"):])
    return getattr(f, key)


def max_severity(findings: list[Finding]) -> str | None:
    return max((f.severity for f in findings), key=severity_rank, default=None)


def request(rid: str, t: float, phase: str, url: str, method: str = "GET", resource_type: str = "script",
            **extra: Any) -> dict[str, Any]:
    return {"id": rid, "t": t, "phase": phase, "url": url, "method": method, "resource_type": resource_type,
            "status": 200, **extra}


def test_fixtures_load_and_cover_every_shop():
    all_obs = observations()
    assert {o.domain for o in all_obs} == {NL_COMPLIANT, NL_WINKEL, BE, AT, DE}
    for o in all_obs:
        assert o.schema == "cookieaudit.observation/1"
        assert o.consent.requested == o.choice
