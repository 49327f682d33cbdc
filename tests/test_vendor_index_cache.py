"""The consent mapper's vendor index is cached per expectations object, never by a bare id() that outlives it."""

from __future__ import annotations

import gc
from pathlib import Path

from cookieaudit.browse.consent import _VENDOR_INDEX, mapper_for
from cookieaudit.expectations import load_expectations

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "expectations" / "online-3d.yaml"


def test_one_index_per_object_and_gone_with_it():
    exp = load_expectations(DEMO)
    first = mapper_for(exp.domains[0], exp).vendors
    assert mapper_for(exp.domains[1], exp).vendors is first          # built once per object
    key = id(exp)
    assert key in _VENDOR_INDEX
    del exp
    gc.collect()
    assert key not in _VENDOR_INDEX                                   # a process running many audits does not grow


def test_a_stale_entry_under_a_reused_id_is_not_served():
    exp = load_expectations(DEMO)
    other = load_expectations(DEMO)
    stale = mapper_for(other.domains[0], other).vendors
    # what id() reuse looks like: an entry under this object's id that was made for another object
    _VENDOR_INDEX[id(exp)] = _VENDOR_INDEX[id(other)]
    fresh = mapper_for(exp.domains[0], exp).vendors
    assert fresh is not stale
    assert _VENDOR_INDEX[id(exp)][0]() is exp
