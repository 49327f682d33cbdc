"""Merging shard run folders: the merged findings equal an unsharded evaluation of the union of observations."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cookieaudit.errors import ConfigError
from cookieaudit.expectations import expectations_hash, load_expectations
from cookieaudit.gate import merge_runs, select_shard
from cookieaudit.manifest import verify_manifest
from cookieaudit.observations import ConsentOutcome, CookieRecord, Observation, PageRecord, RequestRecord
from cookieaudit.scan import build_document, observation_path, plan_visits

ROOT = Path(__file__).resolve().parents[1]
EXP_PATH = ROOT / "expectations" / "online-3d.yaml"
EXP = load_expectations(EXP_PATH)
DOMAINS = ("online-3d-printen.nl", "online-3d-printen.be", "online-3d-drucken.de")
CHOICES = ("no-interaction", "reject-all", "accept-all")


def _obs(domain: str, choice: str, hour: int) -> Observation:
    """A small, plausible visit: the shop page, and trackers depending on the domain and the choice."""
    home = f"https://{domain}/"
    reqs = [RequestRecord(id="r1", t=-3.0, phase="before-consent", url=home, method="GET", resource_type="document",
                          page_url=home, status=200)]
    cookies = [CookieRecord(phase="before-consent", name="PHPSESSID", value="abc", domain=domain, path="/",
                            expires=None, http_only=True, secure=True, same_site="Lax", partition_key=None, size=12)]
    if domain.endswith(".be"):   # GA before consent (no exemption in BE), and Ads after a refusal
        reqs.append(RequestRecord(id="r2", t=-1.5, phase="before-consent", method="POST", resource_type="ping",
                                  url="https://region1.google-analytics.com/g/collect?v=2&tid=G-O3D3456789&cid=1.2",
                                  page_url=home, status=204))
        if choice == "reject-all":
            reqs.append(RequestRecord(id="r3", t=1.2, phase="after-choice", method="GET", resource_type="image",
                                      url="https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123456789/",
                                      page_url=home, status=200))
    if domain.endswith(".de"):   # an undeclared tracker once accepted
        if choice == "accept-all":
            reqs.append(RequestRecord(id="r2", t=2.0, phase="after-choice", method="GET", resource_type="script",
                                      url="https://connect.facebook.net/en_US/fbevents.js", page_url=home, status=200))
    if choice == "accept-all":
        reqs.append(RequestRecord(id="r9", t=1.0, phase="after-choice", method="GET", resource_type="script",
                                  url="https://static.hotjar.com/c/hotjar-3456789.js?sv=6", page_url=home, status=200))
    outcome = "not-applicable" if choice == "no-interaction" else "verified"
    return Observation(
        domain=domain, choice=choice, status="complete",
        started_utc=f"2026-11-26T0{hour}:00:00Z", ended_utc=f"2026-11-26T0{hour}:01:00Z",
        consent_wall_utc=f"2026-11-26T0{hour}:00:30Z",
        consent=ConsentOutcome(requested=choice, outcome=outcome, method=None if outcome == "not-applicable" else "selectors",
                               accepted_categories=None if choice == "no-interaction" else
                               tuple(sorted(EXP.accepted_categories(choice)))),
        pages=(PageRecord(phase="before-consent", url=home, final_url=home, status=200, title="Shop", t=-3.0),),
        requests=tuple(reqs), cookies=tuple(cookies),
        evidence={"har": f"evidence/{domain}/{choice}/visit.har"},
    )


ALL_VISITS = [v for v in plan_visits(EXP, DOMAINS, CHOICES)]


def _provenance(run_id: str, hour: int) -> dict:
    return {"id": run_id, "tool": {"name": "cookieaudit", "version": "0.1.0", "git_commit": "abc"},
            "started_utc": f"2026-11-26T0{hour}:00:00Z", "ended_utc": f"2026-11-26T0{hour}:59:00Z",
            "command": ["cookieaudit", "scan"], "expectations": {"path": str(EXP_PATH), "sha256": expectations_hash(EXP_PATH)},
            "host": {"name": "ci", "os": "linux", "python": "3.11"}, "resolve": [], "ca_cert": None,
            "concurrency": 2, "browser": {"version": "Chromium 131"}}


def make_shard(root: Path, visits: list[tuple[str, str]], hour: int) -> Path:
    """A shard run folder as `scan --shard` writes it: observations, evidence, findings.json."""
    root.mkdir(parents=True)
    observations = {}
    for d, c in visits:
        o = _obs(d, c, hour)
        o.dump(root / observation_path(d, c))
        (root / "evidence" / d / c).mkdir(parents=True, exist_ok=True)
        (root / "evidence" / d / c / "visit.har").write_text(json.dumps({"log": {"entries": [], "visit": [d, c]}}))
        observations[(d, c)] = o
    doc = build_document(EXP, _provenance(root.name, hour), visits, observations, [], "high")
    (root / "findings.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    (root / "report.html").write_text("<p>shard report</p>")          # top-level outputs are not copied
    return root


def _key(f: dict) -> tuple:
    return (f["id"], f["rule"], f["severity"], f["domain"], f["choice"], f["message"], json.dumps(f["details"], sort_keys=True))


@pytest.fixture()
def shards(tmp_path):
    one, two = select_shard(ALL_VISITS, "1/2"), select_shard(ALL_VISITS, "2/2")
    assert one and two and not set(one) & set(two)
    return [make_shard(tmp_path / "shard-1", one, 2), make_shard(tmp_path / "shard-2", two, 3)]


@pytest.mark.parametrize("n", [2, 4])
def test_merge_equals_unsharded_evaluation(n, tmp_path):
    """n=2: whole domains per shard; n=4: a domain's visits are split, so the domain-wide facts (details.choices)
    only come out right because the rules run again over the union."""
    parts = [select_shard(ALL_VISITS, f"{i}/{n}") for i in range(1, n + 1)]
    shards = [make_shard(tmp_path / f"shard-{i}", part, 1 + i) for i, part in enumerate(parts, start=1)]
    out = tmp_path / "merged"
    doc = merge_runs(shards, out)
    union = {(d, c): _obs(d, c, 0) for d, c in ALL_VISITS}
    direct = build_document(EXP, _provenance("direct", 2), ALL_VISITS, union, [], "high")
    assert direct["findings"], "the synthetic observations should produce findings"
    assert sorted(_key(f.to_dict()) for f in doc.findings) == sorted(map(_key, direct["findings"]))
    assert [v.key for v in doc.visits] == ALL_VISITS
    assert doc.summary.visits == len(ALL_VISITS) and doc.summary.exit_code == direct["summary"]["exit_code"]
    # provenance: the shards, earliest start, latest end
    run = doc.run
    assert [s["id"] for s in run["shards"]] == [f"shard-{i}" for i in range(1, n + 1)]
    assert run["started_utc"] == "2026-11-26T02:00:00Z" and run["ended_utc"] == f"2026-11-26T0{n + 1}:59:00Z"
    assert run["id"] == "merged" and run["expectations"]["sha256"] == expectations_hash(EXP_PATH)
    # files: every observation and evidence file, the formats, a manifest that verifies
    for d, c in ALL_VISITS:
        assert Observation.load(out / observation_path(d, c)).domain == d
        assert json.loads((out / "evidence" / d / c / "visit.har").read_text())["log"]["visit"] == [d, c]
    assert json.loads((out / "findings.json").read_text()) == doc.to_dict()
    assert (out / "report.html").read_text() != "<p>shard report</p>"
    assert (out / "junit.xml").is_file() and (out / "manifest.sha256").is_file()
    assert verify_manifest(out) == []


def test_merge_needs_the_same_expectations(shards, tmp_path):
    doc = json.loads((shards[1] / "findings.json").read_text())
    doc["run"]["expectations"]["sha256"] = "0" * 64
    (shards[1] / "findings.json").write_text(json.dumps(doc))
    with pytest.raises(ConfigError) as e:
        merge_runs(shards, tmp_path / "m")
    assert "different expectations files" in str(e.value) and e.value.exit_code == 64
    assert not (tmp_path / "m").exists()
    other = tmp_path / "other.yaml"
    other.write_text(EXP_PATH.read_text() + "\n# changed\n")
    with pytest.raises(ConfigError, match="is not the file the shards were scanned with"):
        merge_runs([shards[0]], tmp_path / "m", expectations=other)


def test_merge_refuses_overlap_and_non_empty_out(shards, tmp_path):
    dup = tmp_path / "dup"
    shutil.copytree(shards[0], dup)
    with pytest.raises(ConfigError, match="audited by two shards"):
        merge_runs([shards[0], dup], tmp_path / "m1")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("x")
    with pytest.raises(ConfigError, match="not empty"):
        merge_runs(shards, tmp_path / "busy")
    with pytest.raises(ConfigError, match="not a run folder"):
        merge_runs([tmp_path / "busy"], tmp_path / "m2")
    # same file path, different content: refused, and no half-merged folder is left behind
    (dup / "evidence" / "extra.txt").write_text("a")
    other = tmp_path / "other"
    (other / "evidence").mkdir(parents=True)
    (other / "evidence" / "extra.txt").write_text("b")
    (other / "findings.json").write_text((shards[1] / "findings.json").read_text())
    with pytest.raises(ConfigError, match="present in both"):
        merge_runs([dup, other], tmp_path / "m3")
    assert not (tmp_path / "m3").exists()


def test_merge_keeps_missing_visits_and_applies_baseline(shards, tmp_path):
    # shard 2 lost one visit (interrupted): the merged run is incomplete and says so
    doc2 = json.loads((shards[1] / "findings.json").read_text())
    lost = (doc2["visits"][0]["domain"], doc2["visits"][0]["choice"])
    (shards[1] / observation_path(*lost)).unlink()
    doc2["missing"] = [f"{lost[0]}/{lost[1]}: not audited (interrupted)"]
    (shards[1] / "findings.json").write_text(json.dumps(doc2))
    first = merge_runs(shards, tmp_path / "m1", formats=("junit",))
    assert first.status == "incomplete" and first.summary.exit_code == 2
    assert first.missing == (f"{lost[0]}/{lost[1]}: not audited (interrupted)",)
    # against a baseline of itself nothing is new
    again = merge_runs(shards, tmp_path / "m2", formats=("junit",), baseline=tmp_path / "m1")
    assert {f.status for f in again.findings} == {"persisting"}
    assert again.summary.baseline is not None and again.summary.baseline.new == 0


def test_merge_cli(shards, tmp_path):
    import click
    from click.testing import CliRunner

    from cookieaudit.gate.commands import register

    cli = click.Group("cookieaudit")
    register(cli)
    r = CliRunner().invoke(cli, ["merge", *map(str, shards), "--out", str(tmp_path / "m"), "--format", "junit",
                                 "--history", str(tmp_path / "history.csv")])
    doc = json.loads((tmp_path / "m" / "findings.json").read_text())
    assert r.exit_code == doc["summary"]["exit_code"] == 1, r.output
    assert "merged 2 shard(s)" in r.output and (tmp_path / "history.csv").stat().st_size > 0
    r = CliRunner().invoke(cli, ["merge", str(shards[0]), "--out", str(tmp_path / "m")])
    assert r.exit_code == 64 and "not empty" in r.output


def test_a_shard_that_never_arrived_makes_the_merge_incomplete(shards, tmp_path):
    # the nightly names the domains it planned: a domain without a run folder is "not audited", exit 2
    only_first = merge_runs([shards[0]], tmp_path / "m1", formats=("junit",), expect_domains=DOMAINS)
    held = {(v["domain"], v["choice"]) for v in json.loads((shards[0] / "findings.json").read_text())["visits"]}
    every = plan_visits(EXP, DOMAINS, ())                 # --expect-domain: every choice of the domain
    absent = [v for v in every if v not in held]
    assert only_first.status == "incomplete" and only_first.summary.exit_code == 2
    assert list(only_first.missing) == [f"{d}/{c}: not audited (no shard run folder holds this visit)"
                                        for d, c in absent]
    assert [v.key for v in only_first.visits] == every
    # without the expectation it is a smaller, complete audit
    assert merge_runs([shards[0]], tmp_path / "m2", formats=("junit",)).status == "complete"
    # shards that record `--shard I/N` (run.shard, run.planned) reveal the missing parts by themselves
    doc = json.loads((shards[0] / "findings.json").read_text())
    doc["run"]["shard"], doc["run"]["planned"] = "1/2", [list(v) for v in ALL_VISITS]
    (shards[0] / "findings.json").write_text(json.dumps(doc))
    by_spec = merge_runs([shards[0]], tmp_path / "m3", formats=("junit",))
    assert list(by_spec.missing) == [f"{d}/{c}: not audited (no shard run folder holds this visit)"
                                     for d, c in ALL_VISITS if (d, c) not in held]
    assert by_spec.summary.exit_code == 2
    with pytest.raises(ConfigError, match="--expect-domain example.org"):
        merge_runs([shards[0]], tmp_path / "m4", expect_domains=["example.org"])
