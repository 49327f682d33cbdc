"""Shared fixtures: the demo world and one full demo scan, each made once per test session.

The full scan is the expensive part (5 domains × every choice in real Chromium); every end-to-end test reads
its run folder instead of scanning again.

Under pytest-xdist (``make test TEST_WORKERS=N``) the session would otherwise be per worker. So the controller
process owns both: it starts the demo world before the first worker starts and runs the demo scan in a
background thread at once, while the workers run other tests. Workers get the world's address through
``workerinput`` and read the scan from a pickle the controller writes when it is done. Without xdist
(``pytest tests/test_x.py``) the fixtures make their own world and scan, as before.

``make test TEST_WORKERS=N`` schedules whole modules (``--dist loadscope``), so a module-scoped fixture (a world, a scan) is
built once, on one worker. (``loadgroup`` would be finer, but pytest-xdist 3.8 cannot add its group to a test id
under pytest 9, so it silently schedules every test alone.)
"""

from __future__ import annotations

import asyncio
import json
import pickle
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXPECTATIONS = ROOT / "expectations" / "online-3d.yaml"
DEMO_FORMATS = ("html", "junit", "markdown", "csv")
SHARED_KEY = "cookieaudit_demo"
SCAN_WAIT = 1200.0          # a worker waits this long for the controller's demo scan (it takes about a minute)


def demo_scan_options(world, out: Path):
    from cookieaudit.scan import ScanOptions

    return ScanOptions(expectations=EXPECTATIONS, out=out, resolve=tuple(world.resolve_args()),
                       ca_cert=world.ca_pem, formats=DEMO_FORMATS)


# --- the controller's side (xdist) ------------------------------------------------------------------------------------
class SharedDemo:
    """In the xdist controller: the demo world plus the demo scan running in a thread of its own."""

    def __init__(self) -> None:
        from cookieaudit.world import WorldConfig
        from cookieaudit.world.process import DemoWorldProcess

        self.folder = Path(tempfile.mkdtemp(prefix="cookieaudit-tests-demo-"))
        # started from the main thread: the world dies with the thread that started it (PR_SET_PDEATHSIG)
        self.world = DemoWorldProcess(WorldConfig(scenario="default")).__enter__()
        self.result = self.folder / "scan.pickle"
        self.error = self.folder / "scan.error"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._thread = threading.Thread(target=self._scan, name="demo-scan", daemon=True)
        self._thread.start()

    async def _run(self):
        from cookieaudit.scan import run_scan

        self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()    # for close() to cancel it
        return await run_scan(demo_scan_options(self.world, self.folder / "run"))

    def _scan(self) -> None:
        try:
            with asyncio.Runner() as runner:     # on exit it also ends the scan's own tasks when cancelled
                result = runner.run(self._run())
            tmp = self.result.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(result))
            tmp.replace(self.result)
        except BaseException as exc:     # noqa: BLE001 - the workers must learn why, not wait forever
            self.error.write_text(f"{type(exc).__name__}: {exc}")

    def info(self) -> str:
        return json.dumps({"resolve": self.world.resolve_args(), "ca_pem": str(self.world.ca_pem),
                           "port": self.world.port, "hosts": self.world.hosts,
                           "result": str(self.result), "error": str(self.error)})

    def close(self) -> None:
        if self._thread.is_alive() and self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)     # the session ended before anyone needed it
            self._thread.join(timeout=60)
        self.world.__exit__(None, None, None)
        shutil.rmtree(self.folder, ignore_errors=True)


_shared: SharedDemo | None = None


def _wants_browser(config: pytest.Config) -> bool:
    markexpr = (config.getoption("markexpr", "") or "").replace(" ", "")
    return not ("notbrowser" in markexpr and "notserver" in markexpr)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """xdist controller, once per worker before it starts: hand it the shared demo world (made on first call)."""
    global _shared
    if not _wants_browser(node.config):
        return
    if _shared is None:
        _shared = SharedDemo()
    node.workerinput[SHARED_KEY] = _shared.info()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _shared
    if _shared is not None and not hasattr(config, "workerinput"):
        _shared.close()
        _shared = None


# --- the worker's side ------------------------------------------------------------------------------------------------
class WorldAddress:
    """A world another process runs: the surface tests use (``resolve_args()``, ``ca_pem``, ``port``, ``hosts``)."""

    def __init__(self, info: dict) -> None:
        self._resolve = list(info["resolve"])
        self.ca_pem = Path(info["ca_pem"])
        self.port = int(info["port"])
        self.hosts = list(info["hosts"])

    def resolve_args(self) -> list[str]:
        return list(self._resolve)


def _shared_info(config: pytest.Config) -> dict | None:
    raw = getattr(config, "workerinput", {}).get(SHARED_KEY)
    return json.loads(raw) if raw else None


@pytest.fixture(scope="session")
def demo_world(pytestconfig):
    """The default demo world in its own process (as `cookieaudit demo` runs it)."""
    info = _shared_info(pytestconfig)
    if info is not None:
        yield WorldAddress(info)
        return
    from cookieaudit.world import WorldConfig
    from cookieaudit.world.process import DemoWorldProcess

    with DemoWorldProcess(WorldConfig(scenario="default")) as world:
        yield world


@pytest.fixture(scope="session")
def demo_scan(demo_world, pytestconfig, tmp_path_factory):
    """The full matrix against the default (planted-violations) demo world."""
    info = _shared_info(pytestconfig)
    if info is not None:
        result, error = Path(info["result"]), Path(info["error"])
        deadline = time.monotonic() + SCAN_WAIT
        while not result.exists():
            if error.exists():
                pytest.fail(f"the shared demo scan failed in the controller: {error.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the shared demo scan did not finish within {SCAN_WAIT:.0f} s")
            time.sleep(0.2)
        return pickle.loads(result.read_bytes())
    from cookieaudit.scan import run_scan

    return asyncio.run(run_scan(demo_scan_options(demo_world, tmp_path_factory.mktemp("demo-run") / "run")))
