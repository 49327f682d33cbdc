"""The IAB TCF v2 family of the CMP lab in real Chromium: our TCF CMP on @iabtcf and the Didomi stand-in.

One scan of both hosts × every scenario, with no banner selectors and no category mapping in the
expectations (tests/data/expectations-cmplab-tcf.yaml): the adapters must find the manager, perform every
choice (TCF: through the banner, there is no TCF "apply" API; Didomi: autoconsent or its API) and verify it by
reading the stored state back. The TC strings read back are decoded again in Python (iab-tcf) and must say
the same. The sites gate their trackers honestly, so the tracking rules must find nothing, while the accept
visits show that the trackers really are released on consent. A focused test proves verification can fail:
a TCF CMP (and a Didomi SDK) that store "accept all" whatever was clicked come out ``unverified``.
"""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from cookieaudit.browse.consent.tcf import DIDOMI_TCF_PURPOSES, decode_tc_string
from cookieaudit.expectations import load_expectations
from cookieaudit.observations import ConsentState

pytestmark = pytest.mark.browser
EXP_PATH = Path(__file__).parent / "data" / "expectations-cmplab-tcf.yaml"
EXP = load_expectations(EXP_PATH)
TCF_HOST, DIDOMI_HOST = "tcf.o3d-lab.nl", "didomi.o3d-lab.nl"
HOSTS = (TCF_HOST, DIDOMI_HOST)
SCENARIOS = tuple(EXP.all_choices())
OPTIONAL = {c.id for c in EXP.optional_categories}
TRACKER_HOSTS = {"www.googletagmanager.com", "region1.google-analytics.com", "www.clarity.ms",
                 "connect.facebook.net", "www.facebook.com"}
GA, META = "region1.google-analytics.com", "connect.facebook.net"


@pytest.fixture(scope="module")
def scan(demo_world, tmp_path_factory):
    from cookieaudit.scan import ScanOptions, run_scan

    assert SCENARIOS == ("no-interaction", "reject-all", "accept-all", "only-performance", "only-functional",
                         "only-targeting", "withdraw")
    opts = ScanOptions(expectations=EXP_PATH, out=tmp_path_factory.mktemp("cmplab-tcf") / "run", domains=HOSTS,
                       choices=SCENARIOS, resolve=tuple(demo_world.resolve_args()), ca_cert=demo_world.ca_pem,
                       formats=())
    return asyncio.run(run_scan(opts))


def _obs(scan):
    return {(o.domain, o.choice): o for o in scan.observations}


def _expected(choice: str) -> set[str]:
    return EXP.accepted_categories("reject-all" if choice == "withdraw" else choice) & OPTIONAL


def _hosts(o) -> set[str]:
    return {r.url.split("/")[2] for r in o.requests}


def _final_state(o) -> ConsentState:
    state = o.consent.state
    assert state is not None, (o.domain, o.choice)
    final = state.withdraw if o.choice == "withdraw" else state
    assert final is not None, (o.domain, o.choice)
    return final


def test_every_choice_is_performed_and_verified_without_configuration(scan):
    obs = _obs(scan)
    assert set(obs) == {(h, c) for h in HOSTS for c in SCENARIOS}
    for (domain, choice), o in obs.items():
        c = o.consent
        assert o.status == "complete", (domain, choice, o.errors)
        assert c.cmp == ("tcf" if domain == TCF_HOST else "didomi"), (domain, choice, c.cmp)
        if choice == "no-interaction":
            assert c.outcome == "not-applicable" and not c.state.decided, (domain, c.state)
            assert c.accepted_categories == ()
            continue
        assert c.outcome == "verified", (domain, choice, c.reason, c.steps)
        assert c.method, (domain, choice)
        assert set(c.accepted_categories) & OPTIONAL == _expected(choice), (domain, choice, c.accepted_categories)
    # how: TCF has no apply API, so its banner is driven by its texts; Didomi through autoconsent or its API
    for choice in SCENARIOS[1:]:
        method = obs[(TCF_HOST, choice)].consent.method
        assert method == ("text-heuristic → text-heuristic" if choice == "withdraw" else "text-heuristic"), method
    for choice in ("reject-all", "accept-all"):
        assert obs[(DIDOMI_HOST, choice)].consent.method in ("autoconsent", "cmp-api:didomi")
    for choice in ("only-performance", "only-functional", "only-targeting"):
        assert obs[(DIDOMI_HOST, choice)].consent.method == "cmp-api:didomi"
        steps = [s.detail for s in obs[(TCF_HOST, choice)].consent.steps if s.action == "text-heuristic"]
        assert any(d.startswith("clicked settings button") for d in steps), steps
        assert any(d.startswith("clicked save button") for d in steps), steps
    for domain in HOSTS:
        # the refusal held after a reload, without the banner coming back
        after = obs[(domain, "reject-all")].banner.persistence.after_reload
        assert after.decided is True and after.banner_visible is False, (domain, after)


def test_tc_strings_read_back_decode_to_the_same_choice_in_python(scan):
    """The TC string each manager stored, decoded independently (iab-tcf), says what the state says."""
    for (domain, choice), o in _obs(scan).items():
        if choice == "no-interaction":
            continue
        state = _final_state(o)
        decoded = decode_tc_string(state.raw["tcString"])
        assert decoded["is_service_specific"] and decoded["tcf_policy_version"] == 4, (domain, choice)
        if domain == TCF_HOST:
            assert decoded["cmp_id"] == 4095 and decoded["categories"] == state.categories, (choice, decoded)
            assert state.raw["storedCookie"]["sameString"] is True, (choice, state.raw["storedCookie"])
        else:
            assert decoded["cmp_id"] == 7
            on = {DIDOMI_TCF_PURPOSES[p] for p, v in state.categories.items() if v and p in DIDOMI_TCF_PURPOSES}
            assert set(decoded["purpose_consents"]) == on, (choice, decoded["purpose_consents"], on)
            assert state.raw["token_agrees_with_api"] and state.raw["tc_agrees_with_api"]
        # storage (purpose 1) exactly when anything at all was accepted
        assert (1 in decoded["purpose_consents"]) == bool(_expected(choice)), (domain, choice)


def test_no_tracking_without_consent_and_trackers_released_on_consent(scan):
    findings = [f for f in scan.document["findings"] if f["domain"] in HOSTS]
    bad = [f for f in findings if f["rule"] in ("tracking-after-reject", "category-violation", "pre-consent-tracking",
                                                "consent-not-verified")
           or (f["rule"] == "tracking-after-withdraw" and f["severity"] != "info")]
    assert not bad, [(f["domain"], f["choice"], f["rule"], f["message"]) for f in bad]
    obs = _obs(scan)
    for domain in HOSTS:
        # non-vacuity: consent really releases the trackers, per category
        assert {GA, META} <= _hosts(obs[(domain, "accept-all")]), domain
        assert GA in _hosts(obs[(domain, "only-performance")]) and META not in _hosts(obs[(domain, "only-performance")])
        assert META in _hosts(obs[(domain, "only-targeting")]) and GA not in _hosts(obs[(domain, "only-targeting")])
        for choice in ("no-interaction", "reject-all", "only-functional"):
            assert not _hosts(obs[(domain, choice)]) & TRACKER_HOSTS, (domain, choice)
        prefs = {choice: any(s.key == "lab_prefs" for s in obs[(domain, choice)].storage)
                 for choice in ("accept-all", "only-functional", "only-performance", "reject-all", "no-interaction")}
        assert prefs == {"accept-all": True, "only-functional": True, "only-performance": False,
                         "reject-all": False, "no-interaction": False}, (domain, prefs)


# ---- verification can fail ---------------------------------------------------------------------------------------
async def _choose(world, host: str, query: str, choice: str, after=None):
    """Open one lab page in Chromium, perform ``choice`` with the audit's own driver, return the outcome."""
    from playwright.async_api import async_playwright

    from cookieaudit.browse.chromium import find_chromium, host_resolver_rules
    from cookieaudit.browse.consent import perform_choice

    domain = EXP.domain(host)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=find_chromium(), args=[
            f"--host-resolver-rules={host_resolver_rules(list(world.resolve_args()))}", "--disable-quic"])
        try:
            page = await (await browser.new_context(ignore_https_errors=True, locale="nl-NL")).new_page()
            await page.goto(f"https://{host}/{query}")
            banner = "#o3d-tcf-reject" if host == TCF_HOST else "#didomi-notice-disagree-button"
            await page.wait_for_selector(banner, state="visible", timeout=15000)
            outcome = await perform_choice(page, choice, domain, EXP, None, lambda: 0.0)
            if after is not None:
                outcome = await after(page, domain, outcome)
            return outcome
        finally:
            await browser.close()


def test_verification_fails_when_the_stored_tc_string_disagrees_with_the_click(demo_world):
    """?broken=1 makes the TCF CMP store "accept all" whatever is clicked: the audit must not call it verified."""
    honest = asyncio.run(_choose(demo_world, TCF_HOST, "", "reject-all"))
    broken = asyncio.run(_choose(demo_world, TCF_HOST, "?broken=1", "reject-all"))
    assert honest.method == broken.method == "text-heuristic"
    assert honest.outcome == "verified" and set(honest.accepted_categories) & OPTIONAL == set()
    assert broken.outcome == "unverified", broken
    assert "stored categories ['functional', 'performance', 'targeting'] differ from the requested []" in broken.reason
    # the string really says "everything": decoded in Python, not taken from the page's word
    assert decode_tc_string(broken.state.raw["tcString"])["purpose_consents"] == list(range(1, 12))


def test_didomi_verification_fails_when_its_records_disagree(demo_world):
    """Didomi: a broken "disagree to all", and a didomi_token that no longer says what the SDK says."""
    broken = asyncio.run(_choose(demo_world, DIDOMI_HOST, "?broken=1", "reject-all"))
    assert broken.method == "cmp-api:didomi" and broken.outcome == "unverified", broken
    assert "differ from the requested []" in broken.reason

    async def tamper(page, domain, outcome):
        """After a verified only-performance, rewrite the stored token to also enable an ads purpose."""
        from cookieaudit.browse.consent.tcf import DIDOMI

        assert outcome.outcome == "verified", outcome
        before = await page.evaluate(DIDOMI.state_js)
        raw = await page.evaluate("() => document.cookie.match(/(?:^|; )didomi_token=([^;]*)/)[1]")
        token = json.loads(base64.b64decode(unquote(raw)))
        token["purposes"]["enabled"].append("select_basic_ads")
        token["purposes"]["disabled"].remove("select_basic_ads")
        forged = base64.b64encode(json.dumps(token).encode()).decode()
        await page.evaluate("(v) => { document.cookie = 'didomi_token=' + encodeURIComponent(v) + '; Path=/'; }",
                            forged)
        from cookieaudit.browse.consent import read_state

        adapter, state = await read_state(page)   # what verification reads: the generic TCF reader must not win
        return before, await page.evaluate(DIDOMI.state_js), (adapter.name if adapter else None, state.decided)

    before, after, read = asyncio.run(_choose(demo_world, DIDOMI_HOST, "", "only-performance", after=tamper))
    assert read == ("didomi", False), read
    assert before["decided"] and before["raw"]["token_agrees_with_api"], before
    # the persisted record no longer says what the SDK says: the Didomi reader refuses to call it a decision
    assert after["decided"] is False and after["raw"]["token_agrees_with_api"] is False, after
    assert after["raw"]["token"]["purposes"]["enabled"].count("select_basic_ads") == 1
