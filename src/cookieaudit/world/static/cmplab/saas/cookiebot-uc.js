/*
 * STAND-IN for Cookiebot CMP's uc.js (https://consent.cookiebot.com/uc.js?cbid=…), cookieaudit CMP lab.
 * This is NOT Cookiebot's code: Cookiebot's script exists only on Usercentrics/Cybot's servers (and is not licensed
 * for redistribution). It was written from the vendor's public documentation so that a scanner can be tested
 * against the documented page contract; it proves nothing about the live script.
 *
 * Sources followed:
 *   - Cookiebot developer documentation, https://www.cookiebot.com/en/developer/ : the `Cookiebot` object
 *     (consent.necessary/preferences/statistics/marketing, consent.method 'explicit'|'implied', consented, declined,
 *     hasResponse, doNotTrack; show(), hide(), renew(), withdraw(), submitCustomConsent(optinPreferences,
 *     optinStatistics, optinMarketing), runScripts(), getScript()), the window events CookiebotOnLoad,
 *     CookiebotOnConsentReady, CookiebotOnAccept, CookiebotOnDecline, CookiebotOnDialogInit, CookiebotOnDialogDisplay,
 *     CookiebotOnTagsExecuted and the CookiebotCallback_On* functions; manual script marking
 *     <script type="text/plain" data-cookieconsent="statistics"> (several categories comma-separated: all needed).
 *   - Cookiebot support articles "Changing or withdrawing consent" (renew()/withdraw() show the dialog) and the
 *     legacy knowledge base (the object is also reachable as window.CookieConsent).
 *   - The first-party cookie `CookieConsent` (1 year) in the format seen on live sites:
 *     {stamp:'…',necessary:true,preferences:false,statistics:true,marketing:false,method:'explicit',ver:1,
 *      utc:1731969341591,region:'nl'} with the commas written as %2C (Cookiebot's developer documentation and public repositories).
 *   - Dialog ids as encoded in DuckDuckGo autoconsent (lib/cmps/cookiebot.ts, MPL-2.0):
 *     #CybotCookiebotDialog, decline #CybotCookiebotDialogBodyLevelButtonLevelOptinDeclineAll, "allow selection"
 *     #CybotCookiebotDialogBodyLevelButtonAccept, "allow all" #CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll,
 *     checkboxes .CybotCookiebotDialogBodyLevelButton (#CybotCookiebotDialogBodyLevelButton{Necessary,Preferences,
 *     Statistics,Marketing}); autoconsent also reads Cookiebot.dialog.visible.
 *
 * NOT implemented: automatic blocking (data-blockingmode="auto"), iframe/data-cookieblock-src blocking, the
 * third-party bulk-consent cookie CookieConsentBulkTicket and consent logging to Cybot's servers, IAB TCF, Google
 * Consent Mode signals, geo-targeting (the "-1" cookie of regions that need no consent is only read, never written),
 * the cookie declaration, the Privacy Trigger widget, translations (Dutch only), consent expiry and renewal prompts.
 *
 * Lab knob: config.broken (page ?broken=1) stores marketing as granted whatever was chosen;
 * config.nostore (page ?nostore=1) never writes the CookieConsent cookie (a cosmetic-only choice).
 */
(function (w, d) {
  'use strict';
  var CONFIG = /*@CONFIG@*/null || {};
  var COOKIE = 'CookieConsent';
  var CATS = ['preferences', 'statistics', 'marketing'];
  var LABELS = {necessary: 'Noodzakelijk', preferences: 'Voorkeuren', statistics: 'Statistieken', marketing: 'Marketing'};
  var me = d.currentScript;
  var cbid = CONFIG.cbid || (me && me.getAttribute('data-cbid')) || '';

  function stamp() {
    var a = new Uint8Array(42), s = '';
    (w.crypto || w.msCrypto).getRandomValues(a);
    for (var i = 0; i < a.length; i++) { s += String.fromCharCode(a[i]); }
    return btoa(s);
  }
  function readCookie() {
    var m = d.cookie.match(/(?:^|; )CookieConsent=([^;]*)/);
    if (!m) { return null; }
    var raw;
    try { raw = decodeURIComponent(m[1]); } catch (e) { return null; }
    if (raw === '-1') {  // a region that needs no consent: everything allowed, implied
      return {stamp: '-1', necessary: true, preferences: true, statistics: true, marketing: true, method: 'implied'};
    }
    var o = {}, re = /(\w+):(?:'([^']*)'|([^,}]+))/g, x;
    while ((x = re.exec(raw))) {
      o[x[1]] = x[2] !== undefined ? x[2] : (x[3] === 'true' ? true : (x[3] === 'false' ? false : Number(x[3])));
    }
    return o.stamp ? o : null;
  }
  function writeCookie(c) {
    var v = "{stamp:'" + c.stamp + "',necessary:true,preferences:" + !!c.preferences + ',statistics:' +
      !!c.statistics + ',marketing:' + !!c.marketing + ",method:'" + c.method + "',ver:1,utc:" + c.utc +
      ",region:'nl'}";
    d.cookie = COOKIE + '=' + v.replace(/,/g, '%2C') + '; max-age=31536000; path=/; SameSite=Lax; Secure';
  }
  function deleteCookie() {
    d.cookie = COOKIE + '=; max-age=0; path=/; SameSite=Lax; Secure';
  }

  function fire(name) {
    try { w.dispatchEvent(new Event('Cookiebot' + name)); } catch (e) { /* old browsers */ }
    var cb = w['CookiebotCallback_' + name];
    if (typeof cb === 'function') { try { cb(); } catch (e) { if (w.console) { console.error(e); } } }
  }

  var CB = {
    consent: {necessary: true, preferences: false, statistics: false, marketing: false, method: null, stamp: '0'},
    consented: false,
    declined: false,
    hasResponse: false,
    doNotTrack: w.navigator.doNotTrack === '1',
    consentID: '0',
    consentUTC: null,
    isOutsideEU: false,
    cbid: cbid,
    dialog: {visible: false, name: 'CybotCookiebotDialog'},
    show: function () { showDialog(); },
    hide: function () { hideDialog(); },
    renew: function () {   // "deletes any registered consent … and shows the dialog"
      deleteCookie();
      setState(null);
      showDialog();
    },
    withdraw: function () {  // withdraws the consent (necessary only) and shows the dialog again
      submit(false, false, false, 'explicit');
      showDialog();
    },
    submitCustomConsent: function (optinPreferences, optinStatistics, optinMarketing) {
      submit(!!optinPreferences, !!optinStatistics, !!optinMarketing, 'explicit');
    },
    runScripts: function () { runScripts(); },
    getScript: function (url, async, callback) {
      var s = d.createElement('script');
      s.src = url;
      s.async = async !== false;
      if (typeof callback === 'function') { s.onload = callback; }
      (d.head || d.documentElement).appendChild(s);
    }
  };

  function setState(c) {
    if (!c) {
      CB.consent = {necessary: true, preferences: false, statistics: false, marketing: false, method: null, stamp: '0'};
      CB.hasResponse = CB.consented = CB.declined = false;
      CB.consentID = '0';
      CB.consentUTC = null;
      return;
    }
    CB.consent = {necessary: true, preferences: !!c.preferences, statistics: !!c.statistics, marketing: !!c.marketing,
      method: c.method || 'implied', stamp: c.stamp};
    CB.hasResponse = true;
    CB.declined = !(c.preferences || c.statistics || c.marketing);
    CB.consented = !CB.declined;
    CB.consentID = c.stamp;
    CB.consentUTC = c.utc ? new Date(c.utc) : null;
  }

  function announce() {
    fire('OnConsentReady');
    fire(CB.consented ? 'OnAccept' : 'OnDecline');
    runScripts();
  }

  function submit(p, s, m, method) {
    if (CONFIG.broken) { m = true; }   // lab knob: a manager whose stored state disagrees with the visitor
    var c = {stamp: CB.hasResponse && CB.consent.stamp !== '-1' ? CB.consent.stamp : stamp(), necessary: true,
      preferences: p, statistics: s, marketing: m, method: method, utc: Date.now()};
    if (!CONFIG.nostore) { writeCookie(c); }   // lab knob nostore: memory and dialog only, nothing persisted
    setState(c);
    hideDialog();
    announce();
  }

  // ---- manual script marking: <script type="text/plain" data-cookieconsent="statistics, marketing"> ------------
  function runScripts() {
    if (d.readyState === 'loading') { return; }   // again on DOMContentLoaded
    var pending = d.querySelectorAll('script[type="text/plain"][data-cookieconsent]');
    var ran = 0;
    Array.prototype.forEach.call(pending, function (el) {
      var needs = el.getAttribute('data-cookieconsent').split(',').map(function (x) { return x.trim().toLowerCase(); });
      var ok = needs.every(function (c) { return c === 'necessary' || (CATS.indexOf(c) >= 0 && CB.consent[c]); });
      if (!ok) { return; }
      var s = d.createElement('script');
      Array.prototype.forEach.call(el.attributes, function (a) {
        if (a.name !== 'type' && a.name !== 'data-cookieconsent') { s.setAttribute(a.name, a.value); }
      });
      if (!el.getAttribute('src')) { s.text = el.text; }
      el.parentNode.replaceChild(s, el);
      ran++;
    });
    if (ran) { fire('OnTagsExecuted'); }
  }

  // ---- the dialog ------------------------------------------------------------------------------------------------
  var CSS = '#CybotCookiebotDialog{position:fixed;left:50%;bottom:16px;transform:translateX(-50%);z-index:2147483631;' +
    'width:min(860px,calc(100% - 32px));box-sizing:border-box;background:#fff;color:#141414;border-radius:8px;' +
    'box-shadow:0 30px 70px rgba(0,0,0,.3);padding:20px 24px;font:15px/1.5 Helvetica,Arial,sans-serif}' +
    '#CybotCookiebotDialog h2{font-size:17px;margin:0 0 8px}' +
    '#CybotCookiebotDialogBodyLevelButtonsRow{display:flex;flex-wrap:wrap;gap:16px;margin:12px 0}' +
    '#CybotCookiebotDialogBodyButtons{display:flex;gap:8px;justify-content:flex-end;flex-wrap:wrap}' +
    '#CybotCookiebotDialog button{font:600 15px Helvetica,Arial,sans-serif;border:2px solid #1032cf;border-radius:4px;' +
    'padding:10px 18px;cursor:pointer;background:#fff;color:#141414}' +
    '#CybotCookiebotDialog button#CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll{background:#1032cf;color:#fff}';

  function el(tag, attrs, children) {
    var n = d.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === false || attrs[k] === null || attrs[k] === undefined) { return; }
      if (k === 'text') { n.textContent = attrs[k]; } else { n.setAttribute(k, attrs[k] === true ? '' : attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { n.appendChild(c); } });
    return n;
  }

  function level(cat) {
    var id = 'CybotCookiebotDialogBodyLevelButton' + cat.charAt(0).toUpperCase() + cat.slice(1);
    var necessary = cat === 'necessary';
    var box = el('input', {type: 'checkbox', id: id, 'class': 'CybotCookiebotDialogBodyLevelButton' +
      (necessary ? ' CybotCookiebotDialogBodyLevelButtonDisabled' : ''), disabled: necessary,
      checked: necessary || (CB.hasResponse && !!CB.consent[cat]), 'data-target': id});
    return el('div', {'class': 'CybotCookiebotDialogBodyLevelButtonWrapper'},
      [box, el('label', {'for': id, text: LABELS[cat]})]);
  }

  function build() {
    var old = d.getElementById('CybotCookiebotDialog');
    if (old) { old.parentNode.removeChild(old); }
    if (!d.getElementById('CybotCookiebotDialogStyles')) {
      (d.head || d.documentElement).appendChild(el('style', {id: 'CybotCookiebotDialogStyles', text: CSS}));
    }
    var dialog = el('div', {id: 'CybotCookiebotDialog', name: 'CybotCookiebotDialog', role: 'dialog', 'aria-modal': 'true',
      'aria-labelledby': 'CybotCookiebotDialogBodyContentTitle', lang: 'nl', 'class': 'CybotCookiebotDialogActive',
      'data-template': 'popup'}, [
      el('div', {id: 'CybotCookiebotDialogBody'}, [
        el('h2', {id: 'CybotCookiebotDialogBodyContentTitle', text: 'Deze website gebruikt cookies'}),
        el('div', {id: 'CybotCookiebotDialogBodyContentText', text: 'Wij gebruiken cookies om het gebruik van de ' +
          'website te analyseren, uw voorkeuren te onthouden en advertenties te tonen. U kiest zelf welke cookies u ' +
          'toestaat; u kunt uw keuze altijd wijzigen via "Cookie-instellingen" onderaan de pagina.'})
      ]),
      el('div', {id: 'CybotCookiebotDialogBodyLevelButtonsRow'}, ['necessary'].concat(CATS).map(level)),
      el('div', {id: 'CybotCookiebotDialogBodyButtons'}, [
        el('button', {id: 'CybotCookiebotDialogBodyLevelButtonLevelOptinDeclineAll', type: 'button', text: 'Weigeren'}),
        el('button', {id: 'CybotCookiebotDialogBodyLevelButtonAccept', type: 'button', text: 'Selectie toestaan'}),
        el('button', {id: 'CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll', type: 'button',
          text: 'Alle cookies toestaan'})
      ])
    ]);
    dialog.addEventListener('click', function (e) {
      var id = e.target && e.target.id;
      if (id === 'CybotCookiebotDialogBodyLevelButtonLevelOptinDeclineAll') {
        submit(false, false, false, 'explicit');
      } else if (id === 'CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll') {
        submit(true, true, true, 'explicit');
      } else if (id === 'CybotCookiebotDialogBodyLevelButtonAccept') {
        var v = function (c) { var b = d.getElementById('CybotCookiebotDialogBodyLevelButton' + c); return !!(b && b.checked); };
        submit(v('Preferences'), v('Statistics'), v('Marketing'), 'explicit');
      }
    });
    return dialog;
  }

  function showDialog() {
    var go = function () {
      fire('OnDialogInit');
      d.body.appendChild(build());
      CB.dialog.visible = true;
      fire('OnDialogDisplay');
    };
    if (d.body) { go(); } else { d.addEventListener('DOMContentLoaded', go); }
  }
  function hideDialog() {
    var dialog = d.getElementById('CybotCookiebotDialog');
    if (dialog) { dialog.parentNode.removeChild(dialog); }
    CB.dialog.visible = false;
  }

  // ---- start -----------------------------------------------------------------------------------------------------
  if (CONFIG.labCbid && cbid !== CONFIG.labCbid) {
    if (w.console) { console.warn('Cookiebot: unknown domain group id ' + cbid); }
    return;
  }
  w.Cookiebot = CB;
  w.CookieConsent = w.CookieConsent || CB;   // legacy name of the same object
  var stored = readCookie();
  setState(stored);
  d.addEventListener('DOMContentLoaded', function () { if (CB.hasResponse) { runScripts(); } });
  fire('OnLoad');
  if (stored) {
    announce();
  } else {
    showDialog();
  }
})(window, document);
