"""Issue 16: the browser that renders unvetted sites is sandboxed, unreachable and leaves nothing behind.

* sandbox on (measured by Chromium itself and by the kernel's view of the renderers), as an unprivileged user
  when we are root, DevTools over a pipe (no listening socket), a private folder, an environment without ours;
* a sandbox that cannot work is said loudly (policy record, warnings, report) - never silently;
* clean shutdown: temp entries, processes and open descriptors are the same before and after a scan - a normal
  one, one cut by its time budget, one whose browser crashed, one stopped by SIGTERM - and a scan killed with
  SIGKILL leaves no process, and its private folder is removed by the next launch.

The scans here are small (one or two fault-world visits, a few seconds each). The hostile pages are in
``tests/test_faults.py`` (``-k hostile``), the 20-scan soak in ``benchmarks/soak.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pytest

from cookieaudit.browse.chromium import (
    BROWSER_DIR_PREFIX, SANDBOX_USER, BrowserPolicy, find_chromium, host_resolver_rules, sweep_stale_browser_dirs,
)
from cookieaudit.browse.host import BrowserHost
from cookieaudit.errors import EXIT_INCOMPLETE
from cookieaudit.scan import ScanOptions, ScanResult, run_scan

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faultworld import CONTROL, NOBANNER, SLOW, FaultWorld  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.alone]

ROOT = Path(__file__).resolve().parents[1]
FAULTS_YAML = ROOT / "tests" / "data" / "expectations-faults.yaml"
CHOICE = "reject-all"
ROOTED = os.geteuid() == 0


@pytest.fixture(scope="module")
def world():
    with FaultWorld() as fw:
        yield fw


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):   # tmp_path first: it must not land in here
    """A temp dir of this test only (short path: Chromium's socket paths must fit), for Playwright and Chromium."""
    d = Path(tempfile.mkdtemp(prefix="ca-t", dir="/tmp"))
    d.chmod(0o711)
    monkeypatch.setenv("TMPDIR", str(d))
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def scan(world: FaultWorld, out: Path, domains=(CONTROL,), budget: float = 20.0, progress=None, **kw) -> ScanResult:
    return asyncio.run(run_scan(ScanOptions(expectations=FAULTS_YAML, resolve=tuple(world.resolve_args()),
                                            ca_cert=world.ca_pem, out=out, choices=(CHOICE,), domains=domains,
                                            visit_budget=budget, formats=("html",), **kw), progress))


def state(tmp: Path) -> dict:
    """What a scan must give back: temp entries, our child processes, our open descriptors."""
    me = psutil.Process()
    return {"temp": sorted(os.listdir(tmp)), "children": sorted(p.pid for p in me.children(recursive=True)),
            "fds": me.num_fds()}


def browsers_in(tmp: Path) -> list[psutil.Process]:
    """Chromium processes whose profile lies in ``tmp`` (any user)."""
    found = []
    for p in psutil.process_iter(["cmdline"]):
        cmd = p.info["cmdline"] or []
        if any(a.startswith("--user-data-dir=") and str(tmp) in a for a in cmd):
            found.append(p)
    return found


def sandbox_uid() -> int:
    return pwd.getpwnam(SANDBOX_USER).pw_uid


# --- the sandbox -------------------------------------------------------------------------------------------------
def test_browser_is_sandboxed_unprivileged_unreachable_and_private(world, private_tmp, monkeypatch):
    monkeypatch.setenv("COOKIEAUDIT_TEST_CREDENTIAL", "s3cr3t-token-of-the-caller")

    async def main() -> dict:
        from playwright.async_api import async_playwright

        facts: dict = {}
        async with async_playwright() as pw:
            host = BrowserHost(pw, find_chromium(), BrowserPolicy(), host_resolver_rules(list(world.resolve_args())),
                               world.ca_pem)
            await host.start()
            try:
                ctx = await host.browser.new_context()
                page = await ctx.new_page()
                await page.goto(f"https://{CONTROL}/", wait_until="load")
                launched = host.launched
                procs = launched.processes()
                facts["policy"] = host.describe()["policy"]
                facts["args"] = launched.args
                facts["launcher"] = launched.launcher
                facts["uids"] = {p.uids().real for p in procs}
                facts["types"] = {p.pid: next((a[7:] for a in p.cmdline() if a.startswith("--type=")), "browser")
                                  for p in procs}
                facts["listening"] = [c.laddr for p in procs for c in p.net_connections("inet") if c.status == "LISTEN"]
                browser_pid = launched.pid
                facts["browser_ns"] = os.readlink(f"/proc/{browser_pid}/ns/user")
                facts["renderers"] = []
                for pid, kind in facts["types"].items():
                    if kind == "renderer":
                        status = Path(f"/proc/{pid}/status").read_text()
                        seccomp = next(l.split()[1] for l in status.splitlines() if l.startswith("Seccomp:"))
                        facts["renderers"].append((os.readlink(f"/proc/{pid}/ns/user"),
                                                   os.readlink(f"/proc/{pid}/ns/pid"), seccomp))
                facts["environ"] = Path(f"/proc/{browser_pid}/environ").read_bytes().decode(errors="replace")
                folder = launched.folder
                facts["folder"] = folder
                facts["outer"] = (folder.stat().st_uid, oct(folder.stat().st_mode & 0o777))
                inner = folder / "u"
                facts["inner"] = (inner.stat().st_uid, oct(inner.stat().st_mode & 0o777))
                facts["profile_in_folder"] = any(a == f"--user-data-dir={inner / 'profile'}" for a in launched.args)
                await ctx.close()
            finally:
                await host.close()
            facts["after"] = [p.pid for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        return facts

    f = asyncio.run(main())
    assert f["policy"]["sandbox"] == "on", f["policy"]
    assert f["policy"]["devtools"] == "pipe" and f["policy"]["loopback"] == "blocked"
    assert "--no-sandbox" not in f["args"]
    assert "--remote-debugging-pipe" in f["args"] and not any("remote-debugging-port" in a for a in f["args"])
    assert f["listening"] == [], "a browser process listens on a TCP port"
    # the kernel's view: every renderer in its own user and PID namespace, under a seccomp-bpf filter
    assert f["renderers"], f["types"]
    for user_ns, _pid_ns, seccomp in f["renderers"]:
        assert user_ns != f["browser_ns"] and seccomp == "2"
    assert "s3cr3t-token-of-the-caller" not in f["environ"]          # the caller's environment stays out
    assert f"TMPDIR={f['folder'] / 'u' / 't'}" in f["environ"]
    assert f["profile_in_folder"]
    if ROOTED:
        uid = sandbox_uid()
        assert f["uids"] == {uid} and uid != 0, f["uids"]
        assert f["policy"]["browser_user"] == f"{SANDBOX_USER} (uid {uid})"
        assert f["launcher"][0].endswith("setpriv")
        assert f["outer"] == (0, "0o711") and f["inner"] == (uid, "0o700")
    else:
        assert f["uids"] == {os.getuid()} and f["launcher"] == []
    assert f["after"] == [] and not f["folder"].exists()              # closed: no process, no folder
    assert os.listdir(private_tmp) == []                              # Playwright's folders gone too


def _fake_chromium_without_sandbox(d: Path) -> Path:
    """A Chromium that cannot start with its sandbox (as on a machine without user namespaces)."""
    exe = d / "chromium-nosandbox"
    exe.write_text("#!/bin/sh\n"
                   "for a in \"$@\"; do [ \"$a\" = --no-sandbox ] && exec " + find_chromium() + " \"$@\"; done\n"
                   "echo '[1:1:FATAL:zygote_host_impl_linux.cc(128)] No usable sandbox! Update your kernel' >&2\n"
                   "exit 1\n")
    exe.chmod(0o755)
    return exe


def test_sandbox_that_cannot_work_is_reported_loudly(world, tmp_path):
    d = Path(tempfile.mkdtemp(prefix="ca-fake", dir="/tmp"))
    d.chmod(0o755)                                  # the browser's user must be able to run it
    try:
        result = scan(world, tmp_path / "run", browser=str(_fake_chromium_without_sandbox(d)))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    doc = result.document
    policy = doc["run"]["browser"]["policy"]
    assert policy["sandbox"].startswith("OFF: ") and "No usable sandbox" in policy["sandbox"], policy
    assert "--no-sandbox" in doc["run"]["browser"]["args"]
    warning = [w for w in doc["warnings"] if w["code"] == "browser-sandbox-off"]
    assert warning and "WITHOUT its renderer sandbox" in warning[0]["message"]
    html = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "WITHOUT its renderer sandbox" in html and "No usable sandbox" in html
    if ROOTED:                                      # still not root, even without the sandbox
        assert policy["browser_user"].startswith(SANDBOX_USER)


def test_scan_records_sandbox_on(world, tmp_path):
    doc = scan(world, tmp_path / "run").document
    assert doc["run"]["browser"]["policy"]["sandbox"] == "on"
    assert not [w for w in doc.get("warnings", []) if w["code"] == "browser-sandbox-off"]


# --- clean shutdown ------------------------------------------------------------------------------------------------
def _kill_browser_soon(tmp: Path, killed: list[int], delay: float) -> None:
    def kill() -> None:
        for p in browsers_in(tmp):
            if not any(a.startswith("--type=") for a in p.cmdline()):
                killed.append(p.pid)
                p.kill()
    threading.Timer(delay, kill).start()


@pytest.mark.parametrize("ending", ["normal", "time-out", "browser-crash"])
def test_scan_gives_back_temp_entries_processes_and_descriptors(world, private_tmp, tmp_path, ending):
    out = tmp_path / "runs"
    scan(world, out / "warm-up")                      # imports, the driver's first start: not counted
    before = state(private_tmp)
    killed: list[int] = []
    if ending == "normal":
        result = scan(world, out / "run")
        assert result.document["summary"]["incomplete"] == 0
    elif ending == "time-out":
        result = scan(world, out / "run", domains=(SLOW,), budget=4.0)
        assert "time budget of 4 s for this visit exhausted" in " ".join(result.document["visits"][0]["errors"])
    else:
        def progress(event: str, data: dict) -> None:
            if event == "visit-end" and data["domain"] == CONTROL:
                _kill_browser_soon(private_tmp, killed, 1.0)
        result = scan(world, out / "run", domains=(CONTROL, NOBANNER), progress=progress, concurrency=1)
        assert killed and result.document["run"]["browser"]["restarts"], "the browser was not killed"
    time.sleep(0.5)
    after = state(private_tmp)
    assert after == before, f"{ending}: {before} → {after}"
    assert browsers_in(private_tmp) == []
    assert before["temp"] == []


def _cli_scan(world: FaultWorld, out: Path, tmp: Path, *domains: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "cookieaudit", "scan", "--expectations", str(FAULTS_YAML), "--plain",
           "--out", str(out), "--choice", CHOICE, "--concurrency", "1", "--visit-budget", "20",
           "--ca-cert", str(world.ca_pem), *[a for r in world.resolve_args() for a in ("--resolve", r)],
           *[a for d in domains for a in ("--domain", d)]]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "TMPDIR": str(tmp)})


def _descendants(proc: subprocess.Popen) -> list[psutil.Process]:
    try:
        return psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        return []


def _wait_for_browser(tmp: Path, proc: subprocess.Popen, timeout: float = 60) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if browsers_in(tmp):
            return _descendants(proc) + browsers_in(tmp)
        time.sleep(0.2)
    raise AssertionError("the scan's browser never started")


def _gone(procs: list[psutil.Process], timeout: float = 15) -> list[int]:
    _, alive = psutil.wait_procs([p for p in procs if p.is_running()], timeout=timeout)
    return [p.pid for p in alive if p.status() != psutil.STATUS_ZOMBIE]


def test_sigterm_leaves_no_process_and_no_temp_entry(world, private_tmp, tmp_path):
    proc = _cli_scan(world, tmp_path / "run", private_tmp, CONTROL, NOBANNER, SLOW)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.strip().startswith("complete"):        # the first visit ended
                break
        procs = _wait_for_browser(private_tmp, proc)
        assert any("node" in (p.name() or "") for p in procs), "no Playwright driver seen"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == EXIT_INCOMPLETE, err
    assert _gone(procs) == [], "processes left after SIGTERM"
    assert os.listdir(private_tmp) == []
    assert json.loads((tmp_path / "run" / "findings.json").read_text())["status"] == "incomplete"


def test_sigkill_leaves_no_process_and_the_next_launch_removes_the_folder(world, private_tmp, tmp_path):
    proc = _cli_scan(world, tmp_path / "run", private_tmp, SLOW)
    try:
        procs = _wait_for_browser(private_tmp, proc)
        time.sleep(1.0)
        proc.kill()                                       # no handler, no finally: the hardest way to end
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _gone(procs) == [], "the browser or the driver outlived a killed scan"
    left = [n for n in os.listdir(private_tmp) if n.startswith(BROWSER_DIR_PREFIX)]
    assert left == [f for f in left if f.startswith(f"{BROWSER_DIR_PREFIX}{proc.pid}-")]
    removed = sweep_stale_browser_dirs(private_tmp)          # what every launch does first
    assert sorted(p.name for p in removed) == sorted(left)
    assert not [n for n in os.listdir(private_tmp) if n.startswith(BROWSER_DIR_PREFIX)]
