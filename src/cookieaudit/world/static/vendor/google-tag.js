/*
 * Demo-world stand-in for Google's tag library (served for both gtm.js?id=GTM-… and gtag/js?id=G-…|AW-…).
 *
 * It reproduces what the browser sees from the real thing: the dataLayer/gtag() command queue, Consent Mode v2
 * state (default/update per consent type, wait_for_update), and the requests and first-party cookies of GA4
 * and Google Ads, with the consent parameters gcs, gcd, npa and dma on every hit.
 *
 * The server prepends nothing and appends nothing: it replaces the BOOT marker at the end with
 *   {"loader": "gtm", "id": "GTM-…", "container": {"consent_mode": "basic|advanced|none", "tags": [...]}}
 * or {"loader": "gtag", "id": "G-…"}.  All loaders on a page share one runtime (window.google_tag_data).
 *
 * Consent behaviour, as documented by Google for Consent Mode:
 *   - no consent command seen at all: tags fire with cookies, hits carry no gcs;
 *   - GA4 with analytics_storage denied: "advanced" sends cookieless pings (no cookies, no cid),
 *     "basic" (a GTM container whose tags require consent) waits until the type is granted;
 *   - Google Ads with ad_storage denied sends nothing until ad_storage is granted.
 */
(function (boot) {
  'use strict';
  var w = window;
  var data = w.google_tag_data = w.google_tag_data || {};
  if (!data.o3dRuntime) {
    data.o3dRuntime = createRuntime();
  }
  data.o3dRuntime.load(boot);

  function createRuntime() {
    var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    var CONSENT_TYPES = ['ad_storage', 'analytics_storage', 'ad_user_data', 'ad_personalization'];
    var consent = {};            // type -> {def: 'granted'|'denied'|undefined, upd: ...}
    var consentSeen = false;     // any gtag('consent', …) processed
    var updateSeen = false;
    var waitUntil = 0;           // wait_for_update deadline (ms since epoch)
    var destinations = {};       // id -> {id, kind, params, requireConsent, cookieless}
    var waiting = [];            // functions waiting for consent to settle or be granted
    var containers = {};
    var earlyEvents = [];        // e-commerce pushes that arrived before any GTM container ran
    var hitCount = 0;
    var pageId = rand(1e9);
    var dl;
    var processed = 0;

    function rand(n) { return Math.floor(Math.random() * n); }
    function nowSec() { return Math.floor(Date.now() / 1000); }

    // ---- consent ---------------------------------------------------------------------------------
    function state(type) {
      var c = consent[type];
      return c ? (c.upd || c.def) : undefined;
    }
    function allowed(type) { return state(type) !== 'denied'; }
    function letter(type) {
      var c = consent[type] || {};
      var code = function (v) { return v === 'granted' ? 3 : (v === 'denied' ? 2 : 1); };
      return B64.charAt(32 + (code(c.def) << 2) + code(c.upd));
    }
    function gcs() { return 'G1' + (allowed('ad_storage') ? 1 : 0) + (allowed('analytics_storage') ? 1 : 0); }
    function gcd() {
      var letters = CONSENT_TYPES.map(letter);
      return '13' + letters.join('3') + (consentSeen ? '5l1' : '1');
    }
    function consentParams(dest) {
      var p = [];
      if (consentSeen) { p.push(['gcs', gcs()]); }
      p.push(['gcd', gcd()]);
      var npa = state('ad_personalization') === 'denied' ||
        (dest && dest.params.allow_ad_personalization_signals === false);
      p.push(['npa', npa ? '1' : '0']);
      p.push(['dma', '1']);
      return p;
    }
    function applyConsent(kind, values) {
      consentSeen = true;
      for (var type in values) {
        if (!Object.prototype.hasOwnProperty.call(values, type) || type === 'wait_for_update' || type === 'region') { continue; }
        consent[type] = consent[type] || {};
        if (kind === 'default') { consent[type].def = values[type]; } else { consent[type].upd = values[type]; }
      }
      if (kind === 'default' && values.wait_for_update) {
        waitUntil = Math.max(waitUntil, Date.now() + Number(values.wait_for_update));
        setTimeout(flushWaiting, Number(values.wait_for_update) + 5);
      }
      if (kind === 'update') {
        updateSeen = true;
        upgradeCookielessDestinations();
      }
      flushWaiting();
    }
    function settled() { return updateSeen || Date.now() >= waitUntil; }
    // Run fn once consent has settled and ready() holds; re-checked after every consent change.
    function whenReady(ready, fn) {
      if (settled() && ready()) { fn(); } else { waiting.push({ready: ready, fn: fn}); }
    }
    function flushWaiting() {
      var still = [];
      var items = waiting;
      waiting = [];
      items.forEach(function (item) {
        if (settled() && item.ready()) { item.fn(); } else { still.push(item); }
      });
      waiting = still.concat(waiting);
    }

    // ---- cookies ---------------------------------------------------------------------------------
    function readCookie(name) {
      var parts = document.cookie ? document.cookie.split('; ') : [];
      for (var i = 0; i < parts.length; i++) {
        var eq = parts[i].indexOf('=');
        if (parts[i].slice(0, eq) === name) { return decodeURIComponent(parts[i].slice(eq + 1)); }
      }
      return null;
    }
    // cookie_domain 'auto': the highest domain that accepts the cookie (the shop's registrable domain).
    function writeCookie(name, value, maxAgeSec) {
      var labels = location.hostname.split('.');
      var expires = maxAgeSec ? '; expires=' + new Date(Date.now() + maxAgeSec * 1000).toUTCString() : '';
      for (var n = 2; n <= labels.length; n++) {
        var domain = labels.slice(-n).join('.');
        document.cookie = name + '=' + value + expires + '; path=/; domain=' + domain;
        if (readCookie(name) === value) { return; }
      }
    }

    function ga4Ids(dest) {
      var maxAge = dest.params.cookie_expires !== undefined ? Number(dest.params.cookie_expires) : 63072000;
      var ga = readCookie('_ga');
      var cid;
      if (ga && /^GA1\.\d\./.test(ga)) {
        cid = ga.split('.').slice(2).join('.');
      } else {
        cid = rand(2147483647) + '.' + nowSec();
      }
      writeCookie('_ga', 'GA1.1.' + cid, maxAge);
      var streamCookie = '_ga_' + dest.id.replace(/^G-/, '');
      var session = readCookie(streamCookie);
      var sid = nowSec();
      var sct = 1;
      var m = session && /^GS2\.1\.s(\d+)\$o(\d+)\$g\d\$t(\d+)/.exec(session);
      if (m) {
        sct = Number(m[2]);
        if (nowSec() - Number(m[3]) < 1800) { sid = Number(m[1]); } else { sct += 1; }
      }
      writeCookie(streamCookie, 'GS2.1.s' + sid + '$o' + sct + '$g1$t' + nowSec() + '$j60$l0$h0', maxAge);
      return {cid: cid, sid: sid, sct: sct, firstVisit: !ga};
    }

    function gclAu() {
      var v = readCookie('_gcl_au');
      if (!v) {
        v = '1.1.' + rand(2147483647) + '.' + nowSec();
        writeCookie('_gcl_au', v, 7776000);
      }
      return v.split('.').slice(2).join('.');
    }

    // ---- transport ---------------------------------------------------------------------------------
    function query(pairs) {
      return pairs.filter(function (p) { return p[1] !== undefined && p[1] !== null && p[1] !== ''; })
        .map(function (p) { return encodeURIComponent(p[0]) + '=' + encodeURIComponent(p[1]); }).join('&');
    }
    function beacon(url) {
      if (navigator.sendBeacon && navigator.sendBeacon(url)) { return; }
      fetch(url, {method: 'POST', keepalive: true, mode: 'no-cors', credentials: 'include'});
    }
    function pixel(url) {
      var img = new Image(1, 1);
      img.src = url;
    }

    // ---- GA4 ----------------------------------------------------------------------------------------
    function ga4Send(dest, eventName, params, cookieless) {
      var pairs = [['v', '2'], ['tid', dest.id], ['gtm', '45je5b30v9' + (dest.container || '')], ['_p', pageId]];
      pairs = pairs.concat(consentParams(dest));
      var ids = null;
      if (!cookieless) { ids = ga4Ids(dest); }
      if (ids) { pairs.push(['cid', ids.cid]); }
      pairs.push(['ul', (navigator.language || '').toLowerCase()]);
      pairs.push(['sr', screen.width + 'x' + screen.height]);
      if (dest.params.user_id) { pairs.push(['uid', dest.params.user_id]); }
      pairs.push(['_s', String(++hitCount)]);
      if (ids) {
        pairs.push(['sid', String(ids.sid)], ['sct', String(ids.sct)], ['seg', '1']);
        if (ids.firstVisit) { pairs.push(['_fv', '1'], ['_ss', '1']); }
      }
      pairs.push(['dl', location.href], ['dr', document.referrer], ['dt', document.title], ['en', eventName]);
      for (var key in (params || {})) {
        if (!Object.prototype.hasOwnProperty.call(params, key) || key === 'send_to') { continue; }
        var value = params[key];
        if (typeof value === 'number') { pairs.push(['epn.' + key, String(value)]); }
        else if (typeof value === 'string') { pairs.push(['ep.' + key, value]); }
      }
      pairs.push(['tfd', String(Math.round(performance.now()))]);
      var host = dest.params.allow_google_signals === true ? 'region1.analytics.google.com' : 'region1.google-analytics.com';
      beacon('https://' + host + '/g/collect?' + query(pairs));
    }
    function ga4Event(dest, eventName, params) {
      whenReady(function () { return !dest.requireConsent || allowed('analytics_storage'); }, function () {
        var cookieless = !allowed('analytics_storage');
        if (cookieless) { dest.sentCookieless = true; }
        ga4Send(dest, eventName, params, cookieless);
      });
    }
    // Advanced mode: once analytics_storage is granted, the tag writes its cookies and reports engagement.
    function upgradeCookielessDestinations() {
      Object.keys(destinations).forEach(function (id) {
        var dest = destinations[id];
        if (dest.kind === 'ga4' && dest.sentCookieless && allowed('analytics_storage')) {
          dest.sentCookieless = false;
          ga4Send(dest, 'user_engagement', {}, false);
        }
      });
    }

    // ---- Google Ads -----------------------------------------------------------------------------------
    function adsNumber(dest) { return dest.id.replace(/^AW-/, ''); }
    function adsRemarketing(dest) {
      whenReady(function () { return allowed('ad_storage'); }, function () {
        var pairs = [['random', String(rand(1e10))], ['cv', '11'], ['fst', String(Date.now())], ['bg', 'ffffff'],
          ['guid', 'ON'], ['async', '1'], ['gtm', '45be5b30v9']];
        pairs = pairs.concat(consentParams(dest));
        pairs.push(['u_w', String(screen.width)], ['u_h', String(screen.height)], ['url', location.href],
          ['ref', document.referrer], ['hn', 'www.googleadservices.com'], ['frm', '0'], ['tiba', document.title],
          ['auid', gclAu()], ['data', 'event=page_view'], ['rfmt', '3'], ['fmt', '4']);
        pixel('https://googleads.g.doubleclick.net/pagead/viewthroughconversion/' + adsNumber(dest) + '/?' + query(pairs));
      });
    }
    function adsConversion(dest, label, params) {
      whenReady(function () { return allowed('ad_storage'); }, function () {
        var pairs = [['random', String(rand(1e10))], ['cv', '11'], ['fst', String(Date.now())], ['label', label],
          ['value', params && params.value !== undefined ? String(params.value) : undefined],
          ['currency_code', params && params.currency], ['guid', 'ON']];
        pairs = pairs.concat(consentParams(dest));
        pairs.push(['url', location.href], ['ref', document.referrer], ['tiba', document.title], ['auid', gclAu()],
          ['rfmt', '3'], ['fmt', '3']);
        pixel('https://www.googleadservices.com/pagead/conversion/' + adsNumber(dest) + '/?' + query(pairs));
      });
    }

    // ---- commands ---------------------------------------------------------------------------------------
    function configure(id, params, options) {
      var kind = /^G-/.test(id) ? 'ga4' : (/^AW-/.test(id) ? 'ads' : null);
      if (!kind) { return null; }
      var dest = destinations[id] = destinations[id] || {id: id, kind: kind, params: {}};
      for (var k in (params || {})) { dest.params[k] = params[k]; }
      dest.requireConsent = !!(options && options.requireConsent);
      dest.container = options && options.container;
      if ((params || {}).send_page_view === false) { return dest; }
      if (kind === 'ga4') { ga4Event(dest, 'page_view', {}); } else { adsRemarketing(dest); }
      return dest;
    }
    function sendEvent(name, params) {
      params = params || {};
      var targets = params.send_to ? [].concat(params.send_to) : Object.keys(destinations);
      targets.forEach(function (target) {
        var id = String(target).split('/')[0];
        var dest = destinations[id];
        if (!dest) { return; }
        if (dest.kind === 'ga4') { ga4Event(dest, name, params); }
        else if (String(target).indexOf('/') > 0) { adsConversion(dest, String(target).split('/')[1], params); }
      });
    }
    var ECOMMERCE_EVENTS = {view_item: 1, add_to_cart: 1, view_cart: 1, begin_checkout: 1, purchase: 1};
    function handle(entry) {
      if (!entry) { return; }
      if (Object.prototype.toString.call(entry) === '[object Arguments]' || Array.isArray(entry)) {
        var cmd = entry[0];
        if (cmd === 'consent' && (entry[1] === 'default' || entry[1] === 'update')) { applyConsent(entry[1], entry[2] || {}); }
        else if (cmd === 'config') { configure(entry[1], entry[2]); }
        else if (cmd === 'event') { sendEvent(entry[1], entry[2]); }
        return;
      }
      // GTM-style object pushes: container triggers for e-commerce events go to the container's GA4 tag.
      if (typeof entry === 'object' && ECOMMERCE_EVENTS[entry.event]) {
        var targets = Object.keys(destinations).filter(function (id) {
          return destinations[id].kind === 'ga4' && destinations[id].container;
        });
        if (!targets.length) { earlyEvents.push(entry); }   // replayed once a container is running
        targets.forEach(function (id) {
          ga4Event(destinations[id], entry.event, entry.ecommerce ? {currency: entry.ecommerce.currency, value: entry.ecommerce.value} : {});
        });
      }
    }
    function processQueue() {
      while (processed < dl.length) { handle(dl[processed++]); }
    }

    function runContainer(id, container) {
      var requireConsent = container.consent_mode === 'basic';
      (container.tags || []).forEach(function (tag) {
        if (tag.type === 'ga4' || tag.type === 'ads') {
          configure(tag.id, tag.settings || {}, {requireConsent: requireConsent, container: id});
        } else if (tag.type === 'ads_conversion' && location.pathname === tag.path) {
          var dest = destinations[tag.id] || configure(tag.id, {send_page_view: false}, {container: id});
          adsConversion(dest, tag.label, {value: tag.value, currency: tag.currency});
        }
      });
    }

    return {
      load: function (bootInfo) {
        dl = w.dataLayer = w.dataLayer || [];
        if (!dl.o3dHooked) {
          var push = dl.push;
          dl.push = function () {
            var result = push.apply(dl, arguments);
            processQueue();
            return result;
          };
          dl.o3dHooked = true;
        }
        processQueue();
        if (bootInfo.loader === 'gtm' && !containers[bootInfo.id]) {
          containers[bootInfo.id] = bootInfo.container;
          w.google_tag_manager = w.google_tag_manager || {};
          w.google_tag_manager[bootInfo.id] = {dataLayer: {name: 'dataLayer'}};
          runContainer(bootInfo.id, bootInfo.container || {});
          var early = earlyEvents;
          earlyEvents = [];
          early.forEach(handle);
        }
      }
    };
  }
})(/*BOOT*/{});
