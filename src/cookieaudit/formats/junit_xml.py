"""``junit.xml``: one testcase per domain × consent choice × rule of the catalogue, for CI dashboards.

failure  - the rule has findings of severity ≥ low in that visit that fail CI: not waived and, when a baseline
           was applied, new (persisting and waived ones are listed in <system-out>)
skipped  - the visit is incomplete or was not carried out (nothing can be concluded), or the rule does not
           apply in the domain's jurisdiction
passed   - otherwise
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, Mapping

from .interface import OutputFormat
from .rundata import RunData, counts, counts_for_ci, worst
from .view import Labels, cell

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(s: object) -> str:
    """Text safe for XML 1.0 (a hostile site can put control characters in a cookie value)."""
    return _XML_INVALID.sub("\ufffd", str(s))


def applies(rule: Mapping[str, Any], country: str | None) -> bool:
    j = rule.get("jurisdictions") or ["EU"]
    return "EU" in j or not country or country in j


class JunitFormat(OutputFormat):
    name = "junit"
    filename = "junit.xml"

    def render(self, run: RunData, lang: str) -> bytes:
        L = Labels(lang)
        rules = run.rules
        for f in run.findings:   # a finding of a rule missing from the catalogue still gets its testcase
            rules.setdefault(f.rule, {"id": f.rule})
        root = ET.Element("testsuites", name="cookieaudit", id=_x(run.run.get("id", "")))
        totals = {"tests": 0, "failures": 0, "skipped": 0, "errors": 0}
        for d in run.domains:
            for choice in run.choices:
                c = cell(run, d.host, choice)
                suite = ET.SubElement(root, "testsuite", name=_x(f"{d.host} / {choice}"))
                st = {"tests": 0, "failures": 0, "skipped": 0, "errors": 0}
                fs = run.findings_in(d.host, choice)
                for rid in sorted(rules):
                    rule = rules[rid]
                    title = L.rule_text(rule, "title") or rid
                    tc = ET.SubElement(suite, "testcase", classname=_x(f"cookieaudit.{d.host}.{choice}"),
                                       name=_x(f"{rid} {title}"))
                    st["tests"] += 1
                    hits = [f for f in fs if f.rule == rid and counts_for_ci(f)]
                    known = [f for f in fs if f.rule == rid and counts(f) and not counts_for_ci(f)] + \
                        [f for f in fs if f.rule == rid and f.is_waived]
                    if c.state in ("incomplete", "missing"):
                        ET.SubElement(tc, "skipped", message=_x(f"visit {c.state}: {c.reason}".rstrip(": ")))
                        st["skipped"] += 1
                    elif not applies(rule, d.country):
                        ET.SubElement(tc, "skipped", message=_x(f"not applicable in {d.country}"))
                        st["skipped"] += 1
                    elif hits:
                        sev = worst(hits) or ""
                        fail = ET.SubElement(tc, "failure", type=_x(sev),
                                             message=_x(f"{len(hits)} finding(s), worst {sev}: {L.message(hits[0])}"))
                        fail.text = _x("\n".join(f"[{f.severity}] {f.id} {L.message(f)}" for f in hits))
                        st["failures"] += 1
                    if known and c.state not in ("incomplete", "missing"):
                        ET.SubElement(tc, "system-out").text = _x("\n".join(
                            f"[{f.severity}] {f.id} ({'waived' if f.is_waived else f.baseline_status}) "
                            f"{L.message(f)}" for f in known))
                for k, v in st.items():
                    suite.set(k, str(v))
                    totals[k] += v
        for k, v in totals.items():
            root.set(k, str(v))
        ET.indent(root)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
