"""Perform a consent choice on whatever banner the page shows, then prove (or fail to prove) that it registered.

Driver order: the site's configured selectors (always win) → the consent manager's own API for per-category
choices → DuckDuckGo autoconsent for accept-all / reject-all → the manager's API as a fallback.
Verification reads the manager's stored state back; an action whose effect cannot be read is ``unverified``.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from playwright.async_api import Page

from ...consent_map import ALL, CategoryMapping, Offer, VendorIndex, build_mapping
from ...expectations import Domain, Expectations
from ...observations import ConsentOutcome, ConsentState, ConsentStep
from .autoconsent import AutoconsentSession
from .cmps import ADAPTERS, SYNONYMS, CmpAdapter


EVAL_TIMEOUT = 5.0   # s: a page whose main frame never answers (a blocked navigation) must not stall the visit


async def _eval(page: Page, js: str, arg: Any = None, timeout: float = EVAL_TIMEOUT) -> Any:
    """``page.evaluate`` with a bound: a frame stuck behind a blocked navigation never answers, and one stuck
    probe must not spend the whole visit budget (it raises TimeoutError like any other failed probe)."""
    coro = page.evaluate(js) if arg is None else page.evaluate(js, arg)
    return await asyncio.wait_for(coro, timeout)


class ConsentLog:
    def __init__(self, clock: Callable[[], float]):
        self.clock = clock
        self.steps: list[ConsentStep] = []

    def add(self, action: str, detail: str = "", ok: bool = True) -> None:
        self.steps.append(ConsentStep(t=round(self.clock(), 3), action=action, detail=detail[:500], ok=ok))


def _all_of(fns: list[str], awaited: bool) -> str:
    """One page function that runs every adapter's probe in order (one round trip instead of one per adapter);
    a probe that throws yields ``{"__error": …}`` for it alone."""
    call = "await f()" if awaited else "f()"
    return (("async " if awaited else "") + "() => { const fns = [" + ",\n".join(f"({f})" for f in fns) + "];"
            " const out = []; for (const f of fns) { try { out.push(" + call + "); } catch (e) {"
            " out.push({__error: String(e).slice(0, 200)}); } } return out; }")


_DETECT_ALL = _all_of([a.detect_js for a in ADAPTERS], awaited=False)
_STATE_ALL = _all_of([a.state_js for a in ADAPTERS], awaited=True)


async def detect_cmp(page: Page) -> CmpAdapter | None:
    try:
        found = await _eval(page, _DETECT_ALL)
    except Exception:  # noqa: BLE001 - navigating, or a frame that never answers (bounded by _eval)
        return None
    for a, hit in zip(ADAPTERS, found or []):
        if hit is True or (hit and not isinstance(hit, dict)):
            return a
    return None


async def read_state(page: Page) -> tuple[CmpAdapter | None, ConsentState | None]:
    """The consent state as the page's consent manager stores it.

    Manager-specific adapters first: the first decided state wins, else the first undecided one. Generic readers
    (``CmpAdapter.generic``: TCF, a JSON consent cookie) are asked only when no specific adapter read anything, so
    e.g. Didomi's own "not decided" (a token that disagrees with its TC string) is not overruled by ``__tcfapi``.
    Every adapter's reader runs in one page call.

    Some managers reload the page after a choice (Complianz when marketing consent is withdrawn): a reading cut
    short by that navigation is taken again once the new page has loaded, instead of reporting no state.
    The reader's answer becomes a :class:`ConsentState` here, key for key (what it is written as)."""
    fallback: tuple[CmpAdapter | None, ConsentState | None] = (None, None)
    for attempt in range(2):
        try:
            states = await _eval(page, _STATE_ALL)
        except Exception as exc:  # noqa: BLE001
            interrupted = "context was destroyed" in str(exc) or "navigat" in str(exc).lower()
            if interrupted and not attempt:
                try:
                    await page.wait_for_load_state("load", timeout=10000)
                    continue
                except Exception:  # noqa: BLE001
                    pass
            return fallback
        by_adapter = {a.name: st for a, st in zip(ADAPTERS, states or [])
                      if isinstance(st, dict) and "__error" not in st}
        for group in ([a for a in ADAPTERS if not a.generic], [a for a in ADAPTERS if a.generic]):
            for a in group:
                read = by_adapter.get(a.name)
                if read is not None:
                    state = ConsentState.from_dict(read)
                    if state.decided:
                        return a, state
                    if fallback[1] is None:
                        fallback = (a, state)
            if fallback[1] is not None:
                break
        break
    return fallback


@dataclass(frozen=True)
class Mapper:
    """Everything the one mapping step needs about a domain: its explicit map, the vendors and the manager's offer."""

    domain: Domain
    vendors: VendorIndex | None = None
    offer: Offer = field(default_factory=Offer)

    def mapping(self, state: ConsentState | None, adapter: CmpAdapter | None) -> CategoryMapping:
        keys = list(state.categories if state is not None else {})
        level = (state.level if state is not None else None) or self.offer.level
        return build_mapping(keys, self.offer, explicit=self.domain.mapped_category,
                             adapter_map=adapter.category_map if adapter else {}, vendors=self.vendors,
                             service_keys=keys if level == "service" else ())

    def level_keys(self, state: ConsentState | None, adapter: CmpAdapter | None) -> set[str]:
        """The keys at which the manager stores consent (its categories, or its services), before or after a
        decision: the state's keys, what the offer lists at that level, and the names the domain and adapter map
        (a name the page lacks is then set too, which the manager ignores)."""
        keys = set(state.categories if state is not None else {})
        keys |= {i.id for i in self.offer.items if i.kind == self.offer.level}
        if adapter is not None:
            keys |= set(adapter.category_map)
        keys |= self.domain.cmp_names()
        return keys - {ALL}


# expectations object (by identity) -> its vendor index; an entry goes when its object does, so a process that runs
# many audits neither keeps every index nor hands one policy's index to a later object that reuses the same id()
_VENDOR_INDEX: dict[int, tuple[weakref.ref[Expectations], VendorIndex]] = {}


def _vendor_index(expectations: Expectations) -> VendorIndex:
    key = id(expectations)
    entry = _VENDOR_INDEX.get(key)
    if entry is not None and entry[0]() is expectations:
        return entry[1]
    from ...kb import load_kb

    vendors = VendorIndex.build(load_kb(), expectations)
    _VENDOR_INDEX[key] = (weakref.ref(expectations, lambda _ref: _VENDOR_INDEX.pop(key, None)), vendors)
    return vendors


def mapper_for(domain: Domain, expectations: Expectations | None, offer: Offer | None = None) -> Mapper:
    """A Mapper with the knowledge base's and the policy's vendors (built once per expectations object)."""
    vendors = _vendor_index(expectations) if expectations is not None else None
    return Mapper(domain, vendors, offer or Offer())


async def read_offer(page: Page, adapter: CmpAdapter | None) -> Offer:
    """What the manager's live configuration offers (categories, services, labels, storage); empty if unknown."""
    try:
        if adapter is not None and adapter.offer_js:
            return Offer.from_js(await _eval(page, adapter.offer_js))
        if adapter is None or adapter.generic:
            # a banner nobody configured: what its switches offer, with their labels and markup ids
            from .heuristic import read_switch_offer

            return _only_keys_in_state(Offer.from_js(await read_switch_offer(page)))
    except Exception:  # noqa: BLE001 - navigating, or a manager version without that API
        pass
    return Offer()


def _only_keys_in_state(offer: Offer) -> Offer:
    """Switch ids are candidates, not keys: they only label a stored key of the same name (see verify)."""
    return replace(offer, items=tuple(replace(i, kind="switch") for i in offer.items))


def to_policy_category(domain: Domain, cmp_category: str, adapter: CmpAdapter | None = None) -> str | None:
    """One manager key as one policy category (the mapping step without offer or vendors; first category)."""
    return Mapper(domain).mapping(ConsentState(categories={cmp_category: True}), adapter).first(cmp_category)


def with_mapping(domain: Domain, state: ConsentState | None, adapter: CmpAdapter | None,
                 mapper: Mapper | None = None) -> ConsentState | None:
    """The state as read, plus how each key was read as policy categories: ``mapped`` (key → category, list or
    ``*``; reused by the rules without importing the browser layer), ``mapping`` (with the source of every entry)
    and ``offer`` (what the manager's configuration offered), so the evidence shows the mapping."""
    if state is None or not state.categories_read:
        return state
    mapper = mapper or Mapper(domain)
    m = mapper.mapping(state, adapter)
    return replace(state, mapped={k: v for k, v in m.legacy().items() if k in state.categories}, mapping=m.to_dict(),
                   offer=mapper.offer.to_dict() if mapper.offer.items or mapper.offer.storage else state.offer)


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
            elif await _eval(page, probe, timeout=2.0):
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


@dataclass
class ChoicePlan:
    """What a choice asks of the manager: the wanted policy categories it offers, its own keys for them (per-category
    choices through its API) and the requested categories it offers no choice for."""

    wanted: set[str]
    not_offered: tuple[str, ...] = ()
    keys: set[str] = field(default_factory=set)
    before_mapping: CategoryMapping = field(default_factory=CategoryMapping)


async def perform_choice(page: Page, choice: str, domain: Domain, expectations: Expectations,
                         autoconsent: AutoconsentSession | None, clock: Callable[[], float],
                         popup_wait: float = 3.0) -> ConsentOutcome:
    """Perform ``choice`` on the current page and verify it; never raises for a banner problem.

    The manager's own categories are mapped first (:class:`Mapper`); an ``only-<c>`` for a category the manager
    does not offer is performed and verified as "nothing optional" and recorded in ``not_offered``."""
    log = ConsentLog(clock)
    optional = {c.id for c in expectations.optional_categories}
    necessary = expectations.accepted_categories("reject-all")
    if choice == "no-interaction":
        return await _observe_only(page, domain, expectations, autoconsent, optional, necessary)
    adapter = await detect_cmp(page)
    if adapter:
        log.add("detect", f"consent manager {adapter.name}")
    mapper = mapper_for(domain, expectations, await read_offer(page, adapter))
    plan = await _plan_choice(page, choice, domain, adapter, mapper, expectations.accepted_categories(choice) & optional,
                              optional, log)
    if isinstance(plan, ConsentOutcome):
        return plan
    performed, method = await _drive(page, choice, domain, adapter, autoconsent, plan, log, popup_wait)
    expressible = True
    if not performed and not domain.banner:
        result = await _by_text(page, choice, plan.wanted, log, mapper)
        performed, method = result.performed, ("text-heuristic" if result.performed else method)
        if result.all_or_nothing and choice.startswith("only-"):
            expressible = False
        elif result.offered is not None and choice.startswith("only-") and not plan.not_offered:
            missing = sorted(plan.wanted - result.offered)
            if missing and result.offered:
                plan.not_offered, plan.wanted = tuple(missing), plan.wanted & result.offered
    if not performed:
        reason = (f"the banner offers only accept or decline: '{choice}' cannot be expressed on it" if not expressible
                  else "no driver could perform this choice on the page's banner")
        return ConsentOutcome(requested=choice, outcome="not-performed", method=method,
                              cmp=adapter.name if adapter else None, reason=reason, steps=tuple(log.steps),
                              expressible=expressible,
                              state=ConsentState.all_or_nothing(None) if not expressible else None)
    await asyncio.sleep(0.3)   # let the manager persist its state
    outcome = await verify(page, choice, domain, plan.wanted, optional, method, adapter, log, mapper=mapper)
    not_offered = plan.not_offered
    if choice == "accept-all" and outcome.state and outcome.outcome == "verified" and ALL not in outcome.state.categories:
        m = mapper.mapping(outcome.state, adapter)
        represented = _represented(m, outcome.state, adapter, optional)
        unmapped = [k for k in outcome.state.categories if not m.categories(k)]
        if represented and not unmapped:      # an unmapped key might be the missing category: claim nothing
            not_offered = tuple(sorted(optional - represented))
    return replace(outcome, not_offered=not_offered,
                   granted_categories=_granted(necessary, plan.wanted, outcome, mapper, adapter))


async def _observe_only(page: Page, domain: Domain, expectations: Expectations, autoconsent: AutoconsentSession | None,
                        optional: set[str], necessary: set[str]) -> ConsentOutcome:
    """No interaction by design: only what the manager reports without a decision."""
    adapter, state = await read_state(page)
    mapper = mapper_for(domain, expectations, await read_offer(page, adapter))
    return ConsentOutcome(requested="no-interaction", outcome="not-applicable", method=None,
                          cmp=adapter.name if adapter else (autoconsent.popup_cmp if autoconsent else None),
                          accepted_categories=_accepted(mapper.mapping(state, adapter), state, adapter, optional),
                          state=with_mapping(domain, state, adapter, mapper),
                          reason="no interaction by design", steps=(), granted_categories=tuple(sorted(necessary)))


async def _plan_choice(page: Page, choice: str, domain: Domain, adapter: CmpAdapter | None, mapper: Mapper,
                       wanted: set[str], optional: set[str], log: ConsentLog) -> ChoicePlan | ConsentOutcome:
    """For a per-category choice through a known manager: its keys and what it offers, read before any decision
    (a manager with only all-or-nothing consent: the choice cannot be expressed, returned as not performed)."""
    if adapter is None or not choice.startswith("only-") or domain.banner:
        return ChoicePlan(wanted)
    if adapter.all_or_nothing or not mapper.offer.granular_ui:
        # no per-category choice a visitor could make: the API could set one, but that is not the banner's
        log.add("cmp-api", f"{adapter.name} offers only all-or-nothing consent"
                + ("" if adapter.all_or_nothing else " (its configuration shows no way to the preferences)"), ok=False)
        _, current = await read_state(page)
        state = ConsentState.all_or_nothing(with_mapping(domain, current, adapter, mapper))
        return ConsentOutcome(requested=choice, outcome="not-performed", method=None, cmp=adapter.name, state=state,
                              reason=f"{adapter.name} has no per-category choice (only accept or decline): "
                                     f"'{choice}' cannot be expressed on this banner",
                              steps=tuple(log.steps), expressible=False)
    _, before = await read_state(page)
    keys = mapper.level_keys(before, adapter)
    # how the manager's keys read before any decision: used for what it offers and for what to grant
    before_mapping = mapper.mapping(replace(before or ConsentState(), categories={k: False for k in keys}), adapter)
    offered = before_mapping.offered(optional, keys)
    missing = sorted(wanted - offered)
    plan = ChoicePlan(wanted, keys=keys, before_mapping=before_mapping)
    if offered and missing:
        plan.not_offered, plan.wanted = tuple(missing), wanted & offered
        log.add("map", f"{adapter.name} offers no choice for {', '.join(missing)} (it offers {', '.join(sorted(offered))}): "
                       "performed as " + (f"only {', '.join(sorted(plan.wanted))}" if plan.wanted else "nothing optional"))
    return plan


async def _drive(page: Page, choice: str, domain: Domain, adapter: CmpAdapter | None,
                 autoconsent: AutoconsentSession | None, plan: ChoicePlan, log: ConsentLog,
                 popup_wait: float) -> tuple[bool, str | None]:
    """The configured selectors (they always win), else autoconsent for accept/reject, else the manager's API."""
    if domain.banner:
        return await _by_selectors(page, choice, domain, plan.wanted, log), "selectors"
    method: str | None = None
    if choice in ("accept-all", "reject-all") and autoconsent is not None:
        action = "optIn" if choice == "accept-all" else "optOut"
        if await autoconsent.wait_for_popup(popup_wait):
            log.add("autoconsent", f"popup of {autoconsent.popup_cmp}; sending {action}")
            result = await autoconsent.act(action)
            log.add("autoconsent", f"{action} result: {result}", ok=bool(result))
            if result:
                return True, "autoconsent"
            method = "autoconsent"
        else:
            log.add("autoconsent", f"no popup detected within {popup_wait:.1f} s", ok=False)
    if adapter is None:
        return False, method
    js = {"accept-all": adapter.accept_js, "reject-all": adapter.reject_js}.get(choice)
    arg: Any = None
    if choice.startswith("only-") and adapter.apply_js:
        js, arg = adapter.apply_js, plan.before_mapping.keys_for(plan.wanted, plan.keys)
    if not js:
        return False, method
    try:
        await _eval(page, js, arg)
        log.add("cmp-api", f"{adapter.name}: " + (f"accept only {arg}" if choice.startswith("only-") else choice))
        return True, f"cmp-api:{adapter.name}"
    except Exception as exc:  # noqa: BLE001
        log.add("cmp-api", f"{adapter.name}: {str(exc).splitlines()[0]}", ok=False)
        return False, method


def _granted(necessary: set[str], wanted: set[str], outcome: ConsentOutcome, mapper: Mapper,
             adapter: CmpAdapter | None) -> tuple[str, ...]:
    """The policy categories the choice grants as performed: necessary, the wanted ones the manager offers, and
    the other categories a granted *category* of the manager bundles with them ("Analyse & Marketing")."""
    out = set(necessary) | set(wanted)
    state = outcome.state
    if outcome.outcome == "verified" and state is not None:
        m = mapper.mapping(state, adapter)
        for key, on in state.categories.items():
            km = m.keys.get(key)
            if on is True and km is not None and km.kind == "category" and ALL not in km.categories and set(km.categories) & wanted:
                out |= set(km.categories)
    return tuple(sorted(out))


def _is_refusal(state: ConsentState | None, mapping: CategoryMapping | None = None) -> bool:
    """A decided state that grants nothing but (by name) the necessary group."""
    if state is None or not state.decided:
        return False
    def necessary(k: str) -> bool:
        cats = mapping.categories(k) if mapping is not None else frozenset()
        return cats == {"necessary"} if cats else SYNONYMS.get(str(k).lower()) == "necessary"
    return not any(v is True and not necessary(str(k)) for k, v in state.categories.items())


@dataclass
class TextResult:
    performed: bool
    offered: set[str] | None = None     # policy categories the settings layer's switches offer (None: not looked)
    all_or_nothing: bool = False        # the banner has accept/decline but no settings layer at all


async def _text_click(page: Page, patterns: list[str], what: str, log: ConsentLog) -> bool:
    """Click the visible control whose text matches ``patterns`` (logged either way)."""
    from .heuristic import find_control

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


async def _by_text(page: Page, choice: str, wanted: set[str], log: ConsentLog,
                   mapper: Mapper | None = None) -> TextResult:
    """Fallback for unknown banners: buttons by their text (nl/de/fr/en), shadow DOM and iframes included.

    Per-category choices open the settings layer and read every switch's label through the same mapping step as
    the managers' own ids (category words, vendor names), then set each switch and save."""
    from .heuristic import ACCEPT, REJECT, SAVE, SETTINGS, find_control

    if choice == "accept-all":
        return TextResult(await _text_click(page, ACCEPT, "accept", log))
    reject = await find_control(page, REJECT) if choice == "reject-all" else None
    if reject is not None:
        if not await _text_click(page, REJECT, "reject", log):
            return TextResult(False)
        # in a settings layer "reject all" may only switch the toggles off (Orejime's modal): when the stored
        # state is not yet a refusal and a save button sits in the same frame, save too (a second, logged click)
        await asyncio.sleep(0.3)
        adapter, state = await read_state(page)
        if not _is_refusal(state, mapper.mapping(state, adapter) if mapper else None):
            save = await find_control(page, SAVE)
            if save is not None and save.frame is reject.frame:
                await _text_click(page, SAVE, "save", log)
        return TextResult(True)
    if await find_control(page, SETTINGS) is None:
        has_buttons = await find_control(page, ACCEPT) is not None and await find_control(page, REJECT) is not None
        if choice.startswith("only-") and has_buttons:
            log.add("text-heuristic", "the banner offers accept and decline but no settings: no per-category choice",
                    ok=False)
            return TextResult(False, all_or_nothing=True)
    opened, toggles = await _open_settings(page, log)
    if not opened:
        log.add("text-heuristic", "no visible settings button", ok=False)
        return TextResult(False)
    offered = await _set_switches(toggles, wanted, log, mapper)
    if not toggles:
        log.add("text-heuristic", "no category switches in the settings layer", ok=False)
    return TextResult(await _text_click(page, SAVE, "save", log), offered=offered if toggles else None)


async def _open_settings(page: Page, log: ConsentLog) -> tuple[bool, list[Any]]:
    """The banner's own "customise" button before a page link of the same words (a footer "cookie settings" link
    may only reopen the first layer): buttons, then links, until the settings layer shows its switches."""
    from .heuristic import SETTINGS, find_control, find_toggles

    toggles: list[Any] = []
    opened = False
    for roles in (("button",), ("link",)):
        found = await find_control(page, SETTINGS, roles=roles)
        if found is None:
            continue
        try:
            await found.locator.click(timeout=3000)
        except Exception as exc:  # noqa: BLE001
            log.add("text-heuristic", f"settings {found.text!r}: {str(exc).splitlines()[0]}", ok=False)
            continue
        opened = True
        log.add("text-heuristic", f"clicked settings {roles[0]} {found.text!r}")
        await asyncio.sleep(0.3)
        toggles = await find_toggles(page)
        if toggles:
            break
    return opened, toggles


async def _set_switches(toggles: list[Any], wanted: set[str], log: ConsentLog, mapper: Mapper | None) -> set[str]:
    """Set every switch whose label maps to a policy category (on: wanted); the categories the switches offer."""
    mapping = build_mapping([t.label for t in toggles], explicit=mapper.domain.mapped_category if mapper else (lambda k: None),
                            vendors=mapper.vendors if mapper else None)
    offered: set[str] = set()
    for t in toggles:
        cats = set(mapping.categories(t.label)) - {"necessary", ALL}
        if t.disabled:
            log.add("text-heuristic", f"switch {t.label!r} is fixed (disabled); left as is")
            continue
        offered |= cats
        if not cats:
            log.add("text-heuristic", f"switch {t.label!r}: no policy category ({mapping.keys[t.label].source}); left as is")
            continue
        on = bool(cats & wanted)
        try:
            was = await t.locator.is_checked()
            if was != on:
                await t.locator.set_checked(on, force=True, timeout=2000)
            log.add("text-heuristic", f"switch {t.label!r} ({'/'.join(sorted(cats))}, {mapping.keys[t.label].source}) -> "
                                      f"{'on' if on else 'off'} (was {'on' if was else 'off'})")
        except Exception as exc:  # noqa: BLE001
            log.add("text-heuristic", f"{t.label!r}: {str(exc).splitlines()[0]}", ok=False)
    return offered


def _accepted(domain: Domain | CategoryMapping | None, state: ConsentState | None, adapter: CmpAdapter | None = None,
              optional: set[str] | None = None) -> tuple[str, ...] | None:
    """Policy categories the stored state grants (necessary with any stored decision)."""
    if state is None:
        return None
    mapping = domain if isinstance(domain, CategoryMapping) else (
        Mapper(domain).mapping(state, adapter) if domain is not None else CategoryMapping())
    cats: set[str] = set()
    alls = set(mapping.all_keys(state.categories))
    if alls and state.decided:
        cats.add("necessary")   # a stored all-or-nothing decision, either way, leaves the necessary cookies on
    for k, v in state.categories.items():
        if not v:
            continue
        if k in alls:   # all-or-nothing managers: consent covers every category
            cats.update(optional or ())
        else:
            cats.update(c for c in mapping.categories(k) if c != ALL)
    return tuple(sorted(cats))


def to_cmp_categories(domain: Domain, policy_categories: set[str], available: set[str],
                      adapter: CmpAdapter | None = None) -> list[str]:
    """The manager keys to grant for the wanted policy categories (the mapping step without offer or vendors)."""
    return Mapper(domain).mapping(ConsentState(categories={k: False for k in available}), adapter).keys_for(
        policy_categories, available)


def _check_tc_string(state: ConsentState) -> tuple[ConsentState, str | None]:
    """Decode a TCF string the manager reports (``raw.tcString``) in Python, independently of the page.

    The decoded string is added to the state as ``tc_string_decoded`` (evidence a regulator can re-check); when
    the state's categories are TCF purposes, a string whose purpose consents differ from them is a problem."""
    raw = state.raw
    tc = raw.get("tcString") if isinstance(raw, dict) else None
    if not tc:
        return state, None
    from .tcf import decode_tc_string

    try:
        decoded = decode_tc_string(tc)
    except ValueError as exc:
        return replace(state, tc_string_decoded={"error": str(exc)}), f"the reported TC string cannot be decoded ({exc})"
    state = replace(state, tc_string_decoded=decoded)
    cats = {k: v for k, v in state.categories.items() if k.startswith("purpose-")}
    differ = sorted(k for k, v in cats.items() if decoded["categories"].get(k) != v)
    if differ:
        return state, f"the TC string's purpose consents differ from what the manager reports for {', '.join(differ)}"
    stored = raw.get("storedCookie") if isinstance(raw, dict) else None   # a dict: tc came from it
    if isinstance(stored, dict) and stored.get("sameString") is False:
        return state, "the euconsent-v2 cookie holds a different TC string than the manager reports"
    return state, None


def _represented(domain: Domain | CategoryMapping, state: ConsentState, adapter: CmpAdapter | None,
                 optional: set[str]) -> set[str]:
    keys = state.categories
    mapping = domain if isinstance(domain, CategoryMapping) else Mapper(domain).mapping(state, adapter)
    if mapping.all_keys(keys):
        return set(optional)
    return mapping.offered(optional, keys)


async def verify(page: Page, choice: str, domain: Domain, wanted: set[str], optional: set[str], method: str | None,
                 detected: CmpAdapter | None, log: ConsentLog, patience: float = 2.5,
                 mapper: Mapper | None = None) -> ConsentOutcome:
    """Read the stored state back until it matches (managers persist asynchronously) or ``patience`` runs out."""
    loop = asyncio.get_running_loop()
    end = loop.time() + patience
    mapper = mapper or Mapper(domain)
    while True:   # the offer read on the first pass is kept for the later ones (read once, not per poll)
        outcome, mapper = await _verify_once(page, choice, domain, wanted, optional, method, detected, log, False, mapper)
        if outcome.outcome == "verified" or loop.time() >= end:
            break
        await asyncio.sleep(0.25)
    return (await _verify_once(page, choice, domain, wanted, optional, method, detected, log, True, mapper))[0]


def state_problems(domain: Domain, state: ConsentState | None, wanted: set[str], optional: set[str],
                   adapter: CmpAdapter | None, cmp: str | None,
                   mapper: Mapper | None = None) -> tuple[ConsentState | None, list[str]]:
    """Why a read-back state does not prove the requested choice (empty list: it does). Pure: unit-testable.

    Verification is per key of the manager (category, purpose or service): a key mapped to a wanted policy
    category must be granted, one mapped only to others must be refused; keys mapped to nothing or to
    "necessary" prove nothing and are not judged, except that a refusal may not leave anything granted.
    Returns the state too, with the Python decoding of its TC string added when it carries one."""
    problems: list[str] = []
    if state is None:
        return state, ["no consent state could be read back from the page"]
    mapping = (mapper or Mapper(domain)).mapping(state, adapter)
    if not state.decided:
        problems.append(f"{cmp} reports no stored decision")
    else:
        keys = state.categories
        represented = _represented(mapping, state, adapter, optional)
        accepted = set(_accepted(mapping, state, adapter, optional) or ()) & optional
        if not represented:
            problems.append("the stored state names none of the policy's optional categories "
                            f"({sorted(keys)}), so it cannot show the choice")
        # a wanted category the manager does not offer is performed as the rest of the choice (perform_choice
        # records it as not offered); one it offers but the stored state cannot show is not proven granted
        unmapped = sorted(k for k in keys if k != ALL and not mapping.categories(k))
        if mapping.all_keys(keys):
            pass
        elif represented and wanted == set(optional):
            # accept all: every key granted, also those no policy category covers
            refused = [k for k in unmapped if keys[k] is not True]
            if refused:
                problems.append(f"after accepting all the manager still refuses {refused}")
        elif represented:
            for cat in sorted(wanted - represented):
                problems.append(f"the stored state cannot show '{cat}': no stored key maps to it"
                                + (f" (unmapped keys: {unmapped})" if unmapped else ""))
        if mapping.all_keys(keys):
            if represented and accepted != (wanted & represented):
                problems.append(f"stored categories {sorted(accepted)} differ from the requested {sorted(wanted & represented)}")
        else:
            wrong = []
            for k, v in sorted(keys.items()):
                cats = set(mapping.categories(k)) & optional
                if not cats:
                    continue
                if bool(cats & wanted) != (v is True):
                    wrong.append(f"{k} ({'/'.join(sorted(cats))}) {'granted' if v is True else 'refused'}")
            if wrong:
                problems.append(f"stored categories {sorted(accepted)} differ from the requested "
                                f"{sorted(wanted & represented)}: {', '.join(wrong)}")
        if not wanted:
            # a refusal must not leave anything granted, also not under a name no policy category covers
            stray = sorted(k for k, v in keys.items() if v is True and k not in mapping.all_keys(keys) and not mapping.categories(k))
            if stray:
                problems.append(f"after the refusal the manager still grants {stray}, which no policy category covers")
    state, tc_problem = _check_tc_string(state)
    if tc_problem:
        problems.append(tc_problem)
    return state, problems


async def _verify_once(page: Page, choice: str, domain: Domain, wanted: set[str], optional: set[str],
                       method: str | None, detected: CmpAdapter | None, log: ConsentLog, final: bool,
                       mapper: Mapper) -> tuple[ConsentOutcome, Mapper]:
    adapter, state = await read_state(page)
    used = adapter or detected
    cmp = used.name if used else None
    if not mapper.offer.items and (used is None or used.offer_js or used.generic):
        mapper = replace(mapper, offer=await read_offer(page, used))
    visible = await banner_visible(page, used, domain)
    state, problems = state_problems(domain, state, wanted, optional, used, cmp, mapper)
    if visible:
        problems.append("the banner is still visible after the choice")
    if final:
        log.add("verify", "; ".join(problems) or "stored state matches the choice", ok=not problems)
    outcome = ConsentOutcome(requested=choice, outcome="unverified" if problems else "verified", method=method, cmp=cmp,
                             accepted_categories=_accepted(mapper.mapping(state, used) if state else None, state, used,
                                                           optional),
                             state=with_mapping(domain, state, used, mapper),
                             reason="; ".join(problems),
                             steps=tuple(log.steps))
    return outcome, mapper


async def withdraw_choice(page: Page, domain: Domain, expectations: Expectations, clock: Callable[[], float],
                          accepted: ConsentOutcome) -> ConsentOutcome:
    """Withdraw an accept-all through the site's own means, preferring what a visitor would use.

    Order: the configured withdraw selector (floating icon, footer link) → a visible link or button by text
    ("Cookie-instellingen", "Cookie-Einstellungen", …) → the consent manager's API. Then reject.
    """
    from .heuristic import WITHDRAW, find_control

    log = ConsentLog(clock)
    optional = {c.id for c in expectations.optional_categories}
    adapter = await detect_cmp(page)
    mapper = mapper_for(domain, expectations, await read_offer(page, adapter))
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
            performed = (await _by_text(page, "reject-all", set(), log, mapper)).performed
    if not performed and adapter is not None:
        js = adapter.withdraw_js or adapter.reject_js
        if js:
            try:
                await _eval(page, js)
                log.add("cmp-api", f"{adapter.name}: withdraw (reject all)")
                performed, method = True, f"cmp-api:{adapter.name}"
            except Exception as exc:  # noqa: BLE001
                log.add("cmp-api", f"{adapter.name}: {str(exc).splitlines()[0]}", ok=False)
    if not performed:
        return ConsentOutcome(requested="withdraw", outcome="not-performed", method=method,
                              cmp=adapter.name if adapter else accepted.cmp,
                              reason="no way to withdraw consent was found on the page",
                              steps=accepted.steps + tuple(log.steps),
                              state=ConsentState.withdrawal(accepted.state, performed=False))
    await asyncio.sleep(0.3)
    result = await verify(page, "reject-all", domain, set(), optional, method, adapter, log, mapper=mapper)
    outcome = "verified" if accepted.outcome == "verified" and result.outcome == "verified" else "unverified"
    reason = "; ".join(x for x in (f"accept: {accepted.reason}" if accepted.outcome != "verified" else "",
                                   f"withdraw: {result.reason}" if result.outcome != "verified" else "") if x)
    return ConsentOutcome(requested="withdraw", outcome=outcome, method=f"{accepted.method} → {method}",
                          cmp=result.cmp or accepted.cmp, accepted_categories=result.accepted_categories,
                          state=ConsentState.withdrawal(accepted.state, result.state), reason=reason,
                          steps=accepted.steps + result.steps,
                          granted_categories=tuple(sorted(expectations.accepted_categories("reject-all"))))
