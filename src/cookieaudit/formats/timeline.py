"""Times that read right: every time relative to a named action ("3,2 s na klik op 'Alles weigeren'").

An observation's ``t`` values count from the moment the consent action *started* (t = 0), which is not the
click a reader cares about: an autoconsent rule may wait three seconds before it clicks. The anchors here are
the clicks themselves, read from the consent log (``consent.steps``): the click of the choice and, for the
withdraw choice, both the accepting click and the click that withdrew consent. Without any click
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
    api: bool = False         # the choice was passed through the consent manager's API, not clicked


@dataclass(frozen=True)
class Anchors:
    choice: str
    click: Anchor | None = None          # the choice (for withdraw: the accepting click)
    withdraw: Anchor | None = None       # withdraw choice: the click that withdrew consent
    open_offset: float | None = None     # seconds from opening the site to t = 0


def _epoch(iso: str | None) -> float | None:
    try:
        return datetime.fromisoformat(str(iso).replace("Z", "+00:00")).timestamp()
    except (TypeError, ValueError):
        return None


def _is_api(step: dict[str, Any]) -> bool:
    return str(step.get("action") or "").lower().startswith(("cmp-api", "api"))


def _is_click(step: dict[str, Any]) -> bool:
    """A step that makes the choice: a click on accept/reject/save, an API call, autoconsent's opt-in/out —
    not opening the settings layer and not flipping a switch inside it."""
    if not step.get("ok", True):
        return False
    action = str(step.get("action") or "").lower()
    detail = str(step.get("detail") or "").lower()
    if action in ("click", "toggle-save", "save") or _is_api(step):
        return True
    if "opened" in detail or "settings button" in detail or detail.startswith(("switch", "toggle", "checkbox")):
        return False
    return any(w in detail for w in _CLICK_WORDS)


def _button(step: dict[str, Any]) -> str | None:
    if _is_api(step):
        return None
    m = _QUOTED.findall(str(step.get("detail") or ""))
    return m[-1].strip() if m else None


def _anchor(step: dict[str, Any]) -> Anchor:
    return Anchor(float(step["t"]), _button(step), _is_api(step))


def _decisive(clicks: list[dict[str, Any]], verifies: list[float], after: float) -> dict[str, Any] | None:
    """The last choice-making step after ``after`` and before the next verification of the stored state."""
    later = [c for c in clicks if c["t"] > after]
    if not later:
        return None
    limit = next((v for v in verifies if v > later[0]["t"]), float("inf"))
    return [c for c in later if c["t"] < limit][-1]


def anchors(obs: dict[str, Any] | None, choice: str) -> Anchors:
    if not obs:
        return Anchors(choice)
    wall, start = _epoch(obs.get("consent_wall_utc")), _epoch(obs.get("started_utc"))
    offset = (wall - start) if (wall is not None and start is not None and wall >= start) else None
    if choice == "no-interaction":
        return Anchors(choice, open_offset=offset)
    steps = [s for s in ((obs.get("consent") or {}).get("steps") or []) if isinstance(s.get("t"), (int, float))]
    clicks = [s for s in steps if s["t"] > -1.0 and _is_click(s)]
    verifies = sorted(float(s["t"]) for s in steps if str(s.get("action")) == "verify")
    first_step = _decisive(clicks, verifies, -1.0)
    if first_step is None:
        return Anchors(choice, open_offset=offset)
    withdraw = None
    if choice == "withdraw":
        w = _decisive(clicks, verifies, next((v for v in verifies if v > first_step["t"]), float("inf")))
        withdraw = _anchor(w) if w is not None else None
    return Anchors(choice, _anchor(first_step), withdraw, offset)


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
    if a.click.api:
        return T["t_after_api" if d >= 0 else "t_before_api"].format(t=num(d), choice=choice_label)
    key = "t_after_click" if d >= 0 else "t_before_click"
    return T[key].format(t=num(d), button=btn(a.click, choice_label))
