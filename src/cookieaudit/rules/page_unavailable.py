"""page-unavailable: a further page of the walk answered 4xx/5xx or could not be loaded; the audit went on without it.

A fact about the site (or about a configured path that no longer exists), reported at low severity so a renamed
product page does not turn a nightly run red. The first page, where consent is given, is not reported here: when
it fails the visit is incomplete. Certificate errors are ``tls-certificate-invalid``'s; a page that was not the site
(bot challenge, parked domain) makes its visit incomplete and is never judged.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .base import RuleMeta
from .context import Collector, Context

LATER_PHASES = ("next-page", "after-withdraw")
_CERT = re.compile(r"net::(ERR_CERT_|ERR_SSL_)")

META = RuleMeta(
    id="page-unavailable",
    title={"en": "A page of the audit walk could not be audited",
           "nl": "Een pagina van de auditwandeling kon niet worden geaudit"},
    explanation={
        "en": "A page after the first one answered with an HTTP error status (4xx/5xx), showed an error page or could "
              "not be loaded. The audit went on with the other pages and the visit still counts as complete when "
              "the first page and at least one further page were audited, but what this page does with cookies and "
              "trackers was not observed. Fix the link or the configured path (expectations `pages`), or leave "
              "`pages` out so the pages are discovered.",
        "nl": "Een pagina na de eerste antwoordde met een HTTP-foutstatus (4xx/5xx), toonde een foutpagina of kon niet "
              "worden geladen. De audit ging verder met de andere pagina's en het bezoek telt nog als volledig als de "
              "eerste pagina en ten minste één volgende pagina zijn geaudit, maar wat deze pagina met cookies en "
              "trackers doet, is niet waargenomen. Herstel de link of het geconfigureerde pad (verwachtingen "
              "`pages`), of laat `pages` weg zodat de pagina's worden gevonden.",
    },
    severity="low",
    jurisdictions=("EU",),
    legal_basis=("audit coverage: ePrivacy Directive art. 5(3) cannot be assessed on a page that could not be audited",),
    evidence=("pages",),
)


def check(ctx: Context, out: Collector) -> None:
    for visit in ctx.visits:
        for i, page in enumerate(visit.obs.pages):
            if page.phase not in LATER_PHASES or not page.error or _CERT.search(page.error):
                continue
            path = urlsplit(page.url).path or "/"
            what = f"HTTP {page.status}" if page.status and page.status >= 400 else page.error[:160]
            out.add(
                META.id, visit, None, severity="low", scope="domain",
                subject={"kind": "visit", "name": page.url, "path": path}, vendor=None, pointer=f"/pages/{i}", phase=page.phase,
                t=page.t, details={"url": page.url, "status": page.status, "error": page.error[:300],
                                   "final_url": page.final_url, "screenshot": page.screenshot},
                message=f"{page.url} could not be audited ({what}); the walk went on with the other pages.",
                message_nl=f"{page.url} kon niet worden geaudit ({what}); de wandeling ging verder met de andere "
                           "pagina's.",
            )
