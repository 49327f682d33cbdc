"""A throw-away certificate authority and one leaf certificate for every host of the world.

Chromium has to speak real HTTPS to the vendors' real host names (Secure and SameSite=None cookies, mixed
content rules and ``isSecureContext`` all depend on it). A fresh trustme CA per run, with a single leaf
listing all hosts as SANs, keeps one TLS context for the whole server; the CA PEM is written to disk so
the browser (``--ignore-certificate-errors-spki-list``, an NSS db, or ``ignore_https_errors``) and Python
clients can trust it.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass
class WorldTLS:
    ca: trustme.CA
    leaf: trustme.LeafCert

    def write_ca(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.ca.cert_pem.write_to_path(str(path))
        return path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.leaf.configure_cert(ctx)
        return ctx

    def leaf_pem(self) -> bytes:
        return b"".join(blob.bytes() for blob in self.leaf.cert_chain_pems)


def make_tls(hosts: list[str]) -> WorldTLS:
    ca = trustme.CA(organization_name="cookieaudit demo world CA")
    leaf = ca.issue_cert(*hosts, "localhost", "127.0.0.1", organization_name="cookieaudit demo world")
    return WorldTLS(ca=ca, leaf=leaf)
