"""The shops configured with banner selectors, audited WITHOUT them: the automatic drivers alone must perform and
verify every choice (Orejime through its manager API, the hand-made .be banner through the text heuristic), and
the .be banner's planted defect (its functional toggle is not saved) must still come out unverified."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

# the shipped expectations configure no banner at all: strip the selectors of the hand-configured demo file
EXPECTATIONS = Path(__file__).resolve().parent / "data" / "expectations-demo-configured.yaml"

pytestmark = pytest.mark.browser
HOSTS = ("online-3d-drucken.at", "online-3d-printen.be")
CHOICES = ("no-interaction", "reject-all", "accept-all", "only-performance", "only-functional", "only-targeting",
           "withdraw")


@pytest.fixture(scope="module")
def zero_config(demo_world, tmp_path_factory):
    from cookieaudit.scan import ScanOptions, run_scan

    base = tmp_path_factory.mktemp("zero-config")
    data = yaml.safe_load(Path(EXPECTATIONS).read_text(encoding="utf-8"))
    stripped = [d.get("host") for d in data["domains"] if d.pop("banner", None) is not None]
    assert set(HOSTS) <= set(stripped), stripped     # these two really were configured
    exp = base / "no-selectors.yaml"
    exp.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    opts = ScanOptions(expectations=exp, out=base / "run", domains=HOSTS, choices=CHOICES,
                       resolve=tuple(demo_world.resolve_args()), ca_cert=demo_world.ca_pem, formats=())
    return asyncio.run(run_scan(opts))


def _visits(scan):
    return {(v["domain"], v["choice"]): v for v in scan.document["visits"]}


def test_orejime_every_choice_without_selectors(zero_config):
    visits = _visits(zero_config)
    for choice in CHOICES[1:]:
        v = visits[("online-3d-drucken.at", choice)]
        c = v["consent"]
        assert v["status"] == "complete", (choice, v.get("errors"))
        assert c["outcome"] == "verified", (choice, c["method"], c["reason"])
        assert c["cmp"] == "orejime" and "selectors" not in (c["method"] or ""), (choice, c)
    for choice in ("only-performance", "only-functional", "only-targeting"):
        assert visits[("online-3d-drucken.at", choice)]["consent"]["method"] == "cmp-api:orejime"


def test_hand_made_banner_by_text_and_its_planted_defect_still_caught(zero_config):
    visits = _visits(zero_config)
    for choice in CHOICES[1:]:
        v = visits[("online-3d-printen.be", choice)]
        c = v["consent"]
        assert v["status"] == "complete", (choice, v.get("errors"))
        assert "selectors" not in (c["method"] or ""), (choice, c)
        if choice == "only-functional":
            # the banner's functional toggle is not saved: no driver may make that look verified
            assert c["outcome"] == "unverified", c
            assert "differ from the requested ['functional']" in c["reason"], c["reason"]
        else:
            assert c["outcome"] == "verified", (choice, c["method"], c["reason"])
