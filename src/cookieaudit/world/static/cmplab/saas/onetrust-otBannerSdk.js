/*
 * STAND-IN for OneTrust's otBannerSdk.js (cdn.cookielaw.org/scripttemplates/<version>/otBannerSdk.js), cookieaudit
 * CMP lab. This is NOT OneTrust's code (it lives only on OneTrust's CDN and is not licensed for redistribution). It was
 * written from public documentation so that a scanner can be tested against the documented page contract; it proves
 * nothing about the live script.
 *
 * Sources followed:
 *   - OneTrust Cookie Consent JavaScript API (my.onetrust.com knowledge base "JavaScript API", and its many public
 *     uses): OneTrust.AllowAll(), RejectAll(), Close(), ToggleInfoDisplay(), IsAlertBoxClosed(),
 *     IsAlertBoxClosedAndValid(), UpdateConsent("Category", "C0004:1"), OnConsentChanged(fn), GetDomainData();
 *     the global callback OptanonWrapper() (after load and after every consent change); window.OnetrustActiveGroups
 *     (",C0001,C0003,") and the legacy window.OptanonActiveGroups; dataLayer events OneTrustLoaded / OptanonLoaded /
 *     OneTrustGroupsUpdated; the window event "consent.onetrust" (detail: the active group ids).
 *   - developer.onetrust.com "When Consent Changes": the default category ids C0001 Strictly Necessary, C0002
 *     Performance, C0003 Functional, C0004 Targeting (C0005 Social Media, not used by the lab site).
 *   - The first-party cookies (1 year): OptanonConsent, URL-encoded key=value pairs as on live sites and in the
 *     @commercetools-frontend/cookie-consent README (isGpcEnabled, datestamp, version, browserGpcFlag, isIABGlobal,
 *     hosts, consentId, interactionCount, isAnonUser, landingPath, groups=C0001:1,C0002:0,…, intType,
 *     AwaitingReconsent), written on the first page view with interactionCount=0; OptanonAlertBoxClosed (ISO time of
 *     the decision).
 *   - Script gating as in OneTrust's "blocking scripts" guide: <script type="text/plain" class="optanon-category-C0002">
 *     (several groups as optanon-category-C0002-C0004: all needed).
 *   - DOM ids/classes as encoded in DuckDuckGo autoconsent (lib/cmps/onetrust.ts, MPL-2.0):
 *     #onetrust-consent-sdk, #onetrust-banner-sdk, #onetrust-accept-btn-handler, #onetrust-reject-all-handler,
 *     #onetrust-pc-btn-handler, #onetrust-pc-sdk with input.category-switch-handler#ot-group-id-C0002,
 *     #accept-recommended-btn-handler, .ot-pc-refuse-all-handler, .save-preference-btn-handler, and the persistent
 *     "Cookie Settings" trigger .ot-sdk-show-settings.
 *
 * NOT implemented: OneTrust's script auto-blocking, cookie deletion on opt-out, IAB TCF/GPP, Google Consent Mode,
 * GPC handling (isGpcEnabled is always 0), geolocation rules and templates, consent logging to OneTrust's servers,
 * cross-domain consent, vendor (hosts/genVendors) lists, InsertScript/InsertHtml/changeLanguage/BlockGoogleAnalytics,
 * translations (Dutch only), reconsent. What UpdateConsent does beyond its signature is not documented publicly:
 * here it updates the group(s), writes OptanonConsent, re-evaluates the scripts and calls OptanonWrapper, without
 * closing the banner or writing OptanonAlertBoxClosed. Close() (the banner's X) records the current (default) state.
 * intType (1 accept all, 2 reject all, 3 confirm choices) is an assumption from live cookies.
 *
 * Lab knob: config.broken (page ?broken=1) stores C0004 (targeting) as granted whatever was chosen.
 */
(function (w, d) {
  'use strict';
  var CONFIG = /*@CONFIG@*/null || {};
  var GROUPS = [
    {id: 'C0001', name: 'Strikt noodzakelijke cookies', always: true,
      desc: 'Deze cookies zijn nodig om de website te laten werken en kunnen niet worden uitgeschakeld.'},
    {id: 'C0002', name: 'Prestatiecookies',
      desc: 'Met deze cookies tellen we bezoeken en verkeersbronnen (Google Analytics, Microsoft Clarity).'},
    {id: 'C0003', name: 'Functionele cookies', desc: 'Met deze cookies onthouden we uw voorkeuren, zoals taal en valuta.'},
    {id: 'C0004', name: 'Doelgerichte cookies', desc: 'Deze cookies worden geplaatst door advertentiepartners (Meta).'}
  ];
  var IDS = GROUPS.map(function (g) { return g.id; });
  var listeners = [];
  var state = {groups: {}, params: null, closed: null};

  // ---- cookies ---------------------------------------------------------------------------------------------------
  function cookie(name) {
    var m = d.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return m ? m[1] : null;
  }
  function setCookie(name, value) {
    d.cookie = name + '=' + value + '; max-age=31536000; path=/; SameSite=Lax; Secure';
  }
  function uuid() {
    return ([1e7] + -1e3 + -4e3 + -8e3 + -1e11).replace(/[018]/g, function (c) {
      return (c ^ (w.crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }
  function groupsString() {
    return IDS.map(function (id) { return id + ':' + (state.groups[id] ? 1 : 0); }).join(',');
  }
  function writeConsent(interacted, intType) {
    var p = state.params;
    p.set('isGpcEnabled', '0');
    p.set('datestamp', new Date().toString());
    p.set('version', CONFIG.version);
    p.set('browserGpcFlag', '0');
    p.set('isIABGlobal', 'false');
    p.set('hosts', '');
    if (!p.get('consentId')) { p.set('consentId', uuid()); }
    p.set('interactionCount', String(Number(p.get('interactionCount') || 0) + (interacted ? 1 : 0)));
    p.set('isAnonUser', '1');
    // the first page view records where the visitor landed; every later write says NotLandingPage
    p.set('landingPath', p.get('landingPath') === null && !interacted ? w.location.href : 'NotLandingPage');
    p.set('groups', groupsString());
    if (intType) { p.set('intType', String(intType)); }
    p.set('AwaitingReconsent', 'false');
    setCookie('OptanonConsent', p.toString());
  }
  function load() {
    var raw = cookie('OptanonConsent');
    state.params = new URLSearchParams(raw || '');
    IDS.forEach(function (id) { state.groups[id] = id === 'C0001'; });   // opt-in defaults: only C0001
    (state.params.get('groups') || '').split(',').forEach(function (g) {
      var kv = g.split(':');
      if (IDS.indexOf(kv[0]) >= 0) { state.groups[kv[0]] = kv[1] === '1'; }
    });
    state.closed = cookie('OptanonAlertBoxClosed');
    state.groups.C0001 = true;
    if (!raw) { writeConsent(false, null); }   // the first page view writes the (default) record
    else if (state.params.get('landingPath') !== 'NotLandingPage') { writeConsent(false, null); }
  }

  // ---- active groups, scripts, callbacks -------------------------------------------------------------------------
  function activeString() {
    return ',' + IDS.filter(function (id) { return state.groups[id]; }).join(',') + ',';
  }
  function publish(changed) {
    w.OnetrustActiveGroups = w.OptanonActiveGroups = activeString();
    w.dataLayer = w.dataLayer || [];
    if (changed) {
      w.dataLayer.push({event: 'OneTrustGroupsUpdated', OnetrustActiveGroups: w.OnetrustActiveGroups});
      var active = IDS.filter(function (id) { return state.groups[id]; });
      try { w.dispatchEvent(new CustomEvent('consent.onetrust', {detail: active})); } catch (e) { /* old browsers */ }
      listeners.forEach(function (fn) {
        try { fn({detail: active}); } catch (e) { if (w.console) { console.error(e); } }
      });
    }
    activateScripts();
    if (typeof w.OptanonWrapper === 'function') {
      try { w.OptanonWrapper(); } catch (e) { if (w.console) { console.error(e); } }
    }
  }
  function activateScripts() {
    if (d.readyState === 'loading') { return; }   // again on DOMContentLoaded
    var pending = d.querySelectorAll('script[type="text/plain"][class*="optanon-category-"]');
    Array.prototype.forEach.call(pending, function (el) {
      var m = el.className.match(/optanon-category-([\w-]+)/);
      var needs = m ? m[1].split('-') : [];
      if (!needs.length || !needs.every(function (id) { return state.groups[id]; })) { return; }
      var s = d.createElement('script');
      Array.prototype.forEach.call(el.attributes, function (a) {
        if (a.name !== 'type') { s.setAttribute(a.name, a.value); }
      });
      if (!el.getAttribute('src')) { s.text = el.text; }
      el.parentNode.replaceChild(s, el);
    });
  }

  // ---- decisions -------------------------------------------------------------------------------------------------
  function decide(groups, intType) {
    IDS.forEach(function (id) { state.groups[id] = id === 'C0001' || !!groups[id]; });
    if (CONFIG.broken) { state.groups.C0004 = true; }   // lab knob: stored state disagrees with the visitor
    writeConsent(true, intType);
    state.closed = new Date().toISOString();
    setCookie('OptanonAlertBoxClosed', state.closed);
    hide('onetrust-banner-sdk');
    hide('onetrust-pc-sdk');
    hideFilter();
    publish(true);
  }
  function all(on) {
    var g = {};
    IDS.forEach(function (id) { g[id] = on; });
    return g;
  }

  // ---- markup ----------------------------------------------------------------------------------------------------
  var CSS = '#onetrust-consent-sdk .ot-hide{display:none!important}' +
    '#onetrust-banner-sdk{position:fixed;bottom:0;left:0;right:0;z-index:2147483645;background:#fff;color:#222;' +
    'box-shadow:0 0 18px rgba(0,0,0,.2);padding:18px 24px;font:14px/1.5 Arial,sans-serif;display:flex;gap:24px;' +
    'align-items:center;flex-wrap:wrap}#onetrust-policy{flex:1 1 420px}#onetrust-policy-title{font-size:16px;margin:0 0 6px}' +
    '#onetrust-button-group{display:flex;gap:10px;flex-wrap:wrap}' +
    '#onetrust-consent-sdk button{font:600 14px Arial,sans-serif;padding:11px 18px;border:1px solid #68b631;' +
    'border-radius:2px;background:#fff;color:#68b631;cursor:pointer}' +
    '#onetrust-accept-btn-handler,#onetrust-reject-all-handler,#accept-recommended-btn-handler,' +
    '.ot-pc-refuse-all-handler,.save-preference-btn-handler{background:#68b631!important;color:#fff!important}' +
    '.onetrust-pc-dark-filter{position:fixed;inset:0;background:rgba(0,0,0,.5);z-index:2147483646}' +
    '#onetrust-pc-sdk{position:fixed;top:50%;left:50%;transform:translate(-50%,-50%);z-index:2147483647;background:#fff;' +
    'color:#222;width:min(640px,calc(100% - 32px));max-height:calc(100% - 40px);overflow:auto;box-sizing:border-box;' +
    'padding:20px 24px;font:14px/1.5 Arial,sans-serif;border-radius:4px}' +
    '#onetrust-pc-sdk .ot-cat-item{border-top:1px solid #ddd;padding:10px 0;display:flex;gap:12px;align-items:flex-start}' +
    '#onetrust-pc-sdk .ot-cat-item > div{flex:1}#onetrust-pc-sdk h4{margin:0 0 4px;font-size:15px}' +
    '#onetrust-pc-sdk .ot-always-active{color:#3860be;font-weight:700}' +
    '#onetrust-pc-sdk .ot-pc-footer{display:flex;gap:10px;justify-content:flex-end;flex-wrap:wrap;margin-top:12px}';

  function el(tag, attrs, children) {
    var n = d.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === false || attrs[k] === null || attrs[k] === undefined) { return; }
      if (k === 'text') { n.textContent = attrs[k]; } else { n.setAttribute(k, attrs[k] === true ? '' : attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { n.appendChild(c); } });
    return n;
  }
  function show(id) { var n = d.getElementById(id); if (n) { n.classList.remove('ot-hide'); } }
  function hide(id) { var n = d.getElementById(id); if (n) { n.classList.add('ot-hide'); } }
  function hideFilter() { var f = d.querySelector('.onetrust-pc-dark-filter'); if (f) { f.classList.add('ot-hide'); } }
  function isShown(id) { var n = d.getElementById(id); return !!n && !n.classList.contains('ot-hide'); }

  function banner() {
    return el('div', {id: 'onetrust-banner-sdk', 'class': 'otFlat ot-bottom', tabindex: '0', role: 'region',
      'aria-label': 'Cookiebanner'}, [
      el('div', {role: 'alertdialog', 'aria-describedby': 'onetrust-policy-text', id: 'onetrust-policy'}, [
        el('h2', {id: 'onetrust-policy-title', text: 'Wij respecteren uw privacy'}),
        el('div', {id: 'onetrust-policy-text', text: 'Met uw toestemming gebruiken wij cookies om bezoeken te meten, ' +
          'uw voorkeuren te onthouden en advertenties te tonen. Via "Cookie-instellingen" kiest u per categorie.'})
      ]),
      el('div', {id: 'onetrust-button-group-parent'}, [el('div', {id: 'onetrust-button-group'}, [
        el('button', {id: 'onetrust-pc-btn-handler', type: 'button', text: 'Cookie-instellingen'}),
        el('button', {id: 'onetrust-reject-all-handler', type: 'button', text: 'Alles weigeren'}),
        el('button', {id: 'onetrust-accept-btn-handler', type: 'button', text: 'Alle cookies accepteren'})
      ])])
    ]);
  }
  function category(g) {
    var control = g.always
      ? el('div', {'class': 'ot-always-active', text: 'Altijd actief'})
      : el('div', {'class': 'ot-tgl'}, [
        el('input', {type: 'checkbox', name: 'ot-group-id-' + g.id, id: 'ot-group-id-' + g.id,
          'class': 'category-switch-handler', 'data-optanongroupid': g.id, 'aria-checked': 'false',
          'aria-labelledby': 'ot-header-id-' + g.id}),
        el('label', {'class': 'ot-switch', 'for': 'ot-group-id-' + g.id},
          [el('span', {'class': 'ot-label-txt', text: g.name})])
      ]);
    return el('div', {'class': 'ot-accordion-layout ot-cat-item', 'data-optanongroupid': g.id}, [
      el('div', {}, [el('h4', {id: 'ot-header-id-' + g.id, text: g.name}), el('p', {text: g.desc})]),
      control
    ]);
  }
  function preferenceCentre() {
    return el('div', {id: 'onetrust-pc-sdk', 'class': 'otPcCenter ot-hide ot-fade-in', role: 'dialog',
      'aria-modal': 'true', 'aria-labelledby': 'ot-pc-title', lang: 'nl'}, [
      el('h2', {id: 'ot-pc-title', text: 'Privacyvoorkeurcentrum'}),
      el('p', {id: 'ot-pc-desc', text: 'Kies per categorie welke cookies u toestaat.'}),
      el('button', {id: 'accept-recommended-btn-handler', type: 'button', text: 'Alles toestaan'}),
      el('section', {'class': 'ot-sdk-row ot-cat-grp'}, GROUPS.map(category)),
      el('div', {'class': 'ot-pc-footer'}, [
        el('button', {'class': 'ot-pc-refuse-all-handler', type: 'button', text: 'Alles weigeren'}),
        el('button', {'class': 'save-preference-btn-handler onetrust-close-btn-handler', type: 'button',
          text: 'Mijn keuzes bevestigen'})
      ])
    ]);
  }
  function syncSwitches() {
    GROUPS.forEach(function (g) {
      var b = d.getElementById('ot-group-id-' + g.id);
      if (b) { b.checked = !!state.groups[g.id]; b.setAttribute('aria-checked', b.checked ? 'true' : 'false'); }
    });
  }
  function render() {
    if (d.getElementById('onetrust-consent-sdk')) { return; }
    (d.head || d.documentElement).appendChild(el('style', {id: 'onetrust-style', text: CSS}));
    var root = el('div', {id: 'onetrust-consent-sdk'}, [
      el('div', {'class': 'onetrust-pc-dark-filter ot-hide ot-fade-in'}), banner(), preferenceCentre()]);
    if (state.closed) { root.querySelector('#onetrust-banner-sdk').classList.add('ot-hide'); }
    d.body.appendChild(root);
    root.addEventListener('change', function (e) {
      var t = e.target;
      if (t && t.classList && t.classList.contains('category-switch-handler')) {
        t.setAttribute('aria-checked', t.checked ? 'true' : 'false');
      }
    });
    root.addEventListener('click', function (e) {
      var t = e.target && e.target.closest ? e.target.closest('button') : null;
      if (!t) { return; }
      if (t.id === 'onetrust-accept-btn-handler' || t.id === 'accept-recommended-btn-handler') { OT.AllowAll(); }
      else if (t.id === 'onetrust-reject-all-handler' || t.classList.contains('ot-pc-refuse-all-handler')) { OT.RejectAll(); }
      else if (t.id === 'onetrust-pc-btn-handler') { OT.ToggleInfoDisplay(); }
      else if (t.classList.contains('save-preference-btn-handler')) {
        var g = {};
        GROUPS.forEach(function (x) {
          var b = d.getElementById('ot-group-id-' + x.id);
          g[x.id] = x.always || !!(b && b.checked);
        });
        decide(g, 3);
      }
    });
  }

  // ---- the API ---------------------------------------------------------------------------------------------------
  var OT = {
    AllowAll: function () { decide(all(true), 1); },
    RejectAll: function () { decide(all(false), 2); },
    Close: function () {
      if (!state.closed) { decide(state.groups, null); return; }
      hide('onetrust-banner-sdk'); hide('onetrust-pc-sdk'); hideFilter();
    },
    ToggleInfoDisplay: function () {
      if (isShown('onetrust-pc-sdk')) {
        hide('onetrust-pc-sdk'); hideFilter();
      } else {
        syncSwitches();
        show('onetrust-pc-sdk');
        var f = d.querySelector('.onetrust-pc-dark-filter');
        if (f) { f.classList.remove('ot-hide'); }
      }
    },
    IsAlertBoxClosed: function () { return !!cookie('OptanonAlertBoxClosed'); },
    IsAlertBoxClosedAndValid: function () { return !!cookie('OptanonAlertBoxClosed'); },
    UpdateConsent: function (type, value) {
      if (type !== 'Category' || typeof value !== 'string') { return; }
      value.split(',').forEach(function (pair) {
        var kv = pair.trim().split(':');
        var id = /^\d+$/.test(kv[0]) ? 'C000' + kv[0] : kv[0];   // "4:1" is accepted as shorthand for C0004
        if (IDS.indexOf(id) >= 0 && id !== 'C0001') { state.groups[id] = kv[1] === '1'; }
      });
      if (CONFIG.broken) { state.groups.C0004 = true; }
      writeConsent(true, null);
      publish(true);
    },
    OnConsentChanged: function (fn) { if (typeof fn === 'function') { listeners.push(fn); } },
    GetDomainData: function () {
      return {
        Groups: GROUPS.map(function (g) {
          return {CustomGroupId: g.id, OptanonGroupId: g.id, GroupName: g.name, GroupDescription: g.desc,
            Status: g.always ? 'always active' : 'inactive'};
        }),
        ShowAlertNotice: true, IsIabEnabled: false, Language: {Culture: 'nl'}
      };
    },
    getGeolocationData: function () { return {country: 'NL', state: ''}; },
    testLog: function () { return []; }
  };

  // ---- start -----------------------------------------------------------------------------------------------------
  load();
  w.OneTrust = OT;
  w.Optanon = OT;   // legacy name of the same API
  d.addEventListener('click', function (e) {   // the persistent "Cookie Settings" trigger(s)
    var t = e.target && e.target.closest ? e.target.closest('.ot-sdk-show-settings') : null;
    if (t) { e.preventDefault(); OT.ToggleInfoDisplay(); }
  });
  var start = function () {
    render();
    publish(false);
    w.dataLayer = w.dataLayer || [];
    w.dataLayer.push({event: 'OneTrustLoaded', OnetrustActiveGroups: w.OnetrustActiveGroups});
    w.dataLayer.push({event: 'OptanonLoaded', OptanonActiveGroups: w.OptanonActiveGroups});
  };
  if (d.readyState === 'loading') { d.addEventListener('DOMContentLoaded', start); } else { start(); }
})(window, document);
