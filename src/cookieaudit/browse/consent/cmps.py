"""Consent-manager adapters: detect a manager, read its stored state, and set categories through its own API.

Reading the state back is what makes a consent click *verifiable*: we never assume a click worked.
Each adapter is a few lines of JavaScript run in the page; all of them return plain JSON so the state is
recorded verbatim in the observation.
"""

from __future__ import annotations

from .adapter import _VISIBLE, SYNONYMS, CmpAdapter  # noqa: F401  (re-exported)
from .saas import SAAS_ADAPTERS
from .tcf import TCF_ADAPTERS
from .wordpress import WORDPRESS_ADAPTERS

VANILLA = CmpAdapter(
    name="vanilla-cookieconsent",
    detect_js="() => !!(window.CookieConsent && window.CookieConsent.getUserPreferences)",
    state_js="""() => {
      const cc = window.CookieConsent; if (!cc || !cc.getUserPreferences) return null;
      const p = cc.getUserPreferences(); const cats = {};
      (p.rejectedCategories || []).forEach(c => cats[c] = false);
      (p.acceptedCategories || []).forEach(c => cats[c] = true);
      return {decided: cc.validConsent ? cc.validConsent() : false, categories: cats,
              raw: {acceptType: p.acceptType, consentId: p.consentId, cookie: cc.getCookie ? cc.getCookie() : null}};
    }""",
    apply_js="""(wanted) => { const cc = window.CookieConsent;
      cc.acceptCategory(wanted); if (cc.hide) cc.hide(); if (cc.hidePreferences) cc.hidePreferences(); return true; }""",
    accept_js="() => { const cc = window.CookieConsent; cc.acceptCategory('all'); cc.hide && cc.hide(); return true; }",
    reject_js="() => { const cc = window.CookieConsent; cc.acceptCategory([]); cc.hide && cc.hide(); return true; }",
    banner_js=f"() => ({_VISIBLE})(document.querySelector('#cc-main .cm'))",
)

KLARO = CmpAdapter(
    name="klaro",
    detect_js="() => !!(window.klaro && window.klaro.getManager)",
    state_js="""() => {
      const k = window.klaro; if (!k || !k.getManager) return null; const m = k.getManager();
      const services = m.config.services || m.config.apps || []; const cats = {};
      for (const s of services) for (const p of (s.purposes || [])) cats[p] = (cats[p] || false) || !!m.consents[s.name];
      return {decided: !!m.confirmed, categories: cats, raw: {consents: m.consents}};
    }""",
    apply_js="""(wanted) => { const m = window.klaro.getManager();
      for (const s of (m.config.services || m.config.apps || []))
        m.updateConsent(s.name, !!s.required || (s.purposes || []).some(p => wanted.includes(p)));
      m.saveAndApplyConsents(); return true; }""",
    accept_js="() => { const m = window.klaro.getManager(); m.changeAll(true); m.saveAndApplyConsents(); return true; }",
    reject_js="() => { const m = window.klaro.getManager(); m.changeAll(false); m.saveAndApplyConsents(); return true; }",
    banner_js=f"() => ({_VISIBLE})(document.querySelector('.klaro .cookie-notice, .klaro .cookie-modal'))",
)

TARTEAUCITRON = CmpAdapter(
    name="tarteaucitron",
    detect_js="() => !!(window.tarteaucitron && window.tarteaucitron.job)",
    state_js="""() => {
      const t = window.tarteaucitron; if (!t || !t.job) return null;
      const m = document.cookie.match(/(?:^|; )tarteaucitron=([^;]*)/); const raw = m ? decodeURIComponent(m[1]) : '';
      const st = {}; raw.split('!').forEach(x => { const i = x.indexOf('='); if (i > 0) st[x.slice(0, i)] = x.slice(i + 1); });
      const cats = {}; let decided = t.job.length > 0;
      for (const k of t.job) {
        const type = (t.services[k] || {}).type || 'other';
        cats[type] = (cats[type] || false) || st[k] === 'true';
        if (st[k] !== 'true' && st[k] !== 'false') decided = false;
      }
      return {decided, categories: cats, raw: {cookie: raw}};
    }""",
    apply_js="""(wanted) => { const t = window.tarteaucitron;
      for (const k of t.job) { const on = wanted.includes((t.services[k] || {}).type);
        const el = document.getElementById(k + (on ? 'Allowed' : 'Denied'));
        if (el) t.userInterface.respond(el, on); }
      t.userInterface.closeAlert && t.userInterface.closeAlert();
      t.userInterface.closePanel && t.userInterface.closePanel(); return true; }""",
    accept_js="() => { window.tarteaucitron.userInterface.respondAll(true); return true; }",
    reject_js="() => { window.tarteaucitron.userInterface.respondAll(false); return true; }",
    banner_js=f"() => ({_VISIBLE})(document.querySelector('#tarteaucitronAlertBig, #tarteaucitronRoot .tarteaucitronAlertBigBottom, #tarteaucitronRoot .tarteaucitronAlertBigTop'))",
)

OREJIME = CmpAdapter(
    name="orejime",
    detect_js="() => !!(window.orejime || document.querySelector('.orejime-Env, #orejime'))",
    state_js="""() => {
      const m = document.cookie.match(/(?:^|; )(orejime[^=]*)=([^;]*)/); if (!m) return window.orejime ? {decided: false, categories: {}, raw: null} : null;
      let v; try { v = JSON.parse(decodeURIComponent(m[2])); } catch (e) { return {decided: false, categories: {}, raw: m[2]}; }
      const cats = {}; for (const [k, val] of Object.entries(v)) if (typeof val === 'boolean') cats[k] = val;
      return {decided: true, categories: cats, raw: v};
    }""",
    # Orejime 3's documented manager API (README "Orejime instance" / "Manager"): setConsent per purpose,
    # acceptAll / declineAll; the banner closes when the manager has a full set of consents
    apply_js="""(wanted) => { const m = window.orejime.manager; const ids = [];
      const walk = (ps) => ps.forEach(p => p.purposes ? walk(p.purposes) : ids.push(p));
      walk(window.orejime.config.purposes || []);
      for (const p of ids) if (!p.isMandatory) m.setConsent(p.id, wanted.includes(p.id));
      return true; }""",
    accept_js="() => { window.orejime.manager.acceptAll(); return true; }",
    reject_js="() => { window.orejime.manager.declineAll(); return true; }",
    banner_js=f"() => ({_VISIBLE})(document.querySelector('.orejime-Notice, .orejime-Banner'))",
)

# Last resort: a first-party cookie whose value is JSON with boolean category flags (hand-made banners).
GENERIC_JSON = CmpAdapter(
    name="json-consent-cookie",
    generic=True,
    detect_js="() => /(?:^|; )[^=]*consent[^=]*=/i.test(document.cookie)",
    state_js="""() => {
      for (const part of document.cookie.split('; ')) {
        const i = part.indexOf('='); const name = part.slice(0, i);
        if (!/consent|cookie_?pref/i.test(name)) continue;
        let v; try { v = JSON.parse(decodeURIComponent(part.slice(i + 1))); } catch (e) { continue; }
        if (!v || typeof v !== 'object') continue;
        const cats = {}; for (const [k, val] of Object.entries(v)) if (typeof val === 'boolean') cats[k] = val;
        if (Object.keys(cats).length) return {decided: true, categories: cats, raw: {cookie: name, value: v}};
      }
      return null;
    }""",
    apply_js=None,
)

# Order matters: specific managers before the generic TCF reader (many managers also expose __tcfapi),
# the hand-made JSON cookie last.
ADAPTERS: tuple[CmpAdapter, ...] = (VANILLA, KLARO, TARTEAUCITRON, OREJIME, *SAAS_ADAPTERS, *WORDPRESS_ADAPTERS,
                                     *TCF_ADAPTERS, GENERIC_JSON)


def adapter(name: str) -> CmpAdapter | None:
    return next((a for a in ADAPTERS if a.name == name), None)
