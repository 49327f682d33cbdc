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
              raw: {acceptType: p.acceptType, consentId: p.consentId, acceptedServices: p.acceptedServices,
                    cookie: cc.getCookie ? cc.getCookie() : null}};
    }""",
    # the live configuration (CookieConsent.getConfig): category ids, read-only flags, services, the labels of the
    # preferences sections linked to each category, and the consent cookie's configured name
    offer_js="""() => {
      const cc = window.CookieConsent; if (!cc || !cc.getConfig) return null;
      let cfg = {}; try { cfg = cc.getConfig() || {}; } catch (e) { return null; }
      const labels = {}; const strip = (t) => String(t || '').replace(/<[^>]*>/g, '').trim();
      try { for (const l of Object.values(((cfg.language || {}).translations) || {})) {
        for (const sec of (((l || {}).preferencesModal || {}).sections || []))
          if (sec.linkedCategory && sec.title && !labels[sec.linkedCategory]) labels[sec.linkedCategory] = strip(sec.title); } } catch (e) {}
      const categories = [], services = [];
      for (const [id, c] of Object.entries(cfg.categories || {})) {
        categories.push({id, label: labels[id] || '', required: !!(c && c.readOnly)});
        for (const [sid, sv] of Object.entries((c && c.services) || {})) services.push({id: sid, label: strip(sv && sv.label), groups: [id]});
      }
      const ck = cfg.cookie || {};
      // can a visitor reach the preferences modal at all? (a "manage" button on the banner or a page link)
      let prefs = !!document.querySelector('[data-cc="show-preferencesModal"]');
      try { for (const l of Object.values(((cfg.language || {}).translations) || {}))
        if (l && l.consentModal && l.consentModal.showPreferencesBtn) prefs = true; } catch (e) {}
      return {level: 'category', categories, services, granular_ui: prefs,
              storage: [{kind: ck.useLocalStorage ? 'localStorage' : 'cookie', name: ck.name || 'cc_cookie'}]};
    }""",
    apply_js="""(wanted) => { const cc = window.CookieConsent;
      cc.acceptCategory(wanted); if (cc.hide) cc.hide(); if (cc.hidePreferences) cc.hidePreferences(); return true; }""",
    accept_js="() => { const cc = window.CookieConsent; cc.acceptCategory('all'); cc.hide && cc.hide(); return true; }",
    reject_js="() => { const cc = window.CookieConsent; cc.acceptCategory([]); cc.hide && cc.hide(); return true; }",
    banner_js=f"() => ({_VISIBLE})(document.querySelector('#cc-main .cm'))",
)

# Klaro stores one decision per service (purposes only group them in the UI): the state's keys are services.
KLARO = CmpAdapter(
    name="klaro",
    detect_js="() => !!(window.klaro && window.klaro.getManager)",
    state_js="""() => {
      const k = window.klaro; if (!k || !k.getManager) return null; const m = k.getManager();
      const services = m.config.services || m.config.apps || []; const cats = {}; const purposes = {};
      for (const s of services) {
        cats[s.name] = !!m.consents[s.name];
        for (const p of (s.purposes || [])) purposes[p] = (purposes[p] || false) || !!m.consents[s.name];
      }
      return {decided: !!m.confirmed, categories: cats, level: 'service', raw: {consents: m.consents, purposes}};
    }""",
    offer_js="""() => {
      const k = window.klaro; if (!k || !k.getManager) return null; const m = k.getManager(); const c = m.config || {};
      const tr = c.translations || {}; const langs = [c.lang, (document.documentElement.lang || '').slice(0, 2), ...Object.keys(tr)];
      const text = (t) => typeof t === 'string' ? t : (t && (t.title || t.name)) || '';
      const ptitle = (p) => { for (const l of langs) { const t = ((tr[l] || {}).purposes || {})[p]; if (t) return text(t); } return ''; };
      const stitle = (s) => { if (s.title) return text(s.title); for (const l of langs) { const t = (tr[l] || {})[s.name]; if (t && t.title) return t.title; } return ''; };
      const services = (c.services || c.apps || []).map(s => ({id: s.name, label: stitle(s), groups: s.purposes || [], required: !!s.required}));
      const purposes = [...new Set(services.flatMap(s => s.groups))].map(p => ({id: p, label: ptitle(p)}));
      const method = c.storageMethod || 'cookie';
      return {level: 'service', categories: purposes, services,
              storage: [{kind: method === 'localStorage' ? 'localStorage' : 'cookie', name: c.storageName || c.cookieName || 'klaro'}]};
    }""",
    # the keys are services, purposes or both: a service is granted when it or one of its purposes is listed
    apply_js="""(wanted) => { const m = window.klaro.getManager();
      for (const s of (m.config.services || m.config.apps || []))
        m.updateConsent(s.name, !!s.required || wanted.includes(s.name) || (s.purposes || []).some(p => wanted.includes(p)));
      m.saveAndApplyConsents(); return true; }""",
    accept_js="() => { const m = window.klaro.getManager(); m.changeAll(true); m.saveAndApplyConsents(); return true; }",
    reject_js="() => { const m = window.klaro.getManager(); m.changeAll(false); m.saveAndApplyConsents(); return true; }",
    banner_js=f"() => ({_VISIBLE})(document.querySelector('.klaro .cookie-notice, .klaro .cookie-modal'))",
)

# tarteaucitron also stores one decision per service (its "types" only group them): keys are service keys. The
# decision is read from the cookie under the name the site configured (tarteaucitron.parameters.cookieName).
TARTEAUCITRON = CmpAdapter(
    name="tarteaucitron",
    detect_js="() => !!(window.tarteaucitron && window.tarteaucitron.job)",
    state_js="""() => {
      const t = window.tarteaucitron; if (!t || !t.job) return null;
      const name = ((t.parameters || {}).cookieName) || 'tarteaucitron';
      const part = document.cookie.split('; ').find(p => p.slice(0, p.indexOf('=')) === name);
      const raw = part ? decodeURIComponent(part.slice(part.indexOf('=') + 1)) : '';
      const st = {}; raw.split('!').forEach(x => { const i = x.indexOf('='); if (i > 0) st[x.slice(0, i)] = x.slice(i + 1); });
      const cats = {}; let decided = t.job.length > 0;
      for (const k of t.job) {
        cats[k] = st[k] === 'true';
        if (st[k] !== 'true' && st[k] !== 'false') decided = false;
      }
      return {decided, categories: cats, level: 'service', raw: {cookie: raw, cookieName: name}};
    }""",
    offer_js="""() => {
      const t = window.tarteaucitron; if (!t || !t.job) return null; const lang = t.lang || {};
      const services = t.job.map(k => ({id: k, label: (t.services[k] || {}).name || '', groups: [(t.services[k] || {}).type || 'other']}));
      const types = [...new Set(services.flatMap(s => s.groups))].map(ty => ({id: ty, label: (lang[ty] && lang[ty].title) || ''}));
      return {level: 'service', categories: types, services,
              storage: [{kind: 'cookie', name: ((t.parameters || {}).cookieName) || 'tarteaucitron'}]};
    }""",
    apply_js="""(wanted) => { const t = window.tarteaucitron;
      for (const k of t.job) { const on = wanted.includes(k) || wanted.includes((t.services[k] || {}).type);
        const el = document.getElementById(k + (on ? 'Allowed' : 'Denied'));
        if (el) t.userInterface.respond(el, on); }
      t.userInterface.closeAlert && t.userInterface.closeAlert();
      t.userInterface.closePanel && t.userInterface.closePanel(); return true; }""",
    accept_js="() => { window.tarteaucitron.userInterface.respondAll(true); return true; }",
    reject_js="() => { window.tarteaucitron.userInterface.respondAll(false); return true; }",
    banner_js=f"() => ({_VISIBLE})(document.querySelector('#tarteaucitronAlertBig, #tarteaucitronRoot .tarteaucitronAlertBigBottom, #tarteaucitronRoot .tarteaucitronAlertBigTop'))",
)

# Orejime 3: consents per (leaf) purpose through its documented manager API; a decision is stored when the cookie
# the site configured (orejime.config.cookie.name, default "eu-consent") exists and the manager is not "dirty".
OREJIME = CmpAdapter(
    name="orejime",
    detect_js="() => !!(window.orejime || document.querySelector('.orejime-Env, #orejime'))",
    state_js="""() => {
      const o = window.orejime; const cfgName = o && o.config && o.config.cookie && o.config.cookie.name;
      const name = cfgName || 'eu-consent';
      const part = document.cookie.split('; ').find(p => p.slice(0, p.indexOf('=')) === name);
      let m = part ? [part, name, part.slice(part.indexOf('=') + 1)] : null;
      if (!m && !cfgName) m = document.cookie.match(/(?:^|; )(orejime[^=]*)=([^;]*)/);
      if (o && o.manager && o.manager.getAllConsents) {
        const cats = {}; for (const [k, v] of Object.entries(o.manager.getAllConsents() || {})) cats[k] = !!v;
        const dirty = o.manager.isDirty ? o.manager.isDirty() : false;
        return {decided: !!m && !dirty, categories: cats, raw: {cookieName: name, cookie: m ? decodeURIComponent(m[2]) : null}};
      }
      if (!m) return o ? {decided: false, categories: {}, raw: null} : null;
      let v; try { v = JSON.parse(decodeURIComponent(m[2])); } catch (e) { return {decided: false, categories: {}, raw: m[2]}; }
      const cats = {}; for (const [k, val] of Object.entries(v)) if (typeof val === 'boolean') cats[k] = val;
      return {decided: true, categories: cats, raw: v};
    }""",
    offer_js="""() => {
      const o = window.orejime; if (!o || !o.config) return null; const categories = [], services = [];
      const walk = (ps, group) => ps.forEach(p => {
        if (p.purposes) { categories.push({id: p.id, label: p.title || ''}); walk(p.purposes, p.id); }
        else if (group) services.push({id: p.id, label: p.title || '', groups: [group], required: !!p.isMandatory});
        else categories.push({id: p.id, label: p.title || '', required: !!p.isMandatory});
      });
      walk(o.config.purposes || [], null);
      return {level: services.length ? 'service' : 'category', categories, services,
              storage: [{kind: 'cookie', name: (o.config.cookie && o.config.cookie.name) || 'eu-consent'}]};
    }""",
    # Orejime 3's documented manager API (README "Orejime instance" / "Manager"): setConsent per purpose,
    # acceptAll / declineAll; the banner closes when the manager has a full set of consents
    apply_js="""(wanted) => { const m = window.orejime.manager; const ids = [];
      const walk = (ps, group) => ps.forEach(p => p.purposes ? walk(p.purposes, p.id) : ids.push([p, group]));
      walk(window.orejime.config.purposes || [], null);
      for (const [p, group] of ids) if (!p.isMandatory) m.setConsent(p.id, wanted.includes(p.id) || (!!group && wanted.includes(group)));
      return true; }""",
    accept_js="() => { window.orejime.manager.acceptAll(); return true; }",
    reject_js="() => { window.orejime.manager.declineAll(); return true; }",
    banner_js=f"() => ({_VISIBLE})(document.querySelector('.orejime-Notice, .orejime-Banner'))",
)

# Last resort, for hand-made banners: the first-party record (cookie or localStorage, any name the site chose) of
# a consent decision. Preferred: a JSON object of booleans under a consent-like name; then the same under any
# name; then a consent-like name holding one yes/no value (an all-or-nothing decision, key "*").
GENERIC_JSON = CmpAdapter(
    name="json-consent-cookie",
    generic=True,
    detect_js="() => /(?:^|; )[^=]*(consent|cookie|pref|privacy|gdpr|choice|keuze|toestemming|einwilligung|zustimmung|choix)[^=]*=/i.test(document.cookie)",
    state_js="""() => {
      const named = /consent|cookie|pref|privacy|gdpr|rgpd|dsgvo|choice|choix|keuze|toestemming|einwilligung|zustimmung|tracking/i;
      const yes = /^(true|yes|ja|oui|1|all|accepted?|allow(ed)?|granted|opt-?in)$/i;
      const no = /^(false|no|nee|nein|non|0|none|necessary|essential|rejected?|declined?|den(y|ied)|refused?|opt-?out)$/i;
      const entries = [];
      for (const part of document.cookie.split('; ')) { const i = part.indexOf('='); if (i > 0) entries.push(['cookie', part.slice(0, i), part.slice(i + 1)]); }
      try { for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i); entries.push(['localStorage', k, localStorage.getItem(k)]); } } catch (e) {}
      const objects = [], scalars = [];
      for (const [store, name, rawValue] of entries) {
        let text = rawValue; try { text = decodeURIComponent(rawValue); } catch (e) {}
        let v; try { v = JSON.parse(text); } catch (e) { v = text; }
        if (v && typeof v === 'object' && !Array.isArray(v)) {
          const src = (v.categories && typeof v.categories === 'object') ? v.categories : v;
          const cats = {}; for (const [k, val] of Object.entries(src)) if (typeof val === 'boolean') cats[k] = val;
          if (Object.keys(cats).length) objects.push({store, name, named: named.test(name), cats, value: v});
        } else if (named.test(name) && (yes.test(String(v)) || no.test(String(v)))) {
          scalars.push({store, name, cats: {'*': yes.test(String(v))}, value: v});
        }
      }
      const pick = objects.find(o => o.named) || scalars[0] || objects.find(o => Object.keys(o.cats).length >= 2);
      if (!pick) return null;
      return {decided: true, categories: pick.cats, raw: {store: pick.store, cookie: pick.name, value: pick.value}};
    }""",
    apply_js=None,
)

# Order matters: specific managers before the generic TCF reader (many managers also expose __tcfapi),
# the hand-made JSON cookie last.
ADAPTERS: tuple[CmpAdapter, ...] = (VANILLA, KLARO, TARTEAUCITRON, OREJIME, *SAAS_ADAPTERS, *WORDPRESS_ADAPTERS,
                                     *TCF_ADAPTERS, GENERIC_JSON)


def adapter(name: str) -> CmpAdapter | None:
    return next((a for a in ADAPTERS if a.name == name), None)
