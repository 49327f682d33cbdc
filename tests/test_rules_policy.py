"""Policy rules: undeclared-tracker, unknown-third-party, undeclared-cookie, declared-not-observed,
cookie-lifetime, non-eea-recipient."""

from __future__ import annotations

from test_rules_support import AT, BE, DE, NL_COMPLIANT, NL_WINKEL, exhibits, expectations, obs, observations, only, raw, request, run


# -- undeclared-tracker ---------------------------------------------------------------------------------

def test_meta_pixel_is_an_undeclared_tracker():
    f = run(observations(NL_WINKEL), rules=["undeclared-tracker"])
    assert len(f) == 1
    x = f[0]
    assert (x.vendor, x.severity, x.choice, x.category) == ("meta-pixel", "high", "accept-all", "targeting")
    assert x.subject["host"] == "connect.facebook.net"
    assert x.details["hosts"] == ["connect.facebook.net", "www.facebook.com"]
    assert x.details["cookies"] == ["_fbp"]
    assert x.details["organisation_declared"] is False
    assert "Meta Pixel" in x.message and "privacyverklaring" in x.message_nl


def test_undeclared_service_of_a_declared_organisation():
    d = raw(NL_COMPLIANT, "accept-all")
    d["requests"].append(request("r40", 2.0, "after-choice", "https://www.youtube.com/embed/dQw4w9WgXcQ",
                                 resource_type="document"))
    f = run([obs(d)], rules=["undeclared-tracker"])
    assert len(f) == 1 and f[0].vendor == "youtube" and f[0].details["organisation_declared"] is True


def test_undeclared_tracker_negative():
    # declared vendors only; infrastructure (jsDelivr) and consent managers are not trackers
    assert run(observations(NL_COMPLIANT) + observations(AT) + observations(DE), rules=["undeclared-tracker"]) == []
    d = raw(NL_COMPLIANT, "accept-all")
    d["requests"].append(request("r41", 2.0, "after-choice", "https://js.stripe.com/v3/"))
    assert run([obs(d)], rules=["undeclared-tracker"]) == []


# -- unknown-third-party ---------------------------------------------------------------------------------

def test_unknown_third_party_widget():
    f = run(observations(NL_WINKEL), rules=["unknown-third-party"])
    assert len(f) == 1
    x = f[0]
    assert x.subject["host"] == "static.o3d-widgets.net" and x.vendor is None and x.severity == "low"
    assert x.details["paths"] == ["/b.gif", "/widget.js"] and x.details["before_consent"] is True
    assert x.details["filter_list_match"] is None


def test_unknown_third_party_is_medium_when_it_sets_a_cookie():
    d = raw(NL_WINKEL, "no-interaction")
    d["cookies"].append({"phase": "before-consent", "name": "wid", "value": "1", "domain": ".o3d-widgets.net",
                         "path": "/", "expires": None, "http_only": False, "secure": True, "same_site": "None",
                         "partition_key": None, "size": 4})
    f = run([obs(d)], rules=["unknown-third-party"])
    assert f[0].severity == "medium" and f[0].details["sets_cookies"] is True


def test_unknown_third_party_negative():
    assert run(observations(NL_COMPLIANT) + observations(BE), rules=["unknown-third-party"]) == []


# -- undeclared-cookie -----------------------------------------------------------------------------------

def test_undeclared_cookies():
    f = run(observations(NL_WINKEL) + observations(AT), rules=["undeclared-cookie"])
    names = {x.subject["name"]: x for x in f}
    assert set(names) == {"_fbp", "o3d_affiliate"}
    assert names["_fbp"].severity == "low" and names["_fbp"].vendor == "meta-pixel"
    assert names["o3d_affiliate"].severity == "low" and names["o3d_affiliate"].vendor is None


def test_unknown_purpose_cookie_is_info():
    d = raw(NL_COMPLIANT, "no-interaction")
    d["cookies"].append({"phase": "before-consent", "name": "o3d_theme", "value": "dark",
                         "domain": "online-3d-printen.nl", "path": "/", "expires": None, "http_only": False,
                         "secure": False, "same_site": "Lax", "partition_key": None, "size": 13})
    f = run([obs(d)], rules=["undeclared-cookie"])
    assert len(f) == 1 and f[0].severity == "info" and "purpose is unknown" in f[0].message


def test_undeclared_cookie_negative():
    # _ga/_ga_*/IDE belong to declared vendors; PHPSESSID, cc_cookie, klaro, o3d_consent are necessary
    assert run(observations(NL_COMPLIANT) + observations(BE), rules=["undeclared-cookie"]) == []


# -- declared-not-observed -------------------------------------------------------------------------------

def test_declared_not_observed_is_info():
    f = run(observations(NL_COMPLIANT), rules=["declared-not-observed"])
    assert {x.vendor for x in f} == {"google-tag-manager", "microsoft-clarity", "brevo", "hotjar"}
    assert all(x.severity == "info" and x.choice == "accept-all" and x.subject == {"kind": "visit", "name": "accept-all"}
               for x in f)


def test_declared_not_observed_negative():
    # observed vendors are not listed, and without an accept-all run nothing is concluded
    f = run(observations(NL_COMPLIANT), rules=["declared-not-observed"])
    assert not {"google-analytics", "google-ads"} & {x.vendor for x in f}
    assert run(observations(BE), rules=["declared-not-observed"]) == []


# -- cookie-lifetime --------------------------------------------------------------------------------------

def test_affiliate_cookie_max_age_five_years():
    f = run(observations(AT), rules=["cookie-lifetime"])
    aff = only(f, "cookie-lifetime", subject_name="o3d_affiliate")
    assert len(aff) == 1
    x = aff[0]
    assert x.severity == "medium"
    assert x.details["exceeds"] == ["declared-retention", "13-months", "browser-cap"]
    assert x.details["requested_lifetime_days"] == 1825.0      # from the raw Set-Cookie Max-Age
    assert x.details["stored_lifetime_days"] == 400.0          # Chromium capped the stored expiry
    assert "400-day browser cap" in x.message


def test_ga_two_year_cookie_is_flagged():
    f = run(observations(DE), rules=["cookie-lifetime"])
    ga = only(f, "cookie-lifetime", subject_name="_ga")
    assert len(ga) == 1 and ga[0].details["requested_lifetime_days"] == 730.0 and ga[0].severity == "medium"


def test_cookie_lifetime_negative_compliant_shop():
    # _ga at 365 days equals the declared retention; IDE (third party) at 13 months; cc_cookie is necessary
    assert run(observations(NL_COMPLIANT), rules=["cookie-lifetime"]) == []


def test_cookie_lifetime_only_declared_retention_is_low():
    d = raw(NL_COMPLIANT, "accept-all")
    for w in d["cookie_writes"]:
        w["cookie"] = w["cookie"].replace("expires=Fri, 26 Nov 2027 10:00:05 GMT", "max-age=33696000")
    for c in d["cookies"]:
        if c["name"].startswith("_ga"):
            c["expires"] = 1795687220 + 33696000
    f = exhibits(run([obs(d)], rules=["cookie-lifetime"]))
    assert {x.subject["name"] for x in f} == {"_ga", "_ga_PRINTEN01"}
    assert all(x.severity == "low" and x.details["exceeds"] == ["declared-retention"] for x in f)


# -- non-eea-recipient ----------------------------------------------------------------------------------

def test_non_eea_recipient_is_info_per_vendor():
    f = run(observations(NL_WINKEL), rules=["non-eea-recipient"])
    assert {x.vendor for x in f} == {"google-analytics", "meta-pixel"}      # Hotjar is in Malta (EEA)
    assert all(x.severity == "info" for x in f)
    meta = next(x for x in f if x.vendor == "meta-pixel")
    assert meta.details["country"] == "US" and meta.details["remote_addresses"] == ["157.240.201.35:443"]


def test_non_eea_recipient_negative():
    exp = expectations()
    claims = exp.claims.model_copy(update={"storage_in_eea": exp.claims.storage_in_eea.model_copy(update={"value": False})})
    assert run(observations(NL_WINKEL), rules=["non-eea-recipient"], exp=exp.model_copy(update={"claims": claims})) == []
    # EEA vendors only (Brevo in France) -> nothing
    d = raw(AT, "only-performance")
    d["requests"] = [r for r in d["requests"] if "brevo" in r["url"] or "sibautomation" in r["url"]]
    assert run([obs(d)], rules=["non-eea-recipient"]) == []
