"""tls-certificate-invalid: the site (or a page of it) could not be loaded because its TLS certificate was not valid.

A fact about the site, not a crash of the audit: visitors see a certificate warning and nothing that
follows can be audited. Chromium validates for real (an NSS database holds any extra CA given with --ca-cert).
"""

from __future__ import annotations

import re

from .base import RuleMeta
from .context import Collector, Context

CERT_ERROR = re.compile(r"net::(ERR_CERT_[A-Z_]+|ERR_SSL_[A-Z_]+|ERR_BAD_SSL_CLIENT_AUTH_CERT)")

META = RuleMeta(
    id="tls-certificate-invalid",
    title={"en": "The site's TLS certificate is not valid",
           "nl": "Het TLS-certificaat van de site is niet geldig"},
    explanation={
        "en": "Chromium refused the HTTPS connection because the certificate was expired, issued for another name, "
              "signed by an unknown authority or otherwise invalid. Visitors get a security warning, data they send "
              "is not protected as the GDPR's security obligation expects, and the audit could not observe that page "
              "(the visit is marked incomplete).",
        "nl": "Chromium weigerde de HTTPS-verbinding omdat het certificaat verlopen was, voor een andere naam was "
              "uitgegeven, door een onbekende instantie was ondertekend of anderszins ongeldig was. Bezoekers krijgen "
              "een beveiligingswaarschuwing, verstuurde gegevens zijn niet beschermd zoals de beveiligingsplicht van "
              "de AVG verwacht, en de audit kon die pagina niet waarnemen (het bezoek is onvolledig).",
    },
    severity="high",
    jurisdictions=("EU",),
    legal_basis=("GDPR art. 32 (security of processing)", "GDPR art. 5(1)(f)",
                 "ePrivacy Directive art. 5(3) cannot be assessed for a page that does not load"),
    evidence=("pages",),
)


def check(ctx: Context, out: Collector) -> None:
    for visit in ctx.visits:
        for i, page in enumerate(visit.obs.pages):
            m = CERT_ERROR.search(page.error or "")
            if not m:
                continue
            out.add(
                META.id, visit, None, severity="high", scope="domain",
                subject={"kind": "visit", "name": page.url}, vendor=None, pointer=f"/pages/{i}", phase=page.phase,
                details={"error": m.group(1), "url": page.url},
                message=f"{page.url} could not be loaded: the TLS certificate was rejected ({m.group(1)}).",
                message_nl=f"{page.url} kon niet worden geladen: het TLS-certificaat werd geweigerd ({m.group(1)}).",
            )
