"""The expectations file: the shipped one is valid and faithful to the policy; bad files fail with file and line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cookieaudit.errors import ConfigError
from cookieaudit.expectations import load_expectations

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "expectations" / "online-3d.yaml"


def test_shipped_expectations_follow_the_policy():
    exp = load_expectations(SHIPPED)
    assert [d.host for d in exp.domains] == ["online-3d-printen.nl", "online-3d-winkel.nl", "online-3d-printen.be",
                                            "online-3d-drucken.at", "online-3d-drucken.de"]
    assert {v.id for v in exp.vendors} == {"google-tag-manager", "google-analytics", "microsoft-clarity", "brevo",
                                           "hotjar", "google-ads"}
    assert [c.id for c in exp.categories] == ["necessary", "performance", "functional", "targeting"]
    assert exp.retention.technical_data_days == 365 and exp.retention.ref == "Art. 6"
    assert exp.claims.ga_ip_anonymised.value and exp.claims.storage_in_eea.ref == "Art. 12"
    assert exp.choices() == ["no-interaction", "reject-all", "accept-all", "only-performance", "only-functional",
                             "only-targeting"]
    assert exp.accepted_categories("only-targeting") == {"necessary", "targeting"}
    assert exp.accepted_categories("reject-all") == {"necessary"}
    assert all(v.ref.startswith("Art.") for v in exp.vendors)


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_misspelt_key_names_file_line_and_field(tmp_path):
    text = SHIPPED.read_text(encoding="utf-8").replace("    necessary: true\n", "    necesary: true\n", 1)
    bad = _write(tmp_path, text)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "necesary" in l)
    with pytest.raises(ConfigError) as exc:
        load_expectations(bad)
    msg = str(exc.value)
    assert f"{bad}:{line}:" in msg and "categories.0.necesary" in msg and "fix:" in msg


def test_wrong_type_names_its_line(tmp_path):
    text = SHIPPED.read_text(encoding="utf-8").replace("technical_data_days: 365", "technical_data_days: a year")
    bad = _write(tmp_path, text)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "a year" in l)
    with pytest.raises(ConfigError) as exc:
        load_expectations(bad)
    assert f"{bad}:{line}: retention.technical_data_days" in str(exc.value)


def test_unknown_category_of_a_vendor_is_rejected(tmp_path):
    text = SHIPPED.read_text(encoding="utf-8").replace("categories: [targeting]", "categories: [marketing]", 1)
    with pytest.raises(ConfigError) as exc:
        load_expectations(_write(tmp_path, text))
    assert "unknown category 'marketing'" in str(exc.value)


def test_yaml_syntax_error_has_a_line(tmp_path):
    bad = _write(tmp_path, "schema: cookieaudit.expectations/1\npolicy: [unclosed\n")
    with pytest.raises(ConfigError) as exc:
        load_expectations(bad)
    assert f"{bad}:" in str(exc.value) and "YAML syntax error" in str(exc.value)


def test_cli_exits_64_with_file_and_line(tmp_path):
    text = SHIPPED.read_text(encoding="utf-8").replace("country: BE", "country: Belgium")
    bad = _write(tmp_path, text)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "Belgium" in l)
    proc = subprocess.run([sys.executable, "-m", "cookieaudit", "scan", "--expectations", str(bad), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 64, proc.stderr
    assert f"{bad}:{line}: domains.2.country" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_unknown_flag_is_a_usage_error_64():
    proc = subprocess.run([sys.executable, "-m", "cookieaudit", "scan", "--no-such-flag"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 64
