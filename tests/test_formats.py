"""Output formats on the hand-made run folder tests/data/run (2 domains × 2 choices, one visit incomplete)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from cookieaudit.errors import ConfigError
from cookieaudit.formats import DEFAULT_FORMATS, FORMATS, RunData, get_format, output_files, render
from cookieaudit.formats.i18n import STRINGS
from cookieaudit.formats.view import Labels, body_lines, cell, decode_query
from cookieaudit.manifest import EVIDENCE_MANIFEST_NAME, in_evidence_scope, write_manifest, verify_manifest
from cookieaudit.observations import Observation

FIXTURE = Path(__file__).parent / "data" / "run"
HOSTILE = '<img src=x onerror="window.__pwned=1">'
NL, BE = "online-3d-printen.nl", "online-3d-printen.be"


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    dst = tmp_path / "run"
    shutil.copytree(FIXTURE, dst)
    return dst


# -- the fixture itself ------------------------------------------------------------------------------------

def test_fixture_is_a_valid_run() -> None:
    run = RunData.load(FIXTURE)
    assert run.load_errors == []
    for p in (FIXTURE / "observations").rglob("*.json"):
        Observation.load(p)                       # schema cookieaudit.observation/1
    assert len(run.observations) == 4
    for f in run.findings:                        # every evidence pointer resolves; every screenshot exists
        for ev in f.evidence:
            assert run.resolve(ev.observation, ev.pointer) is not None, (f.id, ev)
            assert ev.screenshot is None or run.file(ev.screenshot), ev
    assert any(c["name"] == HOSTILE for o in run.observations.values() for c in o["cookies"])


def test_run_file_refuses_paths_outside_the_run(run_dir: Path) -> None:
    run = RunData.load(run_dir)
    assert run.file("findings.json")
    assert run.file("../run/findings.json")      # still inside
    assert run.file("../../etc/passwd") is None
    assert run.file("/etc/passwd") is None


# -- registry and render() ---------------------------------------------------------------------------------

def test_registry() -> None:
    assert set(FORMATS) == {"html", "pdf", "json", "junit", "markdown", "csv"}
    assert set(output_files()) == {"report.html", "report.pdf", "findings.json", "junit.xml", "summary.md",
                                   "cookies.csv", "requests.csv", "findings.csv"}
    # derived outputs are top-level files, so the evidence manifest never covers them (findings.json is evidence)
    assert [n for n in output_files() if in_evidence_scope(n)] == ["findings.json"]
    with pytest.raises(ConfigError, match="unknown output format 'docx'"):
        get_format("docx")
    with pytest.raises(ConfigError, match="unknown report language"):
        render(FIXTURE, ["html"], lang="de")


def test_render_every_default_format(run_dir: Path) -> None:
    before = (run_dir / "findings.json").read_bytes()
    paths = render(run_dir, list(DEFAULT_FORMATS))
    names = [p.name for p in paths]
    assert names == ["findings.json", "report.html", "junit.xml", "summary.md", "cookies.csv", "requests.csv",
                     "findings.csv"]
    for p in paths:
        assert p.is_file() and p.stat().st_size > 0
    assert (run_dir / "findings.json").read_bytes() == before          # evidence is never rewritten
    assert (run_dir / EVIDENCE_MANIFEST_NAME).is_file()
    assert not list(run_dir.rglob("*.part"))
    write_manifest(run_dir)
    assert verify_manifest(run_dir) == []


def test_json_format_is_canonical_findings() -> None:
    text = get_format("json").render(RunData.load(FIXTURE), "nl")
    assert json.loads(text) == json.loads((FIXTURE / "findings.json").read_text(encoding="utf-8"))


# -- HTML --------------------------------------------------------------------------------------------------

def _html(run_dir: Path, lang: str = "nl") -> str:
    render(run_dir, ["html"], lang)
    return (run_dir / "report.html").read_text(encoding="utf-8")


def test_html_is_self_contained_and_script_free(run_dir: Path) -> None:
    html = _html(run_dir)
    assert "<script" not in html.lower()
    assert re.search(r"""<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:;""",
                     html)
    assert html.index("Content-Security-Policy") < html.index("<title>")
    for attr in re.findall(r'(?:src|href)="([^"]*)"', html):          # only in-page anchors and data: URIs
        assert attr.startswith(("#", "data:image/png;base64,")), attr
    assert "http-equiv=\"refresh\"" not in html


def test_html_escapes_everything_from_the_site(run_dir: Path) -> None:
    html = _html(run_dir)
    assert HOSTILE not in html
    assert "&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;" in html
    assert '"><script>' not in html and "&#34;&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "</title><script>" not in html                       # hostile page title


def test_html_content(run_dir: Path) -> None:
    html = _html(run_dir)
    run = RunData.load(run_dir)
    for f in run.findings:
        assert f'id="f-{f.id}"' in html
    assert 'id="matrix"' in html
    assert html.count('data-state="findings"') == 3 and html.count('data-state="incomplete"') == 1
    # times relative to the consent click, Dutch decimal comma and a real minus sign
    assert "−2,1 s vóór toestemming" in html and "+0,8 s na keuze" in html
    # decoded query parameter, POST body line, initiating script, legal basis from the rules catalogue
    assert "G-8XK2M4P7QZ" in html and "epn.percent_scrolled" in html
    assert "https://www.googletagmanager.com/gtag/js?id=G-8XK2M4P7QZ" in html
    assert "art. 13(1)(e) AVG" in html and "Helemaal geen analytics vóór toestemming" in html
    # SameSite unset, consent steps, banner screenshots, provenance, optional finding fields
    assert "niet gezet" in html and "button.cn-decline" in html and "Banner vóór de klik" in html
    assert "Chromium 142.0.7444.175" in html and "5d1e0f3b9a7c" in html and "Europe/Brussels" in html
    assert "gezien in 3 van 3 runs" in html and "Uitgezonderd (waiver)" in html
    assert "net::ERR_CONNECTION_REFUSED" in html
    # baseline comparison and gate warnings
    assert "Opgelost sinds de eerdere run" in html and "0c1d2e3f4a5b6c7d" in html
    assert "Voor het eerst gezien (UTC): 2026-11-19T10:15:00Z" in html
    assert "1 waiver applied from waivers.yaml" in html and "privacy@online-3d.example" in html


def test_html_screenshots_embedded_once(run_dir: Path) -> None:
    html = _html(run_dir)
    images = re.findall(r'<image id="(shot\d+)"', html)
    assert len(images) == len(set(images)) >= 5
    used = set(re.findall(r'<use href="#(shot\d+)"', html))
    assert used == set(images)


def test_html_shows_the_evidence_manifest_hash(run_dir: Path) -> None:
    html = _html(run_dir)
    digest = hashlib.sha256((run_dir / EVIDENCE_MANIFEST_NAME).read_bytes()).hexdigest()
    assert f'<meta name="cookieaudit-evidence-manifest-sha256" content="{digest}">' in html
    assert f'<p class="hash" id="evidence-manifest-sha256">{digest}</p>' in html


def test_html_warns_when_evidence_changed_after_the_evidence_manifest(run_dir: Path) -> None:
    _html(run_dir)
    shot = run_dir / "evidence" / NL / "no-interaction" / "before-consent.png"
    shot.write_bytes(shot.read_bytes() + b"\0")
    html = _html(run_dir)                                 # the evidence manifest is not silently rewritten
    assert "de bewijsbestanden wijken af van evidence-manifest.sha256" in html
    assert f"changed: evidence/{NL}/no-interaction/before-consent.png" in html


def test_html_english(run_dir: Path) -> None:
    html = _html(run_dir, "en")
    assert '<html lang="en">' in html and "Cookie audit: evidence report" in html
    assert "−2.1 s before consent" in html and "No analytics at all before consent" in html
    assert "vóór toestemming" not in html


def test_languages_have_the_same_strings() -> None:
    assert set(STRINGS["nl"]) == set(STRINGS["en"])
    assert len(STRINGS["nl"]["method_text"]) == len(STRINGS["en"]["method_text"])


# -- helpers -----------------------------------------------------------------------------------------------

def test_time_labels() -> None:
    nl, en = Labels("nl"), Labels("en")
    assert nl.time(-2.14) == "−2,1 s vóór toestemming"
    assert nl.time(0.8, "reject-all") == "+0,8 s na keuze"
    assert nl.time(3, "no-interaction") == "+3,0 s na referentiemoment (geen klik)"
    assert en.time(-0.05) == "−0.1 s before consent" or en.time(-0.05) == "−0.0 s before consent"
    assert en.choice("only-performance") == "only performance" and nl.choice("only-targeting") == "alleen targeting"


def test_request_decoding() -> None:
    assert decode_query("https://x.test/c?a=1&b=%3Cx%3E&c=") == [("a", "1"), ("b", "<x>"), ("c", "")]
    lines = body_lines("en=scroll&_et=12\nen=user_engagement")
    assert [ln["params"] for ln in lines] == [[("en", "scroll"), ("_et", "12")], [("en", "user_engagement")]]
    assert body_lines('{"a": [1]}')[0]["raw"] == "{"


def test_matrix_cells() -> None:
    run = RunData.load(FIXTURE)
    c = cell(run, NL, "no-interaction")
    assert (c.state, c.count, c.worst) == ("findings", 5, "high")
    c = cell(run, BE, "no-interaction")
    assert (c.state, c.count, c.info) == ("findings", 2, 1)            # the waived info finding
    c = cell(run, BE, "reject-all")
    assert c.state == "incomplete" and "ERR_CONNECTION_REFUSED" in c.reason


# -- JUnit, Markdown, CSV ----------------------------------------------------------------------------------

def test_junit(run_dir: Path) -> None:
    render(run_dir, ["junit"])
    root = ET.parse(run_dir / "junit.xml").getroot()
    run = RunData.load(run_dir)
    n_rules = len(run.rules)
    assert root.tag == "testsuites" and int(root.get("tests")) == 4 * n_rules
    cases = {(s.get("name"), tc.get("name").split()[0]): tc for s in root for tc in s}
    assert len(cases) == 4 * n_rules
    r03 = cases[(f"{NL} / reject-all", "R03")]
    # one new finding fails; the one persisting from the baseline is listed, like the exit code does
    assert r03.find("failure") is not None and "1 finding(s), worst high" in r03.find("failure").get("message")
    assert "(persisting)" in r03.find("system-out").text
    assert cases[(f"{NL} / reject-all", "R01")].find("failure") is None
    assert cases[(f"{BE} / reject-all", "R01")].find("skipped") is not None        # incomplete visit
    assert "ERR_CONNECTION_REFUSED" in cases[(f"{BE} / reject-all", "R01")].find("skipped").get("message")
    assert cases[(f"{NL} / no-interaction", "R18")].find("skipped") is not None    # BE/DE/AT rule on a .nl site
    assert cases[(f"{BE} / no-interaction", "R18")].find("failure") is not None
    assert cases[(f"{BE} / no-interaction", "R20")].find("failure") is None        # info + waived: not a failure
    assert "(waived)" in cases[(f"{BE} / no-interaction", "R20")].find("system-out").text
    failures = sum(1 for tc in cases.values() if tc.find("failure") is not None)
    assert int(root.get("failures")) == failures == 7     # NL/no-interaction 4 rules, NL/reject-all 2, BE 1


def test_markdown(run_dir: Path) -> None:
    render(run_dir, ["markdown"])
    md = (run_dir / "summary.md").read_text(encoding="utf-8")
    assert len(md.encode()) < 60_000
    assert "| Domein | geen interactie | alles weigeren |" in md
    assert f"| `{NL}` | 🔴 5 bevindingen (hoog) | 🔴 3 bevindingen (hoog) |" in md
    assert "⬜ onvolledig" in md
    assert "<img" not in md and "<script" not in md
    digest = hashlib.sha256((run_dir / EVIDENCE_MANIFEST_NAME).read_bytes()).hexdigest()
    assert digest in md


def test_markdown_stays_under_60_kb(run_dir: Path) -> None:
    doc = json.loads((run_dir / "findings.json").read_text(encoding="utf-8"))
    base = doc["findings"][0]
    doc["findings"] = [{**base, "id": f"{i:016x}", "message_nl": "x" * 300} for i in range(2000)]
    (run_dir / "findings.json").write_text(json.dumps(doc), encoding="utf-8")
    md = get_format("markdown").render(RunData.load(run_dir), "nl")
    assert len(md.encode()) < 60_000 and "zie report.html" in md


def test_markdown_code_spans() -> None:
    from cookieaudit.formats.markdown_summary import code, md
    assert code("a`b|c") == "``a`b\\|c``"
    assert md("<b>[x](javascript:1)</b> a|b *c* &lt;") == "&lt;b&gt;\\[x\\](javascript:1)&lt;/b&gt; a\\|b \\*c\\* &amp;lt;"


def test_csv(run_dir: Path) -> None:
    render(run_dir, ["csv"])
    # "None" is a real SameSite value: read with only the empty cell as missing (docs/report.md)
    cookies = pd.read_csv(run_dir / "cookies.csv", encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    requests = pd.read_csv(run_dir / "requests.csv", encoding="utf-8-sig")
    findings = pd.read_csv(run_dir / "findings.csv", encoding="utf-8-sig")
    assert list(cookies.columns)[:4] == ["domain", "choice", "phase", "name"]
    assert HOSTILE in set(cookies["name"])
    ide = cookies[cookies["name"] == "IDE"].iloc[0]
    assert ide["third_party"] and ide["same_site"] == "None" and ide["lifetime_days"] == pytest.approx(390, abs=1)
    assert cookies[cookies["name"] == "_ga"]["same_site"].isna().all()        # unset stays empty, not "None"
    assert len(requests) == sum(len(o["requests"]) for o in RunData.load(run_dir).observations.values())
    assert (requests["t"] < 0).any()                                          # numbers stay numbers
    assert len(findings) == 11 and set(findings["severity"]) == {"high", "medium", "low", "info"}


def test_csv_neutralises_formulas(run_dir: Path) -> None:
    obs_path = run_dir / "observations" / NL / "no-interaction.json"
    obs = json.loads(obs_path.read_text(encoding="utf-8"))
    obs["cookies"][0]["value"] = '=HYPERLINK("https://evil.test","x")'
    obs_path.write_text(json.dumps(obs), encoding="utf-8")
    render(run_dir, ["csv"])
    cookies = pd.read_csv(run_dir / "cookies.csv", encoding="utf-8-sig")
    assert "'=HYPERLINK(\"https://evil.test\",\"x\")" in set(cookies["value"])


def test_html_with_the_scan_cores_shapes(run_dir: Path) -> None:
    """Shapes the scan core writes: legal_basis as a list, run.host as an object, top-level declared_vendors,
    vendor ids, a screenshot-only evidence entry with a note, a JSON pointer to the consent outcome."""
    path = run_dir / "findings.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["rules"]["R01"]["legal_basis"] = ["R01", "ePrivacy Directive art. 5(3)"]
    doc["run"]["host"] = {"name": "vm", "os": "Linux-6.1", "python": "3.11.7"}
    doc["run"]["concurrency"] = 3
    doc["declared_vendors"] = [{"id": "google-analytics", "name": "Google Analytics", "categories": ["performance"]},
                               {"id": "hotjar", "name": "Hotjar", "categories": ["performance"]},
                               {"id": "brevo", "name": "Brevo", "categories": ["targeting"]}]
    hit = next(f for f in doc["findings"] if f["domain"] == BE and f["rule"] == "R18" and "requests" in
               f["evidence"][0]["pointer"])
    hit["vendor"] = "google-analytics"
    shot = hit["evidence"][0].pop("screenshot")
    hit["evidence"].append({"observation": None, "pointer": None, "screenshot": shot, "har": None,
                            "note": "end of the before-consent phase"})
    doc["findings"].append({
        "id": "c0ffee0000000001", "rule": "consent-not-verified", "severity": "medium", "domain": NL,
        "choice": "reject-all", "phase": "after-choice", "jurisdiction": "NL", "vendor": None, "category": None,
        "subject": {"kind": "visit", "name": "reject-all"}, "message": "The choice could not be verified.",
        "message_nl": "De keuze kon niet worden geverifieerd.", "t": None, "details": {"outcome": None},
        "evidence": [{"observation": f"observations/{NL}/reject-all.json", "pointer": "/consent", "screenshot": None,
                      "har": None, "note": ""}]})
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    html = _html(run_dir)
    assert "R01; ePrivacy Directive art. 5(3)" in html and "[&#39;R01&#39;" not in html
    assert "name: vm" in html and "concurrency: 3" in html
    assert "Partij: <strong>Google Analytics</strong>" in html                 # vendor id shown as its name
    # the scan's English note is shown in the report's language (no English left in the Dutch report)
    assert "Schermafbeelding · vóór toestemming · einde van de fase ‘vóór toestemming’" in html
    block = html[html.index('id="f-c0ffee0000000001"'):]
    assert "Stappen in de cookiebanner" in block[:3000] and "button.cn-decline" in block[:6000]
    # BE has no vendor list of its own: declared_vendors is the declared side
    be = html[html.index(f'id="d-{BE}"'):html.index('id="visits"')]
    assert "Brevo" in be and "niet waargenomen" in be and "Afgeleid uit de bevindingen" not in be
