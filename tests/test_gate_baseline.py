"""Baseline comparison and waivers: statuses, exit codes on new findings only, expiry, file:line errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cookieaudit.errors import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE, ConfigError
from cookieaudit.findings import Finding
from cookieaudit.gate import apply_baseline, apply_gates, apply_waivers, load_waivers, recompute_summary

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "gate"
NL, BE, DE = "online-3d-printen.nl", "online-3d-printen.be", "online-3d-drucken.de"


def finding(rule: str, domain: str, choice: str, severity: str = "high", vendor: str | None = "hotjar",
            name: str = "static.hotjar.com") -> dict:
    return Finding(rule=rule, severity=severity, domain=domain, choice=choice, phase="before-consent",
                   jurisdiction="NL", vendor=vendor, subject={"kind": "request", "host": name, "path": "/c.js"},
                   message=f"{rule} on {domain}/{choice}").to_dict()


def document(findings: list[dict], visits: list[tuple[str, str, str]], run_id: str = "run-2",
             fail_on: str = "high", exp_sha: str = "e" * 64) -> dict:
    doc = {"schema": "cookieaudit.findings/1", "status": "complete", "missing": [],
           "run": {"id": run_id, "started_utc": f"2026-11-2{run_id[-1]}T02:00:00Z",
                   "ended_utc": f"2026-11-2{run_id[-1]}T02:20:00Z", "expectations": {"sha256": exp_sha}},
           "domains": [], "choices": [], "visits": [{"domain": d, "choice": c, "status": s} for d, c, s in visits],
           "rules": {}, "findings": findings, "summary": {"fail_on": fail_on}}
    recompute_summary(doc)
    return doc


A = finding("pre-consent-tracking", NL, "reject-all")
B = finding("tracking-after-reject", NL, "accept-all", vendor="google-ads", name="googleads.g.doubleclick.net")
C = finding("pre-consent-tracking", BE, "reject-all", vendor="google-analytics", name="region1.google-analytics.com")
D = finding("pre-consent-tracking", DE, "reject-all", vendor="google-tag-manager", name="www.googletagmanager.com")
E = finding("undeclared-tracker", NL, "accept-all", vendor="meta-pixel", name="connect.facebook.net")
LOW = finding("cookie-lifetime", NL, "reject-all", severity="low", vendor=None, name="o3d_affiliate")


@pytest.fixture()
def baseline_doc():
    return document([A, B, C, D], [(NL, "reject-all", "complete"), (NL, "accept-all", "complete"),
                                   (BE, "reject-all", "complete"), (DE, "reject-all", "complete")], run_id="run-1")


def test_new_persisting_resolved_unknown(baseline_doc):
    # now: DE was not scanned (out of scope), BE/reject-all is incomplete, B is gone, E appeared
    cur = document([A, E], [(NL, "reject-all", "complete"), (NL, "accept-all", "complete"),
                            (BE, "reject-all", "incomplete")])
    out = apply_baseline(cur, baseline_doc)
    status = {f["id"]: f["status"] for f in out["findings"]}
    assert status == {A["id"]: "persisting", E["id"]: "new"}
    assert [f["id"] for f in out["baseline"]["resolved"]] == [B["id"]]
    assert [f["id"] for f in out["baseline"]["unknown"]] == [C["id"]]
    assert D["id"] not in json.dumps(out["baseline"])               # outside this run's scope: not "resolved"
    assert out["baseline"]["resolved"][0]["status"] == "resolved" and "evidence" not in out["baseline"]["resolved"][0]
    assert out["summary"]["baseline"] == {"run": "run-1", "new": 1, "persisting": 1, "resolved": 1, "unknown": 1}
    persisting = next(f for f in out["findings"] if f["id"] == A["id"])
    assert persisting["first_seen_utc"] == "2026-11-21T02:00:00Z"
    assert "status" not in cur["findings"][0]                         # the input is not changed


def test_exit_code_counts_new_findings_only(baseline_doc):
    visits = [(NL, "reject-all", "complete"), (NL, "accept-all", "complete")]
    only_old = document([A, B], visits)
    assert only_old["summary"]["exit_code"] == EXIT_FINDINGS          # without a baseline: they fail
    gated = apply_baseline(only_old, baseline_doc)
    assert gated["summary"]["exit_code"] == EXIT_OK and gated["summary"]["failing_findings"] == 0
    assert gated["summary"]["findings"] == 2                           # still reported

    with_new = apply_baseline(document([A, E], visits), baseline_doc)
    assert with_new["summary"]["exit_code"] == EXIT_FINDINGS and with_new["summary"]["failing_findings"] == 1

    new_but_low = apply_baseline(document([A, LOW], visits), baseline_doc)
    assert new_but_low["summary"]["exit_code"] == EXIT_OK              # below --fail-on high
    low_threshold = apply_baseline(document([A, LOW], visits, fail_on="low"), baseline_doc)
    assert low_threshold["summary"]["exit_code"] == EXIT_FINDINGS

    incomplete = apply_baseline(document([A], visits + [(BE, "reject-all", "incomplete")]), baseline_doc)
    assert incomplete["summary"]["exit_code"] == EXIT_INCOMPLETE


def test_baseline_from_run_folder_or_file_and_bad_input(tmp_path, baseline_doc):
    run = tmp_path / "run-1"
    run.mkdir()
    (run / "findings.json").write_text(json.dumps(baseline_doc), encoding="utf-8")
    cur = document([A], [(NL, "reject-all", "complete"), (NL, "accept-all", "complete")])
    for source in (run, run / "findings.json", str(run)):
        out = apply_baseline(cur, source)
        assert out["findings"][0]["status"] == "persisting"
        assert [f["id"] for f in out["baseline"]["resolved"]] == [B["id"]]
    with pytest.raises(ConfigError) as e:
        apply_baseline(cur, tmp_path / "nope")
    assert e.value.exit_code == EXIT_USAGE and "no findings.json" in str(e.value)
    (tmp_path / "other.json").write_text('{"schema": "something/1"}')
    with pytest.raises(ConfigError, match="not a cookieaudit.findings/1"):
        apply_baseline(cur, tmp_path / "other.json")


def test_baseline_warns_when_expectations_changed(baseline_doc):
    cur = document([A], [(NL, "reject-all", "complete")], exp_sha="f" * 64)
    out = apply_baseline(cur, baseline_doc)
    assert [w["code"] for w in out["warnings"]] == ["baseline-expectations-changed"]


# -- waivers ---------------------------------------------------------------------------------------------

def _waivers_file(tmp_path: Path, finding_id: str) -> Path:
    p = tmp_path / "waivers.yaml"
    p.write_text((DATA / "waivers-good.yaml").read_text().replace("{ID}", finding_id))
    return p


def test_waiver_by_id_and_by_pattern(tmp_path):
    meta = finding("undeclared-tracker", "online-3d-winkel.nl", "accept-all", vendor="meta-pixel",
                   name="connect.facebook.net")
    meta_be = finding("undeclared-tracker", BE, "accept-all", vendor="meta-pixel", name="connect.facebook.net")
    doc = document([A, meta, meta_be, B], [(NL, "reject-all", "complete"), (NL, "accept-all", "complete"),
                                           ("online-3d-winkel.nl", "accept-all", "complete"),
                                           (BE, "accept-all", "complete")])
    path = _waivers_file(tmp_path, A["id"])
    out = apply_waivers(doc, path, today=dt.date(2026, 11, 26))
    by_id = {f["id"]: f for f in out["findings"]}
    assert by_id[A["id"]]["waived"] is True
    assert by_id[A["id"]]["waiver"] == {"id": A["id"], "reason": "accepted by legal until the new banner ships",
                                        "who": "j.devries", "expires": "2030-01-31", "source": f"{path}:3"}
    assert by_id[meta["id"]]["waived"] is True                         # pattern online-3d-*.nl
    assert by_id[meta["id"]]["waiver"]["ticket"] == "SHOP-1234" and by_id[meta["id"]]["waiver"]["source"] == f"{path}:7"
    assert "waived" not in by_id[meta_be["id"]]                        # .be does not match
    assert "waived" not in by_id[B["id"]]
    # B (high, not waived) and meta_be (high) still fail; waived ones are kept in the document
    assert out["summary"]["findings"] == 4 and out["summary"]["waived"] == 2
    assert out["summary"]["failing_findings"] == 2 and out["summary"]["exit_code"] == EXIT_FINDINGS
    only_waived = apply_waivers(document([A, meta], [(NL, "reject-all", "complete")]), path,
                                today=dt.date(2026, 11, 26))
    assert only_waived["summary"]["exit_code"] == EXIT_OK
    assert out["waivers"]["applied"] == 2 and out["waivers"]["unused"] == []


def test_expired_waiver_stops_waiving_loudly(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    path = _waivers_file(tmp_path, A["id"])
    doc = document([A], [(NL, "reject-all", "complete")])
    out = apply_waivers(doc, path, today=dt.date(2030, 2, 1))          # the id waiver expired on 2030-01-31
    f = out["findings"][0]
    assert f["waiver_expired"] is True and f["waived"] is False and f["waiver"]["expires"] == "2030-01-31"
    assert out["summary"]["exit_code"] == EXIT_FINDINGS and out["summary"]["waivers_expired"] == 1
    assert out["warnings"][0]["code"] == "waiver-expired" and out["warnings"][0]["findings"] == [A["id"]]
    err = capsys.readouterr().err
    assert "warning" in err and "expired on 2030-01-31" in err and f"{path}:3" in err
    # the last day is still covered
    still = apply_waivers(doc, path, today=dt.date(2030, 1, 31))
    assert still["findings"][0]["waived"] is True and "warnings" not in still
    # in GitHub Actions the warning is an annotation
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    apply_waivers(doc, path, today=dt.date(2030, 2, 1))
    assert capsys.readouterr().err.startswith("::warning title=cookieaudit::waiver at")


def test_bad_waivers_file_names_file_line_and_field():
    with pytest.raises(ConfigError) as e:
        load_waivers(DATA / "waivers-bad.yaml")
    msg = str(e.value)
    path = DATA / "waivers-bad.yaml"
    assert e.value.exit_code == EXIT_USAGE
    assert f"{path}:3: waivers.0.reason: required field 'reason' is missing" in msg
    assert f"{path}:8: waivers.1.match.domian: unknown key" in msg
    assert f"{path}:11: waivers.1.expires:" in msg and "YYYY-MM-DD" in msg
    assert f"{path}:12: waivers.2: give either id (one finding) or match" in msg
    assert f"{path}:17: waivers.3.id: 'not-an-id' is not a finding id" in msg
    assert "fix:" in msg


def test_waivers_syntax_empty_and_missing(tmp_path):
    with pytest.raises(ConfigError, match=r"waivers-syntax.yaml:\d+: YAML syntax error"):
        load_waivers(DATA / "waivers-syntax.yaml")
    (tmp_path / "empty.yaml").write_text("\n")
    with pytest.raises(ConfigError, match=r"empty.yaml:1: the file is empty"):
        load_waivers(tmp_path / "empty.yaml")
    with pytest.raises(ConfigError, match="file not found"):
        load_waivers(tmp_path / "missing.yaml")
    (tmp_path / "schema.yaml").write_text("schema: cookieaudit.waivers/2\nwaivers: []\n")
    with pytest.raises(ConfigError, match=r"schema.yaml:1: schema: .*cookieaudit.waivers/1"):
        load_waivers(tmp_path / "schema.yaml")


def test_shipped_example_is_valid():
    w = load_waivers(ROOT / "waivers.example.yaml")
    assert w.waivers and all(x.reason and x.who and x.expires for x in w.waivers)
    assert any(x.id for x in w.waivers) and any(x.match for x in w.waivers)


def test_apply_gates_combines_waivers_and_baseline(tmp_path, baseline_doc):
    visits = [(NL, "reject-all", "complete"), (NL, "accept-all", "complete")]
    cur = document([A, E], visits)
    path = tmp_path / "w.yaml"
    path.write_text(f"schema: cookieaudit.waivers/1\nwaivers:\n  - id: {E['id']}\n    reason: known, fix planned\n"
                    "    who: me\n    expires: 2031-01-01\n")
    out = apply_gates(cur, baseline=baseline_doc, waivers=path, today=dt.date(2026, 11, 26))
    e = next(f for f in out["findings"] if f["id"] == E["id"])
    assert e["status"] == "new" and e["waived"] is True
    assert out["summary"]["exit_code"] == EXIT_OK
    assert apply_gates(cur)["summary"]["exit_code"] == EXIT_FINDINGS


def test_domain_scoped_finding_that_moved_choice_persists(baseline_doc):
    """A fact reported once per domain is filed under the first choice where it was seen; if that changes
    (e.g. no-interaction is incomplete tonight), it is the same finding, not new + resolved."""
    def scoped(choice):
        f = finding("pre-consent-tracking", NL, choice)
        f = Finding.from_dict({**f, "id": "", "details": {"choices": [choice, "accept-all"]}}).to_dict()
        return {**f, "details": {"choices": [choice, "accept-all"]}}
    before = document([scoped("no-interaction")], [(NL, "no-interaction", "complete"), (NL, "reject-all", "complete")],
                      run_id="run-1")
    now = document([scoped("reject-all")], [(NL, "no-interaction", "complete"), (NL, "reject-all", "complete")])
    assert before["findings"][0]["id"] != now["findings"][0]["id"]
    out = apply_baseline(now, before)
    assert out["findings"][0]["status"] == "persisting"
    assert out["findings"][0]["baseline_id"] == before["findings"][0]["id"]
    assert out["baseline"]["resolved"] == [] and out["summary"]["baseline"]["new"] == 0
