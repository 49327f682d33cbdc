"""The one mapping step from a consent manager's keys to policy categories (pure, no browser)."""

from __future__ import annotations

import pytest

from cookieaudit.category_names import categories_in_text
from cookieaudit.consent_map import Offer, VendorIndex, build_mapping
from cookieaudit.expectations import load_expectations
from cookieaudit.kb import load_kb

from conftest import EXPECTATIONS


@pytest.fixture(scope="module")
def vendors():
    return VendorIndex.build(load_kb(), load_expectations(EXPECTATIONS))


@pytest.mark.parametrize("text,expected", [
    # ids and labels in the four languages
    ("prestaties", {"performance"}), ("Analytische cookies", {"performance"}), ("Statistiken", {"performance"}),
    ("mesure-audience", {"performance"}), ("Cookies de mesure d'audience", {"performance"}),
    ("functioneel", {"functional"}), ("voorkeuren", {"functional"}), ("Präferenzen", {"functional"}),
    ("Cookies de fonctionnalité", {"functional"}), ("Komfort", {"functional"}),
    ("marketing", {"targeting"}), ("Werbung", {"targeting"}), ("publicite", {"targeting"}),
    ("Cookies publicitaires", {"targeting"}), ("Advertenties", {"targeting"}),
    ("Strikt noodzakelijk", {"necessary"}), ("Notwendige Cookies", {"necessary"}),
    ("Cookies strictement nécessaires", {"necessary"}),
    # a bundle names both; weak words only decide alone
    ("Analyse & Marketing", {"performance", "targeting"}), ("Personalisierte Werbung", {"targeting"}),
    ("Personalisatie", {"functional"}), ("Social Media", {"targeting"}),
    # nothing to go on
    ("cat_2", set()), ("group-b", set()), ("download", set()),
])
def test_category_words(text, expected):
    assert categories_in_text(text) == expected


def test_order_explicit_then_adapter_then_synonyms():
    explicit = {"cat_2": "functional", "marketing": "performance"}.get
    m = build_mapping(["cat_2", "marketing", "statistics", "purpose-8"], explicit=explicit,
                      adapter_map={"purpose-8": "performance", "statistics": "targeting"})
    assert m.keys["cat_2"].categories == ("functional",) and m.keys["cat_2"].source == "expectations"
    assert m.keys["marketing"].categories == ("performance",)          # the domain beats the synonyms
    assert m.keys["statistics"].source == "adapter" and m.categories("statistics") == {"targeting"}
    assert m.keys["purpose-8"].source == "adapter"


def test_labels_decide_when_ids_are_opaque():
    offer = Offer.from_js({"categories": [{"id": "c1", "label": "Noodzakelijk", "required": True},
                                          {"id": "c2", "label": "Statistieken"},
                                          {"id": "c3", "label": "Voorkeuren"},
                                          {"id": "c4", "label": "Marketing en advertenties"}]})
    m = build_mapping(["c2", "c3", "c4"], offer)
    assert {k: m.first(k) for k in ("c1", "c2", "c3", "c4")} == {
        "c1": "necessary", "c2": "performance", "c3": "functional", "c4": "targeting"}
    assert m.keys["c1"].source == "manager: required"
    assert m.keys["c2"].source == "synonym (label)"
    assert m.offered({"performance", "functional", "targeting"}) == {"performance", "functional", "targeting"}


def test_services_map_through_their_group_then_the_vendor(vendors):
    offer = Offer.from_js({"level": "service",
                           "categories": [{"id": "analytic"}, {"id": "other"}, {"id": "api"}],
                           "services": [{"id": "gtag", "label": "Google Analytics (GA4)", "groups": ["analytic"]},
                                        {"id": "sendinblue", "label": "Brevo", "groups": ["other"]},
                                        {"id": "googletagmanager", "label": "Google Tag Manager", "groups": ["api"]},
                                        {"id": "o3dprefs", "label": "Shop preferences", "groups": ["other"]}]})
    keys = ["gtag", "sendinblue", "googletagmanager", "o3dprefs"]
    m = build_mapping(keys, offer, vendors=vendors, service_keys=keys)
    assert m.keys["gtag"].source == "group analytic" and m.categories("gtag") == {"performance"}
    assert m.keys["sendinblue"].source == "vendor brevo" and m.categories("sendinblue") == {"targeting"}
    # the policy's own categories for a declared vendor: a tag manager may run under either
    assert m.categories("googletagmanager") == {"performance", "targeting"}
    assert m.categories("o3dprefs") == {"functional"}      # words in its label
    assert m.keys_for({"targeting"}, keys) == ["googletagmanager", "sendinblue"]


@pytest.mark.parametrize("key,vendor,cats", [
    ("google-analytics", "google-analytics", {"performance"}), ("googleAnalytics", "google-analytics", {"performance"}),
    ("hotjar", "hotjar", {"performance"}), ("ms-clarity", "microsoft-clarity", {"performance"}),
    ("brevo", "brevo", {"targeting"}), ("sendinblue", "brevo", {"targeting"}),
    ("google-ads", "google-ads", {"targeting"}), ("adwords", "google-ads", {"targeting"}),
    ("gtm", "google-tag-manager", {"performance", "targeting"}),
])
def test_per_service_purposes_named_after_vendors(vendors, key, vendor, cats):
    assert vendors.match(key) == vendor
    m = build_mapping([key], vendors=vendors)
    assert m.categories(key) == cats, m.keys[key]


def test_a_category_of_unreadable_name_takes_its_services(vendors):
    offer = Offer.from_js({"categories": [{"id": "grp1", "label": ""}],
                           "services": [{"id": "hotjar", "groups": ["grp1"]}, {"id": "clarity", "groups": ["grp1"]}]})
    m = build_mapping(["grp1"], offer, vendors=vendors)
    assert m.categories("grp1") == {"performance"} and m.keys["grp1"].source.startswith("services")


def test_unknown_stays_unmapped_and_all_or_nothing_is_its_own_key(vendors):
    m = build_mapping(["zz9", "*"], vendors=vendors)
    assert m.categories("zz9") == frozenset() and m.keys["zz9"].source == "unmapped"
    assert m.categories("*") == {"*"}
    assert m.offered({"performance"}) == set()


def test_a_single_key_for_everything_optional_is_all_or_nothing():
    # a hand-made accept/decline banner storing {"necessary": true, "optional": false}
    m = build_mapping(["necessary", "optional"])
    assert m.categories("optional") == {"*"} and m.all_keys(["necessary", "optional"]) == ["optional"]
    assert m.categories("necessary") == {"necessary"}
