/* O3D lab TCF CMP: a small IAB TCF v2.2 consent manager of our own making (cookieaudit CMP lab,
 * tcf.o3d-lab.nl). Its TCF machinery is the IAB Tech Lab reference library, served from node_modules:
 * @iabtcf/core (GVL, TCModel, TCString.encode/decode) and @iabtcf/cmpapi (CmpApi installs window.__tcfapi).
 * Only the user interface and the storage are ours.
 *
 * - GVL: a small test-fixture vendor list served by the site at /cmp/vendor-list.json (GVL.baseUrl = '/cmp/').
 * - First layer: "Alles accepteren" / "Alles weigeren" / "Instellingen"; the settings layer groups the TCF
 *   purposes into three switches plus "Keuze opslaan":
 *     Analytische cookies  → purposes 8, 9, 10  (measure content, audience statistics, improve services)
 *     Functionele cookies  → purpose 11          (limited data to select content)
 *     Marketingcookies     → purposes 2-7        (ads, ad and content profiles, ad measurement)
 *   Purpose 1 (store and/or access information on a device) is what every other purpose needs here, so it is
 *   granted exactly when any group is granted. No legitimate interest is claimed for any purpose or vendor;
 *   a vendor gets consent when every purpose it declares for consent was granted.
 * - Storage: the service-specific TC string in the first-party cookie euconsent-v2 (180 days); it is pushed to
 *   the page with cmpApi.update(tcString, uiVisible): '' + visible while the first layer is shown,
 *   (tcString, false) after a choice (eventStatus useractioncomplete) or on a later page (tcloaded).
 * - Gating: <script type="text/plain" data-tcf-purposes="1,8,9"> run once every listed purpose has consent,
 *   re-evaluated on every __tcfapi event (tcloaded / useractioncomplete).
 * - Reopen: the footer link #cmplab-withdraw shows the first layer again (with the settings as stored).
 *   Withdrawing consent that was given reloads the page, so trackers already running stop.
 * - window.O3D_TCF = {cmpId, cmpVersion, broken}: with broken=true every choice is stored as "accept all"
 *   (the negative control of the audit's verification: the stored state then disagrees with the click).
 */
import { GVL, TCModel, TCString } from '@iabtcf/core';
import { CmpApi } from '@iabtcf/cmpapi';

const CFG = Object.assign({ cmpId: 4095, cmpVersion: 1, broken: false, cookie: 'euconsent-v2', maxAgeDays: 180,
                            country: 'NL' }, window.O3D_TCF || {});
const GROUPS = {
  performance: { purposes: [8, 9, 10], label: 'Analytische cookies',
                 text: 'Prestaties van inhoud meten (8), doelgroepen begrijpen met statistieken (9), diensten ontwikkelen en verbeteren (10). Bij ons: Google Analytics en Microsoft Clarity.' },
  functional: { purposes: [11], label: 'Functionele cookies',
                text: 'Beperkte gegevens gebruiken om inhoud te selecteren (11). Bij ons: uw taal en valuta onthouden.' },
  targeting: { purposes: [2, 3, 4, 5, 6, 7], label: 'Marketingcookies',
               text: 'Advertenties selecteren, profielen voor advertenties en inhoud opbouwen en gebruiken, advertentieprestaties meten (2 t/m 7). Bij ons: Meta Pixel.' },
};
const ALL_GROUPS = Object.keys(GROUPS);

GVL.baseUrl = '/cmp/';
const cmpApi = new CmpApi(CFG.cmpId, CFG.cmpVersion, true);
let gvl = null;
let stored = null;        // the TCModel decoded from the cookie, or null

// ---- storage -------------------------------------------------------------------------------------------------
function readCookie(name) {
  const m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
  return m ? decodeURIComponent(m[1]) : null;
}
function writeCookie(name, value) {
  document.cookie = `${name}=${encodeURIComponent(value)}; Max-Age=${CFG.maxAgeDays * 86400}; Path=/; SameSite=Lax; Secure`;
}
function decodeStored() {
  const s = readCookie(CFG.cookie);
  if (!s) { return null; }
  try {
    const m = TCString.decode(s);
    return m.cmpId === CFG.cmpId ? { string: s, model: m } : null;
  } catch (e) {
    return null;
  }
}

// ---- encoding ------------------------------------------------------------------------------------------------
function purposesFor(groups) {
  const out = new Set();
  for (const g of groups) { for (const p of GROUPS[g].purposes) { out.add(p); } }
  if (out.size) { out.add(1); }
  return [...out].sort((a, b) => a - b);
}
function encode(purposes) {
  const model = new TCModel(gvl);
  model.cmpId = CFG.cmpId;
  model.cmpVersion = CFG.cmpVersion;
  model.isServiceSpecific = true;
  model.publisherCountryCode = CFG.country;
  model.consentScreen = 1;
  model.purposeConsents.set(purposes);
  model.publisherConsents.set(purposes);
  const vendors = Object.values(gvl.vendors)
    .filter((v) => v.purposes.length && v.purposes.every((p) => purposes.includes(p)))
    .map((v) => v.id);
  if (vendors.length) { model.vendorConsents.set(vendors); }
  return TCString.encode(model);
}
function groupsOf(model) {
  const on = {};
  for (const g of ALL_GROUPS) { on[g] = GROUPS[g].purposes.some((p) => model.purposeConsents.has(p)); }
  return on;
}

// ---- gating --------------------------------------------------------------------------------------------------
function activate(tcData) {
  const consents = (tcData.purpose && tcData.purpose.consents) || {};
  document.querySelectorAll('script[type="text/plain"][data-tcf-purposes]').forEach((el) => {
    const needed = el.getAttribute('data-tcf-purposes').split(',').map((x) => Number(x.trim()));
    if (!tcData.gdprApplies || !needed.every((p) => consents[p] === true)) { return; }
    const s = document.createElement('script');
    if (el.getAttribute('data-src')) { s.src = el.getAttribute('data-src'); s.async = true; } else { s.text = el.text; }
    el.parentNode.replaceChild(s, el);
  });
}
window.__tcfapi('addEventListener', 2, (tcData, success) => {
  if (success && (tcData.eventStatus === 'tcloaded' || tcData.eventStatus === 'useractioncomplete')) { activate(tcData); }
});

// ---- user interface ------------------------------------------------------------------------------------------
const css = `
#o3d-tcf{position:fixed;left:0;right:0;bottom:0;z-index:2147483000;background:#fff;border-top:3px solid #1a5;
 box-shadow:0 -4px 18px rgba(0,0,0,.2);font:15px/1.45 sans-serif;color:#222}
#o3d-tcf[hidden]{display:none}
#o3d-tcf .in{max-width:60rem;margin:0 auto;padding:1rem 1.25rem}
#o3d-tcf h2{font-size:1.15rem;margin:0 0 .4rem}
#o3d-tcf p{margin:.3rem 0}
#o3d-tcf .btns{display:flex;gap:.6rem;flex-wrap:wrap;margin-top:.7rem}
#o3d-tcf button{font:inherit;padding:.55rem 1.1rem;border-radius:4px;border:1px solid #1a5;background:#1a5;color:#fff;cursor:pointer}
#o3d-tcf button.sec{background:#fff;color:#1a5}
#o3d-tcf .layer2{border-top:1px solid #ddd;margin-top:.7rem;padding-top:.5rem}
#o3d-tcf .layer2[hidden]{display:none}
#o3d-tcf .grp{margin:.45rem 0}
#o3d-tcf .grp label{font-weight:bold}
#o3d-tcf .grp small{display:block;color:#555;margin-left:1.6rem}`;

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on')) { el.addEventListener(k.slice(2), v); } else if (v !== false && v !== null) { el.setAttribute(k, v === true ? '' : v); }
  }
  for (const c of children) { el.append(c); }
  return el;
}

let root = null;
function buildUi() {
  document.head.append(h('style', {}, css));
  const vendorCount = Object.keys(gvl.vendors).length;
  const groups = ALL_GROUPS.map((g) => h('div', { class: 'grp' },
    h('label', { for: `o3d-tcf-cat-${g}` },
      h('input', { type: 'checkbox', role: 'switch', id: `o3d-tcf-cat-${g}`, 'data-group': g }), ' ', GROUPS[g].label),
    h('small', {}, GROUPS[g].text)));
  root = h('div', { id: 'o3d-tcf', role: 'dialog', 'aria-label': 'Cookietoestemming', hidden: true },
    h('div', { class: 'in' },
      h('h2', {}, 'Wij vragen uw toestemming'),
      h('p', {}, `Wij en ${vendorCount} partners (IAB TCF v2.2) willen informatie op uw apparaat opslaan en lezen ` +
        'om het gebruik van deze site te meten, uw voorkeuren te onthouden en advertenties te tonen. U kunt uw keuze ' +
        'altijd wijzigen via "Cookie-instellingen" onderaan de pagina.'),
      h('div', { class: 'btns' },
        h('button', { id: 'o3d-tcf-accept', type: 'button', onclick: () => save(ALL_GROUPS) }, 'Alles accepteren'),
        h('button', { id: 'o3d-tcf-reject', type: 'button', onclick: () => save([]) }, 'Alles weigeren'),
        h('button', { id: 'o3d-tcf-settings', type: 'button', class: 'sec', onclick: () => showLayer2() }, 'Instellingen')),
      h('div', { class: 'layer2', id: 'o3d-tcf-layer2', hidden: true },
        h('p', {}, 'Opslaan van en/of toegang tot informatie op een apparaat (doel 1) is nodig voor elk gekozen doel ' +
          'en wordt alleen met een van de keuzes hieronder gevraagd.'),
        ...groups,
        h('div', { class: 'btns' },
          h('button', { id: 'o3d-tcf-save', type: 'button', onclick: () => save(checkedGroups()) }, 'Keuze opslaan')))));
  document.body.append(root);
}
function checkedGroups() {
  return ALL_GROUPS.filter((g) => root.querySelector(`#o3d-tcf-cat-${g}`).checked);
}
function showLayer2() {
  root.querySelector('#o3d-tcf-layer2').hidden = false;
}
function showBanner() {
  const on = stored ? groupsOf(stored.model) : {};
  for (const g of ALL_GROUPS) { root.querySelector(`#o3d-tcf-cat-${g}`).checked = !!on[g]; }
  root.querySelector('#o3d-tcf-layer2').hidden = true;
  root.hidden = false;
  cmpApi.update(stored ? stored.string : '', true);
}

function save(groups) {
  const before = stored ? groupsOf(stored.model) : {};
  const purposes = CFG.broken ? purposesFor(ALL_GROUPS) : purposesFor(groups);
  const tcString = encode(purposes);
  writeCookie(CFG.cookie, tcString);
  stored = decodeStored();
  root.hidden = true;
  cmpApi.update(tcString, false);
  const withdrawn = ALL_GROUPS.some((g) => before[g] && !groups.includes(g));
  if (withdrawn && !CFG.broken) { setTimeout(() => location.reload(), 150); }
}

// ---- start ---------------------------------------------------------------------------------------------------
async function start() {
  gvl = new GVL();
  await gvl.readyPromise;
  if (document.readyState === 'loading') { await new Promise((r) => document.addEventListener('DOMContentLoaded', r)); }
  buildUi();
  stored = decodeStored();
  if (stored) {
    cmpApi.update(stored.string, false);
  } else {
    showBanner();
  }
  const reopen = document.getElementById('cmplab-withdraw');
  if (reopen) { reopen.addEventListener('click', (e) => { e.preventDefault(); showBanner(); }); }
  window.o3dTcf = { show: showBanner, version: CFG.cmpVersion };
}
start().catch((e) => { console.error('O3D TCF CMP failed:', e); cmpApi.disable(); });
