"""The knowledge-base data itself: vendor coverage, provenance, load time, `kb update`, filter-list install."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
import tarfile
from pathlib import Path

import httpx
import pytest
import yaml

from cookieaudit.kb import load_kb
from cookieaudit.kb import filterlist as fl_mod
from cookieaudit.kb.base import DATA_DIR
from cookieaudit.kb.cookies import parse_cookie_string, requested_lifetime_seconds
from cookieaudit.kb.update import update_datasets

DECLARED = ("google-tag-manager", "google-analytics", "microsoft-clarity", "brevo", "hotjar", "google-ads")
OTHERS = ("meta-pixel", "tiktok", "linkedin", "bing-uet", "pinterest", "snapchat", "youtube", "google-fonts",
          "recaptcha", "trustpilot", "kiyoh", "trusted-shops", "stripe", "mollie", "paypal", "cloudflare",
          "cookiebot", "onetrust", "cookieyes", "complianz", "usercentrics", "didomi", "klaro",
          "vanilla-cookieconsent", "tarteaucitron", "orejime")


def test_load_is_cached():
    """Loaded once per process: every later call returns the same object without reading the data again. (How long
    the one load takes is the benchmark's business, not a test's: a timed assertion fails on a busy machine.)"""
    from cookieaudit.kb import base

    base._load.cache_clear()
    kb = load_kb(data_dir=False, filterlist=False)
    misses = base._load.cache_info().misses
    assert load_kb(data_dir=False, filterlist=False) is kb
    assert base._load.cache_info().misses == misses


def test_vendor_coverage_and_ids():
    kb = load_kb(data_dir=False, filterlist=False)
    for vid in DECLARED + OTHERS:
        assert kb.vendor(vid) is not None, vid
    assert len(set(kb.vendors) - set(DECLARED)) >= 25
    for vid in DECLARED:
        v = kb.vendor(vid)
        assert v.source and v.organisation and v.category in ("performance", "targeting")


def test_every_fact_has_a_source():
    doc = yaml.safe_load((DATA_DIR / "vendors.yaml").read_text(encoding="utf-8"))
    for v in doc["vendors"]:
        assert v["source"], v["id"]
        for group in ("requests", "cookies", "storage"):
            for fact in v.get(group, []):
                assert fact.get("source"), (v["id"], group, fact)
    for group in ("cookies", "storage"):
        for fact in doc["generic"][group]:
            assert fact.get("source")


def test_declared_vendor_hosts_from_the_brief():
    kb = load_kb(data_dir=False, filterlist=False)
    c = kb.classifier(["online-3d-printen.nl"])
    expected = {
        "https://region1.google-analytics.com/g/collect": "google-analytics",
        "https://analytics.google.com/g/collect": "google-analytics",
        "https://googleads.g.doubleclick.net/pagead/id": "google-ads",
        "https://www.googleadservices.com/pagead/conversion/1/": "google-ads",
        "https://googleadservices.com/x": "google-ads",
        "https://k.clarity.ms/collect": "microsoft-clarity",
        "https://static.hotjar.com/c/hotjar-1.js": "hotjar",
        "https://script.hotjar.com/modules.js": "hotjar",
        "https://in.hotjar.com/api": "hotjar",
        "https://content.hotjar.io/": "hotjar",
        "wss://ws.hotjar.com/api/v2/client/ws": "hotjar",
        "https://sibautomation.com/sa.js": "brevo",
        "https://in-automate.brevo.com/p": "brevo",
        "https://cdn.brevo.com/js/sdk-loader.js": "brevo",
        "https://conversations-widget.brevo.com/brevo-conversations.js": "brevo",
    }
    for url, vid in expected.items():
        assert c.request(url).vendor == vid, url


def test_ocd_copy_ships_with_licence_and_attribution():
    d = DATA_DIR / "open-cookie-database"
    assert (d / "open-cookie-database.csv").is_file()
    assert "Apache License" in (d / "LICENSE").read_text(encoding="utf-8")
    assert "0ee5a17" in (d / "SOURCE.md").read_text(encoding="utf-8")


def test_versions_are_json_serialisable():
    v = load_kb(data_dir=False, filterlist=False).versions()
    json.dumps(v)
    assert set(v) >= {"curated", "open-cookie-database", "filterlist", "public-suffix-list"}


def test_set_cookie_parsing_and_requested_lifetime():
    name, value, attrs = parse_cookie_string("o3d_affiliate=partner42; Max-Age=157680000; Path=/; SameSite=Lax")
    assert (name, value, attrs["max-age"]) == ("o3d_affiliate", "partner42", "157680000")
    assert requested_lifetime_seconds(attrs, None) == 157680000
    _n, _v, a2 = parse_cookie_string("_ga=GA1.1.1.1; expires=Fri, 26 Nov 2027 10:00:05 GMT; path=/")
    from datetime import datetime, timezone

    at = datetime(2026, 11, 26, 10, 0, 5, tzinfo=timezone.utc).timestamp()
    assert requested_lifetime_seconds(a2, at) == pytest.approx(365 * 86400)
    assert requested_lifetime_seconds({}, at) is None


# -- kb update ------------------------------------------------------------------------------------------

def _ocd_csv(rows: int) -> bytes:
    head = ("ID,Platform,Category,Cookie / Data Key name,Domain,Description,Retention period,Data Controller,"
            "User Privacy & GDPR Rights Portals,Wildcard match\n")
    body = "".join(f"{i},P,Analytics,c{i},,d,1 year,C,,0\n" for i in range(rows))
    return (head + body).encode()


def test_update_datasets_writes_versions(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("open-cookie-database.csv"):
            return httpx.Response(200, content=_ocd_csv(1200))
        if request.url.path.endswith("/LICENSE"):
            return httpx.Response(200, text="Apache License 2.0")
        if request.url.host == "api.github.com":
            return httpx.Response(200, json={"sha": "abc123", "commit": {"committer": {"date": "2026-11-01T00:00:00Z"}}})
        return httpx.Response(404)

    calls = []

    def fake_installer(dest, version, force):
        calls.append((dest, version))
        return {"status": "installed", "name": "fake list", "version": "9", "package_version": "1.0", "path": str(dest)}

    client = httpx.Client(transport=httpx.MockTransport(handler))
    res = update_datasets(tmp_path, client=client, filterlist_installer=fake_installer)
    assert res["datasets"]["open-cookie-database"]["status"] == "updated"
    assert res["datasets"]["open-cookie-database"]["rows"] == 1200
    assert res["datasets"]["filterlist"]["status"] == "installed"
    assert calls and calls[0][1] == "latest"
    versions = json.loads((tmp_path / "versions.json").read_text())
    assert versions["open-cookie-database"]["commit"] == "abc123"
    assert versions["filterlist"]["version"] == "9"
    # the refreshed folder is usable as a knowledge-base dir
    kb = load_kb(data_dir=tmp_path, filterlist=False)
    assert kb.versions()["open-cookie-database"]["rows"] == 1200
    assert kb.versions()["open-cookie-database"]["origin"] == str(tmp_path)


def test_update_datasets_without_network_keeps_previous(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no network", request=request)

    def failing_installer(dest, version, force):
        raise RuntimeError("npm pack failed")

    client = httpx.Client(transport=httpx.MockTransport(handler))
    res = update_datasets(tmp_path, client=client, filterlist_installer=failing_installer)
    assert res["datasets"]["open-cookie-database"]["status"] == "failed"
    assert res["datasets"]["filterlist"]["status"] == "failed"
    assert (tmp_path / "versions.json").is_file()


def test_update_refuses_a_truncated_dataset(tmp_path):
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=_ocd_csv(10))))
    res = update_datasets(tmp_path, client=client, filterlist_installer=lambda *a, **k: {"status": "present"})
    assert res["datasets"]["open-cookie-database"]["status"] == "failed"
    assert not (tmp_path / "open-cookie-database" / "open-cookie-database.csv").exists()


# -- filter-list install (npm pack) -----------------------------------------------------------------------

def _fake_npm(tmp_path: Path) -> Path:
    """A stand-in for `npm pack` that writes a tarball with the package's layout."""
    ruleset = [{"metadata": {"rawFilterList": "! Title: Fake Tracking Protection\n! Version: 7.7\n||tracker.example^\n"}}]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in (("package/package.json", json.dumps({"name": fl_mod.PACKAGE, "version": "9.9.9",
                                                                 "license": "GPL-3.0-only"}).encode()),
                           (fl_mod.RULESET_MEMBER, json.dumps(ruleset).encode()),
                           ("package/LICENSE", b"GNU GENERAL PUBLIC LICENSE")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    tgz = tmp_path / "pkg.tgz"
    tgz.write_bytes(buf.getvalue())
    script = tmp_path / "npm"
    script.write_text(
        f"#!{sys.executable}\n"
        "import shutil, sys\n"
        "dest = sys.argv[sys.argv.index('--pack-destination') + 1]\n"
        f"shutil.copy({str(tgz)!r}, dest + '/adguard-dnr-rulesets-9.9.9.tgz')\n"
        "print('[]')\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_filterlist_install_extracts_the_raw_list(tmp_path):
    npm = _fake_npm(tmp_path)
    dest = tmp_path / "lists"
    meta = fl_mod.install(dest, version="9.9.9", npm=str(npm))
    assert meta["status"] == "installed" and meta["version"] == "7.7" and meta["license"] == "GPL-3.0-only"
    assert (dest / fl_mod.LIST_FILE).read_text().startswith("! Title: Fake Tracking Protection")
    assert (dest / "LICENSE").is_file()
    again = fl_mod.install(dest, version="9.9.9", npm=str(npm))
    assert again["status"] == "present"          # idempotent: nothing fetched
    kb = load_kb(data_dir=False, filterlist=dest / fl_mod.LIST_FILE)
    assert kb.versions()["filterlist"]["package_version"] == "9.9.9"


def test_filterlist_install_without_npm(tmp_path):
    with pytest.raises(RuntimeError):
        fl_mod.install(tmp_path, npm=str(tmp_path / "no-such-npm"))


def test_env_variable_points_at_a_list(tmp_path, monkeypatch):
    p = tmp_path / "custom.txt"
    p.write_text("! Version: 3\n||x.example^\n")
    monkeypatch.setenv(fl_mod.ENV_PATH, str(p))
    assert fl_mod.find_filterlist() == p
    monkeypatch.setenv(fl_mod.ENV_PATH, str(tmp_path / "missing.txt"))
    assert fl_mod.find_filterlist() is None
    assert os.environ[fl_mod.ENV_PATH]


def test_update_default_dir_is_picked_up_by_load_kb(tmp_path, monkeypatch):
    from cookieaudit.kb.base import default_kb_dir

    monkeypatch.setenv("COOKIEAUDIT_KB_DIR", str(tmp_path / "kb"))
    assert default_kb_dir() == tmp_path / "kb"
    client = httpx.Client(transport=httpx.MockTransport(
        lambda r: httpx.Response(200, content=_ocd_csv(1500)) if r.url.path.endswith(".csv") else httpx.Response(404)))
    res = update_datasets(client=client, filterlist_installer=lambda *a, **k: {"status": "present"})
    assert res["dest"] == str(tmp_path / "kb")
    assert load_kb(filterlist=False).versions()["open-cookie-database"]["rows"] == 1500
    assert load_kb(data_dir=False, filterlist=False).versions()["open-cookie-database"]["rows"] == 2264
