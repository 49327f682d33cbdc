"""A tag deferred by seconds is still found (issue 17): settling waits on evidence, not on a fixed window.

The compliant demo shop gets one planted defect (world knob ``late_tag_ms``): every page but the home page starts
Hotjar 3 s after its load event, whatever the visitor chose. After a refusal that can only show on the further
pages, seconds after each of them loaded; the audit must record it on every one of them and report it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cookieaudit.observations import Observation
from cookieaudit.scan import ScanOptions, run_scan

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
SHOP = "online-3d-printen.nl"          # compliant in the default scenario: nothing of Hotjar after a refusal
DELAY_MS = 3000


def test_tracker_fired_3s_after_load_on_the_next_page_is_found(tmp_path):
    from cookieaudit.world import DemoWorld, WorldConfig

    cfg = WorldConfig(scenario="default", overrides={SHOP: {"late_tag_ms": DELAY_MS}})
    with DemoWorld(cfg) as world:
        assert world.knobs[SHOP].late_tag_ms == DELAY_MS
        opts = ScanOptions(expectations=ROOT / "expectations" / "online-3d.yaml", out=tmp_path / "run",
                           domains=(SHOP,), choices=("reject-all",), resolve=tuple(world.resolve_args()),
                           ca_cert=world.ca_pem, formats=("json",))
        result = asyncio.run(run_scan(opts))
    obs = Observation.load(tmp_path / "run" / "observations" / SHOP / "reject-all.json")
    assert obs.status == "complete" and obs.consent.outcome == "verified"
    further = [p for p in obs.pages if p.phase == "next-page"]
    assert further, "the walk must have further pages after the choice"
    documents = sorted((r for r in obs.requests if r.resource_type == "document" and r.phase == "next-page"),
                       key=lambda r: r.t)
    hotjar = [r for r in obs.requests if urlsplit(r.url).hostname == "static.hotjar.com"]
    assert not [r for r in hotjar if r.phase in ("before-consent", "after-choice")]   # the home page never starts it
    # on every further page: Hotjar's script, requested at least the deferral after that page's own request
    for i, doc in enumerate(documents):
        until = documents[i + 1].t if i + 1 < len(documents) else float("inf")
        late = [r for r in hotjar if doc.t + DELAY_MS / 1000 - 0.05 <= r.t < until]
        assert late and all(r.phase == "next-page" for r in late), (doc.url, [(r.t, r.phase) for r in hotjar])
    assert len(documents) == len(further)
    found = [f for f in result.document["findings"] if f.get("vendor") == "hotjar" and f["choice"] == "reject-all"]
    assert found, sorted({(f["rule"], f.get("vendor")) for f in result.document["findings"]})
