"""decode_tc_string (PyPI iab-tcf) against TC strings made by the IAB reference encoder, @iabtcf/core from npm.

The strings are generated here, at test time, by ``node`` running the real ``@iabtcf/core`` from
``node_modules`` with the CMP lab's vendor-list fixture; none is copied in. Each case states what the model
held; the Python decode must give exactly that back, and must agree with @iabtcf's own ``TCString.decode``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace

import pytest

from cookieaudit.browse.consent.tcf import TCF_CATEGORY_MAP, decode_tc_string
from cookieaudit.observations import ConsentState
from cookieaudit.world.assets import STATIC_DIR, MissingNodeModules, find_node_modules

GVL_FIXTURE = STATIC_DIR / "cmplab" / "tcf" / "vendor-list.json"

# What each TC model holds. "extraVendors" adds vendors to the fixture list (so that a dense vendor set makes the
# encoder choose a bit field rather than ranges); "version": 1 asks for a TCF v1 string (must be refused).
CASES: list[dict] = [
    {"name": "only-performance", "cmpId": 4095, "cmpVersion": 1, "serviceSpecific": True, "country": "NL",
     "consentScreen": 1, "purposes": [1, 8, 9, 10], "vendors": [1126], "publisher": [1, 8, 9, 10]},
    {"name": "accept-all", "cmpId": 7, "cmpVersion": 2, "serviceSpecific": True, "country": "NL", "consentScreen": 2,
     "purposes": list(range(1, 12)), "vendors": [755, 1126], "publisher": list(range(1, 12)),
     "specialFeatures": [1]},
    {"name": "reject-all", "cmpId": 4095, "cmpVersion": 3, "serviceSpecific": True, "country": "BE",
     "consentScreen": 0, "purposes": [], "vendors": [], "publisher": []},
    {"name": "global-scope-dense-vendors", "cmpId": 300, "cmpVersion": 12, "serviceSpecific": False, "country": "DE",
     "consentScreen": 5, "purposes": [1, 2, 3, 4, 7], "vendors": list(range(1, 41, 2)),
     "extraVendors": list(range(1, 41)), "publisher": []},
]
V1_CASE = {"name": "tcf-v1", "cmpId": 4095, "cmpVersion": 1, "serviceSpecific": False, "country": "NL",
           "consentScreen": 0, "purposes": [1], "vendors": [], "publisher": [], "version": 1}

NODE_SCRIPT = r"""
import { readFileSync } from 'node:fs';
const [coreUrl, gvlPath, casesJson] = process.argv.slice(1);
const { GVL, TCModel, TCString } = await import(coreUrl);
const base = JSON.parse(readFileSync(gvlPath, 'utf8'));
const out = [];
for (const c of JSON.parse(casesJson)) {
  const json = JSON.parse(JSON.stringify(base));
  for (const id of c.extraVendors || []) {
    json.vendors[String(id)] = {id, name: `Lab vendor ${id}`, purposes: [1, 2, 3, 4, 7], legIntPurposes: [],
      flexiblePurposes: [], specialPurposes: [], features: [], specialFeatures: [], cookieMaxAgeSeconds: 0,
      usesCookies: false, cookieRefresh: false, usesNonCookieAccess: false, dataRetention: {stdRetention: 0},
      urls: [], dataDeclaration: []};
  }
  const m = new TCModel(new GVL(json));
  m.cmpId = c.cmpId; m.cmpVersion = c.cmpVersion; m.isServiceSpecific = c.serviceSpecific;
  m.publisherCountryCode = c.country; m.consentScreen = c.consentScreen;
  m.created = new Date(Date.UTC(2024, 4, 1)); m.lastUpdated = new Date(Date.UTC(2024, 5, 2));
  if (c.purposes.length) m.purposeConsents.set(c.purposes);
  if (c.vendors.length) m.vendorConsents.set(c.vendors);
  if (c.publisher.length) m.publisherConsents.set(c.publisher);
  if ((c.specialFeatures || []).length) m.specialFeatureOptins.set(c.specialFeatures);
  const s = TCString.encode(m, c.version ? {version: c.version} : undefined);
  const d = TCString.decode(s);
  const ids = (vec) => { const r = []; vec.forEach((v, id) => { if (v) r.push(id); }); return r; };
  out.push({name: c.name, tcString: s, iabtcf: {
    version: d.version, cmpId: d.cmpId, purposes: ids(d.purposeConsents), vendors: ids(d.vendorConsents),
    vendorListVersion: d.vendorListVersion, policyVersion: d.policyVersion}});
}
process.stdout.write(JSON.stringify(out));
"""


def _generate(cases: list[dict]) -> dict[str, dict]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (needed to run @iabtcf/core)")
    try:
        core = find_node_modules() / "@iabtcf" / "core" / "lib" / "mjs" / "index.js"
    except MissingNodeModules as exc:
        pytest.skip(str(exc))
    proc = subprocess.run([node, "--input-type=module", "-e", NODE_SCRIPT, core.as_uri(), str(GVL_FIXTURE),
                           json.dumps(cases)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return {r["name"]: r for r in json.loads(proc.stdout)}


@pytest.fixture(scope="module")
def generated() -> dict[str, dict]:
    return _generate(CASES + [V1_CASE])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_python_decode_gives_back_what_the_reference_encoder_was_given(generated, case):
    made = generated[case["name"]]
    d = decode_tc_string(made["tcString"])
    assert d["version"] == 2
    assert d["cmp_id"] == case["cmpId"] and d["cmp_version"] == case["cmpVersion"]
    assert d["consent_screen"] == case["consentScreen"]
    assert d["publisher_cc"] == case["country"]
    assert d["is_service_specific"] is case["serviceSpecific"]
    assert d["purpose_consents"] == sorted(case["purposes"])
    assert d["vendor_consents"] == sorted(case["vendors"])
    assert d["special_feature_optins"] == sorted(case.get("specialFeatures", []))
    assert d["purpose_legitimate_interests"] == [] and d["vendor_legitimate_interests"] == []
    # the fixture's GVL: list version 1, TCF policy version 4 (TCF v2.2), English
    assert (d["vendor_list_version"], d["tcf_policy_version"], d["consent_language"]) == (1, 4, "EN")
    assert d["created"] == "2024-05-01T00:00:00Z" and d["last_updated"] == "2024-06-02T00:00:00Z"
    assert d["categories"] == {f"purpose-{n}": n in case["purposes"] for n in range(1, 12)}
    if case["serviceSpecific"]:
        # service-specific strings carry the publisher TC segment, global ones the disclosed-vendors segment
        assert d["publisher_consents"] == sorted(case["publisher"])
        assert "disclosed_vendors" not in d
    else:
        assert "publisher_consents" not in d
        assert set(d["disclosed_vendors"]) >= set(case["vendors"])
    # and @iabtcf's own decoder reads the same string the same way
    ref = made["iabtcf"]
    assert (ref["version"], ref["cmpId"], ref["vendorListVersion"], ref["policyVersion"]) == \
        (d["version"], d["cmp_id"], d["vendor_list_version"], d["tcf_policy_version"])
    assert ref["purposes"] == d["purpose_consents"] and ref["vendors"] == d["vendor_consents"]


def test_both_vendor_encodings_are_covered(generated):
    """The dense vendor set is encoded as a bit field, the sparse ones as ranges; both must decode."""
    from iab_tcf import decode_v2

    kinds = {name: decode_v2(made["tcString"]).is_consent_range_encoding for name, made in generated.items()
             if name in ("only-performance", "global-scope-dense-vendors")}
    assert kinds == {"only-performance": True, "global-scope-dense-vendors": False}


def test_tcf_category_map_reads_decoded_categories(generated):
    d = decode_tc_string(generated["only-performance"]["tcString"])
    cats = {TCF_CATEGORY_MAP.get(k) for k, v in d["categories"].items() if v}
    assert cats - {None} == {"performance"}          # purpose 1 (storage) is not a category of its own


def test_v1_and_malformed_strings_are_refused(generated):
    with pytest.raises(ValueError, match="version field is 1"):
        decode_tc_string(generated["tcf-v1"]["tcString"])
    for bad in ("", "   ", "not a tc string!", "@@@@"):
        with pytest.raises(ValueError):
            decode_tc_string(bad)


# --- what verification makes of a TC string (browse.consent.state_problems, no browser) --------------------------
def _tcf_state(tc: str, purposes: set[int], stored_same: bool | None = None) -> ConsentState:
    raw = {"tcString": tc}
    if stored_same is not None:
        raw["storedCookie"] = {"sameString": stored_same}
    return ConsentState.from_dict({"decided": True, "categories": {f"purpose-{n}": n in purposes for n in range(1, 12)},
                                   "raw": raw})


def test_verification_decodes_the_tc_string_and_catches_a_string_that_disagrees(generated):
    from cookieaudit.browse.consent import state_problems
    from cookieaudit.browse.consent.tcf import TCF
    from cookieaudit.expectations import Domain

    d = Domain(host="tcf.example", country="NL", locale="nl-NL", timezone="Europe/Amsterdam", pages=["/"], ref="t")
    optional = {"performance", "functional", "targeting"}
    perf = generated["only-performance"]["tcString"]      # purposes 1, 8, 9, 10
    state, problems = state_problems(d, _tcf_state(perf, {1, 8, 9, 10}), {"performance"}, optional, TCF, "tcf")
    assert problems == [] and state and state.tc_string_decoded
    assert state.tc_string_decoded["purpose_consents"] == [1, 8, 9, 10]
    # the page's API says "performance only" but the string it hands out grants ads purposes as well
    allp = generated["accept-all"]["tcString"]
    _, problems = state_problems(d, _tcf_state(allp, {1, 8, 9, 10}), {"performance"}, optional, TCF, "tcf")
    assert len(problems) == 1 and "purpose consents differ" in problems[0] and "purpose-2" in problems[0]
    # the cookie holds another string than the API reports
    _, problems = state_problems(d, _tcf_state(perf, {1, 8, 9, 10}, stored_same=False), {"performance"}, optional,
                                 TCF, "tcf")
    assert problems == ["the euconsent-v2 cookie holds a different TC string than the manager reports"]
    # garbage instead of a string
    _, problems = state_problems(d, _tcf_state("not-a-tc-string!", {1, 8}), {"performance"}, optional, TCF, "tcf")
    assert any("cannot be decoded" in p for p in problems)
    # a refusal that still grants the storage purpose (unmapped) is not a clean refusal
    rej = generated["reject-all"]["tcString"]
    _, problems = state_problems(d, _tcf_state(rej, set()), set(), optional, TCF, "tcf")
    assert problems == []
    refused = _tcf_state(rej, set())
    _, problems = state_problems(d, replace(refused, categories={**refused.categories, "purpose-1": True}),
                                 set(), optional, TCF, "tcf")
    assert any("still grants ['purpose-1']" in p for p in problems), problems
