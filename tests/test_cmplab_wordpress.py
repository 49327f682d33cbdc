"""The WordPress family of the CMP lab in real Chromium: Complianz and CookieYes stand-ins, no site configuration.

One module-scoped scan of both hosts × all seven choices (about half a minute on two cores), driven by
nothing but the consent-manager adapters (``browse/consent/wordpress.py``) and DuckDuckGo autoconsent:

- every choice is performed and verified from the manager's own read-back (``cmplz_has_consent`` /
  ``getCkyConsent``), with the raw cookies agreeing;
- the gated trackers follow the choice, and the judging rules find nothing on these honestly gating sites
  while accept-all did load GA4 (so the silence is not for want of traffic);
- a second, small scan with the lab knob ``?broken=1`` (the stand-in stores marketing / advertisement as
  accepted whatever was clicked) must come out unverified, and there the rules do fire.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from cookieaudit.expectations import load_expectations

pytestmark = pytest.mark.browser
EXP_PATH = Path(__file__).parent / "data" / "expectations-cmplab-wordpress.yaml"
EXP = load_expectations(EXP_PATH)
HOSTS = {"complianz.o3d-lab.nl": "complianz", "cookieyes.o3d-lab.nl": "cookieyes"}
API_SOURCE = {"complianz": "cmplz_has_consent", "cookieyes": "getCkyConsent"}
TRACKER_HOSTS = {"www.googletagmanager.com", "region1.google-analytics.com", "www.clarity.ms", "scripts.clarity.ms",
                 "connect.facebook.net", "www.facebook.com"}
QUIET_RULES = ("tracking-after-reject", "category-violation", "pre-consent-tracking")


def _scan(world, out: Path, expectations: Path, choices: tuple[str, ...] = ()):
    from cookieaudit.scan import ScanOptions, run_scan

    opts = ScanOptions(expectations=expectations, out=out, domains=tuple(HOSTS), choices=choices,
                       resolve=tuple(world.resolve_args()), ca_cert=world.ca_pem, formats=())
    return asyncio.run(run_scan(opts))


@pytest.fixture(scope="module")
def wp_scan(demo_world, tmp_path_factory):
    return _scan(demo_world, tmp_path_factory.mktemp("cmplab-wp") / "run", EXP_PATH)


@pytest.fixture(scope="module")
def broken_scan(demo_world, tmp_path_factory):
    """The same sites with ?broken=1 on every page: the stand-ins store a category the visitor did not choose."""
    base = tmp_path_factory.mktemp("cmplab-wp-broken")
    data = yaml.safe_load(EXP_PATH.read_text(encoding="utf-8"))
    for d in data["domains"]:
        d["pages"] = [f"{p}?broken=1" for p in d["pages"]]
    path = base / "expectations-broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return _scan(demo_world, base / "run", path, ("reject-all", "only-performance"))


def _by(result):
    return {(o.domain, o.choice): o for o in result.observations}


def _expected(choice: str) -> tuple[str, ...]:
    return tuple(sorted(EXP.accepted_categories("reject-all" if choice == "withdraw" else choice)))


def _hosts(obs, phases: tuple[str, ...] | None = None) -> set[str]:
    return {r.url.split("/")[2] for r in obs.requests if phases is None or r.phase in phases}


def test_every_choice_is_performed_and_verified(wp_scan):
    obs = _by(wp_scan)
    assert set(obs) == {(h, c) for h in HOSTS for c in EXP.all_choices()}
    for (host, choice), o in obs.items():
        c = o.consent
        assert o.status == "complete", (host, choice, o.errors)
        assert c.cmp == HOSTS[host], (host, choice, c.cmp)
        if choice == "no-interaction":
            assert c.outcome == "not-applicable"
            assert c.state.decided is False, (host, c.state)       # the manager was there, nobody chose
            continue
        assert c.outcome == "verified", (host, choice, c.reason, c.steps)
        assert c.accepted_categories == _expected(choice), (host, choice, c.accepted_categories)
        api = f"cmp-api:{HOSTS[host]}"
        # per category: always the manager's own API; accept/reject: autoconsent's rule, else the API when its
        # popup wait ran out (a loaded machine); withdraw: the site's link + the reject button found by its text,
        # else the API (the text search gives up on slow pages)
        allowed = {"accept-all": {"autoconsent", api}, "reject-all": {"autoconsent", api},
                   "withdraw": {f"{a} → {b}" for a in ("autoconsent", api) for b in ("text-heuristic", api)}
                   }.get(choice, {api})
        assert c.method in allowed, (host, choice, c.method)


def test_autoconsent_recognises_both_stand_ins(wp_scan):
    """A cross-check of the stand-ins' markup: DuckDuckGo's own rules for the real managers detect them."""
    rule = {"complianz": "Complianz banner", "cookieyes": "cookieyes"}
    obs = _by(wp_scan)
    for host, cmp in HOSTS.items():
        for choice in ("accept-all", "reject-all", "withdraw"):
            detected = [s.detail for s in obs[(host, choice)].consent.steps if s.action == "autoconsent:cmpDetected"]
            assert any(f"cmp={rule[cmp]}" in d for d in detected), (host, choice, detected)
        assert "autoconsent" in {obs[(host, c)].consent.method for c in ("accept-all", "reject-all")}, host


def test_the_state_is_the_managers_own_read_back(wp_scan):
    """Read through the manager's API, and the raw cookies it recorded say the same."""
    obs = _by(wp_scan)
    for host, cmp in HOSTS.items():
        for choice in ("accept-all", "reject-all", "only-performance", "only-functional", "only-targeting"):
            state = obs[(host, choice)].consent.state
            assert state.raw["source"] == API_SOURCE[cmp], (host, choice, state.raw)
            wanted = set(_expected(choice))
            if cmp == "complianz":
                cookies = state.raw["cookies"]
                assert cookies["banner-status"] == "dismissed"
                for name, policy in (("preferences", "functional"), ("statistics", "performance"),
                                     ("marketing", "targeting")):
                    assert cookies[name] == ("allow" if policy in wanted else "deny"), (choice, name, cookies)
                assert state.mapped["functional"] == "necessary"   # Complianz's always-on category
            else:
                pairs = dict(p.split(":", 1) for p in state.raw["cookie"].split(","))
                assert pairs["action"] == "yes" and pairs["consentid"], pairs
                for name, policy in (("functional", "functional"), ("analytics", "performance"),
                                     ("performance", "performance"), ("advertisement", "targeting")):
                    assert pairs[name] == ("yes" if policy in wanted else "no"), (choice, name, pairs)
                assert state.mapped.get("other") is None   # uncategorised: deliberately unmapped
        # the refusal survived a reload, and the banner stayed away
        after = obs[(host, "reject-all")].banner.persistence.after_reload
        assert after.decided is True and after.banner_visible is False, (host, after)


def test_trackers_follow_the_choice(wp_scan):
    obs = _by(wp_scan)
    for host in HOSTS:
        accept = _hosts(obs[(host, "accept-all")])
        assert {"region1.google-analytics.com", "www.clarity.ms", "connect.facebook.net"} <= accept, (host, accept)
        assert not _hosts(obs[(host, "reject-all")]) & TRACKER_HOSTS
        assert not _hosts(obs[(host, "no-interaction")]) & TRACKER_HOSTS
        perf = _hosts(obs[(host, "only-performance")])
        assert "region1.google-analytics.com" in perf and "connect.facebook.net" not in perf, (host, perf)
        target = _hosts(obs[(host, "only-targeting")])
        assert "connect.facebook.net" in target and not target & {"region1.google-analytics.com", "www.clarity.ms"}
        func = obs[(host, "only-functional")]
        assert not _hosts(func) & TRACKER_HOSTS
        assert any(s.key == "lab_prefs" for s in func.storage), host
        assert not any(s.key == "lab_prefs" for s in obs[(host, "reject-all")].storage), host
        # before the choice nothing was let through, in any visit
        for choice in EXP.all_choices():
            assert not _hosts(obs[(host, choice)], ("before-consent",)) & TRACKER_HOSTS, (host, choice)
        # after the withdrawal the next page loads no tracker
        assert not _hosts(obs[(host, "withdraw")], ("next-page", "after-withdraw")) & {
            "www.googletagmanager.com", "www.clarity.ms", "connect.facebook.net"}, host


def test_the_rules_find_nothing_on_honest_gating(wp_scan):
    found = [(f["rule"], f["domain"], f["choice"]) for f in wp_scan.document["findings"] if f["rule"] in QUIET_RULES]
    assert found == [], found


def test_a_stored_state_that_disagrees_is_unverified(broken_scan):
    obs = _by(broken_scan)
    assert len(obs) == 4
    for (host, choice), o in obs.items():
        c = o.consent
        assert o.status == "complete", (host, choice, o.errors)
        assert c.outcome == "unverified", (host, choice, c.outcome, c.state)
        assert "targeting" in (c.accepted_categories or ()), (host, choice, c.accepted_categories)
        assert "differ from the requested" in c.reason, c.reason
    # what the broken Complianz stored is what it then did: the Meta Pixel ran after "reject all"
    rules = {(f["rule"], f["domain"]) for f in broken_scan.document["findings"]}
    assert ("tracking-after-reject", "complianz.o3d-lab.nl") in rules, sorted(rules)
    assert ("category-violation", "cookieyes.o3d-lab.nl") in rules, sorted(rules)
