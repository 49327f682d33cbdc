"""Applying the gates to a run document: waivers, then the baseline, then the one summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

from ..rundoc import DocLike, RunDocument, as_document, same_kind
from .baseline import BaselineLike, apply_baseline
from .summary import summarize
from .waivers import Waivers, apply_waivers, stderr_warning


def apply_gates(doc: DocLike, *, baseline: BaselineLike | None = None, waivers: Waivers | str | Path | None = None,
                today: dt.date | None = None,
                warn: Callable[[str], None] | None = stderr_warning) -> DocLike:
    """Waivers, then baseline, then the summary: returns a new document (the input is not changed), of the kind
    given (a :class:`RunDocument` or a findings.json dict).

    ``baseline``: an earlier run document, findings.json file or run folder. ``waivers``: a loaded
    :class:`Waivers` or a path. Without either, the summary is still recomputed (:func:`summarize`).
    """
    out: RunDocument = as_document(doc)
    if waivers is not None:
        out = apply_waivers(out, waivers, today=today, warn=warn)
    if baseline is not None:
        out = apply_baseline(out, baseline)
    return same_kind(summarize(out), doc)
