"""Grouped findings: one finding per (rule, domain, choice, vendor or unknown host) with its exhibits; the ids the
facts had before grouping survive as aliases, so baselines and waivers written against them keep working."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from test_rules_support import AT, NL_WINKEL, exhibits, observations, only, run

from cookieaudit.findings import finding_id, subject_key
from cookieaudit.gate import apply_baseline, apply_waivers, load_waivers, recompute_summary


def _doc(findings, obs_list):
    visits = sorted({(o.domain, o.choice) for o in obs_list})
    doc = {"schema": "cookieaudit.findings/1", "status": "complete", "missing": [],
           "run": {"id": "run-2", "started_utc": "2026-11-22T02:00:00Z"}, "domains": [], "choices": [],
           "visits": [{"domain": d, "choice": c, "status": "complete"} for d, c in visits], "rules": {},
           "findings": [f.to_dict() for f in findings], "summary": {"fail_on": "high"}}
    recompute_summary(doc)
    return doc


def test_one_finding_per_vendor_with_every_exhibit():
    obs = observations(NL_WINKEL)
    grouped = run(obs, rules=["pre-consent-tracking"])
    hj = only(grouped, "pre-consent-tracking", vendor="hotjar")
    assert len(hj) == 1
    f = hj[0]
    kinds = {e["kind"] for e in f.exhibits}
    assert kinds == {"request", "cookie", "storage"}
    # every exhibit has its own pointer, choice, phase and time, and is a real record of its observation
    for e in f.exhibits:
        assert e["observation"] and e["pointer"] and e["choice"] and e["phase"]
        o = next(x for x in obs if f"observations/{x.domain}/{x.choice}.json" == e["observation"])
        idx = int(e["pointer"].rsplit("/", 1)[1])
        lst = {"request": o.requests, "cookie": o.cookies, "storage": o.storage}[e["kind"]]
        assert idx < len(lst)
    # the summary counts grouped findings: fewer than the per-subject ones, as many as there are groups
    ungrouped = exhibits(grouped)
    assert len(grouped) < len(ungrouped)
    assert len({(x.rule, x.domain, x.vendor or subject_key(x.subject)) for x in grouped}) == len(grouped)
    assert "in all:" in f.message and "in totaal:" in f.message_nl


def test_unknown_hosts_are_grouped_by_host_not_merged():
    grouped = run(observations(AT), rules=["pre-consent-tracking"])
    no_vendor = [f for f in grouped if not f.vendor]
    hosts = [f.subject.get("host") or f.subject.get("domain") for f in no_vendor]
    assert len(hosts) == len(set(hosts))


def test_aliases_are_the_pre_grouping_ids():
    grouped = run(observations(NL_WINKEL), rules=["pre-consent-tracking", "tracking-after-reject"])
    for f in grouped:
        old = {finding_id(x.rule, x.domain, x.choice, x.vendor, x.subject) for x in exhibits([f])}
        assert set(f.aliases) == old
        assert f.id not in old or len(old) == 0


def test_baseline_written_before_grouping_matches_grouped_findings():
    obs = observations(NL_WINKEL)
    grouped = run(obs, rules=["pre-consent-tracking", "tracking-after-reject"])
    old_style = [x for x in exhibits(grouped)]
    old_docs = []
    for x in old_style:       # what findings.json held before grouping: per-subject ids, no aliases
        d = x.to_dict()
        d["id"] = finding_id(x.rule, x.domain, x.choice, x.vendor, x.subject)
        d.pop("aliases"), d.pop("exhibits")
        old_docs.append(d)
    base = _doc([], obs)
    base["findings"] = old_docs
    out = apply_baseline(_doc(grouped, obs), base)
    assert {f["status"] for f in out["findings"]} == {"persisting"}
    assert out["baseline"]["resolved"] == []
    # and a grouped finding that is really gone is still reported resolved
    out2 = apply_baseline(_doc(grouped[1:], obs), _doc(grouped, obs))
    assert [e["id"] for e in out2["baseline"]["resolved"]] == [grouped[0].id]


def test_waiver_by_pre_grouping_id_waives_the_group(tmp_path: Path):
    obs = observations(NL_WINKEL)
    grouped = run(obs, rules=["pre-consent-tracking"])
    hj = only(grouped, "pre-consent-tracking", vendor="hotjar")[0]
    other = [f for f in grouped if f.id != hj.id]
    old_id = hj.aliases[-1]
    w = tmp_path / "waivers.yaml"
    w.write_text("schema: cookieaudit.waivers/1\nwaivers:\n"
                 f"  - id: {old_id}\n    reason: accepted for the test\n    who: qa\n    expires: 2099-01-01\n",
                 encoding="utf-8")
    out = apply_waivers(_doc(grouped, obs), load_waivers(w), today=dt.date(2026, 1, 1), warn=None)
    waived = {f["id"] for f in out["findings"] if f.get("waived")}
    assert waived == {hj.id}
    assert all(f.id not in waived for f in other)
