"""Adapters for the consent managers sold as a service (their scripts live on the vendor's servers), and for Osano's
open-source Cookie Consent 3 (the npm ``cookieconsent`` package, still the base of many hand-configured banners).

Written from each vendor's public developer documentation (cookie formats as the vendors document them); the
CMP lab (``world/cmplab/saas.py``) runs the real ``cookieconsent`` and stand-ins of the other three. Each adapter
reads the manager's *stored* record back (cookie or localStorage), so a click that the manager did not persist
comes out unverified:

============================  ================================================================================
manager                       state read back
============================  ================================================================================
onetrust                      cookie ``OptanonConsent`` (``groups=C0001:1,C0002:0,…``); decided once the
                              ``OptanonAlertBoxClosed`` cookie exists (before that OneTrust already writes a
                              default record with ``interactionCount=0``)
cookiebot                     cookie ``CookieConsent`` (``{stamp:'…',necessary:true,preferences:…,statistics:…,
                              marketing:…,method:'explicit',…}``); decided when ``Cookiebot.hasResponse`` and
                              the cookie exists
usercentrics                  v3 ``__ucCmp.getConsentDetails()`` (services → categories), decided when its
                              ``consent.required`` is false and localStorage ``ucData`` holds the same consent
                              per category (its services' stored ``consent`` flags); v2
                              ``UC_UI.getServicesBaseInfo()`` + ``uc_user_interaction`` as a fallback
osano-cookieconsent           cookie ``cookieconsent_status`` (``allow`` / ``deny`` / ``dismiss``): all-or-nothing
============================  ================================================================================

Osano's "dismiss": in opt-in mode the popup offers only *deny* and *allow*; "dismiss" comes from the close
button of a ``basic-close`` layout or from ``dismissOnScroll`` / ``dismissOnTimeout`` / ``dismissOnWindowClick``.
The library's own ``hasConsented()`` counts it as consent (``allow`` or ``dismiss``) and sites release their
trackers on ``hasConsented()``, so a dismissal is reported as consent (``{"*": true}``, ``raw.implied: true``): it
is implied consent, never a refusal, and a "reject" that ends in "dismiss" must not verify.
"""

from __future__ import annotations

from .adapter import _VISIBLE, CmpAdapter

ONETRUST = CmpAdapter(
    name="onetrust",
    detect_js="() => !!(window.OneTrust || document.querySelector('#onetrust-banner-sdk'))",
    state_js="""() => {
      const m = document.cookie.match(/(?:^|; )OptanonConsent=([^;]*)/);
      if (!m) return (window.OneTrust || document.querySelector('#onetrust-banner-sdk')) ? {decided: false, categories: {}, raw: null} : null;
      // the value is URL-encoded key=value pairs: URLSearchParams decodes each value once (not the whole string first)
      const params = new URLSearchParams(m[1]); const cats = {};
      (params.get('groups') || '').split(',').forEach(g => { const [k, v] = g.split(':'); if (k) cats[k] = v === '1'; });
      const closed = document.cookie.match(/(?:^|; )OptanonAlertBoxClosed=([^;]*)/);
      return {decided: !!closed, categories: cats,
              raw: {...Object.fromEntries(params), OptanonAlertBoxClosed: closed ? decodeURIComponent(closed[1]) : null,
                    OnetrustActiveGroups: typeof window.OnetrustActiveGroups === 'string' ? window.OnetrustActiveGroups : null}};
    }""",
    # per category as a visitor does it: open the preference centre, set the documented category switches, confirm
    apply_js="""async (wanted) => {
      const OT = window.OneTrust;
      const pc = document.querySelector('#onetrust-pc-sdk');
      const shown = pc && pc.getClientRects().length > 0 && getComputedStyle(pc).display !== 'none';
      if (!shown) { OT.ToggleInfoDisplay(); await new Promise(r => setTimeout(r, 300)); }
      const boxes = document.querySelectorAll('#onetrust-pc-sdk input.category-switch-handler');
      if (!boxes.length) throw new Error('no category switches (input.category-switch-handler) in #onetrust-pc-sdk');
      for (const b of boxes) {
        const id = b.getAttribute('data-optanongroupid') || b.id.replace(/^ot-group-id-/, '');
        const on = wanted.includes(id);
        if (b.checked !== on) b.click();
      }
      const save = document.querySelector('#onetrust-pc-sdk .save-preference-btn-handler');
      if (!save) throw new Error('no confirm button (.save-preference-btn-handler) in #onetrust-pc-sdk');
      save.click();
      return true;
    }""",
    accept_js="() => { window.OneTrust.AllowAll(); return true; }",
    reject_js="() => { window.OneTrust.RejectAll(); return true; }",
    banner_js=f"() => ({_VISIBLE})(document.querySelector('#onetrust-banner-sdk'))",
    withdraw_js="() => { window.OneTrust.RejectAll(); return true; }",
    # OneTrust's default category ids (developer.onetrust.com "When Consent Changes"); a site that renamed or added
    # groups maps them with the domain's cmp_categories
    category_map={"C0001": "necessary", "C0002": "performance", "C0003": "functional", "C0004": "targeting",
                  "C0005": "targeting"},
)

COOKIEBOT = CmpAdapter(
    name="cookiebot",
    detect_js="() => !!(window.Cookiebot && window.Cookiebot.consent)",
    state_js="""() => {
      const c = window.Cookiebot; if (!c || !c.consent) return null;
      const m = document.cookie.match(/(?:^|; )CookieConsent=([^;]*)/);
      let raw = null, stored = null;
      if (m) {
        try { raw = decodeURIComponent(m[1]); } catch (e) { raw = m[1]; }
        if (raw === '-1') stored = {necessary: true, preferences: true, statistics: true, marketing: true, method: 'implied'};
        else {
          stored = {}; const re = /(\\w+):(?:'([^']*)'|([^,}]+))/g; let x;
          while ((x = re.exec(raw))) stored[x[1]] = x[2] !== undefined ? x[2] : (x[3] === 'true' ? true : x[3] === 'false' ? false : x[3]);
          if (!('necessary' in stored)) stored = null;
        }
      }
      // the stored cookie is the record; the in-page object only says whether there was a response
      const src = stored || c.consent;
      return {decided: !!c.hasResponse && !!stored,
              categories: {necessary: !!src.necessary, preferences: !!src.preferences, statistics: !!src.statistics,
                           marketing: !!src.marketing},
              raw: {consent: {...c.consent}, method: src.method || null, consented: !!c.consented, declined: !!c.declined,
                    hasResponse: !!c.hasResponse, cookie: raw}};
    }""",
    apply_js="""(wanted) => {
      window.Cookiebot.submitCustomConsent(wanted.includes('preferences'), wanted.includes('statistics'), wanted.includes('marketing'));
      window.Cookiebot.hide(); return true; }""",
    accept_js="() => { window.Cookiebot.submitCustomConsent(true, true, true); window.Cookiebot.hide(); return true; }",
    reject_js="() => { window.Cookiebot.submitCustomConsent(false, false, false); window.Cookiebot.hide(); return true; }",
    banner_js=f"() => ({_VISIBLE})(document.querySelector('#CybotCookiebotDialog'))",
    # withdraw() records the refusal and shows the dialog again (as autoconsent's rule does, hide it afterwards)
    withdraw_js="() => { window.Cookiebot.withdraw(); window.Cookiebot.hide(); return true; }",
    category_map={"necessary": "necessary", "preferences": "functional", "statistics": "performance",
                  "marketing": "targeting"},
)

USERCENTRICS = CmpAdapter(
    name="usercentrics",
    detect_js="() => !!(window.__ucCmp || window.UC_UI || document.querySelector('#usercentrics-cmp-ui, #usercentrics-root'))",
    state_js="""async () => {
      let stored = null;
      try { stored = JSON.parse(localStorage.getItem('ucData') || 'null'); } catch (e) { stored = null; }
      const api = window.__ucCmp;
      if (api && typeof api.getConsentDetails === 'function') {
        let d = null;
        try { d = await api.getConsentDetails(); } catch (e) { d = null; }
        if (d && d.consent) {
          const cats = {}, persisted = {};
          for (const [slug, c] of Object.entries(d.categories || {})) { cats[slug] = !!c.essential; persisted[slug] = !!c.essential; }
          const services = {};
          const kept = (stored && stored.consent && stored.consent.services) || {};
          for (const [id, s] of Object.entries(d.services || {})) {
            const given = s.consent ? !!s.consent.given : null;
            services[id] = {name: s.name, category: s.category, given};
            // a category counts as accepted when any of its services has consent (those services may run)
            if (given) cats[s.category] = true;
            if (kept[id] && kept[id].consent === true) persisted[s.category] = true;
          }
          // decided only when the record in localStorage says, category by category, what the API says
          const agrees = !!stored && Object.keys(cats).every(k => cats[k] === persisted[k]);
          return {decided: d.consent.required === false && agrees, categories: cats,
                  raw: {api: 'v3', status: d.consent.status, updatedBy: d.consent.updatedBy, type: d.consent.type,
                        setting: d.consent.setting, services, ucData: stored, storedAgrees: agrees}};
        }
      }
      const v2 = window.UC_UI;
      if (v2 && typeof v2.getServicesBaseInfo === 'function') {
        const cats = {};
        for (const s of v2.getServicesBaseInfo() || [])
          cats[s.categorySlug] = (cats[s.categorySlug] || false) || !!(s.consent && s.consent.status);
        return {decided: localStorage.getItem('uc_user_interaction') === 'true', categories: cats,
                raw: {api: 'v2', uc_settings: localStorage.getItem('uc_settings')}};
      }
      return (api || v2 || document.querySelector('#usercentrics-cmp-ui, #usercentrics-root'))
        ? {decided: false, categories: {}, raw: {ucData: stored}} : null;
    }""",
    apply_js="""async (wanted) => {
      const api = window.__ucCmp;
      if (api && typeof api.updateCategoriesConsents === 'function') {
        const d = await api.getConsentDetails();
        const list = Object.entries(d.categories || {}).filter(([, c]) => !c.essential)
          .map(([slug]) => ({id: slug, consent: wanted.includes(slug)}));
        await api.updateCategoriesConsents(list);
        await api.saveConsents();
        if (typeof api.closeCmp === 'function') await api.closeCmp();
        return true;
      }
      const v2 = window.UC_UI;   // v2: per service
      for (const s of v2.getServicesBaseInfo()) {
        if (s.isEssential) continue;
        if (wanted.includes(s.categorySlug)) await v2.acceptService(s.id); else await v2.rejectService(s.id);
      }
      if (typeof v2.closeCMP === 'function') await v2.closeCMP();
      return true;
    }""",
    accept_js="""async () => { const a = window.__ucCmp || window.UC_UI; await a.acceptAllConsents();
      if (a.closeCmp) await a.closeCmp(); else if (a.closeCMP) await a.closeCMP(); return true; }""",
    reject_js="""async () => { const a = window.__ucCmp || window.UC_UI; await a.denyAllConsents();
      if (a.closeCmp) await a.closeCmp(); else if (a.closeCMP) await a.closeCMP(); return true; }""",
    banner_js=f"""() => {{ const vis = {_VISIBLE};
      for (const sel of ['#usercentrics-cmp-ui', '#usercentrics-root']) {{
        const host = document.querySelector(sel);
        if (!host || !vis(host)) continue;
        const root = host.shadowRoot;
        if (!root) return true;   // a closed shadow root: the visible host is all that can be seen
        const dialog = root.querySelector('[role=dialog], [data-testid=uc-default-banner], [data-testid=uc-container]');
        if (dialog && vis(dialog)) return true;
      }}
      return false; }}""",
    # the default category slugs; a category made in the admin interface gets a generated slug
    # ("customCategory-<uuid>") that the domain maps with cmp_categories
    category_map={"essential": "necessary", "functional": "functional", "marketing": "targeting"},
)

OSANO = CmpAdapter(
    name="osano-cookieconsent",
    # Cookie Consent 3's namespace (cookieconsent.Popup) and its window or revoke tab; Complianz's categories fork
    # of the same library (.cc-type-categories) is not this manager
    detect_js="""() => !!(window.cookieconsent && window.cookieconsent.Popup && window.cookieconsent.hasInitialised
                        && document.querySelector('.cc-window, .cc-revoke') && !document.querySelector('.cc-type-categories'))""",
    state_js="""() => {
      const cc = window.cookieconsent;
      if (!(cc && cc.Popup && cc.status) || document.querySelector('.cc-type-categories')) return null;
      const m = document.cookie.match(/(?:^|; )cookieconsent_status=([^;]*)/);
      const status = m ? decodeURIComponent(m[1]) : null;
      const answered = Object.keys(cc.status).includes(status);
      const win = document.querySelector('.cc-window');
      const type = win ? ((win.className.match(/\\bcc-type-([\\w-]+)/) || [])[1] || null) : null;
      return {decided: answered,
              // hasConsented() of the library: allow or dismiss
              categories: answered ? {'*': status === cc.status.allow || status === cc.status.dismiss} : {},
              raw: {cookie: 'cookieconsent_status', status, type, implied: status === cc.status.dismiss}};
    }""",
    apply_js=None,
    # the library's own buttons (its documented classes cc-allow / cc-deny), clicked as a visitor would
    accept_js="""() => { const b = document.querySelector('.cc-window .cc-btn.cc-allow');
      if (!b) throw new Error('no .cc-allow button in the Cookie Consent window'); b.click(); return true; }""",
    reject_js="""() => { const b = document.querySelector('.cc-window .cc-btn.cc-deny');
      if (!b) throw new Error('no .cc-deny button in the Cookie Consent window (not an opt-in/opt-out popup)');
      b.click(); return true; }""",
    banner_js=f"() => ({_VISIBLE})(document.querySelector('.cc-window'))",
    # the revoke tab ("Cookie Policy", .cc-revoke) clears the answer and reopens the popup; then deny
    withdraw_js="""async () => {
      const r = document.querySelector('.cc-revoke');
      if (!r) throw new Error('no revoke tab (.cc-revoke): the site did not make the choice revokable');
      r.click();
      await new Promise(res => setTimeout(res, 100));
      const d = document.querySelector('.cc-window .cc-btn.cc-deny');
      if (!d) throw new Error('no .cc-deny button after revoking');
      d.click(); return true; }""",
    all_or_nothing=True,
)


SAAS_ADAPTERS: tuple[CmpAdapter, ...] = (ONETRUST, COOKIEBOT, USERCENTRICS, OSANO)
