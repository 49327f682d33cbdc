"""Perform a consent choice on whatever banner the page shows, then prove (or fail to prove) that it registered.

Driver order: the site's configured selectors (always win) → the consent manager's own API for per-category
choices → DuckDuckGo autoconsent for accept-all / reject-all → the manager's API as a fallback.
Verification reads the manager's stored state back; an action whose effect cannot be read is ``unverified``.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from playwright.async_api import Page

from ...expectations import Domain, Expectations
from ...observations import ConsentOutcome, ConsentStep
from .autoconsent import AutoconsentSession
from .cmps import ADAPTERS, SYNONYMS, CmpAdapter


class ConsentLog:
    def __init__(self, clock: Callable[[], float]):
        self.clock = clock
        self.steps: list[ConsentStep] = []

    def add(self, action: str, detail: str = "", ok: bool = True) -> None:
        self.steps.append(ConsentStep(t=round(self.clock(), 3), action=action, detail=detail[:500], ok=ok))


async def detect_cmp(page: Page) -> CmpAdapter | None:
    for a in ADAPTERS:
        try:
            if await page.evaluate(a.detect_js):
                return a
        except Exception:  # noqa: BLE001
            continue
    return None


async def read_state(page: Page) -> tuple[CmpAdapter | None, dict[str, Any] | None]:
    """The consent state as the page's consent manager stores it.

    Manager-specific adapters first: the first decided state wins, else the first undecided one. Generic readers
    (``CmpAdapter.generic``: TCF, a JSON consent cookie) are asked only when no specific adapter read anything, so
    e.g. Didomi's own "not decided" (a token that disagrees with its TC string) is not overruled by ``__tcfapi``.

    Some managers reload the page after a choice (Complianz when marketing consent is withdrawn): a reading cut
    short by that navigation is taken again once the new page has loaded, instead of reporting no state."""
    fallback: tuple[CmpAdapter | None, dict[str, Any] | None] = (None, None)
    for attempt in range(2):
        fallback, interrupted = (None, None), False
        for group in ([a for a in ADAPTERS if not a.generic], [a for a in ADAPTERS if a.generic]):
            for a in group:
                try:
                    state = await page.evaluate(a.state_js)
                except Exception as exc:  # noqa: BLE001
                    interrupted |= "context was destroyed" in str(exc) or "navigat" in str(exc).lower()
                    continue
                if state is not None:
                    if state.get("decided"):
                        return a, state
                    if fallback[1] is None:
                        fallback = (a, state)
            if fallback[1] is not None:
                break
        if not interrupted or attempt:
            break
        try:
            await page.wait_for_load_state("load", timeout=10000)
        except Exception:  # noqa: BLE001
            break
    return fallback


def to_policy_category(domain: Domain, cmp_category: str, adapter: CmpAdapter | None = None) -> str | None:
    """A manager's category name as a policy category: the domain's mapping, else the adapter's, else synonyms."""
    mapped = domain.mapped_category(cmp_category)
    if mapped is not None:
        return mapped
    if adapter is not None and cmp_category in adapter.category_map:
        return adapter.category_map[cmp_category]
    return SYNONYMS.get(cmp_category.lower())


def to_cmp_categories(domain: Domain, policy_categories: set[str], available: set[str],
                      adapter: CmpAdapter | None = None) -> list[str]:
    return [c for c in sorted(available) if to_policy_category(domain, c, adapter) in policy_categories]


def _mapped_names(domain: Domain, adapter: CmpAdapter) -> set[str]:
    return set(adapter.category_map) | domain.cmp_names()


async def banner_visible(page: Page, adapter: CmpAdapter | None, domain: Domain) -> bool | None:
    probes = []
    if domain.banner:
        for sel in (domain.banner.accept_all, domain.banner.reject_all):
            if sel:
                probes.append(("sel", sel))
    if adapter and adapter.banner_js:
        probes.append(("js", adapter.banner_js))
    if not probes:
        return None
    for kind, probe in probes:
        try:
            if kind == "sel":
                if await page.locator(probe).first.is_visible(timeout=200):
                    return True
            elif await page.evaluate(probe):
                return True
        except Exception:  # noqa: BLE001
            continue
    return False


async def _click(page: Page, selector: str, log: ConsentLog, timeout: float = 5000) -> bool:
    try:
        loc = page.locator(selector).first
        await loc.wait_for(state="visible", timeout=timeout)
        await loc.click(timeout=timeout)
        log.add("click", selector)
        return True
    except Exception as exc:  # noqa: BLE001
        log.add("click", f"{selector}: {str(exc).splitlines()[0]}", ok=False)
        return False


async def _set_checked(page: Page, selector: str, on: bool, log: ConsentLog) -> bool:
    try:
        loc = page.locator(selector).first
        await loc.wait_for(state="attached", timeout=3000)
        was = await loc.is_checked()
        if was != on:
            await loc.set_checked(on, force=True, timeout=3000)
        # the initial state is evidence too: a toggle that was already on is a pre-ticked box
        log.add("toggle", f"{selector} -> {'on' if on else 'off'} (was {'on' if was else 'off'})")
        return True
    except Exception as exc:  # noqa: BLE001
        log.add("toggle", f"{selector}: {str(exc).splitlines()[0]}", ok=False)
        return False


async def _by_selectors(page: Page, choice: str, domain: Domain, wanted: set[str], log: ConsentLog) -> bool:
    b = domain.banner
    assert b is not None
    if choice == "accept-all" and b.accept_all:
        return await _click(page, b.accept_all, log)
    if choice == "reject-all" and b.reject_all:
        return await _click(page, b.reject_all, log)
    # per category (or reject without a reject button): open the settings layer, set toggles, save
    if b.settings and not await _click(page, b.settings, log):
        return False
    ok = True
    for cat, sel in b.categories.items():
        ok &= await _set_checked(page, sel, cat in wanted, log)
    if not b.save:
        log.add("save", "no save selector configured", ok=False)
        return False
    return await _click(page, b.save, log) and ok


async def perform_choice(page: Page, choice: str, domain: Domain, expectations: Expectations,
                         autoconsent: AutoconsentSession | None, clock: Callable[[], float],
                         popup_wait: float = 3.0) -> ConsentOutcome:
    """Perform ``choice`` on the current page and verify it; never raises for a banner problem."""
    log = ConsentLog(clock)
    optional = {c.id for c in expectations.optional_categories}
    wanted = expectations.accepted_categories(choice) & optional
    if choice == "no-interaction":
        adapter, state = await read_state(page)
        return ConsentOutcome(requested=choice, outcome="not-applicable", method=None,
                              cmp=adapter.name if adapter else (autoconsent.popup_cmp if autoconsent else None),
                              accepted_categories=_accepted(domain, state, adapter, optional),
                              state=with_mapping(domain, state, adapter),
                              reason="no interaction by design", steps=())

    adapter = await detect_cmp(page)
    if adapter:
        log.add("detect", f"consent manager {adapter.name}")
    method: str | None = None
    performed = False
    if domain.banner:
        method = "selectors"
        performed = await _by_selectors(page, choice, domain, wanted, log)
    elif choice in ("accept-all", "reject-all") and autoconsent is not None:
        action = "optIn" if choice == "accept-all" else "optOut"
        if await autoconsent.wait_for_popup(popup_wait):
            log.add("autoconsent", f"popup of {autoconsent.popup_cmp}; sending {action}")
            result = await autoconsent.act(action)
            log.add("autoconsent", f"{action} result: {result}", ok=bool(result))
            method, performed = "autoconsent", bool(result)
        else:
            log.add("autoconsent", f"no popup detected within {popup_wait:.1f} s", ok=False)
    if not performed and not domain.banner and adapter is not None:
        js = {"accept-all": adapter.accept_js, "reject-all": adapter.reject_js}.get(choice)
        if choice.startswith("only-") and adapter.all_or_nothing:
            log.add("cmp-api", f"{adapter.name} offers only all-or-nothing consent", ok=False)
            _, current = await read_state(page)
            state = {**(with_mapping(domain, current, adapter) or {}), "granularity": "all-or-nothing"}
            return ConsentOutcome(requested=choice, outcome="not-performed", method=None, cmp=adapter.name, state=state,
                                  reason=f"{adapter.name} has no per-category choice (only accept or decline): "
                                         f"'{choice}' cannot be expressed on this banner",
                                  steps=tuple(log.steps))
        if choice.startswith("only-") and adapter.apply_js:
            _, before = await read_state(page)
            # before a decision some managers report only part of their categories: add the names the domain and
            # the adapter know (a name the page lacks is then set too, which the manager ignores)
            available = (set((before or {}).get("categories", {})) | _mapped_names(domain, adapter)) - {"*"}
            cmp_cats = to_cmp_categories(domain, wanted, available, adapter)
            try:
                await page.evaluate(adapter.apply_js, cmp_cats)
                log.add("cmp-api", f"{adapter.name}: accept only {cmp_cats}")
                method, performed = f"cmp-api:{adapter.name}", True
            except Exception as exc:  # noqa: BLE001
                log.add("cmp-api", f"{adapter.name}: {str(exc).splitlines()[0]}", ok=False)
        elif js:
            try:
                await page.evaluate(js)
                log.add("cmp-api", f"{adapter.name}: {choice}")
                method, performed = f"cmp-api:{adapter.name}", True
            except Exception as exc:  # noqa: BLE001
                log.add("cmp-api", f"{adapter.name}: {str(exc).splitlines()[0]}", ok=False)

    if not performed and not domain.banner:
        performed = await _by_text(page, choice, wanted, log)
        method = "text-heuristic" if performed else method

    if not performed:
        return ConsentOutcome(requested=choice, outcome="not-performed", method=method,
                              cmp=adapter.name if adapter else None,
                              reason="no driver could perform this choice on the page's banner",
                              steps=tuple(log.steps))
    await asyncio.sleep(0.3)   # let the manager persist its state
    return await verify(page, choice, domain, wanted, optional, method, adapter, log)


def _is_refusal(state: dict[str, Any] | None) -> bool:
    """A decided state that grants nothing but (by name) the necessary group."""
    if not state or not state.get("decided"):
        return False
    return not any(v is True and SYNONYMS.get(str(k).lower()) != "necessary"
                   for k, v in (state.get("categories") or {}).items())


async def _by_text(page: Page, choice: str, wanted: set[str], log: ConsentLog) -> bool:
    """Fallback for unknown banners: buttons by their text (nl/de/fr/en), shadow DOM and iframes included."""
    from .heuristic import ACCEPT, REJECT, SAVE, SETTINGS, find_category_toggle, find_control

    async def click(patterns: list[str], what: str) -> bool:
        found = await find_control(page, patterns)
        if found is None:
            log.add("text-heuristic", f"no visible {what} button", ok=False)
            return False
        try:
            await found.locator.click(timeout=3000)
            where = "" if found.frame is page.main_frame else f" in frame {found.frame.url}"
            log.add("text-heuristic", f"clicked {what} button {found.text!r}{where}")
            return True
        except Exception as exc:  # noqa: BLE001
            log.add("text-heuristic", f"{what} {found.text!r}: {str(exc).splitlines()[0]}", ok=False)
            return False

    if choice == "accept-all":
        return await click(ACCEPT, "accept")
    reject = await find_control(page, REJECT) if choice == "reject-all" else None
    if reject is not None:
        if not await click(REJECT, "reject"):
            return False
        # in a settings layer "reject all" may only switch the toggles off (Orejime's modal): when the stored
        # state is not yet a refusal and a save button sits in the same frame, save too (a second, logged click)
        await asyncio.sleep(0.3)
        _, state = await read_state(page)
        if not _is_refusal(state):
            save = await find_control(page, SAVE)
            if save is not None and save.frame is reject.frame:
                await click(SAVE, "save")
        return True
    if not await click(SETTINGS, "settings"):
        return False
    await asyncio.sleep(0.3)
    for cat in ("performance", "functional", "targeting"):
        toggle = await find_category_toggle(page, cat)
        if toggle is None:
            continue
        try:
            was = await toggle.is_checked()
            if was != (cat in wanted):
                await toggle.set_checked(cat in wanted, force=True, timeout=2000)
            log.add("text-heuristic", f"{cat} -> {'on' if cat in wanted else 'off'} (was {'on' if was else 'off'})")
        except Exception as exc:  # noqa: BLE001
            log.add("text-heuristic", f"{cat}: {str(exc).splitlines()[0]}", ok=False)
    return await click(SAVE, "save")


def _accepted(domain: Domain, state: dict[str, Any] | None, adapter: CmpAdapter | None = None,
              optional: set[str] | None = None) -> tuple[str, ...] | None:
    if not state:
        return None
    cats: set[str | None] = set()
    if "*" in state.get("categories", {}) and state.get("decided"):
        cats.add("necessary")   # a stored all-or-nothing decision, either way, leaves the necessary cookies on
    for k, v in state.get("categories", {}).items():
        if not v:
            continue
        if k == "*":   # all-or-nothing managers: consent covers every category
            cats.update(optional or ())
        else:
            cats.add(to_policy_category(domain, k, adapter))
    return tuple(sorted(c for c in cats if c))


def _check_tc_string(state: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Decode a TCF string the manager reports (``raw.tcString``) in Python, independently of the page.

    The decoded string is added to the state as ``tc_string_decoded`` (evidence a regulator can re-check); when
    the state's categories are TCF purposes, a string whose purpose consents differ from them is a problem."""
    raw = state.get("raw")
    tc = raw.get("tcString") if isinstance(raw, dict) else None
    if not tc:
        return state, None
    from .tcf import decode_tc_string

    try:
        decoded = decode_tc_string(tc)
    except ValueError as exc:
        return {**state, "tc_string_decoded": {"error": str(exc)}}, f"the reported TC string cannot be decoded ({exc})"
    state = {**state, "tc_string_decoded": decoded}
    cats = {k: v for k, v in state.get("categories", {}).items() if k.startswith("purpose-")}
    differ = sorted(k for k, v in cats.items() if decoded["categories"].get(k) != v)
    if differ:
        return state, f"the TC string's purpose consents differ from what the manager reports for {', '.join(differ)}"
    stored = raw.get("storedCookie")
    if isinstance(stored, dict) and stored.get("sameString") is False:
        return state, "the euconsent-v2 cookie holds a different TC string than the manager reports"
    return state, None


def with_mapping(domain: Domain, state: dict[str, Any] | None, adapter: CmpAdapter | None) -> dict[str, Any] | None:
    """The state as read, plus ``mapped``: how each of the manager's category names was read as a policy category
    (so the evidence shows the mapping, and the rules reuse it without importing the browser layer)."""
    if not state or not isinstance(state.get("categories"), dict):
        return state
    mapped = {k: ("*" if k == "*" else to_policy_category(domain, k, adapter)) for k in state["categories"]}
    return {**state, "mapped": mapped}


def _represented(domain: Domain, state: dict[str, Any], adapter: CmpAdapter | None, optional: set[str]) -> set[str]:
    keys = state.get("categories", {})
    if "*" in keys:
        return set(optional)
    return {to_policy_category(domain, k, adapter) for k in keys} & optional  # type: ignore[misc]


async def verify(page: Page, choice: str, domain: Domain, wanted: set[str], optional: set[str], method: str | None,
                 detected: CmpAdapter | None, log: ConsentLog, patience: float = 2.5) -> ConsentOutcome:
    """Read the stored state back until it matches (managers persist asynchronously) or ``patience`` runs out."""
    loop = asyncio.get_running_loop()
    end = loop.time() + patience
    while True:
        outcome = await _verify_once(page, choice, domain, wanted, optional, method, detected, log, final=False)
        if outcome.outcome == "verified" or loop.time() >= end:
            break
        await asyncio.sleep(0.25)
    return await _verify_once(page, choice, domain, wanted, optional, method, detected, log, final=True)


def state_problems(domain: Domain, state: dict[str, Any] | None, wanted: set[str], optional: set[str],
                   adapter: CmpAdapter | None, cmp: str | None) -> tuple[dict[str, Any] | None, list[str]]:
    """Why a read-back state does not prove the requested choice (empty list: it does). Pure: unit-testable.

    Returns the state too, with the Python decoding of its TC string added when it carries one."""
    problems: list[str] = []
    if state is None:
        return state, ["no consent state could be read back from the page"]
    if not state.get("decided"):
        problems.append(f"{cmp} reports no stored decision")
    else:
        represented = _represented(domain, state, adapter, optional)
        accepted = set(_accepted(domain, state, adapter, optional) or ()) & optional
        if not represented:
            problems.append("the stored state names none of the policy's optional categories "
                            f"({sorted(state.get('categories', {}))}), so it cannot show the choice")
        for cat in sorted(wanted - represented) if represented else ():
            problems.append(f"the consent manager offers no category for '{cat}'")
        if represented and accepted != (wanted & represented):
            problems.append(f"stored categories {sorted(accepted)} differ from the requested {sorted(wanted & represented)}")
        if not wanted:
            # a refusal must not leave anything granted, also not under a name no policy category covers
            stray = sorted(k for k, v in state.get("categories", {}).items()
                           if v is True and k != "*" and to_policy_category(domain, k, adapter) is None)
            if stray:
                problems.append(f"after the refusal the manager still grants {stray}, which no policy category covers")
    state, tc_problem = _check_tc_string(state)
    if tc_problem:
        problems.append(tc_problem)
    return state, problems


async def _verify_once(page: Page, choice: str, domain: Domain, wanted: set[str], optional: set[str],
                       method: str | None, detected: CmpAdapter | None, log: ConsentLog, final: bool) -> ConsentOutcome:
    adapter, state = await read_state(page)
    cmp = (adapter or detected).name if (adapter or detected) else None
    visible = await banner_visible(page, adapter or detected, domain)
    state, problems = state_problems(domain, state, wanted, optional, adapter or detected, cmp)
    if visible:
        problems.append("the banner is still visible after the choice")
    if final:
        log.add("verify", "; ".join(problems) or "stored state matches the choice", ok=not problems)
    return ConsentOutcome(requested=choice, outcome="unverified" if problems else "verified", method=method, cmp=cmp,
                          accepted_categories=_accepted(domain, state, adapter or detected, optional),
                          state=with_mapping(domain, state, adapter or detected),
                          reason="; ".join(problems),
                          steps=tuple(log.steps))


async def withdraw_choice(page: Page, domain: Domain, expectations: Expectations, clock: Callable[[], float],
                          accepted: ConsentOutcome) -> ConsentOutcome:
    """Withdraw an accept-all through the site's own means, preferring what a visitor would use.

    Order: the configured withdraw selector (floating icon, footer link) → a visible link or button by text
    ("Cookie-instellingen", "Cookie-Einstellungen", …) → the consent manager's API. Then reject.
    """
    from .heuristic import REJECT, WITHDRAW, find_control

    log = ConsentLog(clock)
    optional = {c.id for c in expectations.optional_categories}
    adapter = await detect_cmp(page)
    method = None
    opened = False
    if domain.banner and domain.banner.withdraw:
        opened = await _click(page, domain.banner.withdraw, log)
        method = "selectors" if opened else None
    if not opened:
        found = await find_control(page, WITHDRAW)
        if found is not None:
            try:
                await found.locator.click(timeout=3000)
                log.add("text-heuristic", f"opened the consent settings via {found.text!r}")
                opened, method = True, "text-heuristic"
            except Exception as exc:  # noqa: BLE001
                log.add("text-heuristic", f"{found.text!r}: {str(exc).splitlines()[0]}", ok=False)
    performed = False
    if opened:
        await asyncio.sleep(0.3)
        if domain.banner and domain.banner.reject_all and await page.locator(domain.banner.reject_all).first.is_visible():
            performed = await _click(page, domain.banner.reject_all, log)
        elif domain.banner and domain.banner.categories and domain.banner.save:
            for sel in domain.banner.categories.values():
                await _set_checked(page, sel, False, log)
            performed = await _click(page, domain.banner.save, log)
        else:
            performed = await _by_text(page, "reject-all", set(), log)
    if not performed and adapter is not None:
        js = adapter.withdraw_js or adapter.reject_js
        if js:
            try:
                await page.evaluate(js)
                log.add("cmp-api", f"{adapter.name}: withdraw (reject all)")
                performed, method = True, f"cmp-api:{adapter.name}"
            except Exception as exc:  # noqa: BLE001
                log.add("cmp-api", f"{adapter.name}: {str(exc).splitlines()[0]}", ok=False)
    if not performed:
        return ConsentOutcome(requested="withdraw", outcome="not-performed", method=method,
                              cmp=adapter.name if adapter else accepted.cmp,
                              reason="no way to withdraw consent was found on the page",
                              steps=accepted.steps + tuple(log.steps), state={"accept": accepted.state})
    await asyncio.sleep(0.3)
    result = await verify(page, "reject-all", domain, set(), optional, method, adapter, log)
    outcome = "verified" if accepted.outcome == "verified" and result.outcome == "verified" else "unverified"
    reason = "; ".join(x for x in (f"accept: {accepted.reason}" if accepted.outcome != "verified" else "",
                                   f"withdraw: {result.reason}" if result.outcome != "verified" else "") if x)
    return ConsentOutcome(requested="withdraw", outcome=outcome, method=f"{accepted.method} → {method}",
                          cmp=result.cmp or accepted.cmp, accepted_categories=result.accepted_categories,
                          state={"accept": accepted.state, "withdraw": result.state}, reason=reason,
                          steps=accepted.steps + result.steps)
