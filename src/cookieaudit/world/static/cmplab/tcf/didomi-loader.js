/* Didomi Web SDK loader STAND-IN (cookieaudit CMP lab), served at sdk.privacy-center.org/<api-key>/loader.js as
 * Didomi's embed snippet requests it (script#spcloader, ?target=<host>). The real loader fetches the notice's
 * remote configuration and the versioned SDK bundle; this one imports the stand-in SDK module next to it.
 * See didomi-sdk.js for what the stand-in follows and what it does not implement.
 */
(function (w, d) {
  'use strict';
  var me = d.currentScript || d.getElementById('spcloader');
  var base = me && me.src ? me.src : 'https://sdk.privacy-center.org/loader.js';
  import(new URL('/sdk/o3d-standin/sdk.js', base).href).catch(function (e) {
    if (w.console) { w.console.error('Didomi stand-in failed to load:', e); }
  });
})(window, document);
