"""The configured way still works: the demo world's own page paths, banner selectors and category names, given by
hand (tests/data/expectations-demo-configured.yaml), are walked and used exactly as configured - no discovery."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cookieaudit.expectations import load_expectations
from cookieaudit.observations import Observation

pytestmark = pytest.mark.browser
CONFIGURED = Path(__file__).resolve().parent / "data" / "expectations-demo-configured.yaml"
HOSTS = ("online-3d-printen.be", "online-3d-drucken.at")     # the two shops configured with banner selectors
CHOICES = ("reject-all", "only-performance")


@pytest.fixture(scope="module")
def configured_scan(demo_world, tmp_path_factory):
    from cookieaudit.scan import ScanOptions, run_scan

    opts = ScanOptions(expectations=CONFIGURED, out=tmp_path_factory.mktemp("configured") / "run", domains=HOSTS,
                       choices=CHOICES, resolve=tuple(demo_world.resolve_args()), ca_cert=demo_world.ca_pem,
                       formats=("html",))
    return asyncio.run(run_scan(opts))


def test_configured_pages_are_walked_as_given_and_nothing_is_discovered(configured_scan):
    exp = load_expectations(CONFIGURED)
    for d in configured_scan.document["domains"]:
        configured = exp.domain(d["host"]).pages
        assert configured and d["pages_source"] == "configured" and d["pages"] == configured
        assert "discovery" not in d
        assert not (configured_scan.run_dir / "observations" / d["host"] / "discovery.json").exists()
        for c in CHOICES:
            obs = Observation.load(configured_scan.run_dir / "observations" / d["host"] / f"{c}.json")
            walked = [urlsplit(p.url).path for p in obs.pages if p.phase in ("before-consent", "next-page")]
            assert walked == configured, (d["host"], c, walked)
            assert obs.status == "complete", obs.errors


def test_configured_selectors_still_win(configured_scan):
    for v in configured_scan.document["visits"]:
        c = v["consent"]
        assert "selectors" in (c["method"] or ""), (v["domain"], v["choice"], c)
        assert c["outcome"] == "verified", (v["domain"], v["choice"], c["reason"])
