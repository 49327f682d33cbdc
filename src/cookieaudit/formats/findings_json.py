"""``findings.json``: the canonical, machine-readable result (schema ``cookieaudit.findings/1``).

The scan core writes it and it is part of the evidence manifest, so an existing file is never rewritten here
(``overwrite = False``): its bytes are what the printed report's hash vouches for.
"""

from __future__ import annotations

import json

from .interface import OutputFormat
from .rundata import RunData


def canonical(doc: dict) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


class JsonFormat(OutputFormat):
    name = "json"
    filename = "findings.json"
    overwrite = False

    def render(self, run: RunData, lang: str) -> str:
        return canonical(run.raw)
