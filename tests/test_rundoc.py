"""The typed run document: findings.json read and written back unchanged, old run folders still load."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from cookieaudit.findings import Finding, WaiverNote
from cookieaudit.finish import build_document
from cookieaudit.gate import apply_gates
from cookieaudit.rundoc import RunDocument, VisitEntry
from test_rules_support import expectations, observations

OLD_RUN = Path(__file__).parent / "data" / "run" / "findings.json"


def _text(doc: dict) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False)


@pytest.fixture(scope="module")
def built() -> dict:
    obs = observations()
    visits = [(o.domain, o.choice) for o in obs] + [("online-3d-printen.nl", "only-functional")]   # one not audited
    return build_document(expectations(), {"id": "run-t", "started_utc": "2026-11-26T02:00:00Z",
                                           "expectations": {"sha256": "e" * 64}},
                          visits, {(o.domain, o.choice): o for o in obs}, ["a missing thing"], "high")


def test_a_built_document_round_trips_byte_for_byte(built):
    doc = RunDocument.from_dict(built)
    assert _text(doc.to_dict()) == _text(built)
    assert doc.findings and all(isinstance(f, Finding) for f in doc.findings)
    assert all(isinstance(v, VisitEntry) for v in doc.visits)
    assert doc.summary.findings == len(built["findings"]) and doc.summary.exit_code == built["summary"]["exit_code"]
    not_audited = doc.visit("online-3d-printen.nl", "only-functional")
    assert not_audited is not None and not_audited.timing is None and not_audited.observation is None
    vendors = [v for d in doc.domains for v in d.vendors or ()]
    assert {v.observed for v in vendors} == {True, False}            # both orders of a vendor entry are written
    assert doc.declared_vendors and all(d.pages is not None and d.pages_source for d in doc.domains)
    walked = next(v for v in doc.visits if v.observation)
    assert walked.timing is not None and walked.consent is not None and set(walked.counts) == {"requests", "cookies",
                                                                                              "storage"}


def test_a_gated_document_round_trips_with_its_marks_as_fields(built, tmp_path):
    first = built["findings"][0]
    waivers = tmp_path / "w.yaml"
    waivers.write_text(f"schema: cookieaudit.waivers/1\nwaivers:\n  - id: {first['id']}\n    reason: known, fix planned\n"
                       "    who: me\n    expires: 2026-01-01\n  - match:\n      rule: no-such-rule\n"
                       "    reason: matches nothing\n    who: me\n    expires: 2031-01-01\n")
    base = json.loads(json.dumps(built))
    base["findings"] = base["findings"][1:3]
    base["run"] = {**base["run"], "id": "run-b", "expectations": {"sha256": "f" * 64}}
    gated = apply_gates(built, baseline=base, waivers=waivers, today=dt.date(2026, 11, 26), warn=None)
    doc = RunDocument.from_dict(gated)
    assert _text(doc.to_dict()) == _text(gated)
    f0 = next(f for f in doc.findings if f.id == first["id"])
    assert f0.waiver_expired is True and f0.waived is False and isinstance(f0.waiver, WaiverNote)
    assert f0.waiver.expires == "2026-01-01" and f0.status == "new" and not f0.is_waived
    assert {f.status for f in doc.findings} == {"new", "persisting"}
    assert doc.baseline is not None and doc.baseline.run_id == "run-b"
    assert doc.waivers is not None and len(doc.waivers.unused) == 1
    assert {w.code for w in doc.warnings} == {"waiver-expired", "baseline-expectations-changed"}
    assert doc.summary.baseline is not None and doc.summary.baseline.persisting == 2


def test_an_unmarked_finding_writes_no_mark_keys():
    f = Finding(rule="r", severity="high", domain="d", choice="reject-all", phase=None, jurisdiction="EU", vendor=None,
                subject={"kind": "visit", "name": "x"}, message="m")
    assert "status" not in f.to_dict() and "waived" not in f.to_dict() and "seen" not in f.to_dict()
    marked = dataclasses.replace(f, status="persisting", first_seen_utc="2026-11-01T00:00:00Z")
    assert Finding.from_dict(marked.to_dict()) == marked
    assert list(marked.to_dict())[-2:] == ["status", "first_seen_utc"]


def test_an_old_findings_json_loads_and_keeps_what_it_says():
    raw = json.loads(OLD_RUN.read_text(encoding="utf-8"))
    assert "declared_vendors" not in raw and "findings" not in raw["summary"]      # it is of an older shape
    doc = RunDocument.from_dict(raw)
    assert doc.declared_vendors is None and "declared_vendors" not in doc.to_dict()
    assert [f.id for f in doc.findings] == [f["id"] for f in raw["findings"]]
    assert [f.status for f in doc.findings] == [f.get("status") for f in raw["findings"]]
    assert doc.baseline is not None and [g.id for g in doc.baseline.resolved] == \
        [g["id"] for g in raw["baseline"]["resolved"]]
    assert doc.baseline.to_dict() == raw["baseline"]
    assert [w.to_dict() for w in doc.warnings] == raw["warnings"]
    assert doc.summary.exit_code == raw["summary"]["exit_code"] and doc.summary.fail_on == raw["summary"]["fail_on"]
    assert all(v.timing is None for v in doc.visits)                 # older visits carry no times
    assert [v.consent.to_dict()["outcome"] for v in doc.visits if v.consent] == \
        [v["consent"]["outcome"] for v in raw["visits"] if v.get("consent")]
    written = doc.to_dict()
    assert RunDocument.from_dict(written).to_dict() == written        # stable once written in today's shape
    for key in raw:
        assert key in written


def test_unknown_keys_are_kept():
    raw = {"schema": "cookieaudit.findings/1", "run": {"id": "x"}, "visits": [{"domain": "d", "choice": "c",
           "status": "complete", "future_field": 1}], "findings": [], "summary": {"fail_on": "low", "later": True},
           "future_top": {"a": 1}}
    back = RunDocument.from_dict(raw).to_dict()
    assert back["future_top"] == {"a": 1} and back["visits"][0]["future_field"] == 1 and back["summary"]["later"]


def test_the_document_is_frozen_and_its_json_is_a_copy(built):
    doc = RunDocument.from_dict(built)
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.status = "x"                                                # type: ignore[misc]
    out = doc.to_dict()
    out["run"]["id"] = "changed"
    out["visits"][0]["errors"].append("changed")
    assert doc.run["id"] == "run-t" and "changed" not in doc.visits[0].errors


def test_an_older_waiver_mark_that_is_only_a_reason_still_loads():
    f = Finding(rule="r", severity="high", domain="d", choice="reject-all", phase=None, jurisdiction="EU", vendor=None,
                subject={"kind": "visit", "name": "x"}, message="m").to_dict()
    old = Finding.from_dict({**f, "waived": True, "waiver": "accepted by legal"})
    assert old.is_waived and old.waiver is not None and old.waiver.reason == "accepted by legal"


def test_something_the_run_could_not_do_leaves_it_incomplete_with_exit_2():
    """Every recorded visit complete, but an observation or discovery record was not written: not a complete audit."""
    from cookieaudit.errors import EXIT_INCOMPLETE
    from cookieaudit.gate.summary import summarize

    obs = observations()
    args = (expectations(), {"id": "run-m", "started_utc": "2026-11-26T02:00:00Z", "expectations": {"sha256": "e" * 64}},
            [(o.domain, o.choice) for o in obs], {(o.domain, o.choice): o for o in obs})
    clean = RunDocument.from_dict(build_document(*args, [], "high"))
    assert clean.summary.incomplete == 0 and clean.status == "complete"
    short = summarize(dataclasses.replace(clean, missing=("online-3d-printen.nl: discovery record not saved (No space "
                                                          "left on device)",)))
    assert short.status == "incomplete" and short.summary.exit_code == EXIT_INCOMPLETE
    assert short.summary.incomplete == 0            # the visits themselves stay what they were
