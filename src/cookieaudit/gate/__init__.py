"""Gate: what turns an audit into a CI decision — baselines, waivers, history/trend, shards, merge, policy drift.

Typical use after the rules ran (``doc`` is the :class:`~cookieaudit.rundoc.RunDocument` of
:func:`cookieaudit.finish.build_run_document`; a findings.json dict is accepted too and given back as a dict)::

    from cookieaudit.gate import apply_gates
    doc = apply_gates(doc, baseline="reports/last/findings.json", waivers="waivers.yaml")

Heavy dependencies (pandas, matplotlib, httpx, bs4) are imported only by the functions that need them.
"""

from __future__ import annotations

from typing import Any

from .apply import apply_gates
from .baseline import Baseline, apply_baseline, load_baseline
from .shard import parse_shard, select_shard, shard_assignment
from .summary import add_warning, counts_for_exit, recompute_summary, summarize
from .waivers import Waivers, apply_waivers, load_waivers

__all__ = ["apply_gates", "apply_baseline", "load_baseline", "Baseline", "summarize", "apply_waivers", "load_waivers", "Waivers",
           "select_shard", "parse_shard", "shard_assignment", "recompute_summary", "counts_for_exit", "add_warning",
           "append_history", "trend_chart", "merge_runs", "check_policies"]


def __getattr__(name: str) -> Any:          # lazy: pandas/matplotlib/httpx only when used
    if name in ("append_history", "trend_chart", "read_history"):
        from . import history

        return getattr(history, name)
    if name == "merge_runs":
        from .merge import merge_runs

        return merge_runs
    if name == "check_policies":
        from .policy_check import check_policies

        return check_policies
    raise AttributeError(name)
