"""The consent-manager lab: one ``*.o3d-lab.nl`` host per consent manager, each gating the lab's trackers.

Two kinds of site (``CmpLabSite.kind``): ``npm`` — the manager's own open-source code from npm, served from
``node_modules`` (never copied into the repository); ``stand-in`` — for managers sold as a service, whose
scripts live only on the vendor's servers (unreachable here, and not licensed for redistribution), a small
script served at the vendor's real host name that implements the vendor's *documented* page API and storage
format. A stand-in proves our adapter speaks the documented contract; it cannot prove the live script keeps it.
"""

from __future__ import annotations

from aiohttp import web

from .common import CmpLabSite, Handler
from .saas import SITES as SAAS_SITES
from .saas import handle as saas_handle
from .tcf import SITES as TCF_SITES
from .tcf import handle as tcf_handle
from .wordpress import SITES as WP_SITES
from .wordpress import handle as wp_handle

FAMILIES: tuple[tuple[tuple[CmpLabSite, ...], Handler], ...] = ((SAAS_SITES, saas_handle), (WP_SITES, wp_handle),
                                                                     (TCF_SITES, tcf_handle))
CMP_SITES: tuple[CmpLabSite, ...] = tuple(s for sites, _ in FAMILIES for s in sites)


def cmplab_hosts() -> list[str]:
    """Every host the CMP lab answers: the sites, then the vendors' host names their managers load from."""
    out: list[str] = [s.host for s in CMP_SITES]
    for s in CMP_SITES:
        out += [h for h in s.vendor_hosts if h not in out]
    return out


class CmpLab:
    """Routes a request to the family module that owns the host."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        for sites, handler in FAMILIES:
            for s in sites:
                for h in (s.host, *s.vendor_hosts):
                    self.routes[h] = handler
        self.hosts = frozenset(self.routes)

    async def handle(self, host: str, request: web.Request) -> web.StreamResponse:
        return await self.routes[host](host, request)


__all__ = ["CMP_SITES", "CmpLab", "CmpLabSite", "cmplab_hosts"]
