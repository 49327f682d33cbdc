/*
 * Demo-world stand-in for Microsoft Clarity's recorder (scripts.clarity.ms/<version>/clarity.js).
 *
 * Reads the clarity() queue. Unless the page signalled denial (clarity('consent', false) or
 * clarity('consentv2', {analytics_Storage: 'denied'})) it writes the first-party cookies _clck (1 year)
 * and _clsk (1 day), as a project with cookies switched on does. Recorded data is POSTed to
 * k.clarity.ms/collect with credentials, whose response sets the third-party MUID and CLID cookies.
 */
(function (w, d) {
  'use strict';
  var queue = (w.clarity && w.clarity.q) || [];
  var config = null;
  var denied = false;
  var ids = null;
  var sequence = 0;
  var pageNum = 1;

  function token(n) {
    var s = '';
    while (s.length < n) { s += Math.random().toString(36).slice(2); }
    return s.slice(0, n);
  }
  function readCookie(name) {
    var parts = d.cookie ? d.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].slice(0, eq) === name) { return decodeURIComponent(parts[i].slice(eq + 1)); }
    }
    return null;
  }
  function writeCookie(name, value, maxAgeSec) {
    var labels = location.hostname.split('.');
    for (var n = 2; n <= labels.length; n++) {
      d.cookie = name + '=' + encodeURIComponent(value) + '; max-age=' + maxAgeSec + '; path=/; domain=' + labels.slice(-n).join('.');
      if (readCookie(name) === value) { return; }
    }
  }

  function identify() {
    if (ids && ids.cookies) { return ids; }
    var withCookies = !denied && (!config || config.track !== false);
    var clck = readCookie('_clck');
    var clsk = readCookie('_clsk');
    var user = clck ? clck.split('|')[0] : token(7);
    var session = clsk ? clsk.split('|')[0] : token(7);
    if (clsk) { pageNum = Number(clsk.split('|')[2] || 0) + 1; }
    if (withCookies) {
      writeCookie('_clck', user + '|2|f' + token(2) + '|0|' + (config ? config.dob : 0), 31536000);
      writeCookie('_clsk', session + '|' + Date.now() + '|' + pageNum + '|1|k.clarity.ms/collect', 86400);
    }
    ids = {user: user, session: session, cookies: withCookies};
    return ids;
  }

  function upload(events) {
    if (!config) { return; }
    var who = identify();
    var envelope = {
      e: ['0.8.17', ++sequence, Date.now(), 0, config.projectId, who.user, who.session, pageNum, 0, 0, location.href],
      a: events
    };
    fetch(config.upload, {method: 'POST', body: JSON.stringify(envelope), credentials: 'include'})
      .catch(function () { /* uploads are best effort, as in the real recorder */ });
  }

  function handle(args) {
    var command = args[0];
    if (command === 'start') { config = args[1]; }
    else if (command === 'consent') { denied = args[1] === false; if (!denied) { ids = null; } }
    else if (command === 'consentv2') {
      var state = args[1] || {};
      denied = state.analytics_Storage === 'denied';
      if (!denied) { ids = null; }
    }
  }

  queue.forEach(handle);
  w.clarity = function () {
    handle(arguments);
    if (arguments[0] === 'consent' || arguments[0] === 'consentv2') { identify(); }
  };
  w.clarity.v = '0.8.17';
  w.clarity.t = true;

  upload([[0, 'page', d.title, innerWidth, innerHeight]]);
  setTimeout(function () {
    upload([[Math.round(performance.now()), 'layout', d.querySelectorAll('*').length]]);
  }, 400);
})(window, document);
