/*
 * Demo-world stand-in for Hotjar's modules bundle (script.hotjar.com/modules.<hash>.js).
 *
 * What the browser sees from the real recorder:
 *   - storage probes: _hjLocalStorageTest / _hjSessionStorageTest are written and removed again;
 *   - first-party cookies _hjSessionUser_<site> (365 days) and _hjSession_<site> (30 minutes), base64 JSON;
 *   - recorder state kept in storage: sessionStorage hjViewportId, localStorage hjActiveViewportIds;
 *   - a page snapshot POSTed to content.hotjar.io/?site_id=<site>;
 *   - the live session stream over wss://ws.hotjar.com/api/v2/client/ws (closed after the first batch,
 *     so pages still reach network idle).
 */
(function (w, d) {
  'use strict';
  var settings = w.hjSiteSettings || {};
  var siteId = settings.site_id || (w._hjSettings && w._hjSettings.hjid);
  if (!siteId || w.hj && w.hj.o3dLoaded) { return; }

  function uuid() {
    return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0;
      return (c === 'x' ? r : (r & 0x3 | 0x8)).toString(16);
    });
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
      d.cookie = name + '=' + value + '; max-age=' + maxAgeSec + '; path=/; domain=' + labels.slice(-n).join('.') + '; SameSite=Lax';
      if (readCookie(name) === value) { return; }
    }
  }
  function probe(storage, key) {
    try { storage.setItem(key, key); storage.removeItem(key); return true; } catch (e) { return false; }
  }
  function decode(value) {
    try { return JSON.parse(atob(value)); } catch (e) { return null; }
  }

  var hasLocal = probe(w.localStorage, '_hjLocalStorageTest');
  var hasSession = probe(w.sessionStorage, '_hjSessionStorageTest');

  var userCookie = '_hjSessionUser_' + siteId;
  var sessionCookie = '_hjSession_' + siteId;
  var user = decode(readCookie(userCookie) || '') || {id: uuid(), created: Date.now(), existing: false};
  if (readCookie(userCookie)) { user.existing = true; }
  var session = decode(readCookie(sessionCookie) || '') ||
    {id: uuid(), c: Date.now(), s: 0, r: 1, sb: 0, sr: 0, se: 0, fs: 1, sp: 0};
  writeCookie(userCookie, btoa(JSON.stringify(user)), 31536000);
  writeCookie(sessionCookie, btoa(JSON.stringify(session)), 1800);

  var viewportId = uuid();
  if (hasSession) { w.sessionStorage.setItem('hjViewportId', viewportId); }
  if (hasLocal) {
    var active = {};
    active[viewportId] = Date.now();
    w.localStorage.setItem('hjActiveViewportIds', JSON.stringify(active));
  }

  fetch('https://content.hotjar.io/?site_id=' + siteId, {
    method: 'POST', credentials: 'omit',
    body: JSON.stringify({url: location.href, title: d.title, width: innerWidth, height: innerHeight,
      user_id: user.id, session_id: session.id, nodes: d.getElementsByTagName('*').length})
  }).catch(function () { /* snapshot upload is best effort */ });

  try {
    var ws = new WebSocket('wss://ws.hotjar.com/api/v2/client/ws?v=6&site_id=' + siteId);
    ws.onopen = function () {
      ws.send(JSON.stringify({type: 'hello', site_id: siteId, user_id: user.id, session_id: session.id,
        viewport_id: viewportId, page: location.href}));
    };
    ws.onmessage = function () { ws.close(1000, 'batch sent'); };
    ws.onerror = function () { /* the stream reconnects on the next page */ };
  } catch (e) { /* WebSocket unavailable */ }

  var queued = (w.hj && w.hj.q) || [];
  w.hj = function () { /* identify/event calls are recorded with the session */ };
  w.hj.o3dLoaded = true;
  w.hj.q = queued;
})(window, document);
