"""Adapters for consent managers that ship as WordPress plugins (state in first-party cookies).

Complianz and CookieYes. Both keep the visitor's choice in first-party cookies and expose a small page API;
the state is read through that API (what the manager itself answers its integrations) AND the persisted
cookies: a choice counts as decided only when the cookies say, category by category, what the API says (an
answer held only in memory, or a banner merely hidden, is not a stored decision). Choices are made through the
managers' own controls (Complianz: its accept / deny / save-preferences buttons; CookieYes: its preference
centre), so everything stored is the manager's own doing.

Complianz (complianz.io; plugin source github.com/Really-Simple-Plugins/complianz-gdpr):
  cookies ``cmplz_banner-status`` (``dismissed`` once the visitor chose), ``cmplz_functional``,
  ``cmplz_preferences``, ``cmplz_statistics``, ``cmplz_marketing`` (``allow``/``deny``),
  ``cmplz_consented_services``, ``cmplz_policy_id``; API ``cmplz_has_consent(category)``,
  ``cmplz_set_consent(category, 'allow'|'deny')``, ``cmplz_accept_all()``, ``cmplz_deny_all()``,
  ``cmplz_set_banner_status('dismissed'|'show')``. Complianz's "functional" category is its always-on technical
  one (necessary); "preferences" is the functional category of our policies.

CookieYes (cookieyes.com; WordPress plugin slug cookie-law-info 3.x): cookie ``cookieyes-consent`` =
  ``consentid:…,consent:yes|no,action:yes,necessary:yes,functional:no,analytics:no,performance:no,
  advertisement:no[,other:no],lastRenewedDate:…`` (written before any choice, without ``action``); API
  ``getCkyConsent()`` → ``{activeLaw, categories: {slug: bool}, isUserActionCompleted, consentID,
  languageCode}``; ``revisitCkyConsent()``. Choices go through its settings layer: the preference centre's
  ``#ckySwitch<category>`` checkboxes and the ``[data-cky-tag=…]`` buttons (documented by its markup and by
  DuckDuckGo autoconsent's rule; ``performBannerAction()`` appears only in third-party notes, so it is not
  relied on). CookieYes has both "analytics" and "performance": both map to our performance. Its "other"
  category (uncategorised cookies, no purpose stated) is deliberately left unmapped: it cannot be equated with
  any policy category, per-category choices never grant it (they only ask for mapped categories), and
  verification does not count it either way (except that a refusal leaving it granted is not a clean refusal).
"""

from __future__ import annotations

from .adapter import _VISIBLE, CmpAdapter

_CMPLZ_COOKIE = """(name) => { const prefix = (window.complianz && window.complianz.prefix) || 'cmplz_';
      const key = prefix + name + '='; const part = document.cookie.split('; ').find(p => p.startsWith(key));
      return part === undefined ? null : part.slice(key.length); }"""

COMPLIANZ = CmpAdapter(
    name="complianz",
    detect_js="() => typeof window.cmplz_has_consent === 'function' || "
              "!!document.querySelector('#cmplz-cookiebanner-container .cmplz-cookiebanner')",
    state_js=f"""() => {{
      const get = {_CMPLZ_COOKIE};
      const api = typeof window.cmplz_has_consent === 'function';
      const names = ['banner-status', 'functional', 'preferences', 'statistics', 'marketing', 'consented_services', 'policy_id'];
      const cookies = {{}}; let any = false;
      for (const n of names) {{ cookies[n] = get(n); any = any || cookies[n] !== null; }}
      if (!api && !any) return null;
      const cats = ['functional', 'preferences', 'statistics', 'marketing'];
      const categories = {{}};
      for (const c of cats) categories[c] = api ? !!window.cmplz_has_consent(c) : (c === 'functional' || cookies[c] === 'allow');
      // decided = the banner was dismissed AND every optional category has a stored allow/deny that agrees with
      // what Complianz itself answers: a dismissed banner alone may be anybody's doing
      // (preferences only when the site uses that category and so keeps its cookie)
      const optional = ['statistics', 'marketing'].concat(cookies.preferences !== null ? ['preferences'] : []);
      const stored = optional.every(c => (cookies[c] === 'allow' || cookies[c] === 'deny')
                                         && (cookies[c] === 'allow') === categories[c]);
      return {{decided: cookies['banner-status'] === 'dismissed' && stored, categories,
              raw: {{source: api ? 'cmplz_has_consent' : 'cookies', cookies,
                     consenttype: window.complianz ? window.complianz.consenttype : null}}}};
    }}""",
    # per category: tick the banner's own category boxes and press its "save preferences" button (Complianz's
    # handler stores the choice; the button works while the preferences layer is still folded)
    apply_js="""(wanted) => { const b = document.querySelector('#cmplz-cookiebanner-container .cmplz-cookiebanner');
      if (!b) throw new Error('no Complianz banner');
      for (const c of ['preferences', 'statistics', 'marketing']) {
        const box = b.querySelector('input.cmplz-' + c); if (box && !box.disabled) box.checked = wanted.includes(c); }
      const save = b.querySelector('.cmplz-save-preferences'); if (!save) throw new Error('no .cmplz-save-preferences');
      setTimeout(() => save.click(), 0); return true; }""",
    # accept / reject: the banner's own buttons (their handlers are Complianz's, so is everything they store);
    # the click is deferred because a deny that withdraws marketing consent reloads the page
    accept_js="""() => { const b = document.querySelector('#cmplz-cookiebanner-container .cmplz-accept');
      if (!b) throw new Error('no .cmplz-accept button'); setTimeout(() => b.click(), 0); return true; }""",
    reject_js="""() => { const b = document.querySelector('#cmplz-cookiebanner-container .cmplz-deny');
      if (!b) throw new Error('no .cmplz-deny button'); setTimeout(() => b.click(), 0); return true; }""",
    banner_js=f"""() => Array.from(document.querySelectorAll('#cmplz-cookiebanner-container .cmplz-cookiebanner'))
      .some(el => ({_VISIBLE})(el))""",
    category_map={"functional": "necessary", "preferences": "functional", "statistics": "performance",
                  "marketing": "targeting"},
)

_CKY_CLICK = """(tag) => { const el = document.querySelector('[data-cky-tag="' + tag + '"]');
      if (!el) throw new Error('CookieYes control [data-cky-tag=' + tag + '] not found'); el.click(); return true; }"""

COOKIEYES = CmpAdapter(
    name="cookieyes",
    detect_js="() => typeof window.getCkyConsent === 'function' || !!document.querySelector('.cky-consent-container')",
    state_js="""() => {
      const m = document.cookie.match(/(?:^|; )cookieyes-consent=([^;]*)/);
      let cookie = m ? m[1] : null; try { if (cookie !== null) cookie = decodeURIComponent(cookie); } catch (e) {}
      const parsed = {};
      (cookie || '').split(',').forEach(p => { const i = p.indexOf(':'); if (i > 0) parsed[p.slice(0, i)] = p.slice(i + 1); });
      let api = null;
      if (typeof window.getCkyConsent === 'function') { try { api = window.getCkyConsent(); } catch (e) { api = null; } }
      if (!api && cookie === null) return null;
      const categories = {}; let decided;
      let agrees = null;
      if (api && api.categories) {
        for (const [k, v] of Object.entries(api.categories)) categories[k] = !!v;
        // decided only when the cookie CookieYes persists says, category by category, what its API says
        agrees = cookie !== null && parsed.action === 'yes'
                 && Object.keys(categories).every(k => (parsed[k] === 'yes') === categories[k]);
        decided = !!api.isUserActionCompleted && agrees;
      } else {
        const meta = ['consentid', 'consent', 'action', 'lastRenewedDate'];
        for (const [k, v] of Object.entries(parsed)) if (!meta.includes(k)) categories[k] = v === 'yes';
        decided = parsed.action === 'yes';
      }
      return {decided, categories, raw: {source: api ? 'getCkyConsent' : 'cookie', api, cookie, cookieAgrees: agrees}};
    }""",
    # the preference centre: tick exactly the wanted categories, then "save my preferences"
    apply_js=f"""(wanted) => {{
      const click = {_CKY_CLICK};
      const boxes = document.querySelectorAll('input[id^="ckySwitch"], input[id^="ckyCategoryDirect"]');
      if (!boxes.length) throw new Error('CookieYes preference checkboxes (#ckySwitch<category>) not found');
      boxes.forEach(box => {{ if (!box.disabled) box.checked = wanted.includes(box.id.replace(/^ckySwitch|^ckyCategoryDirect/, '')); }});
      return click('detail-save-button'); }}""",
    accept_js=f"() => ({_CKY_CLICK})('accept-button')",
    reject_js=f"() => ({_CKY_CLICK})('reject-button')",
    banner_js=f"""() => ({_VISIBLE})(document.querySelector('.cky-consent-container'))
      || ({_VISIBLE})(document.querySelector('.cky-modal.cky-modal-open'))""",
    category_map={"necessary": "necessary", "functional": "functional", "analytics": "performance",
                  "performance": "performance", "advertisement": "targeting"},
)

WORDPRESS_ADAPTERS: tuple[CmpAdapter, ...] = (COMPLIANZ, COOKIEYES)
