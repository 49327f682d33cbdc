"""CMP lab, SaaS family, in real Chromium: Osano's open-source Cookie Consent (real, from npm) and stand-ins for
Cookiebot, OneTrust and Usercentrics (world/cmplab/saas.py), scanned without any banner selectors.

- one scan of the four hosts × all seven choices: every visit complete; every choice verified from the manager's
  stored record with the expected categories (Osano's only-* choices not performed: it is all-or-nothing); the
  method recorded; the trackers really gated (GA4 after accept-all, nothing of the lab's trackers after reject-all)
  and no tracking-after-reject / category-violation / pre-consent-tracking findings on these honestly gating sites;
- the negative case: with ``?broken=1`` each stand-in stores the targeting category whatever was chosen, and the
  only-performance choice must come out ``unverified``;
- single pages driven directly: the adapters' own API paths (no autoconsent: accept-all and reject-all through
  ``accept_js`` / ``reject_js``, withdrawal through ``withdraw_js``), DuckDuckGo autoconsent alone with time to
  detect (a cross-check that each stand-in's markup and API are what its rules encode), and Osano's "dismiss" read
  as (implied) consent, so a "reject" ending in a dismissal does not verify.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
import yaml

from cookieaudit.expectations import load_expectations
from cookieaudit.world.cmplab.saas import SITES, USERCENTRICS_STATS

pytestmark = [pytest.mark.browser, pytest.mark.alone]   # autoconsent's own time-outs decide which method is recorded
EXP_PATH = Path(__file__).parent / "data" / "expectations-cmplab-saas.yaml"
EXP = load_expectations(EXP_PATH)
HOSTS = tuple(s.host for s in SITES)
CMP_OF = {s.host: s.cmp for s in SITES}
OSANO = "osano.o3d-lab.nl"
STANDINS = tuple(s.host for s in SITES if s.kind == "stand-in")
SCENARIOS = ("no-interaction", "reject-all", "accept-all", "only-performance", "only-functional", "only-targeting",
             "withdraw")
OPTIONAL = {"performance", "functional", "targeting"}
# DuckDuckGo autoconsent's rule that recognised each manager (Osano's popup is the one Complianz once shipped)
AUTOCONSENT_RULE = {OSANO: "Complianz optin", "cookiebot.o3d-lab.nl": "Cybotcookiebot",
                    "onetrust.o3d-lab.nl": "Onetrust", "usercentrics.o3d-lab.nl": "usercentrics-api"}
LAB_TRACKER_HOSTS = {"www.googletagmanager.com", "region1.google-analytics.com", "www.clarity.ms", "scripts.clarity.ms",
                     "connect.facebook.net", "www.facebook.com"}
NO_TRACKING_RULES = ("tracking-after-reject", "category-violation", "pre-consent-tracking")


def _scan(world, out: Path, exp_path: Path, domains: tuple[str, ...], choices: tuple[str, ...]):
    from cookieaudit.scan import ScanOptions, run_scan

    opts = ScanOptions(expectations=exp_path, out=out, domains=domains, choices=choices,
                       resolve=tuple(world.resolve_args()), ca_cert=world.ca_pem, formats=())
    return asyncio.run(run_scan(opts))


@pytest.fixture(scope="module")
def scan(demo_world, tmp_path_factory):
    return _scan(demo_world, tmp_path_factory.mktemp("cmplab-saas") / "run", EXP_PATH, HOSTS, SCENARIOS)


@pytest.fixture(scope="module")
def broken_scan(demo_world, tmp_path_factory):
    """The stand-ins with their ``?broken=1`` knob: stored state disagrees with the click."""
    base = tmp_path_factory.mktemp("cmplab-saas-broken")
    doc = yaml.safe_load(EXP_PATH.read_text(encoding="utf-8"))
    doc["domains"] = [{**d, "pages": ["/?broken=1", "/p2?broken=1"]} for d in doc["domains"] if d["host"] in STANDINS]
    path = base / "expectations-broken.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return _scan(demo_world, base / "run", path, STANDINS, ("only-performance",))


def _by(scan_result):
    return {(o.domain, o.choice): o for o in scan_result.observations}


def _hosts(obs) -> set[str]:
    return {r.url.split("/")[2] for r in obs.requests}


def test_every_visit_complete_and_every_choice_verified(scan):
    by = _by(scan)
    assert set(by) == {(h, c) for h in HOSTS for c in SCENARIOS}
    for (host, choice), o in by.items():
        c = o.consent
        assert o.status == "complete", (host, choice, o.errors)
        assert c.cmp == CMP_OF[host], (host, choice, c.cmp)
        if choice == "no-interaction":
            assert c.outcome == "not-applicable" and c.state is not None and not c.state.decided, (host, c.state)
            continue
        if host == OSANO and choice.startswith("only-"):
            assert c.outcome == "not-performed" and c.method is None, (choice, c)
            assert "no per-category choice (only accept or decline)" in c.reason, c.reason
            continue
        assert c.outcome == "verified", (host, choice, c.reason, [s.detail for s in c.steps])
        assert c.method, (host, choice)
        expected = EXP.accepted_categories("reject-all" if choice == "withdraw" else choice)
        assert set(c.accepted_categories) == expected, (host, choice, c.accepted_categories, c.state)


def _fell_back(c) -> bool:
    """The manager's API stood in for autoconsent only because autoconsent saw no popup in time (it detects with
    ~800 rules, several of them round trips to Python: seconds on a loaded machine)."""
    return any(s.action == "autoconsent" and not s.ok and "no popup detected" in s.detail for s in c.steps)


def test_methods_recorded(scan):
    by = _by(scan)
    for host in HOSTS:
        api = f"cmp-api:{CMP_OF[host]}"
        for choice in ("accept-all", "reject-all"):
            c = by[(host, choice)].consent
            assert c.method == "autoconsent" or (c.method == api and _fell_back(c)), (host, choice, c.method, c.steps)
        # withdraw: accept, then the footer link "Cookie-instellingen" and the manager's own reject button
        w = by[(host, "withdraw")].consent
        first, _, second = w.method.partition(" → ")
        assert second == "text-heuristic" and (first == "autoconsent" or (first == api and _fell_back(w))), w.method
        details = [s.detail for s in w.steps]
        assert "opened the consent settings via 'Cookie-instellingen'" in details, details
        if host != OSANO:
            for choice in ("only-performance", "only-functional", "only-targeting"):
                assert by[(host, choice)].consent.method == api


def test_state_is_the_managers_own_record(scan):
    by = _by(scan)
    ot = by[("onetrust.o3d-lab.nl", "only-performance")].consent.state
    assert ot.raw["groups"] == "C0001:1,C0002:1,C0003:0,C0004:0" and ot.raw["OptanonAlertBoxClosed"]
    assert int(ot.raw["interactionCount"]) >= 1 and ot.raw["OnetrustActiveGroups"] == ",C0001,C0002,"
    pre = by[("onetrust.o3d-lab.nl", "no-interaction")].consent.state
    assert pre.raw["interactionCount"] == "0" and not any(v for k, v in pre.categories.items() if k != "C0001")
    cb = by[("cookiebot.o3d-lab.nl", "only-targeting")].consent.state
    assert cb.raw["cookie"].startswith("{stamp:'") and "marketing:true" in cb.raw["cookie"]
    assert cb.raw["method"] == "explicit" and cb.categories["statistics"] is False
    uc = by[("usercentrics.o3d-lab.nl", "only-performance")].consent.state
    assert uc.raw["api"] == "v3" and uc.raw["status"] == "SOME_DENIED" and uc.categories[USERCENTRICS_STATS]
    stored = uc.raw["ucData"]["consent"]["services"]
    assert stored["HkocEodjb7"] == {"name": "Google Analytics", "consent": True}
    assert stored["ryDQcVoOoZQ"]["consent"] is False
    assert by[(OSANO, "accept-all")].consent.state.raw["status"] == "allow"
    assert by[(OSANO, "reject-all")].consent.state.raw["status"] == "deny"
    assert by[(OSANO, "withdraw")].consent.state.withdraw.raw["status"] == "deny"


def test_refusal_persists_after_reload(scan):
    by = _by(scan)
    for host in HOSTS:
        after = by[(host, "reject-all")].banner.persistence.after_reload
        assert after.decided is True and after.banner_visible is False, (host, after)


def test_trackers_are_gated_by_each_manager(scan):
    by = _by(scan)
    for host in HOSTS:
        accepted = _hosts(by[(host, "accept-all")])
        assert {"region1.google-analytics.com", "connect.facebook.net"} <= accepted, (host, accepted)   # non-vacuity
        assert not _hosts(by[(host, "reject-all")]) & LAB_TRACKER_HOSTS, host
        assert not _hosts(by[(host, "no-interaction")]) & LAB_TRACKER_HOSTS, host
        if host == OSANO:
            continue
        perf, target = _hosts(by[(host, "only-performance")]), _hosts(by[(host, "only-targeting")])
        assert "region1.google-analytics.com" in perf and "connect.facebook.net" not in perf, (host, perf)
        assert "connect.facebook.net" in target and "region1.google-analytics.com" not in target, (host, target)
        functional = _hosts(by[(host, "only-functional")])
        assert not functional & LAB_TRACKER_HOSTS, (host, functional)


def test_no_tracking_findings_on_honestly_gating_sites(scan):
    findings = scan.document["findings"]
    assert {f["rule"] for f in findings} & {"banner-no-granular-choice"}, "non-vacuity: the rules did run"
    bad = [f for f in findings if f["rule"] in NO_TRACKING_RULES]
    assert not bad, [(f["domain"], f["choice"], f["rule"], f["message"]) for f in bad]
    # after withdrawal only cookies left behind (info), no tracker activity
    after_withdraw = [f for f in findings if f["rule"] == "tracking-after-withdraw" and f["severity"] != "info"
                     ]
    assert not after_withdraw, [(f["domain"], f["message"]) for f in after_withdraw]
    # Osano is all-or-nothing: that is a finding of its own, on it alone
    granular = {f["domain"] for f in findings if f["rule"] == "banner-no-granular-choice"}
    assert granular == {OSANO}, granular


def test_a_manager_storing_other_categories_than_clicked_is_unverified(broken_scan):
    by = _by(broken_scan)
    assert set(by) == {(h, "only-performance") for h in STANDINS}
    for host in STANDINS:
        o = by[(host, "only-performance")]
        c = o.consent
        assert o.status == "complete", (host, o.errors)
        assert c.outcome == "unverified", (host, c.outcome, c.reason)
        assert "differ from the requested ['performance']" in c.reason, (host, c.reason)
        assert set(c.accepted_categories) == {"necessary", "performance", "targeting"}, (host, c.accepted_categories)
        assert "connect.facebook.net" in _hosts(o), host   # the stand-in really released what it stored


@pytest.fixture(scope="module")
def nostore_scan(demo_world, tmp_path_factory):
    """Cookiebot with ``?nostore=1``: the choice hides the dialog and changes the script's memory, nothing is stored."""
    from cookieaudit.world.cmplab.saas import COOKIEBOT_HOST

    base = tmp_path_factory.mktemp("cmplab-saas-nostore")
    doc = yaml.safe_load(EXP_PATH.read_text(encoding="utf-8"))
    doc["domains"] = [{**d, "pages": ["/?nostore=1", "/p2?nostore=1"]} for d in doc["domains"]
                      if d["host"] == COOKIEBOT_HOST]
    path = base / "expectations-nostore.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return COOKIEBOT_HOST, _scan(demo_world, base / "run", path, (COOKIEBOT_HOST,), ("reject-all", "only-performance"))


def test_a_banner_hidden_without_a_stored_decision_is_unverified(nostore_scan):
    host, result = nostore_scan
    by = _by(result)
    for choice in ("reject-all", "only-performance"):
        c = by[(host, choice)].consent
        assert c.outcome == "unverified", (choice, c.outcome, c.reason)
        # caught by the missing stored record, not by a still visible banner: the dialog really went away
        assert "reports no stored decision" in c.reason and "still visible" not in c.reason, (choice, c.reason)
        assert c.state.raw["consent"]["statistics"] is (choice == "only-performance"), c.state   # memory changed


@pytest.fixture(scope="module")
def osano_scroll_scan(demo_world, tmp_path_factory):
    """Osano's real library with its own ``dismissOnScroll`` option (page knob ``?scroll=1``)."""
    base = tmp_path_factory.mktemp("cmplab-osano-scroll")
    doc = yaml.safe_load(EXP_PATH.read_text(encoding="utf-8"))
    doc["domains"] = [{**d, "pages": ["/?scroll=1", "/p2?scroll=1"]} for d in doc["domains"] if d["host"] == OSANO]
    path = base / "expectations-scroll.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return _scan(demo_world, base / "run", path, (OSANO,), ("no-interaction",))


def test_osano_dismiss_on_scroll_is_consent_by_scrolling_and_the_default_is_not(osano_scroll_scan, scan):
    rules = {f["rule"] for f in osano_scroll_scan.document["findings"] if f["domain"] == OSANO}
    assert "consent-by-scrolling" in rules, rules
    probe = _by(osano_scroll_scan)[(OSANO, "no-interaction")].banner.implied_consent_probe
    assert not probe.decided_before and probe.decided_after, probe
    assert probe.state_after.raw["implied"] is True, probe.state_after
    # the same library without the option: scrolling and clicking decide nothing
    assert not [f for f in scan.document["findings"] if f["rule"] == "consent-by-scrolling"]


# --- single pages driven directly: the adapters' own API paths, autoconsent alone ----------------------------------

async def _direct(world) -> dict:
    from playwright.async_api import async_playwright

    from cookieaudit.browse.chromium import BrowserPolicy, find_chromium, host_resolver_rules, launch_chromium
    from cookieaudit.browse.consent import ConsentLog, perform_choice, read_state, verify
    from cookieaudit.browse.consent.autoconsent import AutoconsentSession
    from cookieaudit.browse.consent.cmps import adapter

    clock = time.monotonic
    launched = None
    out: dict = {}
    try:
        async with async_playwright() as pw:
            launched = await launch_chromium(pw, find_chromium(), BrowserPolicy(),
                                             host_resolver_rules(list(world.resolve_args())), world.ca_pem)
            browser = launched.browser

            async def open_page(host: str, cookies: list[dict] | None = None):
                ctx = await browser.new_context(locale="nl-NL")
                if cookies:
                    await ctx.add_cookies(cookies)
                page = await ctx.new_page()
                await page.goto(f"https://{host}/", wait_until="load")
                await page.wait_for_function(adapter(CMP_OF[host]).detect_js, timeout=10000)
                await asyncio.sleep(0.5)   # Osano fades in after load; let every manager settle
                return ctx, page

            for host in HOSTS:
                domain, a = EXP.domain(host), adapter(CMP_OF[host])
                for choice in ("accept-all", "reject-all"):
                    ctx, page = await open_page(host)
                    out[(host, choice)] = await perform_choice(page, choice, domain, EXP, None, clock, popup_wait=0)
                    if choice == "accept-all":
                        await page.evaluate(a.withdraw_js or a.reject_js)   # as withdraw_choice falls back
                        await asyncio.sleep(0.3)
                        out[(host, "withdraw_js")] = await verify(page, "reject-all", domain, set(), OPTIONAL,
                                                                  f"cmp-api:{a.name}", a, ConsentLog(clock))
                    await ctx.close()
            # DuckDuckGo autoconsent on its own (given time to detect): a cross-check that each manager's markup and
            # API are those its rules encode
            for host in HOSTS:
                for choice in ("accept-all", "reject-all"):
                    ctx = await browser.new_context(locale="nl-NL")
                    session = AutoconsentSession(clock)
                    await session.install(ctx)
                    page = await ctx.new_page()
                    await page.goto(f"https://{host}/", wait_until="load")
                    out[("autoconsent", host, choice)] = await perform_choice(page, choice, EXP.domain(host), EXP,
                                                                              session, clock, popup_wait=20)
                    out[("autoconsent-rule", host, choice)] = session.popup_cmp
                    await ctx.close()
            # Osano's "dismiss" (the close button / dismissOnScroll of other layouts) is the library's implied consent
            ctx, page = await open_page(OSANO, [{"name": "cookieconsent_status", "value": "dismiss",
                                                 "url": f"https://{OSANO}/"}])
            out["dismiss-state"] = (await read_state(page))[1]
            out["dismiss-as-reject"] = await verify(page, "reject-all", EXP.domain(OSANO), set(), OPTIONAL, "cookie",
                                                    adapter(CMP_OF[OSANO]), ConsentLog(clock), patience=0.5)
            await ctx.close()
            await launched.close()
    finally:
        if launched is not None:
            launched.kill()
    return out


@pytest.fixture(scope="module")
def direct(demo_world):
    """Single pages driven directly (no scan): the adapters' API paths and autoconsent alone."""
    return asyncio.run(_direct(demo_world))


def test_adapters_accept_reject_and_withdraw_through_the_managers_api(direct):
    for host in HOSTS:
        name = CMP_OF[host]
        for choice, expected in (("accept-all", {"necessary", "performance", "functional", "targeting"}),
                                 ("reject-all", {"necessary"}), ("withdraw_js", {"necessary"})):
            c = direct[(host, choice)]
            assert c.outcome == "verified", (host, choice, c.reason, [s.detail for s in c.steps])
            assert c.method == f"cmp-api:{name}", (host, choice, c.method)
            assert set(c.accepted_categories) == expected, (host, choice, c.accepted_categories)


def test_osano_dismiss_is_implied_consent_not_a_refusal(direct):
    state = direct["dismiss-state"]
    assert state.decided is True and state.categories == {"*": True}
    assert state.raw["status"] == "dismiss" and state.raw["implied"] is True
    c = direct["dismiss-as-reject"]
    assert c.outcome == "unverified" and "differ from the requested []" in c.reason, c.reason


def test_autoconsent_recognises_each_manager(direct):
    for host in HOSTS:
        for choice in ("accept-all", "reject-all"):
            c = direct[("autoconsent", host, choice)]
            assert direct[("autoconsent-rule", host, choice)] == AUTOCONSENT_RULE[host], (host, choice)
            assert c.method == "autoconsent" and c.outcome == "verified", (host, choice, c.method, c.reason)
