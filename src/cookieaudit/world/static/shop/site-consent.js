/*
 * A hand-made cookie notice, as another integrator wrote it (variant worlds only).
 *
 * Configuration: window.SITE_CONSENT_CONFIG = {storage: {kind: "cookie"|"localStorage", name: "<key>"},
 *                units: ["<id>", ...], misread: "<id>"|null}
 * State:  URL-encoded JSON {"necessary": true, "<id>": bool, ..., "updated": "<ISO date>"} in a first-party
 *         cookie (1 year) or in localStorage, under the configured name.
 * API:    window.siteConsent.get() (null before a choice), .show() reopens the notice.
 * Event:  "site:consent" on document, detail = the state; on every choice and on every page load with a
 *         stored choice.
 * Gating: <script type="text/plain" data-consent="<id>"> run once that id is granted.
 * "misread" is a planted bug (functional_not_saved): the save button stores false for that id.
 */
(function (w, d) {
  'use strict';
  var config = w.SITE_CONSENT_CONFIG || {storage: {kind: 'cookie', name: 'site_consent'}, units: []};
  var storage = config.storage;
  var notice = d.getElementById('cookie-notice');
  var form = notice && notice.querySelector('.cn-prefs');

  function escapeName(name) { return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }
  function read() {
    var raw = null;
    if (storage.kind === 'localStorage') {
      try { raw = w.localStorage.getItem(storage.name); } catch (e) { raw = null; }
    } else {
      var match = d.cookie.match(new RegExp('(?:^|; )' + escapeName(storage.name) + '=([^;]*)'));
      raw = match ? decodeURIComponent(match[1]) : null;
    }
    if (!raw) { return null; }
    try { return JSON.parse(raw); } catch (e) { return null; }
  }
  function write(state) {
    var raw = JSON.stringify(state);
    if (storage.kind === 'localStorage') {
      w.localStorage.setItem(storage.name, raw);
    } else {
      d.cookie = storage.name + '=' + encodeURIComponent(raw) + '; max-age=31536000; path=/; SameSite=Lax; Secure';
    }
  }
  function box(id) {
    return form ? form.querySelector('input[name="consent"][value="' + id.replace(/"/g, '') + '"]') : null;
  }
  function activate(state) {
    var pending = d.querySelectorAll('script[type="text/plain"][data-consent]');
    Array.prototype.forEach.call(pending, function (el) {
      if (!state[el.getAttribute('data-consent')]) { return; }
      var script = d.createElement('script');
      script.text = el.text;
      el.parentNode.replaceChild(script, el);
    });
  }
  function decide(pick) {
    var state = {necessary: true};
    config.units.forEach(function (id) { state[id] = !!pick(id); });
    state.updated = new Date().toISOString();
    write(state);
    notice.hidden = true;
    if (form) { form.hidden = true; }
    activate(state);
    d.dispatchEvent(new CustomEvent('site:consent', {detail: state, bubbles: true}));
  }
  function show(withPrefs) {
    var state = read();
    config.units.forEach(function (id) {
      var el = box(id);
      if (el) { el.checked = !!(state && state[id]); }
    });
    notice.hidden = false;
    if (form && withPrefs) { form.hidden = false; }
  }

  notice.addEventListener('click', function (event) {
    var action = event.target && event.target.getAttribute && event.target.getAttribute('data-consent-action');
    if (action === 'accept') { decide(function () { return true; }); }
    else if (action === 'reject') { decide(function () { return false; }); }
    else if (action === 'customize') { show(true); }
    else if (action === 'save') {
      decide(function (id) { var el = box(id); return id !== config.misread && el && el.checked; });
    }
  });

  w.siteConsent = {get: read, show: function () { show(true); }};

  var stored = read();
  if (stored) {
    activate(stored);
    d.dispatchEvent(new CustomEvent('site:consent', {detail: stored, bubbles: true}));
  } else {
    show(false);
  }
})(window, document);
