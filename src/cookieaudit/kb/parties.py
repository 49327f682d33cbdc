"""First or third party: registrable domains (eTLD+1) from the bundled Public Suffix List snapshot.

``tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)`` never touches the network and writes no cache.
All the shop's own domains (from the expectations) are first party to each other.
"""

from __future__ import annotations

import functools
from typing import Iterable
from urllib.parse import urlsplit


@functools.lru_cache(maxsize=1)
def _extractor():
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@functools.lru_cache(maxsize=8192)
def registrable_domain(host: str) -> str:
    """eTLD+1 of a host name ("region1.google-analytics.com" -> "google-analytics.com")."""
    h = (host or "").strip().lower().lstrip(".").rstrip(".")
    if not h:
        return ""
    if h.replace(".", "").isdigit() or ":" in h:      # an IP address
        return h
    r = _extractor()(h)
    top = getattr(r, "top_domain_under_public_suffix", None)
    if top is None:  # older tldextract
        top = r.registered_domain
    return top or h


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def host_matches(host: str, suffix: str) -> bool:
    """Domain-suffix match on label boundaries ("a.clarity.ms" matches "clarity.ms"; "xclarity.ms" does not)."""
    host = host.lower().lstrip(".")
    return host == suffix or host.endswith("." + suffix)


class Parties:
    """Decides first vs third party for a set of first-party sites."""

    def __init__(self, first_party_hosts: Iterable[str]):
        self.hosts = tuple(sorted({h.lower().lstrip(".") for h in first_party_hosts if h}))
        self.sites = frozenset(registrable_domain(h) for h in self.hosts)

    @classmethod
    def from_expectations(cls, expectations) -> "Parties":
        return cls(d.host for d in expectations.domains)

    def is_first(self, host: str) -> bool:
        h = (host or "").lower().lstrip(".")
        if not h:
            return True     # data:, blob:, about: ... belong to the page
        return registrable_domain(h) in self.sites

    def party(self, host: str) -> str:
        return "first" if self.is_first(host) else "third"

    def party_of_url(self, url: str) -> str:
        if not url.startswith(("http:", "https:", "ws:", "wss:")):
            return "first"
        return self.party(host_of(url))

    def key(self) -> tuple[str, ...]:
        return self.hosts
