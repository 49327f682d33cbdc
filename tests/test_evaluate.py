"""`cookieaudit evaluate`: re-judging stored observations without a browser, into a new sealed run folder."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cookieaudit.errors import ConfigError
from cookieaudit.finish import reevaluate
from cookieaudit.manifest import verify_manifest
from cookieaudit.rules import RULES

RUN = Path(__file__).parent / "data" / "run"
ROOT = Path(__file__).resolve().parents[1]


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return h.hexdigest()


def test_evaluate_rejudges_into_a_new_sealed_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)               # the run recorded a relative expectations path
    before = _digest(RUN)
    doc = reevaluate(RUN, tmp_path / "again")
    assert _digest(RUN) == before, "the original run folder must not change"
    assert verify_manifest(tmp_path / "again") == []
    ev = doc.run["evaluation"]
    assert ev["from_run"] and ev["expectations"]["path"].endswith("online-3d.yaml")
    assert doc.findings and {v.domain for v in doc.visits} == {"online-3d-printen.nl", "online-3d-printen.be"}
    # the stored run's incomplete visit stays incomplete: evaluation cannot invent evidence
    assert doc.summary.incomplete == 1 and doc.summary.exit_code == 2
    assert json.loads((tmp_path / "again" / "findings.json").read_text()) == doc.to_dict()


def test_evaluate_uses_the_current_rules(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    first = reevaluate(RUN, tmp_path / "a")
    rule = next(m for m in RULES if any(f.rule == m.META.id for f in first.findings))
    monkeypatch.setattr(rule, "check", lambda ctx, out: None)      # "a rule update": this rule no longer fires
    second = reevaluate(RUN, tmp_path / "b")
    assert not [f for f in second.findings if f.rule == rule.META.id]
    assert {f.id for f in second.findings} == {f.id for f in first.findings if f.rule != rule.META.id}


def test_evaluate_refuses_an_existing_output_and_a_missing_expectations_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)            # the recorded relative expectations path does not resolve here
    with pytest.raises(ConfigError, match="expectations file"):
        reevaluate(RUN, tmp_path / "x")
    monkeypatch.chdir(ROOT)
    (tmp_path / "exists").mkdir()
    with pytest.raises(ConfigError, match="new folder"):
        reevaluate(RUN, tmp_path / "exists")


def test_the_cli_exit_code_is_that_of_a_scan(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cookieaudit", "evaluate", str(RUN), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr          # the stored run has an incomplete visit
    doc = json.loads((tmp_path / "o" / "findings.json").read_text())
    assert doc["run"]["evaluation"]["expectations"]["same_as_recorded"] in (True, False)


@pytest.mark.browser
def test_evaluate_reproduces_a_scanned_runs_findings_byte_for_byte(demo_scan, tmp_path):
    """The same evidence, knowledge base and rules: the same findings.json, apart from where and when it was
    judged (``run.id`` and the added ``run.evaluation``)."""
    before = (demo_scan.run_dir / "findings.json").read_text(encoding="utf-8")
    doc = reevaluate(demo_scan.run_dir, tmp_path / "again")
    after = json.loads((tmp_path / "again" / "findings.json").read_text(encoding="utf-8"))
    assert after["run"].pop("evaluation")["from_run"] == demo_scan.run_dir.name
    assert after["run"]["id"] == "again"
    after["run"]["id"] = demo_scan.run_dir.name
    assert json.dumps(after, indent=1, ensure_ascii=False) == before
    assert doc.summary.exit_code == demo_scan.exit_code
