"""Run history (one row per run × domain × rule × severity) and the trend chart drawn from it.

The history file is CSV or Parquet, chosen by its extension (``.csv``, ``.parquet``/``.pq``). CSV needs only
pandas; Parquet needs pyarrow (or fastparquet). Appending the same run twice replaces its rows, so a retried
CI job does not count a night twice. A scanned domain without findings gets one row with rule ``-`` and count
0, so the chart shows it going to zero instead of disappearing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from ..errors import ConfigError
from ..findings import SEVERITIES, severity_rank
from ..rundoc import RunDocument, as_document

COLUMNS = ["run_id", "started_utc", "ended_utc", "run_status", "exit_code", "domain", "rule", "severity",
           "count", "new", "waived"]
NO_FINDINGS = "-"


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise ConfigError(f"--history {path}: unknown file type {suffix or '(none)'}",
                      fix="name the history file *.csv (works everywhere) or *.parquet (needs pyarrow)")


def check_history_path(path: str | Path) -> Path:
    """Validate a --history argument before a scan starts (extension, readable if it exists); ConfigError if not."""
    p = Path(path)
    _kind(p)
    read_history(p)
    return p


def history_rows(document: RunDocument | Mapping[str, Any]) -> list[dict[str, Any]]:
    doc = as_document(document)
    base = {"run_id": doc.run_id or "", "started_utc": doc.run.get("started_utc") or "",
            "ended_utc": doc.run.get("ended_utc") or "", "run_status": doc.status,
            "exit_code": doc.summary.exit_code}
    counts: dict[tuple[str, str, str], dict[str, int]] = {}
    for f in doc.findings:
        c = counts.setdefault((f.domain, f.rule, f.severity), {"count": 0, "new": 0, "waived": 0})
        c["count"] += 1
        c["new"] += 1 if (f.status or "new") == "new" else 0
        c["waived"] += 1 if f.waived else 0
    domains = [d.host for d in doc.domains]
    for v in doc.visits:
        if v.domain not in domains:
            domains.append(v.domain)
    rows = []
    for (domain, rule, sev), c in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1], -severity_rank(kv[0][2]))):
        rows.append({**base, "domain": domain, "rule": rule, "severity": sev, **c})
    for d in domains:
        if not any(k[0] == d for k in counts):
            rows.append({**base, "domain": d, "rule": NO_FINDINGS, "severity": NO_FINDINGS, "count": 0, "new": 0,
                         "waived": 0})
    return rows


def read_history(path: str | Path):
    """The history as a pandas DataFrame (empty, with the columns, when the file does not exist yet)."""
    import pandas as pd

    p = Path(path)
    kind = _kind(p)
    if not p.exists() or p.stat().st_size == 0:
        return pd.DataFrame(columns=COLUMNS)
    try:
        if kind == "csv":
            df = pd.read_csv(p, dtype={"run_id": str, "domain": str, "rule": str, "severity": str},
                             keep_default_na=False)
        else:
            df = pd.read_parquet(p)
    except ImportError as exc:
        raise ConfigError(f"--history {p}: Parquet needs pyarrow ({exc})",
                          fix="pip install pyarrow, or use a .csv history file") from None
    except Exception as exc:  # noqa: BLE001 - any parser error is a bad input file
        raise ConfigError(f"--history {p}: cannot read it ({exc})",
                          fix="pass a history file written by cookieaudit, or a new file name") from None
    missing = [c for c in ("run_id", "started_utc", "domain", "rule", "severity", "count") if c not in df.columns]
    if missing:
        raise ConfigError(f"--history {p}: not a cookieaudit history (missing columns {missing})",
                          fix="pass a history file written by cookieaudit, or a new file name")
    return df


def append_history(document: RunDocument | Mapping[str, Any], path: str | Path) -> int:
    """Append this run's rows to the history file (replacing earlier rows of the same run); returns rows written."""
    import pandas as pd

    p = Path(path)
    kind = _kind(p)
    old = read_history(p)
    doc = as_document(document)
    new = pd.DataFrame(history_rows(doc), columns=COLUMNS)
    run_id = doc.run_id or ""
    started = doc.run.get("started_utc") or ""
    if len(old):
        same = (old["run_id"].astype(str) == run_id) & (old["started_utc"].astype(str) == started)
        old = old[~same]
    frames = [f for f in (old, new) if len(f)]
    df = pd.concat(frames, ignore_index=True) if frames else new
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".part")
    try:
        if kind == "csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
    except ImportError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"--history {p}: Parquet needs pyarrow ({exc})",
                          fix="pip install pyarrow, or use a .csv history file") from None
    tmp.replace(p)
    return len(new)


def trend_chart(history_path: str | Path, out_path: str | Path, *, min_severity: str = "low",
                top_rules: int = 8) -> Path:
    """Draw findings per domain and per rule over time (SVG or PNG by extension); returns ``out_path``.

    Counts findings at or above ``min_severity``. Deterministic output (no timestamps in the SVG).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.dates as mdates
    import pandas as pd
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = Path(out_path)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png", "pdf"):
        raise ConfigError(f"--out {out}: unknown image type {out.suffix or '(none)'}",
                          fix="name the chart *.svg or *.png")
    if min_severity not in SEVERITIES:
        raise ConfigError(f"--min-severity {min_severity}: unknown severity", fix=f"use one of: {', '.join(SEVERITIES)}")
    hp = Path(history_path)
    if not hp.exists():
        raise ConfigError(f"--history {hp}: file not found",
                          fix="write one with `cookieaudit scan/merge --history FILE` first")
    df = read_history(hp)
    matplotlib.rcParams["svg.hashsalt"] = "cookieaudit"
    fig = Figure(figsize=(10, 7.5), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax_dom, ax_rule = fig.subplots(2, 1, sharex=True)
    fig.suptitle(f"cookieaudit findings over time (severity ≥ {min_severity})")
    if len(df) == 0:
        for ax in (ax_dom, ax_rule):
            ax.text(0.5, 0.5, "no runs in the history yet", ha="center", va="center", transform=ax.transAxes)
    else:
        df = df.copy()
        df["count"] = pd.to_numeric(df["count"], errors="coerce").fillna(0).astype(int)
        df["when"] = pd.to_datetime(df["started_utc"], utc=True, errors="coerce")
        df = df[df["when"].notna()]
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        keep = df["severity"].map(lambda s: rank.get(s, -1) >= rank[min_severity])
        runs = df.drop_duplicates(["run_id", "started_utc"])[["run_id", "started_utc", "when"]].sort_values("when")
        counted = df[keep]
        domains = list(dict.fromkeys(df.loc[df["domain"] != "", "domain"]))
        by_dom = counted.groupby(["when", "domain"])["count"].sum().unstack(fill_value=0)
        by_dom = by_dom.reindex(index=runs["when"], columns=domains, fill_value=0)
        for d in domains:
            ax_dom.plot(by_dom.index, by_dom[d].values, marker="o", linewidth=1.6, label=d)
        ax_dom.set_ylabel("findings per domain")
        by_rule = counted[counted["rule"] != NO_FINDINGS].groupby(["when", "rule"])["count"].sum().unstack(fill_value=0)
        by_rule = by_rule.reindex(index=runs["when"], fill_value=0)
        rules = list(by_rule.sum().sort_values(ascending=False).index[:top_rules]) if len(by_rule.columns) else []
        others = [r for r in by_rule.columns if r not in rules]
        for r in sorted(rules):
            ax_rule.plot(by_rule.index, by_rule[r].values, marker="o", linewidth=1.6, label=r)
        if others:
            ax_rule.plot(by_rule.index, by_rule[others].sum(axis=1).values, marker=".", linestyle="--",
                         color="grey", label=f"{len(others)} other rules")
        if not rules and not others:
            ax_rule.text(0.5, 0.5, "no findings at this severity", ha="center", va="center", transform=ax_rule.transAxes)
        ax_rule.set_ylabel("findings per rule")
        for ax in (ax_dom, ax_rule):
            ax.set_ylim(bottom=0)
            ax.yaxis.get_major_locator().set_params(integer=True)
            ax.grid(True, alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
        locator = mdates.AutoDateLocator()
        ax_rule.xaxis.set_major_locator(locator)
        ax_rule.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax_rule.set_xlabel(f"run start (UTC) — {len(runs)} run(s)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    metadata = {"Date": None} if fmt in ("svg", "pdf") else {"Software": "cookieaudit"}
    with open(tmp, "wb") as fh:
        fig.savefig(fh, format=fmt, metadata=metadata)
    tmp.replace(out)
    return out
