"""The rule engine as a whole: catalogue, determinism, grouping, evidence pointers, the compliant shop, and the
cases the demo world plants."""

from __future__ import annotations

import json
import random

from cookieaudit.findings import Finding, severity_rank
from cookieaudit.rules import RULES, catalogue, evaluate, rule_ids
from cookieaudit.rules.catalogue_md import render_markdown

from test_rules_support import AT, BE, DE, NL_COMPLIANT, NL_WINKEL, OBS_DIR, TESTS, expectations, kb, max_severity, observations, only, run

REQUIRED_RULES = {
    "pre-consent-tracking", "nl-analytics-exemption", "tracking-after-reject", "tracking-after-withdraw", "category-violation",
    "undeclared-tracker", "unknown-third-party", "undeclared-cookie", "declared-not-observed", "ga-ip-not-anonymised",
    "consent-signal-mismatch", "consent-mode-cookieless-ping", "cookie-lifetime", "non-eea-recipient",
    "de-gtm-before-consent", "de-google-fonts-before-consent", "consent-not-verified",
}


def test_catalogue_is_complete_and_bilingual():
    cat = catalogue()
    assert REQUIRED_RULES <= set(cat)
    for rid, meta in cat.items():
        assert meta["id"] == rid
        assert set(meta["title"]) == {"en", "nl"} and all(meta["title"].values())
        assert set(meta["explanation"]) == {"en", "nl"} and all(len(v) > 80 for v in meta["explanation"].values())
        assert meta["severity"] in ("info", "low", "medium", "high", "critical")
        assert meta["jurisdictions"] and set(meta["jurisdictions"]) <= {"EU", "NL", "BE", "DE", "AT"}
        # named norms only: no ids of a catalogue a reader cannot look up (R01…R24)
        assert meta["legal_basis"] and not any(b.startswith("R") and b[1:3].isdigit() for b in meta["legal_basis"])
        assert any(w in " ".join(meta["legal_basis"]) for w in ("art.", "§", "Guidelines", "report", "C-673/17"))
    nl = catalogue(lang="nl")
    assert nl["pre-consent-tracking"]["title"] == "Tracking vóór toestemming"
    assert len(rule_ids()) == len(set(rule_ids())) == len(RULES)


def test_rules_are_pure_modules_with_metadata():
    for m in RULES:
        assert callable(m.check) and m.META.id and m.__doc__


def test_findings_are_deterministic_and_sorted():
    obs = observations()
    a = run(obs)
    shuffled = obs[:]
    random.Random(7).shuffle(shuffled)
    b = run(shuffled)
    assert [f.to_dict() for f in a] == [f.to_dict() for f in b]
    keys = [(f.domain, -severity_rank(f.severity)) for f in a]
    assert keys == sorted(keys)
    assert len({f.id for f in a}) == len(a)


def test_findings_round_trip_as_json():
    for f in run(observations()):
        d = json.loads(json.dumps(f.to_dict()))
        assert Finding.from_dict(d).id == f.id


def test_evidence_pointers_resolve_into_the_observation_files():
    for f in run(observations()):
        ev = f.evidence[0]
        assert ev.observation == f"observations/{f.domain}/{f.choice}.json"
        doc = json.loads((OBS_DIR / f.domain / f"{f.choice}.json").read_text(encoding="utf-8"))
        node = doc
        for part in ev.pointer.strip("/").split("/"):
            node = node[int(part)] if isinstance(node, list) else node[part]
        kind = f.subject["kind"]
        if kind == "request":
            assert node["url"][:600] == f.subject["url"]
        elif kind == "cookie":
            assert (node["name"], node["domain"]) == (f.subject["name"], f.subject["domain"])
        elif kind == "storage":
            assert node["key"] == f.subject["key"]


def test_subjects_have_the_documented_shape():
    shapes = {"request": {"kind", "url", "host", "path", "resource_type"}, "cookie": {"kind", "name", "domain"},
              "storage": {"kind", "storage", "key", "origin"}, "visit": {"kind", "name"}}
    for f in run(observations()):
        assert set(f.subject) == shapes[f.subject["kind"]], f.subject
        assert "count" in f.details


def test_compliant_shop_has_no_finding_above_info():
    f = run(observations(NL_COMPLIANT))
    assert f, "expected informational findings (declared-not-observed, non-eea-recipient)"
    assert max_severity(f) == "info"


def test_the_planted_cases_are_caught():
    f = run(observations())
    hit = {(x.domain, x.rule, x.vendor) for x in f}
    expected = {
        (NL_WINKEL, "pre-consent-tracking", "hotjar"),
        (NL_WINKEL, "nl-analytics-exemption", "google-analytics"),
        (NL_WINKEL, "undeclared-tracker", "meta-pixel"),
        (NL_WINKEL, "unknown-third-party", None),
        (BE, "pre-consent-tracking", "google-analytics"),
        (BE, "tracking-after-reject", "google-ads"),
        (AT, "category-violation", "brevo"),
        (AT, "consent-signal-mismatch", "google-analytics"),
        (AT, "cookie-lifetime", None),
        (DE, "de-gtm-before-consent", "google-tag-manager"),
        (DE, "de-google-fonts-before-consent", "google-fonts"),
        (DE, "ga-ip-not-anonymised", "google-analytics"),
        (DE, "consent-mode-cookieless-ping", "google-analytics"),
    }
    assert expected <= hit, expected - hit
    assert not only(f, "pre-consent-tracking", domain=NL_WINKEL, vendor="google-analytics")


def test_default_paths_and_rule_selection():
    obs = observations(BE)
    f = evaluate(obs, expectations(), kb())
    assert all(x.evidence[0].observation.startswith("observations/online-3d-printen.be/") for x in f)
    only_one = evaluate(obs, expectations(), kb(), rules=["tracking-after-reject"])
    assert {x.rule for x in only_one} == {"tracking-after-reject"}


def test_docs_rule_catalogue_is_up_to_date():
    doc = TESTS.parent / "docs" / "rules.md"
    assert doc.read_text(encoding="utf-8") == render_markdown(), \
        "docs/rules.md is stale: regenerate with `python -m cookieaudit.rules > docs/rules.md`"
