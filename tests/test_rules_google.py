"""Google-specific rules: ga-ip-not-anonymised, consent-signal-mismatch, consent-mode-cookieless-ping,
de-gtm-before-consent, de-google-fonts-before-consent."""

from __future__ import annotations

from test_rules_support import AT, BE, DE, NL_COMPLIANT, NL_WINKEL, exhibits, expectations, obs, observations, only, raw, request, run


# -- ga-ip-not-anonymised -------------------------------------------------------------------------------

def test_ua_hits_without_aip_after_accept_on_de():
    f = run(observations(DE), rules=["ga-ip-not-anonymised"])
    assert len(f) == 1
    x = f[0]
    assert (x.vendor, x.severity, x.choice, x.jurisdiction) == ("google-analytics", "high", "accept-all", "DE")
    assert x.subject["host"] == "www.google-analytics.com" and x.subject["path"] == "/collect"
    assert x.details["count"] == 2          # the GET hit and the POST hit on the same endpoint
    assert x.details["tracking_ids"] == ["UA-4455667-1"]
    assert x.evidence[0].pointer == "/requests/3"


def test_ua_post_body_without_aip_is_found():
    d = raw(DE, "accept-all")
    d["requests"] = [r for r in d["requests"] if r["id"] != "r4"]     # keep only the POST hit
    f = run([obs(d)], rules=["ga-ip-not-anonymised"])
    assert len(f) == 1 and f[0].details["method"] == "POST"


def test_ga_ip_negative_aip_present_and_ga4():
    d = raw(DE, "accept-all")
    for r in d["requests"]:
        if r["url"].startswith("https://www.google-analytics.com/collect"):
            r["url"] += ("&aip=1" if "?" in r["url"] else "?aip=1")
    assert run([obs(d)], rules=["ga-ip-not-anonymised"]) == []
    # GA4 anonymises by design: never flagged
    assert run(observations(NL_WINKEL) + observations(BE) + observations(NL_COMPLIANT),
               rules=["ga-ip-not-anonymised"]) == []


def test_ga_ip_severity_follows_the_policy_claim():
    exp = expectations()
    claims = exp.claims.model_copy(update={"ga_ip_anonymised": exp.claims.ga_ip_anonymised.model_copy(update={"value": False})})
    f = run(observations(DE), rules=["ga-ip-not-anonymised"], exp=exp.model_copy(update={"claims": claims}))
    assert f and f[0].severity == "medium"


# -- consent-signal-mismatch ----------------------------------------------------------------------------

def test_consent_mode_default_granted_before_consent_on_at():
    f = run(observations(AT), rules=["consent-signal-mismatch"])
    pre = only(f, "consent-signal-mismatch", choice="no-interaction")
    assert len(pre) == 1
    x = pre[0]
    assert x.severity == "high" and x.details["signals"]["gcs"] == "G111"
    assert x.details["granted_without_consent"] == ["ad_personalization", "ad_storage", "ad_user_data",
                                                    "analytics_storage"]
    assert x.details["default_granted"] == x.details["granted_without_consent"]   # gcd 'v': granted by default
    after_reject = only(f, "consent-signal-mismatch", choice="reject-all")
    assert len(after_reject) == 1 and after_reject[0].details["consent_verified"] is False


def test_consent_signal_only_ad_storage_matters_in_only_performance():
    d = raw(AT, "only-performance")
    d["requests"].append(request("r90", 1.8, "after-choice",
                                 "https://region1.google-analytics.com/g/collect?v=2&tid=G-DRUCKAT01&gcs=G111&en=x",
                                 method="POST", resource_type="ping"))
    f = run([obs(d)], rules=["consent-signal-mismatch"])
    assert len(f) == 1 and f[0].details["granted_without_consent"] == ["ad_storage"]


def test_consent_signal_negative():
    # G111 after accept-all and G101 after only-performance match the choice
    assert run(observations(NL_COMPLIANT), rules=["consent-signal-mismatch"]) == []
    # G100 after reject is consistent (it is a cookieless ping, another rule)
    assert run(observations(DE), rules=["consent-signal-mismatch"]) == []


def test_consent_signal_analytics_granted_is_fine_under_the_nl_exemption():
    d = raw(NL_WINKEL, "no-interaction")
    for r in d["requests"]:
        if "/g/collect" in r["url"]:
            r["url"] += "&gcs=G101"
    f = run([obs(d)], rules=["consent-signal-mismatch", "nl-analytics-exemption"])
    assert only(f, "nl-analytics-exemption") and not only(f, "consent-signal-mismatch")


# -- consent-mode-cookieless-ping -------------------------------------------------------------------------

def test_cookieless_pings_after_reject_on_de():
    f = run(observations(DE), rules=["consent-mode-cookieless-ping", "tracking-after-reject"])
    pings = only(f, "consent-mode-cookieless-ping")
    assert len(pings) == 1
    p = pings[0]
    assert (p.choice, p.severity, p.vendor) == ("reject-all", "medium", "google-analytics")
    assert p.details["contested"] is True and p.details["signals"]["gcs"] == "G100"
    assert p.details["count"] == 2 and "contested" in p.message
    # the pings are not double-reported as plain tracking
    assert not only(f, "tracking-after-reject")


def test_cookieless_ping_is_low_on_nl():
    d = raw(NL_COMPLIANT, "reject-all")
    d["requests"].append(request("r20", 1.0, "after-choice",
                                 "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/111222333/"
                                 "?random=1&gcs=G100&gcd=13q3q3q3q5l1&npa=1", resource_type="image"))
    f = run([obs(d)], rules=["consent-mode-cookieless-ping"])
    assert len(f) == 1 and f[0].severity == "low" and f[0].jurisdiction == "NL" and f[0].vendor == "google-ads"


def test_cookieless_ga_ping_on_nl_falls_under_the_exemption():
    d = raw(NL_COMPLIANT, "reject-all")
    d["requests"].append(request("r20", 1.0, "after-choice",
                                 "https://region1.google-analytics.com/g/collect?v=2&tid=G-PRINTEN01&gcs=G100",
                                 method="POST", resource_type="ping"))
    f = run([obs(d)], rules=["consent-mode-cookieless-ping", "nl-analytics-exemption"])
    assert [x.rule for x in f] == ["nl-analytics-exemption"]


def test_cookieless_ping_negative_after_accept():
    d = raw(NL_COMPLIANT, "accept-all")
    for r in d["requests"]:
        r["url"] = r["url"].replace("gcs=G111", "gcs=G100")
    assert run([obs(d)], rules=["consent-mode-cookieless-ping"]) == []


# -- de-gtm-before-consent ------------------------------------------------------------------------------

def test_gtm_before_consent_on_de_is_medium():
    f = run(observations(DE), rules=["de-gtm-before-consent"])
    gtm = only(f, "de-gtm-before-consent", vendor="google-tag-manager")
    assert len(gtm) == 1
    assert (gtm[0].severity, gtm[0].choice, gtm[0].details["count"]) == ("medium", "no-interaction", 3)
    assert gtm[0].details["tag_id"] == "GTM-DRUCKDE"
    # the Google tag loaded after reject (Consent Mode advanced) is reported too
    after = only(f, "de-gtm-before-consent", choice="reject-all")
    assert len(after) == 1 and after[0].subject["path"] == "/gtag/js"


def test_gtm_before_consent_elsewhere_is_info():
    f = run(observations(AT) + observations(BE), rules=["de-gtm-before-consent"])
    assert f and all(x.severity == "info" for x in f)


def test_gtm_after_consent_negative():
    assert run(observations(NL_COMPLIANT), rules=["de-gtm-before-consent"]) == []
    # on the NL exemption shop the GA loader is part of the exempt setup
    assert run(observations(NL_WINKEL), rules=["de-gtm-before-consent"]) == []


# -- de-google-fonts-before-consent -----------------------------------------------------------------------

def test_google_fonts_before_consent_on_de():
    f = exhibits(run(observations(DE), rules=["de-google-fonts-before-consent"]))
    assert {x.subject["host"] for x in f} == {"fonts.googleapis.com", "fonts.gstatic.com"}
    assert all(x.severity == "medium" and x.choice == "no-interaction" for x in f)
    css = next(x for x in f if x.subject["host"] == "fonts.googleapis.com")
    assert css.subject["path"] == "/css2" and css.details["count"] == 2


def test_google_fonts_negative_after_accept_and_info_elsewhere():
    d = raw(DE, "accept-all")
    d["requests"].append(request("r30", 0.7, "after-choice", "https://fonts.googleapis.com/css2?family=Inter",
                                 resource_type="stylesheet"))
    assert run([obs(d)], rules=["de-google-fonts-before-consent"]) == []
    nl = raw(NL_COMPLIANT, "no-interaction")
    nl["requests"].append(request("r30", -4.0, "before-consent", "https://fonts.gstatic.com/s/inter/v13/x.woff2",
                                  resource_type="font"))
    f = run([obs(nl)], rules=["de-google-fonts-before-consent"])
    assert len(f) == 1 and f[0].severity == "info" and f[0].subject["path"] == "/s"
