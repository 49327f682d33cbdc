"""DuckDuckGo autoconsent (MPL-2.0, from npm) driven over its Playwright message protocol.

The content script is injected with ``autoAction = null`` so it only *detects* the banner while the
before-consent phase is observed; the opt-in / opt-out is sent when the visit reaches the consent moment.
Cosmetic rules and pre-hiding are off: hiding a banner is not a consent choice.
"""

from __future__ import annotations

import asyncio
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from playwright.async_api import BrowserContext, Frame

from ...errors import ConfigError

CONFIG: dict[str, object] = {
    "enabled": True,
    "autoAction": None,
    "disabledCmps": [],
    "enablePrehide": False,
    "enableCosmeticRules": False,
    "enableGeneratedRules": True,
    "enableHeuristicDetection": False,
    "detectRetries": 20,
    "isMainWorld": False,
    "logs": {k: False for k in ("lifecycle", "rulesteps", "detectionsteps", "evals", "errors", "messages", "waits")},
}


def node_modules() -> Path:
    """The npm assets folder: $COOKIEAUDIT_NODE_MODULES, or node_modules beside the project checkout."""
    env = os.environ.get("COOKIEAUDIT_NODE_MODULES")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    candidates += [p / "node_modules" for p in here.parents]
    candidates.append(Path.cwd() / "node_modules")
    for c in candidates:
        if (c / "@duckduckgo" / "autoconsent").is_dir():
            return c
    raise ConfigError("the npm assets (@duckduckgo/autoconsent) are not installed",
                      fix="run `make setup` (npm ci) in the project, or set COOKIEAUDIT_NODE_MODULES")


@lru_cache(maxsize=1)
def assets() -> tuple[str, Any, str]:
    root = node_modules() / "@duckduckgo" / "autoconsent"
    script = (root / "dist" / "autoconsent.playwright.js").read_text(encoding="utf-8")
    rules = json.loads((root / "rules" / "rules.json").read_text(encoding="utf-8"))
    version = json.loads((root / "package.json").read_text(encoding="utf-8"))["version"]
    return script, rules, version


@lru_cache(maxsize=1)
def init_script() -> str:
    """The content script, and its rule set for the ``initResp`` of every frame (handed over once per context, not
    ~700 KB through the driver per frame). Its detection retries are the auditor's timers, not the page's: it
    runs with the timers the settle logic does not count."""
    script, rules, _ = assets()
    return ("(() => {\n"
            "  const rules = " + json.dumps(json.dumps(rules["autoconsent"])) + ";\n"
            "  let parsed = null;\n"
            "  Object.defineProperty(window, '__cookieauditAutoconsentRules',"
            " {value: () => parsed || (parsed = JSON.parse(rules)), enumerable: false});\n"
            "})();\n"
            "(function (setTimeout, clearTimeout) {\n" + script + "\n"
            "}).apply(window, window.__cookieauditUntrackedTimers || [window.setTimeout, window.clearTimeout]);")


class AutoconsentSession:
    """One visit's autoconsent instance(s): one per frame, messages collected with their times."""

    def __init__(self, clock: Callable[[], float]):
        self.clock = clock
        self.messages: list[dict[str, Any]] = []
        self.popup_frame: Frame | None = None
        self.popup_cmp: str | None = None
        self.detected: list[str | None] = []   # the "cmp" of each cmpDetected message, as the page sent it
        self._results: dict[str, asyncio.Future] = {}
        self.active = True     # switched off once the choice is made; later pages need no detection

    async def install(self, context: BrowserContext) -> None:
        script, _, _ = assets()
        await context.expose_binding("autoconsentSendMessage", self._on_message)
        await context.add_init_script(script=init_script())

    async def _on_message(self, source: dict[str, Any], msg: dict[str, Any]) -> None:
        frame: Frame = source["frame"]
        kind = msg.get("type")
        if kind not in ("eval", "report"):
            self.messages.append({"t": self.clock(), "type": kind,
                                  **{k: v for k, v in msg.items() if k in ("cmp", "result", "isCosmetic", "url", "details")}})
        try:
            if kind == "init":
                if not self.active:
                    # after the consent action autoconsent has nothing to do: skip the 700 KB rule set per frame
                    await frame.evaluate("(c) => autoconsentReceiveMessage({type: 'initResp', config: c, rules: {autoconsent: []}})",
                                         {**CONFIG, "enabled": False})
                    return
                # the rule set travels once per context (in the init script), not once per frame
                await frame.evaluate("(c) => autoconsentReceiveMessage({type: 'initResp', config: c, "
                                     "rules: {autoconsent: window.__cookieauditAutoconsentRules()}})", CONFIG)
            elif kind == "eval":
                try:
                    result = await frame.evaluate(msg["code"])
                except Exception:  # noqa: BLE001 - a failing rule snippet means "false" to autoconsent
                    result = False
                await frame.evaluate("([id, r]) => autoconsentReceiveMessage({id, type: 'evalResp', result: r})",
                                     [msg["id"], result])
            elif kind == "cmpDetected":
                self.detected.append(msg.get("cmp"))
            elif kind == "popupFound" and self.popup_frame is None:
                self.popup_frame, self.popup_cmp = frame, msg.get("cmp")
            elif kind in ("optInResult", "optOutResult"):
                fut = self._results.get(kind)
                if fut and not fut.done():
                    fut.set_result(bool(msg.get("result")))
        except Exception:  # noqa: BLE001 - frames detach while pages navigate
            pass

    async def wait_for_popup(self, timeout: float, detected_grace: float = 5.0) -> bool:
        """Wait ``timeout`` s for a popup; ``detected_grace`` s more once a rule has recognised the page's consent
        manager (on a loaded machine its popup check can lag the detection by seconds)."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        while self.popup_frame is None:
            limit = timeout + (detected_grace if self.detected else 0.0)
            if loop.time() - start >= limit:
                break
            await asyncio.sleep(0.05)
        return self.popup_frame is not None

    async def act(self, action: str, timeout: float = 8.0) -> bool | None:
        """Send optIn/optOut to the frame that showed the popup; None when it never answered."""
        if self.popup_frame is None:
            return None
        key = "optInResult" if action == "optIn" else "optOutResult"
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        self._results[key] = fut
        try:
            await self.popup_frame.evaluate("(a) => autoconsentReceiveMessage({type: a})", action)
        except Exception:  # noqa: BLE001 - the evaluate may outlive a navigation the click caused
            pass
        try:
            return await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            return None
