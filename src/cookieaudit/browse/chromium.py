"""Finding and launching the Chromium the audit runs in, with a deliberate, recorded browser policy.

How the browser is started (issue 16):

* **Playwright's own launcher, DevTools over a pipe.** ``playwright.chromium.launch(ignore_default_args=True,
  args=[..., "--remote-debugging-pipe", "--user-data-dir=OURS"])``: Playwright talks to Chromium over file
  descriptors 3/4, so no TCP port exists that a page (or anyone on the machine) could reach. Playwright's own
  default switches are *not* used (they would turn storage partitioning off, popup blocking off and
  ``navigator.webdriver`` on): the switch list is ours (:func:`chromium_args`), as before.
* **Third-party cookies allowed, as in a default desktop Chrome.** Playwright's contexts are off-the-record
  profiles that inherit the preferences of the browser's profile; a fresh profile whose ``Preferences`` set
  ``profile.cookie_controls_mode = 0`` is created before the launch and passed as ``--user-data-dir`` (measured:
  the doubleclick ``IDE`` and the fault world's ``fw_uid`` cookies are stored), each (domain, choice) still in
  its own fresh, throwaway context.
* **Renderer sandbox on.** Not root: Chromium runs as the current user with its sandbox (no ``--no-sandbox``).
  Root (CI containers): Chromium runs as the unprivileged user ``cookieaudit-browser`` (created by ``make setup``
  or, if missing, here), switched to with ``setpriv`` (no PAM, no shell, file descriptors kept for the pipe),
  with an environment of its own (nothing of the caller's, no credentials) and its sandbox on. If the sandbox
  cannot work on the machine, Chromium is started with ``--no-sandbox`` and the policy record says
  ``sandbox: OFF: <why>`` (the scan also puts a warning at the top of the report) — never silently.
  Whether it is on is *measured* at every launch (``chrome://sandbox``), not assumed.
* **Everything the browser writes** (profile, HOME with the NSS database of ``--ca-cert``, TMPDIR, downloads) is
  in one private folder per launch, ``$TMPDIR/cookieaudit-browser-<pid>-*``: the outer folder belongs to root
  (``0711``), the inner ``u/`` folder (profile, home, t = TMPDIR, downloads) to the browser's user only
  (``0700``). It is removed when the browser
  closes; folders of a process that no longer exists (killed with SIGKILL) are removed by the next launch.
* **Loopback is blocked.** Host-resolver rules send ``localhost``, ``*.localhost``, ``127.*``, ``0.0.0.0`` and
  ``[::1]`` to nowhere, so an audited page cannot reach services on the auditing machine (the request fails and
  is recorded); ``--resolve`` targets on 127.0.0.1 still work (a mapped *name* is resolved once, to its target).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BrowserNotFound

DEBIAN_CHROMIUM = "/usr/lib/chromium/chromium"
INSTALL_HINT = "sudo apt-get install -y chromium   (or pass --browser PATH / set COOKIEAUDIT_CHROMIUM)"
SANDBOX_USER = "cookieaudit-browser"         # also created by `make setup` (Makefile: browser-user)
BROWSER_DIR_PREFIX = "cookieaudit-browser-"
LOOPBACK_RULES = ("MAP localhost ~NOTFOUND", "MAP *.localhost ~NOTFOUND", "MAP 127.* ~NOTFOUND",
                  "MAP 0.0.0.0 ~NOTFOUND", "MAP [::1] ~NOTFOUND")
# what the browser's environment keeps from ours (everything else - tokens, keys, proxies - stays out)
ENV_KEEP = ("PATH", "LANG", "LANGUAGE", "LC_ALL", "TZ", "FONTCONFIG_PATH", "FONTCONFIG_FILE")


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
    """The browser settings every visit runs under; recorded in every run's provenance.

    ``sandbox``, ``browser_user``: measured at launch (:func:`launch_chromium` returns the policy with them set).
    """

    third_party_cookies: str = "allowed"          # "allowed" (desktop Chrome default) or "blocked"
    storage_partitioning: str = "enabled"         # Chromium default (Playwright would disable it)
    webdriver_exposed: bool = False               # --disable-blink-features=AutomationControlled
    quic: bool = False                            # --disable-quic: all traffic over TCP/TLS, visible to host rules
    headless: str = "new"
    viewport: tuple[int, int] = (1366, 768)
    fresh_profile_per_visit: bool = True          # each (domain, choice) in its own new context
    site_isolation: bool = False                  # cross-site iframes share the page's renderer (performance)
    extra_args: tuple[str, ...] = ()
    sandbox: str = "not launched"                 # "on" (measured), or "OFF: <why>"
    browser_user: str = ""                        # the user Chromium runs as, e.g. "cookieaudit-browser (uid 999)"
    devtools: str = "pipe"                        # --remote-debugging-pipe: no TCP port
    loopback: str = "blocked"                     # localhost / 127.* / [::1] unreachable for audited pages
    downloads: str = "refused"                    # accept_downloads=False; the download folder is private anyway

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
            "sandbox": self.sandbox,
            "browser_user": self.browser_user,
            "devtools": self.devtools,
            "loopback": self.loopback,
            "downloads": self.downloads,
        }

    @property
    def sandboxed(self) -> bool:
        return self.sandbox == "on"


def host_resolver_rules(resolve: list[str]) -> str:
    """Chromium's --host-resolver-rules: loopback blocked, then the --resolve HOST=ADDR[:PORT] entries.

    With entries, every name not mapped fails (``MAP * ~NOTFOUND``) instead of leaking to real DNS while auditing
    a local or staging target. The loopback rules come first (the first matching rule wins), so ``*=ADDR`` cannot
    re-open them; a mapped name's target address is not matched again, so a world on 127.0.0.1 stays reachable.
    """
    rules = list(LOOPBACK_RULES)
    for entry in resolve:
        host, _, addr = entry.partition("=")
        rules.append(f"MAP {host.strip()} {addr.strip()}")
    if resolve and not any(r.startswith("MAP * ") for r in rules):
        rules.append("MAP * ~NOTFOUND")
    return ", ".join(rules)


def chromium_args(policy: BrowserPolicy, resolver_rules: str | None, sandbox: bool = True) -> list[str]:
    """Chromium's switches (Playwright's defaults are not used); ``sandbox=False`` adds ``--no-sandbox``."""
    args = [
        "--headless=new" if policy.headless == "new" else "--headless",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",   # no browser-own traffic in the evidence
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-breakpad",
        "--disable-dev-shm-usage",           # shared memory files in the browser's private TMPDIR
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
        "--remote-debugging-pipe",           # DevTools over fds 3/4 (Playwright's transport): no TCP port
        "--no-startup-window",
    ]
    if not sandbox:
        args.insert(1, "--no-sandbox")
    if not policy.quic:
        args.append("--disable-quic")
    if not policy.webdriver_exposed:
        args.append("--disable-blink-features=AutomationControlled")
    if resolver_rules:
        args.append(f"--host-resolver-rules={resolver_rules}")
    args.extend(policy.extra_args)
    return args


# --- the user the browser runs as ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BrowserUser:
    name: str
    uid: int
    gid: int
    switch: bool          # True: we are root and switch to this user with setpriv

    def label(self) -> str:
        return f"{self.name} (uid {self.uid})"


def browser_user() -> tuple[BrowserUser | None, str]:
    """Who Chromium runs as: ourselves when not root; as root the unprivileged sandbox user (created if missing).

    Returns (user, "") or (None, why it cannot be done). ``$COOKIEAUDIT_BROWSER_USER`` names another existing
    unprivileged user.
    """
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return BrowserUser(me.pw_name, me.pw_uid, me.pw_gid, switch=False), ""
    name = os.environ.get("COOKIEAUDIT_BROWSER_USER") or SANDBOX_USER
    if not shutil.which("setpriv"):
        return None, "setpriv (util-linux) not found, cannot switch to an unprivileged user"
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        entry = None
        if name == SANDBOX_USER:
            entry, why = _create_sandbox_user()
            if entry is None:
                return None, why
    if entry is None:
        return None, f"user {name!r} ($COOKIEAUDIT_BROWSER_USER) does not exist"
    if entry.pw_uid == 0 or entry.pw_gid == 0:
        return None, f"user {name!r} is root (uid/gid 0): not an unprivileged user"
    return BrowserUser(entry.pw_name, entry.pw_uid, entry.pw_gid, switch=True), ""


def _create_sandbox_user() -> tuple[pwd.struct_passwd | None, str]:
    """``useradd`` the system user (as `make setup` does); a concurrent creation by another process is fine."""
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    try:
        out = subprocess.run([useradd, "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                              "--shell", "/usr/sbin/nologin", "--comment", "cookieaudit audited browser", SANDBOX_USER],
                             capture_output=True, text=True, timeout=30)
        why = (out.stderr or out.stdout).strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        why = str(exc)
    try:
        return pwd.getpwnam(SANDBOX_USER), ""
    except KeyError:
        return None, f"could not create the user {SANDBOX_USER!r} ({why or 'useradd failed'})"


# --- the private folder of one launch ------------------------------------------------------------------------------
def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_browser_dirs(base: Path | None = None) -> list[Path]:
    """Remove the private folders of launches whose process is gone (SIGKILL leaves them); returns them."""
    base = Path(base or tempfile.gettempdir())
    removed = []
    for d in base.glob(f"{BROWSER_DIR_PREFIX}*"):
        m = re.match(rf"{BROWSER_DIR_PREFIX}(\d+)-", d.name)
        if m and d.is_dir() and not d.is_symlink() and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


def _traversable(path: Path, user: BrowserUser) -> bool:
    """Whether ``user`` can reach into ``path`` (x on every folder on the way)."""
    for d in [path, *path.parents]:
        try:
            st = d.stat()
        except OSError:
            return False
        bit = 0o100 if st.st_uid == user.uid else 0o010 if st.st_gid == user.gid else 0o001
        if not st.st_mode & bit:
            return False
    return True


def browser_base(user: BrowserUser | None) -> Path:
    """Where the private folders go: the temp dir, or /tmp if the browser's user cannot reach into it or its path
    is too long (Chromium's singleton socket, ``<base>/cookieaudit-browser-<pid>-XXXXXXXX/u/t/org.chromium.
    Chromium.XXXXXX/SingletonSocket``, must fit the 107 characters of a Unix socket path)."""
    base = Path(tempfile.gettempdir())
    if (user is not None and user.switch and not _traversable(base, user)) or len(str(base)) > 24:
        return Path("/tmp")
    return base


def _private_dirs(user: BrowserUser | None, third_party_cookies: str) -> tuple[Path, Path]:
    """(outer, inner): outer owned by us (0711), inner ``u/`` (0700) by the browser's user: profile, home, tmp,
    downloads. The browser's user can write nowhere else we made, and cannot replace anything we execute."""
    outer = Path(tempfile.mkdtemp(prefix=f"{BROWSER_DIR_PREFIX}{os.getpid()}-", dir=browser_base(user)))
    outer.chmod(0o711 if user and user.switch else 0o700)
    inner = outer / "u"
    for sub in ("profile/Default", "home", "t", "downloads"):
        (inner / sub).mkdir(parents=True, mode=0o700)
    prefs = {"profile": {"cookie_controls_mode": 0 if third_party_cookies == "allowed" else 1},
             "download": {"prompt_for_download": False, "default_directory": str(inner / "downloads")}}
    (inner / "profile" / "Default" / "Preferences").write_text(json.dumps(prefs))
    return outer, inner


def _chown_tree(root: Path, user: BrowserUser) -> None:
    for dirpath, _dirnames, filenames in os.walk(root):
        os.chown(dirpath, user.uid, user.gid)
        os.chmod(dirpath, 0o700)
        for name in filenames:
            os.chown(os.path.join(dirpath, name), user.uid, user.gid)


def _browser_env(inner: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ENV_KEEP}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    home = str(inner / "home")
    env.update(HOME=home, TMPDIR=str(inner / "t"), XDG_CONFIG_HOME=f"{home}/.config",
               XDG_CACHE_HOME=f"{home}/.cache", XDG_DATA_HOME=f"{home}/.local/share",
               XDG_RUNTIME_DIR=str(inner / "t"))
    return env


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




# --- launching -----------------------------------------------------------------------------------------------------
@dataclass
class LaunchedChromium:
    """A Chromium launched by Playwright over a pipe, in its own private folder, as its own user."""

    browser: Any                       # playwright.async_api.Browser
    policy: BrowserPolicy              # with ``sandbox`` and ``browser_user`` as measured
    args: list[str]                    # Chromium's switches
    executable: str
    launcher: list[str]                # what runs before the executable (setpriv …), or []
    folder: Path                       # the private folder (removed on close)
    user_data_dir: Path
    pid: int | None
    user_agent: str = ""
    _closed: bool = field(default=False, repr=False)

    def alive(self) -> bool:
        if not self.browser.is_connected():
            return False
        if self.pid is None:
            return True
        try:
            import psutil

            return psutil.Process(self.pid).status() != psutil.STATUS_ZOMBIE
        except Exception:  # noqa: BLE001 - gone
            return False

    def processes(self) -> list[Any]:
        """Every process of this browser (by its private profile path on the command line, and its children)."""
        import psutil

        mark = f"--user-data-dir={self.user_data_dir}"
        found: dict[int, Any] = {}
        try:
            if self.pid is not None:
                root = psutil.Process(self.pid)
                found[root.pid] = root
                found.update({c.pid: c for c in root.children(recursive=True)})
        except psutil.Error:
            pass
        for p in psutil.process_iter(["cmdline"]):
            try:
                if mark in (p.info["cmdline"] or []):
                    found[p.pid] = p
            except psutil.Error:
                continue
        return list(found.values())

    def kill(self) -> None:
        """Synchronous last resort: SIGKILL every process of this browser, remove its folder."""
        self._closed = True
        for p in self.processes():
            try:
                p.send_signal(signal.SIGKILL)
            except Exception:  # noqa: BLE001 - already gone
                pass
        shutil.rmtree(self.folder, ignore_errors=True)

    async def close(self, timeout: float = 10.0) -> None:
        """Close gracefully (Playwright waits for the process and removes its own temp folders), then make sure."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.browser.is_connected():
                await asyncio.wait_for(self.browser.close(), timeout=timeout)
        except BaseException:  # noqa: BLE001 - killed below
            pass
        left = self.processes()
        for p in left:
            try:
                p.send_signal(signal.SIGKILL)
            except Exception:  # noqa: BLE001
                pass
        if left:
            import psutil

            await asyncio.to_thread(psutil.wait_procs, left, 5)
        shutil.rmtree(self.folder, ignore_errors=True)


def _first_line(exc: BaseException) -> str:
    """The telling line of a launch failure: Chromium's own FATAL/sandbox line if the log has one."""
    text = str(exc)
    lines = text.splitlines()
    # Chromium's own FATAL line first (Playwright adds hints of its own that also mention the sandbox)
    for line in [l for l in lines if "FATAL" in l] + [l for l in lines if "sandbox" in l.lower()]:
        return re.sub(r"^\s*(\[[^\]]*\]\s*)+", "", line.strip())[:300]
    return (lines or [type(exc).__name__])[0][:300]


async def _probe(browser: Any) -> tuple[str, str]:
    """(navigator.userAgent, chrome://sandbox verdict text) from a throwaway context."""
    ctx = await browser.new_context()
    try:
        page = await ctx.new_page()
        ua = await page.evaluate("navigator.userAgent")
        try:
            await page.goto("chrome://sandbox", timeout=15000)
            text = await page.inner_text("body", timeout=5000)
        except Exception as exc:  # noqa: BLE001
            text = f"chrome://sandbox unreadable ({_first_line(exc)})"
        return ua, text
    finally:
        await ctx.close()


def _sandbox_verdict(text: str) -> str:
    if "You are adequately sandboxed" in text:
        return "on"
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]
    return "OFF: chrome://sandbox says not adequately sandboxed (" + "; ".join(lines[1:7])[:300] + ")"


async def launch_chromium(pw: Any, executable: str, policy: BrowserPolicy, resolver_rules: str | None = None,
                          ca_cert: Path | None = None, timeout: float = 60.0) -> LaunchedChromium:
    """Launch Chromium through Playwright (pipe), sandboxed, as an unprivileged user, in a private folder.

    The sandbox is tried first; if Chromium cannot start with it (no user namespaces, a seccomp policy that forbids
    them, …) it is started again with ``--no-sandbox`` and ``policy.sandbox`` says ``OFF: <why>``.
    """
    user, why_not = browser_user()
    sweep_stale_browser_dirs(browser_base(user))
    setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
    first_failure = ""
    attempts = [True, False] if user is not None else [False]
    for sandbox in attempts:
        outer, inner = _private_dirs(user, policy.third_party_cookies)
        profile = inner / "profile"
        args = chromium_args(policy, resolver_rules, sandbox=sandbox) + [f"--user-data-dir={profile}"]
        launcher: list[str] = []
        try:
            if ca_cert:
                _trust_ca(inner / "home", ca_cert)
            if user is not None and user.switch:
                _chown_tree(inner, user)
                launcher = [setpriv, f"--reuid={user.uid}", f"--regid={user.gid}", "--clear-groups",
                            "--inh-caps=-all", "--"]
            browser = await pw.chromium.launch(
                executable_path=launcher[0] if launcher else executable,
                args=[*launcher[1:], executable, *args] if launcher else args,
                ignore_default_args=True, env=_browser_env(inner), downloads_path=str(inner / "downloads"),
                timeout=timeout * 1000)
        except BrowserNotFound:
            shutil.rmtree(outer, ignore_errors=True)
            raise
        except Exception as exc:  # noqa: BLE001 - try without the sandbox, or report
            shutil.rmtree(outer, ignore_errors=True)
            if sandbox:
                first_failure = _first_line(exc)
                continue
            raise BrowserNotFound(f"{executable} could not be started: {_first_line(exc)}"
                                  + (f" (with its sandbox: {first_failure})" if first_failure else ""),
                                  fix="run it by hand with --headless=new to see why; " + INSTALL_HINT) from None
        launched = LaunchedChromium(browser, policy, args, executable, launcher, outer, profile, None)
        pids = [p for p in launched.processes() if not any(a.startswith("--type=") for a in (p.cmdline() or []))]
        launched.pid = pids[0].pid if pids else None
        try:
            ua, text = await asyncio.wait_for(_probe(browser), timeout=timeout)
        except BaseException:
            await launched.close()
            raise
        if sandbox:
            verdict = _sandbox_verdict(text)
        elif user is None:
            verdict = f"OFF: running as root, {why_not}"
        else:
            verdict = f"OFF: Chromium does not start with its sandbox on this machine ({first_failure})"
        label = user.label() if user is not None else "root (uid 0)"
        launched.policy = dataclasses.replace(policy, sandbox=verdict, browser_user=label)
        launched.user_agent = ua
        return launched
    raise AssertionError("unreachable")
