"""Issue 13: everything a page stores, in every frame and partition, on one clock (``tests/storageworld.py``).

One scan of the storage page (no-interaction: first page, settle, next page) runs while CPU-burning processes load
the machine; every test reads that scan. ``EXPECTED`` in the world lists what must be recorded.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest

from cookieaudit.expectations import load_expectations
from cookieaudit.kb import load_kb
from cookieaudit.kb.parties import Parties
from cookieaudit.observations import Observation
from cookieaudit.rules.context import WINDOW_PRE, Context
from cookieaudit.scan import ScanOptions, run_scan

sys.path.insert(0, str(Path(__file__).resolve().parent))
from storageworld import ADS, EXPECTED, FIRST, REFUSED, SITE, SW_BEACON, VBEACON, StorageWorld  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
YAML = ROOT / "tests" / "data" / "expectations-storage.yaml"
BURNERS = 2
MAX_SKEW_MS = 10.0


def _host(url: str | None) -> str:
    return (urlsplit(url or "").hostname or "").lower()


@pytest.fixture(scope="module")
def loaded_scan(tmp_path_factory):
    out = tmp_path_factory.mktemp("storage") / "run"
    burn = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(BURNERS)]
    try:
        with StorageWorld() as world:
            result = asyncio.run(run_scan(ScanOptions(
                expectations=YAML, out=out, resolve=tuple(world.resolve_args()), ca_cert=world.ca_pem,
                choices=("no-interaction",), formats=("html",))))
        cpu = sum(psutil.Process(p.pid).cpu_times().user for p in burn)
    finally:
        for p in burn:
            p.kill()
            p.wait()
    obs = Observation.load(out / "observations" / FIRST / "no-interaction.json")
    return out, result, obs, cpu


def _writes(obs: Observation):
    return [w for w in obs.storage_writes if w.source == "script"]


@pytest.mark.browser
def test_every_write_is_recorded_with_origin_partition_writer_and_time(loaded_scan):
    _out, _res, obs, _cpu = loaded_scan
    assert obs.status == "complete", obs.errors
    got = {(w.mechanism, _host(w.origin), w.partition, _host(w.script_url), w.key): w for w in _writes(obs)}
    missing = [e for e in EXPECTED if e not in got]
    assert not missing, f"not recorded: {missing}\nrecorded: {sorted(got)}"
    for e in EXPECTED:
        w = got[e]
        assert w.accepted is True, (e, w)
        assert w.frame_url and _host(w.frame_url) == e[1], (e, w)
        assert w.phase == "before-consent" and -30 < w.t < 0, (e, w)


@pytest.mark.browser
def test_nothing_is_listed_that_the_page_did_not_store(loaded_scan):
    _out, _res, obs, _cpu = loaded_scan
    kept = {(w.mechanism, _host(w.origin), w.partition, _host(w.script_url), w.key)
            for w in _writes(obs) if w.accepted is not False}
    assert kept == set(EXPECTED), kept ^ set(EXPECTED)
    # CDP's own storage events add nothing the hooks did not see on this page
    assert [w for w in obs.storage_writes if w.source == "cdp"] == []


@pytest.mark.browser
def test_refused_writes_are_marked_and_never_stored(loaded_scan):
    _out, _res, obs, _cpu = loaded_scan
    for mech, name in REFUSED:
        w = [w for w in obs.storage_writes if w.mechanism == mech and w.key == name]
        assert len(w) == 1 and w[0].accepted is False, (mech, name, w)
        cw = [c for c in obs.cookie_writes if c.cookie.startswith(name + "=")]
        assert len(cw) == 1 and cw[0].accepted is False, cw
        assert not [c for c in obs.cookies if c.name == name]
    assert [w for w in obs.storage_writes if w.mechanism == "cookie-store" and w.key == "__Host-bad2"][0].error
    # cookieStore.set writes are cookie writes too, with their script
    store = {c.cookie.split("=")[0]: c for c in obs.cookie_writes if c.api == "cookieStore.set" and c.accepted}
    assert set(store) == {"fp_store", "_hjStore"}
    assert _host(store["_hjStore"].script_url) == "script.hotjar.com"


@pytest.mark.browser
def test_iframe_storage_and_caches_survive_the_removed_frames(loaded_scan):
    _out, _res, obs, _cpu = loaded_scan
    # the iframes were gone long before the end-of-phase snapshot: only the event record knows their storage
    snap_origins = {s.origin for s in obs.storage} | {i.origin for i in obs.indexeddb} | {c.origin for c in obs.caches}
    assert "https://vars.hotjar.com" not in snap_origins
    frame = [w for w in obs.storage_writes if w.origin == "https://vars.hotjar.com"]
    assert {w.mechanism for w in frame} >= {"local", "session", "indexeddb", "cache", "cookie"}
    assert all(w.partition == SITE for w in frame)
    # the end-of-phase snapshot is kept: the first party's caches are still there
    assert {("before-consent", "fp_cache"), ("before-consent", "hj_cache")} <= {(c.phase, c.name) for c in obs.caches}
    assert any(c.name == "_hjFrameCookie" and c.partition_key == SITE for c in obs.cookies)


@pytest.mark.browser
def test_service_worker_and_its_requests(loaded_scan):
    _out, _res, obs, _cpu = loaded_scan
    sw_url = f"https://{FIRST}/sw.js"
    sws = [s for s in obs.service_workers if s.script_url == sw_url]
    assert len(sws) == 1, obs.service_workers
    sw = sws[0]
    assert sw.scope == f"https://{FIRST}/" and sw.partition == SITE and _host(sw.registered_by) == FIRST
    beacon = [r for r in obs.requests if r.url.startswith(SW_BEACON)]
    assert beacon and all(r.service_worker == sw_url and r.frame_url is None for r in beacon), beacon
    assert {r.id for r in beacon} <= set(sw.request_ids)


@pytest.mark.browser
def test_tracking_api_calls_are_recorded_with_their_outcome(loaded_scan):
    _out, _res, obs, _cpu = loaded_scan
    apis = {c.api: c for c in obs.tracking_api_calls if c.source == "script"}
    # whatever this Chromium build answers, the call and the answer are recorded (and nothing is invented)
    for api in ("document.browsingTopics", "navigator.joinAdInterestGroup"):
        if api in apis:
            c = apis[api]
            assert c.accepted in (True, False) and (c.accepted or c.error), c
            assert c.mechanism in ("topics", "interest-group") and c.partition == SITE
    assert "navigator.joinAdInterestGroup" in apis or "document.browsingTopics" in apis, obs.tracking_api_calls


@pytest.mark.browser
def test_one_clock_under_load(loaded_scan):
    _out, _res, obs, cpu = loaded_scan
    assert cpu > 2.0, f"the burners did not load the machine ({cpu:.1f} s CPU)"
    clock = obs.browser["clock"]
    assert clock["samples"] > 0 and abs(clock["skew_ms"]) <= MAX_SKEW_MS, clock
    by_id = {r.id: r for r in obs.requests}
    checked = 0
    for sc in obs.set_cookies:
        assert sc.request_id in by_id, sc
        req = by_id[sc.request_id]
        assert sc.t >= req.t, (sc, req)            # a Set-Cookie never comes before its own request
        checked += 1
    assert checked >= 3
    for r in obs.requests:
        if r.t_response is not None:
            assert r.t_response >= r.t, r
    # in-page times (the page's clock) against request times (the HAR): a script writes only after it arrived,
    # a frame only after its document arrived
    tol = MAX_SKEW_MS / 1000
    first_req = {}
    for r in sorted(obs.requests, key=lambda r: r.t):
        first_req.setdefault(r.url, r)
    pairs = 0
    for w in _writes(obs):
        src = first_req.get(w.script_url or "")
        if src is not None and src.t_response is not None:
            assert w.t + tol >= src.t_response, (w, src)
            pairs += 1
    assert pairs >= 10


@pytest.mark.browser
def test_storage_writes_count_as_tracking_before_consent(loaded_scan):
    out, _res, obs, _cpu = loaded_scan
    exp = load_expectations(YAML)
    ctx = Context([obs], exp, load_kb())
    visit = ctx.visits[0]
    writes = {(it.subject["storage"], it.subject["key"]): it for it in visit.items
              if it.kind == "storage" and it.record in obs.storage_writes}
    for key in (("local", "_hjLocal"), ("local", "_hjFrameLocal"), ("session", "_hjFrameSession"),
                ("indexeddb", "hj_frame_db"), ("cache", "hj_cache"), ("cache", "hj_frame_cache")):
        it = writes[key]
        assert it.att.vendor == "hotjar" and it.att.tracking and it.window == WINDOW_PRE, (key, it.att)
        assert not ctx.consented(it)
    assert writes[("local", "_hjFrameLocal")].subject["partition"] == SITE
    # the first party's own storage is not a tracker's
    assert not writes[("local", "fp_local")].att.tracking
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    hj = [f for f in doc["findings"] if f["rule"] == "pre-consent-tracking" and f["vendor"] == "hotjar"]
    assert hj, [f["rule"] for f in doc["findings"]]


@pytest.mark.browser
def test_host_prefixed_third_party_cookies_are_not_necessary(loaded_scan):
    _out, _res, obs, _cpu = loaded_scan
    clf = load_kb().classifier(Parties({FIRST}))
    jar = {c.name: c for c in obs.cookies}
    ads = clf.cookie("__Host-sid", jar["__Host-sid"].domain, f"https://{ADS}/px.gif")
    assert ads.party == "third" and ads.category != "necessary", ads
    hj = clf.cookie("__Host-_hjSessionUser_1", jar["__Host-_hjSessionUser_1"].domain, f"https://{VBEACON}/hit?v=1")
    assert hj.vendor == "hotjar" and hj.tracking, hj


def test_classification_prefixes_and_third_party_names():
    clf = load_kb().classifier(Parties({"shop.example.nl"}))
    # the prefix is a security attribute: the name behind it decides
    assert clf.cookie("__Secure-_ga", ".shop.example.nl").vendor == clf.cookie("_ga", ".shop.example.nl").vendor
    assert clf.cookie("__Host-", "shop.example.nl").category != "necessary"
    # a first-party session cookie stays necessary; the same name from a third party is not necessary by its name
    assert clf.cookie("__Host-PHPSESSID", "shop.example.nl").category == "necessary"
    third = clf.cookie("__Host-PHPSESSID", "tracker.example.com")
    assert third.category != "necessary" and third.party == "third"
    assert clf.storage("https://tracker.example.com", "csrf_token", "local").category != "necessary"


def test_older_observation_files_still_load():
    old = sorted((ROOT / "tests" / "data" / "observations").rglob("*.json"))
    assert old
    for p in old:
        o = Observation.load(p)
        assert o.storage_writes == () and o.service_workers == () and o.caches == ()
    # a newer writer's unknown fields are ignored
    data = json.loads(old[0].read_text(encoding="utf-8"))
    if data.get("requests"):
        data["requests"][0]["from_the_future"] = 1
    data["cookie_writes"] = [{"t": 0.1, "phase": "after-choice", "frame_url": "https://a.nl/", "script_url": None,
                              "cookie": "a=b", "accepted": False, "future": True}]
    o = Observation.from_dict(data)
    assert o.cookie_writes[0].accepted is False
