"""Speed never changes the verdict: the same findings at concurrency 1 and at the default concurrency (issue 8)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cookieaudit.scan import ScanOptions, default_concurrency, run_scan

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]


def _verdict(doc):
    return sorted((f["id"], f["rule"], f["severity"], f["vendor"]) for f in doc["findings"])


def test_findings_identical_at_concurrency_1_and_n(demo_world, tmp_path):
    n = max(3, default_concurrency())
    docs = {}
    for c in (1, n):
        opts = ScanOptions(expectations=ROOT / "expectations" / "online-3d.yaml", out=tmp_path / f"c{c}",
                           domains=("online-3d-printen.be", "online-3d-drucken.at"),
                           choices=("no-interaction", "reject-all", "accept-all", "only-performance"),
                           resolve=tuple(demo_world.resolve_args()), ca_cert=demo_world.ca_pem, concurrency=c,
                           formats=("html",))
        docs[c] = asyncio.run(run_scan(opts)).document
        assert docs[c]["summary"]["incomplete"] == 0
    assert docs[1]["findings"], "the planted violations must be found at all"
    assert _verdict(docs[1]) == _verdict(docs[n])
    assert [v["consent"]["outcome"] for v in docs[1]["visits"]] == [v["consent"]["outcome"] for v in docs[n]["visits"]]
