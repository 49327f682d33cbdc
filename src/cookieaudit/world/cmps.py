"""How each shop wires its consent manager: includes, configuration, gated tags and the consent bridge.

One adapter per consent manager, each doing what an integrator following that manager's documentation
would do:

* vanilla-cookieconsent v3: ``<script type="text/plain" data-category="…">`` + ``CookieConsent.run``
  (default ``hideFromBots`` kept), ``onConsent``/``onChange`` callbacks;
* Klaro 0.7: ``window.klaroConfig`` services with purposes, ``<script type="text/plain" data-name="…">``,
  a global ``callback``;
* Orejime 3: ``window.orejimeConfig`` purposes, ``<template data-purpose="…">`` around the snippets,
  ``manager.on('update')``;
* tarteaucitron 1.34: its ready-made services (``tarteaucitron.user`` + ``job``) where it has one,
  custom services with ``js`` callbacks otherwise;
* the hand-made banner of online-3d-printen.be: ``data-o3d-category`` scripts and the ``o3d:consent`` event;
* ``none``: no consent manager; every snippet runs on page load.

Every adapter reports the visitor's categories to ``O3D.consentChanged`` (static/shop/shop.js), which
turns them into Google Consent Mode updates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

from .catalog import ADS_ID, CATEGORIES, Shop
from .config import ShopKnobs
from .tags import Part, Tag
from .texts import CATEGORY_TEXTS, UI

CMP_BASE = "/assets/cmp"


@dataclass(frozen=True)
class CmpMarkup:
    head: str           # stylesheets, early configuration
    body_end: str       # gated tags, the manager's scripts, the bridge
    settings_link: str  # footer link that reopens the banner


def js(value) -> str:
    """JSON for embedding in a <script> element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def loader_code(url: str) -> str:
    return ("(function(){var s=document.createElement('script');s.async=true;"
            f"s.src={js(url)};document.head.appendChild(s);}})();")


def stylesheet_code(url: str) -> str:
    return ("(function(){var l=document.createElement('link');l.rel='stylesheet';"
            f"l.href={js(url)};document.head.appendChild(l);}})();")


def as_code(part: Part) -> str:
    """A part as JavaScript, for managers that can only run code (or for gating external resources)."""
    if part.kind == "inline":
        return part.value
    return loader_code(part.value) if part.kind == "script" else stylesheet_code(part.value)


def plain_html(tag: Tag) -> str:
    """The vendor snippet as written into a page without any consent management."""
    out = []
    for part in tag.parts:
        if part.kind == "script":
            out.append(f'<script async src="{escape(part.value)}"></script>')
        elif part.kind == "stylesheet":
            out.append(f'<link rel="stylesheet" href="{escape(part.value)}">')
        else:
            out.append(f"<script>\n{part.value}\n</script>")
    return "\n".join(out)


def managed(tags: list[Tag]) -> list[Tag]:
    """Tags the consent manager lists (declared under a category), gated or not."""
    return [t for t in tags if t.category is not None]


def gated(tags: list[Tag]) -> list[Tag]:
    return [t for t in tags if t.category is not None and t.gated and t.parts]


def declared_category(tag: Tag) -> str:
    """The category of a tag from managed() or gated(), which keep only tags declared under one."""
    assert tag.category is not None, tag.service
    return tag.category


def ungated_html(tags: list[Tag], banner: str) -> str:
    """Snippets that run on page load: ungated ones, or all of them when the shop has no banner."""
    chosen = [t for t in tags if t.parts and (not t.gated or t.category is None or banner == "none")]
    return "\n".join(plain_html(t) for t in chosen)


def cookies_of(tags: list[Tag], category: str) -> list[str]:
    return sorted({name for t in tags if t.category == category for name in t.cookies})


# --- vanilla-cookieconsent ---------------------------------------------------------------------------
def vanilla(shop: Shop, knobs: ShopKnobs, tags: list[Tag]) -> CmpMarkup:
    names = shop.cmp_categories
    ui = UI[shop.lang]
    cat_texts = CATEGORY_TEXTS[shop.lang]
    gated_html = "\n".join(
        f'<script type="text/plain" data-category="{names[declared_category(t)]}">\n{as_code(p)}\n</script>'
        for t in gated(tags) for p in t.parts)
    categories: dict[str, dict[str, object]] = {"necessary": {"enabled": True, "readOnly": True}}
    for cat in CATEGORIES:
        cookies = cookies_of(tags, cat)
        categories[names[cat]] = {"autoClear": {"cookies": [{"name": n} for n in cookies]}} if cookies else {}
    sections = [{"title": ui["preferences_title"], "description": ui["banner_text"]}]
    for cat in ("necessary", *CATEGORIES):
        title, description = cat_texts[cat]
        sections.append({"title": title, "description": description,
                         "linkedCategory": "necessary" if cat == "necessary" else names[cat]})
    sections.append({"title": ui["privacy_link"],
                     "description": f'<a href="{shop.paths.privacy}">{ui["privacy_link"]}</a>'})
    config = {
        "guiOptions": {"consentModal": {"layout": "box", "position": "bottom right", "equalWeightButtons": True},
                       "preferencesModal": {"layout": "box", "equalWeightButtons": True}},
        "cookie": {"name": "cc_cookie", "expiresAfterDays": 182, "sameSite": "Lax"},
        "categories": categories,
        "language": {"default": shop.lang, "translations": {shop.lang: {
            "consentModal": {"title": ui["banner_title"], "description": ui["banner_text"],
                             "acceptAllBtn": ui["accept_all"], "acceptNecessaryBtn": ui["reject_all"],
                             "showPreferencesBtn": ui["manage"],
                             "footer": f'<a href="{shop.paths.privacy}">{ui["privacy_link"]}</a>'},
            "preferencesModal": {"title": ui["preferences_title"], "acceptAllBtn": ui["accept_all"],
                                 "acceptNecessaryBtn": ui["reject_all"], "savePreferencesBtn": ui["save_preferences"],
                                 "closeIconLabel": ui["close"], "sections": sections}}}},
    }
    bridge = f"""<script src="{CMP_BASE}/vanilla-cookieconsent/dist/cookieconsent.umd.js"></script>
<script>
(function () {{
  var names = {js(names)};
  function report() {{
    O3D.consentChanged({{
      performance: CookieConsent.acceptedCategory(names.performance),
      functional: CookieConsent.acceptedCategory(names.functional),
      targeting: CookieConsent.acceptedCategory(names.targeting)
    }}, 'vanilla-cookieconsent');
  }}
  var config = {js(config)};
  config.onConsent = report;
  config.onChange = report;
  CookieConsent.run(config);
}})();
</script>"""
    return CmpMarkup(
        head=f'<link rel="stylesheet" href="{CMP_BASE}/vanilla-cookieconsent/dist/cookieconsent.css">',
        body_end=gated_html + "\n" + bridge,
        settings_link=f'<a href="#" data-cc="show-preferencesModal">{ui["cookie_settings"]}</a>')


# --- Klaro ---------------------------------------------------------------------------------------------
def klaro(shop: Shop, knobs: ShopKnobs, tags: list[Tag]) -> CmpMarkup:
    names = shop.cmp_categories
    ui = UI[shop.lang]
    cat_texts = CATEGORY_TEXTS[shop.lang]
    gated_html = "\n".join(
        f'<script type="text/plain" data-type="text/javascript" data-name="{t.service}">\n{as_code(p)}\n</script>'
        for t in gated(tags) for p in t.parts)
    services = [{"name": t.service, "title": t.title, "purposes": [names[declared_category(t)]],
                 "cookies": list(t.cookies), "default": False, "required": False, "optOut": False, "onlyOnce": True}
                for t in sorted(managed(tags), key=lambda t: CATEGORIES.index(t.category))]
    purposes = {names[cat]: {"title": cat_texts[cat][0], "description": cat_texts[cat][1]} for cat in CATEGORIES}
    config = {
        "version": 1, "elementID": "klaro", "storageMethod": "cookie", "cookieName": "klaro",
        "cookieExpiresAfterDays": 365, "default": False, "mustConsent": False, "acceptAll": True,
        "hideDeclineAll": False, "hideLearnMore": False, "groupByPurpose": True, "htmlTexts": False,
        "lang": shop.lang, "services": services,
        "translations": {"zz": {"privacyPolicyUrl": shop.paths.privacy},
                         shop.lang: {"privacyPolicyUrl": shop.paths.privacy, "purposes": purposes}},
    }
    bridge = f"""<script>
window.klaroConfig = {js(config)};
(function () {{
  var names = {js(names)};
  var timer = null;
  function purposeGranted(manager, purpose) {{
    var members = klaroConfig.services.filter(function (s) {{ return s.purposes.indexOf(purpose) >= 0; }});
    return members.length > 0 && members.every(function (s) {{ return manager.getConsent(s.name); }});
  }}
  function report() {{
    var manager = window.klaro && klaro.getManager();
    if (!manager || !manager.confirmed) {{ return; }}
    O3D.consentChanged({{
      performance: purposeGranted(manager, names.performance),
      functional: purposeGranted(manager, names.functional),
      targeting: purposeGranted(manager, names.targeting)
    }}, 'klaro');
  }}
  klaroConfig.callback = function () {{ clearTimeout(timer); timer = setTimeout(report, 0); }};
}})();
</script>
<script defer src="{CMP_BASE}/klaro/dist/klaro.js"></script>"""
    return CmpMarkup(head="", body_end=gated_html + "\n" + bridge,
                     settings_link=f'<a href="#" onclick="klaro.show();return false;">{ui["cookie_settings"]}</a>')


# --- Orejime --------------------------------------------------------------------------------------------
def orejime(shop: Shop, knobs: ShopKnobs, tags: list[Tag]) -> CmpMarkup:
    names = shop.cmp_categories
    ui = UI[shop.lang]
    cat_texts = CATEGORY_TEXTS[shop.lang]
    gated_html = "\n".join(
        f'<template data-purpose="{names[declared_category(t)]}">\n<script>\n{as_code(p)}\n</script>\n</template>'
        for t in gated(tags) for p in t.parts)
    purposes = []
    for cat in CATEGORIES:
        services = ", ".join(t.title for t in managed(tags) if t.category == cat)
        description = cat_texts[cat][1] + (f" ({services})" if services else "")
        purposes.append({"id": names[cat], "title": cat_texts[cat][0], "description": description,
                         "cookies": cookies_of(tags, cat)})
    config = {"privacyPolicyUrl": shop.paths.privacy, "purposes": purposes,
              "cookie": {"name": "orejime", "duration": 365, "sameSite": "lax"}}
    bridge = f"""<script>
window.orejimeConfig = {js(config)};
(function () {{
  var names = {js(names)};
  function report(consents) {{
    O3D.consentChanged({{
      performance: !!consents[names.performance],
      functional: !!consents[names.functional],
      targeting: !!consents[names.targeting]
    }}, 'orejime');
  }}
  document.addEventListener('orejime.loaded', function (event) {{
    var manager = event.detail.manager;
    manager.on('update', function (updated, all) {{ report(all); }});
    if (/(^|; )orejime=/.test(document.cookie)) {{ report(manager.getAllConsents()); }}
  }});
}})();
</script>
<script src="{CMP_BASE}/orejime/dist/orejime-standard-{shop.lang}.js"></script>"""
    return CmpMarkup(
        head=f'<link rel="stylesheet" href="{CMP_BASE}/orejime/dist/orejime-standard.css">',
        body_end=gated_html + "\n" + bridge,
        settings_link=f'<a href="#" onclick="orejime.prompt();return false;">{ui["cookie_settings"]}</a>')


# --- tarteaucitron --------------------------------------------------------------------------------------------
def tarteaucitron(shop: Shop, knobs: ShopKnobs, tags: list[Tag]) -> CmpMarkup:
    names = shop.cmp_categories
    ui = UI[shop.lang]
    lines = []
    keys_by_category: dict[str, list[str]] = {cat: [] for cat in CATEGORIES}
    for tag in managed(tags):
        builtin = tag.tarteaucitron if tag.gated else None
        if builtin:
            key, user = builtin
            lines += [f"tarteaucitron.user.{name} = {js(value)};" for name, value in user.items()]
        else:
            key = "o3d" + tag.service.replace("-", "")
            body = "\n      ".join(as_code(p) for p in tag.parts) if tag.gated else ""
            lines.append(
                f"tarteaucitron.services.{key} = {{\n"
                f"    key: {js(key)}, type: {js(names[declared_category(tag)])}, name: {js(tag.title)},\n"
                f"    uri: {js(shop.paths.privacy)}, needConsent: true, cookies: {js(list(tag.cookies))},\n"
                f"    js: function () {{\n      'use strict';\n      {body}\n      setTimeout(O3D.tarteaucitronReport, 0);\n    }},\n"
                f"    fallback: function () {{}}\n  }};")
        keys_by_category[declared_category(tag)].append(key)
        lines.append(f"(tarteaucitron.job = tarteaucitron.job || []).push({js(key)});")
    params = {
        "privacyUrl": shop.paths.privacy, "bodyPosition": "bottom", "hashtag": "#tarteaucitron",
        "cookieName": "tarteaucitron", "orientation": "bottom", "groupServices": True, "showDetailsOnClick": True,
        "serviceDefaultState": "wait", "showAlertSmall": False, "cookieslist": False, "closePopup": False,
        "showIcon": True, "iconPosition": "BottomRight", "adblocker": False, "DenyAllCta": True,
        "AcceptAllCta": True, "highPrivacy": True, "alwaysNeedConsent": False, "handleBrowserDNTRequest": False,
        "removeCredit": False, "moreInfoLink": True, "useExternalCss": False, "useExternalJs": False,
        "mandatory": True, "mandatoryCta": True,
        # the shop sends its own Consent Mode signals (O3D.consentChanged); tarteaucitron's would only follow
        # its ready-made gtag/googleads services, which this shop does not use
        "googleConsentMode": False, "bingConsentMode": False, "pianoConsentMode": False, "softConsentMode": False,
    }
    script = f"""<script>var tarteaucitronForceLanguage = {js(shop.lang)};</script>
<script src="{CMP_BASE}/tarteaucitronjs/tarteaucitron.js"></script>
<script>
(function () {{
  var keys = {js(keys_by_category)};
  function granted(list) {{
    return list.length > 0 && list.every(function (k) {{ return tarteaucitron.state[k] === true; }});
  }}
  O3D.tarteaucitronReport = function () {{
    var all = keys.performance.concat(keys.functional, keys.targeting);
    var decided = all.some(function (k) {{ return tarteaucitron.state[k] === true || tarteaucitron.state[k] === false; }});
    if (!decided) {{ return; }}
    O3D.consentChanged({{performance: granted(keys.performance), functional: granted(keys.functional),
                         targeting: granted(keys.targeting)}}, 'tarteaucitron');
  }};
  document.addEventListener('tac.consent_updated', function () {{ setTimeout(O3D.tarteaucitronReport, 0); }});
}})();
tarteaucitron.init({js(params)});
{chr(10).join(lines)}
</script>"""
    return CmpMarkup(head="", body_end=script,
                     settings_link=f'<a href="#tarteaucitron" onclick="tarteaucitron.userInterface.openPanel();return false;">{ui["cookie_settings"]}</a>')


# --- the hand-made banner of online-3d-printen.be ----------------------------------------------------------------
def custom(shop: Shop, knobs: ShopKnobs, tags: list[Tag]) -> CmpMarkup:
    ui = UI[shop.lang]
    cat_texts = CATEGORY_TEXTS[shop.lang]
    gated_html = "\n".join(
        f'<script type="text/plain" data-o3d-category="{t.category}">\n{as_code(p)}\n</script>'
        for t in gated(tags) for p in t.parts)
    boxes = "\n".join(
        f'      <label class="o3d-cat"><input type="checkbox" id="o3d-cat-{cat}"> <span><strong>{escape(cat_texts[cat][0])}</strong>'
        f'<br><small>{escape(cat_texts[cat][1])}</small></span></label>'
        for cat in CATEGORIES)
    banner = f"""<div id="o3d-banner" class="o3d-banner" role="dialog" aria-modal="false" aria-labelledby="o3d-banner-title" hidden>
  <h2 id="o3d-banner-title">{escape(ui["banner_title"])}</h2>
  <p>{escape(ui["banner_text"])} <a href="{shop.paths.privacy}">{escape(ui["privacy_link"])}</a></p>
  <div id="o3d-prefs" class="o3d-prefs" hidden>
      <label class="o3d-cat"><input type="checkbox" checked disabled> <span><strong>{escape(cat_texts["necessary"][0])}</strong>
      <br><small>{escape(cat_texts["necessary"][1])}</small></span></label>
{boxes}
      <button type="button" id="o3d-save" class="o3d-btn">{escape(ui["save"])}</button>
  </div>
  <div class="o3d-banner-buttons">
    <button type="button" id="o3d-reject" class="o3d-btn">{escape(ui["reject_all"])}</button>
    <button type="button" id="o3d-settings" class="o3d-btn">{escape(ui["settings"])}</button>
    <button type="button" id="o3d-accept" class="o3d-btn o3d-btn-primary">{escape(ui["accept_all"])}</button>
  </div>
</div>"""
    bridge = """<script>
document.addEventListener('o3d:consent', function (event) {
  O3D.consentChanged({performance: event.detail.performance, functional: event.detail.functional,
                      targeting: event.detail.targeting}, 'o3d-banner');
});
</script>"""
    if knobs.ads_after_reject and knobs.google:
        # The integrator kept Google's <noscript> remarketing pixel as the "consent refused" fallback.
        number = ADS_ID.removeprefix("AW-")
        bridge += f"""
<script>
document.addEventListener('o3d:consent', function (event) {{
  if (!event.detail.targeting) {{
    var img = new Image(1, 1);
    img.src = 'https://googleads.g.doubleclick.net/pagead/viewthroughconversion/{number}/?guid=ON&script=0&url=' +
      encodeURIComponent(location.href);
  }}
}});
</script>"""
    script = '<script src="/assets/shop/o3d-banner.js"></script>'
    return CmpMarkup(head='<link rel="stylesheet" href="/assets/shop/o3d-banner.css">',
                     body_end="\n".join([banner, gated_html, bridge, script]),
                     settings_link=f'<a href="#" onclick="o3dConsent.show();return false;">{ui["cookie_settings"]}</a>')


def no_banner(shop: Shop, knobs: ShopKnobs, tags: list[Tag]) -> CmpMarkup:
    return CmpMarkup(head="", body_end="", settings_link="")


ADAPTERS = {"vanilla": vanilla, "klaro": klaro, "orejime": orejime, "tarteaucitron": tarteaucitron, "custom": custom}


def cmp_markup(shop: Shop, knobs: ShopKnobs, tags: list[Tag]) -> CmpMarkup:
    if knobs.banner == "none":
        return no_banner(shop, knobs, tags)
    return ADAPTERS[shop.cmp](shop, knobs, tags)
