"""What the banner-judging rules share: the measured banner of a domain, the route to a refusal, category names.

The banner is measured once per domain, in the no-interaction visit (``browse.banner.measure_banner``), and
stored in ``Observation.banner``; the reject-all visit adds ``banner.persistence`` and its consent log shows
how a refusal was actually reached. Everything here reads those plain records; no browser.
"""

from __future__ import annotations

import re
from typing import Any

from ..category_names import SYNONYMS
from ..observations import BannerControl, FirstLayer
from .context import Context, Visit

# A control measured on the first layer: first_layer.<kind> is None when absent.
CONTROLS = ("accept", "reject", "settings")

# Category names consent managers use for the strictly necessary group (never a choice).
_NECESSARY_NAMES = {"necessary", "essential", "required", "strictly-necessary", "strictly_necessary", "technical",
                    "security", "mandatory", "noodzakelijk", "notwendig", "essenziell", "c0001"}


def measured_banner(ctx: Context, domain: str) -> tuple[Visit, FirstLayer] | None:
    """The no-interaction visit of a domain and its measured first layer, if it carries one."""
    visit = next((r for r in ctx.visits_of(domain) if r.choice == "no-interaction"), None)
    if visit is None or visit.obs.banner.first_layer is None:
        return None
    return visit, visit.obs.banner.first_layer


def banner_visit(ctx: Context, domain: str) -> Visit | None:
    """The no-interaction visit of a domain, if it carries a banner measurement."""
    found = measured_banner(ctx, domain)
    return found[0] if found is not None else None


def visit_of(ctx: Context, domain: str, choice: str) -> Visit | None:
    return next((r for r in ctx.visits_of(domain) if r.choice == choice), None)


def policy_category(ctx: Context, domain: str, name: str, mapped: dict | None = None) -> str | None:
    """A consent manager's category name as a policy category id ("necessary" for the necessary group).

    ``mapped`` is the mapping the consent driver recorded with the state (``ConsentState.mapped``); it knows the
    adapters' own maps (OneTrust group ids, TCF purposes) and wins when it has an answer.
    """
    if mapped and mapped.get(name) not in (None, "*"):
        return mapped[name]
    d = ctx.expectations.domain(domain)
    if d is not None and d.mapped_category(name) is not None:
        return d.mapped_category(name)
    low = name.lower()
    if low in ctx.all_categories:
        return low
    if low in _NECESSARY_NAMES:
        return "necessary"
    return SYNONYMS.get(low)


def is_necessary(ctx: Context, category: str | None) -> bool:
    necessary = {c.id for c in ctx.expectations.categories if c.necessary} | {"necessary"}
    return category in necessary


def reject_route(ctx: Context, domain: str) -> dict[str, Any] | None:
    """How the reject-all visit reached a refusal: outcome, method, clicks, and whether it went via settings."""
    visit = visit_of(ctx, domain, "reject-all")
    if visit is None:
        return None
    c = visit.obs.consent
    d = ctx.expectations.domain(domain)
    settings_sel = d.banner.settings if d and d.banner else None
    reject_sel = d.banner.reject_all if d and d.banner else None
    clicks, via_settings, direct_reject = 0, False, False
    for st in c.steps:
        if not st.ok:
            continue
        if st.action == "click":
            clicks += 1
            via_settings |= bool(settings_sel) and st.detail == settings_sel
            direct_reject |= clicks == 1 and bool(reject_sel) and st.detail == reject_sel
        elif st.action == "text-heuristic" and st.detail.startswith("clicked "):
            clicks += 1
            via_settings |= st.detail.startswith("clicked settings button")
            direct_reject |= clicks == 1 and st.detail.startswith("clicked reject button")
    return {"outcome": c.outcome, "method": c.method, "clicks": clicks, "via_settings": via_settings,
            "direct_reject": direct_reject, "reason": c.reason or None}


WALL_COVERAGE = 0.9   # share of the viewport grid covered by fixed/sticky overlays that blocks the page


def blocking(banner: FirstLayer) -> bool:
    """The page behind the banner cannot be used: scrolling locked or (nearly) the whole viewport covered."""
    return bool(banner.scroll_locked) or (banner.overlay_coverage or 0) >= WALL_COVERAGE


def cookie_wall(ctx: Context, domain: str) -> dict[str, Any] | None:
    """The facts of a cookie wall on this domain, or None: blocking banner, no reject on the first layer and no
    refusal possible behind it either (the reject-all visit found none; without that visit: no settings layer)."""
    found = measured_banner(ctx, domain)
    if found is None:
        return None
    visit, b = found
    if b.accept is None or b.reject is not None or not blocking(b):
        return None
    route = reject_route(ctx, domain)
    if route is not None:
        if route["outcome"] != "not-performed":
            return None
    elif b.settings is not None:
        return None
    probe = visit.obs.banner.implied_consent_probe
    return {"scroll_locked": bool(b.scroll_locked), "overlay_coverage": b.overlay_coverage,
            "accept": text(b.accept), "settings": text(b.settings), "reject_all_run": route,
            "content_click_blocked": any("probe incomplete" in a for a in (probe.actions if probe else ()))}


def text(control: BannerControl | None) -> str | None:
    return (control.text if control is not None else None) or None


_WAS_ON = re.compile(r"\(was on\)")


def was_on_steps(visit: Visit) -> list[tuple[int, str]]:
    """Consent-log toggle steps that report a box already on before the driver touched it: (index, detail)."""
    return [(i, st.detail) for i, st in enumerate(visit.obs.consent.steps)
            if st.action in ("toggle", "text-heuristic") and _WAS_ON.search(st.detail or "")]
