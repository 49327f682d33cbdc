"""End to end: the full matrix against the demo world in real Chromium (issue 2's definition of done)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from cookieaudit.expectations import load_expectations
from cookieaudit.observations import Observation

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
EXP = load_expectations(ROOT / "expectations" / "online-3d.yaml")
COMPLIANT = "online-3d-printen.nl"


def _findings(scan, **match):
    return [f for f in scan.document["findings"] if all(f.get(k) == v for k, v in match.items())]


def test_every_domain_and_choice_has_a_complete_observation(demo_scan):
    run = demo_scan.run_dir
    for d in EXP.domains:
        for c in EXP.choices():
            path = run / "observations" / d.host / f"{c}.json"
            obs = Observation.load(path)
            assert obs.status == "complete", (d.host, c, obs.errors)
            assert obs.requests and obs.requests[0].resource_type == "document"
            assert {p.phase for p in obs.pages} >= {"before-consent", "after-choice", "next-page"}
            assert (run / "evidence" / d.host / c / "visit.har").stat().st_size > 0
            assert (run / "evidence" / d.host / c / "before-consent.png").stat().st_size > 0
            # every event carries its phase and time relative to the consent action
            assert all(r.phase and isinstance(r.t, float | int) for r in obs.requests)
            assert all(r.t < 0 for r in obs.requests if r.phase == "before-consent")
            assert all(r.t >= 0 for r in obs.requests if r.phase in ("after-choice", "next-page"))
    doc = demo_scan.document
    assert doc["schema"] == "cookieaudit.findings/1"
    assert doc["summary"]["visits"] == 5 * len(EXP.all_choices()) and doc["summary"]["incomplete"] == 0
    assert doc["run"]["browser"]["policy"]["third_party_cookies"] == "allowed"
    assert doc["run"]["expectations"]["sha256"]
    assert (run / "manifest.sha256").exists() and (run / "report.html").exists()


def test_every_choice_is_performed_and_verified(demo_scan):
    bad = []
    for v in demo_scan.document["visits"]:
        outcome = v["consent"]["outcome"]
        if v["choice"] == "no-interaction":
            assert outcome == "not-applicable"
        elif outcome != "verified":
            bad.append((v["domain"], v["choice"], outcome, v["consent"]["reason"]))
    # the .be banner does not save its functional toggle (planted bug): that one must be unverified, nothing else
    assert [(d, c, o) for d, c, o, _ in bad] == [("online-3d-printen.be", "only-functional", "unverified")], bad
    assert "functional" in bad[0][3]


def test_third_party_cookies_are_stored_like_in_desktop_chrome(demo_scan):
    obs = Observation.load(demo_scan.run_dir / "observations" / COMPLIANT / "accept-all.json")
    assert any(c.name == "IDE" and c.domain.endswith("doubleclick.net") for c in obs.cookies)
    # CDP keeps "SameSite not set" apart from Lax
    assert any(c.same_site is None for c in obs.cookies)


def test_planted_violations_are_found(demo_scan):
    pre = _findings(demo_scan, rule="pre-consent-tracking", domain="online-3d-winkel.nl", vendor="hotjar")
    # requests and cookies carry their time; storage items seen in the phase snapshot have none
    assert pre and all(f["phase"] == "before-consent" and (f["t"] is None or f["t"] < 0) for f in pre)
    assert _findings(demo_scan, rule="pre-consent-tracking", domain="online-3d-printen.be", vendor="google-analytics")
    after = _findings(demo_scan, rule="tracking-after-reject", domain="online-3d-printen.be", vendor="google-ads")
    assert after and all(f["choice"] == "reject-all" and f["t"] >= 0 for f in after)
    assert _findings(demo_scan, rule="undeclared-tracker", domain="online-3d-winkel.nl", vendor="meta-pixel")


def test_compliant_domain_has_no_violation(demo_scan):
    worst = [f for f in _findings(demo_scan, domain=COMPLIANT) if f["severity"] != "info"]
    assert worst == []


def test_findings_point_at_real_evidence(demo_scan):
    run = demo_scan.run_dir
    for f in demo_scan.document["findings"][:50]:
        for ev in f["evidence"]:
            if ev.get("observation") and ev.get("pointer"):
                doc = json.loads((run / ev["observation"]).read_text())
                node = doc
                for part in ev["pointer"].strip("/").split("/"):
                    node = node[int(part)] if isinstance(node, list) else node[part]
                assert node


def test_exit_code_reflects_findings(demo_scan):
    assert demo_scan.exit_code == 1   # planted high-severity violations, audit complete


def test_unreachable_domain_gives_exit_2_and_keeps_the_others(demo_world, tmp_path):
    from cookieaudit.scan import ScanOptions, run_scan

    resolve = [r for r in demo_world.resolve_args() if not r.startswith("online-3d-printen.be=")]
    resolve.append("online-3d-printen.be=127.0.0.1:9")      # nothing listens there: connection refused
    opts = ScanOptions(expectations=ROOT / "expectations" / "online-3d.yaml", out=tmp_path / "run",
                       domains=("online-3d-printen.be", "online-3d-printen.nl"), choices=("reject-all",),
                       resolve=tuple(resolve), ca_cert=demo_world.ca_pem, formats=("html",))
    result = asyncio.run(run_scan(opts))
    assert result.exit_code == 2
    doc = result.document
    by = {(v["domain"], v["choice"]): v for v in doc["visits"]}
    assert by[("online-3d-printen.be", "reject-all")]["status"] == "incomplete"
    assert "ERR_CONNECTION_REFUSED" in " ".join(by[("online-3d-printen.be", "reject-all")]["errors"])
    ok = Observation.load(tmp_path / "run" / "observations" / "online-3d-printen.nl" / "reject-all.json")
    assert ok.status == "complete" and ok.consent.outcome == "verified"
    assert doc["status"] == "incomplete" and any("online-3d-printen.be/reject-all" in m for m in doc["missing"])
    assert (tmp_path / "run" / "manifest.sha256").exists()


def test_demo_report_opens_offline_and_shows_hostile_values_as_text(demo_scan):
    """The regulator's report of the real demo run: offline, complete, and not scriptable by the audited site."""
    from playwright.sync_api import sync_playwright

    from cookieaudit.browse.chromium import find_chromium

    run = demo_scan.run_dir
    doc = demo_scan.document
    hostile = "<img/src=x/onerror=window.__pwned=1>"
    # the planted cookie really was recorded, so the report has to render it
    obs = Observation.load(run / "observations" / "online-3d-drucken.at" / "accept-all.json")
    assert any(c.value == hostile for c in obs.cookies)
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium())
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto((run / "report.html").as_uri(), wait_until="load")
            assert errors == []
            assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
            assert page.evaluate("typeof window.__pwned") == "undefined"
            cells = page.locator("#matrix td[data-state]")
            assert cells.count() == len(doc["visits"])
            for f in doc["findings"]:
                assert page.locator(f'[data-finding-id="{f["id"]}"]').count() == 1, f["id"]
            assert hostile in page.locator("body").inner_text()
        finally:
            browser.close()


def test_verify_passes_on_the_demo_run_and_fails_after_one_byte(demo_scan, tmp_path):
    import shutil

    from cookieaudit.manifest import verify_manifest

    copy = tmp_path / "run"
    shutil.copytree(demo_scan.run_dir, copy)
    assert verify_manifest(copy) == []
    har = copy / "evidence" / "online-3d-printen.be" / "reject-all" / "visit.har"
    data = bytearray(har.read_bytes())
    data[len(data) // 2] ^= 0x01
    har.write_bytes(bytes(data))
    problems = verify_manifest(copy)
    assert problems and any("online-3d-printen.be/reject-all/visit.har" in p for p in problems)
