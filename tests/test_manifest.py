"""manifest.sha256 / evidence-manifest.sha256: written, verified, and compatible with GNU sha256sum."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from cookieaudit.manifest import (EVIDENCE_MANIFEST_NAME, MANIFEST_NAME, read_manifest, verify_evidence_manifest,
                                  verify_manifest, write_evidence_manifest, write_manifest)

FIXTURE = Path(__file__).parent / "data" / "run"
SHOT = "evidence/online-3d-printen.nl/no-interaction/before-consent.png"


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    dst = tmp_path / "run"
    shutil.copytree(FIXTURE, dst)
    (dst / "report.html").write_text("<p>rendered</p>")
    return dst


def test_fresh_folder_verifies(run_dir: Path) -> None:
    path = write_manifest(run_dir)
    assert path == run_dir / MANIFEST_NAME
    entries = read_manifest(path)
    assert MANIFEST_NAME not in entries
    assert {"findings.json", "report.html", SHOT} <= set(entries)
    assert list(entries) == sorted(entries)
    assert entries[SHOT] == hashlib.sha256((run_dir / SHOT).read_bytes()).hexdigest()
    assert verify_manifest(run_dir) == []


def test_one_byte_changed(run_dir: Path) -> None:
    write_manifest(run_dir)
    data = bytearray((run_dir / SHOT).read_bytes())
    data[100] ^= 0x01
    (run_dir / SHOT).write_bytes(bytes(data))
    assert verify_manifest(run_dir) == [f"changed: {SHOT}"]


def test_file_removed(run_dir: Path) -> None:
    write_manifest(run_dir)
    (run_dir / SHOT).unlink()
    assert verify_manifest(run_dir) == [f"missing: {SHOT}"]


def test_file_added(run_dir: Path) -> None:
    write_manifest(run_dir)
    (run_dir / "evidence" / "planted.png").write_bytes(b"\x89PNG")
    assert verify_manifest(run_dir) == [f"extra: evidence/planted.png (not in {MANIFEST_NAME})"]


def test_missing_or_malformed_manifest(run_dir: Path) -> None:
    assert verify_manifest(run_dir) == [f"{MANIFEST_NAME}: not found"]
    (run_dir / MANIFEST_NAME).write_text("not a manifest line\n")
    assert verify_manifest(run_dir) == [f"{MANIFEST_NAME}:1: not a '<sha256>  <path>' line"]


def test_evidence_manifest_scope(run_dir: Path) -> None:
    """findings.json + everything in sub-folders; not the rendered top-level outputs, not the manifests."""
    entries = read_manifest(write_evidence_manifest(run_dir))
    assert "findings.json" in entries and SHOT in entries
    assert "report.html" not in entries and EVIDENCE_MANIFEST_NAME not in entries
    assert all(p == "findings.json" or "/" in p for p in entries)
    (run_dir / "report.html").write_text("<p>re-rendered</p>")     # outputs may change: evidence stays intact
    assert verify_evidence_manifest(run_dir) == []


def test_final_manifest_covers_the_evidence_manifest(run_dir: Path) -> None:
    write_evidence_manifest(run_dir)
    entries = read_manifest(write_manifest(run_dir))
    assert EVIDENCE_MANIFEST_NAME in entries
    assert verify_manifest(run_dir) == []


def test_evidence_changed_after_the_report_is_caught_even_if_manifest_rewritten(run_dir: Path) -> None:
    """Re-blessing tampered evidence with a new manifest.sha256 still shows against the evidence manifest."""
    write_evidence_manifest(run_dir)
    (run_dir / SHOT).write_bytes(b"tampered")
    write_manifest(run_dir)
    assert verify_manifest(run_dir) == [f"{EVIDENCE_MANIFEST_NAME}: changed: {SHOT}"]


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="GNU sha256sum not installed")
def test_sha256sum_compatible(run_dir: Path) -> None:
    odd = run_dir / "evidence" / "odd name with \\ backslash.txt"
    odd.write_text("x")
    write_evidence_manifest(run_dir)
    write_manifest(run_dir)
    for name in (MANIFEST_NAME, EVIDENCE_MANIFEST_NAME):
        out = subprocess.run(["sha256sum", "-c", "--strict", "--quiet", name], cwd=run_dir, capture_output=True,
                             text=True)
        assert out.returncode == 0, out.stdout + out.stderr
    assert verify_manifest(run_dir) == []
    assert "evidence/odd name with \\ backslash.txt" in read_manifest(run_dir / MANIFEST_NAME)
