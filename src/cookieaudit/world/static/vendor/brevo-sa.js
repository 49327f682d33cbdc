/*
 * Demo-world stand-in for the Brevo (Sendinblue) tracker (sibautomation.com/sa.js?key=<client_key>).
 *
 * Identifies the visitor with the first-party cookie sib_cuid (181 days) and reports page views and
 * events as image requests to in-automate.brevo.com/p. Calls made before the script loaded are replayed
 * from window.sib.equeue, as in the official snippet.
 */
(function (w, d) {
  'use strict';
  var sib = w.sib = w.sib || {equeue: []};
  var current = d.currentScript && d.currentScript.src;
  var key = sib.client_key || (current && (/[?&]key=([^&]+)/.exec(current) || [])[1]) || '';
  var COOKIE = 'sib_cuid';

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
      d.cookie = name + '=' + value + '; max-age=' + maxAgeSec + '; path=/; domain=' + labels.slice(-n).join('.');
      if (readCookie(name) === value) { return; }
    }
  }
  function uuid() {
    return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0;
      return (c === 'x' ? r : (r & 0x3 | 0x8)).toString(16);
    });
  }

  var cuid = readCookie(COOKIE) || uuid();
  writeCookie(COOKIE, cuid, 15638400);

  function send(type, name, props) {
    var params = {key: key, cuid: cuid, type: type, name: name || '', url: location.href, ref: d.referrer,
      title: d.title, props: props ? JSON.stringify(props) : '', ts: String(Date.now())};
    var img = new Image(1, 1);
    img.src = 'https://in-automate.brevo.com/p?' + Object.keys(params).filter(function (k) { return params[k]; })
      .map(function (k) { return k + '=' + encodeURIComponent(params[k]); }).join('&');
  }

  sib.page = function (name, props) { send('page', name, props); };
  sib.track = function (name, props) { send('track', name, props); };
  sib.trackLink = function (link, props) { send('trackLink', link && link.href, props); };
  sib.identify = function (email, props) { send('identify', email, props); };

  var queued = sib.equeue || [];
  sib.equeue = [];
  queued.forEach(function (item) {
    Object.keys(item).forEach(function (method) {
      if (typeof sib[method] === 'function') { sib[method].apply(null, item[method]); }
    });
  });
})(window, document);
