"""One shared Chromium for all visits, relaunched when it dies so one crash never ends the audit."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Playwright

from .chromium import BrowserPolicy, LaunchedChromium, browser_version, launch_chromium
from .visit import desktop_user_agent


class BrowserHost:
    def __init__(self, pw: Playwright, executable: str, policy: BrowserPolicy, resolver_rules: str | None,
                 ca_cert: Path | None):
        self.pw = pw
        self.executable = executable
        self.policy = policy            # replaced at every launch by the measured one (sandbox, browser user)
        self.rules = resolver_rules
        self.ca_cert = ca_cert
        self.launched: LaunchedChromium | None = None
        self.browser: Browser | None = None
        self.user_agent = ""
        self.restarts: list[str] = []
        self.generation = 0          # +1 per launch: a visit can tell whether its browser was replaced
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        self.launched = await launch_chromium(self.pw, self.executable, self.policy, self.rules, self.ca_cert)
        self.browser = self.launched.browser
        self.policy = self.launched.policy
        self.generation += 1
        if not self.user_agent:
            self.user_agent = desktop_user_agent(self.launched.user_agent)

    def alive(self) -> bool:
        return self.browser is not None and self.launched is not None and self.launched.alive()

    async def ensure(self, reason: str = "", stale: int | None = None) -> Browser:
        """The live browser; relaunched (once, under a lock, however many visits noticed) if it has died.

        ``stale``: the generation a visit saw fail. It is relaunched even if the dying process has not been
        reaped yet (``alive()`` still true), unless another visit already replaced it.
        """
        async with self._lock:
            if not self.alive() or (stale is not None and stale == self.generation):
                if self.launched is not None:
                    self.restarts.append(reason or "browser process gone")
                    await self.launched.close(timeout=5)
                await self.start()
            assert self.browser is not None
            return self.browser

    def describe(self) -> dict[str, Any]:
        return {
            "executable": self.executable, "version": browser_version(self.executable),
            "cdp_version": self.browser.version if self.browser else None,
            "args": self.launched.args if self.launched else [],
            "launcher": self.launched.launcher if self.launched else [],
            "policy": self.policy.describe(),
            "user_agent": self.user_agent, "restarts": list(self.restarts),
        }

    async def close(self) -> None:
        if self.launched is not None:
            await self.launched.close()
