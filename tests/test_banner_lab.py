"""The banner lab in real Chromium: unknown banners driven by their texts, and the banner-judging rules end to end.

Three small scans against the session's demo world (``demo_world``), restricted to the choices each check needs
so the browser part stays around two minutes on two cores:

- the text-driven banners (plain markup, open shadow root, same-site iframe, German, French) × accept-all,
  reject-all and only-performance: every choice performed by the text heuristic and verified from the stored
  ``lab_consent`` cookie;
- the judging pages × no-interaction (the banner measurement and the implied-consent probe) and the pages whose
  rule needs a refusal × reject-all: together they must give exactly the planted banner findings.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cookieaudit.expectations import load_expectations
from cookieaudit.kb import load_kb
from cookieaudit.rules import evaluate

pytestmark = [pytest.mark.browser, pytest.mark.alone]
LAB_EXP_PATH = Path(__file__).parent / "data" / "expectations-lab.yaml"
LAB_EXP = load_expectations(LAB_EXP_PATH)
TEXT_DRIVEN = ("plain.o3d-lab.nl", "shadow.o3d-lab.nl", "iframe.o3d-lab.nl", "de.o3d-lab.nl", "fr.o3d-lab.nl")
JUDGED = ("noreject.o3d-lab.nl", "tinyreject.o3d-lab.nl", "preticked.o3d-lab.nl", "wall.o3d-lab.nl",
          "scroll.o3d-lab.nl", "forget.o3d-lab.nl", "fair.o3d-lab.nl")
NEEDS_REFUSAL = ("wall.o3d-lab.nl", "forget.o3d-lab.nl", "fair.o3d-lab.nl")
BANNER_RULES = ("banner-no-reject-first-layer", "banner-reject-less-prominent", "banner-pre-ticked", "cookie-wall",
                "consent-by-scrolling", "consent-not-persisted")
PLANTED = {
    "noreject.o3d-lab.nl": {"banner-no-reject-first-layer"},
    "tinyreject.o3d-lab.nl": {"banner-reject-less-prominent"},
    "preticked.o3d-lab.nl": {"banner-pre-ticked"},
    "wall.o3d-lab.nl": {"cookie-wall"},
    "scroll.o3d-lab.nl": {"consent-by-scrolling"},
    "forget.o3d-lab.nl": {"consent-not-persisted"},
}


def _scan(world, out: Path, domains: tuple[str, ...], choices: tuple[str, ...]):
    from cookieaudit.scan import ScanOptions, run_scan

    opts = ScanOptions(expectations=LAB_EXP_PATH, out=out, domains=domains, choices=choices,
                       resolve=tuple(world.resolve_args()), ca_cert=world.ca_pem, formats=())
    return asyncio.run(run_scan(opts))


@pytest.fixture(scope="module")
def text_scan(demo_world, tmp_path_factory):
    return _scan(demo_world, tmp_path_factory.mktemp("lab-text") / "run", TEXT_DRIVEN,
                 ("accept-all", "reject-all", "only-performance"))


@pytest.fixture(scope="module")
def judged(demo_world, tmp_path_factory):
    base = tmp_path_factory.mktemp("lab-judged")
    first = _scan(demo_world, base / "first", JUDGED, ("no-interaction",))
    refusal = _scan(demo_world, base / "refusal", NEEDS_REFUSAL, ("reject-all",))
    return first, refusal


def test_unknown_banners_are_driven_by_their_texts_and_verified(text_scan):
    visits = {(v["domain"], v["choice"]): v for v in text_scan.document["visits"]}
    assert len(visits) == len(TEXT_DRIVEN) * 3
    for (domain, choice), v in visits.items():
        c = v["consent"]
        assert v["status"] == "complete", (domain, choice, v.get("errors"))
        assert c["outcome"] == "verified", (domain, choice, c["reason"])
        assert c["method"] == "text-heuristic" and c["cmp"] == "json-consent-cookie", (domain, choice, c)
    by_obs = {(o.domain, o.choice): o for o in text_scan.observations}
    for domain in TEXT_DRIVEN:
        assert by_obs[(domain, "accept-all")].consent.accepted_categories == ("functional", "necessary", "performance", "targeting")
        assert by_obs[(domain, "reject-all")].consent.accepted_categories == ("necessary",)
        assert by_obs[(domain, "only-performance")].consent.accepted_categories == ("necessary", "performance")
        steps = [s.detail for s in by_obs[(domain, "only-performance")].consent.steps if s.action == "text-heuristic"]
        assert any(d.startswith("clicked settings button") for d in steps) and any(d.startswith("clicked save button") for d in steps)
        # the refusal held after a reload
        assert by_obs[(domain, "reject-all")].banner.persistence.after_reload.decided is True
    # the iframe banner was clicked inside its frame; the shadow-root banner through the shadow boundary
    iframe_steps = " ".join(s.detail for s in by_obs[("iframe.o3d-lab.nl", "accept-all")].consent.steps)
    assert "in frame https://consent.o3d-lab.nl/frame" in iframe_steps
    words = {d: [s.detail for s in by_obs[(d, "reject-all")].consent.steps if s.detail.startswith("clicked")][0]
             for d in ("de.o3d-lab.nl", "fr.o3d-lab.nl")}
    assert "Alle ablehnen" in words["de.o3d-lab.nl"] and "Tout refuser" in words["fr.o3d-lab.nl"]


def test_gated_trackers_follow_the_choice(text_scan):
    """The lab's trackers really are gated: GA4 after accept, nothing of Meta after only-performance."""
    by_obs = {(o.domain, o.choice): o for o in text_scan.observations}
    for domain in ("plain.o3d-lab.nl", "iframe.o3d-lab.nl"):
        hosts = lambda choice, domain=domain: {r.url.split("/")[2] for r in by_obs[(domain, choice)].requests}  # noqa: E731
        assert "region1.google-analytics.com" in hosts("accept-all") and "connect.facebook.net" in hosts("accept-all")
        assert "region1.google-analytics.com" in hosts("only-performance")
        assert "connect.facebook.net" not in hosts("only-performance")
        assert not hosts("reject-all") & {"www.googletagmanager.com", "www.clarity.ms", "connect.facebook.net"}


def test_judging_pages_give_exactly_the_planted_findings(judged):
    first, refusal = judged
    for v in first.document["visits"] + refusal.document["visits"]:
        assert v["status"] == "complete", (v["domain"], v["choice"], v.get("errors"))
    obs = list(first.observations) + list(refusal.observations)
    paths = {(o.domain, o.choice): f"observations/{o.domain}/{o.choice}.json" for o in obs}
    findings = evaluate(obs, LAB_EXP, load_kb(data_dir=False, filterlist=False), paths, rules=BANNER_RULES)
    found: dict[str, set[str]] = {}
    for f in findings:
        found.setdefault(f.domain, set()).add(f.rule)
    assert found == PLANTED, [(f.domain, f.rule, f.message) for f in findings]
    pre = sorted(f.category for f in findings if f.rule == "banner-pre-ticked")
    assert pre == ["performance", "targeting"]
    # the scan's own findings.json carries them too (rules ran on each scan's observations)
    assert {f["rule"] for f in first.document["findings"] if f["rule"] in BANNER_RULES} == \
        {"banner-no-reject-first-layer", "banner-reject-less-prominent", "banner-pre-ticked", "cookie-wall",
         "consent-by-scrolling"}
    wall = next(o for o in refusal.observations if o.domain == "wall.o3d-lab.nl")
    assert wall.consent.outcome == "not-performed"


def test_the_fair_banner_is_measured_as_fair(judged):
    first, _ = judged
    banner = next(o for o in first.observations if o.domain == "fair.o3d-lab.nl").banner
    fair, probe = banner.first_layer, banner.implied_consent_probe
    assert fair and fair.accept and fair.reject and fair.settings and probe
    assert fair.accept.in_banner and fair.reject.in_banner and fair.settings.in_banner
    assert fair.reject.area == fair.accept.area and not fair.scroll_locked
    assert not any(t.checked for t in fair.toggles if t.category != "necessary")
    assert probe.decided_after is False
