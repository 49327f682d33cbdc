"""Adapters for the consent managers sold as a service (their scripts live on the vendor's servers).

Written from each vendor's public developer documentation (cookie formats in ../shared/reference/trackers.md).
"""

from __future__ import annotations

from .adapter import _VISIBLE, CmpAdapter

ONETRUST = CmpAdapter(
    name="onetrust",
    detect_js="() => !!(window.OneTrust || document.querySelector('#onetrust-banner-sdk'))",
    state_js="""() => {
      const m = document.cookie.match(/(?:^|; )OptanonConsent=([^;]*)/); if (!m) return window.OneTrust ? {decided: false, categories: {}, raw: null} : null;
      const params = new URLSearchParams(decodeURIComponent(m[1])); const cats = {};
      (params.get('groups') || '').split(',').forEach(g => { const [k, v] = g.split(':'); if (k) cats[k] = v === '1'; });
      const closed = /(?:^|; )OptanonAlertBoxClosed=/.test(document.cookie);
      return {decided: closed, categories: cats, raw: Object.fromEntries(params)};
    }""",
    apply_js=None,
    banner_js=f"() => ({_VISIBLE})(document.querySelector('#onetrust-banner-sdk'))",
    withdraw_js="() => { window.OneTrust.RejectAll(); return true; }",
)

COOKIEBOT = CmpAdapter(
    name="cookiebot",
    detect_js="() => !!(window.Cookiebot && window.Cookiebot.consent)",
    state_js="""() => { const c = window.Cookiebot; if (!c || !c.consent) return null;
      return {decided: !!c.hasResponse, categories: {preferences: !!c.consent.preferences, statistics: !!c.consent.statistics, marketing: !!c.consent.marketing},
              raw: {consent: c.consent}}; }""",
    apply_js="""(wanted) => { window.Cookiebot.submitCustomConsent(wanted.includes('preferences'), wanted.includes('statistics'), wanted.includes('marketing')); return true; }""",
    banner_js=f"() => ({_VISIBLE})(document.querySelector('#CybotCookiebotDialog'))",
    withdraw_js="() => { window.Cookiebot.withdraw(); return true; }",
)


SAAS_ADAPTERS: tuple[CmpAdapter, ...] = (ONETRUST, COOKIEBOT)
