"""Variant worlds: the demo shops re-configured from a seed (cookieaudit.world.variants).

Fast checks of the generator (determinism, spread, the expressible-choice rule), every page of every shop
of many variants served in-process, and a real-Chromium smoke test: each manager's banner shows, accepting
all through its UI loads the gated vendors and rejecting loads none. Each test prints the variant's
``describe()`` so a failure can be reproduced with ``WorldConfig(variant_seed=N)``.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from aiohttp.test_utils import make_mocked_request

from cookieaudit.world import SHOPS, DemoWorld, WorldConfig
from cookieaudit.world.catalog import CATEGORIES, all_vendor_hosts
from cookieaudit.world.shops import ShopSite
from cookieaudit.world.variant_site import VariantShopSite
from cookieaudit.world.variants import DEFAULT_STORAGE, LANGUAGES, MANAGERS, generate

CHROMIUM = os.environ.get("COOKIEAUDIT_CHROMIUM", "/usr/lib/chromium/chromium")
REPO = Path(__file__).resolve().parents[1]
VENDOR_HOSTS = set(all_vendor_hosts())
SPREAD_SEEDS = range(50)
# (banner, accept all, reject all) in each manager's first layer
UI = {"vanilla": ("#cc-main .cm", ".cm__btn[data-role=all]", ".cm__btn[data-role=necessary]"),
      "klaro": ("#klaro .cookie-notice", "#klaro .cn-buttons .cm-btn-success", "#klaro .cn-decline"),
      "custom": ("#cookie-notice", "#cookie-notice [data-consent-action=accept]",
                 "#cookie-notice [data-consent-action=reject]"),
      "orejime": (".orejime-Banner", ".orejime-Banner-saveButton", ".orejime-Banner-declineButton"),
      "tarteaucitron": ("#tarteaucitronAlertBig", "#tarteaucitronPersonalize2", "#tarteaucitronAllDenied2")}
# a host each policy category's vendors always reach once they run
CATEGORY_HOSTS = {"performance": {"www.clarity.ms", "static.hotjar.com", "region1.google-analytics.com"},
                  "targeting": {"sibautomation.com", "googleads.g.doubleclick.net"}}


def fetch(site, path_qs: str):
    request = make_mocked_request("GET", path_qs, headers={"Host": site.shop.host})

    async def go():
        try:
            return await site.handle(request)
        except Exception as exc:   # aiohttp raises redirects and 404s as exceptions
            if hasattr(exc, "status"):
                return exc
            raise
    return asyncio.run(go())


# --- the generator --------------------------------------------------------------------------------------------
def test_same_seed_same_variant_and_no_seed_is_the_demo():
    assert generate(7) == generate(7) and generate(7).describe() == generate(7).describe()
    assert generate(7) != generate(8)
    assert WorldConfig().variant() is None
    demo = DemoWorld(WorldConfig())
    assert demo.variant is None and all(type(s) is ShopSite for s in demo.shops.values())
    variant = DemoWorld(WorldConfig(variant_seed=7))
    assert variant.variant == generate(7) and all(isinstance(s, VariantShopSite) for s in variant.shops.values())


def test_fifty_seeds_cover_the_space():
    seen: Counter = Counter()
    for seed in SPREAD_SEEDS:
        world = generate(seed)
        demo_managers = [s.cmp for s in SHOPS]
        assert sum(v.manager == d for v, d in zip(world.shops, demo_managers)) <= 1, world.describe()
        for shop in world.shops:
            seen.update([("manager", shop.manager), ("language", shop.language), ("granularity", shop.granularity),
                         ("storage", shop.storage.kind), ("nav", shop.nav), ("ids", shop.id_style),
                         ("offered", len(shop.offered))])
            seen[("renamed", shop.manager)] += shop.storage.name != DEFAULT_STORAGE.get(shop.manager, "")
            seen[("granularity", shop.manager, shop.granularity)] += 1
            seen[("missing", "functional")] += "functional" not in shop.offered
            for key in ("orejime_groups", "vanilla_services", "google"):
                seen[("option", key)] += key in shop.options
            # ground truth is consistent: every optional category offered has a unit, ids map to it
            assert set(CATEGORIES) - shop.offered == set(shop.dropped)
            assert {c for policy in shop.categories.values() for c in policy} == shop.offered, shop.describe()
            assert len(shop.units) == len({u.id for u in shop.units})
            assert shop.paths.home and all(p.startswith("/") for p in shop.paths.pages().values())
            assert len(set(shop.paths.pages().values())) == 5
    for manager in MANAGERS:
        assert seen[("manager", manager)] and seen[("renamed", manager)], manager
    for language in LANGUAGES:
        assert seen[("language", language)], language
    for kind in ("per-category", "per-service", "all-or-nothing"):
        assert seen[("granularity", kind)] >= 10, kind
    for manager in ("vanilla", "klaro", "custom"):
        assert seen[("granularity", manager, "all-or-nothing")], manager
    for manager in ("vanilla", "klaro", "orejime", "tarteaucitron"):
        assert seen[("granularity", manager, "per-service")], manager
    assert seen[("storage", "localStorage")] >= 10 and seen[("missing", "functional")] >= 20
    assert seen[("offered", 1)] and seen[("offered", 2)] and seen[("offered", 3)]
    for style in ("en", "native", "opaque", "vendor", "tarteaucitron", "single"):
        assert seen[("ids", style)], style
    for nav in ("header", "footer", "burger", "cards"):
        assert seen[("nav", nav)], nav
    for option in ("orejime_groups", "vanilla_services", "google"):
        assert seen[("option", option)], option


def test_expressible_choices_follow_the_issue_rule():
    shops = [s for seed in SPREAD_SEEDS for s in generate(seed).shops]
    for shop in shops:
        for choice in ("no-interaction", "reject-all", "accept-all", "withdraw"):
            assert shop.expressible(choice)
        for category in CATEGORIES:
            assert shop.expressible(f"only-{category}") == (shop.granularity != "all-or-nothing")
    with pytest.raises(ValueError):
        shops[0].expressible("only-everything")


def test_overrides_and_knobs_still_work_on_variants():
    seed = next(s for s in SPREAD_SEEDS if any(v.manager != "custom" for v in generate(s).shops))
    world = generate(seed)
    shop = next(v for v in world.shops if "performance" in v.offered)
    knobs = WorldConfig(variant_seed=seed, overrides={shop.host: {"hotjar_before_consent": True}}).knobs()
    assert knobs[shop.host].hotjar_before_consent and not knobs[shop.host].meta_pixel
    # a variant world starts compliant whatever the scenario says
    assert not any(k.ga4_before_consent or k.gtm_before_consent for k in WorldConfig(variant_seed=seed).knobs().values())
    site = DemoWorld(WorldConfig(variant_seed=seed, overrides={shop.host: {"hotjar_before_consent": True}})).shops[shop.host]
    head = fetch(site, shop.paths.home).text.split("</head>")[0]
    assert "static.hotjar.com/c/hotjar-" in head                     # the Hotjar snippet now runs on page load
    other = next(v for v in world.shops if v.manager != "custom")
    with pytest.raises(ValueError, match="hand-made banner"):
        WorldConfig(variant_seed=seed, overrides={other.host: {"ads_after_reject": True}}).knobs()


# --- every page of every shop, served in-process ------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(12))
def test_every_variant_serves_every_page_and_its_distractors(seed):
    world = DemoWorld(WorldConfig(variant_seed=seed))
    print(world.variant.describe())
    for shop in world.variant.shops:
        site = world.shops[shop.host]
        p = shop.paths
        for page, path in p.pages().items():
            response = fetch(site, path)
            assert response.status == 200, (shop.host, page, path)
            html = response.text
            assert f'<html lang="{shop.locale}">' in html
            for unit in shop.units:      # the manager's configuration carries the variant's ids
                assert unit.id in html, (shop.host, unit.id)
            assert shop.storage.name in html or shop.manager == "custom" and "SITE_CONSENT_CONFIG" in html
        home = fetch(site, p.home).text
        for target in (p.product, p.listing, p.cart, p.privacy):
            assert f'href="{target}"' in home.replace("&amp;", "&"), (shop.host, target)
        for product_url in p.products.values():
            assert fetch(site, product_url).status == 200
        assert fetch(site, p.distractors["broken"]).status == 404
        assert fetch(site, p.distractors["pdf"]).headers["Content-Type"] == "application/pdf"
        assert fetch(site, p.distractors["logout"]).status == 302
        assert fetch(site, p.distractors["submit"]).status == 200
        assert fetch(site, "/robots.txt").status == 200
        if p.home != "/":
            assert fetch(site, "/").status == 302
        # no vendor snippet runs outside the consent manager in a compliant variant
        head = home.split("</head>")[0]
        assert not any(host in head for host in VENDOR_HOSTS), shop.host


def test_policy_only_expectations_file_has_no_banner_configuration():
    data = yaml.safe_load((REPO / "tests" / "data" / "expectations-policy-only.yaml").read_text())
    shipped = yaml.safe_load((REPO / "expectations" / "online-3d.yaml").read_text())
    assert data["vendors"] == shipped["vendors"] and data["categories"] == shipped["categories"]
    assert [d["host"] for d in data["domains"]] == [s.host for s in SHOPS]
    for domain in data["domains"]:
        assert set(domain) == {"host", "country", "locale", "timezone", "ref"}


# --- real Chromium ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def playwright():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make setup)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        yield p


@pytest.mark.browser
@pytest.mark.parametrize("seed", [0, 17])
def test_each_manager_shows_its_banner_and_gates_the_vendors(playwright, seed):
    with DemoWorld(WorldConfig(variant_seed=seed)) as world:
        print(world.variant.describe())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            f"--host-resolver-rules={world.host_resolver_rules()}", "--disable-quic",
            "--disable-blink-features=AutomationControlled"])
        try:
            for shop in world.variant.shops:
                banner, accept, reject = UI[shop.manager]
                for action in ("accept", "reject"):
                    context = browser.new_context(ignore_https_errors=True)
                    page = context.new_page()
                    requests, errors = [], []
                    page.on("request", lambda r, requests=requests: requests.append(r.url))
                    page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                    page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
                    page.goto(world.url(shop.host, shop.paths.product), wait_until="networkidle")
                    assert page.is_visible(banner), (shop.host, shop.manager)
                    assert not {urlsplit(u).hostname for u in requests} & VENDOR_HOSTS, shop.host
                    page.click(accept if action == "accept" else reject)
                    expected = set().union(*(h for c, h in CATEGORY_HOSTS.items() if c in shop.offered))
                    for _ in range(30 if action == "accept" else 6):   # until the vendors ran, at most 3 s
                        page.wait_for_timeout(100)
                        if action == "accept" and expected <= {urlsplit(u).hostname for u in requests}:
                            break
                    page.wait_for_timeout(200)
                    loaded = {urlsplit(u).hostname for u in requests} & VENDOR_HOSTS
                    if action == "accept":
                        for category, hosts in CATEGORY_HOSTS.items():
                            assert (hosts <= loaded) == (category in shop.offered), (shop.describe(), loaded)
                        consent = page.evaluate("O3D.consent")
                        assert {c for c in CATEGORIES if consent[c]} == set(shop.offered), shop.describe()
                    else:
                        assert loaded == set(), (shop.describe(), loaded)
                    assert errors == [], (shop.host, errors)
                    context.close()
        finally:
            browser.close()
