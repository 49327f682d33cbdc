"""Parsing raw ``Set-Cookie`` headers and ``document.cookie`` assignments (name, attributes, requested lifetime).

Chromium caps a stored expiry at 400 days, so the lifetime a site *asked for* is only visible in the raw header
(or the JS assignment): ``Max-Age`` wins over ``Expires`` (RFC 6265 §5.3).
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

BROWSER_CAP_DAYS = 400


def parse_cookie_string(text: str) -> tuple[str, str, dict[str, str]]:
    """'a=b; Max-Age=10; Path=/' -> ('a', 'b', {'max-age': '10', 'path': '/'})."""
    parts = [p.strip() for p in (text or "").split(";")]
    first = parts[0] if parts else ""
    if "=" in first:
        name, value = first.split("=", 1)
    else:
        name, value = "", first
    attrs: dict[str, str] = {}
    for p in parts[1:]:
        if not p:
            continue
        if "=" in p:
            k, v = p.split("=", 1)
            attrs[k.strip().lower()] = v.strip()
        else:
            attrs[p.lower()] = ""
    return name.strip(), value.strip(), attrs


def requested_lifetime_seconds(attrs: dict[str, str], at_epoch: float | None) -> float | None:
    """Lifetime in seconds the cookie asked for; None for a session cookie or an unreadable value."""
    if "max-age" in attrs:
        try:
            return float(int(attrs["max-age"].strip()))
        except ValueError:
            pass
    exp = attrs.get("expires")
    if exp and at_epoch is not None:
        try:
            dt = parsedate_to_datetime(exp)
        except (TypeError, ValueError, IndexError):
            return None
        if dt is None:
            return None
        return dt.timestamp() - at_epoch
    return None


def domain_matches(cookie_domain: str, host: str) -> bool:
    d = (cookie_domain or "").lower().lstrip(".")
    h = (host or "").lower()
    return bool(d) and (h == d or h.endswith("." + d))
