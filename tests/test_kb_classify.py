"""Classification of requests, cookies and storage items; parties; the Open Cookie Database; the filter list."""

from __future__ import annotations

import pytest

from cookieaudit.kb import Parties, load_kb, registrable_domain
from cookieaudit.kb.filterlist import FilterList, parse_header
from cookieaudit.kb.ocd import OpenCookieDatabase, parse_retention

SHOPS = ["online-3d-printen.nl", "online-3d-winkel.nl", "online-3d-printen.be", "online-3d-drucken.at",
         "online-3d-drucken.de"]


@pytest.fixture(scope="module")
def clf():
    return load_kb(data_dir=False, filterlist=False).classifier(SHOPS)


# -- requests -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url,vendor,category", [
    ("https://www.googletagmanager.com/gtm.js?id=GTM-ABC123", "google-tag-manager", "performance"),
    ("https://www.googletagmanager.com/ns.html?id=GTM-ABC123", "google-tag-manager", "performance"),
    ("https://www.googletagmanager.com/gtag/js?id=G-ABCDEF1234", "google-analytics", "performance"),
    ("https://www.googletagmanager.com/gtag/js?id=UA-123-1", "google-analytics", "performance"),
    ("https://www.googletagmanager.com/gtag/js?id=AW-111222333", "google-ads", "targeting"),
    ("https://www.googletagmanager.com/gtag/js?id=GT-XYZ", "google-tag-manager", "performance"),
    ("https://region1.google-analytics.com/g/collect?v=2&tid=G-1", "google-analytics", "performance"),
    ("https://www.google-analytics.com/collect?v=1&tid=UA-1-1", "google-analytics", "performance"),
    ("https://analytics.google.com/g/collect?v=2", "google-analytics", "performance"),
    ("https://stats.g.doubleclick.net/j/collect?t=dc", "google-analytics", "performance"),
    ("https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123/?random=1", "google-ads", "targeting"),
    ("https://www.googleadservices.com/pagead/conversion/123/?label=x", "google-ads", "targeting"),
    ("https://www.google.com/pagead/1p-user-list/123/?random=1", "google-ads", "targeting"),
    ("https://www.clarity.ms/tag/abcdef", "microsoft-clarity", "performance"),
    ("https://o.clarity.ms/collect", "microsoft-clarity", "performance"),
    ("https://static.hotjar.com/c/hotjar-3712345.js?sv=6", "hotjar", "performance"),
    ("https://script.hotjar.com/modules.abc.js", "hotjar", "performance"),
    ("https://in.hotjar.com/api/v2/client/sites/1/visit-data", "hotjar", "performance"),
    ("https://content.hotjar.io/?site_id=1", "hotjar", "performance"),
    ("wss://ws.hotjar.com/api/v2/client/ws?v=6", "hotjar", "performance"),
    ("https://sibautomation.com/sa.js?key=abc", "brevo", "targeting"),
    ("https://in-automate.brevo.com/p", "brevo", "targeting"),
    ("https://cdn.brevo.com/js/sdk-loader.js", "brevo", "targeting"),
    ("https://conversations-widget.brevo.com/brevo-conversations.js", "brevo", "functional"),
    ("https://connect.facebook.net/en_US/fbevents.js", "meta-pixel", "targeting"),
    ("https://www.facebook.com/tr/?id=1&ev=PageView", "meta-pixel", "targeting"),
    ("https://analytics.tiktok.com/i18n/pixel/events.js", "tiktok", "targeting"),
    ("https://snap.licdn.com/li.lms-analytics/insight.min.js", "linkedin", "targeting"),
    ("https://bat.bing.com/bat.js", "bing-uet", "targeting"),
    ("https://s.pinimg.com/ct/core.js", "pinterest", "targeting"),
    ("https://sc-static.net/scevent.min.js", "snapchat", "targeting"),
    ("https://www.youtube.com/embed/abc", "youtube", "targeting"),
    ("https://www.youtube-nocookie.com/embed/abc", "youtube", "functional"),
    ("https://fonts.googleapis.com/css2?family=Inter", "google-fonts", "necessary"),
    ("https://www.google.com/recaptcha/api.js", "recaptcha", "necessary"),
    ("https://widget.trustpilot.com/bootstrap/v5/tp.widget.bootstrap.min.js", "trustpilot", "functional"),
    ("https://www.kiyoh.com/retrieve-widget.html?locationId=1", "kiyoh", "functional"),
    ("https://widgets.trustedshops.com/js/X1.js", "trusted-shops", "functional"),
    ("https://js.stripe.com/v3/", "stripe", "necessary"),
    ("https://js.mollie.com/v1/mollie.js", "mollie", "necessary"),
    ("https://www.paypal.com/sdk/js?client-id=x", "paypal", "necessary"),
    ("https://challenges.cloudflare.com/turnstile/v0/api.js", "cloudflare", "necessary"),
    ("https://static.cloudflareinsights.com/beacon.min.js", "cloudflare-web-analytics", "performance"),
    ("https://consent.cookiebot.com/uc.js?cbid=x", "cookiebot", "necessary"),
    ("https://cdn.cookielaw.org/scripttemplates/otSDKStub.js", "onetrust", "necessary"),
    ("https://cdn-cookieyes.com/client_data/x/script.js", "cookieyes", "necessary"),
    ("https://web.cmp.usercentrics.eu/ui/loader.js", "usercentrics", "necessary"),
    ("https://sdk.privacy-center.org/loader.js", "didomi", "necessary"),
    ("https://cdn.jsdelivr.net/npm/vanilla-cookieconsent@3.1.0/dist/cookieconsent.umd.js", "jsdelivr", "necessary"),
])
def test_request_signatures(clf, url, vendor, category):
    a = clf.request(url, "script")
    assert (a.vendor, a.category, a.party, a.source) == (vendor, category, "third", "curated")
    assert a.signature


def test_gtag_is_attributed_by_its_id_prefix_not_by_host(clf):
    assert clf.request("https://www.googletagmanager.com/gtag/js?id=G-X").vendor == "google-analytics"
    assert clf.request("https://www.googletagmanager.com/gtag/js?id=AW-1").vendor == "google-ads"
    assert clf.request("https://www.googletagmanager.com/gtm.js?id=GTM-1").vendor == "google-tag-manager"
    # no id: the host alone says tag manager
    assert clf.request("https://www.googletagmanager.com/gtag/js").vendor == "google-tag-manager"


def test_host_suffix_match_respects_label_boundaries(clf):
    assert clf.request("https://xclarity.ms/collect").vendor is None
    assert clf.request("https://a.b.clarity.ms/collect").vendor == "microsoft-clarity"


def test_first_party_requests_and_server_side_tagging(clf):
    site = clf.request("https://online-3d-printen.nl/assets/app.js")
    assert (site.party, site.vendor, site.tracking) == ("first", None, False)
    sgtm = clf.request("https://online-3d-drucken.de/gtm.js?id=GTM-ABC")
    assert (sgtm.vendor, sgtm.party, sgtm.confidence) == ("google-tag-manager", "first", "medium")
    ga1p = clf.request("https://online-3d-drucken.de/g/collect?v=2&tid=G-ABC")
    assert ga1p.vendor == "google-analytics"
    # the same path on a third-party host that no signature knows is not GA
    assert clf.request("https://example.org/g/collect?v=2&tid=G-ABC").vendor is None


def test_unknown_third_party_without_filter_list(clf):
    a = clf.request("https://static.o3d-widgets.net/widget.js", "script")
    assert (a.vendor, a.category, a.party, a.source, a.tracking) == (None, None, "third", None, False)


def test_non_network_urls_are_first_party(clf):
    assert clf.request("data:image/png;base64,AAAA").party == "first"
    assert clf.request("blob:https://online-3d-printen.nl/uuid").party == "first"


# -- parties ------------------------------------------------------------------------------------------

def test_registrable_domain_offline():
    assert registrable_domain("region1.google-analytics.com") == "google-analytics.com"
    assert registrable_domain("a.b.online-3d-drucken.at") == "online-3d-drucken.at"
    assert registrable_domain("static.o3d-widgets.net") == "o3d-widgets.net"
    assert registrable_domain("www.example.co.uk") == "example.co.uk"
    assert registrable_domain("127.0.0.1") == "127.0.0.1"


def test_all_shop_domains_are_first_party_to_each_other():
    p = Parties(SHOPS)
    assert p.party("online-3d-printen.be") == "first"
    assert p.party("cdn.online-3d-winkel.nl") == "first"
    assert p.party(".online-3d-drucken.de") == "first"
    assert p.party("online-3d.nl") == "third"
    assert p.party("static.hotjar.com") == "third"


# -- cookies ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,domain,vendor,category", [
    ("_ga", ".online-3d-printen.nl", "google-analytics", "performance"),
    ("_ga_PRINTEN01", ".online-3d-printen.nl", "google-analytics", "performance"),
    ("_gid", ".online-3d-printen.nl", "google-analytics", "performance"),
    ("_gat_gtag_UA_1_1", ".online-3d-printen.nl", "google-analytics", "performance"),
    ("_gcl_au", ".online-3d-printen.nl", "google-ads", "targeting"),
    ("IDE", ".doubleclick.net", "google-ads", "targeting"),
    ("NID", ".google.com", "google-ads", "targeting"),
    ("_clck", ".online-3d-printen.nl", "microsoft-clarity", "performance"),
    ("MUID", ".clarity.ms", "microsoft-clarity", "performance"),
    ("MUID", ".bing.com", "bing-uet", "targeting"),
    ("sib_cuid", ".online-3d-drucken.at", "brevo", "targeting"),
    ("_hjSessionUser_3712345", ".online-3d-winkel.nl", "hotjar", "performance"),
    ("_hjSession_3712345", ".online-3d-winkel.nl", "hotjar", "performance"),
    ("_hjIncludedInSessionSample_3712345", ".online-3d-winkel.nl", "hotjar", "performance"),
    ("_fbp", ".online-3d-winkel.nl", "meta-pixel", "targeting"),
    ("_ttp", ".online-3d-winkel.nl", "tiktok", "targeting"),
    ("_uetvid", ".online-3d-winkel.nl", "bing-uet", "targeting"),
    ("YSC", ".youtube.com", "youtube", "targeting"),
    ("__stripe_mid", "online-3d-printen.nl", "stripe", "necessary"),
    ("__cf_bm", ".online-3d-printen.nl", "cloudflare", "necessary"),
    ("_pk_id.1.abcd", "online-3d-printen.nl", "matomo", "performance"),
])
def test_cookie_signatures(clf, name, domain, vendor, category):
    a = clf.cookie(name, domain)
    assert (a.vendor, a.category, a.source, a.confidence) == (vendor, category, "curated", "high")


@pytest.mark.parametrize("name", ["cc_cookie", "klaro", "orejime", "tarteaucitron", "OptanonConsent", "CookieConsent",
                                  "cookieyes-consent", "cmplz_marketing", "didomi_token", "euconsent-v2"])
def test_consent_manager_records_are_necessary(clf, name):
    a = clf.cookie(name, "online-3d-printen.nl")
    assert a.category == "necessary" and not a.tracking
    assert a.vendor is not None


def test_shop_consent_cookie_and_session_are_necessary(clf):
    o3d = clf.cookie("o3d_consent", "online-3d-printen.be")
    assert (o3d.category, o3d.tracking, o3d.source) == ("necessary", False, "heuristic")
    php = clf.cookie("PHPSESSID", "online-3d-printen.nl")
    assert (php.category, php.tracking, php.source) == ("necessary", False, "curated")


def test_affiliate_cookie_is_a_low_confidence_tracking_signal(clf):
    a = clf.cookie("o3d_affiliate", "online-3d-drucken.at")
    assert (a.category, a.tracking, a.confidence, a.source) == ("targeting", True, "low", "heuristic")


def test_cookie_set_by_a_vendor_script_is_that_vendors(clf):
    a = clf.cookie("xyz_custom", ".online-3d-drucken.at", set_by="https://sibautomation.com/sa.js?key=k")
    assert (a.vendor, a.confidence, a.set_by_vendor) == ("brevo", "medium", "brevo")
    assert a.signature == "set-by:sibautomation.com"
    # a name signature wins over the tag that wrote the cookie, and the setter is recorded
    g = clf.cookie("_ga", ".online-3d-printen.nl", set_by="https://www.googletagmanager.com/gtm.js?id=GTM-1")
    assert (g.vendor, g.set_by_vendor) == ("google-analytics", "google-tag-manager")
    # the shop's own response is no vendor
    s = clf.cookie("xyz_custom", "online-3d-drucken.at", set_by="https://online-3d-drucken.at/")
    assert s.vendor is None


def test_third_party_cookie_domain_attributes_the_vendor(clf):
    a = clf.cookie("some_new_id", ".hotjar.com")
    assert (a.vendor, a.party, a.confidence) == ("hotjar", "third", "medium")


def test_ocd_exact_and_wildcard_rows(clf):
    # exact row, platform not mapped to a curated vendor
    a = clf.cookie("__hssc", ".online-3d-printen.nl")
    assert a.source == "ocd" and a.platform == "Hubspot" and a.vendor is None
    assert a.category == "targeting" and a.tracking      # OCD: Marketing
    # wildcard (prefix) row
    w = clf.cookie("AMCV_1234%40AdobeOrg", ".online-3d-printen.nl")
    assert w.source == "ocd" and w.signature.startswith("ocd:AMCV_*") and w.category == "targeting"
    # OCD platform mapped to a curated vendor
    yt = clf.cookie("LOGIN_INFO", ".youtube.com")
    assert yt.vendor == "youtube"


def test_ocd_short_wildcards_are_not_used(clf):
    # OCD has wildcard rows "_s" (Marfeel) and "SR" (Adform): too short to match safely
    assert clf.cookie("_session_id", "online-3d-printen.nl").platform is None
    assert clf.cookie("SRCHD", "online-3d-printen.nl").platform is None


def test_unknown_first_party_cookie(clf):
    a = clf.cookie("o3d_theme", "online-3d-printen.nl")
    assert (a.vendor, a.category, a.source, a.tracking) == (None, None, None, False)


# -- storage ------------------------------------------------------------------------------------------

def test_storage_classification(clf):
    hj = clf.storage("https://online-3d-winkel.nl", "hjViewportId", "session")
    assert (hj.vendor, hj.category) == ("hotjar", "performance")
    uc = clf.storage("https://online-3d-winkel.nl", "uc_settings", "local")
    assert (uc.vendor, uc.category) == ("usercentrics", "necessary")
    yt = clf.storage("https://www.youtube-nocookie.com", "yt-remote-device-id", "local")
    assert yt.vendor == "youtube"
    frame = clf.storage("https://c.clarity.ms", "whatever", "local")
    assert (frame.vendor, frame.party, frame.confidence) == ("microsoft-clarity", "third", "medium")
    uet = clf.storage("https://online-3d-winkel.nl", "_uetvid_exp", "local")
    assert uet.vendor == "bing-uet"
    unknown = clf.storage("https://online-3d-winkel.nl", "o3d_recently_viewed", "local")
    assert unknown.source is None


# -- OCD loader ----------------------------------------------------------------------------------------

def test_ocd_category_mapping_and_retention(tmp_path):
    csv_text = (
        "ID,Platform,Category,Cookie / Data Key name,Domain,Description,Retention period,Data Controller,"
        "User Privacy & GDPR Rights Portals,Wildcard match\n"
        "1,P1,Functional,f1,,d,1 year,C,,0\n"
        "2,P2,Analytics,a_pref_,,d,13 months,C,,1\n"
        "3,P3,Marketing,mkt1,ads.example (3rd party),d,session,C,,0\n"
        "7,P7,Marketing,m1,ads.example,d,session,C,,0\n"
        "4,P4,Security,s1,,d,30 minutes,C,,0\n"
        "5,P5,Personalization,p1,,d,2 weeks,C,,0\n"
        "6,P6,Necessary,n*,,d,forever,C,,0\n"
    )
    p = tmp_path / "ocd.csv"
    p.write_text(csv_text, encoding="utf-8")
    db = OpenCookieDatabase.load(p)
    assert len(db) == 7
    cats = {r.name: r.category for r in db.rows}
    assert cats == {"f1": "functional", "a_pref_": "performance", "mkt1": "targeting", "s1": "necessary",
                    "p1": "functional", "n": "necessary", "m1": "targeting"}
    assert db.lookup("a_pref_xyz")[0].id == "2"
    assert db.lookup("mkt1", "ads.example")[1] == "medium"
    assert db.lookup("mkt1", "other.example")[1] == "low"
    assert db.lookup("m1", "other.example") is None   # short generic names need their domain
    assert db.rows[2].domain == "ads.example"
    assert db.lookup("nothing") is None


@pytest.mark.parametrize("text,days", [
    ("2 years", 730.5), ("13 months", 395.72), ("1 Year", 365.25), ("24 hours", 1.0), ("30 minutes", 30 / 1440),
    ("session", None), ("Session", None), ("", None), ("Unknown", None), ("90 Days", 90.0),
])
def test_parse_retention(text, days):
    got = parse_retention(text)
    assert got == pytest.approx(days) if days is not None else got is None


def test_bundled_ocd_is_the_recorded_version():
    kb = load_kb(data_dir=False, filterlist=False)
    v = kb.versions()["open-cookie-database"]
    assert v["commit"].startswith("0ee5a17") and v["rows"] == 2264 and v["license"] == "Apache-2.0"
    assert v["sha256"] == kb.ocd.sha256


# -- filter list ----------------------------------------------------------------------------------------

TINY_LIST = """! Title: tiny test list
! Version: 1.2.3
! TimeUpdated: 2026-01-01T00:00:00+00:00
||tracker.example^$third-party
||cdn.example/pixel.gif
@@||tracker.example/allowed.js
"""


def test_filter_list_engine_matches_and_honours_exceptions():
    fl = FilterList(TINY_LIST)
    assert fl.meta["version"] == "1.2.3" and fl.meta["rules"] == 3
    assert fl.check("https://a.tracker.example/x.js", "https://online-3d-printen.nl/", "script") == \
        "||tracker.example^$third-party"
    assert fl.check("https://tracker.example/allowed.js", "https://online-3d-printen.nl/", "script") is None
    assert fl.check("https://cdn.example/pixel.gif?x=1", "https://online-3d-printen.nl/", "image")
    assert fl.check("https://cdn.example/app.js", "https://online-3d-printen.nl/", "script") is None


def test_unknown_third_party_is_flagged_by_the_filter_list(tmp_path):
    p = tmp_path / "list.txt"
    p.write_text(TINY_LIST + "||o3d-widgets.net/b.gif\n", encoding="utf-8")
    kb = load_kb(data_dir=False, filterlist=p)
    c = kb.classifier(SHOPS)
    a = c.request("https://static.o3d-widgets.net/b.gif?id=1", "image", "https://online-3d-winkel.nl/")
    assert (a.vendor, a.source, a.tracking, a.confidence) == (None, "filterlist", True, "medium")
    assert a.signature == "filter:||o3d-widgets.net/b.gif"
    # curated signatures win over the list; first-party requests are never checked
    assert c.request("https://static.hotjar.com/c/hotjar-1.js").source == "curated"
    assert c.request("https://online-3d-winkel.nl/b.gif").source is None
    assert kb.versions()["filterlist"]["status"] == "present"
    assert kb.versions()["filterlist"]["version"] == "1.2.3"
    assert not kb.notes()


def test_missing_filter_list_degrades_with_a_note(tmp_path):
    kb = load_kb(data_dir=False, filterlist=False)
    assert kb.filterlist is None
    assert kb.versions()["filterlist"]["status"] == "disabled"
    kb2 = load_kb(data_dir=tmp_path)   # an empty kb dir: bundled OCD, no list there
    if kb2.filterlist is None:
        assert kb2.versions()["filterlist"]["status"] == "absent"
        assert any("filter list" in n for n in kb2.notes())


def test_installed_filter_list_if_present():
    """When `make setup` installed the AdGuard list, it flags the common trackers (skipped otherwise)."""
    kb = load_kb()
    fl = kb.filterlist
    if fl is None:
        pytest.skip("no filter list installed on this machine")
    assert fl.meta.get("version")
    for url in ("https://www.googletagmanager.com/gtm.js?id=GTM-X", "https://region1.google-analytics.com/g/collect",
                "https://static.hotjar.com/c/hotjar-1.js", "https://connect.facebook.net/en_US/fbevents.js"):
        assert fl.check(url, "https://online-3d-printen.nl/", "script"), url
    assert fl.check("https://online-3d-printen.nl/assets/app.js", "https://online-3d-printen.nl/", "script") is None


def test_parse_header():
    h = parse_header("! Title: X\n! Version: 2.1\n!\n||a^\n! Version: ignored\n")
    assert h == {"Title": "X", "Version": "2.1"}
