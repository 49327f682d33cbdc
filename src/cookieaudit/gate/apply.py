"""Applying the gates to a findings.json document: waivers, then the baseline, then the one summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

from .baseline import apply_baseline
from .summary import recompute_summary
from .waivers import Waivers, apply_waivers, stderr_warning


def apply_gates(doc: dict[str, Any], *, baseline: Any = None, waivers: Waivers | str | Path | None = None,
                today: dt.date | None = None,
                warn: Callable[[str], None] | None = stderr_warning) -> dict[str, Any]:
    """Waivers, then baseline, then the summary: returns a new document (the input is not changed).

    ``baseline``: a findings.json document, file or run folder. ``waivers``: a loaded :class:`Waivers` or a path.
    Without either, the summary is still recomputed with :func:`recompute_summary`.
    """
    out = doc
    if waivers is not None:
        out = apply_waivers(out, waivers, today=today, warn=warn)
    if baseline is not None:
        out = apply_baseline(out, baseline)
    if out is doc:
        import copy

        out = copy.deepcopy(doc)
    recompute_summary(out)
    return out
