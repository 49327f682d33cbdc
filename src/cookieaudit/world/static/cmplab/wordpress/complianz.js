/*
 * STAND-IN for Complianz (the "Complianz – GDPR/CCPA Cookie Consent" WordPress plugin), written for the
 * cookieaudit CMP lab from the vendor's documentation and public source. It is NOT Complianz's code.
 *
 * Sources it follows (read, not copied):
 *   - complianz.io developer documentation: the page API cmplz_has_consent(category),
 *     cmplz_set_consent(category, 'allow'|'deny'), cmplz_accept_all(), cmplz_deny_all(), the events
 *     cmplz_status_change / cmplz_enable_category / cmplz_fire_categories / cmplz_banner_status / cmplz_revoke,
 *     and script blocking with <script type="text/plain" data-category="statistics" data-service="…">
 *     (external scripts keep their URL in data-cmplz-src);
 *   - the plugin's GPL source (github.com/Really-Simple-Plugins/complianz-gdpr): cookiebanner/templates/
 *     cookiebanner.php (banner markup and class names) and cookiebanner/js/complianz.js (cookie names
 *     and values, banner status, which click does what);
 *   - DuckDuckGo autoconsent rules/autoconsent/complianz-banner.json (#cmplz-cookiebanner-container
 *     .cmplz-cookiebanner, .cmplz-accept, .cmplz-deny, test cookie cmplz_banner-status=dismissed);
 *   - Open Cookie Database, platform "Complianz" (cmplz_* cookies, 1 year).
 *
 * Storage (first-party cookies, prefix complianz.prefix = "cmplz_", 365 days, SameSite=Lax, Secure on https):
 *   cmplz_banner-status = dismissed | show, cmplz_functional / cmplz_preferences / cmplz_statistics /
 *   cmplz_marketing = allow | deny, cmplz_consented_services (JSON, emptied by accept/deny all),
 *   cmplz_policy_id (the accepted cookie-policy version).
 * Complianz's own "functional" category is the always-on technical one; "preferences" is what the lab calls
 * functional.
 *
 * NOT implemented: geo-IP regions and the opt-out (US) / "other" consent types beyond cmplz_has_consent's rule,
 * TCF, A/B testing, records of consent (the POST to /wp-json/complianz/v1/track), consent per service beyond
 * the cmplz_consented_services cookie, placeholders for blocked iframes/images, the WP Consent API bridge,
 * Google Consent Mode, Tag Manager events, cookie cleaning ("clean_cookies"), Do-Not-Track/GPC handling, the
 * bot user-agent shortcut of cmplz_has_consent, soft cookie walls, dismiss on scroll/timeout.
 *
 * Lab knob (not a Complianz feature): window.cmplabKnobs.broken makes this stand-in store marketing=allow
 * whatever was chosen, so a test can show that verification catches a stored state that disagrees.
 */
(function () {
  'use strict';
  var cfg = window.complianz || {};
  var knobs = window.cmplabKnobs || {};
  var PREFIX = cfg.prefix || 'cmplz_';
  var CATEGORIES = ['functional', 'preferences', 'statistics', 'marketing'];
  var firedCategoryEvents = ['functional'];
  var banner = null;
  var manageButton = null;

  window.cmplz_categories = CATEGORIES.slice();

  function dispatch(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  window.cmplz_get_cookie = function (name) {
    var wanted = PREFIX + name + '=';
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].indexOf(wanted) === 0) return parts[i].slice(wanted.length);
    }
    return '';
  };

  window.cmplz_set_cookie = function (name, value, usePrefix) {
    var days = parseInt(cfg.cookie_expiry || '365', 10);
    var expires = new Date(Date.now() + days * 86400000).toUTCString();
    var secure = location.protocol === 'https:' ? ';secure' : '';
    var domain = cfg.set_cookies_on_root == 1 && cfg.cookie_domain ? ';domain=' + cfg.cookie_domain : '';
    var path = cfg.cookie_path || '/';
    var full = (usePrefix === false ? '' : PREFIX) + name;
    document.cookie = full + '=' + value + ';SameSite=Lax' + secure + ';expires=' + expires + domain + ';path=' + path;
  };

  window.cmplz_has_consent = function (category) {
    if (category === 'functional') return true;
    var value = window.cmplz_get_cookie(category);
    if ((cfg.consenttype === 'optout' || cfg.consenttype === 'other') && value === '') return true;
    return value === 'allow';
  };

  window.cmplz_accepted_categories = function () {
    return CATEGORIES.filter(function (c) { return window.cmplz_has_consent(c); });
  };

  window.cmplz_highest_accepted_category = function () {
    var accepted = window.cmplz_accepted_categories();
    var order = ['marketing', 'statistics', 'preferences'];
    for (var i = 0; i < order.length; i++) if (accepted.indexOf(order[i]) !== -1) return order[i];
    return 'functional';
  };

  function serviceConsents() {
    try { return JSON.parse(window.cmplz_get_cookie('consented_services')) || {}; } catch (e) { return {}; }
  }

  function syncCheckboxes() {
    CATEGORIES.forEach(function (c) {
      var on = c === 'functional' || window.cmplz_has_consent(c);
      document.querySelectorAll('input.cmplz-' + c).forEach(function (box) { box.checked = on; });
    });
  }

  // Activate the scripts a site blocked for this category: <script type="text/plain" data-category="…">.
  window.cmplz_enable_category = function (category, service) {
    if (!category || category === 'functional') return;
    var selector = 'script[data-category="' + category + '"]';
    document.querySelectorAll(selector).forEach(function (blocked) {
      var type = blocked.getAttribute('type');
      if (blocked.classList.contains('cmplz-activated') || !type || type === 'text/javascript') return;
      blocked.classList.add('cmplz-activated');
      var run = document.createElement('script');
      Array.prototype.forEach.call(blocked.attributes, function (a) {
        if (['type', 'data-category', 'data-service', 'data-cmplz-src', 'class'].indexOf(a.name) === -1) {
          run.setAttribute(a.name, a.value);
        }
      });
      var src = blocked.getAttribute('data-cmplz-src');
      if (src) { run.src = src; run.async = true; } else { run.text = blocked.text; }
      blocked.parentNode && blocked.parentNode.removeChild(blocked);
      document.head.appendChild(run);
    });
    if (firedCategoryEvents.indexOf(category) === -1) {
      firedCategoryEvents.push(category);
      dispatch('cmplz_enable_category', {
        category: category, service: service || 'do_not_match', categories: window.cmplz_accepted_categories(),
        services: serviceConsents(), region: cfg.region,
      });
    }
  };

  function setPolicyId() { window.cmplz_set_cookie('policy_id', cfg.current_policy_id); }

  window.cmplz_set_consent = function (category, value) {
    setPolicyId();
    if (category === 'functional') value = 'allow';
    if (knobs.broken && category === 'marketing') value = 'allow';   // lab knob: a buggy store, see the header
    var previous = window.cmplz_get_cookie(category);
    document.querySelectorAll('input.cmplz-' + category).forEach(function (box) { box.checked = value === 'allow'; });
    if (previous === value) return;
    window.cmplz_set_cookie(category, value);
    if (value === 'allow') window.cmplz_enable_category(category);
    dispatch('cmplz_status_change', {
      category: category, value: value, region: cfg.region, categories: window.cmplz_accepted_categories(),
    });
    // withdrawing marketing consent: Complianz reloads so that the scripts already running stop
    if (category === 'marketing' && value === 'deny' && previous === 'allow') {
      setTimeout(function () { location.reload(); }, 500);
    }
  };

  window.cmplz_fire_categories_event = function () {
    dispatch('cmplz_fire_categories', {
      category: window.cmplz_highest_accepted_category(), categories: window.cmplz_accepted_categories(),
      region: cfg.region,
    });
  };

  window.cmplz_track_status = function () {
    // records of consent are not kept by the stand-in (no POST to the WordPress REST API)
    document.body.className = document.body.className.replace(/\bcmplz-\S+/g, '').trim();
    window.cmplz_accepted_categories().forEach(function (c) { document.body.classList.add('cmplz-' + c); });
  };

  window.cmplz_accept_all = function () {
    window.cmplz_set_cookie('consented_services', '');
    CATEGORIES.forEach(function (c) { window.cmplz_set_consent(c, 'allow'); });
    syncCheckboxes();
  };

  window.cmplz_deny_all = function () {
    CATEGORIES.forEach(function (c) { window.cmplz_set_consent(c, 'deny'); });
    var reload = window.cmplz_highest_accepted_category() !== 'functional' ||
      Object.keys(serviceConsents()).some(function (k) { return serviceConsents()[k]; });
    window.cmplz_set_cookie('consented_services', '');
    window.cmplz_fire_categories_event();
    window.cmplz_track_status();
    dispatch('cmplz_revoke', reload);
    if (reload) location.reload();
  };

  window.cmplz_get_banner_status = function () { return window.cmplz_get_cookie('banner-status'); };

  window.cmplz_set_banner_status = function (status) {
    var previous = window.cmplz_get_cookie('banner-status');
    status = typeof status === 'undefined' ? previous : status;
    if (status !== previous) window.cmplz_set_cookie('banner-status', status);
    if (!status) status = 'show';
    var other = status === 'show' ? 'dismissed' : 'show';
    if (banner) {
      banner.classList.remove('cmplz-' + other);
      banner.classList.add('cmplz-' + status);
    }
    if (manageButton) {
      manageButton.classList.add('cmplz-' + other);
      manageButton.classList.remove('cmplz-' + status);
    }
    if (status === 'show') syncCheckboxes();
    dispatch('cmplz_banner_status', status);
  };

  function on(event, selector, handler) {
    document.addEventListener(event, function (e) {
      var target = e.target && e.target.closest ? e.target.closest(selector) : null;
      if (target) handler(e, target);
    });
  }

  on('click', '.cmplz-accept', function (e) {
    e.preventDefault();
    window.cmplz_accept_all();
    window.cmplz_set_banner_status('dismissed');
    window.cmplz_fire_categories_event();
    window.cmplz_track_status();
  });
  on('click', '.cmplz-deny', function (e) {
    e.preventDefault();
    window.cmplz_set_banner_status('dismissed');
    window.cmplz_deny_all();
  });
  on('click', '.cmplz-view-preferences', function (e, button) {
    var b = button.closest('.cmplz-cookiebanner');
    var cats = b.querySelector('.cmplz-categories');
    var open = !cats.classList.contains('cmplz-fade-in');
    b.classList.toggle('cmplz-categories-visible', open);
    cats.classList.toggle('cmplz-fade-in', open);
    b.querySelector('.cmplz-view-preferences').style.display = open ? 'none' : 'block';
    b.querySelector('.cmplz-save-preferences').style.display = open ? 'block' : 'none';
  });
  on('click', '.cmplz-save-preferences', function (e, button) {
    var b = button.closest('.cmplz-cookiebanner');
    CATEGORIES.forEach(function (c) {
      var box = b.querySelector('input.cmplz-' + c);
      if (box) window.cmplz_set_consent(c, box.checked ? 'allow' : 'deny');
    });
    window.cmplz_set_banner_status('dismissed');
    window.cmplz_fire_categories_event();
    window.cmplz_track_status();
  });
  on('click', '.cmplz-close', function () { window.cmplz_set_banner_status('dismissed'); });
  on('click', 'button.cmplz-manage-consent', function (e) {
    e.preventDefault();
    window.cmplz_set_banner_status('show');
  });

  function showBanner() {
    var container = document.getElementById('cmplz-cookiebanner-container');
    if (container) document.body.insertBefore(container, document.body.firstChild);
    var id = cfg.user_banner_id || '1';
    banner = document.querySelector('.cmplz-cookiebanner.banner-' + id + '.' + cfg.consenttype);
    manageButton = document.querySelector('#cmplz-manage-consent .cmplz-manage-consent.manage-consent-' + id);
    if (!banner) return;
    window.cmplz_set_banner_status();
    // the banner is revealed once its stylesheet has loaded (as Complianz does)
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = (cfg.css_file || '').replace('{type}', cfg.consenttype).replace('{banner_id}', id);
    link.onload = function () {
      banner.classList.remove('cmplz-hidden');
      manageButton && manageButton.classList.remove('cmplz-hidden');
      dispatch('cmplz_cookie_warning_loaded', cfg.region);
    };
    document.head.appendChild(link);
  }

  function init() {
    var stored = window.cmplz_get_cookie('policy_id');
    if (stored && parseInt(stored, 10) !== parseInt(cfg.current_policy_id, 10)) {
      // the cookie policy changed since the visitor chose: forget the choice
      ['banner-status', 'preferences', 'statistics', 'marketing', 'consented_services'].forEach(function (n) {
        document.cookie = PREFIX + n + '=;expires=Thu, 01 Jan 1970 00:00:00 GMT;path=' + (cfg.cookie_path || '/');
      });
      setPolicyId();
    }
    window.wp_consent_type = cfg.consenttype;
    dispatch('cmplz_before_cookiebanner');
    CATEGORIES.slice().reverse().forEach(function (c) {
      if (window.cmplz_has_consent(c)) window.cmplz_enable_category(c);
    });
    syncCheckboxes();
    window.cmplz_fire_categories_event();
    if (cfg.consenttype === 'optin' || cfg.consenttype === 'optout') showBanner();
    else window.cmplz_accept_all();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
