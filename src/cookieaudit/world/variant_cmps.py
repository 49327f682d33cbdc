"""The consent managers of a variant world, wired from a :class:`~cookieaudit.world.variants.ShopVariant`.

Same libraries and mechanisms as :mod:`cookieaudit.world.cmps`, but every id, label, storage name and the
granularity come from the variant: each adapter does what an integrator following that manager's
documentation would do with those choices. Every adapter still reports the visitor's choice to
``O3D.consentChanged`` (Google Consent Mode), translated from the variant's own ids: performance is the
consent of whatever gates Google Analytics, targeting of whatever gates Google Ads, functional of the
shop's preference cookie (or, without those tags, every unit of the category).
"""

from __future__ import annotations

from html import escape

from .catalog import ADS_ID, CATEGORIES, Shop
from .cmps import CMP_BASE, CmpMarkup, as_code, declared_category, gated, js, managed
from .config import ShopKnobs
from .tags import Tag
from .texts import CATEGORY_TEXTS, UI
from .variants import WORDS, ShopVariant, Unit

PRIMARY = {"performance": "google-analytics", "functional": "shop-preferences", "targeting": "google-ads"}


class Wiring:
    """Which unit and which manager service id gate each tag."""

    def __init__(self, variant: ShopVariant, tags: list[Tag]):
        self.v = variant
        self.tags = tags
        self.units = {u.id: u for u in variant.units}
        self.services = {s.world: s for s in variant.services}

    def unit(self, tag: Tag) -> Unit:
        for u in self.v.units:
            if tag.service in u.services:
                if self.v.granularity != "per-category" or tag.category in u.policy:
                    return u
        for u in self.v.units:          # knob tags (meta-pixel, UA) or a re-wired category (brevo_category)
            if tag.category in u.policy:
                return u
        return self.v.units[0]

    def service_id(self, tag: Tag) -> str:
        entry = self.services.get(tag.service)
        if entry is not None:
            return entry.id
        if self.v.granularity == "per-service" and tag.service in self.unit(tag).services:
            return self.unit(tag).id
        return tag.service

    def title(self, tag: Tag) -> str:
        entry = self.services.get(tag.service)
        return entry.label if entry else tag.title

    def checks(self) -> dict[str, list[Tag]]:
        """Per policy category, the tags whose consent the Consent Mode bridge reports."""
        out: dict[str, list[Tag]] = {}
        for cat in CATEGORIES:
            tags = [t for t in managed(self.tags) if t.category == cat]
            primary = [t for t in tags if t.service == PRIMARY[cat]]
            out[cat] = primary or tags
        return out


def _sections(variant: ShopVariant) -> list[tuple[str, str]]:
    return [(u.label, u.description) for u in variant.units]


# --- vanilla-cookieconsent ---------------------------------------------------------------------------------------
def vanilla(shop: Shop, variant: ShopVariant, knobs: ShopKnobs, tags: list[Tag]) -> CmpMarkup:
    w = Wiring(variant, tags)
    lang = variant.language
    ui = UI[lang]
    with_services = bool(variant.options.get("vanilla_services"))
    gated_html = "\n".join(
        f'<script type="text/plain" data-category="{escape(w.unit(t).id)}"'
        + (f' data-service="{escape(w.service_id(t))}"' if with_services else "")
        + f">\n{as_code(p)}\n</script>" for t in gated(tags) for p in t.parts)
    categories: dict = {"necessary": {"enabled": True, "readOnly": True}}
    for u in variant.units:
        members = [t for t in managed(tags) if w.unit(t).id == u.id]
        cookies = sorted({c for t in members for c in t.cookies})
        entry: dict = {"autoClear": {"cookies": [{"name": n} for n in cookies]}} if cookies else {}
        if with_services and members:
            entry["services"] = {w.service_id(t): {"label": w.title(t)} for t in members}
        categories[u.id] = entry
    necessary = CATEGORY_TEXTS[lang]["necessary"]
    sections = [{"title": ui["preferences_title"], "description": ui["banner_text"]},
                {"title": necessary[0], "description": necessary[1], "linkedCategory": "necessary"}]
    sections += [{"title": u.label, "description": u.description, "linkedCategory": u.id} for u in variant.units]
    sections.append({"title": ui["privacy_link"],
                     "description": f'<a href="{variant.paths.privacy}">{ui["privacy_link"]}</a>'})
    all_or_nothing = variant.granularity == "all-or-nothing"
    consent_modal = {"title": ui["banner_title"], "description": ui["banner_text"],
                     "acceptAllBtn": WORDS[lang]["accept"] if all_or_nothing else ui["accept_all"],
                     "acceptNecessaryBtn": WORDS[lang]["decline"] if all_or_nothing else ui["reject_all"],
                     "footer": f'<a href="{variant.paths.privacy}">{ui["privacy_link"]}</a>'}
    if not all_or_nothing:
        consent_modal["showPreferencesBtn"] = ui["manage"]
    cookie = {"name": variant.storage.name, "expiresAfterDays": 182, "sameSite": "Lax"}
    if variant.storage.kind == "localStorage":
        cookie["useLocalStorage"] = True
    config = {
        "guiOptions": {"consentModal": {"layout": "bar" if all_or_nothing else "box",
                                        "position": "bottom" if all_or_nothing else "bottom right",
                                        "equalWeightButtons": True},
                       "preferencesModal": {"layout": "box", "equalWeightButtons": True}},
        "cookie": cookie,
        "categories": categories,
        "language": {"default": lang, "translations": {lang: {
            "consentModal": consent_modal,
            "preferencesModal": {"title": ui["preferences_title"], "acceptAllBtn": ui["accept_all"],
                                 "acceptNecessaryBtn": ui["reject_all"], "savePreferencesBtn": ui["save_preferences"],
                                 "closeIconLabel": ui["close"], "sections": sections}}}},
    }
    checks = {cat: [[w.unit(t).id, w.service_id(t) if with_services else None] for t in ts]
              for cat, ts in w.checks().items()}
    bridge = f"""<script src="{CMP_BASE}/vanilla-cookieconsent/dist/cookieconsent.umd.js"></script>
<script>
(function () {{
  var checks = {js(checks)};
  function granted(list) {{
    return list.length > 0 && list.every(function (c) {{
      return c[1] ? CookieConsent.acceptedService(c[1], c[0]) : CookieConsent.acceptedCategory(c[0]);
    }});
  }}
  function report() {{
    O3D.consentChanged({{performance: granted(checks.performance), functional: granted(checks.functional),
                         targeting: granted(checks.targeting)}}, 'vanilla-cookieconsent');
  }}
  var config = {js(config)};
  config.onConsent = report;
  config.onChange = report;
  CookieConsent.run(config);
}})();
</script>"""
    target = "show-consentModal" if all_or_nothing else "show-preferencesModal"
    return CmpMarkup(
        head=f'<link rel="stylesheet" href="{CMP_BASE}/vanilla-cookieconsent/dist/cookieconsent.css">',
        body_end=gated_html + "\n" + bridge,
        settings_link=f'<a href="#" data-cc="{target}">{ui["cookie_settings"]}</a>')


# --- Klaro ---------------------------------------------------------------------------------------------------------
def klaro(shop: Shop, variant: ShopVariant, knobs: ShopKnobs, tags: list[Tag]) -> CmpMarkup:
    w = Wiring(variant, tags)
    lang = variant.language
    ui = UI[lang]
    flat = variant.options.get("layout") == "klaro-flat"
    gated_html = "\n".join(
        f'<script type="text/plain" data-type="text/javascript" data-name="{escape(w.service_id(t))}">\n'
        f"{as_code(p)}\n</script>" for t in gated(tags) for p in t.parts)
    order = {u.id: i for i, u in enumerate(variant.units)}
    services = [{"name": w.service_id(t), "title": w.title(t), "purposes": [] if flat else [w.unit(t).id],
                 "cookies": list(t.cookies), "default": False, "required": False, "optOut": False,
                 "onlyOnce": True}
                for t in sorted(managed(tags), key=lambda t: order[w.unit(t).id])]
    translations: dict = {"privacyPolicyUrl": variant.paths.privacy}
    if not flat:
        translations["purposes"] = {u.id: {"title": u.label, "description": u.description} for u in variant.units}
    config = {
        "version": 1, "elementID": "klaro", "storageMethod": variant.storage.kind,
        "cookieExpiresAfterDays": 365, "default": False, "mustConsent": False, "acceptAll": True,
        "hideDeclineAll": False, "hideLearnMore": variant.granularity == "all-or-nothing",
        "groupByPurpose": not flat, "htmlTexts": False, "lang": lang, "services": services,
        "translations": {"zz": {"privacyPolicyUrl": variant.paths.privacy}, lang: translations},
    }
    config["storageName" if variant.storage.kind == "localStorage" else "cookieName"] = variant.storage.name
    checks = {cat: [w.service_id(t) for t in ts] for cat, ts in w.checks().items()}
    bridge = f"""<script>
window.klaroConfig = {js(config)};
(function () {{
  var checks = {js(checks)};
  var timer = null;
  function granted(manager, list) {{
    return list.length > 0 && list.every(function (name) {{ return manager.getConsent(name); }});
  }}
  function report() {{
    var manager = window.klaro && klaro.getManager();
    if (!manager || !manager.confirmed) {{ return; }}
    O3D.consentChanged({{performance: granted(manager, checks.performance),
                         functional: granted(manager, checks.functional),
                         targeting: granted(manager, checks.targeting)}}, 'klaro');
  }}
  klaroConfig.callback = function () {{ clearTimeout(timer); timer = setTimeout(report, 0); }};
}})();
</script>
<script defer src="{CMP_BASE}/klaro/dist/klaro.js"></script>"""
    return CmpMarkup(head="", body_end=gated_html + "\n" + bridge,
                     settings_link=f'<a href="#" onclick="klaro.show();return false;">{ui["cookie_settings"]}</a>')


# --- Orejime -------------------------------------------------------------------------------------------------------
def orejime(shop: Shop, variant: ShopVariant, knobs: ShopKnobs, tags: list[Tag]) -> CmpMarkup:
    w = Wiring(variant, tags)
    lang = variant.language
    ui = UI[lang]
    grouped = bool(variant.options.get("orejime_groups"))

    def leaf(t: Tag) -> str:
        return w.service_id(t) if grouped else w.unit(t).id

    gated_html = "\n".join(
        f'<template data-purpose="{escape(leaf(t))}">\n<script>\n{as_code(p)}\n</script>\n</template>'
        for t in gated(tags) for p in t.parts)
    purposes = []
    for u in variant.units:
        members = [t for t in managed(tags) if w.unit(t).id == u.id]
        if grouped:
            purposes.append({"id": u.id, "title": u.label, "description": u.description,
                             "purposes": [{"id": leaf(t), "title": w.title(t), "cookies": list(t.cookies)}
                                          for t in members]})
        else:
            names = ", ".join(w.title(t) for t in members)
            description = u.description + (f" ({names})" if names and variant.granularity == "per-category" else "")
            purposes.append({"id": u.id, "title": u.label, "description": description,
                             "cookies": sorted({c for t in members for c in t.cookies})})
    config = {"privacyPolicyUrl": variant.paths.privacy, "purposes": purposes,
              "cookie": {"name": variant.storage.name, "duration": 365, "sameSite": "lax"}}
    checks = {cat: [leaf(t) for t in ts] for cat, ts in w.checks().items()}
    cookie_test = f"(^|; ){variant.storage.name}="
    bridge = f"""<script>
window.orejimeConfig = {js(config)};
(function () {{
  var checks = {js(checks)};
  function granted(consents, list) {{
    return list.length > 0 && list.every(function (id) {{ return !!consents[id]; }});
  }}
  function report(consents) {{
    O3D.consentChanged({{performance: granted(consents, checks.performance),
                         functional: granted(consents, checks.functional),
                         targeting: granted(consents, checks.targeting)}}, 'orejime');
  }}
  document.addEventListener('orejime.loaded', function (event) {{
    var manager = event.detail.manager;
    manager.on('update', function (updated, all) {{ report(all); }});
    if (new RegExp({js(cookie_test)}).test(document.cookie)) {{ report(manager.getAllConsents()); }}
  }});
}})();
</script>
<script src="{CMP_BASE}/orejime/dist/orejime-standard-{lang}.js"></script>"""
    return CmpMarkup(
        head=f'<link rel="stylesheet" href="{CMP_BASE}/orejime/dist/orejime-standard.css">',
        body_end=gated_html + "\n" + bridge,
        settings_link=f'<a href="#" onclick="orejime.prompt();return false;">{ui["cookie_settings"]}</a>')


# --- tarteaucitron -------------------------------------------------------------------------------------------------
def tarteaucitron(shop: Shop, variant: ShopVariant, knobs: ShopKnobs, tags: list[Tag]) -> CmpMarkup:
    w = Wiring(variant, tags)
    lang = variant.language
    ui = UI[lang]
    types = dict(item.split(":") for item in str(variant.options.get("types", "")).split(",") if item)
    lines = []
    for tag in managed(tags):
        key = w.service_id(tag)
        builtin = tag.tarteaucitron if tag.gated else None
        if builtin and builtin[0] == key:
            lines += [f"tarteaucitron.user.{name} = {js(value)};" for name, value in builtin[1].items()]
        else:
            body = "\n      ".join(as_code(p) for p in tag.parts) if tag.gated else ""
            lines.append(
                f"tarteaucitron.services[{js(key)}] = {{\n"
                f"    key: {js(key)}, type: {js(types.get(declared_category(tag), 'other'))}, name: {js(w.title(tag))},\n"
                f"    uri: {js(variant.paths.privacy)}, needConsent: true, cookies: {js(list(tag.cookies))},\n"
                f"    js: function () {{\n      'use strict';\n      {body}\n      setTimeout(O3D.tarteaucitronReport, 0);\n    }},\n"
                f"    fallback: function () {{}}\n  }};")
        lines.append(f"(tarteaucitron.job = tarteaucitron.job || []).push({js(key)});")
    checks = {cat: [w.service_id(t) for t in ts] for cat, ts in w.checks().items()}
    params = {
        "privacyUrl": variant.paths.privacy, "bodyPosition": "bottom", "hashtag": "#tarteaucitron",
        "cookieName": variant.storage.name, "orientation": "bottom",
        "groupServices": bool(variant.options.get("groupServices")), "showDetailsOnClick": True,
        "serviceDefaultState": "wait", "showAlertSmall": False, "cookieslist": False, "closePopup": False,
        "showIcon": True, "iconPosition": "BottomLeft", "adblocker": False, "DenyAllCta": True,
        "AcceptAllCta": True, "highPrivacy": True, "alwaysNeedConsent": False, "handleBrowserDNTRequest": False,
        "removeCredit": False, "moreInfoLink": True, "useExternalCss": False, "useExternalJs": False,
        "mandatory": True, "mandatoryCta": True,
        "googleConsentMode": False, "bingConsentMode": False, "pianoConsentMode": False, "softConsentMode": False,
    }
    all_keys = sorted({w.service_id(t) for t in managed(tags)})
    script = f"""<script>var tarteaucitronForceLanguage = {js(lang)};</script>
<script src="{CMP_BASE}/tarteaucitronjs/tarteaucitron.js"></script>
<script>
(function () {{
  var checks = {js(checks)};
  var all = {js(all_keys)};
  function granted(list) {{
    return list.length > 0 && list.every(function (k) {{ return tarteaucitron.state[k] === true; }});
  }}
  O3D.tarteaucitronReport = function () {{
    var decided = all.some(function (k) {{ return tarteaucitron.state[k] === true || tarteaucitron.state[k] === false; }});
    if (!decided) {{ return; }}
    O3D.consentChanged({{performance: granted(checks.performance), functional: granted(checks.functional),
                         targeting: granted(checks.targeting)}}, 'tarteaucitron');
  }};
  document.addEventListener('tac.consent_updated', function () {{ setTimeout(O3D.tarteaucitronReport, 0); }});
}})();
tarteaucitron.init({js(params)});
{chr(10).join(lines)}
</script>"""
    return CmpMarkup(head="", body_end=script,
                     settings_link=f'<a href="#tarteaucitron" onclick="tarteaucitron.userInterface.openPanel();return false;">{ui["cookie_settings"]}</a>')


# --- a hand-made banner (another integrator's: its own markup, ids and storage) -------------------------------------
def custom(shop: Shop, variant: ShopVariant, knobs: ShopKnobs, tags: list[Tag]) -> CmpMarkup:
    w = Wiring(variant, tags)
    lang = variant.language
    ui = UI[lang]
    words = WORDS[lang]
    all_or_nothing = variant.granularity == "all-or-nothing"
    gated_html = "\n".join(
        f'<script type="text/plain" data-consent="{escape(w.unit(t).id)}">\n{as_code(p)}\n</script>'
        for t in gated(tags) for p in t.parts)
    necessary = CATEGORY_TEXTS[lang]["necessary"]
    boxes = "\n".join(
        f'    <li><label><input type="checkbox" name="consent" value="{escape(u.id)}"> <b>{escape(u.label)}</b></label>'
        f'<br><small>{escape(u.description)}</small></li>' for u in variant.units)
    if all_or_nothing:
        buttons = (f'<button type="button" class="cn-btn" data-consent-action="reject">{escape(words["decline"])}</button>\n'
                   f'    <button type="button" class="cn-btn cn-primary" data-consent-action="accept">{escape(words["accept"])}</button>')
        prefs = ""
    else:
        buttons = (f'<button type="button" class="cn-btn" data-consent-action="reject">{escape(ui["reject_all"])}</button>\n'
                   f'    <button type="button" class="cn-btn" data-consent-action="customize">{escape(ui["settings"])}</button>\n'
                   f'    <button type="button" class="cn-btn cn-primary" data-consent-action="accept">{escape(ui["accept_all"])}</button>')
        prefs = f"""  <form class="cn-prefs" hidden>
  <ul>
    <li><label><input type="checkbox" checked disabled> <b>{escape(necessary[0])}</b></label><br><small>{escape(necessary[1])}</small></li>
{boxes}
  </ul>
  <button type="button" class="cn-btn" data-consent-action="save">{escape(ui["save"])}</button>
  </form>"""
    banner = f"""<section id="cookie-notice" class="cn" role="dialog" aria-label="{escape(ui["banner_title"])}" hidden>
  <p class="cn-title"><strong>{escape(ui["banner_title"])}</strong></p>
  <p>{escape(ui["banner_text"])} <a href="{variant.paths.privacy}">{escape(ui["privacy_link"])}</a></p>
{prefs}
  <div class="cn-actions">
    {buttons}
  </div>
</section>"""
    functional_unit = next((u.id for u in variant.units if u.policy == ("functional",)), None)
    settings = {"storage": {"kind": variant.storage.kind, "name": variant.storage.name},
                "units": [u.id for u in variant.units],
                "misread": functional_unit if knobs.functional_not_saved else None}
    checks = {cat: [w.unit(t).id for t in ts] for cat, ts in w.checks().items()}
    bridge = f"""<script>window.SITE_CONSENT_CONFIG = {js(settings)};</script>
<script>
(function () {{
  var checks = {js(checks)};
  function granted(state, list) {{ return list.length > 0 && list.every(function (id) {{ return !!state[id]; }}); }}
  document.addEventListener('site:consent', function (event) {{
    var s = event.detail;
    O3D.consentChanged({{performance: granted(s, checks.performance), functional: granted(s, checks.functional),
                         targeting: granted(s, checks.targeting)}}, 'site-consent');
  }});
}})();
</script>"""
    if knobs.ads_after_reject and knobs.google:
        number = ADS_ID.removeprefix("AW-")
        bridge += f"""
<script>
document.addEventListener('site:consent', function (event) {{
  var list = {js(checks["targeting"])};
  if (!list.every(function (id) {{ return event.detail[id]; }})) {{
    var img = new Image(1, 1);
    img.src = 'https://googleads.g.doubleclick.net/pagead/viewthroughconversion/{number}/?guid=ON&script=0&url=' +
      encodeURIComponent(location.href);
  }}
}});
</script>"""
    script = '<script src="/assets/shop/site-consent.js"></script>'
    return CmpMarkup(head='<link rel="stylesheet" href="/assets/shop/site-consent.css">',
                     body_end="\n".join([banner, gated_html, bridge, script]),
                     settings_link=f'<a href="#" onclick="siteConsent.show();return false;">{ui["cookie_settings"]}</a>')


ADAPTERS = {"vanilla": vanilla, "klaro": klaro, "orejime": orejime, "tarteaucitron": tarteaucitron, "custom": custom}


def variant_cmp_markup(shop: Shop, variant: ShopVariant, knobs: ShopKnobs, tags: list[Tag]) -> CmpMarkup:
    if knobs.banner == "none":
        return CmpMarkup(head="", body_end="", settings_link="")
    return ADAPTERS[variant.manager](shop, variant, knobs, tags)
