/*
 * STAND-IN for the Usercentrics Web CMP v3 loader (https://web.cmp.usercentrics.eu/ui/loader.js), cookieaudit CMP
 * lab. This is NOT Usercentrics' code (it lives only on Usercentrics' CDN and is not licensed for redistribution). It
 * was written from public documentation so that a scanner can be tested against the documented page contract; it
 * proves nothing about the live script.
 *
 * Sources followed:
 *   - Usercentrics web documentation (usercentrics.com/docs/web): the script tag
 *     <script id="usercentrics-cmp" src="https://web.cmp.usercentrics.eu/ui/loader.js" data-settings-id="…" async>;
 *     the v3 API on window.__ucCmp, every method returning a Promise: acceptAllConsents(), denyAllConsents(),
 *     changeLanguage(), getActiveLanguage(), getConsentDetails(), getControllerId(), isConsentRequired(),
 *     isInitialized(), saveConsents(), updateCategoriesConsents([{id, consent}]), updateServicesConsents([{id,
 *     consent}]) ("updating consents doesn't save them: also call saveConsents"), and the control-UI methods
 *     showFirstLayer(), showSecondLayer(), showServiceDetails(id), closeCmp(); the window events UC_UI_INITIALIZED,
 *     UC_UI_CMP_EVENT and UC_CONSENT.
 *   - The v3 interfaces: ConsentDetails {consent: ConsentData, services: Record<id, ServiceData>, categories:
 *     Record<slug, CategoryData>}; ConsentData.status ALL_ACCEPTED | ALL_DENIED | SOME_ACCEPTED | SOME_DENIED (with
 *     serviceIds), required, controllerId, createdAt, updatedAt, updatedBy (onAcceptAllServices, onDenyAllServices,
 *     onUpdateServices, onInitialPageLoad), type IMPLICIT | EXPLICIT, setting {id, type: 'GDPR', version};
 *     ServiceData {name, version, category, essential, consent {given, type}}; CategoryData {essential, state, dps}.
 *   - Storage: localStorage "ucData" = {gcm: {...}, consent: {services: {<id>: {name, consent}}}} as read by
 *     Usercentrics' own blocker and by public integrations; "ucString" holds the consent model.
 *   - Script gating: <script type="text/plain" data-usercentrics="<service name>">, activated once that service has
 *     consent (Usercentrics "Direct Implementation" guide).
 *   - The UI: <aside id="usercentrics-cmp-ui"> with an OPEN shadow root holding buttons #accept.uc-accept-button,
 *     #deny.uc-deny-button, #more.uc-more-button, #save.uc-save-button carrying data-action-type
 *     accept|deny|more|save (DuckDuckGo autoconsent rules/autoconsent/usercentrics-api.json, MPL-2.0, and public
 *     Selenium scripts that reach these buttons through element.shadowRoot).
 *   - v3 also answers the v2 window.UC_UI API (a compatibility layer): isInitialized(), acceptAllConsents(),
 *     denyAllConsents(), closeCMP(), showFirstLayer(), showSecondLayer(), getServicesBaseInfo(), acceptService(id),
 *     rejectService(id), areAllConsentsAccepted() (synchronous boolean, as autoconsent's rule expects).
 *
 * NOT implemented: fetching settings from Usercentrics' servers (the lab's settings are inlined below), consent
 * logging (uct.service.usercentrics.eu), IAB TCF/GPP and Google Consent Mode calls (the gcm flags are only stored),
 * cross-domain consent sharing, the Smart Data Protector/auto-blocker (privacy-proxy.usercentrics.eu), embeddings,
 * the privacy button, translations (Dutch only), resurfacing, A/B variants. "ucString" is stored as plain base64 of
 * the JSON consent model (the real one is lz-string compressed). The template ids of Google Analytics (HkocEodjb7),
 * Facebook Pixel (ryDQcVoOoZQ) and the Usercentrics CMP itself (H1Vl5NidjWX) are the documented ones; the ids of
 * Microsoft Clarity and the lab's own preference service are made up.
 *
 * Lab knob: config.broken (page ?broken=1) stores the marketing category as granted whatever was chosen.
 */
(function (w, d) {
  'use strict';
  var CONFIG = /*@CONFIG@*/null || {};
  var STATS = CONFIG.statisticsCategory || 'customCategory-statistics';
  var SETTINGS = {
    id: CONFIG.settingsId, version: '1.4.2', language: 'nl',
    categories: [
      {slug: 'essential', label: 'Essentieel', essential: true,
        description: 'Nodig voor de basisfuncties van de website en voor het opslaan van uw keuze.'},
      {slug: 'functional', label: 'Functioneel', description: 'Onthoudt uw voorkeuren, zoals taal en valuta.'},
      {slug: STATS, label: 'Statistieken', description: 'Bezoekersstatistieken (Google Analytics, Microsoft Clarity).'},
      {slug: 'marketing', label: 'Marketing', description: 'Gerichte advertenties (Meta).'}
    ],
    services: [
      {id: 'H1Vl5NidjWX', name: 'Usercentrics Consent Management Platform', category: 'essential'},
      {id: 'HkocEodjb7', name: 'Google Analytics', category: STATS, gcm: {analyticsStorage: true}},
      {id: 'cmplabClarity1', name: 'Microsoft Clarity', category: STATS},
      {id: 'ryDQcVoOoZQ', name: 'Facebook Pixel', category: 'marketing', gcm: {adStorage: true}},
      {id: 'cmplabPrefs01', name: 'Lab-voorkeuren', category: 'functional'}
    ]
  };
  var me = d.getElementById('usercentrics-cmp') || d.currentScript;
  var settingsId = me && (me.getAttribute('data-settings-id') || me.getAttribute('data-ruleset-id'));
  if (settingsId !== SETTINGS.id) {
    if (w.console) { console.error('Usercentrics: unknown settings id ' + settingsId); }
    return;
  }
  var CAT = {};
  SETTINGS.categories.forEach(function (c) { CAT[c.slug] = c; });
  function essential(s) { return !!CAT[s.category].essential; }

  // ---- state -----------------------------------------------------------------------------------------------------
  var given = {};      // the applied consent per service id
  var pending = null;  // updates not yet saved
  var meta = null;     // the stored ConsentData (null: no decision yet)
  var controllerId = null;
  var initialized = false;
  var layer = null;    // null | 'first' | 'second'

  function defaults() {
    var g = {};
    SETTINGS.services.forEach(function (s) { g[s.id] = essential(s); });
    return g;
  }
  function randomId() {
    var a = new Uint8Array(32), s = '';
    w.crypto.getRandomValues(a);
    for (var i = 0; i < a.length; i++) { s += ('0' + a[i].toString(16)).slice(-2); }
    return s;
  }
  function status(g) {
    var acc = [], den = [];
    SETTINGS.services.forEach(function (s) { if (!essential(s)) { (g[s.id] ? acc : den).push(s.id); } });
    if (!den.length) { return {status: 'ALL_ACCEPTED', serviceIds: []}; }
    if (!acc.length) { return {status: 'ALL_DENIED', serviceIds: []}; }
    return den.length > acc.length ? {status: 'SOME_ACCEPTED', serviceIds: acc} : {status: 'SOME_DENIED', serviceIds: den};
  }
  function load() {
    given = defaults();
    var data = null, model = null;
    try { data = JSON.parse(w.localStorage.getItem('ucData') || 'null'); } catch (e) { data = null; }
    try { model = JSON.parse(atob(w.localStorage.getItem('ucString') || '')); } catch (e) { model = null; }
    if (data && data.consent && data.consent.services && model && model.controllerId) {
      SETTINGS.services.forEach(function (s) {
        var e = data.consent.services[s.id];
        given[s.id] = essential(s) || !!(e && e.consent);
      });
      meta = model;
      controllerId = model.controllerId;
    }
  }
  function store(updatedBy) {
    var now = Date.now();
    controllerId = controllerId || randomId();
    var st = status(given);
    meta = {status: st.status, serviceIds: st.serviceIds, required: false, version: 3, controllerId: controllerId,
      language: SETTINGS.language, createdAt: meta ? meta.createdAt : now, updatedAt: now, updatedBy: updatedBy,
      setting: {id: SETTINGS.id, type: 'GDPR', version: SETTINGS.version}, type: 'EXPLICIT', hash: ''};
    var services = {}, gcm = {analyticsStorage: 'denied', adStorage: 'denied', adUserData: 'denied',
      adPersonalization: 'denied'};
    SETTINGS.services.forEach(function (s) {
      services[s.id] = {name: s.name, consent: !!given[s.id]};
      if (s.gcm && given[s.id]) {
        if (s.gcm.analyticsStorage) { gcm.analyticsStorage = 'granted'; }
        if (s.gcm.adStorage) { gcm.adStorage = gcm.adUserData = gcm.adPersonalization = 'granted'; }
      }
    });
    w.localStorage.setItem('ucData', JSON.stringify({gcm: gcm, consent: {services: services}}));
    w.localStorage.setItem('ucString', btoa(JSON.stringify(meta)));
  }

  function details() {
    var services = {}, categories = {};
    SETTINGS.services.forEach(function (s) {
      services[s.id] = {name: s.name, version: '1.0.0', category: s.category, essential: essential(s),
        consent: meta || essential(s) ? {given: !!given[s.id], type: meta ? meta.type : 'IMPLICIT'} : undefined};
    });
    SETTINGS.categories.forEach(function (c) {
      var dps = {}, on = 0, n = 0;
      SETTINGS.services.forEach(function (s) {
        if (s.category === c.slug) { dps[s.id] = !!given[s.id]; n++; if (given[s.id]) { on++; } }
      });
      categories[c.slug] = {essential: !!c.essential, state: on === 0 ? 'ALL_DENIED' : (on === n ? 'ALL_ACCEPTED' :
        'SOME_ACCEPTED'), dps: n ? dps : null};
    });
    var consent = meta ? JSON.parse(JSON.stringify(meta)) : {status: status(given).status, serviceIds: [],
      required: true, version: 3, controllerId: controllerId || '', language: SETTINGS.language, createdAt: 0,
      updatedAt: 0, updatedBy: 'onInitialPageLoad', setting: {id: SETTINGS.id, type: 'GDPR', version: SETTINGS.version},
      type: 'IMPLICIT', hash: ''};
    return {consent: consent, services: services, categories: categories};
  }

  // ---- effects of a saved decision -------------------------------------------------------------------------------
  function unblock() {
    if (d.readyState === 'loading') { return; }   // again on DOMContentLoaded
    var byName = {};
    SETTINGS.services.forEach(function (s) { byName[s.name] = !!given[s.id]; });
    var pendingTags = d.querySelectorAll('script[type="text/plain"][data-usercentrics]');
    Array.prototype.forEach.call(pendingTags, function (el) {
      if (!byName[el.getAttribute('data-usercentrics')]) { return; }
      var s = d.createElement('script');
      Array.prototype.forEach.call(el.attributes, function (a) {
        if (a.name !== 'type' && a.name !== 'data-usercentrics') { s.setAttribute(a.name, a.value); }
      });
      if (!el.getAttribute('src')) { s.text = el.text; }
      s.type = 'application/javascript';
      el.parentNode.replaceChild(s, el);
    });
  }
  function emit(name, detail) {
    try { w.dispatchEvent(new CustomEvent(name, {detail: detail})); } catch (e) { /* old browsers */ }
  }
  function save(updatedBy, source, type) {
    if (pending) {
      Object.keys(pending).forEach(function (id) { given[id] = pending[id]; });
      pending = null;
    }
    SETTINGS.services.forEach(function (s) { if (essential(s)) { given[s.id] = true; } });
    if (CONFIG.broken) {   // lab knob: the stored state disagrees with the visitor
      SETTINGS.services.forEach(function (s) { if (s.category === 'marketing') { given[s.id] = true; } });
    }
    store(updatedBy);
    unblock();
    if (source) { emit('UC_UI_CMP_EVENT', {source: source, type: type}); }
    emit('UC_CONSENT', details());
  }
  function stage(list, byCategory) {
    pending = pending || {};
    (list || []).forEach(function (u) {
      SETTINGS.services.forEach(function (s) {
        if ((byCategory ? s.category : s.id) === u.id && !essential(s)) { pending[s.id] = !!u.consent; }
      });
    });
  }
  function acceptAll(source) {
    pending = null;
    SETTINGS.services.forEach(function (s) { given[s.id] = true; });
    save('onAcceptAllServices', source, 'ACCEPT_ALL');
    close();
  }
  function denyAll(source) {
    pending = null;
    SETTINGS.services.forEach(function (s) { given[s.id] = essential(s); });
    save('onDenyAllServices', source, 'DENY_ALL');
    close();
  }

  // ---- the UI (open shadow root) ---------------------------------------------------------------------------------
  var CSS = ':host{all:initial}.cmp-wrapper{position:fixed;z-index:2147483647;background:#fff;color:#303030;' +
    'font:14px/1.5 BlinkMacSystemFont,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;box-sizing:border-box;' +
    'box-shadow:0 -2px 20px rgba(0,0,0,.25);border-radius:8px;padding:20px 24px}' +
    '.first{left:50%;bottom:16px;transform:translateX(-50%);width:min(720px,calc(100% - 32px))}' +
    '.second{left:50%;top:50%;transform:translate(-50%,-50%);width:min(560px,calc(100% - 32px));max-height:90%;overflow:auto}' +
    'h2{font-size:18px;margin:0 0 8px}.buttons{display:flex;gap:8px;flex-wrap:wrap;justify-content:flex-end;margin-top:14px}' +
    'button{font-weight:600;font-size:14px;font-family:inherit;padding:10px 16px;border-radius:4px;border:0;cursor:pointer;background:#f5f5f5;color:#303030}' +
    'button.accept,button.deny{background:#0045a5;color:#fff}.category{border-top:1px solid #e6e6e6;padding:8px 0}' +
    '.category label{font-weight:600}.category p{margin:2px 0 0;color:#595959}';

  function el(tag, attrs, children) {
    var n = d.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === false || attrs[k] === null || attrs[k] === undefined) { return; }
      if (k === 'text') { n.textContent = attrs[k]; } else { n.setAttribute(k, attrs[k] === true ? '' : attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { n.appendChild(c); } });
    return n;
  }
  var host = null, root = null;
  function ensureHost() {
    if (host) { return; }
    host = el('aside', {id: 'usercentrics-cmp-ui', 'data-nosnippet': 'true', style: 'display:none'});
    root = host.attachShadow({mode: 'open'});
    d.body.appendChild(host);
    root.addEventListener('click', function (e) {
      var t = e.target && e.target.closest ? e.target.closest('[data-action-type]') : null;
      if (!t) { return; }
      var from = layer === 'second' ? 'SECOND_LAYER' : 'FIRST_LAYER';
      var action = t.getAttribute('data-action-type');
      if (action === 'accept') { acceptAll(from); }
      else if (action === 'deny') { denyAll(from); }
      else if (action === 'more') { open('second'); emit('UC_UI_CMP_EVENT', {source: from, type: 'MORE_INFO'}); }
      else if (action === 'save') {
        var list = [];
        SETTINGS.categories.forEach(function (c) {
          var box = root.getElementById('toggle-' + c.slug);
          if (box && !c.essential) { list.push({id: c.slug, consent: box.checked}); }
        });
        stage(list, true);
        save('onUpdateServices', from, 'SAVE');
        close();
      }
    });
  }
  function button(action, label) {
    return el('button', {id: action, 'class': action + ' uc-' + action + '-button', 'data-action-type': action,
      'data-testid': 'uc-' + action + '-button', type: 'button', text: label});
  }
  function firstLayer() {
    return el('div', {id: 'uc-main-dialog', 'class': 'cmp-wrapper first', role: 'dialog', 'aria-modal': 'false',
      'aria-labelledby': 'uc-title', 'data-testid': 'uc-default-banner'}, [
      el('h2', {id: 'uc-title', text: 'Wij gebruiken cookies'}),
      el('p', {id: 'uc-text', text: 'Met uw toestemming gebruiken wij diensten voor statistieken, voorkeuren en ' +
        'advertenties. U kunt uw keuze altijd aanpassen via "Cookie-instellingen" onderaan de pagina.'}),
      el('div', {'class': 'buttons', 'data-testid': 'uc-buttons-container'},
        [button('more', 'Instellingen'), button('deny', 'Weigeren'), button('accept', 'Alles accepteren')])
    ]);
  }
  function secondLayer() {
    var cats = SETTINGS.categories.map(function (c) {
      var on = SETTINGS.services.some(function (s) {
        var v = pending && s.id in pending ? pending[s.id] : given[s.id];
        return s.category === c.slug && v;
      });
      var names = SETTINGS.services.filter(function (s) { return s.category === c.slug; })
        .map(function (s) { return s.name; }).join(', ');
      return el('div', {'class': 'category', 'data-testid': 'uc-category-' + c.slug}, [
        el('label', {'for': 'toggle-' + c.slug}, [
          el('input', {type: 'checkbox', role: 'switch', id: 'toggle-' + c.slug, 'data-category': c.slug,
            checked: c.essential || on, disabled: !!c.essential}),
          d.createTextNode(' ' + c.label)
        ]),
        el('p', {text: c.description + ' (' + names + ')'})
      ]);
    });
    return el('div', {id: 'uc-privacy-settings', 'class': 'cmp-wrapper second', role: 'dialog', 'aria-modal': 'true',
      'aria-labelledby': 'uc-title-2', 'data-testid': 'uc-second-layer'}, [
      el('h2', {id: 'uc-title-2', text: 'Privacy-instellingen'}),
      el('div', {'class': 'categories'}, cats),
      el('div', {'class': 'buttons'}, [button('deny', 'Alles weigeren'), button('save', 'Opslaan'),
        button('accept', 'Alles accepteren')])
    ]);
  }
  function open(which) {
    var go = function () {
      ensureHost();
      while (root.firstChild) { root.removeChild(root.firstChild); }
      root.appendChild(el('style', {text: CSS}));
      root.appendChild(which === 'second' ? secondLayer() : firstLayer());
      host.style.display = '';
      layer = which;
      emit('UC_UI_CMP_EVENT', {source: which === 'second' ? 'SECOND_LAYER' : 'FIRST_LAYER', type: 'CMP_SHOWN'});
    };
    if (d.body) { go(); } else { d.addEventListener('DOMContentLoaded', go); }
  }
  function close() {
    if (!host) { return; }
    while (root.firstChild) { root.removeChild(root.firstChild); }
    host.style.display = 'none';
    layer = null;
  }

  // ---- the APIs --------------------------------------------------------------------------------------------------
  var P = function (v) { return Promise.resolve(v); };
  var API = {
    acceptAllConsents: function () { acceptAll('API'); return P(); },
    denyAllConsents: function () { denyAll('API'); return P(); },
    changeLanguage: function () { return P(); },
    getActiveLanguage: function () { return P(SETTINGS.language); },
    getConsentDetails: function () { return P(details()); },
    getControllerId: function () { return P(controllerId || ''); },
    isConsentRequired: function () { return P(!meta); },
    isInitialized: function () { return P(initialized); },
    saveConsents: function () { save('onUpdateServices', 'API', 'SAVE'); return P(); },
    updateCategoriesConsents: function (list) { stage(list, true); return P(); },
    updateServicesConsents: function (list) { stage(list, false); return P(); },
    updateTcfConsents: function () { return Promise.reject(new Error('TCF is not enabled for these settings')); },
    showFirstLayer: function () { open('first'); return P(); },
    showSecondLayer: function () { open('second'); return P(); },
    showServiceDetails: function () { open('second'); return P(); },
    closeCmp: function () { close(); return P(); }
  };
  var V2 = {   // v3's compatibility layer for the v2 window.UC_UI API
    isInitialized: function () { return initialized; },
    acceptAllConsents: function () { acceptAll('API'); return P(); },
    denyAllConsents: function () { denyAll('API'); return P(); },
    denyAllConsentsAndCloseInitialLayer: function () { denyAll('API'); return P(); },
    acceptService: function (id) { stage([{id: id, consent: true}], false); save('onUpdateServices', 'API', 'SAVE'); return P(); },
    rejectService: function (id) { stage([{id: id, consent: false}], false); save('onUpdateServices', 'API', 'SAVE'); return P(); },
    areAllConsentsAccepted: function () { return SETTINGS.services.every(function (s) { return !!given[s.id]; }); },
    isConsentRequired: function () { return !meta; },
    getServicesBaseInfo: function () {
      return SETTINGS.services.map(function (s) {
        return {id: s.id, name: s.name, categorySlug: s.category, isEssential: essential(s),
          consent: {status: !!given[s.id], history: []}};
      });
    },
    getControllerId: function () { return controllerId || ''; },
    getSettingsCore: function () { return {id: SETTINGS.id, version: SETTINGS.version}; },
    closeCMP: function () { close(); return P(); },
    showFirstLayer: function () { open('first'); },
    showSecondLayer: function () { open('second'); }
  };

  // ---- start -----------------------------------------------------------------------------------------------------
  load();
  w.__ucCmp = API;
  w.UC_UI = V2;
  d.addEventListener('DOMContentLoaded', function () { if (meta) { unblock(); } });
  initialized = true;
  if (meta) { unblock(); } else { open('first'); }
  emit('UC_UI_INITIALIZED', {});
})(window, document);
