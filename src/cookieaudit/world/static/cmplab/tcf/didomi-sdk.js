/* Didomi Web SDK STAND-IN for the cookieaudit CMP lab (didomi.o3d-lab.nl). Didomi's SDK is SaaS-only (served
 * from sdk.privacy-center.org, not redistributable); this module implements the parts of its DOCUMENTED page API
 * and storage that an auditor relies on, written from:
 *  - developers.didomi.io, Web SDK "Reference / API": window.Didomi, the window.didomiOnReady queue,
 *    getUserStatus(), getCurrentUserStatus(), setUserStatus({purposes: {consent, legitimate_interest},
 *    vendors: {consent, legitimate_interest}, created, updated, source, action}), setUserAgreeToAll(),
 *    setUserDisagreeToAll(), notice.show/hide/isVisible, preferences.show/hide/isVisible,
 *    shouldConsentBeCollected(), getPurposes(), getVendors(), getRequiredPurposes/Vendors(), reset(), on(),
 *    window.didomiEventListeners ("consent.changed", "notice.shown", …);
 *    "Reference / API / Deprecated": getUserConsentStatusForPurpose/ForVendor, getUserConsentStatusForAll;
 *  - developers.didomi.io, "Custom Didomi <script> tags": <script type="didomi/javascript"> with data-vendor
 *    (vendor and all its purposes), data-vendor-raw (vendor only) and data-purposes (every listed purpose),
 *    replaced by <script type="text/javascript"> with the same attributes once consent allows;
 *  - the Open Cookie Database (Didomi: didomi_token and euconsent-v2, 1 year) and didomi_token values seen in
 *    public code: base64 of JSON {user_id, created, updated, vendors: {enabled, disabled}, purposes: {enabled,
 *    disabled}, vendors_li, purposes_li, version: 2, ac};
 *  - DuckDuckGo autoconsent's rule "didomi" (npm @duckduckgo/autoconsent rules/autoconsent/didomi.json,
 *    lib/eval-snippets.ts): #didomi-host, #didomi-notice, #didomi-popup, #didomi-notice-agree-button,
 *    #didomi-notice-disagree-button, #didomi-notice-learn-more-button, getCurrentUserStatus().purposes;
 *  - Didomi's purpose ids for the IAB TCF purposes (cookies, select_basic_ads, create_ads_profile,
 *    select_personalized_ads, create_content_profile, select_personalized_content, measure_ad_performance,
 *    measure_content_performance, market_research, improve_products, use_limited_data_to_select_content);
 *  - IAB TCF v2.2: __tcfapi and the TC string come from the IAB reference library @iabtcf/core + @iabtcf/cmpapi
 *    1.5.6 (served by the vendor host from node_modules); CMP id 7 is Didomi's registered TCF CMP id.
 * NOT implemented: the remote notice configuration and console, consent sync/cross-device, vendor layer UI,
 * legitimate-interest UI (no purpose or vendor is processed on legitimate interest here), GPP/US regulations,
 * Google Additional Consent (ac is empty), Consent Mode, translations other than Dutch, events other than
 * consent.changed / notice.* / preferences.*, the postMessage API, the AB tests; the preferences popup markup is
 * an approximation (checkbox switches instead of Didomi's agree/disagree buttons per purpose).
 * window.didomiConfig.broken = true (lab knob, negative control): setUserDisagreeToAll() - and so the notice's
 * "Weigeren" and the preferences' "Alles weigeren" - stores consent to everything.
 */
import { GVL, TCModel, TCString } from '/sdk/iabtcf/core/lib/mjs/index.js';
import { CmpApi } from '/sdk/iabtcf/cmpapi/lib/mjs/index.js';

const w = window;
const d = document;
const CONFIG = w.didomiConfig || {};
const CMP_ID = 7;
const CMP_VERSION = 2;
const TOKEN = 'didomi_token';
const TC_COOKIE = 'euconsent-v2';
const MAX_AGE = 365 * 86400;

const PURPOSES = [
  { id: 'cookies', iabId: 1, name: 'Informatie op een apparaat opslaan en/of openen' },
  { id: 'select_basic_ads', iabId: 2, name: 'Beperkte gegevens gebruiken om advertenties te selecteren' },
  { id: 'create_ads_profile', iabId: 3, name: 'Profielen voor gepersonaliseerde advertenties maken' },
  { id: 'select_personalized_ads', iabId: 4, name: 'Profielen gebruiken om gepersonaliseerde advertenties te selecteren' },
  { id: 'create_content_profile', iabId: 5, name: 'Profielen maken om content te personaliseren' },
  { id: 'select_personalized_content', iabId: 6, name: 'Profielen gebruiken om gepersonaliseerde content te selecteren' },
  { id: 'measure_ad_performance', iabId: 7, name: 'Advertentieprestaties meten' },
  { id: 'measure_content_performance', iabId: 8, name: 'Contentprestaties meten' },
  { id: 'market_research', iabId: 9, name: 'Doelgroepen begrijpen door statistieken of combinaties van gegevens uit verschillende bronnen' },
  { id: 'improve_products', iabId: 10, name: 'Diensten ontwikkelen en verbeteren' },
  { id: 'use_limited_data_to_select_content', iabId: 11, name: 'Beperkte gegevens gebruiken om content te selecteren' },
];
const BY_IAB = Object.fromEntries(PURPOSES.map((p) => [p.iabId, p.id]));
const PURPOSE_IDS = PURPOSES.map((p) => p.id);

GVL.baseUrl = new URL('./', import.meta.url).href;
const cmpApi = new CmpApi(CMP_ID, CMP_VERSION, true);
let gvl = null;
let VENDORS = [];
let status = null;            // the stored user status, or null before any choice
const listeners = [];

// ---- storage -------------------------------------------------------------------------------------------------
function readCookie(name) {
  const m = d.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
  return m ? decodeURIComponent(m[1]) : null;
}
function writeCookie(name, value) {
  d.cookie = `${name}=${encodeURIComponent(value)}; Max-Age=${MAX_AGE}; Path=/; SameSite=Lax; Secure`;
}
function b64(json) { return btoa(unescape(encodeURIComponent(JSON.stringify(json)))); }
function unb64(s) { return JSON.parse(decodeURIComponent(escape(atob(s)))); }
function readToken() {
  const raw = readCookie(TOKEN) || (() => { try { return w.localStorage.getItem(TOKEN); } catch (e) { return null; } })();
  if (!raw) { return null; }
  try { return unb64(raw); } catch (e) { return null; }
}
const uniq = (xs) => [...new Set((xs || []).filter((x) => x !== undefined && x !== null))];
const pair = (o) => ({ enabled: uniq(o && o.enabled), disabled: uniq(o && o.disabled) });
function fromToken(t) {
  return { user_id: t.user_id, created: t.created, updated: t.updated,
           purposes: pair(t.purposes), purposes_li: pair(t.purposes_li),
           vendors: pair(t.vendors), vendors_li: pair(t.vendors_li) };
}
function uuid() {
  return (w.crypto && w.crypto.randomUUID) ? w.crypto.randomUUID()
    : 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => ((Math.random() * 16) | 0).toString(16));
}

// ---- vendors and purposes ------------------------------------------------------------------------------------
function normVendor(id) {
  if (typeof id === 'number') { return id; }
  const s = String(id).replace(/^(iab|didomi):/, '');
  return /^\d+$/.test(s) ? Number(s) : s;
}
function vendorById(id) { const v = normVendor(id); return VENDORS.find((x) => x.id === v); }
const purposeOn = (id) => !!status && status.purposes.enabled.includes(id);
const vendorOn = (id) => !!status && status.vendors.enabled.includes(normVendor(id));
function vendorAndPurposesOn(id) {
  const v = vendorById(id);
  return !!v && vendorOn(v.id) && v.purposeIds.every(purposeOn);
}

// ---- persistence + TCF ---------------------------------------------------------------------------------------
function tcString() {
  const model = new TCModel(gvl);
  model.cmpId = CMP_ID;
  model.cmpVersion = CMP_VERSION;
  model.isServiceSpecific = true;
  model.publisherCountryCode = 'NL';
  const purposes = PURPOSES.filter((p) => purposeOn(p.id)).map((p) => p.iabId);
  if (purposes.length) { model.purposeConsents.set(purposes); model.publisherConsents.set(purposes); }
  const vendors = status.vendors.enabled.filter((v) => typeof v === 'number');
  if (vendors.length) { model.vendorConsents.set(vendors); }
  return TCString.encode(model);
}
function persist() {
  const token = { user_id: status.user_id, created: status.created, updated: status.updated,
                  vendors: status.vendors, purposes: status.purposes, vendors_li: status.vendors_li,
                  purposes_li: status.purposes_li, version: 2, ac: '' };
  writeCookie(TOKEN, b64(token));
  const tc = tcString();
  writeCookie(TC_COOKIE, tc);
  cmpApi.update(tc, false);
  w.didomiState = {
    didomiGDPRApplies: 1, didomiIABConsent: tc,
    didomiPurposesConsent: status.purposes.enabled.join(','),
    didomiVendorsConsent: status.vendors.enabled.map((v) => (typeof v === 'number' ? `iab:${v}` : v)).join(','),
  };
}
function emit(event, data) {
  for (const l of listeners) {
    if (l.event === event) { try { l.listener(data); } catch (e) { /* a listener's error is its own */ } }
  }
}
function applyStatus(next) {
  const now = new Date().toISOString();
  status = {
    user_id: (status && status.user_id) || next.user_id || uuid(),
    created: (status && status.created) || next.created || now,
    updated: now,
    purposes: pair(next.purposes), purposes_li: pair(next.purposes_li),
    vendors: { enabled: uniq(next.vendors.enabled).map(normVendor), disabled: uniq(next.vendors.disabled).map(normVendor) },
    vendors_li: pair(next.vendors_li),
  };
  persist();
  hideAll();
  emit('consent.changed', { consentToken: status });
  gateTags();
  return true;
}
function statusFor(on) {
  const purposes = PURPOSE_IDS.filter((id) => on);
  const vendors = VENDORS.map((v) => v.id);
  return { purposes: { enabled: on ? purposes : [], disabled: on ? [] : PURPOSE_IDS.slice() },
           purposes_li: { enabled: [], disabled: [] },
           vendors: { enabled: on ? vendors : [], disabled: on ? [] : vendors },
           vendors_li: { enabled: [], disabled: [] } };
}

// ---- tag gating (Custom Didomi <script> tags) ----------------------------------------------------------------
function gateTags() {
  d.querySelectorAll('script[type="didomi/javascript"]').forEach((el) => {
    const vendor = el.getAttribute('data-vendor');
    const raw = el.getAttribute('data-vendor-raw');
    const purposes = el.getAttribute('data-purposes');
    if (!vendor && !raw && !purposes) { return; }
    if (vendor && !vendorAndPurposesOn(vendor)) { return; }
    if (raw && !vendorOn(raw)) { return; }
    if (purposes && !purposes.split(',').map((s) => s.trim()).every(purposeOn)) { return; }
    const s = d.createElement('script');
    for (const a of Array.from(el.attributes)) { if (a.name !== 'type') { s.setAttribute(a.name, a.value); } }
    s.type = 'text/javascript';
    if (!el.getAttribute('src')) { s.text = el.text; }
    el.parentNode.replaceChild(s, el);
  });
}

// ---- user interface ------------------------------------------------------------------------------------------
const css = `
#didomi-host{font:15px/1.45 sans-serif;color:#222}
#didomi-host .didomi-notice-banner{position:fixed;left:0;right:0;bottom:0;z-index:2147483640;background:#fff;
 border-top:3px solid #05687b;box-shadow:0 -4px 18px rgba(0,0,0,.2);padding:1rem 1.25rem}
#didomi-host .didomi-notice-text{max-width:60rem;margin:0 auto .6rem}
#didomi-host .didomi-buttons{display:flex;gap:.6rem;flex-wrap:wrap;max-width:60rem;margin:0 auto}
#didomi-host button{font:inherit;padding:.55rem 1.1rem;border-radius:4px;border:1px solid #05687b;background:#05687b;color:#fff;cursor:pointer}
#didomi-host button.didomi-button-standard{background:#fff;color:#05687b}
#didomi-host .didomi-popup-backdrop{position:fixed;inset:0;z-index:2147483641;background:rgba(0,0,0,.45);display:flex;
 align-items:center;justify-content:center}
#didomi-host .didomi-popup-container{background:#fff;max-width:40rem;max-height:85vh;overflow:auto;padding:1rem 1.25rem;border-radius:6px}
#didomi-host .didomi-consent-popup-data-processing{margin:.35rem 0}
#didomi-host [hidden]{display:none!important}`;

function h(tag, attrs, ...children) {
  const el = d.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on')) { el.addEventListener(k.slice(2), v); } else if (v !== false && v !== null) { el.setAttribute(k, v === true ? '' : v); }
  }
  for (const c of children) { el.append(c); }
  return el;
}
let host; let notice; let popup;
function buildUi() {
  d.head.append(h('style', {}, css));
  notice = h('div', { id: 'didomi-notice', class: 'didomi-notice-banner didomi-regular-notice', role: 'region',
                      'aria-label': 'Cookiemelding', hidden: true },
    h('div', { class: 'didomi-notice-text' },
      'Wij en onze partners slaan informatie op uw apparaat op en lezen die, zoals cookies, om het gebruik van ',
      'deze site te meten, uw voorkeuren te onthouden en advertenties te tonen. Met "Akkoord en sluiten" stemt u ',
      'daarmee in; u kunt ook weigeren of uw keuze per doel maken, en uw keuze altijd wijzigen via ',
      '"Cookie-instellingen" onderaan de pagina.'),
    h('div', { class: 'didomi-buttons' },
      h('button', { id: 'didomi-notice-learn-more-button', type: 'button',
                    class: 'didomi-components-button didomi-button didomi-button-standard standard-button',
                    onclick: () => api.preferences.show() }, 'Instellingen'),
      h('button', { id: 'didomi-notice-disagree-button', type: 'button',
                    class: 'didomi-components-button didomi-button didomi-button-highlight highlight-button',
                    onclick: () => api.setUserDisagreeToAll() }, 'Weigeren'),
      h('button', { id: 'didomi-notice-agree-button', type: 'button',
                    class: 'didomi-components-button didomi-button didomi-button-highlight highlight-button',
                    onclick: () => api.setUserAgreeToAll() }, 'Akkoord en sluiten')));
  const rows = PURPOSES.map((p) => h('div', { class: 'didomi-consent-popup-data-processing', 'data-purpose-id': p.id },
    h('label', {}, h('input', { type: 'checkbox', role: 'switch', id: `didomi-purpose-${p.id}`, 'data-purpose': p.id }), ' ', p.name)));
  popup = h('div', { class: 'didomi-popup-backdrop didomi-notice-popup', hidden: true },
    h('div', { id: 'didomi-popup', class: 'didomi-popup-container didomi-consent-popup-preferences didomi-consent-popup-preferences-purposes',
               role: 'dialog', 'aria-label': 'Cookievoorkeuren' },
      h('h2', {}, 'Uw keuze per doel'),
      ...rows,
      h('div', { class: 'didomi-buttons didomi-consent-popup-actions' },
        h('button', { type: 'button', class: 'didomi-components-button didomi-button didomi-button-standard',
                      onclick: () => api.setUserDisagreeToAll() }, 'Alles weigeren'),
        h('button', { type: 'button', class: 'didomi-components-button didomi-button didomi-button-standard',
                      onclick: () => api.setUserAgreeToAll() }, 'Alles accepteren'),
        h('button', { type: 'button', class: 'didomi-components-button didomi-button didomi-button-highlight',
                      onclick: savePreferences }, 'Keuze opslaan'))));
  host = h('div', { id: 'didomi-host', 'data-nosnippet': 'true', 'aria-hidden': 'true' }, notice, popup);
  d.body.append(host);
}
function syncHost() {
  const shown = !notice.hidden || !popup.hidden;
  host.setAttribute('aria-hidden', shown ? 'false' : 'true');
}
function hideAll() {
  if (!notice) { return; }
  const n = !notice.hidden; const p = !popup.hidden;
  notice.hidden = true; popup.hidden = true; syncHost();
  if (n) { emit('notice.hidden'); }
  if (p) { emit('preferences.hidden'); }
}
function savePreferences() {
  const on = PURPOSE_IDS.filter((id) => popup.querySelector(`#didomi-purpose-${id}`).checked);
  if (on.length && !on.includes('cookies')) { on.push('cookies'); }
  const vendorsOn = VENDORS.filter((v) => v.purposeIds.every((p) => on.includes(p))).map((v) => v.id);
  api.setUserStatus({
    purposes: { consent: { enabled: on, disabled: PURPOSE_IDS.filter((id) => !on.includes(id)) },
                legitimate_interest: { enabled: [], disabled: [] } },
    vendors: { consent: { enabled: vendorsOn, disabled: VENDORS.map((v) => v.id).filter((id) => !vendorsOn.includes(id)) },
               legitimate_interest: { enabled: [], disabled: [] } },
    source: { type: 'webpage', domain: location.hostname }, action: 'webpage',
  });
}

// ---- the public API ------------------------------------------------------------------------------------------
function userStatus() {
  const s = status || { purposes: pair(), purposes_li: pair(), vendors: pair(), vendors_li: pair() };
  const globalOf = (c, li) => ({ enabled: c.enabled.filter((x) => !li.disabled.includes(x)),
                                 disabled: uniq([...c.disabled, ...li.disabled]) });
  return {
    purposes: { global: globalOf(s.purposes, s.purposes_li), consent: s.purposes, legitimate_interest: s.purposes_li, essential: [] },
    vendors: { global: globalOf(s.vendors, s.vendors_li), global_consent: s.vendors, global_li: s.vendors_li,
               consent: s.vendors, legitimate_interest: s.vendors_li },
    user_id: s.user_id || '', created: s.created || '', updated: s.updated || '',
    consent_string: readCookie(TC_COOKIE) || '', addtl_consent: '', regulation: 'gdpr',
  };
}
const api = {
  version: 'o3d-lab-standin',
  getConfig: () => ({ app: Object.assign({ name: 'Didomi stand-in' }, CONFIG.app || {}), languages: CONFIG.languages || {} }),
  getPurposes: () => PURPOSES.map((p) => ({ id: p.id, iabId: String(p.iabId), name: { nl: p.name } })),
  getVendors: () => VENDORS.map((v) => ({ ...v })),
  getRequiredPurposes: () => api.getPurposes(),
  getRequiredVendors: () => api.getVendors(),
  getRequiredPurposeIds: () => PURPOSE_IDS.slice(),
  getRequiredVendorIds: () => VENDORS.map((v) => v.id),
  getUserStatus: userStatus,
  getCurrentUserStatus: () => {
    const s = userStatus();
    return {
      purposes: Object.fromEntries(PURPOSE_IDS.map((id) => [id, { id, enabled: s.purposes.global.enabled.includes(id) }])),
      vendors: Object.fromEntries(VENDORS.map((v) => [v.id, { id: v.id, enabled: vendorAndPurposesOn(v.id) }])),
      regulation: 'gdpr', user_id: s.user_id, created: s.created, updated: s.updated,
      consent_string: s.consent_string, addtl_consent: '',
    };
  },
  getUserConsentStatusForPurpose: (id) => {
    if (!status) { return undefined; }
    if (status.purposes.enabled.includes(id)) { return true; }
    return status.purposes.disabled.includes(id) ? false : undefined;
  },
  getUserConsentStatusForVendor: (id) => (status ? vendorOn(id) : undefined),
  getUserConsentStatusForAll: () => {
    const s = userStatus();
    return { purposes: s.purposes.consent, vendors: s.vendors.consent };
  },
  setUserStatus: (p) => {
    p = p || {};
    const pur = p.purposes || {}; const ven = p.vendors || {};
    const known = (xs) => uniq(xs).filter((id) => PURPOSE_IDS.includes(id));
    return applyStatus({
      user_id: p.user_id, created: p.created,
      purposes: { enabled: known(pur.consent && pur.consent.enabled), disabled: known(pur.consent && pur.consent.disabled) },
      purposes_li: { enabled: known(pur.legitimate_interest && pur.legitimate_interest.enabled),
                     disabled: known(pur.legitimate_interest && pur.legitimate_interest.disabled) },
      vendors: pair(ven.consent), vendors_li: pair(ven.legitimate_interest),
    });
  },
  setUserAgreeToAll: () => applyStatus(statusFor(true)),
  setUserDisagreeToAll: () => applyStatus(statusFor(!!CONFIG.broken)),
  isConsentRequired: () => true,
  isUserConsentStatusPartial: () => !status
    || PURPOSE_IDS.some((id) => !status.purposes.enabled.includes(id) && !status.purposes.disabled.includes(id))
    || VENDORS.some((v) => !status.vendors.enabled.includes(v.id) && !status.vendors.disabled.includes(v.id)),
  shouldConsentBeCollected: () => api.isConsentRequired() && api.isUserConsentStatusPartial(),
  reset: () => {
    status = null;
    d.cookie = `${TOKEN}=; Max-Age=0; Path=/`;
    d.cookie = `${TC_COOKIE}=; Max-Age=0; Path=/`;
    try { w.localStorage.removeItem(TOKEN); } catch (e) { /* none */ }
  },
  on: (event, listener) => { listeners.push({ event, listener }); },
  notice: {
    show: () => { popup.hidden = true; notice.hidden = false; syncHost(); cmpApi.update(readCookie(TC_COOKIE) || '', true); emit('notice.shown'); },
    hide: () => { if (!notice.hidden) { notice.hidden = true; syncHost(); emit('notice.hidden'); } },
    isVisible: () => !!notice && !notice.hidden,
  },
  preferences: {
    show: () => {
      for (const p of PURPOSES) { popup.querySelector(`#didomi-purpose-${p.id}`).checked = purposeOn(p.id); }
      notice.hidden = true; popup.hidden = false; syncHost();
      cmpApi.update(readCookie(TC_COOKIE) || '', true);
      emit('preferences.shown');
    },
    hide: () => { if (!popup.hidden) { popup.hidden = true; syncHost(); emit('preferences.hidden'); } },
    isVisible: () => !!popup && !popup.hidden,
  },
};

// ---- start ---------------------------------------------------------------------------------------------------
async function start() {
  gvl = new GVL();
  await gvl.readyPromise;
  VENDORS = [
    ...Object.values(gvl.vendors).map((v) => ({ id: v.id, iabId: v.id, name: v.name, namespace: 'iab',
                                                purposeIds: v.purposes.map((p) => BY_IAB[p]), legIntPurposeIds: [] })),
    { id: 'c:meta-pixel', name: 'Meta Platforms (Meta Pixel)', namespace: 'custom',
      purposeIds: ['cookies', 'select_basic_ads', 'create_ads_profile', 'select_personalized_ads', 'measure_ad_performance'],
      legIntPurposeIds: [] },
  ];
  if (d.readyState === 'loading') { await new Promise((r) => d.addEventListener('DOMContentLoaded', r)); }
  buildUi();
  const token = readToken();
  if (token) { status = fromToken(token); }
  w.Didomi = api;
  const queued = w.didomiEventListeners || [];
  for (const l of queued) { if (l && l.event) { listeners.push(l); } }
  w.didomiEventListeners = { push: (l) => { if (l && l.event) { listeners.push(l); } } };
  if (status && !api.shouldConsentBeCollected()) {
    const tc = readCookie(TC_COOKIE);
    cmpApi.update(tc || tcString(), false);
    gateTags();
  } else {
    api.notice.show();
  }
  const ready = w.didomiOnReady || [];
  w.didomiOnReady = { push: (fn) => { try { fn(api); } catch (e) { /* the site's callback */ } } };
  for (const fn of ready) { w.didomiOnReady.push(fn); }
  emit('sdk.ready');
}
start().catch((e) => { if (w.console) { w.console.error('Didomi stand-in:', e); } cmpApi.disable(); });
