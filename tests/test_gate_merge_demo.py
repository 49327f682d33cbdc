"""Sharded nightly audit: merging real per-domain shard runs gives the same findings as one unsharded run."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cookieaudit.gate import merge_runs
from cookieaudit.manifest import verify_manifest
from cookieaudit.scan import ScanOptions, run_scan

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
EXP = ROOT / "expectations" / "online-3d.yaml"
DOMAINS = ("online-3d-winkel.nl", "online-3d-printen.be")
CHOICES = ("no-interaction", "reject-all", "accept-all")


def _scan(world, out: Path, shard: str | None = None) -> dict:
    opts = ScanOptions(expectations=EXP, out=out, domains=DOMAINS, choices=CHOICES, shard=shard,
                       resolve=tuple(world.resolve_args()), ca_cert=world.ca_pem, formats=("html",))
    return asyncio.run(run_scan(opts)).document


def test_merged_shards_equal_one_unsharded_run(demo_world, tmp_path):
    whole = _scan(demo_world, tmp_path / "whole")
    shards = [tmp_path / "s1", tmp_path / "s2"]
    parts = [_scan(demo_world, shards[0], "1/2"), _scan(demo_world, shards[1], "2/2")]
    assert {v["domain"] for v in parts[0]["visits"]}.isdisjoint({v["domain"] for v in parts[1]["visits"]})
    merged = merge_runs(shards, tmp_path / "merged", EXP)
    key = lambda doc: sorted((f["id"], f["rule"], f["severity"]) for f in doc["findings"])  # noqa: E731
    assert whole["findings"] and key(merged.to_dict()) == key(whole)
    assert merged.summary.visits == whole["summary"]["visits"] == len(DOMAINS) * len(CHOICES)
    assert merged.summary.exit_code == whole["summary"]["exit_code"]
    assert verify_manifest(tmp_path / "merged") == []
