"""Times that read right: every time relative to a named action ("3,2 s na klik op 'Alles weigeren'").

An observation's ``t`` values count from the moment the consent action *started* (t = 0), which is not the
click a reader cares about: an autoconsent rule may wait three seconds before it clicks. The anchors here are
the clicks themselves, read from the consent log (``consent.steps``): the click of the choice and, for the
withdraw scenario, both the accepting click and the click that withdrew consent. Without any click
(``no-interaction``) times are given from the opening of the site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_QUOTED = re.compile(r"[‘'“\"]([^’'”\"]{1,80})[’'”\"]")
_CLICK_WORDS = ("clicked", "sending optout", "sending optin", "klik")


@dataclass(frozen=True)
class Anchor:
    t: float
    button: str | None        # the control's visible text, when the log names it


@dataclass(frozen=True)
class Anchors:
    choice: str
    click: Anchor | None = None          # the choice (for withdraw: the accepting click)
    withdraw: Anchor | None = None       # withdraw scenario: the click that withdrew consent
    open_offset: float | None = None     # seconds from opening the site to t = 0


def _epoch(iso: str | None) -> float | None:
    try:
        return datetime.fromisoformat(str(iso).replace("Z", "+00:00")).timestamp()
    except (TypeError, ValueError):
        return None


def _is_click(step: dict[str, Any]) -> bool:
    if not step.get("ok", True):
        return False
    action = str(step.get("action") or "").lower()
    detail = str(step.get("detail") or "").lower()
    if action in ("click", "toggle-save", "save") or action.startswith(("cmp-api", "api")):
        return True
    if "opened" in detail or "settings" in detail and "clicked" not in detail:
        return False
    return any(w in detail for w in _CLICK_WORDS)


def _button(step: dict[str, Any]) -> str | None:
    m = _QUOTED.findall(str(step.get("detail") or ""))
    return m[-1].strip() if m else None


def anchors(obs: dict[str, Any] | None, choice: str) -> Anchors:
    if not obs:
        return Anchors(choice)
    wall, start = _epoch(obs.get("consent_wall_utc")), _epoch(obs.get("started_utc"))
    offset = (wall - start) if (wall is not None and start is not None and wall >= start) else None
    if choice == "no-interaction":
        return Anchors(choice, open_offset=offset)
    steps = [s for s in ((obs.get("consent") or {}).get("steps") or []) if isinstance(s.get("t"), (int, float))]
    clicks = [s for s in steps if s["t"] > -1.0 and _is_click(s)]
    if not clicks:
        return Anchors(choice, open_offset=offset)
    first = Anchor(float(clicks[0]["t"]), _button(clicks[0]))
    withdraw = None
    if choice == "withdraw" and len(clicks) > 1:
        pages = [p.get("t") for p in obs.get("pages") or []
                 if p.get("phase") == "after-withdraw" and isinstance(p.get("t"), (int, float))]
        limit = min(pages) if pages else float("inf")
        later = [s for s in clicks[1:] if s["t"] < limit] or clicks[1:]
        withdraw = Anchor(float(later[-1]["t"]), _button(later[-1]))
    return Anchors(choice, first, withdraw, offset)


def describe(t: float | None, phase: str | None, a: Anchors, T: dict[str, str], choice_label: str,
             reject_label: str) -> str:
    """``t`` (seconds from the consent action) as text relative to the click that matters."""
    def num(x: float) -> str:
        return f"{abs(x):.1f}".replace(".", T["decimal"])

    def btn(anchor: Anchor, fallback: str) -> str:
        return f"‘{anchor.button}’" if anchor.button else T["button_for"].format(choice=fallback)

    if t is None:
        return T["t_phase"].format(phase=T.get(f"phase_{phase}", phase or "")) if phase else T["t_unknown"]
    if a.choice == "no-interaction" or a.click is None:
        if a.open_offset is not None and t + a.open_offset >= 0:
            return T["t_after_open"].format(t=num(t + a.open_offset))
        return T["t_phase"].format(phase=T.get(f"phase_{phase}", phase or "")) if phase else T["t_unknown"]
    if a.withdraw is not None and (phase == "after-withdraw" or t >= a.withdraw.t):
        d = t - a.withdraw.t
        key = "t_after_withdraw" if d >= 0 else "t_before_withdraw"
        return T[key].format(t=num(d), button=btn(a.withdraw, reject_label))
    d = t - a.click.t
    key = "t_after_click" if d >= 0 else "t_before_click"
    return T[key].format(t=num(d), button=btn(a.click, choice_label))
