"""Google Analytics hit parsing and Consent Mode (gcs/gcd/npa) decoding (research notes (legal) §9)."""

from __future__ import annotations

import pytest

from cookieaudit.kb.google import (
    consent_signals,
    decode_gcd,
    decode_gcd_letter,
    decode_gcs,
    ga_hits,
    hit_params,
    request_consent,
)


@pytest.mark.parametrize("gcs,ad,analytics", [
    ("G100", "denied", "denied"),
    ("G101", "denied", "granted"),
    ("G110", "granted", "denied"),
    ("G111", "granted", "granted"),
])
def test_decode_gcs(gcs, ad, analytics):
    assert decode_gcs(gcs) == {"ad_storage": ad, "analytics_storage": analytics}


def test_decode_gcs_rejects_garbage():
    assert decode_gcs(None) == {}
    assert decode_gcs("X1") == {}
    assert decode_gcs("G1--") == {}


@pytest.mark.parametrize("letter,default,update", [
    ("l", "not set", "not set"),
    ("p", "denied", "not set"),
    ("q", "denied", "denied"),
    ("t", "granted", "not set"),
    ("r", "denied", "granted"),
    ("m", "not set", "denied"),
    ("n", "not set", "granted"),
    ("u", "granted", "denied"),
    ("v", "granted", "granted"),
])
def test_gcd_letters(letter, default, update):
    assert decode_gcd_letter(letter) == (default, update)


def test_decode_gcd_positions():
    d = decode_gcd("13r3v3q3t5l1")
    assert d["ad_storage"]["effective"] == "granted" and d["ad_storage"]["default"] == "denied"
    assert d["analytics_storage"]["effective"] == "granted" and d["analytics_storage"]["default"] == "granted"
    assert d["ad_user_data"]["effective"] == "denied"
    assert d["ad_personalization"] == {"letter": "t", "default": "granted", "update": "not set", "effective": "granted"}
    assert decode_gcd("13") == {}


def test_consent_signals_combine_gcs_gcd_npa():
    s = consent_signals({"gcs": "G100", "gcd": "13q3q3q3q5l1", "npa": "1", "dma": "1"})
    assert s.cookieless and s.present and not s.granted()
    granted = consent_signals({"gcs": "G111", "gcd": "13v3v3v3v5l1"})
    assert granted.granted() == {"ad_storage", "analytics_storage", "ad_user_data", "ad_personalization"}
    assert granted.default_granted() == granted.granted()
    # gcs is the state at the hit and wins over gcd for the two storage types
    mixed = consent_signals({"gcs": "G101", "gcd": "13v3v3q3q5l1"})
    assert mixed.states["ad_storage"] == "denied" and mixed.states["analytics_storage"] == "granted"
    assert consent_signals({"npa": "1"}).states == {"ad_personalization": "denied"}
    assert not consent_signals({}).present


def test_request_consent_reads_query_and_post_body():
    assert request_consent("https://region1.google-analytics.com/g/collect?v=2&gcs=G100").gcs == "G100"
    s = request_consent("https://region1.google-analytics.com/g/collect?v=2", "gcs=G111&en=page_view")
    assert s is not None and s.gcs == "G111"
    assert request_consent("https://region1.google-analytics.com/g/collect?v=2&tid=G-1") is None


def test_hit_params_batched_post_lines_merge_over_the_query():
    hits = hit_params("https://region1.google-analytics.com/g/collect?v=2&tid=G-1",
                      "en=page_view&_fv=1\r\nen=scroll&epn.percent_scrolled=90")
    assert [h["en"] for h in hits] == ["page_view", "scroll"]
    assert all(h["tid"] == "G-1" for h in hits)
    assert hit_params("https://x/collect?a=1", '{"json": true}') == [{"a": "1"}]


def test_ua_and_ga4_hits_and_aip():
    ua = ga_hits("https://www.google-analytics.com/collect?v=1&t=pageview&tid=UA-1-1&cid=1")
    assert len(ua) == 1 and ua[0].version == "ua" and not ua[0].aip
    ua_aip = ga_hits("https://www.google-analytics.com/r/collect?v=1&t=pageview&tid=UA-1-1&cid=1&aip=1")
    assert ua_aip[0].aip
    post = ga_hits("https://www.google-analytics.com/batch", "v=1&t=pageview&tid=UA-1-1&aip=1\nv=1&t=event&tid=UA-1-1")
    assert [h.aip for h in post] == [True, False]
    ga4 = ga_hits("https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC&cid=1&uid=user-42")
    assert ga4[0].version == "ga4" and ga4[0].tid == "G-ABC" and ga4[0].user_id
    # scripts are not hits, and other hosts are not GA unless first-party /g/collect with a G- id
    assert ga_hits("https://www.google-analytics.com/analytics.js") == []
    assert ga_hits("https://example.org/collect?v=1&tid=UA-1-1") == []
    assert ga_hits("https://online-3d-drucken.de/g/collect?v=2&tid=G-X", first_party=True)[0].version == "ga4"
    assert ga_hits("https://online-3d-drucken.de/collect?v=1&tid=UA-1", first_party=True) == []
