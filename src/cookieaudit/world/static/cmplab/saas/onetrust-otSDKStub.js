/*
 * STAND-IN for OneTrust's otSDKStub.js (https://cdn.cookielaw.org/scripttemplates/otSDKStub.js), cookieaudit CMP lab.
 * NOT OneTrust's code (which lives only on OneTrust's CDN and is not licensed for redistribution); written from
 * OneTrust's public documentation, see otBannerSdk.js beside this file for the sources and what is not implemented.
 *
 * What the real stub does and this one too: read data-domain-script from its own <script> tag and load the banner
 * SDK (scripttemplates/<version>/otBannerSdk.js) asynchronously. NOT implemented: the stub's queueing of early API
 * calls, the IAB TCF __tcfapi stub, geolocation lookups (geolocation.onetrust.com), the domain-data JSON request
 * (consent/<domain-script>/<domain-script>.json: the lab's groups are inlined in the SDK stand-in instead).
 */
(function (w, d) {
  'use strict';
  var CONFIG = /*@CONFIG@*/null || {};
  var me = d.currentScript || d.querySelector('script[src*="otSDKStub.js"]');
  var domainScript = me && me.getAttribute('data-domain-script');
  if (!domainScript) {
    if (w.console) { console.error('OneTrust: data-domain-script missing on the otSDKStub.js tag'); }
    return;
  }
  var base = me.src.split('/scripttemplates/')[0];
  var sdk = d.createElement('script');
  sdk.src = base + '/scripttemplates/' + CONFIG.version + '/otBannerSdk.js' + (CONFIG.broken ? '?broken=1' : '');
  sdk.async = true;
  sdk.type = 'text/javascript';
  sdk.charset = 'UTF-8';
  sdk.setAttribute('data-domain-script', domainScript);
  (d.head || d.documentElement).appendChild(sdk);
})(window, document);
