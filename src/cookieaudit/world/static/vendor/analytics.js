/*
 * Demo-world stand-in for Universal Analytics (www.google-analytics.com/analytics.js).
 *
 * Processes the ga() command queue (create, set, send, require) and, per hit, writes the classic cookies
 * _ga (cookieExpires, default 2 years), _gid (24 h) and _gat (1 minute throttle), then sends the
 * Measurement Protocol v1 hit as an image to www.google-analytics.com/collect. The IP-anonymisation
 * parameter aip=1 is sent only when the page did ga('set', 'anonymizeIp', true).
 */
(function () {
  'use strict';
  var w = window;
  var name = w.GoogleAnalyticsObject || 'ga';
  var queued = (w[name] && w[name].q) || [];
  var trackers = {};
  var hitCount = 0;

  function rand() { return Math.floor(Math.random() * 2147483647); }
  function nowSec() { return Math.floor(Date.now() / 1000); }
  function readCookie(cookieName) {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].slice(0, eq) === cookieName) { return decodeURIComponent(parts[i].slice(eq + 1)); }
    }
    return null;
  }
  function writeCookie(cookieName, value, maxAgeSec) {
    var labels = location.hostname.split('.');
    var expires = maxAgeSec ? '; expires=' + new Date(Date.now() + maxAgeSec * 1000).toUTCString() : '';
    for (var n = 2; n <= labels.length; n++) {
      document.cookie = cookieName + '=' + value + expires + '; path=/; domain=' + labels.slice(-n).join('.');
      if (readCookie(cookieName) === value) { return; }
    }
  }

  function create(trackingId, fieldsOrCookieDomain, maybeFields) {
    var fields = typeof fieldsOrCookieDomain === 'object' ? fieldsOrCookieDomain : (maybeFields || {});
    var tracker = {
      trackingId: trackingId,
      name: fields.name || 't0',
      cookieExpires: fields.cookieExpires !== undefined ? Number(fields.cookieExpires) : 63072000,
      fields: {}
    };
    trackers[tracker.name] = tracker;
    var ga = readCookie('_ga');
    tracker.clientId = ga && /^GA1\.\d\./.test(ga) ? ga.split('.').slice(2).join('.') : rand() + '.' + nowSec();
    writeCookie('_ga', 'GA1.2.' + tracker.clientId, tracker.cookieExpires);
    var gid = readCookie('_gid');
    tracker.gid = gid ? gid.split('.').slice(2).join('.') : rand() + '.' + nowSec();
    writeCookie('_gid', 'GA1.2.' + tracker.gid, 86400);
  }

  function send(tracker, hitType, extra) {
    if (!readCookie('_gat')) { writeCookie('_gat', '1', 60); }
    var params = [['v', '1'], ['_v', 'j101'], ['a', String(rand())], ['t', hitType], ['_s', String(++hitCount)],
      ['dl', location.href], ['dr', document.referrer], ['ul', (navigator.language || '').toLowerCase()],
      ['de', document.characterSet], ['dt', document.title], ['sd', screen.colorDepth + '-bit'],
      ['sr', screen.width + 'x' + screen.height], ['vp', innerWidth + 'x' + innerHeight], ['je', '0'],
      ['_u', 'IEBAAEAB~'], ['jid', ''], ['gjid', ''], ['cid', tracker.clientId], ['tid', tracker.trackingId],
      ['_gid', tracker.gid]];
    if (tracker.fields.anonymizeIp) { params.push(['aip', '1']); }
    if (tracker.fields.userId) { params.push(['uid', tracker.fields.userId]); }
    for (var key in (extra || {})) { params.push([key, String(extra[key])]); }
    params.push(['z', String(rand())]);
    var img = new Image(1, 1);
    img.src = 'https://www.google-analytics.com/collect?' + params.filter(function (p) { return p[1] !== ''; })
      .map(function (p) { return encodeURIComponent(p[0]) + '=' + encodeURIComponent(p[1]); }).join('&');
  }

  function run(args) {
    var command = args[0];
    if (typeof command === 'function') { command(); return; }
    var split = String(command).split('.');
    var tracker = trackers[split.length > 1 ? split[0] : 't0'];
    var verb = split[split.length - 1];
    if (verb === 'create') { create(args[1], args[2], args[3]); return; }
    if (!tracker) { return; }
    if (verb === 'set') {
      if (typeof args[1] === 'object') { for (var k in args[1]) { tracker.fields[k] = args[1][k]; } }
      else { tracker.fields[args[1]] = args[2]; }
    } else if (verb === 'send') {
      var hitType = typeof args[1] === 'object' ? args[1].hitType : args[1];
      send(tracker, hitType || 'pageview', {});
    }
  }

  function ga() { run(arguments); }
  ga.l = (w[name] && w[name].l) || +new Date();
  ga.loaded = true;
  ga.getAll = function () { return Object.keys(trackers).map(function (k) { return trackers[k]; }); };
  w[name] = ga;
  queued.forEach(run);
})();
