/*
 * STAND-IN for CookieYes (the cookieyes.com web app and its WordPress plugin "CookieYes | GDPR Cookie Consent",
 * slug cookie-law-info 3.x), written for the cookieaudit CMP lab from the vendor's documentation and public
 * source. It is NOT CookieYes's code. Served as https://cdn-cookieyes.com/client_data/<site id>/script.js, the
 * install snippet CookieYes gives a site; the site's configuration is compiled into the file, as CookieYes does.
 *
 * Sources it follows (read, not copied):
 *   - cookieyes.com/documentation: "Retrieving Consent Data Using getCkyConsent() API" (returns {activeLaw,
 *     categories: {necessary, functional, analytics, performance, advertisement}, isUserActionCompleted,
 *     consentID, languageCode}), "CookieYes Events on Cookie Banner Load" (cookieyes_banner_load) and the
 *     consent-update event cookieyes_consent_update (detail {accepted: [...], rejected: [...]}), "How to
 *     Implement Prior Consent" (scripts marked data-cookieyes="cookieyes-<category>");
 *   - the plugin's public front-end source (frontend/js/script.js of cookie-law-info 3.x) and the web app's
 *     script.js loader: the cookie cookieyes-consent holding "consentid:…,consent:yes|no,action:yes,
 *     necessary:yes,functional:no,…" (then lastRenewedDate), written before any choice without "action";
 *     data-cky-tag names of the banner, the preference centre (#ckySwitch<category> checkboxes,
 *     detail-save-button) and the revisit widget; revisitCkyConsent();
 *   - DuckDuckGo autoconsent rules/autoconsent/cookieyes.json (.cky-consent-container, accept-button,
 *     reject-button, settings-button, .cky-modal-open, detail-save-button; test cookie "advertisement:no");
 *   - Open Cookie Database, platform "CookieYes" (cookieyes-consent, 1 year).
 *
 * Script gating as this lab wires it: <script type="text/plain" data-cookieyes="cookieyes-analytics" [src]> is
 * turned into a running script once its category is accepted (and the consent value is "yes").
 *
 * NOT implemented: CookieYes's automatic blocker (the document.createElement patch and the MutationObserver that
 * block scripts by URL pattern, and scripts marked data-cookieyes without type="text/plain"), iframe/video
 * placeholders, the consent log beacons to log.cookieyes.com, CCPA/"do not sell" banners, IAB TCF, Google
 * Consent Mode, GPC, the banner close (x) button, the classic (bar with inline preferences) and popup layouts,
 * the cookie audit table, translations other than Dutch, performBannerAction() (third-party notes mention it;
 * CookieYes's documentation does not). Cookies of a rejected category are deleted by name as CookieYes does.
 *
 * Lab knob (not a CookieYes feature): window.cmplabKnobs.broken makes this stand-in store advertisement:yes
 * whatever was chosen, so a test can show that verification catches a stored state that disagrees.
 */
(function () {
  'use strict';
  var CONFIG = __CKY_CONFIG__;
  var knobs = window.cmplabKnobs || {};
  var META_KEYS = ['consentid', 'consent', 'action'];
  var COOKIE = 'cookieyes-consent';

  window.cookieyes = window.cookieyes || {};
  var ref = window.cookieyes;
  var store = new Map();
  ref._ckyConsentStore = store;

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].slice(0, eq) === name) return parts[i].slice(eq + 1);
    }
    return '';
  }

  function writeCookie(name, value, days, domain) {
    var expires = days ? new Date(Date.now() + days * 86400000).toUTCString() : new Date(0).toUTCString();
    document.cookie = name + '=' + value + '; expires=' + expires + '; path=/;' +
      (domain ? ' domain=' + domain + ';' : '') + ' SameSite=Strict;';
  }

  var parsed = {};
  readCookie(COOKIE).split(',').forEach(function (pair) {
    var i = pair.indexOf(':');
    if (i > 0) parsed[pair.slice(0, i)] = pair.slice(i + 1);
  });
  META_KEYS.concat(CONFIG.categories.map(function (c) { return c.slug; })).forEach(function (k) {
    store.set(k, parsed[k] || '');
  });

  ref._ckyGetFromStore = function (key) { return store.get(key) || ''; };
  ref._ckySetInStore = function (key, value) {
    store.set(key, value);
    var pairs = [];
    store.forEach(function (v, k) { pairs.push(k + ':' + v); });
    pairs.push('lastRenewedDate:' + CONFIG.lastRenewedDate);
    writeCookie(COOKIE, pairs.join(','), CONFIG.expiry, CONFIG.rootDomain);
  };

  function randomId(length) {
    var chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    var out = '';
    for (var i = 0; i < length; i++) out += chars[Math.floor(Math.random() * chars.length)];
    return btoa(out).replace(/=+$/, '');
  }

  function dispatch(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  function tag(name) { return document.querySelector('[data-cky-tag="' + name + '"]'); }
  function container() { return document.querySelector('.cky-consent-container'); }
  function modal() { return document.querySelector('.cky-modal'); }
  function overlay() { return document.querySelector('.cky-overlay'); }
  function revisit() { return tag('revisit-consent'); }
  function toggle(el, cls, on) { if (el) el.classList.toggle(cls, on); }

  window.getCkyConsent = function () {
    var categories = {};
    CONFIG.categories.forEach(function (c) { categories[c.slug] = store.get(c.slug) === 'yes'; });
    return {
      activeLaw: CONFIG.law, categories: categories, isUserActionCompleted: store.get('action') === 'yes',
      consentID: store.get('consentid'), languageCode: CONFIG.lang,
    };
  };

  // --- script gating -------------------------------------------------------------------------------------
  function unblock() {
    if (store.get('consent') !== 'yes') return;
    document.querySelectorAll('script[type="text/plain"][data-cookieyes]').forEach(function (blocked) {
      var slug = blocked.getAttribute('data-cookieyes').replace(/^cookieyes-/, '');
      if (store.get(slug) !== 'yes') return;
      var run = document.createElement('script');
      Array.prototype.forEach.call(blocked.attributes, function (a) {
        if (a.name !== 'type' && a.name !== 'data-cookieyes') run.setAttribute(a.name, a.value);
      });
      if (!blocked.getAttribute('src')) run.text = blocked.text;
      blocked.parentNode.replaceChild(run, blocked);
    });
  }

  function removeDeadCookies(category) {
    var host = location.hostname.split('.');
    (category.cookies || []).forEach(function (name) {
      if (!readCookie(name)) return;
      writeCookie(name, '', 0, '');
      for (var i = 0; i < host.length - 1; i++) writeCookie(name, '', 0, '.' + host.slice(i).join('.'));
    });
  }

  // --- the choice ------------------------------------------------------------------------------------------
  function checkboxValue(slug) {
    return ['ckySwitch', 'ckyCategoryDirect'].some(function (prefix) {
      var box = document.getElementById(prefix + slug);
      return !!(box && box.checked);
    });
  }

  function acceptCookies(choice) {   // 'all' | 'reject' | 'custom'
    ref._ckySetInStore('action', 'yes');
    ref._ckySetInStore('consent', choice === 'reject' ? 'no' : 'yes');
    var response = { accepted: [], rejected: [] };
    CONFIG.categories.forEach(function (c) {
      var yes = c.isNecessary || choice === 'all' || (choice === 'custom' && checkboxValue(c.slug));
      if (knobs.broken && c.slug === 'advertisement') yes = true;   // lab knob: a buggy store, see the header
      ref._ckySetInStore(c.slug, yes ? 'yes' : 'no');
      if (yes) response.accepted.push(c.slug);
      else { response.rejected.push(c.slug); removeDeadCookies(c); }
    });
    unblock();
    return response;
  }

  function setCheckboxes() {
    CONFIG.categories.forEach(function (c) {
      var box = document.getElementById('ckySwitch' + c.slug);
      if (!box) return;
      var value = store.get(c.slug);
      box.checked = c.isNecessary || value === 'yes' || (!value && !!c.defaultConsent[CONFIG.law]);
      box.setAttribute('aria-label', c.name + ' ' + (box.checked ? CONFIG.texts.disable : CONFIG.texts.enable));
    });
  }

  function showBanner() { toggle(container(), 'cky-hide', false); }
  function hideBanner() { toggle(container(), 'cky-hide', true); }
  function showRevisit() { toggle(revisit(), 'cky-revisit-hide', false); }
  function hideRevisit() { toggle(revisit(), 'cky-revisit-hide', true); }
  function showPreferences() {
    setCheckboxes();
    toggle(modal(), 'cky-modal-open', true);
    toggle(overlay(), 'cky-hide', false);
    hideBanner();
    hideRevisit();
  }
  function hidePreferences() {
    toggle(modal(), 'cky-modal-open', false);
    toggle(overlay(), 'cky-hide', true);
    if (!store.get('action')) showBanner();
    else showRevisit();
  }

  function acceptReject(choice) {
    return function () {
      var response = acceptCookies(choice);
      hideBanner();
      showRevisit();
      hidePreferences();
      setCheckboxes();
      dispatch('cookieyes_consent_update', response);
      if (CONFIG.reloadOnAccept) location.reload();
    };
  }

  window.revisitCkyConsent = function () { showPreferences(); };

  // --- markup ----------------------------------------------------------------------------------------------
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (ch) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[ch]; });
  }

  function categoryHtml(c) {
    var control = c.isNecessary
      ? '<span class="cky-always-active">' + esc(CONFIG.texts.alwaysActive) + '</span>'
      : (c.toggle ? '<div class="cky-switch" data-cky-tag="detail-category-toggle"><input type="checkbox" id="ckySwitch' +
        c.slug + '"></div>' : '');
    return '<div class="cky-accordion" id="ckyDetailCategory' + c.slug + '"><div class="cky-accordion-item">' +
      '<div class="cky-accordion-header-wrapper"><div class="cky-accordion-header">' +
      '<button class="cky-accordion-btn" aria-label="' + esc(c.name) + '" data-cky-tag="detail-category-title">' +
      esc(c.name) + '</button>' + control + '</div>' +
      '<div class="cky-accordion-header-des" data-cky-tag="detail-category-description"><p>' + esc(c.description) +
      '</p></div></div></div></div>';
  }

  function render() {
    var t = CONFIG.texts;
    var html =
      '<div class="cky-consent-container cky-hide cky-' + CONFIG.type + '-' + CONFIG.position + '" tabindex="0">' +
      '<div class="cky-consent-bar" data-cky-tag="notice"><div class="cky-notice">' +
      '<p class="cky-title" role="heading" aria-level="1" data-cky-tag="title">' + esc(t.title) + '</p>' +
      '<div class="cky-notice-group"><div class="cky-notice-des" data-cky-tag="description"><p>' + esc(t.description) +
      '</p></div><div class="cky-notice-btn-wrapper" data-cky-tag="notice-buttons">' +
      '<button class="cky-btn cky-btn-customize" aria-label="' + esc(t.customize) + '" data-cky-tag="settings-button">' + esc(t.customize) + '</button>' +
      '<button class="cky-btn cky-btn-reject" aria-label="' + esc(t.reject) + '" data-cky-tag="reject-button">' + esc(t.reject) + '</button>' +
      '<button class="cky-btn cky-btn-accept" aria-label="' + esc(t.accept) + '" data-cky-tag="accept-button">' + esc(t.accept) + '</button>' +
      '</div></div></div></div></div>' +
      '<div class="cky-modal" tabindex="-1"><div class="cky-preference-center" data-cky-tag="detail" role="dialog" aria-modal="true">' +
      '<div class="cky-preference-header"><span class="cky-preference-title" role="heading" aria-level="1" data-cky-tag="detail-title">' +
      esc(t.detailTitle) + '</span><button class="cky-btn-close" aria-label="' + esc(t.close) + '" data-cky-tag="detail-close">&#215;</button></div>' +
      '<div class="cky-preference-body-wrapper"><div class="cky-preference-content-wrapper" data-cky-tag="detail-description"><p>' +
      esc(t.detailDescription) + '</p></div><div class="cky-accordion-wrapper" data-cky-tag="detail-categories">' +
      CONFIG.categories.map(categoryHtml).join('') + '</div></div>' +
      '<div class="cky-footer-wrapper"><div class="cky-prefrence-btn-wrapper" data-cky-tag="detail-buttons">' +
      '<button class="cky-btn cky-btn-reject" aria-label="' + esc(t.reject) + '" data-cky-tag="detail-reject-button">' + esc(t.reject) + '</button>' +
      '<button class="cky-btn cky-btn-preferences" aria-label="' + esc(t.save) + '" data-cky-tag="detail-save-button">' + esc(t.save) + '</button>' +
      '<button class="cky-btn cky-btn-accept" aria-label="' + esc(t.accept) + '" data-cky-tag="detail-accept-button">' + esc(t.accept) + '</button>' +
      '</div></div></div></div>' +
      '<div class="cky-overlay cky-hide"></div>' +
      '<div class="cky-btn-revisit-wrapper cky-revisit-hide cky-revisit-' + CONFIG.position + '" data-cky-tag="revisit-consent" data-tooltip="' +
      esc(t.revisit) + '"><button class="cky-btn-revisit" aria-label="' + esc(t.revisit) + '">&#127850;</button></div>';
    document.body.insertAdjacentHTML('afterbegin', html);
    if (!document.getElementById('cky-style')) {
      var style = document.createElement('style');
      style.id = 'cky-style';
      style.textContent = CONFIG.css;
      document.head.appendChild(style);
    }
  }

  function on(tagName, handler) {
    document.querySelectorAll('[data-cky-tag="' + tagName + '"]').forEach(function (el) {
      el.addEventListener('click', handler);
    });
  }

  function init() {
    render();
    setCheckboxes();
    on('settings-button', showPreferences);
    on('detail-close', hidePreferences);
    on('reject-button', acceptReject('reject'));
    on('accept-button', acceptReject('all'));
    on('detail-accept-button', acceptReject('all'));
    on('detail-reject-button', acceptReject('reject'));
    on('detail-save-button', acceptReject('custom'));
    on('revisit-consent', function () { window.revisitCkyConsent(); });
    // a site's own "consent preferences" link: CookieYes reopens the preferences for any .cky-banner-element
    document.body.addEventListener('click', function (e) {
      if (e.target.closest && e.target.closest('.cky-banner-element')) {
        e.preventDefault();
        window.revisitCkyConsent();
      }
    });
    if (!store.get('action')) {
      showBanner();
      // the state before any choice: consent "no", every category at its default, a new consent id
      ref._ckySetInStore('consent', 'no');
      CONFIG.categories.forEach(function (c) {
        ref._ckySetInStore(c.slug, c.isNecessary || c.defaultConsent[CONFIG.law] ? 'yes' : 'no');
      });
      if (!store.get('consentid')) ref._ckySetInStore('consentid', randomId(32));
    } else {
      hideBanner();
      showRevisit();
    }
    CONFIG.categories.forEach(function (c) { if (store.get(c.slug) !== 'yes') removeDeadCookies(c); });
    unblock();
    dispatch('cookieyes_banner_load', window.getCkyConsent());
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
