"""tls-certificate-invalid: a positive and a negative case on a stored observation (no browser)."""

from __future__ import annotations

import dataclasses

from cookieaudit.rules import evaluate

from test_rules_support import NL_COMPLIANT, expectations, kb, observations


def _with_cert_error(obs):
    pages = list(obs.pages)
    pages[0] = dataclasses.replace(pages[0], error="net::ERR_CERT_DATE_INVALID at https://online-3d-printen.nl/",
                                   status=None, final_url=None)
    return dataclasses.replace(obs, pages=tuple(pages), status="incomplete")


def test_certificate_error_is_a_finding_about_the_site():
    base = [o for o in observations() if o.domain == NL_COMPLIANT]
    broken = [_with_cert_error(base[0])] + base[1:]
    found = [f for f in evaluate(broken, expectations(), kb(), {}) if f.rule == "tls-certificate-invalid"]
    assert len(found) == 1
    f = found[0]
    assert f.severity == "high" and f.domain == NL_COMPLIANT and f.details["error"] == "ERR_CERT_DATE_INVALID"


def test_no_finding_when_pages_load():
    base = [o for o in observations() if o.domain == NL_COMPLIANT]
    assert not [f for f in evaluate(base, expectations(), kb(), {}) if f.rule == "tls-certificate-invalid"]
