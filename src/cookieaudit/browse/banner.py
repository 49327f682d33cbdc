"""Measures the consent banner's first layer as a visitor sees it (EDPB Cookie Banner Taskforce checks).

Plain numbers only — sizes, computed colours, WCAG contrast ratios, whether the page behind is blocked —
so the judging rules can run later on the stored observation without a browser.

How the banner is found: every frame of the page (shadow roots included) is searched once for visible
buttons and links whose accessible name is a consent word (``consent.heuristic``: nl/de/fr/en), plus any
configured selectors of the domain. The *banner* is the overlay that holds the accept control: its nearest
ancestor that is ``position: fixed``/``sticky`` or a dialog (``role=dialog``, ``aria-modal``, ``<dialog open>``);
for a banner inside an iframe, the iframe element's overlay in the parent page. Reject and settings controls
count as *first layer* only inside that same overlay; a matching control elsewhere on the page (a footer
"Cookie-instellingen" link, a reject link outside the banner frame) is recorded as ``*_elsewhere``.
A banner that is not an overlay at all (inline at the top of the page) is judged on the whole page.

Returned as an ``observations.FirstLayer`` and stored flat in ``Observation.banner`` (next to what ``browse.visit``
adds: screenshot, implied-consent probe, persistence after a reload); the page's own description of a control is
kept key for key (``BannerControl``):

- ``accept`` / ``reject`` / ``settings``: the control's text, tag, role, box (x, y, width, height, area; top-page
  coordinates), font_size, font_weight, color, background (effective), surround (what is behind that
  background), own_background (the control's own fill, or None when transparent), filled (own fill that stands
  out from what is behind it), bordered, border, text_decoration, text_contrast and background_contrast (WCAG
  ratios), in_banner, frame (URL, for controls inside an iframe) — or None when not on the first layer;
- ``reject_elsewhere`` / ``settings_elsewhere``: the same for a matching control outside the banner overlay;
- ``banner_box``: the overlay's box and its share of the viewport;
- ``toggles``: every category checkbox / switch in the DOM (hidden settings layers included) before anyone
  touched it: label, category (performance / functional / targeting / necessary, from its label), checked,
  disabled, visible, always_on, in_banner — what ``banner-pre-ticked`` reads;
- ``scroll_locked``, ``overlay_coverage`` (share of a 9×9 viewport grid covered by fixed/sticky elements),
  ``page_height``, ``viewport``, ``visible`` (an accept control was found).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from playwright.async_api import Frame, Page

from ..expectations import Domain
from ..observations import BannerBox, BannerControl, BannerToggle, FirstLayer
from .consent.heuristic import ACCEPT, CATEGORY_WORDS, NECESSARY_WORDS, REJECT, SETTINGS
from .frames import searchable_frames

# Shared by the page scan and by configured selectors: style, box and overlay root of one element.
_DESCRIBE = r"""
const __transparent = (c) => !c || c === 'transparent' || /^rgba\(.*,\s*0(\.0+)?\)$/.test(c);
const __up = (n) => n.parentElement || ((n.getRootNode && n.getRootNode() instanceof ShadowRoot) ? n.getRootNode().host : null);
const __root = (el) => {
  for (let n = el; n && n !== document.body && n !== document.documentElement; n = __up(n)) {
    if (!n.getAttribute) continue;
    const cs = getComputedStyle(n), role = n.getAttribute('role');
    if (cs.position === 'fixed' || cs.position === 'sticky' || role === 'dialog' || role === 'alertdialog'
        || n.getAttribute('aria-modal') === 'true' || (n.tagName === 'DIALOG' && n.open)) return n;
  }
  return null;
};
const __rect = (n) => { const r = n.getBoundingClientRect(); return [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)]; };
const __visible = (el) => {
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return false;
  if (el.checkVisibility) return el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  const cs = getComputedStyle(el); return cs.visibility !== 'hidden' && cs.display !== 'none';
};
const __name = (el) => {
  let s = el.getAttribute('aria-label') || '';
  const by = el.getAttribute('aria-labelledby');
  if (!s && by) { const rn = el.getRootNode(); s = by.split(/\s+/).map(id => { const x = rn.getElementById ? rn.getElementById(id) : document.getElementById(id); return x ? (x.innerText || x.textContent) : ''; }).join(' '); }
  if (!s && el.labels && el.labels.length) s = el.labels[0].innerText || el.labels[0].textContent;
  if (!s) { const l = el.closest && el.closest('label'); if (l) s = l.innerText || l.textContent; }
  if (!s) s = el.innerText || el.textContent || el.value || el.title || '';
  return s.replace(/\s+/g, ' ').trim().slice(0, 120);
};
const __describe = (el) => {
  const cs = getComputedStyle(el); const r = el.getBoundingClientRect();
  let bgEl = el, bg = cs.backgroundColor;
  while (bgEl && __transparent(bg)) { bgEl = __up(bgEl); if (!bgEl) break; bg = getComputedStyle(bgEl).backgroundColor; }
  if (__transparent(bg)) bg = 'rgb(255, 255, 255)';
  let surEl = bgEl ? __up(bgEl) : null, surround = 'rgb(255, 255, 255)';
  while (surEl) { const c = getComputedStyle(surEl).backgroundColor; if (!__transparent(c)) { surround = c; break; } surEl = __up(surEl); }
  let behindEl = __up(el), behind = 'rgb(255, 255, 255)';
  while (behindEl) { const c = getComputedStyle(behindEl).backgroundColor; if (!__transparent(c)) { behind = c; break; } behindEl = __up(behindEl); }
  const own = __transparent(cs.backgroundColor) ? (cs.backgroundImage !== 'none' ? 'image' : null) : cs.backgroundColor;
  const root = __root(el);
  return {text: __name(el).slice(0, 80), tag: el.tagName.toLowerCase(), role: el.getAttribute('role'),
          x: r.x, y: r.y, width: r.width, height: r.height, font_size: parseFloat(cs.fontSize), font_weight: cs.fontWeight,
          color: cs.color, background: bg, surround, own_background: own, behind,
          border: cs.borderTopWidth + ' ' + cs.borderTopStyle, border_color: cs.borderTopColor,
          text_decoration: cs.textDecorationLine, root: root ? __rect(root) : null};
};
"""

SCAN_JS = "(arg) => {" + _DESCRIBE + r"""
  const words = new RegExp(arg.words, 'i'), cats = new RegExp(arg.cats, 'i');
  const alwaysOn = /altijd actief|altijd aan|always active|always on|immer aktiv|stets aktiv|toujours actif|toujours activ/i;
  const controls = [], toggles = [];
  const walk = (root, fn) => { for (const el of root.querySelectorAll('*')) { fn(el); if (el.shadowRoot) walk(el.shadowRoot, fn); } };
  let order = 0;
  walk(document, (el) => {
    if (controls.length >= 200 && toggles.length >= 60) return;
    const role = el.getAttribute('role');
    const isToggle = (el.tagName === 'INPUT' && el.type === 'checkbox') || role === 'switch' || role === 'checkbox';
    if (isToggle) {
      if (toggles.length >= 60) return;
      const label = __name(el);
      if (!label || !cats.test(label)) return;
      const root = __root(el);
      // "always active" next to the toggle (its own block: the nearest ancestor holding no other toggle) marks the
      // banner's always-on group, whatever its name (Complianz calls it "Functioneel")
      let block = el.parentElement, always = false;
      for (let up = 0; block && up < 4; up++, block = block.parentElement) {
        if (block.querySelectorAll('input[type=checkbox], [role=switch], [role=checkbox]').length > 1) break;
        if (alwaysOn.test(block.textContent || '')) { always = true; break; }
      }
      toggles.push({label: label.slice(0, 80), role: role || 'checkbox',
                    checked: el.tagName === 'INPUT' ? el.checked : el.getAttribute('aria-checked') === 'true',
                    disabled: !!el.disabled || el.getAttribute('aria-disabled') === 'true', visible: __visible(el),
                    always_on: always, root: root ? __rect(root) : null});
      return;
    }
    if (!el.matches('button, a[href], [role=button], [role=link], input[type=button], input[type=submit]')) return;
    if (role && role !== 'button' && role !== 'link') return;
    order++;
    if (controls.length >= 200 || !__visible(el)) return;
    const name = __name(el);
    if (!name || !words.test(name)) return;
    controls.push({order, name, ...__describe(el)});
  });
  return {controls, toggles};
}"""

DESCRIBE_JS = "(el) => {" + _DESCRIBE + " return __describe(el); }"

ROOT_JS = "(el) => {" + _DESCRIBE + " const r = __root(el); return r ? __rect(r) : null; }"

PAGE_JS = """() => {
  const vw = innerWidth, vh = innerHeight;
  const html = getComputedStyle(document.documentElement), body = document.body ? getComputedStyle(document.body) : html;
  const scrollLocked = [html.overflow, html.overflowY, body.overflow, body.overflowY].some(v => v === 'hidden' || v === 'clip');
  // sample a grid of points: how much of the viewport is covered by fixed/sticky overlays?
  let covered = 0, total = 0;
  for (let i = 1; i < 10; i++) for (let j = 1; j < 10; j++) {
    total++; let el = document.elementFromPoint(vw * i / 10, vh * j / 10);
    // descend into open shadow roots: the host element itself is rarely the positioned one
    while (el && el.shadowRoot) { const inner = el.shadowRoot.elementFromPoint(vw * i / 10, vh * j / 10); if (!inner || inner === el) break; el = inner; }
    while (el && el !== document.body && el !== document.documentElement) {
      const p = getComputedStyle(el).position; if (p === 'fixed' || p === 'sticky') { covered++; break; } el = el.parentElement || (el.getRootNode() && el.getRootNode().host);
    }
  }
  return {scroll_locked: scrollLocked, overlay_coverage: covered / total, page_height: document.documentElement.scrollHeight, viewport: [vw, vh]};
}"""

_KINDS = {"accept": ACCEPT, "reject": REJECT, "settings": SETTINGS}
MAX_FRAMES = 20   # ad-heavy pages embed dozens of iframes; a banner is in the first few


def _lum(rgb: str | None) -> float | None:
    if rgb is None:
        return None
    try:
        parts = [float(x) for x in rgb[rgb.index("(") + 1: rgb.index(")")].split(",")[:3]]
    except (ValueError, IndexError, AttributeError):
        return None

    def ch(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (ch(c) for c in parts)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str | None, b: str | None) -> float | None:
    """WCAG 2.x contrast ratio of two CSS rgb()/rgba() colours (1–21)."""
    la, lb = _lum(a), _lum(b)
    if la is None or lb is None:
        return None
    hi, lo = max(la, lb), min(la, lb)
    return round((hi + 0.05) / (lo + 0.05), 2)


def _rx(pattern: str) -> re.Pattern:
    return re.compile(rf"(?:^|[\W_]){pattern}\b", re.IGNORECASE)


_COMPILED = {kind: [_rx(p) for p in pats] for kind, pats in _KINDS.items()}


def match_rank(name: str, kind: str) -> int | None:
    """Index of the first pattern of ``kind`` (accept/reject/settings) the name matches, or None."""
    for i, rx in enumerate(_COMPILED[kind]):
        if rx.search(name):
            return i
    return None


def toggle_category(label: str) -> str | None:
    """The consent category a toggle's label names (necessary first: "strikt noodzakelijke cookies")."""
    if any(re.search(w, label, re.IGNORECASE) for w in NECESSARY_WORDS):
        return "necessary"
    for cat, words in CATEGORY_WORDS.items():
        if any(re.search(w, label, re.IGNORECASE) for w in words):
            return cat
    return None


def finish(style: dict[str, Any]) -> dict[str, Any]:
    """Derived numbers of a described control: area, WCAG contrasts, filled / bordered."""
    s = dict(style)
    s["area"] = round(s["width"] * s["height"], 1)
    s["text_contrast"] = contrast(s["color"], s["background"])
    s["background_contrast"] = contrast(s["background"], s["surround"])
    own, behind = s.get("own_background"), s.get("behind")
    s["filled"] = bool(own) and (own == "image" or (contrast(own, behind) or 1.0) >= 1.1)
    width, _, kind = (s.get("border") or "0px none").partition(" ")
    try:
        s["bordered"] = float(width.rstrip("px") or 0) >= 1 and kind not in ("none", "hidden")
    except ValueError:
        s["bordered"] = False
    for k in ("x", "y", "width", "height"):
        s[k] = round(float(s[k]), 1)
    return s


async def _frame_offset(frame: Frame) -> tuple[tuple[float, float], list[int] | None]:
    """A child frame's offset in the top page and the overlay root of its <iframe> element in the parent."""
    try:
        handle = await frame.frame_element()
        box = await handle.bounding_box()
        root = await handle.evaluate(ROOT_JS)
        if root is None and box and await handle.evaluate(
                "(el) => ['fixed', 'sticky'].includes(getComputedStyle(el).position)"):
            root = [round(box["x"]), round(box["y"]), round(box["width"]), round(box["height"])]
        return ((box["x"], box["y"]) if box else (0.0, 0.0)), root
    except Exception:  # noqa: BLE001 - detached frames
        return (0.0, 0.0), None


async def _scan(page: Page) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Consent-worded controls and category toggles of every frame, each with the key of its overlay root."""
    words = "|".join(f"(?:{p})" for p in ACCEPT + REJECT + SETTINGS)
    cats = "|".join(f"(?:{w})" for ws in list(CATEGORY_WORDS.values()) + [NECESSARY_WORDS] for w in ws)
    controls: list[dict[str, Any]] = []
    toggles: list[dict[str, Any]] = []
    for n, frame in enumerate(searchable_frames(page)[:MAX_FRAMES]):
        try:
            found = await frame.evaluate(SCAN_JS, {"words": words, "cats": cats})
        except Exception:  # noqa: BLE001 - detached / cross-process frames that went away
            continue
        offset, frame_root, prefix = (0.0, 0.0), None, "main"
        if frame is not page.main_frame:
            offset, frame_root = await _frame_offset(frame)
            prefix = f"frame#{n}"
        for c in found["controls"]:
            c["x"] += offset[0]
            c["y"] += offset[1]
            c["root_key"] = _root_key(frame_root, prefix, c["root"])
            c["frame"] = None if frame is page.main_frame else frame.url
            c["order"] = (n, c["order"])
            controls.append(c)
        for t in found["toggles"]:
            t["root_key"] = _root_key(frame_root, prefix, t["root"])
            toggles.append(t)
    return controls, toggles


def _root_key(frame_root: list[int] | None, prefix: str, root: list[int] | None) -> tuple | None:
    """Which overlay an element belongs to. Inside an iframe that is itself an overlay of the page (or sits in
    one), the whole frame belongs to that overlay of the top page."""
    if frame_root is not None:
        return ("main", tuple(frame_root))
    return (prefix, tuple(root)) if root else None


async def _configured(page: Page, selector: str | None) -> dict[str, Any] | None:
    if not selector:
        return None
    cand = page.locator(selector).first
    try:
        if not await cand.is_visible(timeout=300):
            return None
        c = await cand.evaluate(DESCRIBE_JS)
    except Exception:  # noqa: BLE001
        return None
    c["root_key"] = ("main", tuple(c["root"])) if c.get("root") else None
    c["frame"] = None
    c["order"] = (-1, 0)
    c["name"] = c["text"]
    return c


def _public(c: dict[str, Any], banner_root: tuple | None) -> BannerControl:
    out = finish({k: v for k, v in c.items() if k not in ("root_key", "order", "name", "root")})
    out["in_banner"] = banner_root is not None and c.get("root_key") == banner_root
    return BannerControl.from_dict(out)   # the page's description, key for key (a key it adds is kept as extra)


def _ranked(controls: list[dict[str, Any]]) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    """The scanned controls per kind with their pattern rank (a reject word wins over accept, both over settings)."""
    ranked: dict[str, list[tuple[int, dict[str, Any]]]] = {k: [] for k in _KINDS}
    for c in controls:
        ra, rr, rs = (match_rank(c["name"], k) for k in ("accept", "reject", "settings"))
        if ra is not None and rr is None:
            ranked["accept"].append((ra, c))
        if rr is not None:
            ranked["reject"].append((rr, c))
        if rs is not None and ra is None and rr is None:
            ranked["settings"].append((rs, c))
    return ranked


def choose(controls: list[dict[str, Any]], configured: dict[str, dict[str, Any] | None]) -> tuple[FirstLayer, tuple | None]:
    """Pick accept / reject / settings among the scanned controls; also returns the banner's root key."""
    ranked = _ranked(controls)
    accept = configured.get("accept")
    if accept is None and ranked["accept"]:
        accept = min(ranked["accept"], key=lambda rc: (rc[1]["root_key"] is None, rc[0], rc[1]["order"]))[1]
    banner_root = accept.get("root_key") if accept else None
    picked: dict[str, BannerControl | None] = {}
    for kind in ("reject", "settings"):
        chosen = configured.get(kind)
        if chosen is None:
            cands = [(r, c) for r, c in ranked[kind] if accept is None or c is not accept]
            if banner_root is not None:
                inside = [(r, c) for r, c in cands if c["root_key"] == banner_root]
                outside = [(r, c) for r, c in cands if c["root_key"] != banner_root]
                if inside:
                    chosen = min(inside, key=lambda rc: (rc[0], rc[1]["order"]))[1]
                elif outside:
                    other = min(outside, key=lambda rc: (rc[0], rc[1]["order"]))[1]
                    picked[f"{kind}_elsewhere"] = _public(other, banner_root)
            elif cands:
                chosen = min(cands, key=lambda rc: (rc[1]["root_key"] is None, rc[0], rc[1]["order"]))[1]
        picked[kind] = _public(chosen, banner_root) if chosen is not None else None
    box = None
    if accept and banner_root:
        x, y, w, h = banner_root[1]
        box = BannerBox(x=x, y=y, width=w, height=h, frame=accept.get("frame"))
    layer = FirstLayer(accept=_public(accept, banner_root) if accept else None, reject=picked["reject"],
                       settings=picked["settings"], reject_elsewhere=picked.get("reject_elsewhere"),
                       settings_elsewhere=picked.get("settings_elsewhere"), banner_box=box, visible=bool(accept))
    return layer, banner_root


def toggle_facts(toggles: list[dict[str, Any]], banner_root: tuple | None) -> tuple[BannerToggle, ...]:
    out = []
    for t in toggles:
        cat = toggle_category(t["label"])
        if cat is None:
            continue
        out.append(BannerToggle(label=t["label"], category=cat, role=t["role"], checked=bool(t["checked"]),
                                disabled=bool(t["disabled"]), visible=bool(t["visible"]),
                                always_on=bool(t.get("always_on")),
                                in_banner=banner_root is not None and t.get("root_key") == banner_root))
    return tuple(out)


async def measure_banner(page: Page, domain: Domain) -> FirstLayer:
    """First-layer facts: accept / reject / settings controls, category toggles and whether the page is blocked."""
    b = domain.banner
    configured = {
        "accept": await _configured(page, b.accept_all if b else None),
        "reject": await _configured(page, b.reject_all if b else None),
        "settings": await _configured(page, b.settings if b else None),
    }
    controls, toggles = await _scan(page)
    layer, banner_root = choose(controls, configured)
    layer = replace(layer, toggles=toggle_facts(toggles, banner_root))
    try:
        facts = await page.evaluate(PAGE_JS)
        layer = replace(layer, scroll_locked=facts["scroll_locked"], overlay_coverage=facts["overlay_coverage"],
                        page_height=facts["page_height"], viewport=tuple(facts["viewport"]))
    except Exception:  # noqa: BLE001
        pass
    if layer.banner_box is not None and layer.viewport:
        vw, vh = layer.viewport
        box = layer.banner_box
        share = round(min(1.0, (box.width or 0) * (box.height or 0) / max(1, vw * vh)), 3)
        layer = replace(layer, banner_box=replace(box, viewport_share=share))
    return layer
