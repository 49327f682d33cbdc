"""--shard I/N selection: every visit exactly once, deterministic, whole domains when N ≤ domains, balanced."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from cookieaudit.errors import ConfigError
from cookieaudit.expectations import load_expectations
from cookieaudit.gate import select_shard
from cookieaudit.scan import plan_visits

ROOT = Path(__file__).resolve().parents[1]
EXP = load_expectations(ROOT / "expectations" / "online-3d.yaml")
VISITS = plan_visits(EXP, (), ())
PER_DOMAIN = len(EXP.all_choices())


@pytest.mark.parametrize("n", range(1, 13))
def test_every_visit_exactly_once(n):
    parts = [select_shard(VISITS, f"{i}/{n}") for i in range(1, n + 1)]
    flat = list(itertools.chain.from_iterable(parts))
    assert sorted(flat) == sorted(VISITS) and len(flat) == len(set(flat)) == 5 * PER_DOMAIN
    for p in parts:                                   # planned order is kept inside a shard
        assert p == sorted(p, key=VISITS.index)
    sizes = [len(p) for p in parts]
    domains = [{d for d, _ in p} for p in parts]
    if n <= 5:
        # whole domains: no domain in two shards, and at most one domain's worth of imbalance
        assert all(not (a & b) for a, b in itertools.combinations(domains, 2))
        assert max(sizes) - min(sizes) <= PER_DOMAIN
    else:
        assert max(sizes) - min(sizes) <= 1
    assert parts == [select_shard(VISITS, f"{i}/{n}") for i in range(1, n + 1)]   # deterministic


def test_two_shards_split_domains_three_two():
    one, two = select_shard(VISITS, "1/2"), select_shard(VISITS, "2/2")
    assert len({d for d, _ in one}) + len({d for d, _ in two}) == 5
    assert sorted([len(one), len(two)]) == [2 * PER_DOMAIN, 3 * PER_DOMAIN]


def test_more_shards_than_visits_gives_empty_shards():
    small = VISITS[:3]
    parts = [select_shard(small, f"{i}/5") for i in range(1, 6)]
    assert sorted(v for p in parts for v in p) == sorted(small) and [] in parts


@pytest.mark.parametrize("bad", ["", "1", "0/3", "4/3", "a/b", "1/0", "-1/2", "1/2/3"])
def test_bad_shard_specs(bad):
    with pytest.raises(ConfigError) as e:
        select_shard(VISITS, bad)
    assert e.value.exit_code == 64
