/*
 * The hand-made consent banner of online-3d-printen.be.
 *
 * State: first-party cookie o3d_consent = URL-encoded JSON
 *   {"v":1,"necessary":true,"performance":bool,"functional":bool,"targeting":bool,"ts":<ms>}, kept 1 year.
 * API:   window.o3dConsent.get() returns that object (null before a choice); .show() reopens the banner.
 * Event: "o3d:consent" on document (bubbles to window), detail = the state; fired on every choice and on
 *        every page load that finds a stored choice.
 * Gating: <script type="text/plain" data-o3d-category="performance|functional|targeting"> elements run once
 *        their category is granted.
 */
(function (w, d) {
  'use strict';
  var COOKIE = 'o3d_consent';
  var CATEGORIES = ['performance', 'functional', 'targeting'];
  var FUNCTIONAL_CHECKBOX = '/*FUNCTIONAL_CHECKBOX*/';
  var banner = d.getElementById('o3d-banner');
  var prefs = d.getElementById('o3d-prefs');

  function read() {
    var match = d.cookie.match(/(?:^|; )o3d_consent=([^;]*)/);
    if (!match) { return null; }
    try { return JSON.parse(decodeURIComponent(match[1])); } catch (e) { return null; }
  }
  function write(state) {
    d.cookie = COOKIE + '=' + encodeURIComponent(JSON.stringify(state)) + '; max-age=31536000; path=/; SameSite=Lax; Secure';
  }
  function checked(id) {
    var box = d.getElementById(id);
    return !!(box && box.checked);
  }

  function activate(state) {
    var pending = d.querySelectorAll('script[type="text/plain"][data-o3d-category]');
    Array.prototype.forEach.call(pending, function (el) {
      if (!state[el.getAttribute('data-o3d-category')]) { return; }
      var script = d.createElement('script');
      if (el.getAttribute('data-src')) { script.src = el.getAttribute('data-src'); }
      script.text = el.text;
      el.parentNode.replaceChild(script, el);
    });
  }
  function announce(state) {
    d.dispatchEvent(new CustomEvent('o3d:consent', {detail: state, bubbles: true}));
  }
  function hide() { banner.hidden = true; prefs.hidden = true; }
  function show() {
    var state = read();
    CATEGORIES.forEach(function (cat) {
      var box = d.getElementById('o3d-cat-' + cat);
      if (box) { box.checked = !!(state && state[cat]); }
    });
    banner.hidden = false;
  }

  function decide(performance, functional, targeting) {
    var state = {v: 1, necessary: true, performance: !!performance, functional: !!functional,
      targeting: !!targeting, ts: Date.now()};
    write(state);
    hide();
    activate(state);
    announce(state);
  }

  d.getElementById('o3d-accept').addEventListener('click', function () { decide(true, true, true); });
  d.getElementById('o3d-reject').addEventListener('click', function () { decide(false, false, false); });
  d.getElementById('o3d-settings').addEventListener('click', function () { show(); prefs.hidden = false; });
  d.getElementById('o3d-save').addEventListener('click', function () {
    decide(checked('o3d-cat-performance'), checked(FUNCTIONAL_CHECKBOX), checked('o3d-cat-targeting'));
  });

  w.o3dConsent = {
    get: read,
    show: function () { show(); prefs.hidden = false; }
  };

  var stored = read();
  if (stored) {
    activate(stored);
    announce(stored);
  } else {
    show();
  }
})(window, document);
