/*
 * Demo-world stand-in for the Meta Pixel library (connect.facebook.net/en_US/fbevents.js).
 *
 * Takes over the fbq() queue of the standard snippet, loads the pixel's configuration script, writes the
 * first-party browser id _fbp (90 days) and reports each event as an image request to
 * www.facebook.com/tr/, whose response sets the third-party fr cookie on .facebook.com.
 */
(function (w, d) {
  'use strict';
  var fbq = w.fbq;
  if (!fbq || fbq.o3dLoaded) { return; }
  var VERSION = '2.9.174';
  var pixels = [];
  var eventCount = 0;
  var started = Date.now();

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
  function browserId() {
    var fbp = readCookie('_fbp');
    if (!fbp) {
      fbp = 'fb.1.' + Date.now() + '.' + Math.floor(Math.random() * 1e10);
      writeCookie('_fbp', fbp, 7776000);
    }
    return fbp;
  }
  function track(pixelId, eventName, params) {
    var query = {id: pixelId, ev: eventName, dl: location.href, rl: d.referrer, 'if': 'false', ts: String(Date.now()),
      sw: String(screen.width), sh: String(screen.height), v: VERSION, r: 'stable', ec: String(eventCount++),
      o: '4124', fbp: browserId(), cs_est: 'true', it: String(started), coo: 'false', rqm: 'GET'};
    for (var k in (params || {})) { query['cd[' + k + ']'] = String(params[k]); }
    var img = new Image(1, 1);
    img.src = 'https://www.facebook.com/tr/?' + Object.keys(query).filter(function (k) { return query[k] !== ''; })
      .map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(query[k]); }).join('&');
  }
  function loadConfig(pixelId) {
    var script = d.createElement('script');
    script.async = true;
    script.src = 'https://connect.facebook.net/signals/config/' + pixelId + '?v=' + VERSION + '&r=stable&domain=' + location.hostname;
    d.head.appendChild(script);
  }

  function handle(args) {
    var command = args[0];
    if (command === 'init' && pixels.indexOf(String(args[1])) < 0) {
      pixels.push(String(args[1]));
      loadConfig(String(args[1]));
    } else if (command === 'track' || command === 'trackCustom') {
      pixels.forEach(function (id) { track(id, args[1], args[2]); });
    } else if (command === 'trackSingle') {
      track(String(args[1]), args[2], args[3]);
    }
  }

  var queued = fbq.queue || [];
  fbq.queue = [];
  fbq.callMethod = function () { handle(arguments); };
  fbq.o3dLoaded = true;
  fbq.version = '2.0';
  queued.forEach(handle);
})(window, document);
