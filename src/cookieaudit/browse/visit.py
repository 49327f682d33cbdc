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
import base64
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Awaitable, Iterator, Literal, Union

from playwright.async_api import Browser, BrowserContext, Dialog, Download, Page

from ..expectations import Domain, Expectations
from ..observations import (BannerMeasurement, ConsentOutcome, FirstLayer, ImpliedConsentProbe, Observation, PageRecord,
                            PersistenceCheck, ReloadCheck)
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
# the walk's paths, or the page discovery still under way (its paths, None: the configured pages)
Pages = Union[list[str], tuple[str, ...], Awaitable[Union[list[str], None]], None]


@dataclass(frozen=True)
class SettlePolicy:
    """Settle on evidence: the network quiet for ``quiet`` s and no timer pending that is due within ``timer_horizon``
    s of the settle's start (a tag deferred "for performance"), bounded by ``max_wait``."""

    quiet: float = 0.35         # dependent loads follow each other within milliseconds; timers are tracked apart
    min_wait: float = 0.3
    max_wait: float = 6.0
    timer_horizon: float = 4.0  # timers due later than this after the load (or the consent action) are not waited for
    nav_timeout: float = 20.0


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


TIMERS_JS = "([until, offset]) => window.__cookieauditTimers ? window.__cookieauditTimers(until, offset) : [-1, -1, null]"


async def settle(page: Page, rec: VisitRecorder, policy: SettlePolicy) -> float:
    """Wait until the page is quiet: no request open or finished within ``quiet`` s, no timer pending that falls due
    within ``timer_horizon`` s of now (in the page's clock), and none fired within ``quiet`` s; at most ``max_wait``."""
    start = time.monotonic()
    until: float | None = None          # the horizon in the page's clock (ms), fixed at the first look
    while True:
        now = time.monotonic()
        elapsed = now - start
        if elapsed >= policy.max_wait:
            break
        if elapsed >= policy.min_wait and rec.inflight == 0 and now - rec.last_activity >= policy.quiet:
            try:
                # the horizon is fixed at the first look, counted from the settle's start
                due, since_fired, until = await page.evaluate(TIMERS_JS, [until, (policy.timer_horizon - elapsed) * 1000])
            except Exception:  # noqa: BLE001 - navigating
                due, since_fired = -1, -1
            if due < 0 and (since_fired < 0 or since_fired >= policy.quiet * 1000):
                break
            if due > 0:
                # nothing can happen before the timer fires (the network is quiet): sleep until then
                await asyncio.sleep(min(due / 1000, policy.max_wait - (time.monotonic() - start)))
                continue
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
                    budget: float = 90.0, tag: str = "", pages: Pages = None) -> Observation:
    """One visit; ``pages`` (paths, the first is where consent is given) default to the domain's configured pages."""
    visit = Visit(browser, domain, choice, expectations, run_dir, policy, user_agent, settle_policy, tag, pages)
    await visit.browse(budget)
    return visit.observation()


class Visit:
    """One (domain, choice) walk: a fresh context, the phases as steps, every step's seconds in ``timings``.

    A step records what it finds on the visit (pages, errors, consent, banner, persistence). :meth:`browse` walks
    the steps within the time budget and closes the context; :meth:`observation` then turns what was recorded into
    the :class:`Observation`, whatever happened (no browser needed: the scan runs it after freeing the slot).
    """

    def __init__(self, browser: Browser, domain: Domain, choice: str, expectations: Expectations, run_dir: Path,
                 policy: BrowserPolicy, user_agent: str, settle_policy: SettlePolicy = SettlePolicy(),
                 tag: str = "", pages: Pages = None) -> None:
        self.browser, self.domain, self.choice, self.expectations = browser, domain, choice, expectations
        self.run_dir, self.policy, self.user_agent, self.settle_policy = run_dir, policy, user_agent, settle_policy
        # further pages may still be being discovered: the walk starts on the home page and asks for them after the
        # choice (a discovered walk always starts at "/", where consent is given)
        self._pages: Pages = pages
        self.walk_pages = list(domain.pages or ["/"]) if pages is None or isinstance(pages, Awaitable) else list(pages)
        self.ev_dir = run_dir / "evidence" / domain.host / choice / tag if tag else run_dir / "evidence" / domain.host / choice
        self.har = self.ev_dir / "visit.har"
        self.started = utc_now()
        self.t_start = time.monotonic()
        self.t0: float | None = None                 # the consent moment: t = 0 for every record of this visit
        self.consent_wall: str | None = None
        self.pages: list[PageRecord] = []
        self.errors: list[str] = []
        self.popups: list[str] = []
        self.consent = ConsentOutcome(requested=choice, outcome="not-performed", reason="the visit ended before the choice")
        self.autoconsent: AutoconsentSession | None = None
        self.status: Literal["complete", "incomplete"] = "complete"
        self.not_site: dict = {}
        self.first_layer: FirstLayer | None = None
        self.implied_consent_probe: ImpliedConsentProbe | None = None
        self.persistence: PersistenceCheck | None = None
        self.timings: dict[str, float] = {}
        self.ended: str | None = None
        self.first_error: str | None = None     # said before everything else (a retry after a browser crash)
        self.duration: float | None = None
        self.context: BrowserContext | None = None
        self.page: Page | None = None
        self.rec: VisitRecorder | None = None

    # -- bookkeeping ---------------------------------------------------------------------------------------
    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        """Adds the seconds spent in the block to ``timings[step]`` (steps that repeat, such as pages, add up)."""
        start = time.monotonic()
        try:
            yield
        finally:
            self.timings[step] = round(self.timings.get(step, 0.0) + time.monotonic() - start, 3)

    def clock(self) -> float:
        """Seconds since the consent moment (0 before it)."""
        return time.monotonic() - self.t0 if self.t0 is not None else 0.0

    # -- the visit -----------------------------------------------------------------------------------------
    async def browse(self, budget: float) -> None:
        """Everything that needs the browser: the walk within ``budget`` s, then the context closed (HAR written).
        :meth:`observation` (no browser, CPU only) turns what was recorded into the observation afterwards."""
        self.ev_dir.mkdir(parents=True, exist_ok=True)
        with self.timed("context"):
            await self.open_context()
        try:
            await asyncio.wait_for(self.walk(), timeout=budget)
        except asyncio.TimeoutError:
            self.status = "incomplete"
            self.errors.append(f"time budget of {budget:.0f} s for this visit exhausted in phase {self.recorder.phase}")
        except Exception as exc:  # noqa: BLE001 - browser crash etc.: keep what we have
            self.status = "incomplete"
            self.errors.append(f"visit aborted in phase {self.recorder.phase}: {type(exc).__name__}: "
                               f"{str(exc).splitlines()[0] if str(exc) else ''}")
        if self.t0 is None:
            self.t0 = time.monotonic()
        with self.timed("close (HAR written)"):
            await self.close_context()
        self.ended, self.duration = utc_now(), round(time.monotonic() - self.t_start, 3)

    @property
    def recorder(self) -> VisitRecorder:
        assert self.rec is not None
        return self.rec

    @property
    def tab(self) -> Page:
        assert self.page is not None
        return self.page

    @property
    def browser_context(self) -> BrowserContext:
        assert self.context is not None
        return self.context

    async def open_context(self) -> None:
        self.context = context = await self.browser.new_context(
            locale=self.domain.locale, timezone_id=self.domain.timezone, user_agent=self.user_agent,
            viewport={"width": self.policy.viewport[0], "height": self.policy.viewport[1]},
            record_har_path=str(self.har), record_har_content="omit", accept_downloads=False,
        )
        self.page = page = await context.new_page()
        # dialogs are dismissed and popups closed (recorded), so a hostile page cannot stall the visit
        page.on("dialog", self._on_dialog)
        page.on("download", self._on_download)
        context.on("page", self._on_popup)
        self.rec = VisitRecorder(context)

    def _on_dialog(self, dialog: Dialog) -> None:
        """Dismiss a dialog (recorded); a beforeunload prompt is accepted: staying on the page would cancel every
        later navigation of the visit."""
        leave = dialog.type == "beforeunload"
        self.errors.append(f"dialog {'accepted (leave page)' if leave else 'dismissed'}: "
                           f"{dialog.type} {dialog.message[:120]!r}")
        asyncio.ensure_future(dialog.accept() if leave else dialog.dismiss())

    def _on_download(self, download: Download) -> None:
        """Downloads are refused (accept_downloads=False) but were silently dropped: say that the site started one."""
        self.errors.append(f"download refused: {download.url[:200]} ({download.suggested_filename!r})")

    def _on_popup(self, popup: Page) -> None:
        """A window the site opened: recorded and closed."""
        self.popups.append(popup.url)
        asyncio.ensure_future(popup.close())

    async def walk(self) -> None:
        """The phases in order; a page that cannot be audited where consent is given ends the walk (incomplete)."""
        with self.timed("context"):
            setup = [self.recorder.attach(self.tab)]
            if not self.domain.banner and self.choice in AUTOCONSENT_CHOICES:
                # autoconsent runs its ~800 rules in every frame; only accept/reject (and withdraw's accept) use it
                self.autoconsent = AutoconsentSession(time.monotonic)
                setup.append(self.autoconsent.install(self.browser_context))
            await asyncio.gather(*setup)
        if not await self.visit_page("before-consent", self.walk_pages[0], "before-consent"):
            self.status = "incomplete"
            return
        await self.consent_step()
        if self.choice == "withdraw":
            await self.withdraw_step()
        if await self.further_pages() and self.choice == "reject-all":
            await self.persistence_step()

    async def consent_step(self) -> None:
        """The consent action at t = 0, then the after-choice settle on the same page."""
        page, rec = self.tab, self.recorder
        if self.choice == "no-interaction":
            with self.timed("banner measurement"):
                try:
                    layer = await measure_banner(page, self.domain)
                    self.first_layer = replace(layer, screenshot=self.pages[0].screenshot)
                except Exception as exc:  # noqa: BLE001
                    self.errors.append(f"banner measurement: {str(exc).splitlines()[0]}")
        self.t0 = time.monotonic()
        self.consent_wall = utc_now()
        rec.set_phase("after-choice")
        first = "accept-all" if self.choice == "withdraw" else self.choice
        with self.timed("consent action + verification"):
            self.consent = await perform_choice(page, first, self.domain, self.expectations, self.autoconsent, self.clock)
        if self.autoconsent is not None:
            self.autoconsent.active = False
        if self.choice == "no-interaction":
            with self.timed("implied-consent probe"):
                self.implied_consent_probe = await probe_implied_consent(page, self.domain)
        with self.timed("after-choice: settle"):
            await settle(page, rec, self.settle_policy)
        shot = await self.record_phase_end("after-choice")
        self.pages.append(PageRecord(phase="after-choice", url=page.url, final_url=page.url, status=None,
                                     screenshot=shot, t=round(self.clock(), 3)))

    async def withdraw_step(self) -> None:
        """Withdrawal at t_w > 0: everything after it is judged as after refusal."""
        self.recorder.set_phase("after-withdraw")
        with self.timed("withdraw + verification"):
            self.consent = await withdraw_choice(self.tab, self.domain, self.expectations, self.clock, self.consent)
        with self.timed("after-withdraw: settle"):
            await settle(self.tab, self.recorder, self.settle_policy)
        await self.record_phase_end("after-withdraw")

    async def further_pages(self) -> bool:
        """Every further page; a failing one is recorded (rule page-unavailable) and the walk goes on."""
        if isinstance(self._pages, Awaitable):
            with self.timed("waiting for page discovery"):
                found = await self._pages
            self.walk_pages = self.walk_pages[:1] + list(found or self.domain.pages or ["/"])[1:]
        phase = "after-withdraw" if self.choice == "withdraw" else "next-page"
        audited = 0
        for i, path in enumerate(self.walk_pages[1:], start=1):
            if await self.visit_page(phase, path, f"{phase}-{i}"):
                audited += 1
            if self.not_site:
                self.status = "incomplete"
                return False
        if len(self.walk_pages) > 1 and not audited:
            self.status = "incomplete"
            self.errors.append(f"none of the {len(self.walk_pages) - 1} further page(s) could be audited")
        return True

    async def persistence_step(self) -> None:
        """The refusal must survive a reload (no banner silently coming back as accepted)."""
        await self.visit_page("after-reload", self.walk_pages[0], "after-reload")
        if self.not_site:
            self.status = "incomplete"
            return
        with self.timed("persistence check"):
            self.persistence = await persistence_check(self.tab, self.domain)

    # -- one page ------------------------------------------------------------------------------------------
    async def visit_page(self, phase: str, path: str, shot: str) -> bool:
        """Load, settle, check and record one page; False when it could not be audited."""
        url = self.domain.url(path)
        self.recorder.set_phase(phase)
        step = "first page" if phase == "before-consent" else phase
        with self.timed(f"{step}: load"):
            code, final, err = await self.navigate(phase, url)
        title = verdict = None
        if err is None:
            with self.timed(f"{step}: settle"):
                await settle(self.tab, self.recorder, self.settle_policy)
            with self.timed("page checks"):
                title, verdict, err = await self.check_page(phase, code, final)
        shot_path = await self.record_phase_end(shot)
        self.pages.append(PageRecord(phase=phase, url=url, final_url=final, status=code, title=title,
                                     screenshot=shot_path, error=err,
                                     t=round(self.clock(), 3) if self.t0 is not None else None))
        # a challenge / parked page anywhere, or an error page where consent is given: not the site
        if verdict and (verdict["kind"] != "error-page" or phase == "before-consent") and not self.not_site:
            self.not_site.update(verdict, phase=phase, url=url, final_url=final, screenshot=shot_path,
                                 page=len(self.pages) - 1)
        if err:
            self.errors.append(f"{phase} {url}: {err}")
        return err is None

    async def navigate(self, phase: str, url: str) -> tuple[int | None, str | None, str | None]:
        """Go to ``url`` (transient network errors retried with backoff): status, final URL, error."""
        err = final = None
        code = None
        for attempt in range(1, NAV_ATTEMPTS + 1):
            try:
                resp = await self.tab.goto(url, wait_until="load", timeout=self.settle_policy.nav_timeout * 1000)
                return (resp.status if resp else None), self.tab.url, None
            except Exception as exc:  # noqa: BLE001 - recorded, not raised
                err = str(exc).splitlines()[0]
                if attempt == NAV_ATTEMPTS or not any(t in err for t in TRANSIENT_NET_ERRORS):
                    break
                self.errors.append(f"{phase} {url}: transient {err}; retry {attempt} after {0.5 * 3 ** (attempt - 1):.1f} s")
                await asyncio.sleep(0.5 * 3 ** (attempt - 1))
        return code, final, err

    async def check_page(self, phase: str, code: int | None, final: str | None) -> tuple[str | None, dict | None, str | None]:
        """Title, not-the-site verdict and the page's error (None: it is the site and can be audited)."""
        page = self.tab
        try:
            title = await page.title()
        except Exception:  # noqa: BLE001
            title = None
        facts = await page_facts(page)
        verdict = not_the_site(code, facts.get("title", title), facts.get("text"), facts.get("html"),
                               facts.get("heading"))
        err = None
        if verdict and verdict["kind"] == "error-page" and phase != "before-consent" and (code is None or code < 400):
            err = f"{verdict['reason'].removeprefix('not the site: ')} (a soft error page)"
            verdict = None
        if err is None and verdict and verdict["kind"] != "error-page":
            err = verdict["reason"] + (f" (HTTP {code})" if code and code >= 400 else "")
        elif err is None and code is not None and code >= 400:
            err = f"HTTP {code} (the page answered with an error status; its content is not the site)"
        elif err is None and final and not same_site(self.domain.host, final):
            err = f"redirected to another site: {final}"
        elif err is None and verdict:
            err = verdict["reason"]
        return title, verdict, err

    async def record_phase_end(self, shot: str) -> str | None:
        """The end of a phase: its screenshot and its cookie jar and storage snapshot, taken side by side (both only
        read the page); the screenshot's path relative to the run folder."""
        path, _ = await asyncio.gather(self.screenshot(shot), self.snapshot())
        return path

    async def screenshot(self, name: str) -> str | None:
        """The viewport as PNG. Through the visit's own DevTools session with fast PNG encoding when it has one
        (one round trip, a quarter of the browser's CPU; same pixels, a larger file), else Playwright's."""
        path = self.ev_dir / f"{name}.png"
        cdp = self.recorder.cdp
        with self.timed("screenshots (beside the snapshots)"):
            try:
                if cdp is not None:
                    try:
                        shot = await asyncio.wait_for(
                            cdp.send("Page.captureScreenshot", {"format": "png", "optimizeForSpeed": True}), timeout=10)
                        await asyncio.to_thread(path.write_bytes, base64.b64decode(shot["data"]))
                        return str(path.relative_to(self.run_dir))
                    except asyncio.TimeoutError:
                        raise
                    except Exception:  # noqa: BLE001 - e.g. an error page in another target: Playwright's way
                        pass
                await self.tab.screenshot(path=str(path), timeout=10000)
                return str(path.relative_to(self.run_dir))
            except Exception as exc:  # noqa: BLE001
                self.errors.append(f"screenshot {name}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
                return None

    async def snapshot(self) -> None:
        with self.timed("snapshots (cookie jar, storage)"):
            await self.recorder.snapshot(self.tab)

    # -- the end -------------------------------------------------------------------------------------------
    async def close_context(self) -> None:
        try:
            await self.recorder.flush()
        except Exception:  # noqa: BLE001
            pass
        try:
            if self.context is not None:
                await asyncio.wait_for(self.context.close(), timeout=20)
        except Exception as exc:  # noqa: BLE001
            self.errors.append(f"closing the context (HAR may be missing): {exc}")

    def observation(self) -> Observation:
        """The observation of what :meth:`browse` recorded (pure Python: may run in a thread)."""
        start = time.monotonic()
        rec, t0 = self.recorder, self.t0 or time.monotonic()
        if self.har.exists():
            rec.read_har(self.har)
        requests, set_cookies, writes, cookies = rec.records(t0)
        storage_writes, api_calls, workers = rec.storage_records(t0)
        errors, consent = self.errors, self.consent
        if self.popups:
            errors.append(f"popups opened by the site and closed: {self.popups[:5]}")
        if rec.truncated:
            errors.append(f"bounded recording: dropped {rec.truncated}")
        if consent.outcome == "not-performed" and self.choice != "no-interaction" and self.status == "complete":
            errors.append(f"consent choice not performed: {consent.reason}")
        if self.not_site:
            # the reason the visit is incomplete comes first (findings.json → missing quotes the first errors)
            first = [e for e in errors if self.not_site["reason"] in e][:1]
            errors = first + [e for e in errors if e not in first]
        evidence = {"har": str(self.har.relative_to(self.run_dir))} if self.har.exists() else {}
        if self.autoconsent is not None and self.autoconsent.messages:
            consent = _with_autoconsent_log(consent, self.autoconsent, t0)
        domain = self.domain
        return Observation(
            domain=domain.host, choice=self.choice, status=self.status, started_utc=self.started, ended_utc=self.ended or utc_now(),
            consent_wall_utc=self.consent_wall, consent=consent, pages=tuple(self.pages),
            requests=tuple(requests), set_cookies=tuple(set_cookies), cookies=tuple(cookies), cookie_writes=tuple(writes),
            storage=tuple(rec.storage), indexeddb=tuple(rec.indexeddb), caches=tuple(rec.caches),
            storage_writes=tuple(storage_writes), tracking_api_calls=tuple(api_calls), service_workers=tuple(workers),
            errors=tuple(([self.first_error] if self.first_error else []) + errors + rec.errors + rec.store.errors),
            not_site=dict(self.not_site) or None,
            evidence=evidence, banner=BannerMeasurement(first_layer=self.first_layer,
                                                        implied_consent_probe=self.implied_consent_probe,
                                                        persistence=self.persistence),
            browser={"locale": domain.locale, "timezone": domain.timezone, "user_agent": self.user_agent,
                     "viewport": list(self.policy.viewport), "duration_s": self.duration if self.duration is not None else round(time.monotonic() - self.t_start, 3),
                     "clock": rec.clock_facts()},
            timings={**self.timings, "records (HAR read, conversion)": round(time.monotonic() - start, 3)},
        )


async def persistence_check(page: Page, domain: Domain) -> PersistenceCheck:
    """After a reload: is the stored decision still there, and is the banner shown again?"""
    adapter, state = await read_state(page)
    visible = await banner_visible(page, adapter or await detect_cmp(page), domain)
    if visible is None:
        # no known banner markup: measure the first layer as in no-interaction visits
        m = await measure_banner(page, domain)
        visible = bool(m.accept and m.accept.in_banner)
    mapped = with_mapping(domain, state, adapter)
    return PersistenceCheck(after_reload=ReloadCheck(
        decided=state is not None and bool(state.decided), banner_visible=visible,
        categories=state.categories if state is not None and state.categories_read else None,
        mapped=mapped.mapped if mapped is not None else None))


async def probe_implied_consent(page: Page, domain: Domain) -> ImpliedConsentProbe:
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
    return ImpliedConsentProbe(actions=tuple(actions), decided_before=before is not None and bool(before.decided),
                               decided_after=after is not None and bool(after.decided), state_after=after)


def _with_autoconsent_log(consent: ConsentOutcome, session: AutoconsentSession, t0: float) -> ConsentOutcome:
    from dataclasses import replace

    from ..observations import ConsentStep

    extra = tuple(ConsentStep(t=round(m["t"] - t0, 3), action=f"autoconsent:{m['type']}",
                              detail=", ".join(f"{k}={v}" for k, v in m.items() if k not in ("t", "type"))[:300])
                  for m in session.messages)
    steps = tuple(sorted(consent.steps + extra, key=lambda s: s.t))
    return replace(consent, steps=steps, cmp=consent.cmp or session.popup_cmp)
