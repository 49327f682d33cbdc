/*
 * online-3d shop scripts (first party, strictly necessary):
 *   - the cart, kept in localStorage under "o3d_cart";
 *   - O3D.consentChanged: turns the consent manager's categories into Google Consent Mode updates;
 *   - O3D.loadGtm: Google's GTM snippet as a function, so a consent manager can run it once;
 *   - O3D.rememberPreferences: the optional "functional" cookie o3d_prefs (language, currency).
 * Configuration comes from window.O3D_CONFIG, written by the server into each page.
 */
(function (w, d) {
  'use strict';
  var config = w.O3D_CONFIG || {};
  var texts = config.texts || {};
  var O3D = w.O3D = w.O3D || {};
  var CART_KEY = 'o3d_cart';

  function readCart() {
    try { return JSON.parse(w.localStorage.getItem(CART_KEY)); } catch (e) { return null; }
  }
  function writeCart(cart) {
    cart.updated = Date.now();
    w.localStorage.setItem(CART_KEY, JSON.stringify(cart));
    return cart;
  }
  function money(value) { return '\u20ac ' + value.toFixed(2).replace('.', ','); }
  function gtag() {
    w.dataLayer = w.dataLayer || [];
    w.dataLayer.push(arguments);
  }

  O3D.cart = function () { return readCart() || writeCart({v: 1, currency: 'EUR', items: []}); };

  O3D.addToCart = function (sku, name, price) {
    var cart = O3D.cart();
    var line = cart.items.filter(function (item) { return item.sku === sku; })[0];
    if (line) { line.qty += 1; } else { cart.items.push({sku: sku, name: name, price: price, qty: 1}); }
    writeCart(cart);
    O3D.renderCartCount();
    if (config.google) {
      (w.dataLayer = w.dataLayer || []).push({event: 'add_to_cart',
        ecommerce: {currency: 'EUR', value: price, items: [{item_id: sku, item_name: name, price: price, quantity: 1}]}});
    }
  };

  O3D.renderCartCount = function () {
    var el = d.getElementById('cart-count');
    if (el) { el.textContent = String(O3D.cart().items.reduce(function (n, item) { return n + item.qty; }, 0)); }
  };

  O3D.renderCart = function () {
    var list = d.getElementById('cart-items');
    if (!list) { return; }
    var cart = O3D.cart();
    list.textContent = '';
    if (!cart.items.length) {
      var empty = d.createElement('p');
      empty.textContent = texts.cart_empty || '';
      list.appendChild(empty);
    }
    var total = 0;
    cart.items.forEach(function (item) {
      var row = d.createElement('div');
      row.className = 'cart-row';
      row.textContent = item.qty + ' \u00d7 ' + item.name + ' \u2014 ' + money(item.price * item.qty);
      list.appendChild(row);
      total += item.price * item.qty;
    });
    var totalEl = d.getElementById('cart-total');
    if (totalEl) { totalEl.textContent = money(total); }
  };

  O3D.loadGtm = function () {
    if (O3D.gtmLoaded || !config.gtmId) { return; }
    O3D.gtmLoaded = true;
    (function (w2, d2, s, l, i) {
      w2[l] = w2[l] || [];
      w2[l].push({'gtm.start': new Date().getTime(), event: 'gtm.js'});
      var f = d2.getElementsByTagName(s)[0], j = d2.createElement(s);
      j.async = true;
      j.src = 'https://www.googletagmanager.com/gtm.js?id=' + i;
      f.parentNode.insertBefore(j, f);
    })(w, d, 'script', 'dataLayer', config.gtmId);
  };

  O3D.consentChanged = function (categories, source) {
    O3D.consent = {performance: !!categories.performance, functional: !!categories.functional,
      targeting: !!categories.targeting, source: source};
    if (!config.consentMode || config.consentMode === 'none') { return; }
    var ads = categories.targeting ? 'granted' : 'denied';
    var update = {ad_storage: ads, ad_user_data: ads, ad_personalization: ads};
    if (!config.analyticsExempt) { update.analytics_storage = categories.performance ? 'granted' : 'denied'; }
    gtag('consent', 'update', update);
  };

  O3D.rememberPreferences = function () {
    d.cookie = 'o3d_prefs=' + encodeURIComponent('lang=' + config.lang + '&currency=EUR') +
      '; max-age=31536000; path=/; SameSite=Lax; Secure';
  };

  function start() {
    O3D.renderCartCount();
    O3D.renderCart();
    var buttons = d.querySelectorAll('[data-add-to-cart]');
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener('click', function () {
        O3D.addToCart(button.getAttribute('data-sku'), button.getAttribute('data-name'), Number(button.getAttribute('data-price')));
        var note = d.getElementById('added-note');
        if (note) { note.hidden = false; }
      });
    });
    if (config.google && config.page === 'product') {
      (w.dataLayer = w.dataLayer || []).push({event: 'view_item', ecommerce: {currency: 'EUR', value: config.price}});
    }
  }

  O3D.cart();   // every visit has a (possibly empty) cart
  if (d.readyState === 'loading') { d.addEventListener('DOMContentLoaded', start); } else { start(); }
})(window, document);
