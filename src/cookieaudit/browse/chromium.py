"""Finding and launching the Chromium the audit runs in, with a deliberate, recorded browser policy.

Why we launch Chromium ourselves and attach over CDP instead of ``playwright.chromium.launch()``:
Playwright's contexts block third-party cookies (they are off-the-record profiles) and there is no launch
option to change that. A desktop Chrome allows them by default, and an audit must see what a default
visitor's browser stores. Starting Chromium with a fresh profile whose Preferences set
``profile.cookie_controls_mode = 0`` and attaching with ``connect_over_cdp`` gives contexts that accept
third-party cookies (measured: the doubleclick ``IDE`` cookie is stored) while each (domain, choice) still
runs in its own fresh, throwaway context.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BrowserNotFound

DEBIAN_CHROMIUM = "/usr/lib/chromium/chromium"
INSTALL_HINT = "sudo apt-get install -y chromium   (or pass --browser PATH / set COOKIEAUDIT_CHROMIUM)"


def find_chromium(explicit: str | None = None) -> str:
    """Locate the browser: --browser / $COOKIEAUDIT_CHROMIUM, Playwright's own, Debian's, then PATH."""
    for candidate, origin in ((explicit, "--browser"), (os.environ.get("COOKIEAUDIT_CHROMIUM"), "COOKIEAUDIT_CHROMIUM")):
        if candidate:
            if Path(candidate).is_file() and os.access(candidate, os.X_OK):
                return candidate
            raise BrowserNotFound(f"{origin}: {candidate} is not an executable file",
                                  fix="point it at a Chromium/Chrome binary, e.g. /usr/lib/chromium/chromium")
    pw = _playwright_chromium()
    if pw:
        return pw
    if Path(DEBIAN_CHROMIUM).is_file():
        return DEBIAN_CHROMIUM
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserNotFound("no Chromium or Chrome browser found", fix=INSTALL_HINT)


def _playwright_chromium() -> str | None:
    """Playwright's downloaded browser, if someone installed it (never downloaded by us)."""
    root = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", Path.home() / ".cache" / "ms-playwright"))
    if not root.is_dir():
        return None
    for exe in sorted(root.glob("chromium-*/chrome-linux*/chrome"), reverse=True):
        if os.access(exe, os.X_OK):
            return str(exe)
    return None


def browser_version(executable: str) -> str:
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=20)
        return out.stdout.strip() or out.stderr.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"


@dataclass(frozen=True)
class BrowserPolicy:
    """The browser settings every visit runs under; recorded in every run's provenance."""

    third_party_cookies: str = "allowed"          # "allowed" (desktop Chrome default) or "blocked"
    storage_partitioning: str = "enabled"         # Chromium default (Playwright would disable it)
    webdriver_exposed: bool = False               # --disable-blink-features=AutomationControlled
    quic: bool = False                            # --disable-quic: all traffic over TCP/TLS, visible to host rules
    headless: str = "new"
    viewport: tuple[int, int] = (1366, 768)
    fresh_profile_per_visit: bool = True          # each (domain, choice) in its own new context
    site_isolation: bool = False                  # cross-site iframes share the page's renderer (performance)
    extra_args: tuple[str, ...] = ()

    def describe(self) -> dict[str, Any]:
        return {
            "third_party_cookies": self.third_party_cookies,
            "storage_partitioning": self.storage_partitioning,
            "navigator_webdriver": self.webdriver_exposed,
            "quic": self.quic,
            "headless": self.headless,
            "viewport": {"width": self.viewport[0], "height": self.viewport[1]},
            "fresh_context_per_visit": self.fresh_profile_per_visit,
            "site_isolation": self.site_isolation,
        }


def host_resolver_rules(resolve: list[str]) -> str | None:
    """Turn --resolve HOST=ADDR[:PORT] entries into Chromium's --host-resolver-rules value."""
    if not resolve:
        return None
    rules = []
    for entry in resolve:
        host, _, addr = entry.partition("=")
        rules.append(f"MAP {host.strip()} {addr.strip()}")
    if not any(r.startswith("MAP * ") for r in rules):
        # anything not mapped must not leak to real DNS while auditing a local/staging target
        rules.append("MAP * ~NOTFOUND")
    rules.append("EXCLUDE localhost")
    return ", ".join(rules)


@dataclass
class LaunchedChromium:
    """A Chromium process with a throwaway profile, reachable over CDP."""

    process: subprocess.Popen
    profile_dir: Path
    endpoint: str
    args: list[str]
    executable: str
    home_dir: Path | None = None
    _closed: bool = field(default=False, repr=False)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.process.terminate()
            self.process.wait(timeout=5)
        except Exception:  # noqa: BLE001 - make sure it is gone whatever happened
            self.process.kill()
        shutil.rmtree(self.profile_dir, ignore_errors=True)
        if self.home_dir:
            shutil.rmtree(self.home_dir, ignore_errors=True)


def chromium_args(policy: BrowserPolicy, resolver_rules: str | None) -> list[str]:
    args = [
        "--headless=new" if policy.headless == "new" else "--headless",
        "--no-sandbox",                      # root in CI; Playwright adds the same by default
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",   # no browser-own traffic in the evidence
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-breakpad",
        "--disable-dev-shm-usage",
        "--disable-features=Translate,OptimizationHints,MediaRouter,HttpsUpgrades,DialMediaRouteProvider,PaintHolding,"
        "IsolateOrigins,site-per-process",
        # one renderer per page instead of one per cross-site iframe: what is stored and sent is decided by the
        # network service either way; measured to save CPU and memory on two cores (benchmarks/bench_scan.py)
        "--disable-site-isolation-trials",
        # several contexts render at once in one headless browser: none of them may be throttled as "background"
        "--disable-background-timer-throttling",
        "--disable-backgrounding-occluded-windows",
        "--disable-renderer-backgrounding",
        "--disable-ipc-flooding-protection",
        "--disable-hang-monitor",
        "--disable-back-forward-cache",
        "--disable-field-trial-config",
        "--disable-gpu",                     # software compositing: no GPU process work for screenshots
        "--hide-scrollbars",
        "--mute-audio",
        "--password-store=basic",
        "--use-mock-keychain",
        "--metrics-recording-only",
        "--force-color-profile=srgb",
        "--remote-debugging-port=0",
    ]
    if not policy.quic:
        args.append("--disable-quic")
    if not policy.webdriver_exposed:
        args.append("--disable-blink-features=AutomationControlled")
    if resolver_rules:
        args.append(f"--host-resolver-rules={resolver_rules}")
    args.extend(policy.extra_args)
    return args


def _trust_ca(home: Path, ca_pem: Path) -> None:
    """Add an extra CA to an NSS database in a private HOME so Chromium validates TLS for real."""
    certutil = shutil.which("certutil")
    if not certutil:
        raise BrowserNotFound("--ca-cert needs NSS's certutil", fix="sudo apt-get install -y libnss3-tools")
    db = home / ".pki" / "nssdb"
    db.mkdir(parents=True, exist_ok=True)
    subprocess.run([certutil, "-d", f"sql:{db}", "-N", "--empty-password"], check=True, capture_output=True)
    subprocess.run([certutil, "-d", f"sql:{db}", "-A", "-t", "C,,", "-n", "cookieaudit-extra-ca", "-i", str(ca_pem)],
                   check=True, capture_output=True)


async def launch_chromium(executable: str, policy: BrowserPolicy, resolver_rules: str | None = None,
                          ca_cert: Path | None = None, timeout: float = 30.0) -> LaunchedChromium:
    """Start Chromium with a fresh profile (third-party cookies per policy) and return its CDP endpoint."""
    profile = Path(tempfile.mkdtemp(prefix="cookieaudit-profile-"))
    (profile / "Default").mkdir()
    prefs = {"profile": {"cookie_controls_mode": 0 if policy.third_party_cookies == "allowed" else 1}}
    (profile / "Default" / "Preferences").write_text(json.dumps(prefs))
    env = dict(os.environ)
    home = None
    if ca_cert:
        home = Path(tempfile.mkdtemp(prefix="cookieaudit-home-"))
        _trust_ca(home, ca_cert)
        env["HOME"] = str(home)
    args = chromium_args(policy, resolver_rules) + [f"--user-data-dir={profile}", "about:blank"]
    proc = subprocess.Popen([executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env, start_new_session=True)
    port_file = profile / "DevToolsActivePort"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if proc.poll() is not None:
            shutil.rmtree(profile, ignore_errors=True)
            raise BrowserNotFound(f"{executable} exited at start (code {proc.returncode})",
                                  fix="run it by hand with --headless=new to see why; " + INSTALL_HINT)
        if port_file.exists():
            lines = port_file.read_text().split("\n")
            if lines and lines[0].strip().isdigit():
                endpoint = f"http://127.0.0.1:{lines[0].strip()}"
                return LaunchedChromium(proc, profile, endpoint, args, executable, home)
        await asyncio.sleep(0.05)
    proc.kill()
    shutil.rmtree(profile, ignore_errors=True)
    raise BrowserNotFound(f"{executable} did not open its DevTools port within {timeout:.0f} s",
                          fix="check that the binary is a working Chromium")
