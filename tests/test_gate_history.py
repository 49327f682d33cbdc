"""History file (CSV without pyarrow, Parquet with it) and the trend chart (SVG parses as XML, PNG header)."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from cookieaudit.errors import ConfigError
from cookieaudit.findings import Finding
from cookieaudit.gate.history import append_history, history_rows, read_history, trend_chart

NL, BE = "online-3d-printen.nl", "online-3d-printen.be"


def _doc(run: int, findings: list[tuple[str, str, str]]) -> dict:
    fs = [Finding(rule=r, severity=s, domain=d, choice="reject-all", phase=None, jurisdiction="NL", vendor=None,
                  subject={"kind": "cookie", "name": f"c{i}", "domain": d}, message="m").to_dict()
          for i, (r, d, s) in enumerate(findings)]
    return {"schema": "cookieaudit.findings/1", "status": "complete",
            "run": {"id": f"run-{run}", "started_utc": f"2026-11-{run:02d}T02:00:00Z",
                    "ended_utc": f"2026-11-{run:02d}T02:30:00Z"},
            "domains": [{"host": NL}, {"host": BE}],
            "visits": [{"domain": NL, "choice": "reject-all", "status": "complete"},
                       {"domain": BE, "choice": "reject-all", "status": "complete"}],
            "findings": fs, "summary": {"exit_code": 1 if fs else 0}}


NIGHTS = [
    _doc(1, [("pre-consent-tracking", NL, "high"), ("pre-consent-tracking", NL, "high"),
             ("undeclared-tracker", BE, "high"), ("cookie-lifetime", BE, "low")]),
    _doc(2, [("pre-consent-tracking", NL, "high"), ("cookie-lifetime", BE, "low"), ("kb-note", BE, "info")]),
    _doc(3, []),
]


def test_history_rows_and_append_replaces_same_run(tmp_path):
    rows = history_rows(NIGHTS[0])
    key = {(r["domain"], r["rule"], r["severity"]): r["count"] for r in rows}
    assert key == {(NL, "pre-consent-tracking", "high"): 2, (BE, "undeclared-tracker", "high"): 1,
                   (BE, "cookie-lifetime", "low"): 1}
    assert {r["run_id"] for r in rows} == {"run-1"}
    zero = history_rows(NIGHTS[2])
    assert sorted((r["domain"], r["rule"], r["count"]) for r in zero) == [(BE, "-", 0), (NL, "-", 0)]

    path = tmp_path / "hist" / "history.csv"
    for doc in NIGHTS:
        append_history(doc, path)
    append_history(NIGHTS[1], path)                  # a retried job: replaced, not doubled
    df = read_history(path)
    assert sorted(df["run_id"].unique()) == ["run-1", "run-2", "run-3"]
    assert len(df) == 3 + 3 + 2
    per_run = df.groupby("run_id")["count"].sum().to_dict()
    assert per_run == {"run-1": 4, "run-2": 3, "run-3": 0}


def test_csv_history_needs_no_pyarrow(tmp_path):
    code = (
        "import sys; sys.modules['pyarrow'] = None; sys.modules['fastparquet'] = None\n"
        "import json; from cookieaudit.gate.history import append_history, read_history\n"
        f"doc = json.loads({__import__('json').dumps(__import__('json').dumps(NIGHTS[0]))})\n"
        f"append_history(doc, {str(tmp_path / 'h.csv')!r}); append_history(doc, {str(tmp_path / 'h.csv')!r})\n"
        f"print(len(read_history({str(tmp_path / 'h.csv')!r})))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "3"


def test_parquet_history(tmp_path):
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match="Parquet needs pyarrow"):
            append_history(NIGHTS[0], tmp_path / "h.parquet")
        assert not (tmp_path / "h.parquet").exists()
        return
    for doc in NIGHTS:
        append_history(doc, tmp_path / "h.parquet")
    assert len(read_history(tmp_path / "h.parquet")) == 8


def test_bad_history_paths(tmp_path):
    with pytest.raises(ConfigError, match="unknown file type"):
        append_history(NIGHTS[0], tmp_path / "h.txt")
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ConfigError, match="not a cookieaudit history"):
        append_history(NIGHTS[0], tmp_path / "other.csv")
    with pytest.raises(ConfigError, match="file not found"):
        trend_chart(tmp_path / "none.csv", tmp_path / "t.svg")


@pytest.fixture()
def history(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "history.csv"
    for doc in NIGHTS:
        append_history(doc, path)
    return path


def test_trend_svg_is_xml_with_the_domains(history, tmp_path):
    out = trend_chart(history, tmp_path / "charts" / "trend.svg")
    data = out.read_bytes()
    assert len(data) > 5000
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")
    text = data.decode()
    assert NL in text and BE in text and "pre-consent-tracking" in text
    assert "kb-note" not in text                     # info is below the default --min-severity low
    again = trend_chart(history, tmp_path / "again.svg").read_bytes()
    assert again == data                             # deterministic


def test_trend_png_and_cli(history, tmp_path):
    import click
    from click.testing import CliRunner

    from cookieaudit.gate.commands import register

    out = trend_chart(history, tmp_path / "trend.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 5000

    cli = click.Group("cookieaudit")
    register(cli)
    r = CliRunner().invoke(cli, ["trend", "--history", str(history), "--out", str(tmp_path / "cli.svg")])
    assert r.exit_code == 0, r.output
    ET.fromstring((tmp_path / "cli.svg").read_bytes())
    r = CliRunner().invoke(cli, ["trend", "--history", str(history), "--out", str(tmp_path / "x.gif")])
    assert r.exit_code == 64 and "unknown image type" in r.output


def test_trend_of_an_empty_history(tmp_path):
    pytest.importorskip("matplotlib")
    (tmp_path / "h.csv").write_text("")
    out = trend_chart(tmp_path / "h.csv", tmp_path / "t.svg")
    assert "no runs in the history yet" in out.read_text()
