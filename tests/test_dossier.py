"""The per-domain dossier, its languages, times relative to named clicks, the cookie inventory, the policy snapshot
and signed evidence.

The run folder is tests/data/run re-judged by the current rules (``merge_runs`` of one shard), so the findings
are grouped and carry exhibits. Set COOKIEAUDIT_DOSSIER_RUN=<run folder> (e.g. a `cookieaudit demo` run) to run
the browser and size checks on that run's worst shop instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from cookieaudit.cli import cli
from cookieaudit.formats import RunData
from cookieaudit.formats.dossier import dossier_name, render_dossier, write_dossiers
from cookieaudit.formats.dossier_text import DOSSIER_LANGUAGES, PURPOSES, RULE_TITLES, TEXT
from cookieaudit.formats.inventory import cookie_inventory, write_inventory
from cookieaudit.formats.legal import NORMS, RULE_NORMS
from cookieaudit.formats.timeline import anchors, describe
from cookieaudit.gate.merge import merge_runs
from cookieaudit.manifest import (SIGNATURE_NAME, generate_keypair, sign_evidence_manifest, verify_manifest,
                                  verify_signature, write_manifest)
from cookieaudit.rules import catalogue

FIXTURE = Path(__file__).parent / "data" / "run"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cookieaudit.expectations import expectations_hash

    base = tmp_path_factory.mktemp("dossier")
    shard = base / "shard"
    shutil.copytree(FIXTURE, shard)
    exp = ROOT / "expectations" / "online-3d.yaml"
    doc = json.loads((shard / "findings.json").read_text(encoding="utf-8"))
    doc["run"]["expectations"] = {"path": str(exp), "sha256": expectations_hash(exp)}   # re-judged with today's file
    (shard / "findings.json").write_text(json.dumps(doc), encoding="utf-8")
    out = base / "run"
    merge_runs([shard], out, exp, warn=None)
    return out


class _Text(HTMLParser):
    """Visible text, without what comes from the audited site or the machine (mono, quote, hash)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self._stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        skip = tag in ("style", "title") or any(c in cls.split() for c in ("mono", "quote", "hash"))
        if tag in ("meta", "br", "use", "rect", "image"):
            return
        self._stack.append(skip)
        self._skip += skip

    def handle_endtag(self, tag):
        if tag in ("meta", "br", "use", "rect", "image") or not self._stack:
            return
        self._skip -= self._stack.pop()

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    p = _Text()
    p.feed(html)
    return re.sub(r"\s+", " ", " ".join(p.parts))


def _fragments(s: str) -> list[str]:
    return [f.strip(" .,:;()‘’„“«»") for f in re.split(r"\{[^}]*\}", s)]


def foreign_strings(lang: str) -> set[str]:
    """Strings of the other languages' dictionaries (≥ 2 words, or one long word) that this language lacks."""
    own = " ".join(TEXT[lang].values()) + " " + " ".join(t.get(lang, "") for t in RULE_TITLES.values())
    own += " " + " ".join(n["name"][lang] + " " + n["text"][lang] for n in NORMS.values())
    out: set[str] = set()
    for other in DOSSIER_LANGUAGES:
        if other == lang:
            continue
        values = list(TEXT[other].values()) + [t.get(other, "") for t in RULE_TITLES.values()]
        values += [n["text"][other] for n in NORMS.values()] + [p[other] for p in PURPOSES.values()]
        for v in values:
            for frag in _fragments(v):
                if (len(frag.split()) >= 2 or len(frag) >= 12) and frag not in own:
                    out.add(frag)
    return out


# -- languages ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", DOSSIER_LANGUAGES)
def test_every_language_has_every_key_and_no_foreign_string(run_dir: Path, lang: str) -> None:
    assert set(TEXT[lang]) == set(TEXT["nl"])
    run = RunData.load(os.environ.get("COOKIEAUDIT_DOSSIER_RUN") or run_dir)
    foreign = foreign_strings(lang)
    assert len(foreign) > 100          # the check has something to find
    raw_codes = {"after-withdraw", "after-choice", "before-consent", "next-page", "reject-all", "accept-all",
                 "no-interaction", "withdraw", "visit"} if lang != "en" else {"after-withdraw", "reject-all", "no-interaction"}
    for d in run.domains:
        html = render_dossier(run, d.host, lang)
        text = visible(html)
        assert f'<html lang="{lang}">' in html
        leaked = sorted(f for f in foreign if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text))
        assert leaked == [], leaked[:10]
        keys = [k for k in TEXT[lang] if "_" in k and re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text)]
        assert keys == [], keys          # a raw key means a missing translation
        assert not re.search(r"\{[a-z_]+\}", text)
        assert not [c for c in raw_codes if re.search(rf"(?<![\w/.-]){re.escape(c)}(?![\w/.-])", text)], text[:400]
        if lang != "en":
            assert not re.search(r"\b(withdraw|before consent|after the choice|exhibit)\b", text, re.I)


def test_a_language_leak_is_caught(run_dir: Path) -> None:
    """The check above fails when one English string slips into the Dutch dossier."""
    run = RunData.load(run_dir)
    html = render_dossier(run, run.domains[0].host, "nl").replace(TEXT["nl"]["what"], TEXT["en"]["what"])
    assert TEXT["en"]["what"] in foreign_strings("nl")
    assert re.search(rf"(?<!\w){re.escape(TEXT['en']['what'])}(?!\w)", visible(html))


def test_every_rule_has_titles_and_norms_in_every_language() -> None:
    for rid in catalogue():
        assert rid in RULE_TITLES and set(RULE_TITLES[rid]) == {"fr", "de"}
        assert rid in RULE_NORMS
        for n in RULE_NORMS[rid]:
            assert n == "national" or n in NORMS
    for n in NORMS.values():
        assert set(n["name"]) == set(n["text"]) == set(DOSSIER_LANGUAGES)


# -- time relative to a named action ---------------------------------------------------------------------------

def _obs(choice: str, steps: list[dict], pages: list[dict] | None = None) -> dict:
    return {"domain": "x.nl", "choice": choice, "started_utc": "2026-11-26T10:00:00Z",
            "consent_wall_utc": "2026-11-26T10:00:05Z", "consent": {"steps": steps}, "pages": pages or []}


def test_time_is_relative_to_the_click_that_matters() -> None:
    T = TEXT["nl"]
    a = anchors(_obs("reject-all", [
        {"t": -2.8, "action": "autoconsent:init", "detail": "url=https://x.nl/", "ok": True},
        {"t": 3.0, "action": "autoconsent", "detail": "no popup detected within 3.0 s", "ok": False},
        {"t": 4.2, "action": "text-heuristic", "detail": "clicked reject button 'Alles weigeren'", "ok": True},
        {"t": 5.1, "action": "verify", "detail": "stored state matches the choice", "ok": True}]), "reject-all")
    assert describe(7.4, "after-choice", a, T, "alles weigeren", "alles weigeren") == "3,2 s na klik op ‘Alles weigeren’"
    assert describe(3.9, "after-choice", a, T, "alles weigeren", "alles weigeren") == "0,3 s vóór klik op ‘Alles weigeren’"
    assert describe(7.4, "after-choice", a, TEXT["en"], "reject all", "reject all") == \
        "3.2 s after clicking ‘Alles weigeren’"


def test_withdraw_names_both_clicks() -> None:
    T = TEXT["nl"]
    obs = _obs("withdraw", [
        {"t": 3.3, "action": "text-heuristic", "detail": "clicked accept button 'Alles accepteren'", "ok": True},
        {"t": 4.0, "action": "verify", "detail": "stored state matches the choice", "ok": True},
        {"t": 4.6, "action": "text-heuristic", "detail": "opened the consent settings via 'Cookie-instellingen'", "ok": True},
        {"t": 6.2, "action": "text-heuristic", "detail": "clicked reject button 'Alles weigeren'", "ok": True},
        {"t": 8.7, "action": "autoconsent:init", "detail": "url=https://x.nl/producten", "ok": True}],
        pages=[{"phase": "after-choice", "t": 4.5}, {"phase": "after-withdraw", "t": 9.4}])
    a = anchors(obs, "withdraw")
    assert a.click.button == "Alles accepteren" and a.withdraw.button == "Alles weigeren"
    assert describe(3.8, "after-choice", a, T, "x", "y") == "0,5 s na klik op ‘Alles accepteren’"
    assert describe(9.4, "after-withdraw", a, T, "x", "y") == "3,2 s na intrekking (klik op ‘Alles weigeren’)"
    # a record of the after-withdraw phase stamped just before the withdrawing click: no contradiction
    assert describe(5.9, "after-withdraw", a, T, "x", "y") == "0,3 s vóór intrekking (klik op ‘Alles weigeren’)"


def test_no_interaction_counts_from_opening_the_site() -> None:
    a = anchors(_obs("no-interaction", []), "no-interaction")
    assert describe(-1.5, "before-consent", a, TEXT["de"], "x", "y") == "3,5 s nach dem Öffnen der Website (kein Klick)"


# -- the dossier -----------------------------------------------------------------------------------------------

def test_dossier_structure(run_dir: Path) -> None:
    run = RunData.load(run_dir)
    doc = json.loads((run_dir / "findings.json").read_text(encoding="utf-8"))
    for d in run.domains:
        html = render_dossier(run, d.host, "nl")
        text = visible(html)
        assert run.evidence_manifest.sha256 in html and run.run["id"] in html
        for key in ("doc_title", "sec_summary", "promises", "observed", "by_severity", "app_legal"):
            assert TEXT["nl"][key] in text
        violations = [f for f in doc["findings"] if f["domain"] == d.host and f["severity"] != "info"
                      and not f.get("waived")]
        assert len(re.findall(r'<article class="violation', html)) == len(violations)
        for f in violations:
            assert f["id"] in html
            # at most three exhibits quoted per violation
            block = html.split(f'{f["id"]}</span>', 1)[1].split("</article>", 1)[0]
            assert block.count("<span class=\"quote\">") <= 3
    assert (run_dir / dossier_name(run.domains[0].host, "nl", "html")).is_file()   # written by the scan path


def test_a_rule_is_explained_once_and_later_violations_refer_back(run_dir: Path) -> None:
    from cookieaudit.formats.dossier import build

    run = RunData.load(run_dir)
    referred = 0
    for d in run.domains:
        first: dict[str, int] = {}
        for v in build(run, d.host, "nl")["violations"]:
            if v["rule"] in first:
                assert v["rule_ref"] == first[v["rule"]] and v["explanation"] == "", v["id"]
                referred += 1
            else:
                assert v["rule_ref"] is None, v["id"]
                first[v["rule"]] = v["n"]
    assert referred, "the fixture has a rule violated twice in one dossier"


def test_cli_report_domain_and_inventory(run_dir: Path) -> None:
    dom = RunData.load(run_dir).domains[0].host
    r = CliRunner().invoke(cli, ["report", str(run_dir), "--domain", dom, "--lang", "en,fr", "--format", "html"])
    assert r.exit_code == 0, r.output
    assert (run_dir / dossier_name(dom, "fr", "html")).is_file()
    r = CliRunner().invoke(cli, ["inventory", str(run_dir), "--domain", dom, "--lang", "nl"])
    assert r.exit_code == 0, r.output
    for ext in ("html", "csv", "md"):
        assert (run_dir / f"inventory-{dom}-nl.{ext}").is_file()
    assert verify_manifest(run_dir) == []
    r = CliRunner().invoke(cli, ["report", str(run_dir), "--domain", "nope.example", "--lang", "nl"])
    assert r.exit_code == 64


def test_inventory_rows(run_dir: Path) -> None:
    run = RunData.load(run_dir)
    dom = "online-3d-printen.be"
    inv = cookie_inventory(run, dom, "nl")
    names = {r["name"] for r in inv["rows"]}
    observed = {c["name"] for c in ["no-interaction", "reject-all"] for c in (run.observation(dom, c) or {}).get("cookies", [])}
    assert observed <= names
    ga = next(r for r in inv["rows"] if r["name"] == "_ga")
    assert ga["vendor"] == "Google Analytics" and ga["declared"] and ga["party"] == "eerste partij"
    assert ga["lifetime"].endswith("dagen")
    md = (write_inventory(run_dir, dom, "de", ("md",))[0]).read_text(encoding="utf-8")
    assert "Cookie-Übersicht" in md and "| _ga |" in md
    undeclared = [r for r in inv["rows"] if not r["declared"]]
    for r in undeclared:
        assert f"**{r['name']}**" in (write_inventory(run_dir, dom, "nl", ("md",))[0]).read_text(encoding="utf-8")


# -- policy snapshot -------------------------------------------------------------------------------------------

def test_policy_snapshot_unreachable_is_recorded(tmp_path: Path) -> None:
    from cookieaudit.expectations import load_expectations
    from cookieaudit.gate.policy_check import snapshot_policies

    exp = load_expectations(ROOT / "expectations" / "online-3d.yaml")
    rec = snapshot_policies(exp, tmp_path, ["online-3d-printen.nl"], resolve=("*=127.0.0.1:9",), timeout=2)
    r = rec["online-3d-printen.nl"]
    assert r["status"] == "unreachable" and r["error"] and r["declared_url"] == "https://online-3d-printen.nl/privacy"
    stored = json.loads((tmp_path / "policy" / "online-3d-printen.nl.json").read_text(encoding="utf-8"))
    assert stored["status"] == "unreachable"


# -- signed evidence -------------------------------------------------------------------------------------------

@pytest.fixture()
def signed(tmp_path: Path) -> tuple[Path, Path]:
    run = tmp_path / "run"
    shutil.copytree(FIXTURE, run)
    priv, pub, fp = generate_keypair(tmp_path / "key.pem")
    assert fp.startswith("SHA256:") and oct(priv.stat().st_mode & 0o777) == "0o600"
    sign_evidence_manifest(run, priv)
    write_dossiers(run, ["online-3d-printen.nl"], ["nl"], ["html"])
    write_manifest(run)
    return run, pub


def test_signed_run_verifies_and_shows_the_fingerprint(signed: tuple[Path, Path]) -> None:
    run, pub = signed
    assert verify_signature(run, pub) == []
    fp = json.loads((run / SIGNATURE_NAME).read_text())["fingerprint"]
    assert fp in (run / dossier_name("online-3d-printen.nl", "nl", "html")).read_text(encoding="utf-8")
    r = CliRunner().invoke(cli, ["verify", str(run), "--public-key", str(pub)])
    assert r.exit_code == 0, r.output


def _flip(p: Path, at: int = 0) -> None:
    b = bytearray(p.read_bytes())
    b[at] ^= 0x01
    p.write_bytes(bytes(b))


@pytest.mark.parametrize("target", ["observations/online-3d-printen.nl/reject-all.json", "findings.json", "screenshot"])
def test_one_byte_in_an_exhibit_fails(signed: tuple[Path, Path], target: str) -> None:
    run, pub = signed
    if target == "screenshot":
        target = next(str(p.relative_to(run)) for p in sorted((run / "evidence").rglob("*.png")))
    _flip(run / target, 40)
    problems = verify_signature(run, pub)
    assert any(target in p for p in problems), problems
    r = CliRunner().invoke(cli, ["verify", str(run), "--public-key", str(pub)])
    assert r.exit_code == 1


def test_one_byte_in_the_signature_or_manifest_fails(signed: tuple[Path, Path], tmp_path: Path) -> None:
    run, pub = signed
    doc = json.loads((run / SIGNATURE_NAME).read_text())
    sig = bytearray(__import__("base64").b64decode(doc["signature"]))
    sig[5] ^= 0x01
    doc["signature"] = __import__("base64").b64encode(bytes(sig)).decode()
    (run / SIGNATURE_NAME).write_text(json.dumps(doc))
    assert any("does not verify" in p for p in verify_signature(run, pub))
    assert CliRunner().invoke(cli, ["verify", str(run), "--public-key", str(pub)]).exit_code == 1


def test_manifest_edit_and_wrong_key_fail(signed: tuple[Path, Path], tmp_path: Path) -> None:
    run, pub = signed
    _, other_pub, _ = generate_keypair(tmp_path / "other.pem")
    assert any("another key" in p for p in verify_signature(run, other_pub))
    _flip(run / "evidence-manifest.sha256", 3)
    assert any("does not verify" in p for p in verify_signature(run, pub))


def test_keygen_never_overwrites(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["keygen", "--out", str(tmp_path / "k.pem")])
    assert r.exit_code == 0 and "SHA256:" in r.output
    assert CliRunner().invoke(cli, ["keygen", "--out", str(tmp_path / "k.pem")]).exit_code == 64


# -- in Chromium: no console error, no external request; the worst shop within the size targets -----------------

def _browser_run(run_dir: Path) -> Path:
    env = os.environ.get("COOKIEAUDIT_DOSSIER_RUN")
    return Path(env) if env else run_dir


@pytest.mark.browser
def test_worst_dossier_in_chromium_and_within_targets(run_dir: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from cookieaudit.browse.chromium import find_chromium

    src = _browser_run(run_dir)
    run = RunData.load(src)
    worst = max(run.domains, key=lambda d: sum(1 for f in run.findings if f.domain == d.host
                                               and f.severity != "info")).host
    out = tmp_path / "out"
    shutil.copytree(src, out)
    paths = write_dossiers(out, [worst], ["nl"], ["html", "pdf"])
    html_p, pdf_p = paths
    assert html_p.stat().st_size <= 1.5 * 1024 * 1024
    info = subprocess.run(["pdfinfo", str(pdf_p)], capture_output=True, text=True)
    if info.returncode == 0:
        pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
        assert 2 <= pages <= 25
    else:
        assert pdf_p.read_bytes()[:5] == b"%PDF-"
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium())
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(html_p.as_uri(), wait_until="load")
            page.wait_for_timeout(300)
            assert errors == []
            assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
            assert page.evaluate("document.scripts.length") == 0
            n_shots = page.evaluate("document.querySelectorAll('figure svg use').length")
            if n_shots:
                # every embedded screenshot decodes and paints (an <image> with a broken data: URI has no size)
                ok = page.evaluate("""() => [...document.querySelectorAll('defs image')].every(i => {
                    const b = i.getBBox(); return b.width > 0 && b.height > 0; })""")
                assert ok
        finally:
            browser.close()


def test_settings_and_switches_are_not_the_click_api_calls_say_so() -> None:
    T = TEXT["nl"]
    a = anchors(_obs("only-functional", [
        {"t": 0.1, "action": "text-heuristic", "detail": "clicked settings button 'Instellingen'", "ok": True},
        {"t": 0.7, "action": "text-heuristic", "detail": "switch 'Functionele cookies' (functional) -> on (was off)", "ok": True},
        {"t": 1.0, "action": "text-heuristic", "detail": "clicked save button 'Opslaan'", "ok": True},
        {"t": 5.6, "action": "verify", "detail": "stored state matches the choice", "ok": True}]), "only-functional")
    assert describe(3.0, "after-choice", a, T, "alleen functioneel", "x") == "2,0 s na klik op ‘Opslaan’"
    a = anchors(_obs("only-targeting", [
        {"t": 0.5, "action": "cmp-api", "detail": "orejime: accept only ['marketing']", "ok": True},
        {"t": 2.1, "action": "verify", "detail": "stored state matches the choice", "ok": True}]), "only-targeting")
    assert describe(1.0, "after-choice", a, T, "alleen targeting", "x") == \
        "0,5 s na het doorgeven van de keuze ‘alleen targeting’ aan de consentmanager"


def test_scan_finalize_signs_before_rendering(tmp_path: Path) -> None:
    """The scan's last step with --sign: signature first, so report and dossiers show the fingerprint; then the
    final manifest covers the signature too."""
    from cookieaudit.scan import ScanOptions, finalize_run

    run = tmp_path / "run"
    shutil.copytree(FIXTURE, run)
    doc = json.loads((run / "findings.json").read_text(encoding="utf-8"))
    priv, pub, fp = generate_keypair(tmp_path / "k.pem")
    finalize_run(run, doc, ScanOptions(formats=("html",), sign=priv))
    assert fp in (run / "report.html").read_text(encoding="utf-8")
    assert fp in (run / dossier_name("online-3d-printen.nl", "nl", "html")).read_text(encoding="utf-8")
    assert (run / dossier_name("online-3d-printen.be", "fr", "html")).is_file()     # .be: Dutch and French
    assert verify_manifest(run) == [] and verify_signature(run, pub) == []


def test_merge_keeps_one_policy_snapshot_per_domain(tmp_path: Path) -> None:
    """Two shards that both audited a domain both stored its policy page: the merge keeps the earlier one."""
    from cookieaudit.gate.merge import _copy_tree

    a, b, out = tmp_path / "a", tmp_path / "b", tmp_path / "out"
    for root, body in ((a, "first"), (b, "second")):
        (root / "policy").mkdir(parents=True)
        (root / "policy" / "x.nl.json").write_text(json.dumps({"status": "fetched", "body": body}))
        (root / "policy" / "x.nl.txt").write_text(body)
    origin: dict = {}
    _copy_tree(a, out, origin)
    _copy_tree(b, out, origin)
    assert (out / "policy" / "x.nl.txt").read_text() == "first"
    assert json.loads((out / "policy" / "x.nl.json").read_text())["body"] == "first"
