"""Measures the consent banner's first layer as a visitor sees it (EDPB Cookie Banner Taskforce checks).

Plain numbers only — sizes, computed colours, WCAG contrast ratios, whether the page behind is blocked —
so the judging rules can run later on the stored observation without a browser.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import Locator, Page

from ..expectations import Domain
from .consent.heuristic import ACCEPT, REJECT, SETTINGS, find_control

STYLE_JS = """(el) => {
  const cs = getComputedStyle(el); const r = el.getBoundingClientRect();
  // the effective background: walk up until a non-transparent background is found
  let bgEl = el, bg = cs.backgroundColor;
  while (bgEl && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) { bgEl = bgEl.parentElement || (bgEl.getRootNode() && bgEl.getRootNode().host); if (!bgEl) break; bg = getComputedStyle(bgEl).backgroundColor; }
  let surEl = (bgEl && bgEl.parentElement) || null, surround = 'rgb(255, 255, 255)';
  while (surEl) { const c = getComputedStyle(surEl).backgroundColor; if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { surround = c; break; } surEl = surEl.parentElement; }
  return {text: (el.innerText || el.value || '').trim().slice(0, 80), tag: el.tagName.toLowerCase(),
          x: r.x, y: r.y, width: r.width, height: r.height, font_size: parseFloat(cs.fontSize), font_weight: cs.fontWeight,
          color: cs.color, background: bg || 'rgb(255, 255, 255)', surround, border: cs.borderTopWidth + ' ' + cs.borderTopStyle,
          text_decoration: cs.textDecorationLine};
}"""

PAGE_JS = """() => {
  const vw = innerWidth, vh = innerHeight;
  const html = getComputedStyle(document.documentElement), body = document.body ? getComputedStyle(document.body) : html;
  const scrollLocked = [html.overflow, html.overflowY, body.overflow, body.overflowY].some(v => v === 'hidden' || v === 'clip');
  // sample a grid of points: how much of the viewport is covered by fixed/sticky overlays?
  let covered = 0, total = 0;
  for (let i = 1; i < 10; i++) for (let j = 1; j < 10; j++) {
    total++; let el = document.elementFromPoint(vw * i / 10, vh * j / 10);
    while (el && el !== document.body && el !== document.documentElement) {
      const p = getComputedStyle(el).position; if (p === 'fixed' || p === 'sticky') { covered++; break; } el = el.parentElement || (el.getRootNode() && el.getRootNode().host);
    }
  }
  return {scroll_locked: scrollLocked, overlay_coverage: covered / total, page_height: document.documentElement.scrollHeight, viewport: [vw, vh]};
}"""


def _lum(rgb: str) -> float | None:
    try:
        parts = [float(x) for x in rgb[rgb.index("(") + 1: rgb.index(")")].split(",")[:3]]
    except (ValueError, IndexError):
        return None

    def ch(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (ch(c) for c in parts)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float | None:
    """WCAG 2.x contrast ratio of two CSS rgb()/rgba() colours (1–21)."""
    la, lb = _lum(a), _lum(b)
    if la is None or lb is None:
        return None
    hi, lo = max(la, lb), min(la, lb)
    return round((hi + 0.05) / (lo + 0.05), 2)


async def _style(loc: Locator) -> dict[str, Any] | None:
    try:
        s = await loc.evaluate(STYLE_JS)
    except Exception:  # noqa: BLE001
        return None
    s["area"] = round(s["width"] * s["height"], 1)
    s["text_contrast"] = contrast(s["color"], s["background"])
    s["background_contrast"] = contrast(s["background"], s["surround"])
    return s


async def measure_banner(page: Page, domain: Domain) -> dict[str, Any]:
    """First-layer facts: accept / reject / settings controls and whether the page behind is blocked."""
    out: dict[str, Any] = {"accept": None, "reject": None, "settings": None}
    for key, sel, patterns in (("accept", domain.banner.accept_all if domain.banner else None, ACCEPT),
                               ("reject", domain.banner.reject_all if domain.banner else None, REJECT),
                               ("settings", domain.banner.settings if domain.banner else None, SETTINGS)):
        loc = None
        if sel:
            cand = page.locator(sel).first
            try:
                if await cand.is_visible(timeout=300):
                    loc = cand
            except Exception:  # noqa: BLE001
                loc = None
        if loc is None:
            found = await find_control(page, patterns, timeout_ms=150)
            loc = found.locator if found else None
        if loc is not None:
            out[key] = await _style(loc)
    try:
        out.update(await page.evaluate(PAGE_JS))
    except Exception:  # noqa: BLE001
        pass
    out["visible"] = out["accept"] is not None
    return out
