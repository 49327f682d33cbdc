"""Consent rules: pre-consent-tracking, nl-analytics-exemption, tracking-after-reject, category-violation,
consent-not-verified. Each has a positive and a negative case on the stored fixtures."""

from __future__ import annotations

from test_rules_support import (AT, BE, NL_COMPLIANT, NL_WINKEL, exhibits, expectations, max_severity, obs, observations,
                                only, raw, request, run)


# -- pre-consent-tracking -------------------------------------------------------------------------------

def test_pre_consent_hotjar_on_nl_is_a_violation():
    grouped = run(observations(NL_WINKEL), rules=["pre-consent-tracking"])
    # one finding for Hotjar before consent, its requests, cookies and storage item as exhibits
    assert len(only(grouped, "pre-consent-tracking", vendor="hotjar")) == 1
    f = exhibits(grouped)
    hj = only(f, "pre-consent-tracking", vendor="hotjar")
    hosts = {x.subject.get("host") for x in hj if x.subject["kind"] == "request"}
    assert {"static.hotjar.com", "script.hotjar.com", "content.hotjar.io", "ws.hotjar.com"} <= hosts
    assert {x.subject["name"] for x in hj if x.subject["kind"] == "cookie"} == {"_hjSessionUser_3712345",
                                                                                  "_hjSession_3712345"}
    assert any(x.subject["kind"] == "storage" and x.subject["key"] == "hjViewportId" for x in hj)
    assert all(x.severity == "high" and x.jurisdiction == "NL" for x in hj)
    loader = next(x for x in hj if x.subject.get("host") == "static.hotjar.com")
    # seen before consent in three runs: one finding, filed under no-interaction, with the count
    assert loader.choice == "no-interaction" and loader.details["count"] == 3
    assert loader.details["choices"] == ["no-interaction", "reject-all", "accept-all"]
    assert loader.t == -4.2 and loader.phase == "before-consent"
    assert loader.evidence[0].observation == f"observations/{NL_WINKEL}/no-interaction.json"
    assert loader.evidence[0].pointer == "/requests/3"
    assert loader.message.startswith("Hotjar: a request to static.hotjar.com/c/hotjar-3712345.js was sent")
    assert loader.message_nl.startswith("Hotjar: op online-3d-winkel.nl werd een verzoek")


def test_pre_consent_ga4_on_be_is_a_violation_without_exemption():
    f = exhibits(run(observations(BE), rules=["pre-consent-tracking", "nl-analytics-exemption"]))
    ga = only(f, "pre-consent-tracking", vendor="google-analytics")
    assert {x.subject["kind"] for x in ga} == {"request", "cookie"}
    assert all(x.severity == "high" and x.jurisdiction == "BE" for x in ga)
    hit = next(x for x in ga if x.subject["kind"] == "request")
    assert hit.subject["host"] == "region1.google-analytics.com" and hit.subject["path"] == "/g/collect"
    assert not only(f, "nl-analytics-exemption")


def test_pre_consent_negative_compliant_shop_and_necessary_items():
    f = run(observations(NL_COMPLIANT), rules=["pre-consent-tracking"])
    assert f == []   # PHPSESSID, the CMP script from jsDelivr and the site's own files are not tracking


def test_pre_consent_ignores_the_tag_loader_and_cookieless_pings():
    f = run(observations(), rules=["pre-consent-tracking"])
    assert not [x for x in f if x.subject.get("host") == "www.googletagmanager.com"]


def test_pre_consent_first_party_affiliate_cookie_is_medium():
    f = run(observations(AT), rules=["pre-consent-tracking"])
    aff = only(f, "pre-consent-tracking", subject_name="o3d_affiliate")
    assert len(aff) == 1 and aff[0].severity == "medium" and aff[0].vendor is None
    assert aff[0].details["attribution"]["source"] == "heuristic"


# -- nl-analytics-exemption -----------------------------------------------------------------------------

def test_nl_exemption_for_privacy_friendly_ga4():
    f = run(observations(NL_WINKEL), rules=["pre-consent-tracking", "nl-analytics-exemption",
                                            "tracking-after-reject"])
    ex = only(f, "nl-analytics-exemption")
    assert len(ex) == 1
    e = ex[0]
    assert e.severity == "info" and e.vendor == "google-analytics" and e.jurisdiction == "NL"
    assert e.subject["host"] == "region1.google-analytics.com"
    assert e.details["measurement_ids"] == ["G-WINKEL01"]
    status = {c["id"]: c["status"] for c in e.details["conditions"]}
    assert status == {"declared": "met", "ip-anonymised": "met", "no-advertising-features": "met",
                      "no-user-id": "met", "processor-agreement": "not verifiable", "data-sharing-off": "not verifiable"}
    # the exempt GA traffic (before consent and after reject) is not reported as a violation
    assert not [x for x in f if x.vendor == "google-analytics" and x.rule != "nl-analytics-exemption"]


def _winkel_with_extra_request(url: str, **kw):
    d = raw(NL_WINKEL, "no-interaction")
    d["requests"].append(request("r99", -2.0, "before-consent", url, **kw))
    return [obs(d)] + observations(NL_WINKEL, choices=["reject-all", "accept-all"])


def test_nl_exemption_lost_with_ua_hit_without_aip():
    o = _winkel_with_extra_request("https://www.google-analytics.com/collect?v=1&t=pageview&tid=UA-777-1&cid=1.2",
                                   resource_type="image")
    f = run(o, rules=["pre-consent-tracking", "nl-analytics-exemption"])
    assert not only(f, "nl-analytics-exemption")
    ga = only(f, "pre-consent-tracking", vendor="google-analytics")
    assert ga and all(x.details["nl_exemption"]["failed"] == ["ip-anonymised"] for x in ga)


def test_nl_exemption_lost_with_google_signals_or_user_id():
    signals = _winkel_with_extra_request("https://analytics.google.com/g/collect?v=2&tid=G-WINKEL01&cid=1",
                                         method="POST", resource_type="ping")
    f = run(signals, rules=["pre-consent-tracking", "nl-analytics-exemption"])
    assert not only(f, "nl-analytics-exemption")
    assert {"no-advertising-features"} <= set(only(f, "pre-consent-tracking", vendor="google-analytics")[0]
                                              .details["nl_exemption"]["failed"])
    uid = _winkel_with_extra_request("https://region1.google-analytics.com/g/collect?v=2&tid=G-WINKEL01&uid=customer-42",
                                     method="POST", resource_type="ping")
    f2 = run(uid, rules=["nl-analytics-exemption"])
    assert not only(f2, "nl-analytics-exemption")


def test_nl_exemption_never_covers_session_recording():
    f = run(observations(NL_WINKEL), rules=["pre-consent-tracking", "nl-analytics-exemption"])
    assert only(f, "pre-consent-tracking", vendor="hotjar")
    assert all(x.vendor == "google-analytics" for x in only(f, "nl-analytics-exemption"))


# -- tracking-after-reject / tracking-after-withdraw ------------------------------------------------------------------------------

def test_tracking_after_reject_google_ads_pixel_on_be():
    f = run(observations(BE, choices=["no-interaction", "reject-all"]), rules=["tracking-after-reject"])
    assert len(f) == 1
    x = f[0]
    assert (x.vendor, x.severity, x.choice, x.phase) == ("google-ads", "high", "reject-all", "after-choice")
    assert x.subject["path"] == "/pagead/viewthroughconversion/987654321/"
    assert x.t == 1.4 and x.details["consent_verified"] is True
    assert x.evidence[0].pointer == "/requests/4"
    assert x.evidence[1].screenshot == "screenshots/online-3d-printen.be/reject-all/after-choice.png"


def test_tracking_after_reject_hotjar_keeps_running_but_leftovers_are_not_repeated():
    f = exhibits(run(observations(NL_WINKEL), rules=["tracking-after-reject"]))
    subjects = {(x.subject["kind"], x.subject.get("host") or x.subject.get("name")) for x in f}
    assert subjects == {("request", "ws.hotjar.com"), ("request", "content.hotjar.io"),
                        ("cookie", "_hjAbsoluteSessionInProgress")}
    # _hjSessionUser_ was set before consent: reported by pre-consent-tracking, not again here


def test_tracking_after_reject_negative():
    assert run(observations(NL_COMPLIANT, choices=["reject-all"]), rules=["tracking-after-reject"]) == []
    # the consent record and the shop's own consent endpoint after reject are necessary
    assert not [x for x in run(observations(BE), rules=["tracking-after-reject"]) if x.vendor != "google-ads"]


def test_withdraw_scenario():
    """withdraw = accept all, then withdraw: after-choice counts as accept-all, after-withdraw as nothing."""
    be = run(observations(BE, choices=["withdraw"]),
             rules=["tracking-after-reject", "tracking-after-withdraw", "consent-signal-mismatch"])
    assert {(x.rule, x.phase, x.severity) for x in be} == {("tracking-after-withdraw", "after-withdraw", "high"),
                                                          ("consent-signal-mismatch", "after-withdraw", "high")}
    assert all(x.t == 4.9 for x in be)      # the hit at 0.4 s, after accepting, is fine
    nl = run(observations(NL_COMPLIANT, choices=["withdraw"]))
    assert not only(nl, "tracking-after-reject")
    left = only(nl, "tracking-after-withdraw")
    assert len(left) == 1 and left[0].severity == "info" and left[0].subject["name"] == "_ga"
    assert left[0].details["not_deleted_on_withdrawal"] is True and "still stored" in left[0].message
    assert max_severity(nl) == "info"


def test_tracking_after_withdraw():
    d = raw(NL_COMPLIANT, "accept-all")
    d["requests"].append(request("r50", 9.0, "after-withdraw", "https://o.clarity.ms/collect",
                                 method="POST", resource_type="xhr"))
    f = run([obs(d)], rules=["tracking-after-reject", "tracking-after-withdraw"])
    assert [x.rule for x in f] == ["tracking-after-withdraw"]
    assert f[0].phase == "after-withdraw" and f[0].details["window"] == "after-withdraw"
    assert f[0].vendor == "microsoft-clarity" and "after consent was withdrawn" in f[0].message


# -- category-violation ---------------------------------------------------------------------------------

def test_category_violation_brevo_in_only_performance():
    grouped = run(observations(AT), rules=["category-violation"])
    assert len(grouped) == 1 and grouped[0].vendor == "brevo"
    f = exhibits(grouped)
    assert f and all(x.vendor == "brevo" and x.choice == "only-performance" and x.severity == "high" for x in f)
    subj = {x.subject.get("host") or x.subject.get("name") for x in f}
    assert subj == {"sibautomation.com", "in-automate.brevo.com", "sib_cuid"}
    assert f[0].details["vendor_categories"] == ["targeting"]
    assert f[0].details["accepted_categories"] == ["necessary", "performance"]


def test_category_violation_negative_accepted_category():
    assert run(observations(NL_COMPLIANT), rules=["category-violation"]) == []   # GA in only-performance


def test_category_violation_any_of_several_categories_is_allowed():
    exp = expectations()
    vendors = [v.model_copy(update={"categories": ["performance", "targeting"]}) if v.id == "brevo" else v
               for v in exp.vendors]
    exp2 = exp.model_copy(update={"vendors": vendors})
    assert run(observations(AT), rules=["category-violation"], exp=exp2) == []


# -- consent-not-verified ---------------------------------------------------------------------------------

def test_consent_not_verified_and_the_flag_on_that_runs_findings():
    f = run(observations(AT))
    cnv = only(f, "consent-not-verified")
    assert len(cnv) == 1
    c = cnv[0]
    assert (c.choice, c.severity, c.subject) == ("reject-all", "low", {"kind": "visit", "name": "reject-all"})
    assert c.evidence[0].pointer == "/consent" and c.details["outcome"] == "unverified"
    from_run = [x for x in f if x.choice == "reject-all" and x.rule != "consent-not-verified"]
    assert from_run and all(x.details["consent_verified"] is False for x in from_run)
    assert all("consent_note" in x.details for x in from_run)
    verified = only(f, "category-violation")
    assert verified and all(x.details["consent_verified"] is True for x in verified)


def test_consent_not_performed_is_medium():
    d = raw(NL_COMPLIANT, "reject-all")
    d["consent"].update({"outcome": "not-performed", "reason": "no reject control found on the first layer"})
    f = run([obs(d)], rules=["consent-not-verified"])
    assert len(f) == 1 and f[0].severity == "medium"


def test_consent_not_verified_negative():
    assert run(observations(NL_COMPLIANT), rules=["consent-not-verified"]) == []
