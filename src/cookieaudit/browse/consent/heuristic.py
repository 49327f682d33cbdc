"""Generic driver for banners nobody configured and no rule set knows: buttons found by their text.

Texts in Dutch, German, French and English; Playwright's role locators pierce open shadow roots, and every
frame of the page is searched, so banners inside shadow DOM or iframes are found too. "All" variants
("Alles accepteren") are preferred over bare verbs ("Accepteren").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from playwright.async_api import Frame, Locator, Page

from ..frames import searchable_frames

ACCEPT = [
    r"alles?\s+accepteren", r"alle\s+cookies\s+accepteren", r"sta\s+alle\s+(cookies\s+)?toe", r"accepteer\s+alle", r"alles?\s+toestaan", r"alle\s+cookies\s+toestaan",
    r"alle\s+akzeptieren", r"alle\s+cookies\s+akzeptieren", r"erlaube\s+alle", r"alle\s+(cookies\s+)?erlauben", r"alle\s+zulassen", r"alles\s+akzeptieren",
    r"tout\s+accepter", r"accepter\s+tout", r"accept\s+all", r"allow\s+all", r"agree\s+to\s+all",
    r"dat\s+is\s+ok[eé]", r"das\s+ist\s+ok", r"that'?s\s+ok",   # Klaro's first-layer wording
    r"accepteren", r"akkoord", r"akzeptieren", r"zustimmen", r"einverstanden", r"accepter", r"j'accepte",
    r"accept", r"i\s+agree", r"agree", r"allow",
]
REJECT = [
    r"alles?\s+weigeren", r"alle\s+cookies\s+weigeren", r"weiger\s+alle", r"alles?\s+afwijzen", r"alleen\s+(strikt\s+)?noodzakelijke?",
    r"alle\s+(cookies\s+)?ablehnen", r"verbiete\s+alle", r"alle\s+(cookies\s+)?verbieten",
    r"nur\s+(notwendige|essenzielle|erforderliche)", r"alles\s+ablehnen",
    r"tout\s+refuser", r"refuser\s+tout", r"continuer\s+sans\s+accepter", r"reject\s+all", r"decline\s+all",
    r"deny\s+all", r"(only|necessary)\s+(necessary|only)",
    r"ik\s+weiger", r"ich\s+lehne\s+ab", r"je\s+refuse", r"i\s+decline",   # Klaro's first-layer wording
    r"weigeren", r"afwijzen", r"niet\s+akkoord",
    r"ablehnen", r"refuser", r"reject", r"decline", r"deny",
]
SETTINGS = [
    r"instellingen", r"voorkeuren", r"aanpassen", r"einstellungen", r"anpassen", r"präferenzen", r"param[eè]tres",
    r"personnaliser", r"personalisieren", r"settings", r"preferences", r"customi[sz]e", r"manage",
    r"laat\s+me\s+kiezen", r"lass(en\s+sie)?\s+mich\s+w[äa]hlen", r"laissez-?\s*moi\s+choisir", r"let\s+me\s+choose",
]
SAVE = [
    r"(keuze|selectie|voorkeuren)\s+opslaan", r"opslaan", r"auswahl\s+(speichern|bestätigen)", r"speichern",
    r"enregistrer", r"confirm\s+(my\s+)?choices", r"save",
]
# Labels of the strictly necessary category (always on, not a choice): never a pre-ticked box.
NECESSARY_WORDS = [
    r"noodzakelijk", r"essenti", r"notwendig", r"erforderlich", r"n[ée]cessaire", r"necessary", r"strictly",
    r"strikt", r"required", r"obligatoire", r"indispensable", r"technisch", r"techniques?\b",
]
CATEGORY_WORDS = {
    "performance": [r"prestatie", r"analyti", r"statisti", r"performance", r"mesure", r"leistung"],
    "functional": [r"functione", r"funktion", r"fonctionn", r"functional", r"voorkeur", r"pr[äa]ferenz", r"preference"],
    "targeting": [r"targeting", r"marketing", r"advertent", r"werbung", r"publicit", r"advertis", r"reclame"],
}


@dataclass
class FoundControl:
    frame: Frame
    locator: Locator
    text: str
    pattern: str


# An accept verb inside a refusal ("Continuer sans accepter", "Nicht akzeptieren"): never an accept button.
NEGATED_ACCEPT = [
    r"sans\s+accepter", r"ne\s+pas\s+accepter", r"without\s+accept", r"don'?t\s+accept", r"do\s+not\s+accept",
    r"not\s+accept", r"nicht\s+(akzeptieren|zustimmen|einverstanden)", r"ohne\s+(zu\s+)?(akzeptieren|zustimmen)",
    r"niet\s+(accepteren|akkoord)", r"zonder\s+(te\s+)?accepteren", r"refus", r"weiger", r"ablehn", r"reject",
    r"decline", r"deny",
]

# the ARIA roles find_control looks for (a subset of what Playwright's get_by_role accepts)
ControlRole = Literal["button", "link"]


async def find_control(page: Page, patterns: list[str], timeout_ms: int = 250,
                       roles: tuple[ControlRole, ...] = ("button", "link"),
                       exclude: list[str] | None = None) -> FoundControl | None:
    """The best visible button/link whose accessible name matches one of the patterns (in order of preference),
    skipping any whose text matches ``exclude`` (e.g. an accept verb inside a refusal)."""
    if exclude is None and patterns is ACCEPT:
        exclude = NEGATED_ACCEPT
    skip = re.compile("|".join(exclude), re.IGNORECASE) if exclude else None
    frames = searchable_frames(page)
    for pat in patterns:
        # anywhere in the accessible name: icons lead labels ("✗ Weiger alle") and aria-labels add prefixes
        # ("Cookies : Verbiete alle Cookies"); the preference order of the patterns does the ranking
        rx = re.compile(rf"(?:^|[\W_]){pat}\b", re.IGNORECASE)
        for frame in frames:
            for role in roles:
                try:
                    loc = frame.get_by_role(role, name=rx)
                    n = await loc.count()
                except Exception:  # noqa: BLE001 - detached frames
                    continue
                for i in range(min(n, 5)):
                    cand = loc.nth(i)
                    try:
                        if await cand.is_visible(timeout=timeout_ms):
                            # text_content needs no layout: inner_text timed out on a loaded machine
                            text = ((await cand.text_content(timeout=2000)) or "").strip()
                            if skip is not None and skip.search(
                                    text or (await cand.get_attribute("aria-label", timeout=2000) or "")):
                                continue
                            return FoundControl(frame, cand, text[:80], pat)
                    except Exception:  # noqa: BLE001
                        continue
    return None


async def find_category_toggle(page: Page, category: str) -> Locator | None:
    """A checkbox or switch whose label mentions the category (any language)."""
    frames = searchable_frames(page)
    for word in CATEGORY_WORDS.get(category, [category]):
        rx = re.compile(word, re.IGNORECASE)
        for frame in frames:
            for role in ("checkbox", "switch"):
                try:
                    loc = frame.get_by_role(role, name=rx)
                    if await loc.count():
                        return loc.first
                except Exception:  # noqa: BLE001
                    continue
    return None
WITHDRAW = [
    r"cookie-?\s*instellingen", r"cookie-?\s*voorkeuren", r"privacy-?\s*instellingen", r"toestemming\s+(wijzigen|intrekken)",
    r"cookie-?\s*einstellungen", r"datenschutz-?\s*einstellungen", r"einwilligung\s+(widerrufen|ändern)",
    r"param[eè]tres\s+(des\s+)?cookies", r"gestion\s+des\s+cookies", r"cookie\s+settings", r"cookie\s+preferences",
    r"privacy\s+settings", r"manage\s+cookies", r"withdraw\s+consent",
]


@dataclass
class FoundToggle:
    frame: Frame
    locator: Locator
    label: str        # the switch's own name: aria-label, the heading of its label, or the label's first line
    disabled: bool


_TOGGLE_SELECTOR = "input[type=checkbox], [role=switch], [role=checkbox]"
_TOGGLE_LABEL_JS = """(el) => {
  const clean = (t) => String(t || '').replace(/\\s+/g, ' ').trim();
  const first = (node) => { if (!node) return '';
    const head = node.querySelector && node.querySelector('strong, b, h1, h2, h3, h4, h5, [class*=title], [class*=name]');
    if (head && clean(head.textContent)) return clean(head.textContent);
    return clean((node.innerText || node.textContent || '').split('\\n').find(x => x.trim()) || ''); };
  let name = el.getAttribute('aria-label') || '';
  if (!name && el.getAttribute('aria-labelledby')) {
    const root = el.getRootNode();
    name = el.getAttribute('aria-labelledby').split(/\\s+/).map(id => first(root.getElementById ? root.getElementById(id) : document.getElementById(id))).join(' ');
  }
  if (!name && el.id) { const root = el.getRootNode(); const l = root.querySelector && root.querySelector('label[for="' + CSS.escape(el.id) + '"]'); if (l) name = first(l); }
  if (!name) name = first(el.closest('label'));
  if (!name && el.parentElement) name = first(el.parentElement);
  const disabled = !!(el.disabled || el.getAttribute('aria-disabled') === 'true');
  const r = el.getBoundingClientRect(); const box = el.closest('label') || el.parentElement || el; const rb = box.getBoundingClientRect();
  const shown = (r.width > 0 && r.height > 0) || (rb.width > 0 && rb.height > 0);
  return {name: clean(name).slice(0, 120), disabled, shown};
}"""


async def find_toggles(page: Page, limit: int = 40) -> list[FoundToggle]:
    """Every visible category or service switch of the open settings layer, with its own label (any frame,
    open shadow roots included). Their meaning is decided by the consent mapping, not here."""
    frames = searchable_frames(page)
    out: list[FoundToggle] = []
    seen: set[str] = set()
    for frame in frames:
        try:
            loc = frame.locator(_TOGGLE_SELECTOR)
            n = await loc.count()
        except Exception:  # noqa: BLE001 - detached frames
            continue
        for i in range(min(n, limit)):
            cand = loc.nth(i)
            try:
                info = await cand.evaluate(_TOGGLE_LABEL_JS, timeout=2000)
            except Exception:  # noqa: BLE001
                continue
            label = info.get("name") or ""
            if not info.get("shown") or not label or label in seen:
                continue
            seen.add(label)
            out.append(FoundToggle(frame, cand, label, bool(info.get("disabled"))))
    return out


_SWITCH_OFFER_JS = """(labelOf) => {
  const fn = eval(labelOf); const out = [];
  const walk = (root) => { root.querySelectorAll('*').forEach(el => {
    if (el.matches && el.matches('input[type=checkbox], [role=switch], [role=checkbox]')) out.push(el);
    if (el.shadowRoot) walk(el.shadowRoot); }); };
  walk(document);
  return out.slice(0, 60).map(el => {
    const keys = [];
    for (const a of el.attributes) {
      if (!/^(id|name|value|data-[\\w-]+)$/.test(a.name) || !a.value || a.value === 'on' || a.value.length > 60) continue;
      keys.push(a.value); const parts = a.value.split(/[-_:.\\[\\]]+/).filter(Boolean);
      if (parts.length > 1) keys.push(parts[parts.length - 1]);
    }
    const info = fn(el);
    return {label: info.name, keys, disabled: info.disabled};
  });
}"""


async def read_switch_offer(page: Page) -> dict:
    """What a banner nobody configured offers, read from its switches (also hidden ones of a closed settings
    layer): each switch's label and the ids its markup carries (id, name, value, data-*), so a stored key such
    as ``meten`` can be read through the label of the switch ``#cat-meten``."""
    frames = searchable_frames(page)
    categories: list[dict] = []
    seen: set[str] = set()
    for frame in frames:
        try:
            switches = await frame.evaluate(_SWITCH_OFFER_JS, _TOGGLE_LABEL_JS)
        except Exception:  # noqa: BLE001 - detached frames, strict CSP on eval
            continue
        for s in switches or ():
            label = (s.get("label") or "").strip()
            if not label:
                continue
            for key in s.get("keys") or ():
                if key not in seen:
                    seen.add(key)
                    categories.append({"id": key, "label": label, "required": bool(s.get("disabled"))})
    return {"level": "category", "categories": categories, "services": [], "storage": []}
