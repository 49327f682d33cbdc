"""Observation records as display rows, and the small value formatters the report sections share."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from .view import Labels, body_lines, decode_query, host_of, third_party

MAX_VALUE_CHARS = 120


def short(value: Any, n: int = MAX_VALUE_CHARS) -> str:
    s = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return s if len(s) <= n else s[: n - 1] + "…"


def text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested details as 'a.b: value' lines; lists of scalars joined with ', '."""
    if isinstance(value, dict):
        out: list[tuple[str, str]] = []
        for k, v in value.items():
            out += flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(value, (list, tuple)) and all(not isinstance(x, (dict, list, tuple)) for x in value):
        return [(prefix, ", ".join(text(x) for x in value))]
    return [(prefix, "—" if value is None else short(value, 400))]


def joined(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(text(x) for x in value)
    return text(value) if value not in (None, "") else "—"


def capture_epoch(obs: dict[str, Any] | None) -> float | None:
    try:
        return datetime.fromisoformat(obs["ended_utc"].replace("Z", "+00:00")).timestamp()  # type: ignore[index]
    except (TypeError, KeyError, ValueError, AttributeError):
        return None


def short_url(url: str | None, n: int = 70) -> str:
    """A URL without its query string, for inventory tables (the evidence shows it in full)."""
    if not url:
        return "—"
    base = url.split("?", 1)[0]
    return short(base + ("?…" if "?" in url else ""), n)


def cookie_row(c: dict[str, Any], obs: dict[str, Any] | None, site: str, L: Labels, choice: str) -> dict[str, Any]:
    expires = c.get("expires")
    if expires is None or expires < 0:
        exp_text, life = "—", L["session"]
    else:
        exp_text = datetime.fromtimestamp(expires, timezone.utc).strftime("%Y-%m-%d %H:%M")
        epoch = capture_epoch(obs)
        life = L.duration(expires - epoch) if epoch else "—"
    flags = [x for x, on in (("HttpOnly", c.get("http_only")), ("Secure", c.get("secure"))) if on]
    return {
        "name": c.get("name", ""), "value": short(c.get("value", "")), "domain": c.get("domain", ""),
        "path": c.get("path", ""), "expires": exp_text, "lifetime": life, "flags": " ".join(flags) or "—",
        "same_site": c.get("same_site") or L["not_set"], "partition": c.get("partition_key") or "—",
        "first_seen": L.time(c.get("first_seen_t"), choice) if c.get("first_seen_t") is not None else "—",
        "set_by": c.get("set_by") or "—", "set_by_short": short_url(c.get("set_by")), "phase": L.phase(c.get("phase")),
        "party": L["third_party"] if third_party(c.get("domain", ""), site) else L["first_party"],
    }


def request_view(r: dict[str, Any], L: Labels, choice: str) -> dict[str, Any]:
    return {
        "method": r.get("method", ""), "url": r.get("url", ""), "host": host_of(r.get("url")),
        "params": decode_query(r.get("url", "")), "body": body_lines(r.get("post_data")),
        "initiator": r.get("initiator"), "frame_url": r.get("frame_url"), "page_url": r.get("page_url"),
        "status": r.get("status"), "failure": r.get("failure"), "resource_type": r.get("resource_type"),
        "remote_address": r.get("remote_address"), "time": L.time(r.get("t"), choice),
        "phase": L.phase(r.get("phase")),
    }
