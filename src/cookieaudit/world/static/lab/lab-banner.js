/*
 * The banner lab's hand-made consent banner (cookieaudit demo world, see world/lab.py).
 *
 * Deliberately none of the known consent managers' markup: plain divs and buttons whose ids start with "lb-".
 * One script, configured by window.LAB_CONFIG, renders every variant:
 *   mount   "body"   in the page; "shadow" inside an open shadow root of <lab-consent>;
 *           "iframe" the page only hosts an iframe of consent.o3d-lab.nl, whose document runs this script with
 *           mount "frame" and reports the choice by postMessage.
 *   layout  "bar" (bottom bar), "box" (bottom-right box, stacked buttons), "modal" (cookie wall).
 *   flags   firstLayerReject, rejectStyle ("button" | "tinylink"), settingsButton, preticked, wall,
 *           scrollConsent, forgetRefusal (see world/lab.py).
 *
 * State: first-party cookie lab_consent = URL-encoded JSON
 *   {"necessary": true, "performance": bool, "functional": bool, "targeting": bool, "ts": <ms>[, "via": "scroll"]}
 *   kept 180 days; Domain=o3d-lab.nl in the iframe variant so that the page can read it.
 * API:   window.labConsent.get() → that object or null; .open() reopens the banner with its settings layer.
 * Gating: <script type="text/plain" data-lab-category="performance|functional|targeting"> run once granted.
 */
(function (w, d) {
  'use strict';
  var C = w.LAB_CONFIG || {};
  var T = C.texts || {};
  var COOKIE = 'lab_consent';
  var CATS = ['performance', 'functional', 'targeting'];
  var FRAME_ORIGIN = C.frameUrl ? C.frameUrl.split('/').slice(0, 3).join('/') : null;

  function read() {
    var m = d.cookie.match(/(?:^|; )lab_consent=([^;]*)/);
    if (!m) { return null; }
    try { return JSON.parse(decodeURIComponent(m[1])); } catch (e) { return null; }
  }
  function write(state) {
    d.cookie = COOKIE + '=' + encodeURIComponent(JSON.stringify(state)) + '; max-age=15552000; path=/; Secure; SameSite=Lax' +
      (C.cookieDomain ? '; domain=' + C.cookieDomain : '');
  }
  function refused(state) {
    return !!state && !CATS.some(function (c) { return state[c]; });
  }

  // ---- gated tags (the page, not the frame) ---------------------------------------------------------------
  function activate(state) {
    var pending = d.querySelectorAll('script[type="text/plain"][data-lab-category]');
    Array.prototype.forEach.call(pending, function (el) {
      if (!state[el.getAttribute('data-lab-category')]) { return; }
      var script = d.createElement('script');
      if (el.getAttribute('data-src')) { script.src = el.getAttribute('data-src'); script.async = true; } else { script.text = el.text; }
      el.parentNode.replaceChild(script, el);
    });
  }

  // ---- DOM helpers -----------------------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = d.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === false || v === null || v === undefined) { return; }
      if (k === 'text') { node.textContent = v; } else { node.setAttribute(k, v === true ? '' : v); }
    });
    (children || []).forEach(function (ch) { if (ch) { node.appendChild(typeof ch === 'string' ? d.createTextNode(ch) : ch); } });
    return node;
  }
  function button(id, label, cls) { return el('button', {type: 'button', id: id, 'class': cls, text: label}); }

  function toggle(cat, label, desc, on, disabled) {
    var id = 'lb-cat-' + cat;
    if (C.switches === 'aria') {
      var sw = el('button', {type: 'button', role: 'switch', 'class': 'lb-switch', id: id, 'data-cat': cat,
        'aria-checked': on ? 'true' : 'false', 'aria-labelledby': id + '-label', disabled: !!disabled});
      sw.addEventListener('click', function () { sw.setAttribute('aria-checked', sw.getAttribute('aria-checked') === 'true' ? 'false' : 'true'); });
      return el('div', {'class': 'lb-cat'}, [el('div', {}, [sw]), el('span', {id: id + '-label', 'class': 'lb-cat-name', text: label}),
        el('small', {text: desc})]);
    }
    var box = el('input', {type: 'checkbox', role: 'switch', id: id, 'data-cat': cat, checked: !!on, disabled: !!disabled});
    return el('div', {'class': 'lb-cat'}, [el('label', {}, [box, ' ' + label]), el('small', {text: desc})]);
  }

  // ---- the banner ------------------------------------------------------------------------------------------
  function build(container) {
    var inFrame = C.mount === 'frame';
    var tiny = C.rejectStyle === 'tinylink' && C.firstLayerReject;
    var privacyHref = inFrame ? C.parentOrigin + '/privacy' : '/privacy';
    var text = el('p', {'class': 'lb-text'}, [T.text + ' ', el('a', {href: privacyHref, target: inFrame ? '_top' : false, text: T.privacy})]);
    if (tiny) {
      text.appendChild(d.createTextNode(' ' + T.tinyLead + ' '));
      text.appendChild(el('a', {href: '#', id: 'lb-reject', 'class': 'lb-tiny', text: T.reject.toLowerCase()}));
    }
    var rows = [toggle('necessary', T.necessary[0], T.necessary[1], true, true)];
    CATS.forEach(function (c) { rows.push(toggle(c, T.cats[c][0], T.cats[c][1], (C.preticked || []).indexOf(c) >= 0, false)); });
    rows.push(el('div', {'class': 'lb-prefs-buttons'}, [
      !C.firstLayerReject && C.settingsButton ? button('lb-reject-all-2', T.reject, 'lb-btn') : null,
      button('lb-save', T.save, 'lb-btn lb-btn-primary')]));
    var prefs = el('div', {id: 'lb-prefs', 'class': 'lb-prefs', hidden: true}, rows);
    var buttons = el('div', {'class': 'lb-buttons'}, [
      C.firstLayerReject && !tiny ? button('lb-reject', T.reject, 'lb-btn lb-btn-primary') : null,
      C.settingsButton ? button('lb-settings', T.settings, 'lb-btn') : null,
      button('lb-accept', T.accept, 'lb-btn lb-btn-primary' + (tiny ? ' lb-btn-big' : ''))]);
    var layout = inFrame ? 'lb-in-frame' : (C.wall ? '' : (C.layout === 'box' ? 'lb-box' : 'lb-bar'));
    var banner = el('div', {id: 'lb-banner', 'class': 'lb-banner ' + layout, role: 'dialog',
      'aria-modal': C.wall ? 'true' : 'false', 'aria-labelledby': 'lb-title', hidden: true},
      [el('p', {'class': 'lb-title', id: 'lb-title', text: T.title}), text, prefs, buttons]);
    var outer = C.wall ? el('div', {id: 'lb-wall', 'class': 'lb-wall', hidden: true}, [banner]) : banner;
    container.appendChild(outer);
    return {outer: outer, banner: banner, prefs: prefs};
  }

  function banner(root, container, onDecide) {
    var ui = build(container);
    function $(id) { return root.querySelector('#' + id); }
    function isOn(cat) {
      var t = $('lb-cat-' + cat);
      return C.switches === 'aria' ? t.getAttribute('aria-checked') === 'true' : t.checked;
    }
    function setOn(cat, on) {
      var t = $('lb-cat-' + cat);
      if (C.switches === 'aria') { t.setAttribute('aria-checked', on ? 'true' : 'false'); } else { t.checked = !!on; }
    }
    function lock(on) {
      if (!C.wall) { return; }
      d.documentElement.style.overflow = on ? 'hidden' : '';
      d.body.style.overflow = on ? 'hidden' : '';
    }
    function open(withPrefs) {
      var stored = read();
      if (stored) { CATS.forEach(function (c) { setOn(c, stored[c]); }); }
      ui.outer.hidden = false;
      ui.banner.hidden = false;
      ui.prefs.hidden = !withPrefs;
      lock(true);
    }
    function close() {
      ui.outer.hidden = true;
      ui.banner.hidden = true;
      lock(false);
    }
    function decide(p, f, t, via) {
      var state = {necessary: true, performance: !!p, functional: !!f, targeting: !!t, ts: Date.now()};
      if (via) { state.via = via; }
      write(state);
      close();
      onDecide(state);
    }
    function on(id, fn) {
      var node = $(id);
      if (node) { node.addEventListener('click', function (e) { e.preventDefault(); fn(); }); }
    }
    on('lb-accept', function () { decide(true, true, true); });
    on('lb-reject', function () { decide(false, false, false); });
    on('lb-reject-all-2', function () { decide(false, false, false); });
    on('lb-settings', function () { ui.prefs.hidden = !ui.prefs.hidden; });
    on('lb-save', function () { decide(isOn('performance'), isOn('functional'), isOn('targeting')); });
    if (C.scrollConsent) {
      // "by continuing to browse you accept": the visitor's scrolling is taken as consent to everything
      w.addEventListener('scroll', function () {
        if (!read() && (w.scrollY || d.documentElement.scrollTop) > 120) { decide(true, true, true, 'scroll'); }
      }, {passive: true});
    }
    return {open: open, close: close, ui: ui};
  }

  function shouldShow(state) {
    return !state || (C.forgetRefusal && refused(state));
  }

  // ---- mounts ----------------------------------------------------------------------------------------------
  function mountPage() {
    var root = d, container = d.body;
    if (C.mount === 'shadow') {
      var host = d.createElement('lab-consent');
      d.body.appendChild(host);
      root = host.attachShadow({mode: 'open'});
      root.appendChild(el('link', {rel: 'stylesheet', href: '/assets/lab/lab.css'}));
      container = root;
    }
    var b = banner(root, container, activate);
    var stored = read();
    if (stored) { activate(stored); }
    if (shouldShow(stored)) { b.open(false); }
    w.labConsent = {get: read, open: function () { b.open(true); }};
  }

  function mountFrameHost() {
    function frame(reopen) {
      var f = d.getElementById('lb-frame');
      if (!f) {
        f = el('iframe', {id: 'lb-frame', 'class': 'lb-frame-host', title: T.title});
        d.body.appendChild(f);
      }
      f.style.display = '';
      f.src = C.frameUrl + (reopen ? '&reopen=1' : '');
    }
    w.addEventListener('message', function (event) {
      if (event.origin !== FRAME_ORIGIN || !event.data || !event.data.lab) { return; }
      var f = d.getElementById('lb-frame');
      if (event.data.lab === 'consent') {
        if (f) { f.style.display = 'none'; }
        activate(event.data.state);
      } else if (event.data.lab === 'size' && f) {
        f.style.height = Math.ceil(event.data.height) + 'px';
      }
    });
    var stored = read();
    if (stored) { activate(stored); }
    if (shouldShow(stored)) { frame(false); }
    w.labConsent = {get: read, open: function () { frame(true); }};
  }

  function mountFrame() {
    function tell(message) { w.parent.postMessage(message, C.parentOrigin); }
    var b = banner(d, d.body, function (state) { tell({lab: 'consent', state: state}); });
    if ('ResizeObserver' in w) {
      new ResizeObserver(function () { tell({lab: 'size', height: b.ui.banner.offsetHeight}); }).observe(b.ui.banner);
    }
    b.open(!!C.reopen);
  }

  if (C.mount === 'frame') {
    mountFrame();
  } else if (C.mount === 'iframe') {
    mountFrameHost();
  } else {
    mountPage();
  }
  var reopen = d.getElementById('lb-reopen');
  if (reopen) {
    reopen.addEventListener('click', function (e) { e.preventDefault(); w.labConsent.open(); });
  }
})(window, document);
