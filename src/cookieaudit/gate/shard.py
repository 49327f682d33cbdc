"""``--shard i/n``: which (domain, choice) visits one of n parallel scans runs.

Pure and deterministic: every shard computes its part from the same planned visit list (the expectations
order), the parts are disjoint and together cover every visit exactly once.

* n ≤ number of domains: whole domains per shard (a domain's visits stay together, so cross-visit rules
  and the per-domain report need no merge to make sense), balanced by visit count with the longest-
  processing-time rule (biggest domain first to the least-loaded shard; ties go to the lower shard).
* n > number of domains: the visit list is cut into n contiguous slices whose sizes differ by at most one
  (a domain spans as few shards as possible). A shard may be empty when n exceeds the number of visits.
"""

from __future__ import annotations

import re
from typing import TypeVar

from ..errors import ConfigError

V = TypeVar("V", bound=tuple)

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(shard: str) -> tuple[int, int]:
    """``"2/5"`` → (2, 5); 1-based. Raises ConfigError (exit 64) on anything else."""
    m = _SHARD.match(shard or "")
    if not m:
        raise ConfigError(f"--shard {shard!r}: expected I/N, e.g. 2/5", fix="use --shard I/N with 1 ≤ I ≤ N")
    i, n = int(m.group(1)), int(m.group(2))
    if n < 1 or not 1 <= i <= n:
        raise ConfigError(f"--shard {shard}: I must be between 1 and N (N ≥ 1)", fix="e.g. --shard 1/3, 2/3, 3/3")
    return i, n


def shard_assignment(visits: list[V], n: int) -> list[list[V]]:
    """All n parts (index 0 = shard 1/n)."""
    visits = list(dict.fromkeys(visits))          # a visit planned twice is run once
    domains: dict[str, list[V]] = {}
    for v in visits:
        domains.setdefault(v[0], []).append(v)
    parts: list[list[V]] = [[] for _ in range(n)]
    if n <= len(domains):
        load = [0] * n
        chosen: dict[str, int] = {}
        for name in sorted(domains, key=lambda d: -len(domains[d])):      # stable sort: ties keep planned order
            target = min(range(n), key=lambda s: (load[s], s))
            chosen[name] = target
            load[target] += len(domains[name])
        for v in visits:
            parts[chosen[v[0]]].append(v)
    else:
        total = len(visits)
        for s in range(n):
            parts[s] = visits[s * total // n:(s + 1) * total // n]
    return parts


def select_shard(visits: list[V], shard: str) -> list[V]:
    """The visits of shard ``"i/n"`` (1-based), in the order they were planned."""
    i, n = parse_shard(shard)
    return shard_assignment(visits, n)[i - 1]
