"""Shared fixtures: the demo world and one full demo scan, both started once per test session.

The full scan is the expensive part (5 domains × 6 choices in real Chromium); every end-to-end test reads
its run folder instead of scanning again.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXPECTATIONS = ROOT / "expectations" / "online-3d.yaml"


@pytest.fixture(scope="session")
def demo_world():
    """The default demo world in its own process (as `cookieaudit demo` runs it)."""
    from cookieaudit.world import WorldConfig
    from cookieaudit.world.process import DemoWorldProcess

    with DemoWorldProcess(WorldConfig(scenario="default")) as world:
        yield world


@pytest.fixture(scope="session")
def demo_scan(demo_world, tmp_path_factory):
    """The full matrix against the default (planted-violations) demo world."""
    from cookieaudit.scan import ScanOptions, run_scan

    out = tmp_path_factory.mktemp("demo-run") / "run"
    opts = ScanOptions(expectations=EXPECTATIONS, out=out, resolve=tuple(demo_world.resolve_args()),
                       ca_cert=demo_world.ca_pem, formats=("html", "junit", "markdown", "csv"))
    return asyncio.run(run_scan(opts))
