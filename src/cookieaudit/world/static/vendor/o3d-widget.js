/*
 * static.o3d-widgets.net/widget.js: a third-party "shop reviews" badge that is on no tracker list.
 * It draws a badge and nothing else: no cookies, no storage, no further requests.
 */
(function (d) {
  'use strict';
  function show() {
    if (d.getElementById('o3dw-badge')) { return; }
    var badge = d.createElement('a');
    badge.id = 'o3dw-badge';
    badge.href = '#reviews';
    badge.textContent = '\u2605\u2605\u2605\u2605\u2605 4,8 / 5';
    badge.setAttribute('style', 'position:fixed;left:12px;bottom:12px;z-index:5;padding:6px 10px;' +
      'background:#fff;border:1px solid #d0d7de;border-radius:16px;font:13px system-ui,sans-serif;' +
      'color:#1f2328;text-decoration:none;box-shadow:0 1px 3px rgba(0,0,0,.15)');
    d.body.appendChild(badge);
  }
  if (d.readyState === 'loading') { d.addEventListener('DOMContentLoaded', show); } else { show(); }
})(document);
