"""One (domain, consent choice) visit: a fresh context walked through the phases, recorded as an Observation.

Phases: ``before-consent`` (first page loads and settles, nobody touches the banner), the consent action at
t = 0, ``after-choice`` (settle on the same page), ``next-page`` (every further page: configured, or found by
``browse/discover.py``).
A visit never raises for a site problem: what went wrong is recorded and everything recorded up to that point
is kept. The visit is complete when the first page and (if the walk has further pages) at least one further page
were audited; a further page answering 4xx/5xx or failing to load is recorded on its page record (rule
``page-unavailable``) and the walk goes on. A page that is *not the site* (bot challenge, parked domain, or an
error page as the first page: ``browse/notsite.py``) stops the walk, makes the visit incomplete for that reason
and is recorded in ``Observation.not_site`` with its screenshot; such a visit is never judged by the rules.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from playwright.async_api import Browser, Page

from ..expectations import Domain, Expectations
from ..observations import ConsentOutcome, Observation, PageRecord
from .chromium import BrowserPolicy
from .banner import measure_banner
from .consent import with_mapping, banner_visible, detect_cmp, perform_choice, read_state, withdraw_choice
from .consent.autoconsent import AutoconsentSession
from .notsite import not_the_site, page_facts
from .recorder import VisitRecorder


# retried with backoff; everything else (refused, DNS, TLS, HTTP status) is a fact about the site, recorded once
TRANSIENT_NET_ERRORS = ("ERR_CONNECTION_RESET", "ERR_CONNECTION_CLOSED", "ERR_EMPTY_RESPONSE", "ERR_NETWORK_CHANGED",
                        "ERR_CONNECTION_TIMED_OUT", "ERR_TIMED_OUT", "ERR_HTTP2_PROTOCOL_ERROR")
NAV_ATTEMPTS = 3
AUTOCONSENT_CHOICES = ("accept-all", "reject-all", "withdraw")


@dataclass(frozen=True)
class SettlePolicy:
    """Adaptive settle: network quiet for ``quiet`` s and no short timers pending, bounded by ``max_wait``."""

    quiet: float = 0.35         # dependent loads follow each other within milliseconds; timers are tracked apart
    min_wait: float = 0.3
    max_wait: float = 6.0
    timer_grace: float = 1.8     # how long pending short timers may extend the wait after the network is quiet
    nav_timeout: float = 20.0


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def settle(page: Page, rec: VisitRecorder, policy: SettlePolicy) -> float:
    start = time.monotonic()
    quiet_since: float | None = None
    while True:
        now = time.monotonic()
        elapsed = now - start
        if elapsed >= policy.max_wait:
            break
        if elapsed >= policy.min_wait and rec.inflight == 0 and now - rec.last_activity >= policy.quiet:
            quiet_since = quiet_since or now
            try:
                pending = await page.evaluate("() => window.__cookieauditPendingTimers || 0")
            except Exception:  # noqa: BLE001 - navigating
                pending = 0
            if not pending or now - quiet_since >= policy.timer_grace:
                break
        else:
            quiet_since = None
        await asyncio.sleep(0.1)
    return time.monotonic() - start


def same_site(host: str, url: str) -> bool:
    """Whether ``url`` stays on the audited domain (its www./sub-domains count; another registrable name does not)."""
    from urllib.parse import urlsplit

    final = (urlsplit(url).hostname or "").lower()
    base = host.lower().removeprefix("www.")
    return final == base or final.endswith("." + base) or base.endswith("." + final)


def desktop_user_agent(headless_ua: str) -> str:
    """A default desktop Chrome's UA: the same string without the 'Headless' marker."""
    return headless_ua.replace("HeadlessChrome", "Chrome")


async def run_visit(browser: Browser, domain: Domain, choice: str, expectations: Expectations, run_dir: Path,
                    policy: BrowserPolicy, user_agent: str, settle_policy: SettlePolicy = SettlePolicy(),
                    budget: float = 90.0, tag: str = "", pages: list[str] | tuple[str, ...] | None = None) -> Observation:
    """One visit; ``pages`` (paths, the first is where consent is given) default to the domain's configured pages."""
    walk_pages = list(pages or domain.pages or ["/"])
    started = utc_now()
    t_start = time.monotonic()
    t0_holder: list[float] = []
    clock = lambda: time.monotonic() - (t0_holder[0] if t0_holder else time.monotonic())  # noqa: E731
    ev_dir = run_dir / "evidence" / domain.host / choice / tag if tag else run_dir / "evidence" / domain.host / choice
    ev_dir.mkdir(parents=True, exist_ok=True)
    har = ev_dir / "visit.har"
    context = await browser.new_context(
        locale=domain.locale, timezone_id=domain.timezone, user_agent=user_agent,
        viewport={"width": policy.viewport[0], "height": policy.viewport[1]},
        record_har_path=str(har), record_har_content="omit", accept_downloads=False,
    )
    popups: list[str] = []
    page = await context.new_page()
    # dialogs are dismissed and popups closed (recorded), so a hostile page cannot stall the visit
    # (a beforeunload prompt is accepted: staying on the page would cancel every later navigation of the visit)
    page.on("dialog", lambda d: (errors.append(f"dialog {'accepted (leave page)' if d.type == 'beforeunload' else 'dismissed'}: "
                                               f"{d.type} {d.message[:120]!r}"),
                                 asyncio.ensure_future(d.accept() if d.type == "beforeunload" else d.dismiss())))
    # downloads are refused (accept_downloads=False) but were silently dropped: say that the site started one
    page.on("download", lambda dl: errors.append(f"download refused: {dl.url[:200]} ({dl.suggested_filename!r})"))
    context.on("page", lambda p: (popups.append(p.url), asyncio.ensure_future(p.close())))
    errors: list[str] = []
    rec = VisitRecorder(context)
    pages: list[PageRecord] = []
    consent = ConsentOutcome(requested=choice, outcome="not-performed", reason="the visit ended before the choice")
    autoconsent = None
    status = "complete"
    not_site: dict = {}

    async def visit_page(phase: str, path: str, shot: str) -> bool:
        url = domain.url(path)
        rec.set_phase(phase)
        err = final = title = None
        code = None
        for attempt in range(1, NAV_ATTEMPTS + 1):
            try:
                resp = await page.goto(url, wait_until="load", timeout=settle_policy.nav_timeout * 1000)
                code = resp.status if resp else None
                final = page.url
                err = None
                break
            except Exception as exc:  # noqa: BLE001 - recorded, not raised
                err = str(exc).splitlines()[0]
                if attempt == NAV_ATTEMPTS or not any(t in err for t in TRANSIENT_NET_ERRORS):
                    break
                errors.append(f"{phase} {url}: transient {err}; retry {attempt} after {0.5 * 3 ** (attempt - 1):.1f} s")
                await asyncio.sleep(0.5 * 3 ** (attempt - 1))
        if err is None:
            await settle(page, rec, settle_policy)
            try:
                title = await page.title()
            except Exception:  # noqa: BLE001
                title = None
        verdict = None
        if err is None:
            facts = await page_facts(page)
            verdict = not_the_site(code, facts.get("title", title), facts.get("text"), facts.get("html"),
                                   facts.get("heading"))
            if verdict and verdict["kind"] == "error-page" and phase not in ("before-consent",) and \
                    (code is None or code < 400):
                err = f"{verdict['reason'].removeprefix('not the site: ')} (a soft error page)"
                verdict = None
        if err is None and verdict and verdict["kind"] != "error-page":
            err = verdict["reason"] + (f" (HTTP {code})" if code and code >= 400 else "")
        elif err is None and code is not None and code >= 400:
            err = f"HTTP {code} (the page answered with an error status; its content is not the site)"
        elif err is None and final and not same_site(domain.host, final):
            err = f"redirected to another site: {final}"
        elif err is None and verdict:
            err = verdict["reason"]
        shot_path = await screenshot(shot)
        await rec.snapshot(page)
        pages.append(PageRecord(phase=phase, url=url, final_url=final, status=code, title=title,
                                screenshot=shot_path, error=err, t=round(clock(), 3) if t0_holder else None))
        # a challenge / parked page anywhere, or an error page where consent is given: not the site
        if verdict and (verdict["kind"] != "error-page" or phase == "before-consent") and not not_site:
            not_site.update(verdict, phase=phase, url=url, final_url=final, screenshot=shot_path,
                            page=len(pages) - 1)
        if err:
            errors.append(f"{phase} {url}: {err}")
        return err is None

    async def screenshot(name: str) -> str | None:
        path = ev_dir / f"{name}.png"
        try:
            await page.screenshot(path=str(path), timeout=10000)
            return str(path.relative_to(run_dir))
        except Exception as exc:  # noqa: BLE001
            errors.append(f"screenshot {name}: {str(exc).splitlines()[0]}")
            return None

    async def walk() -> None:
        nonlocal consent, status, autoconsent
        await rec.attach(page)
        if not domain.banner and choice in AUTOCONSENT_CHOICES:
            # autoconsent runs its ~800 rules in every frame; only accept/reject (and withdraw's accept) use it
            autoconsent = AutoconsentSession(time.monotonic)
            await autoconsent.install(context)
        if not await visit_page("before-consent", walk_pages[0], "before-consent"):
            status = "incomplete"
            return
        if choice == "no-interaction":
            try:
                banner.update(await measure_banner(page, domain))
                banner["screenshot"] = pages[0].screenshot
            except Exception as exc:  # noqa: BLE001
                errors.append(f"banner measurement: {str(exc).splitlines()[0]}")
        # the consent moment: t = 0 for every record of this visit
        t0_holder.append(time.monotonic())
        consent_wall.append(utc_now())
        rec.set_phase("after-choice")
        first = "accept-all" if choice == "withdraw" else choice
        consent = await perform_choice(page, first, domain, expectations, autoconsent, clock)
        if autoconsent is not None:
            autoconsent.active = False
        if choice == "no-interaction":
            banner["implied_consent_probe"] = await probe_implied_consent(page, domain)
        await settle(page, rec, settle_policy)
        await screenshot("after-choice")
        await rec.snapshot(page)
        pages.append(PageRecord(phase="after-choice", url=page.url, final_url=page.url, status=None,
                                screenshot=str((ev_dir / "after-choice.png").relative_to(run_dir))
                                if (ev_dir / "after-choice.png").exists() else None, t=round(clock(), 3)))
        later_phase = "next-page"
        if choice == "withdraw":
            # withdrawal at t_w > 0: everything after it is judged as after refusal
            later_phase = "after-withdraw"
            rec.set_phase(later_phase)
            consent = await withdraw_choice(page, domain, expectations, clock, consent)
            await settle(page, rec, settle_policy)
            await screenshot("after-withdraw")
            await rec.snapshot(page)
        audited = 0
        for i, path in enumerate(walk_pages[1:], start=1):
            # a failing further page is recorded (rule page-unavailable) and the walk goes on
            if await visit_page(later_phase, path, f"{later_phase}-{i}"):
                audited += 1
            if not_site:
                status = "incomplete"
                return
        if len(walk_pages) > 1 and not audited:
            status = "incomplete"
            errors.append(f"none of the {len(walk_pages) - 1} further page(s) could be audited")
        if choice == "reject-all":
            # persistence: the refusal must survive a reload (no banner silently coming back as accepted)
            await visit_page("after-reload", walk_pages[0], "after-reload")
            if not_site:
                status = "incomplete"
                return
            persistence.update(await persistence_check(page, domain))

    consent_wall: list[str] = []
    banner: dict = {}
    persistence: dict = {}
    try:
        await asyncio.wait_for(walk(), timeout=budget)
    except asyncio.TimeoutError:
        status = "incomplete"
        errors.append(f"time budget of {budget:.0f} s for this visit exhausted in phase {rec.phase}")
    except Exception as exc:  # noqa: BLE001 - browser crash etc.: keep what we have
        status = "incomplete"
        errors.append(f"visit aborted in phase {rec.phase}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    if not t0_holder:
        t0_holder.append(time.monotonic())
    try:
        await rec.flush()
    except Exception:  # noqa: BLE001
        pass
    try:
        await asyncio.wait_for(context.close(), timeout=20)
    except Exception as exc:  # noqa: BLE001
        errors.append(f"closing the context (HAR may be missing): {exc}")
    if har.exists():
        rec.read_har(har)
    requests, set_cookies, writes, cookies = rec.records(t0_holder[0])
    storage_writes, api_calls, workers = rec.storage_records(t0_holder[0])
    if popups:
        errors.append(f"popups opened by the site and closed: {popups[:5]}")
    if rec.truncated:
        errors.append(f"bounded recording: dropped {rec.truncated}")
    if consent.outcome == "not-performed" and choice != "no-interaction" and status == "complete":
        errors.append(f"consent choice not performed: {consent.reason}")
    if not_site:
        # the reason the visit is incomplete comes first (findings.json → missing quotes the first errors)
        first = [e for e in errors if not_site["reason"] in e][:1]
        errors = first + [e for e in errors if e not in first]
    evidence = {"har": str(har.relative_to(run_dir))} if har.exists() else {}
    if autoconsent is not None and autoconsent.messages:
        consent = _with_autoconsent_log(consent, autoconsent, t0_holder[0])
    return Observation(
        domain=domain.host, choice=choice, status=status, started_utc=started, ended_utc=utc_now(),
        consent_wall_utc=consent_wall[0] if consent_wall else None, consent=consent, pages=tuple(pages),
        requests=tuple(requests), set_cookies=tuple(set_cookies), cookies=tuple(cookies), cookie_writes=tuple(writes),
        storage=tuple(rec.storage), indexeddb=tuple(rec.indexeddb), caches=tuple(rec.caches),
        storage_writes=tuple(storage_writes), tracking_api_calls=tuple(api_calls), service_workers=tuple(workers),
        errors=tuple(errors + rec.errors + rec.store.errors),
        not_site=dict(not_site) or None,
        evidence=evidence, banner={**banner, **({"persistence": persistence} if persistence else {})},
        browser={"locale": domain.locale, "timezone": domain.timezone, "user_agent": user_agent,
                 "viewport": list(policy.viewport), "duration_s": round(time.monotonic() - t_start, 3),
                 "clock": rec.clock_facts()},
    )


async def persistence_check(page: Page, domain: Domain) -> dict:
    """After a reload: is the stored decision still there, and is the banner shown again?"""
    adapter, state = await read_state(page)
    visible = await banner_visible(page, adapter or await detect_cmp(page), domain)
    if visible is None:
        # no known banner markup: measure the first layer as in no-interaction visits
        m = await measure_banner(page, domain)
        visible = bool(m.get("accept") and m["accept"].get("in_banner"))
    mapped = (with_mapping(domain, state, adapter) or {}).get("mapped")
    return {"after_reload": {"decided": bool(state and state.get("decided")), "banner_visible": visible,
                             "categories": (state or {}).get("categories"), "mapped": mapped}}


async def probe_implied_consent(page: Page, domain: Domain) -> dict:
    """The no-interaction visitor scrolls and clicks on page content (never the banner): consent must not follow."""
    _, before = await read_state(page)
    actions = []
    try:
        await page.mouse.wheel(0, 1500)
        actions.append("scrolled 1500 px")
        await asyncio.sleep(0.2)
        # Playwright refuses the click if the banner covers the target, so the banner is never clicked here
        target = page.locator("main h1, h1, main p, p").first
        await target.click(timeout=1000, no_wait_after=True)
        actions.append("clicked page content (first heading/paragraph)")
    except Exception as exc:  # noqa: BLE001
        actions.append(f"probe incomplete: {str(exc).splitlines()[0]}")
    await asyncio.sleep(0.3)
    _, after = await read_state(page)
    return {"actions": actions, "decided_before": bool(before and before.get("decided")),
            "decided_after": bool(after and after.get("decided")), "state_after": after}


def _with_autoconsent_log(consent: ConsentOutcome, session: AutoconsentSession, t0: float) -> ConsentOutcome:
    from dataclasses import replace

    from ..observations import ConsentStep

    extra = tuple(ConsentStep(t=round(m["t"] - t0, 3), action=f"autoconsent:{m['type']}",
                              detail=", ".join(f"{k}={v}" for k, v in m.items() if k not in ("t", "type"))[:300])
                  for m in session.messages)
    steps = tuple(sorted(consent.steps + extra, key=lambda s: s.t))
    return replace(consent, steps=steps, cmp=consent.cmp or session.popup_cmp)
