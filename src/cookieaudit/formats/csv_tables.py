"""``cookies.csv``, ``requests.csv``, ``findings.csv``: flat tables for spreadsheets and pandas.

UTF-8 with a byte-order mark so Excel shows accents correctly. Text cells that a spreadsheet would run as a
formula (starting with = + - @ tab or CR) get a leading apostrophe (OWASP CSV-injection advice); the
observation JSON keeps the exact value.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from ..findings import Evidence
from .interface import OutputFormat
from .rundata import RunData
from .view import Labels, host_of, third_party

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(v: Any) -> Any:
    if isinstance(v, str) and v.startswith(_FORMULA):
        return "'" + v
    if isinstance(v, (list, tuple)):
        return "; ".join(str(x) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{k}={x}" for k, x in v.items())
    return v


def _to_csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    df = pd.DataFrame([{k: _cell(r.get(k)) for k in columns} for r in rows], columns=columns)
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8-sig")


COOKIE_COLUMNS = ["domain", "choice", "phase", "name", "value", "cookie_domain", "path", "expires_utc",
                  "lifetime_days", "session", "http_only", "secure", "same_site", "partition_key", "size",
                  "first_seen_t", "set_by", "third_party"]
REQUEST_COLUMNS = ["domain", "choice", "id", "phase", "t", "method", "url", "host", "third_party", "resource_type",
                   "status", "failure", "initiator", "frame_url", "page_url", "remote_address", "post_data"]
FINDING_COLUMNS = ["id", "rule", "title", "severity", "domain", "choice", "phase", "t", "jurisdiction", "vendor",
                   "category", "message", "message_nl", "subject", "status", "waived", "seen", "observation",
                   "pointer", "screenshot"]


def cookie_rows(run: RunData) -> list[dict[str, Any]]:
    rows = []
    for (domain, choice), obs in run.observations.items():
        try:
            epoch = datetime.fromisoformat(obs["ended_utc"].replace("Z", "+00:00")).timestamp()
        except (KeyError, ValueError, AttributeError):
            epoch = None
        for c in obs.get("cookies", []):
            exp = c.get("expires")
            session = exp is None or exp < 0
            rows.append({
                "domain": domain, "choice": choice, "phase": c.get("phase"), "name": c.get("name"),
                "value": c.get("value"), "cookie_domain": c.get("domain"), "path": c.get("path"),
                "expires_utc": None if session else datetime.fromtimestamp(exp, timezone.utc).isoformat(),
                "lifetime_days": None if session or epoch is None else round((exp - epoch) / 86400, 1),
                "session": session, "http_only": c.get("http_only"), "secure": c.get("secure"),
                "same_site": c.get("same_site"), "partition_key": c.get("partition_key"), "size": c.get("size"),
                "first_seen_t": c.get("first_seen_t"), "set_by": c.get("set_by"),
                "third_party": third_party(c.get("domain") or "", domain),
            })
    return rows


def request_rows(run: RunData) -> list[dict[str, Any]]:
    rows = []
    for (domain, choice), obs in run.observations.items():
        for r in obs.get("requests", []):
            h = host_of(r.get("url"))
            rows.append({**{k: r.get(k) for k in REQUEST_COLUMNS}, "domain": domain, "choice": choice, "host": h,
                         "third_party": bool(h) and third_party(h, domain)})
    return rows


def finding_rows(run: RunData, lang: str) -> list[dict[str, Any]]:
    L = Labels(lang)
    rows = []
    for f in run.sorted_findings():
        entry = f.to_dict()
        ev = f.evidence[0] if f.evidence else Evidence()
        rows.append({**{k: entry.get(k) for k in FINDING_COLUMNS}, "title": L.rule_text(run.rules.get(f.rule), "title"),
                     "subject": f.subject, "waived": bool(f.waived),
                     "observation": ev.observation, "pointer": ev.pointer, "screenshot": ev.screenshot})
    return rows


class CsvFormat(OutputFormat):
    name = "csv"
    filename = "findings.csv"

    def filenames(self) -> tuple[str, ...]:
        return ("cookies.csv", "requests.csv", "findings.csv")

    def render(self, run: RunData, lang: str) -> bytes:
        return _to_csv(finding_rows(run, lang), FINDING_COLUMNS)

    def outputs(self, run: RunData, lang: str) -> dict[str, bytes | str]:
        return {"cookies.csv": _to_csv(cookie_rows(run), COOKIE_COLUMNS),
                "requests.csv": _to_csv(request_rows(run), REQUEST_COLUMNS),
                "findings.csv": self.render(run, lang)}
