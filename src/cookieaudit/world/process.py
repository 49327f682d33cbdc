"""The demo world in its own process, for the demo command and the benchmark.

Serving 25 hosts from a thread of the auditing process makes the world and the audit share one GIL; the
audit then measures its own test bed. In a separate process the world behaves like the remote sites it
stands in for and uses the other core.
"""

from __future__ import annotations

import ctypes
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from .config import WorldConfig


class DemoWorldProcess:
    """Same surface as :class:`DemoWorld` (``port``, ``ca_pem``, ``hosts``, ``resolve_args()``)."""

    def __init__(self, cfg: WorldConfig | None = None, host: str = "127.0.0.1", startup_timeout: float = 60.0):
        self.cfg = cfg or WorldConfig()
        self.host = host
        self.startup_timeout = startup_timeout
        self.port = 0
        self.hosts: list[str] = []
        self._resolve: list[str] = []
        self._tmp = Path(tempfile.mkdtemp(prefix="cookieaudit-worldproc-"))
        self.ca_pem = self._tmp / "ca.pem"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "DemoWorldProcess":
        cfg = self.cfg
        cmd = [sys.executable, "-m", "cookieaudit.world", "--host", self.host, "--port", "0",
               "--ca-out", str(self.ca_pem), "--scenario", cfg.scenario,
               "--latency-ms", ",".join(map(str, cfg.latency_ms)),
               "--vendor-latency-ms", ",".join(map(str, cfg.vendor_latency_ms)), "--seed", str(cfg.seed),
               "--overrides", json.dumps(cfg.overrides or {})]
        if cfg.variant_seed is not None:
            cmd += ["--variant-seed", str(cfg.variant_seed)]
        self._log = open(self._tmp / "world.log", "w")   # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._log, text=True,
                                     preexec_fn=_die_with_parent)
        deadline = time.monotonic() + self.startup_timeout
        in_resolve = False
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                self._log.flush()
                err = (self._tmp / "world.log").read_text(errors="replace")
                self.__exit__(None, None, None)
                raise RuntimeError(f"the demo world process exited: {err.strip()[-2000:]}")
            line = line.rstrip("\n")
            if line.startswith("resolve:"):
                in_resolve = True
            elif in_resolve and line.startswith("  ") and "=" in line:
                self._resolve.append(line.strip())
            elif line.startswith("Ctrl-C"):
                break
            else:
                in_resolve = False
        else:
            self.__exit__(None, None, None)
            raise RuntimeError("the demo world process did not start in time")
        # keep draining stdout so the world never blocks on a full pipe
        threading.Thread(target=_drain, args=(self.proc.stdout,), daemon=True).start()
        self.hosts = [r.split("=", 1)[0] for r in self._resolve]
        self.port = int(self._resolve[0].rsplit(":", 1)[1]) if self._resolve else 0
        return self

    def resolve_args(self) -> list[str]:
        return list(self._resolve)

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if hasattr(self, "_log"):
            self._log.close()
        shutil.rmtree(self._tmp, ignore_errors=True)       # the CA and the log: nothing left in the temp dir


def _drain(stream: IO[str]) -> None:
    """Read and discard a pipe until it closes."""
    for _ in stream:
        pass


_PRCTL: Callable[..., int] | None
try:   # resolved here, not in the forked child (no dynamic loading between fork and exec)
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):   # not Linux: the parent's __exit__ still stops the world
    _PRCTL = None


def _die_with_parent() -> None:
    """In the world's process: SIGTERM when the thread that started it dies (its process killed, even by SIGKILL):
    no orphan world. Start a DemoWorldProcess from a thread that outlives it (the main thread, as the CLI does)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)    # PR_SET_PDEATHSIG
