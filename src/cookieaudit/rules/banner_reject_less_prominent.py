"""banner-reject-less-prominent: the reject control is much smaller, fainter or less visually supported than
accept."""

from __future__ import annotations

from typing import Any

from ..observations import BannerControl
from .banner_support import measured_banner
from .base import RuleMeta
from .context import Collector, Context

# The tool's own thresholds (no authority has published numbers; research notes (legal) §6 D/E):
AREA_RATIO = 0.5         # reject area below half of accept's: unequal prominence
FONT_RATIO = 0.75        # reject font size below three quarters of accept's
WEAK_CONTRAST = 3.0      # reject text below WCAG AA for large text while accept meets AA for normal text ...
ACCEPT_READABLE = 4.5
MANIFEST_CONTRAST = 1.5  # ... or below this whatever accept does: unreadable for virtually anyone

META = RuleMeta(
    id="banner-reject-less-prominent",
    title={"en": "Reject is less prominent than accept",
           "nl": "Weigeren is minder opvallend dan accepteren"},
    explanation={
        "en": "Accept and reject must be equally easy to see and use: no reject rendered as a faint text link "
              "next to a big coloured accept button. From the computed styles of both controls on the first layer "
              "(no-interaction visit) the finding reports each criterion that fails: (1) size - reject area below "
              f"{AREA_RATIO:.0%} of accept's, or its font size below {FONT_RATIO:.0%} of accept's; (2) readability - "
              f"reject text contrast below {WEAK_CONTRAST}:1 (WCAG AA for large text) while accept reaches "
              f"{ACCEPT_READABLE}:1, or below {MANIFEST_CONTRAST}:1 whatever accept does (manifestly unreadable); "
              "(3) visual support - reject is bare text (no fill that stands out from what is behind it, no "
              "border) while accept is a filled or outlined button. These thresholds are the tool's choice, not "
              "law: no authority has published numbers; they follow the EDPB taskforce's examples and WCAG 2.1 "
              "SC 1.4.3. A finding is a strong indication for review, with the measured numbers as evidence.",
        "nl": "Accepteren en weigeren moeten even goed zichtbaar en bruikbaar zijn: geen weigeroptie als vage "
              "tekstlink naast een grote gekleurde accepteerknop. Uit de berekende stijlen van beide knoppen in de "
              "eerste laag (bezoek zonder interactie) meldt de bevinding elk criterium dat faalt: (1) grootte - "
              f"oppervlak van weigeren kleiner dan {AREA_RATIO:.0%} van accepteren, of lettergrootte kleiner dan "
              f"{FONT_RATIO:.0%}; (2) leesbaarheid - tekstcontrast van weigeren onder {WEAK_CONTRAST}:1 (WCAG AA voor "
              f"grote tekst) terwijl accepteren {ACCEPT_READABLE}:1 haalt, of onder {MANIFEST_CONTRAST}:1 ongeacht "
              "accepteren (vrijwel onleesbaar); (3) visuele ondersteuning - weigeren is kale tekst (geen opvallende "
              "achtergrond, geen rand) terwijl accepteren een gevulde of omlijnde knop is. Deze drempels zijn een "
              "keuze van de tool, geen wet: geen toezichthouder heeft getallen gepubliceerd; ze volgen de "
              "voorbeelden van de EDPB-taskforce en WCAG 2.1 SC 1.4.3. Een bevinding is een sterke aanwijzing om "
              "te beoordelen, met de gemeten waarden als bewijs.",
    },
    severity="medium",
    jurisdictions=("EU",),
    legal_basis=("EDPB Cookie Banner Taskforce report 2023 §11-19 (types C, D/E)",
                 "GBA 113/2024 (Mediahuis)", "AP cookiebanner-vuistregels (knoppen even groot en opvallend)",
                 "WCAG 2.1 SC 1.4.3"),
    evidence=("banner", "screenshot"),
)


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) else None


def criteria(accept: BannerControl, reject: BannerControl) -> list[dict[str, Any]]:
    """Every failed criterion with its measured values (pure; also used by tests)."""
    failed: list[dict[str, Any]] = []
    a_area, r_area = _num(accept.area), _num(reject.area)
    if a_area and r_area is not None and r_area < AREA_RATIO * a_area:
        failed.append({"id": "area", "ratio": round(r_area / a_area, 2), "threshold": AREA_RATIO,
                       "accept": a_area, "reject": r_area})
    a_font, r_font = _num(accept.font_size), _num(reject.font_size)
    if a_font and r_font is not None and r_font < FONT_RATIO * a_font:
        failed.append({"id": "font-size", "ratio": round(r_font / a_font, 2), "threshold": FONT_RATIO,
                       "accept": a_font, "reject": r_font})
    a_con, r_con = _num(accept.text_contrast), _num(reject.text_contrast)
    if r_con is not None and (r_con < MANIFEST_CONTRAST or (r_con < WEAK_CONTRAST and (a_con or 0) >= ACCEPT_READABLE)):
        failed.append({"id": "contrast", "accept": a_con, "reject": r_con,
                       "threshold": MANIFEST_CONTRAST if r_con < MANIFEST_CONTRAST else WEAK_CONTRAST})
    if not (reject.filled or reject.bordered) and (accept.filled or accept.bordered):
        failed.append({"id": "bare-text", "accept": {"tag": accept.tag, "filled": accept.filled,
                                                     "bordered": accept.bordered},
                       "reject": {"tag": reject.tag, "filled": False, "bordered": False,
                                  "text_decoration": reject.text_decoration}})
    return failed


def _nl(x: Any) -> str:
    return f"{x:g}".replace(".", ",") if isinstance(x, (int, float)) else str(x)


def _phrases(f: dict[str, Any]) -> tuple[str, str]:
    if f["id"] == "area":
        return (f"smaller ({f['ratio']:.0%} of accept's area)", f"kleiner ({f['ratio']:.0%} van het oppervlak van accepteren)")
    if f["id"] == "font-size":
        return (f"in a smaller font ({f['reject']:g} px vs {f['accept']:g} px)",
                f"in kleinere letters ({_nl(f['reject'])} px tegen {_nl(f['accept'])} px)")
    if f["id"] == "contrast":
        return (f"hard to read (text contrast {f['reject']}:1 vs {f['accept']}:1)",
                f"slecht leesbaar (tekstcontrast {_nl(f['reject'])}:1 tegen {_nl(f['accept'])}:1)")
    return "bare text instead of a button", "kale tekst in plaats van een knop"


def check(ctx: Context, out: Collector) -> None:
    for domain in ctx.domains:
        found = measured_banner(ctx, domain)
        if found is None:
            continue
        visit, b = found
        accept, reject = b.accept, b.reject
        if accept is None or reject is None:
            continue
        failed = criteria(accept, reject)
        if not failed:
            continue
        en = "; ".join(_phrases(f)[0] for f in failed)
        nl = "; ".join(_phrases(f)[1] for f in failed)
        out.add(
            META.id, visit, None, severity="medium", subject={"kind": "banner", "name": "reject"},
            pointer="/banner/reject", phase="before-consent",
            details={"failed": failed, "accept": {k: getattr(accept, k) for k in _KEYS},
                     "reject": {k: getattr(reject, k) for k in _KEYS}},
            message=(f"On {domain} the banner's \"{reject.text}\" is less prominent than "
                     f"\"{accept.text}\": {en}."),
            message_nl=(f"Op {domain} valt \"{reject.text}\" in de banner minder op dan "
                        f"\"{accept.text}\": {nl}."),
        )


_KEYS = ("text", "tag", "width", "height", "area", "font_size", "font_weight", "color", "background",
         "text_contrast", "filled", "bordered")
