"""Adapters for IAB TCF v2 consent managers: the generic ``__tcfapi`` reader and the managers built on it.

TCF (the IAB Transparency & Consent Framework, v2.2) standardises how a page READS consent — ``__tcfapi``
and the TC string — but not how a visitor's choice is MADE: there is no standard "apply" command. So the
generic :data:`TCF` adapter detects any TCF CMP and reads its state back, while accept / reject / per-category
choices are performed through the banner (DuckDuckGo autoconsent, the text heuristic) or through a
manager-specific adapter such as :data:`DIDOMI`, which comes first in :data:`TCF_ADAPTERS` so it wins.

TCF purposes → policy categories (the default ``category_map``; a domain's ``cmp_categories`` overrides it,
e.g. ``performance: [purpose-8, purpose-9]``). TCF v2.2 purpose names:

==========  ===============================================================  ===========
key         TCF v2.2 purpose                                                 policy
==========  ===============================================================  ===========
purpose-1   Store and/or access information on a device                      (not mapped)
purpose-2   Use limited data to select advertising                           targeting
purpose-3   Create profiles for personalised advertising                     targeting
purpose-4   Use profiles to select personalised advertising                  targeting
purpose-5   Create profiles to personalise content                           targeting
purpose-6   Use profiles to select personalised content                      targeting
purpose-7   Measure advertising performance                                  targeting
purpose-8   Measure content performance                                      performance
purpose-9   Understand audiences through statistics or combinations of data  performance
purpose-10  Develop and improve services                                     performance
purpose-11  Use limited data to select content                               functional
==========  ===============================================================  ===========

Purpose 1 is the storage/access purpose every other purpose relies on: it is not a category of its own, so it
is left unmapped (neither granting nor refusing it says anything about performance, functional or targeting).
Purposes 5 and 6 (content profiles) are profiling and counted as targeting. Only *consent* is read:
legitimate-interest signals (``purpose.legitimateInterests``) are recorded in ``raw`` but never count as
consent to a category.

The TC string ``__tcfapi`` hands out is also decoded independently in Python (:func:`decode_tc_string`, PyPI
``iab-tcf``) during verification: its purpose consents must equal what ``__tcfapi`` reports, and when the CMP
keeps the conventional ``euconsent-v2`` cookie it must hold that same string.
"""

from __future__ import annotations

import json
from typing import Any

from .adapter import _VISIBLE, CmpAdapter

# TCF v2.2 purposes 1..11 → policy categories (purpose 1: see the module docstring).
TCF_CATEGORY_MAP: dict[str, str] = {
    **{f"purpose-{n}": "targeting" for n in (2, 3, 4, 5, 6, 7)},
    **{f"purpose-{n}": "performance" for n in (8, 9, 10)},
    "purpose-11": "functional",
}
TCF_PURPOSES = range(1, 12)

# Shared by the TCF readers: __tcfapi('getTCData') with a timeout (the CMP API queues getTCData until the CMP has
# a first state), falling back to addEventListener (whose first callback carries the current TCData; getTCData
# is deprecated in TCF v2.2), then removeEventListener.
_TCDATA_JS = """
    const tcData = (timeoutMs) => new Promise((resolve) => {
      let done = false;
      const finish = (v) => { if (!done) { done = true; resolve(v); } };
      setTimeout(() => finish(null), timeoutMs);
      try {
        window.__tcfapi('getTCData', 2, (d, ok) => {
          if (ok && d) { finish(d); return; }
          window.__tcfapi('addEventListener', 2, (e, ok2) => {
            if (ok2 && e) {
              try { window.__tcfapi('removeEventListener', 2, () => {}, e.listenerId); } catch (x) { /* ignore */ }
              finish(e);
            }
          });
        });
      } catch (x) { finish(null); }
    });
    const ping = (timeoutMs) => new Promise((resolve) => {
      setTimeout(() => resolve(null), timeoutMs);
      try { window.__tcfapi('ping', 2, (p) => resolve(p || null)); } catch (x) { resolve(null); }
    });
    const ids = (vec) => Object.keys(vec || {}).filter((k) => vec[k] === true).map(Number).sort((a, b) => a - b);
"""

# The purpose-consent bits of a TC string's core segment, read in the page (bits 152-175 of a version-2 core
# segment: version 6, created 36, lastUpdated 36, cmpId 12, cmpVersion 12, consentScreen 6, consentLanguage 12,
# vendorListVersion 12, policyVersion 6, isServiceSpecific 1, useNonStandardTexts 1, specialFeatureOptIns 12).
_TC_PURPOSES_JS = """
      const cookie = (n) => { const m = document.cookie.match(new RegExp('(?:^|; )' + n + '=([^;]*)'));
                              return m ? decodeURIComponent(m[1]) : null; };
      const tcPurposes = (tc) => {
        try {
          const core = tc.split('.')[0].replace(/-/g, '+').replace(/_/g, '/');
          const bin = atob(core + '='.repeat((4 - core.length % 4) % 4));
          let bits = '';
          for (let i = 0; i < bin.length; i++) bits += bin.charCodeAt(i).toString(2).padStart(8, '0');
          if (parseInt(bits.slice(0, 6), 2) !== 2 || bits.length < 176) return null;
          const out = [];
          for (let i = 0; i < 24; i++) if (bits[152 + i] === '1') out.push(i + 1);
          return out;
        } catch (e) { return null; }
      };
"""

TCF = CmpAdapter(
    name="tcf",
    generic=True,
    detect_js="() => typeof window.__tcfapi === 'function'",
    state_js="""async () => {
      if (typeof window.__tcfapi !== 'function') return null;
      """ + _TCDATA_JS + _TC_PURPOSES_JS + """
      const [p, d] = await Promise.all([ping(500), tcData(1200)]);
      if (!d) {
        return {decided: false, categories: {}, raw: {tcData: null, ping: p,
                reason: 'no TCData within 1.2 s (the CMP has not loaded a state yet)'}};
      }
      const consents = (d.purpose && d.purpose.consents) || {};
      const cats = {};
      for (let n = 1; n <= 11; n++) cats['purpose-' + n] = consents[n] === true;
      const decided = (d.eventStatus === 'useractioncomplete' || d.eventStatus === 'tcloaded')
                      && typeof d.tcString === 'string' && d.tcString.length > 0;
      const vendorConsents = ids(d.vendor && d.vendor.consents);
      // the conventional first-party cookie, when the CMP keeps one: recorded, not required (TCF does not
      // prescribe where a CMP stores its string)
      const stored = cookie('euconsent-v2');
      return {decided, categories: cats, raw: {
        storedCookie: stored === null ? null : {sameString: stored === d.tcString, purposeConsents: tcPurposes(stored)},
        tcString: d.tcString || '', cmpId: d.cmpId, cmpVersion: d.cmpVersion, eventStatus: d.eventStatus,
        cmpStatus: d.cmpStatus, displayStatus: p ? p.displayStatus : null, gdprApplies: d.gdprApplies,
        tcfPolicyVersion: d.tcfPolicyVersion, isServiceSpecific: d.isServiceSpecific, publisherCC: d.publisherCC,
        purposeOneTreatment: d.purposeOneTreatment,
        purposeConsents: ids(consents),
        purposeLegitimateInterests: ids(d.purpose && d.purpose.legitimateInterests),
        specialFeatureOptins: ids(d.specialFeatureOptins),
        vendorConsents: vendorConsents.slice(0, 100), vendorConsentsCount: vendorConsents.length,
        vendorLegitimateInterestsCount: ids(d.vendor && d.vendor.legitimateInterests).length,
        publisherConsents: ids(d.publisher && d.publisher.consents),
      }};
    }""",
    apply_js=None,
    # TCF's own display signal: ping's displayStatus is "visible" while the CMP shows its UI
    banner_js="""async () => {
      if (typeof window.__tcfapi !== 'function') return false;
      const p = await new Promise((resolve) => {
        setTimeout(() => resolve(null), 500);
        try { window.__tcfapi('ping', 2, (r) => resolve(r || null)); } catch (x) { resolve(null); }
      });
      return !!p && p.displayStatus === 'visible';
    }""",
    category_map=TCF_CATEGORY_MAP,
)

# Didomi's purpose ids for the TCF purposes (its console shows them as the "API ID"); custom purposes a site
# adds keep their own ids and are mapped by the domain's cmp_categories or the policy synonyms.
DIDOMI_CATEGORY_MAP: dict[str, str] = {
    "select_basic_ads": "targeting",            # TCF 2
    "create_ads_profile": "targeting",          # TCF 3
    "select_personalized_ads": "targeting",     # TCF 4
    "create_content_profile": "targeting",      # TCF 5
    "select_personalized_content": "targeting",  # TCF 6
    "measure_ad_performance": "targeting",      # TCF 7
    "measure_content_performance": "performance",  # TCF 8
    "market_research": "performance",           # TCF 9
    "improve_products": "performance",          # TCF 10
    "use_limited_data_to_select_content": "functional",  # TCF 11
    # "cookies" (TCF 1, storage) is not mapped, as purpose-1 above; geolocation_data / device_characteristics
    # (TCF special features) neither.
}

# Didomi purpose id → TCF purpose number, to compare Didomi's state with its TC string.
DIDOMI_TCF_PURPOSES: dict[str, int] = {
    "cookies": 1, "select_basic_ads": 2, "create_ads_profile": 3, "select_personalized_ads": 4,
    "create_content_profile": 5, "select_personalized_content": 6, "measure_ad_performance": 7,
    "measure_content_performance": 8, "market_research": 9, "improve_products": 10,
    "use_limited_data_to_select_content": 11,
}
_DIDOMI_TCF_IDS = json.dumps(DIDOMI_TCF_PURPOSES)

_DIDOMI_TOKEN_JS = """
      let tokenRaw = cookie('didomi_token'), where = 'cookie';
      if (!tokenRaw) {
        try { tokenRaw = localStorage.getItem('didomi_token'); where = 'localStorage'; } catch (e) { tokenRaw = null; }
      }
      let token = null;
      if (tokenRaw) {
        try { token = JSON.parse(decodeURIComponent(escape(atob(tokenRaw)))); } catch (e) { token = null; }
      }
"""

DIDOMI = CmpAdapter(
    name="didomi",
    detect_js="() => !!(window.Didomi && typeof window.Didomi.getUserStatus === 'function')",
    # categories from the SDK's API (getUserStatus().purposes.consent); "decided" also needs the persisted
    # didomi_token (cookie, or localStorage when a site stores it there) and the TC string (euconsent-v2, else
    # the API's consent_string) to say the same about every purpose: a disagreement is no verifiable decision
    state_js="""() => {
      const D = window.Didomi; if (!D || typeof D.getUserStatus !== 'function') return null;
      const s = D.getUserStatus() || {}; const pc = (s.purposes && s.purposes.consent) || {};
      const cats = {};
      (pc.disabled || []).forEach((p) => cats[p] = false);
      (pc.enabled || []).forEach((p) => cats[p] = true);
      """ + _TC_PURPOSES_JS + _DIDOMI_TOKEN_JS + """
      const tokenOn = new Set(((token && token.purposes && token.purposes.enabled) || []));
      const tokenAgrees = !!token && Object.keys(cats).every((p) => cats[p] === tokenOn.has(p));
      // the TC string (what TCF vendors read) must say the same about the TCF purposes
      let tc = cookie('euconsent-v2');
      if (!tc) { try { tc = localStorage.getItem('euconsent-v2'); } catch (e) { tc = null; } }
      tc = tc || s.consent_string || '';
      const tcOn = tc ? tcPurposes(tc) : null;
      const TCF_ID = """ + _DIDOMI_TCF_IDS + """;
      const tcAgrees = !tc || (!!tcOn && Object.keys(cats).filter((p) => TCF_ID[p])
                                 .every((p) => cats[p] === tcOn.includes(TCF_ID[p])));
      const partial = typeof D.shouldConsentBeCollected === 'function' ? D.shouldConsentBeCollected() : !token;
      return {decided: !partial && tokenAgrees && tcAgrees, categories: cats, raw: {
        purposes: s.purposes || null, vendors: s.vendors ? {consent: s.vendors.consent} : null,
        user_id: s.user_id, created: s.created, updated: s.updated, tcString: tc,
        token_store: token ? where : null, token: token ? {purposes: token.purposes, vendors: token.vendors,
          purposes_li: token.purposes_li, version: token.version} : null,
        token_agrees_with_api: tokenAgrees, tc_purpose_consents: tcOn, tc_agrees_with_api: tcAgrees,
        should_consent_be_collected: partial,
      }};
    }""",
    # only the wanted purposes (and the storage purpose "cookies" they all rely on) are enabled; a vendor is
    # enabled when every purpose it needs is; nothing is processed on legitimate interest
    apply_js="""(wanted) => {
      const D = window.Didomi;
      const list = (...fns) => {
        for (const f of fns) {
          try {
            const r = typeof f === 'function' ? f.call(D) : null;
            if (r) return Array.isArray(r) ? r : Object.values(r);
          } catch (e) { /* next */ }
        }
        return [];
      };
      const all = list(D.getRequiredPurposes, D.getPurposes).map((p) => p.id);
      const on = all.filter((p) => wanted.includes(p));
      if (on.length && all.includes('cookies') && !on.includes('cookies')) on.push('cookies');
      const vendors = list(D.getRequiredVendors, D.getVendors);
      const vOn = vendors.filter((v) => on.length && (v.purposeIds || []).every((p) => on.includes(p)))
                         .map((v) => v.id);
      const vAll = vendors.map((v) => v.id);
      const now = new Date().toISOString();
      D.setUserStatus({
        purposes: {consent: {enabled: on, disabled: all.filter((p) => !on.includes(p))},
                   legitimate_interest: {enabled: [], disabled: all}},
        vendors: {consent: {enabled: vOn, disabled: vAll.filter((v) => !vOn.includes(v))},
                  legitimate_interest: {enabled: [], disabled: vAll}},
        created: now, updated: now, source: {type: 'webpage', domain: location.hostname}, action: 'webpage'});
      if (D.notice && D.notice.hide) D.notice.hide();
      if (D.preferences && D.preferences.hide) D.preferences.hide();
      return true;
    }""",
    accept_js="() => { window.Didomi.setUserAgreeToAll(); return true; }",
    reject_js="() => { window.Didomi.setUserDisagreeToAll(); return true; }",
    withdraw_js="() => { window.Didomi.setUserDisagreeToAll(); return true; }",
    banner_js=f"() => ({_VISIBLE})(document.querySelector('#didomi-notice')) || "
              f"({_VISIBLE})(document.querySelector('#didomi-popup'))",
    category_map=DIDOMI_CATEGORY_MAP,
)

TCF_ADAPTERS: tuple[CmpAdapter, ...] = (DIDOMI, TCF)


def _ids(bits: dict[int, bool] | None) -> list[int]:
    return sorted(k for k, v in (bits or {}).items() if v)


def _vendor_ids(consent: Any, kind: str) -> list[int]:
    """Vendor ids with a positive signal, from bitfield or range encoding (iab-tcf keeps them apart)."""
    if getattr(consent, f"is_{kind}_range_encoding"):
        ranges = getattr(consent, f"{'consented_vendors' if kind == 'consent' else 'interests_vendors'}_range")
        return sorted({i for start, end in ranges for i in range(start, end + 1)})
    return _ids(getattr(consent, "consented_vendors" if kind == "consent" else "interests_vendors"))


def decode_tc_string(tc_string: str) -> dict[str, Any]:
    """Decode a TCF v2 TC string in Python (PyPI ``iab-tcf``), independently of the page's ``__tcfapi``.

    Returns plain JSON: the core fields, purpose / special-feature / vendor signals as sorted id lists, the
    publisher TC segment when present, and ``categories`` as the TCF adapter reports them (``purpose-N`` →
    consent, N = 1..11). Raises ``ValueError`` for anything that is not a TC string of version 2.
    """
    from iab_tcf import decode_v2

    s = (tc_string or "").strip()
    if not s:
        raise ValueError("empty TC string")
    try:
        c = decode_v2(s)
    except Exception as exc:  # noqa: BLE001 - base64 / bit-reader errors of a malformed string
        raise ValueError(f"not a TCF v2 TC string: {type(exc).__name__}: {exc}") from None
    if c.version != 2:
        raise ValueError(f"not a TCF v2 TC string (version field is {c.version})")
    purposes = _ids(c.purposes_consent)
    out: dict[str, Any] = {
        "version": c.version,
        "created": c.created.isoformat() + "Z",
        "last_updated": c.last_updated.isoformat() + "Z",
        "cmp_id": c.cmp_id,
        "cmp_version": c.cmp_version,
        "consent_screen": c.consent_screen,
        "consent_language": c.consent_language.decode("ascii", "replace"),
        "vendor_list_version": c.vendor_list_version,
        "tcf_policy_version": c.tcf_policy_version,
        "is_service_specific": bool(c.is_service_specific),
        "use_non_standard_stacks": bool(c.use_non_standard_stacks),
        "purpose_one_treatment": bool(c.purpose_one_treatment),
        "publisher_cc": c.publisher_cc.decode("ascii", "replace"),
        "special_feature_optins": _ids(c.special_features_optin),
        "purpose_consents": purposes,
        "purpose_legitimate_interests": _ids(c.purposes_legitimate_interests),
        "vendor_consents": _vendor_ids(c, "consent"),
        "vendor_legitimate_interests": _vendor_ids(c, "interests"),
        "publisher_restrictions": len(c.pub_restriction_entries),
        "categories": {f"purpose-{n}": n in purposes for n in TCF_PURPOSES},
    }
    pub = getattr(c, "publisher_tc", None)
    if pub is not None:
        out["publisher_consents"] = _ids(pub.purposes_consent)
        out["publisher_legitimate_interests"] = _ids(pub.purposes_lit_transparency)
    if hasattr(c, "oob_disclosed_vendors"):
        out["disclosed_vendors"] = _ids(c.oob_disclosed_vendors)
    return out


__all__ = ["DIDOMI", "DIDOMI_CATEGORY_MAP", "TCF", "TCF_ADAPTERS", "TCF_CATEGORY_MAP", "decode_tc_string"]
